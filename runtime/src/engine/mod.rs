//! The rule engine: rules indexed by event type, evaluated on each event in load
//! order, with Falco's selection (`rules:` enable/disable list), minimum priority and
//! `rule_matching` (first or all).

pub mod selection;

use falcorc_compiler::eval::{EventFacts, FieldSource, Value, eval, specialize};
use falcorc_compiler::ir::{Cond, FieldId, FieldSpec, Program, Rule};
use falcorc_compiler::sema::catalog::EVENT_COUNT;
use falcorc_compiler::sema::items::Priority;
pub use selection::Selector;
use std::cell::RefCell;

/// Falco's `rule_matching` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RuleMatching {
    /// Report only the first matching rule (in load order) of each event.
    #[default]
    First,
    /// Report every matching rule.
    All,
}

#[derive(Clone, Debug)]
pub struct EngineOptions {
    pub selectors: Vec<Selector>,
    /// Rules less severe than this are not evaluated.
    pub min_priority: Priority,
    pub matching: RuleMatching,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            selectors: Vec::new(),
            min_priority: Priority::Debug,
            matching: RuleMatching::First,
        }
    }
}

pub struct Engine {
    pub program: Program,
    /// For each event code, the active rules that can match it, in load order, each
    /// with its condition specialised for the code (`evt.type` tests folded away).
    index: Vec<Vec<(u32, Cond)>>,
    matching: RuleMatching,
    /// Field values of the current event, shared by all rules evaluated on it.
    cache: RefCell<FieldCache>,
}

/// Per-event memo of field values by program field id. Slots are stamped with the
/// event's generation, so moving to the next event costs nothing, and they keep
/// their values' buffers, so refilling a string slot does not allocate.
#[derive(Default)]
struct FieldCache {
    generation: u32,
    slots: Vec<Slot>,
}

#[derive(Clone)]
struct Slot {
    generation: u32,
    present: bool,
    value: Value,
}

impl Slot {
    fn get(&self) -> Option<&Value> {
        self.present.then_some(&self.value)
    }
}

struct Cached<'a> {
    inner: &'a dyn FieldSource,
    cache: &'a RefCell<FieldCache>,
}

impl Cached<'_> {
    /// Make slot `i` current; false when `i` is not a program field.
    fn refresh(&self, i: usize, id: FieldId, spec: &FieldSpec) -> bool {
        let mut c = self.cache.borrow_mut();
        let generation = c.generation;
        let Some(slot) = c.slots.get_mut(i) else {
            return false;
        };
        if slot.generation != generation {
            slot.present = self.inner.field_into(id, spec, &mut slot.value);
            slot.generation = generation;
        }
        true
    }
}

impl FieldSource for Cached<'_> {
    fn field(&self, id: FieldId, spec: &FieldSpec) -> Option<Value> {
        let i = id.0 as usize;
        if !self.refresh(i, id, spec) {
            return self.inner.field(id, spec);
        }
        self.cache.borrow().slots[i].get().cloned()
    }

    fn with_field(&self, id: FieldId, spec: &FieldSpec, f: &mut dyn FnMut(Option<&Value>) -> bool) -> bool {
        let i = id.0 as usize;
        if !self.refresh(i, id, spec) {
            // Not a program field (no slot): nothing to share.
            return f(self.inner.field(id, spec).as_ref());
        }
        let c = self.cache.borrow();
        f(c.slots[i].get())
    }
}

impl Engine {
    pub fn new(program: Program, opts: &EngineOptions) -> Engine {
        let enabled = selection::apply(
            program
                .rules
                .iter()
                .map(|r| (r.name.as_str(), r.tags.as_slice(), r.enabled)),
            &opts.selectors,
        );
        let mut index = vec![Vec::new(); EVENT_COUNT];
        for (i, r) in program.rules.iter().enumerate() {
            let active = enabled[i] && r.priority.level() <= opts.min_priority.level() && r.source == "syscall";
            let Some(codes) = r.evttypes.as_ref().filter(|_| active) else {
                continue;
            };
            for &c in codes {
                if let Some(bucket) = index.get_mut(c as usize) {
                    match specialize(&r.cond, &program.fields, &EventFacts::of_code(c)) {
                        Cond::Const(false) => {}
                        cond => bucket.push((i as u32, cond)),
                    }
                }
            }
        }
        let cache = FieldCache {
            generation: 1,
            slots: vec![
                Slot {
                    generation: 0,
                    present: false,
                    value: Value::Bool(false),
                };
                program.fields.len()
            ],
        };
        Engine {
            program,
            index,
            matching: opts.matching,
            cache: RefCell::new(cache),
        }
    }

    /// Number of rules that can run on at least one event.
    pub fn active_rules(&self) -> usize {
        let mut seen = vec![false; self.program.rules.len()];
        for b in &self.index {
            for (i, _) in b {
                seen[*i as usize] = true;
            }
        }
        seen.iter().filter(|s| **s).count()
    }

    pub fn rule(&self, i: usize) -> &Rule {
        &self.program.rules[i]
    }

    /// Rules matching an event of type `code`, in load order, appended to `out`.
    pub fn evaluate(&self, code: u16, src: &dyn FieldSource, out: &mut Vec<usize>) {
        let Some(bucket) = self.index.get(code as usize).filter(|b| !b.is_empty()) else {
            return;
        };
        {
            let mut c = self.cache.borrow_mut();
            c.generation = c.generation.wrapping_add(1).max(1);
        }
        let cached = Cached {
            inner: src,
            cache: &self.cache,
        };
        for (i, cond) in bucket {
            if eval(cond, &self.program.fields, &cached) {
                out.push(*i as usize);
                if self.matching == RuleMatching::First {
                    return;
                }
            }
        }
    }

    /// Whether any rule listens to event code `code` (lets callers skip field work).
    pub fn wants(&self, code: u16) -> bool {
        self.index.get(code as usize).is_some_and(|b| !b.is_empty())
    }
}
