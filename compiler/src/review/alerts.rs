//! The alerts that appear or disappear when the same events are replayed under the old
//! and the new rules: the proof behind a diff. The caller replays (the compiler runs no
//! events); this compares what it got.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Alerts kept as examples per rule and direction; the counts are always complete.
pub const MAX_SAMPLES: usize = 20;

/// One alert of a replay: the number of the event that raised it (1 for the first
/// event), the rule and its output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raised {
    pub event: u64,
    pub rule: String,
    pub output: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct AlertsDiff {
    pub sources: Vec<SourceAlerts>,
}

impl AlertsDiff {
    /// Alerts that appeared and disappeared over every source.
    pub fn totals(&self) -> (u64, u64) {
        let rules = self.sources.iter().flat_map(|s| &s.rules);
        rules.fold((0, 0), |(a, d), r| (a + r.appeared, d + r.disappeared))
    }

    /// Fixture expectations that passed with the old rules and fail with the new.
    pub fn broken_expectations(&self) -> usize {
        let all = self.sources.iter().flat_map(|s| &s.expectations);
        all.filter(|e| e.old && !e.new).count()
    }
}

/// One capture or fixture replayed under both versions.
#[derive(Clone, Debug, Serialize)]
pub struct SourceAlerts {
    /// The capture's path, or the fixture's name and path.
    pub source: String,
    pub events: u64,
    /// Why it could not be replayed under one version (the other's alerts are then not
    /// compared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Rules whose alerts differ, by name.
    pub rules: Vec<RuleAlerts>,
    /// Fixture expectations whose verdict differs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expectations: Vec<ExpectationChange>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleAlerts {
    pub rule: String,
    /// Alerts raised under each version.
    pub old: u64,
    pub new: u64,
    /// Alerts (event, rule) only the new rules raise, and only the old.
    pub appeared: u64,
    pub disappeared: u64,
    /// The first [`MAX_SAMPLES`] of each, in event order.
    pub appeared_samples: Vec<Sample>,
    pub disappeared_samples: Vec<Sample>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Sample {
    pub event: u64,
    pub output: String,
}

/// A fixture expectation (`rule X raises 2 alerts`) and whether it held under each version.
#[derive(Clone, Debug, Serialize)]
pub struct ExpectationChange {
    pub expectation: String,
    pub old: bool,
    pub new: bool,
}

/// Compare the alerts of one source. An alert is the same in both when the same event
/// raised it for the same rule; a changed output alone is an output change of the rule,
/// which the ruleset diff already reports.
pub fn compare(source: String, events: u64, old: &[Raised], new: &[Raised]) -> SourceAlerts {
    let key = |r: &Raised| (r.rule.clone(), r.event);
    let old_keys: BTreeSet<(String, u64)> = old.iter().map(key).collect();
    let new_keys: BTreeSet<(String, u64)> = new.iter().map(key).collect();
    let mut rules: BTreeMap<&str, RuleAlerts> = BTreeMap::new();
    for (list, other, appeared) in [(new, &old_keys, true), (old, &new_keys, false)] {
        for r in list {
            let e = rules.entry(r.rule.as_str()).or_insert_with(|| RuleAlerts {
                rule: r.rule.clone(),
                old: 0,
                new: 0,
                appeared: 0,
                disappeared: 0,
                appeared_samples: Vec::new(),
                disappeared_samples: Vec::new(),
            });
            if appeared {
                e.new += 1;
            } else {
                e.old += 1;
            }
            if other.contains(&(r.rule.clone(), r.event)) {
                continue;
            }
            let (count, samples) = if appeared {
                (&mut e.appeared, &mut e.appeared_samples)
            } else {
                (&mut e.disappeared, &mut e.disappeared_samples)
            };
            *count += 1;
            if samples.len() < MAX_SAMPLES {
                samples.push(Sample {
                    event: r.event,
                    output: r.output.clone(),
                });
            }
        }
    }
    SourceAlerts {
        source,
        events,
        error: None,
        rules: rules
            .into_values()
            .filter(|r| r.appeared > 0 || r.disappeared > 0)
            .collect(),
        expectations: Vec::new(),
    }
}
