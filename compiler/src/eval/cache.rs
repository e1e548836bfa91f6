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
//!
//! Each slot starts with a [`SlotView`]: the one description of field access that
//! both this cache (which fills it) and native code (which reads it) use.

use super::interp::{FieldSource, Fields, Lent, Value};
use crate::ir::{FieldId, FieldSpec};

/// Kinds of value a [`SlotView`] describes.
pub mod kind {
    /// No value on this event.
    pub const ABSENT: u32 = 0;
    /// A string: `ptr`/`len` hold its bytes.
    pub const STR: u32 = 1;
    /// An integer that fits in 64 bits: `int` holds it.
    pub const INT: u32 = 2;
    /// Any other value (lists, addresses, wide integers): only the [`Value`] has it.
    pub const OTHER: u32 = 3;
    /// A boolean: `int` holds 0 or 1.
    pub const BOOL: u32 = 4;
}

/// What native code reads of a cached field: plain words at fixed offsets.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlotView {
    /// The generation of the event the slot was filled for.
    pub generation: u32,
    /// One of [`kind`].
    pub kind: u32,
    /// Address of the string's bytes (valid until the slot is refilled).
    pub ptr: usize,
    pub len: usize,
    pub int: i64,
}

impl SlotView {
    fn absent(generation: u32) -> SlotView {
        SlotView {
            generation,
            kind: kind::ABSENT,
            ptr: 0,
            len: 0,
            int: 0,
        }
    }

    /// Describe what [`FieldSource::lend`] gave, if it lent anything: whether it did.
    #[inline(always)]
    pub fn take_lent(&mut self, lent: Option<Option<Lent<'_>>>) -> bool {
        lent.map(|l| self.set_lent(l)).is_some()
    }

    /// Describe a lent value (`None`: the event has none); the generation is left
    /// as it is. Only the words native code reads for the kind are written.
    #[inline]
    pub fn set_lent(&mut self, lent: Option<Lent<'_>>) {
        match lent {
            None => self.kind = kind::ABSENT,
            Some(Lent::Str(s)) => {
                self.kind = kind::STR;
                self.ptr = s.as_ptr() as usize;
                self.len = s.len();
            }
            Some(Lent::Int(n)) => {
                self.kind = kind::INT;
                self.int = n;
            }
            Some(Lent::Bool(b)) => {
                self.kind = kind::BOOL;
                self.int = i64::from(b);
            }
        }
    }

    fn of(present: bool, value: &Value, generation: u32) -> SlotView {
        let mut v = SlotView::absent(generation);
        if present {
            v.kind = kind::OTHER;
            match value {
                Value::Str(s) => {
                    v.kind = kind::STR;
                    v.ptr = s.as_ptr() as usize;
                    v.len = s.len();
                }
                Value::Int(n) => {
                    if let Ok(n) = i64::try_from(*n) {
                        v.kind = kind::INT;
                        v.int = n;
                    }
                }
                Value::Bool(b) => {
                    v.kind = kind::BOOL;
                    v.int = i64::from(*b);
                }
                _ => {}
            }
        }
        v
    }
}

/// One field's slot: the view first, then the value it describes.
#[repr(C)]
#[derive(Clone, Debug)]
pub struct Slot {
    pub view: SlotView,
    value: Value,
    /// The generation `value` was filled for: behind `view.generation` when the
    /// view was lent by the source (native code needs no [`Value`]).
    value_generation: u32,
}

impl Slot {
    /// Extract the value for event `generation` and describe it in the view.
    fn extract(&mut self, id: FieldId, spec: &FieldSpec, src: &dyn FieldSource, generation: u32) {
        let present = src.field_into(id, spec, &mut self.value);
        self.view = SlotView::of(present, &self.value, generation);
        self.value_generation = generation;
    }
}

/// A memoised comparison result, stamped with the event generation.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct MemoSlot {
    pub generation: u32,
    pub result: u32,
}

/// Field values of the current event, by program field id.
#[derive(Clone, Debug)]
pub struct FieldCache {
    generation: u32,
    slots: Vec<Slot>,
    /// Comparison results by memo slot, stamped like the field slots.
    memo: Vec<MemoSlot>,
    /// Holds a value read for an id outside the program's table (not cached).
    spill: Option<Value>,
}

impl FieldCache {
    /// A cache for a program with `fields` fields and `memo_slots` memoised comparisons.
    pub fn new(fields: usize, memo_slots: usize) -> FieldCache {
        let empty = Slot {
            view: SlotView::of(false, &Value::Bool(false), 0),
            value: Value::Bool(false),
            value_generation: 0,
        };
        FieldCache {
            generation: 1,
            slots: vec![empty; fields],
            memo: vec![MemoSlot::default(); memo_slots],
            spill: None,
        }
    }

    /// Forget the previous event's values.
    pub fn next_event(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // After 2^32 events stamps would repeat: start the slots over.
            for s in &mut self.slots {
                s.view.generation = 0;
                s.value_generation = 0;
            }
            for m in &mut self.memo {
                m.generation = 0;
            }
            self.generation = 1;
        }
    }

    /// The current event's generation stamp.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Raw addresses of the slot and memo arrays, for native code. They stay valid as
    /// long as the cache lives: the arrays never grow after [`FieldCache::new`].
    pub fn raw_slots(&mut self) -> (*mut Slot, *mut MemoSlot) {
        (self.slots.as_mut_ptr(), self.memo.as_mut_ptr())
    }

    /// Fill the view of field `id` for the current event: lent by `src` when it can
    /// (no [`Value`] built; the interpreter materialises one if it ever asks),
    /// else extracted as [`Cached::get`] does.
    pub fn fill_view(&mut self, id: FieldId, spec: &FieldSpec, src: &dyn FieldSource) {
        let generation = self.generation;
        let Some(slot) = self.slots.get_mut(id.0 as usize) else {
            return;
        };
        if slot.view.generation == generation {
            return;
        }
        if src.lend_view(id, spec, &mut slot.view) {
            slot.view.generation = generation;
        } else {
            slot.extract(id, spec, src, generation);
        }
    }

    /// Fill, for the current event, the views of the fields in `items` that `lend`
    /// describes (it writes the view and says whether it did; a field it does not
    /// describe is filled on first use as usual). Native code then reads those slots
    /// without calling out: a caller that knows a field is cheap to describe and
    /// likely read fills it here in one pass, right after [`FieldCache::next_event`].
    /// A view already filled for the event is written again with the same value
    /// (lending is a function of the event), so no stamp is checked.
    #[inline]
    pub fn lend_ahead<T: Copy>(&mut self, items: &[(FieldId, T)], mut lend: impl FnMut(T, &mut SlotView) -> bool) {
        let generation = self.generation;
        let slots = self.slots.as_mut_slice();
        for &(id, how) in items {
            if let Some(slot) = slots.get_mut(id.0 as usize)
                && lend(how, &mut slot.view)
            {
                slot.view.generation = generation;
            }
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
        if slot.view.generation != generation {
            slot.extract(id, spec, self.src, generation);
        } else if slot.value_generation != generation {
            // The view was lent: build the value too (the view stays as lent).
            if slot.view.kind == kind::ABSENT || !self.src.field_into(id, spec, &mut slot.value) {
                return None;
            }
            slot.value_generation = generation;
        }
        (slot.view.kind != kind::ABSENT).then_some(&slot.value)
    }

    #[inline]
    fn recall(&mut self, slot: u32) -> Option<bool> {
        let generation = self.cache.generation;
        self.cache
            .memo
            .get(slot as usize)
            .and_then(|m| (m.generation == generation).then_some(m.result != 0))
    }

    #[inline]
    fn remember(&mut self, slot: u32, result: bool) {
        let generation = self.cache.generation;
        if let Some(m) = self.cache.memo.get_mut(slot as usize) {
            *m = MemoSlot {
                generation,
                result: u32::from(result),
            };
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
