//! A per-event cache of field values, shared by every rule evaluated on the event:
//! a field is extracted at most once per event however many conditions test it
//! (macros such as `open_read` put the same fields in many rules).
//!
//! It also keeps the results of comparisons that back ends number with a memo
//! slot ([`Cmp::memo`](crate::ir::Cmp::memo)), shared by the rules that contain them.
//!
//! Slots are stamped with the event's generation, so moving to the next event
//! costs nothing, and they keep their values' buffers across events, so a source
//! that implements [`FieldSource::field_into`] refills string slots without
//! allocating.

use super::interp::{FieldSource, Fields, Value};
use crate::ir::{FieldId, FieldSpec};

#[derive(Clone, Debug)]
struct Slot {
    generation: u32,
    present: bool,
    value: Value,
}

/// Field values of the current event, by program field id.
#[derive(Clone, Debug)]
pub struct FieldCache {
    generation: u32,
    slots: Vec<Slot>,
    /// Comparison results by memo slot, stamped like the field slots.
    memo: Vec<(u32, bool)>,
    /// Holds a value read for an id outside the program's table (not cached).
    spill: Option<Value>,
}

impl FieldCache {
    /// A cache for a program with `fields` fields and `memo_slots` memoised comparisons.
    pub fn new(fields: usize, memo_slots: usize) -> FieldCache {
        let empty = Slot {
            generation: 0,
            present: false,
            value: Value::Bool(false),
        };
        FieldCache {
            generation: 1,
            slots: vec![empty; fields],
            memo: vec![(0, false); memo_slots],
            spill: None,
        }
    }

    /// Forget the previous event's values.
    pub fn next_event(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // After 2^32 events stamps would repeat: start the slots over.
            for s in &mut self.slots {
                s.generation = 0;
            }
            for m in &mut self.memo {
                m.0 = 0;
            }
            self.generation = 1;
        }
    }

    /// Read the current event's fields from `src` through the cache.
    pub fn with<'a>(&'a mut self, src: &'a dyn FieldSource) -> Cached<'a> {
        Cached { cache: self, src }
    }
}

/// A [`FieldCache`] bound to the event's field source.
pub struct Cached<'a> {
    cache: &'a mut FieldCache,
    src: &'a dyn FieldSource,
}

impl Fields for Cached<'_> {
    #[inline]
    fn get(&mut self, id: FieldId, spec: &FieldSpec) -> Option<&Value> {
        let generation = self.cache.generation;
        let Some(slot) = self.cache.slots.get_mut(id.0 as usize) else {
            self.cache.spill = self.src.field(id, spec);
            return self.cache.spill.as_ref();
        };
        if slot.generation != generation {
            slot.present = self.src.field_into(id, spec, &mut slot.value);
            slot.generation = generation;
        }
        slot.present.then_some(&slot.value)
    }

    #[inline]
    fn recall(&mut self, slot: u32) -> Option<bool> {
        let generation = self.cache.generation;
        self.cache
            .memo
            .get(slot as usize)
            .and_then(|&(g, r)| (g == generation).then_some(r))
    }

    #[inline]
    fn remember(&mut self, slot: u32, result: bool) {
        let generation = self.cache.generation;
        if let Some(m) = self.cache.memo.get_mut(slot as usize) {
            *m = (generation, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sema::catalog::FieldType;
    use std::cell::Cell;

    struct Counting {
        reads: Cell<u32>,
        name: &'static str,
    }

    impl FieldSource for Counting {
        fn field(&self, _id: FieldId, _spec: &FieldSpec) -> Option<Value> {
            self.reads.set(self.reads.get() + 1);
            Some(Value::Str(self.name.into()))
        }
    }

    fn spec() -> FieldSpec {
        FieldSpec {
            name: "proc.name",
            suffix: None,
            arg: None,
            ty: FieldType::Charbuf,
            list: false,
        }
    }

    #[test]
    fn one_extraction_per_field_per_event() {
        let mut cache = FieldCache::new(1, 0);
        let first = Counting {
            reads: Cell::new(0),
            name: "cat",
        };
        {
            let mut acc = cache.with(&first);
            assert_eq!(acc.get(FieldId(0), &spec()), Some(&Value::Str("cat".into())));
            assert_eq!(acc.get(FieldId(0), &spec()), Some(&Value::Str("cat".into())));
        }
        assert_eq!(first.reads.get(), 1);
        cache.next_event();
        let second = Counting {
            reads: Cell::new(0),
            name: "sh",
        };
        let mut acc = cache.with(&second);
        assert_eq!(acc.get(FieldId(0), &spec()), Some(&Value::Str("sh".into())));
        // Ids outside the table are read, not cached.
        assert_eq!(acc.get(FieldId(7), &spec()), Some(&Value::Str("sh".into())));
        assert_eq!(acc.get(FieldId(7), &spec()), Some(&Value::Str("sh".into())));
        assert_eq!(second.reads.get(), 3);
    }

    #[test]
    fn generations_wrap_without_stale_values() {
        let mut cache = FieldCache::new(1, 0);
        cache.generation = u32::MAX;
        let src = Counting {
            reads: Cell::new(0),
            name: "a",
        };
        cache.with(&src).get(FieldId(0), &spec());
        cache.next_event();
        cache.with(&src).get(FieldId(0), &spec());
        assert_eq!(src.reads.get(), 2);
    }
}
