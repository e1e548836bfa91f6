//! The semantic difference of two loaded rulesets: per rule, what Falco would evaluate or
//! print differently, and which edit (its own condition, an exception, a macro, a list)
//! caused it. Text that changed without changing what runs (layout, quoting, reordered
//! `and` operands or list items) is no difference.

use super::canon;
use super::refs::{Kind, Refs};
use crate::analysis::{Analysis, RuleInfo};
use crate::syntax::condition;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

#[derive(Clone, Debug, Serialize)]
pub struct RulesetDiff {
    /// Rules each version defines.
    pub old_rules: usize,
    pub new_rules: usize,
    /// Changed, added and renamed rules in the new version's order, then removed ones.
    pub rules: Vec<RuleChange>,
    /// Macros and lists whose definition changed, in name order.
    pub items: Vec<ItemChange>,
}

impl RulesetDiff {
    /// Nothing differs.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.items.is_empty()
    }

    pub fn count(&self, change: Change) -> usize {
        self.rules.iter().filter(|r| r.change == change).count()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    /// The same condition under a new name (`renamed_from` says the old one).
    Renamed,
    Changed,
}

impl Change {
    pub fn name(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Renamed => "renamed",
            Change::Changed => "changed",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleChange {
    pub rule: String,
    pub change: Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// What differs (empty for added and removed rules).
    pub aspects: Vec<Aspect>,
    /// Why the condition or event types differ.
    pub reasons: Vec<Reason>,
    /// The rule's priority and event types in the version that has it (the new one when
    /// both do): what a reviewer needs to weigh an added or removed rule.
    pub priority: String,
    pub event_types: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "aspect", rename_all = "snake_case")]
pub enum Aspect {
    /// The effective condition (macros, lists and exceptions expanded), canonical.
    Condition {
        old: String,
        new: String,
    },
    EventTypes {
        added: Vec<String>,
        removed: Vec<String>,
    },
    Output {
        old: String,
        new: String,
    },
    Priority {
        old: String,
        new: String,
    },
    Enabled {
        old: bool,
        new: bool,
    },
    Tags {
        added: Vec<String>,
        removed: Vec<String>,
    },
    Source {
        old: String,
        new: String,
    },
    Desc {
        old: String,
        new: String,
    },
}

impl Aspect {
    pub fn name(&self) -> &'static str {
        match self {
            Aspect::Condition { .. } => "condition",
            Aspect::EventTypes { .. } => "event types",
            Aspect::Output { .. } => "output",
            Aspect::Priority { .. } => "priority",
            Aspect::Enabled { .. } => "enabled",
            Aspect::Tags { .. } => "tags",
            Aspect::Source { .. } => "source",
            Aspect::Desc { .. } => "desc",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The rule's own `condition` (after appends and overrides), canonical.
    Condition {
        old: String,
        new: String,
    },
    Exception {
        name: String,
        change: Change,
    },
    Macro {
        name: String,
        change: Change,
    },
    List {
        name: String,
        change: Change,
    },
}

/// A macro or list whose definition changed.
#[derive(Clone, Debug, Serialize)]
pub struct ItemChange {
    pub kind: Kind,
    pub name: String,
    pub change: Change,
    /// Macros: the condition, canonical. Lists: absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// Lists: the items added and removed (order and repeats do not count).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// The rules whose condition changed through this item.
    pub rules: Vec<String>,
}

/// What one rule is, for comparison.
struct Facts<'a> {
    info: &'a RuleInfo,
    condition: String,
    event_types: BTreeSet<&'static str>,
    reach: BTreeSet<(Kind, String)>,
}

fn facts<'a>(an: &'a Analysis) -> Vec<Facts<'a>> {
    let refs = Refs::new(an);
    let lowered: HashMap<&str, &crate::ir::Rule> = an.program.rules.iter().map(|r| (r.name.as_str(), r)).collect();
    an.rules
        .iter()
        .map(|info| {
            let condition = match lowered.get(info.name.as_str()) {
                Some(r) => canon::condition(&r.cond, &an.program.fields),
                // Not compiled (another source, or skipped): the text as parsed.
                None => collapse(&info.condition),
            };
            let event_types = info.evttypes.iter().flat_map(|s| s.names()).collect();
            let mut reach = BTreeSet::new();
            let mut texts = vec![info.own_condition.as_str()];
            texts.extend(info.exceptions.iter().map(|(_, t)| t.as_str()));
            refs.reach(&texts, &mut reach);
            Facts {
                info,
                condition,
                event_types,
                reach,
            }
        })
        .collect()
}

/// Compare two loaded rulesets. Both should be free of errors: a rule that failed to
/// compile is compared by its text.
pub fn diff(old: &Analysis, new: &Analysis) -> RulesetDiff {
    let old_facts = facts(old);
    let new_facts = facts(new);
    let items = item_changes(old, new);
    let changed_items: HashMap<(Kind, &str), Change> =
        items.iter().map(|i| ((i.kind, i.name.as_str()), i.change)).collect();
    let old_by_name: HashMap<&str, &Facts> = old_facts.iter().map(|f| (f.info.name.as_str(), f)).collect();
    let new_names: BTreeSet<&str> = new_facts.iter().map(|f| f.info.name.as_str()).collect();

    // Removed and added rules with the same condition and source are a rename.
    let mut removed: Vec<&Facts> = old_facts
        .iter()
        .filter(|f| !new_names.contains(f.info.name.as_str()))
        .collect();
    let mut rules = Vec::new();
    for n in &new_facts {
        let (o, renamed_from) = match old_by_name.get(n.info.name.as_str()) {
            Some(o) => (*o, None),
            None => {
                let twin = removed
                    .iter()
                    .position(|o| o.condition == n.condition && o.info.source == n.info.source);
                match twin {
                    Some(i) => {
                        let o = removed.remove(i);
                        (o, Some(o.info.name.clone()))
                    }
                    None => {
                        rules.push(alone(n, Change::Added));
                        continue;
                    }
                }
            }
        };
        let aspects = aspects(o, n);
        if aspects.is_empty() && renamed_from.is_none() {
            continue;
        }
        let detection = aspects
            .iter()
            .any(|a| matches!(a, Aspect::Condition { .. } | Aspect::EventTypes { .. }));
        let reasons = if detection {
            reasons(o, n, &changed_items)
        } else {
            Vec::new()
        };
        rules.push(RuleChange {
            rule: n.info.name.clone(),
            change: if renamed_from.is_some() {
                Change::Renamed
            } else {
                Change::Changed
            },
            renamed_from,
            aspects,
            reasons,
            priority: n.info.priority.name().to_string(),
            event_types: n.event_types.iter().map(|s| s.to_string()).collect(),
        });
    }
    rules.extend(removed.into_iter().map(|o| alone(o, Change::Removed)));

    let mut items = items;
    for item in &mut items {
        item.rules = rules
            .iter()
            .filter(|r| {
                r.reasons.iter().any(|why| match why {
                    Reason::Macro { name, .. } => item.kind == Kind::Macro && *name == item.name,
                    Reason::List { name, .. } => item.kind == Kind::List && *name == item.name,
                    _ => false,
                })
            })
            .map(|r| r.rule.clone())
            .collect();
    }
    RulesetDiff {
        old_rules: old.rules.len(),
        new_rules: new.rules.len(),
        rules,
        items,
    }
}

fn alone(f: &Facts, change: Change) -> RuleChange {
    RuleChange {
        rule: f.info.name.clone(),
        change,
        renamed_from: None,
        aspects: Vec::new(),
        reasons: Vec::new(),
        priority: f.info.priority.name().to_string(),
        event_types: f.event_types.iter().map(|s| s.to_string()).collect(),
    }
}

fn aspects(o: &Facts, n: &Facts) -> Vec<Aspect> {
    let (a, b) = (o.info, n.info);
    let mut out = Vec::new();
    if o.condition != n.condition {
        out.push(Aspect::Condition {
            old: o.condition.clone(),
            new: n.condition.clone(),
        });
    }
    if o.event_types != n.event_types {
        out.push(Aspect::EventTypes {
            added: n
                .event_types
                .difference(&o.event_types)
                .map(|s| s.to_string())
                .collect(),
            removed: o
                .event_types
                .difference(&n.event_types)
                .map(|s| s.to_string())
                .collect(),
        });
    }
    if a.output != b.output {
        out.push(Aspect::Output {
            old: a.output.clone(),
            new: b.output.clone(),
        });
    }
    if a.priority != b.priority {
        out.push(Aspect::Priority {
            old: a.priority.name().to_string(),
            new: b.priority.name().to_string(),
        });
    }
    if a.enabled != b.enabled {
        out.push(Aspect::Enabled {
            old: a.enabled,
            new: b.enabled,
        });
    }
    if a.tags != b.tags {
        out.push(Aspect::Tags {
            added: b.tags.difference(&a.tags).cloned().collect(),
            removed: a.tags.difference(&b.tags).cloned().collect(),
        });
    }
    if a.source != b.source {
        out.push(Aspect::Source {
            old: a.source.clone(),
            new: b.source.clone(),
        });
    }
    if a.desc != b.desc {
        out.push(Aspect::Desc {
            old: a.desc.clone(),
            new: b.desc.clone(),
        });
    }
    out
}

/// The edits that reach a rule whose evaluation changed.
fn reasons(o: &Facts, n: &Facts, changed: &HashMap<(Kind, &str), Change>) -> Vec<Reason> {
    let mut out = Vec::new();
    let (own_old, own_new) = (normalize(&o.info.own_condition), normalize(&n.info.own_condition));
    if own_old != own_new {
        out.push(Reason::Condition {
            old: own_old,
            new: own_new,
        });
    }
    let old_ex: HashMap<&str, &str> = o
        .info
        .exceptions
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let new_ex: HashMap<&str, &str> = n
        .info
        .exceptions
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for (name, text) in &n.info.exceptions {
        let change = match old_ex.get(name.as_str()) {
            None => Some(Change::Added),
            Some(t) if normalize(t) != normalize(text) => Some(Change::Changed),
            Some(_) => None,
        };
        if let Some(change) = change {
            out.push(Reason::Exception {
                name: name.clone(),
                change,
            });
        }
    }
    for (name, _) in &o.info.exceptions {
        if !new_ex.contains_key(name.as_str()) {
            out.push(Reason::Exception {
                name: name.clone(),
                change: Change::Removed,
            });
        }
    }
    for (kind, name) in o.reach.union(&n.reach) {
        if let Some(&change) = changed.get(&(*kind, name.as_str())) {
            let name = name.clone();
            out.push(match kind {
                Kind::Macro => Reason::Macro { name, change },
                Kind::List => Reason::List { name, change },
            });
        }
    }
    out
}

/// Macros and lists whose definitions differ, in name order (lists first).
fn item_changes(old: &Analysis, new: &Analysis) -> Vec<ItemChange> {
    let mut out = Vec::new();
    let set = |items: &[String]| items.iter().cloned().collect::<BTreeSet<String>>();
    let old_lists: HashMap<&str, BTreeSet<String>> =
        old.lists.iter().map(|l| (l.name.as_str(), set(&l.items))).collect();
    let new_lists: HashMap<&str, BTreeSet<String>> =
        new.lists.iter().map(|l| (l.name.as_str(), set(&l.items))).collect();
    let names: BTreeSet<&str> = old_lists.keys().chain(new_lists.keys()).copied().collect();
    for name in names {
        let (a, b) = (old_lists.get(name), new_lists.get(name));
        let Some(change) = change_of(a, b) else { continue };
        let empty = BTreeSet::new();
        let (a, b) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
        out.push(ItemChange {
            kind: Kind::List,
            name: name.to_string(),
            change,
            old: None,
            new: None,
            added: b.difference(a).cloned().collect(),
            removed: a.difference(b).cloned().collect(),
            rules: Vec::new(),
        });
    }
    let old_macros: HashMap<&str, String> = old
        .macros
        .iter()
        .map(|m| (m.name.as_str(), normalize(&m.condition)))
        .collect();
    let new_macros: HashMap<&str, String> = new
        .macros
        .iter()
        .map(|m| (m.name.as_str(), normalize(&m.condition)))
        .collect();
    let names: BTreeSet<&str> = old_macros.keys().chain(new_macros.keys()).copied().collect();
    for name in names {
        let (a, b) = (old_macros.get(name), new_macros.get(name));
        let Some(change) = change_of(a, b) else { continue };
        out.push(ItemChange {
            kind: Kind::Macro,
            name: name.to_string(),
            change,
            old: a.cloned(),
            new: b.cloned(),
            added: Vec::new(),
            removed: Vec::new(),
            rules: Vec::new(),
        });
    }
    out
}

/// How a definition present in `a` (old) and/or `b` (new) changed, if it did.
fn change_of<T: PartialEq>(a: Option<&T>, b: Option<&T>) -> Option<Change> {
    match (a, b) {
        (None, Some(_)) => Some(Change::Added),
        (Some(_), None) => Some(Change::Removed),
        (Some(a), Some(b)) if a != b => Some(Change::Changed),
        _ => None,
    }
}

/// A condition as written, in libsinsp's canonical print (layout and quoting gone); its
/// text with blanks collapsed when it does not parse.
pub fn normalize(text: &str) -> String {
    let parsed = condition::parse(text);
    match parsed.expr {
        Some(e) if parsed.errors.is_empty() => condition::print::to_string(&e),
        _ => collapse(text),
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
