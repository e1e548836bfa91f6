//! The rule engine: rules indexed by event type, evaluated on each event in load
//! order, with Falco's selection (`rules:` enable/disable list), minimum priority and
//! `rule_matching` (first or all).

pub mod costs;
mod memo;
pub mod selection;

#[cfg(feature = "jit")]
use crate::fields::Ahead;
use crate::fields::{FieldCtx, Resolved};
#[cfg(feature = "jit")]
use falcorc_compiler::eval::jit::{Jit, JitOptions, JitStats};
use falcorc_compiler::eval::{EventFacts, FieldCache, eval_fields, specialize};
#[cfg(feature = "jit")]
use falcorc_compiler::ir::FieldId;
use falcorc_compiler::ir::{Buckets, Cond, Program, Rule};
use falcorc_compiler::sema::catalog::EVENT_COUNT;
use falcorc_compiler::sema::items::Priority;
pub use selection::Selector;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Falco's `rule_matching` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RuleMatching {
    /// Report only the first matching rule (in load order) of each event.
    #[default]
    First,
    /// Report every matching rule.
    All,
}

/// What evaluates the conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Backend {
    /// The reference interpreter.
    Interp,
    /// Native code from cranelift (the interpreter when built without the `jit`
    /// feature or when the ruleset fails to compile).
    #[default]
    Jit,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Interp => "interp",
            Backend::Jit => "jit",
        })
    }
}

#[derive(Clone, Debug)]
pub struct EngineOptions {
    pub selectors: Vec<Selector>,
    /// Rules less severe than this are not evaluated.
    pub min_priority: Priority,
    pub matching: RuleMatching,
    pub backend: Backend,
    /// Measure each rule's cost on one event in this many ([`costs`]); `None`: not at all.
    pub rule_costs: Option<u32>,
    /// Keep those costs per event type too (`falcorc profile`).
    pub rule_costs_by_event_type: bool,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            selectors: Vec::new(),
            min_priority: Priority::Debug,
            matching: RuleMatching::First,
            backend: Backend::default(),
            rule_costs: None,
            rule_costs_by_event_type: false,
        }
    }
}

pub struct Engine {
    pub program: Program,
    /// For each event code, the active rules that can match it, in load order, each
    /// with its condition specialised for the code (`evt.type` tests folded away).
    index: Arc<Buckets>,
    matching: RuleMatching,
    /// Field values of the current event, shared by all rules evaluated on it.
    cache: RefCell<FieldCache>,
    /// How each field of the program is extracted.
    resolved: Resolved,
    #[cfg(feature = "jit")]
    jit: Option<Jit>,
    /// Per event code, the fields native code reads that are cheap to describe,
    /// filled before it runs (one pass instead of a call out per field).
    #[cfg(feature = "jit")]
    ahead: Vec<Vec<(FieldId, Ahead)>>,
    /// Problems that made the engine fall back to the interpreter.
    warnings: Vec<String>,
    /// Active rules without an event-type filter (they run on every event type), and per
    /// event code whether an active rule that has one names it.
    broad: Vec<usize>,
    named: Vec<bool>,
    costs: Option<costs::RuleCosts>,
}

/// A rule that can match more event types than this has no real event-type filter (the
/// loader's `LOAD_NO_EVTTYPE` threshold, as Falco's).
const BROAD: usize = 100;

impl Engine {
    pub fn new(program: Program, opts: &EngineOptions) -> Engine {
        #[cfg(feature = "jit")]
        let jit = JitOptions::default();
        #[cfg(not(feature = "jit"))]
        let jit = ();
        Engine::with_jit_options(program, opts, jit)
    }

    /// [`Engine::new`] with explicit code generation options (benchmarks measure
    /// each optimisation separately; tests force a compile failure).
    pub fn with_jit_options(program: Program, opts: &EngineOptions, jit_opts: JitSettings) -> Engine {
        let enabled = selection::apply(
            program
                .rules
                .iter()
                .map(|r| (r.name.as_str(), r.tags.as_slice(), r.enabled)),
            &opts.selectors,
        );
        // Buckets name conditions by position in `conds`: a rule's condition is
        // specialised once per set of event facts and shared by every code with them
        // (the versions of an event), instead of one copy per code.
        let mut conds: Vec<Cond> = Vec::new();
        let mut ids: Vec<Vec<(u32, usize)>> = vec![Vec::new(); EVENT_COUNT];
        let (mut broad, mut named) = (Vec::new(), vec![false; EVENT_COUNT]);
        for (i, r) in program.rules.iter().enumerate() {
            let active = enabled[i] && r.priority.level() <= opts.min_priority.level() && r.source == "syscall";
            let Some(codes) = r.evttypes.as_ref().filter(|_| active) else {
                continue;
            };
            if codes.len() > BROAD {
                broad.push(i);
            } else {
                for &c in codes {
                    if let Some(n) = named.get_mut(c as usize) {
                        *n = true;
                    }
                }
            }
            let mut by_facts: HashMap<EventFacts, Option<usize>> = HashMap::new();
            for &c in codes {
                if let Some(bucket) = ids.get_mut(c as usize) {
                    let facts = EventFacts::of_code(c);
                    let id = *by_facts.entry(facts).or_insert_with(|| {
                        let cond = specialize(&r.cond, &program.fields, &facts);
                        (!matches!(cond, Cond::Const(false))).then(|| {
                            conds.push(cond);
                            conds.len() - 1
                        })
                    });
                    if let Some(id) = id {
                        bucket.push((i as u32, id));
                    }
                }
            }
        }
        let program_rules = program.rules.len();
        let memo_slots = memo::number_shared(&ids, &mut conds);
        let cache = FieldCache::new(program.fields.len(), memo_slots);
        let conds: Vec<Arc<Cond>> = conds.into_iter().map(Arc::new).collect();
        let index: Buckets = ids
            .iter()
            .map(|b| b.iter().map(|&(i, id)| (i, conds[id].clone())).collect())
            .collect();
        let index = Arc::new(index);
        let mut warnings = Vec::new();
        #[cfg(feature = "jit")]
        let jit = (opts.backend == Backend::Jit)
            .then(|| {
                let jit_opts = JitOptions {
                    first: opts.matching == RuleMatching::First,
                    per_rule: jit_opts.per_rule || opts.rule_costs.is_some(),
                    ..jit_opts
                };
                let same_as = same_buckets(&index);
                Jit::compile(index.clone(), &same_as, &program.fields, &jit_opts)
                    .map_err(|e| {
                        let what = match e.rule.and_then(|i| program.rules.get(i as usize)) {
                            Some(r) => format!("rule '{}' could not be compiled to native code", r.name),
                            None => "the rules could not be compiled to native code".to_string(),
                        };
                        warnings.push(format!("{what} ({}); the interpreter runs the rules", e.message))
                    })
                    .ok()
            })
            .flatten();
        #[cfg(not(feature = "jit"))]
        {
            let () = jit_opts;
            if opts.backend == Backend::Jit {
                warnings.push("this build has no JIT (feature `jit`); the interpreter runs the rules".into());
            }
        }
        let resolved = Resolved::new(&program.fields);
        #[cfg(feature = "jit")]
        let ahead = match &jit {
            Some(jit) => (0..index.len())
                .map(|code| {
                    jit.slot_reads(code as u16)
                        .iter()
                        .filter_map(|&id| Some((id, resolved.ahead(id)?)))
                        .collect()
                })
                .collect(),
            None => Vec::new(),
        };
        Engine {
            program,
            index,
            matching: opts.matching,
            cache: RefCell::new(cache),
            resolved,
            #[cfg(feature = "jit")]
            jit,
            #[cfg(feature = "jit")]
            ahead,
            warnings,
            broad,
            named,
            costs: opts
                .rule_costs
                .map(|every| costs::RuleCosts::new(program_rules, every, EVENT_COUNT, opts.rule_costs_by_event_type)),
        }
    }

    /// Active rules without an event-type filter, by index: they run on every event.
    pub fn broad_rules(&self) -> &[usize] {
        &self.broad
    }

    /// Whether an active rule with an event-type filter names event code `code`.
    pub fn names(&self, code: u16) -> bool {
        self.named.get(code as usize).copied().unwrap_or(false)
    }

    /// Why the engine runs the interpreter although the JIT was asked for.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The back end that evaluates the rules.
    pub fn backend(&self) -> Backend {
        #[cfg(feature = "jit")]
        if self.jit.is_some() {
            return Backend::Jit;
        }
        Backend::Interp
    }

    /// Compile time and code statistics of the native code, when the JIT runs.
    #[cfg(feature = "jit")]
    pub fn jit_stats(&self) -> Option<&JitStats> {
        self.jit.as_ref().map(Jit::stats)
    }

    /// Number of rules that can run on at least one event.
    pub fn active_rules(&self) -> usize {
        let mut seen = vec![false; self.program.rules.len()];
        for b in self.index.iter() {
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
    pub fn evaluate(&self, code: u16, ctx: &FieldCtx<'_>, out: &mut Vec<usize>) {
        let Some(bucket) = self.index.get(code as usize).filter(|b| !b.is_empty()) else {
            return;
        };
        if let Some(costs) = self.costs.as_ref().filter(|c| c.tick()) {
            return self.evaluate_timed(costs, code, bucket, ctx, out);
        }
        let src = &self.resolved.bind(ctx);
        let mut cache = self.cache.borrow_mut();
        cache.next_event();
        #[cfg(feature = "jit")]
        if let Some(jit) = &self.jit {
            if let Some(ahead) = self.ahead.get(code as usize) {
                cache.lend_ahead(ahead, |how: Ahead, view| how.lend(ctx, view));
            }
            return jit.run(code, &self.program.fields, &mut cache, src, out);
        }
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

    /// [`Engine::evaluate`], one rule at a time, each timed into `costs`: the same matches.
    fn evaluate_timed(
        &self,
        costs: &costs::RuleCosts,
        code: u16,
        bucket: &[(u32, Arc<Cond>)],
        ctx: &FieldCtx<'_>,
        out: &mut Vec<usize>,
    ) {
        let src = &self.resolved.bind(ctx);
        let mut cache = self.cache.borrow_mut();
        cache.next_event();
        let first = self.matching == RuleMatching::First;
        #[cfg(feature = "jit")]
        if let Some(jit) = self.jit.as_ref().filter(|j| j.has_rule_functions(code)) {
            if let Some(ahead) = self.ahead.get(code as usize) {
                cache.lend_ahead(ahead, |how: Ahead, view| how.lend(ctx, view));
            }
            for (pos, (i, _)) in bucket.iter().enumerate() {
                let before = out.len();
                costs.time(*i, code, || {
                    jit.run_rule(code, pos, &self.program.fields, &mut cache, src, out)
                });
                if first && out.len() > before {
                    return;
                }
            }
            return;
        }
        let mut fields = cache.with(src);
        for (i, cond) in bucket {
            if costs.time(*i, code, || eval_fields(cond, &self.program.fields, &mut fields)) {
                out.push(*i as usize);
                if first {
                    return;
                }
            }
        }
    }

    /// Per rule index, its estimated evaluations and time, when the engine measures them
    /// (`EngineOptions::rule_costs`).
    pub fn rule_costs(&self) -> Option<(u32, Vec<costs::RuleCost>)> {
        self.costs.as_ref().map(|c| (c.every(), c.totals()))
    }

    /// [`Engine::rule_costs`] per event code, with `EngineOptions::rule_costs_by_event_type`.
    pub fn rule_costs_by_event_type(&self) -> Option<Vec<Vec<(u16, costs::RuleCost)>>> {
        self.costs.as_ref()?.totals_by_event_type()
    }

    /// Whether any rule listens to event code `code` (lets callers skip field work).
    pub fn wants(&self, code: u16) -> bool {
        self.index.get(code as usize).is_some_and(|b| !b.is_empty())
    }
}

/// Options of the native code generator, or nothing in a build without it.
#[cfg(feature = "jit")]
pub type JitSettings = JitOptions;
#[cfg(not(feature = "jit"))]
pub type JitSettings = ();

/// For each event code, an earlier code whose bucket is structurally the same (the
/// same rules whose conditions specialise alike, as `open` and `openat` for rules
/// that test both), so one native function serves both.
#[cfg(feature = "jit")]
fn same_buckets(index: &[Vec<(u32, Arc<Cond>)>]) -> Vec<Option<usize>> {
    let mut first: HashMap<u128, usize> = HashMap::new();
    index
        .iter()
        .enumerate()
        .map(|(code, bucket)| {
            if bucket.is_empty() {
                return None;
            }
            let seen = *first.entry(memo::bucket_identity(bucket)).or_insert(code);
            (seen != code).then_some(seen)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use falcorc_compiler::{Options, SourceFile, analyze};

    const RULES: &str = r#"
- macro: opened
  condition: evt.type in (open, openat, openat2) and evt.is_open_read = true
- list: shells
  items: [sh, bash, zsh, dash, ksh]
- rule: shell reads
  desc: d
  condition: opened and proc.name in (shells) and fd.name startswith /etc
  output: "%proc.name %fd.name"
  priority: WARNING
- rule: shell reads secrets
  desc: d
  condition: opened and proc.name in (shells) and fd.name = /etc/shadow
  output: "%proc.name"
  priority: ERROR
"#;

    fn engine() -> Engine {
        let an = analyze(
            vec![SourceFile {
                name: "rules.yaml".into(),
                text: RULES.into(),
            }],
            &Options::default(),
        );
        assert_eq!(an.errors(), 0);
        Engine::new(an.program, &EngineOptions::default())
    }

    /// Every event code with the same facts (the versions of one event) shares one copy
    /// of each rule's specialised condition, and the copies share their lists.
    #[test]
    fn codes_with_the_same_facts_share_one_condition() {
        let e = engine();
        let mut by_rule_facts: HashMap<(u32, EventFacts), Vec<&Arc<Cond>>> = HashMap::new();
        for (code, bucket) in e.index.iter().enumerate() {
            for (rule, cond) in bucket {
                by_rule_facts
                    .entry((*rule, EventFacts::of_code(code as u16)))
                    .or_default()
                    .push(cond);
            }
        }
        assert!(by_rule_facts.values().any(|v| v.len() > 1), "no event has two versions");
        for v in by_rule_facts.values() {
            assert!(v.iter().all(|c| Arc::ptr_eq(c, v[0])));
        }
        // Different event types specialise apart but test the same list.
        let sets: Vec<*const falcorc_compiler::ir::Const> = by_rule_facts
            .iter()
            .filter(|((rule, _), _)| *rule == 0)
            .flat_map(|(_, v)| {
                let mut found = Vec::new();
                each_set(v[0], &mut |items| found.push(items.as_ptr()));
                found
            })
            .collect();
        assert!(sets.len() > 1);
        assert!(sets.iter().all(|p| *p == sets[0]));
    }

    /// The comparisons both rules share get one memo slot, the same in every bucket.
    #[test]
    fn a_shared_comparison_has_one_slot_everywhere() {
        let e = engine();
        let mut slots: HashMap<String, std::collections::HashSet<Option<u32>>> = HashMap::new();
        for bucket in e.index.iter() {
            for (_, cond) in bucket {
                cond.each_cmp(&mut |c| {
                    slots
                        .entry(format!("{:?} {:?} {:?}", c.lhs, c.op, c.rhs))
                        .or_default()
                        .insert(c.memo);
                });
            }
        }
        let shared: Vec<_> = slots.values().filter(|s| s.iter().any(Option::is_some)).collect();
        // `evt.is_open_read = true` and `proc.name in (shells)` are in both rules.
        assert_eq!(shared.len(), 2, "{slots:?}");
        assert!(shared.iter().all(|s| s.len() == 1), "{slots:?}");
    }

    fn each_set<'a>(c: &'a Cond, f: &mut impl FnMut(&'a [falcorc_compiler::ir::Const])) {
        c.each_cmp(&mut |cmp| {
            if let falcorc_compiler::ir::Rhs::Set(s) = &cmp.rhs {
                f(&s.items)
            }
        });
    }
}
