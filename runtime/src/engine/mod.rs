//! The rule engine: rules indexed by event type, evaluated on each event in load
//! order, with Falco's selection (`rules:` enable/disable list), minimum priority and
//! `rule_matching` (first or all).

mod memo;
pub mod selection;

use falcorc_compiler::eval::{EventFacts, FieldCache, FieldSource, eval_fields, specialize};
use falcorc_compiler::ir::{Cond, Program, Rule};
use falcorc_compiler::sema::catalog::EVENT_COUNT;
use falcorc_compiler::sema::items::Priority;
pub use selection::Selector;
use std::cell::RefCell;
use std::collections::HashMap;

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
            // Every version of an event shares its facts: specialise once per fact set.
            let mut by_facts: HashMap<EventFacts, Cond> = HashMap::new();
            for &c in codes {
                if let Some(bucket) = index.get_mut(c as usize) {
                    let facts = EventFacts::of_code(c);
                    let cond = by_facts
                        .entry(facts)
                        .or_insert_with(|| specialize(&r.cond, &program.fields, &facts));
                    if !matches!(cond, Cond::Const(false)) {
                        bucket.push((i as u32, cond.clone()));
                    }
                }
            }
        }
        let memo_slots = memo::number_shared(&mut index);
        let cache = FieldCache::new(program.fields.len(), memo_slots);
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
        let mut cache = self.cache.borrow_mut();
        cache.next_event();
        let mut fields = cache.with(src);
        for (i, cond) in bucket {
            if eval_fields(cond, &self.program.fields, &mut fields) {
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
