//! A measured profile (`falcorc profile --format json`, named by `profile` in
//! `falcorc.toml`), so hovering a rule shows what it cost on the recorded events.

use std::collections::HashMap;

#[derive(Debug, Default, PartialEq)]
pub struct Profile {
    /// The file, as `falcorc.toml` names it.
    pub name: String,
    pub engine: String,
    pub events: u64,
    /// Rule time over every rule, ns.
    pub total_ns: u64,
    rules: HashMap<String, RuleProfile>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleProfile {
    pub evaluations: u64,
    pub matches: u64,
    pub total_ns: u64,
    pub ns_per_eval: f64,
    /// (event type, total ns), costliest first.
    pub by_event_type: Vec<(String, u64)>,
}

/// Reads `falcorc profile --format json` output; `name` is for messages and the hover.
pub fn parse(text: &str, name: &str) -> Result<Profile, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("{name}: not a `falcorc profile --format json` output: {e}"))?;
    let rows = v["rules"]
        .as_array()
        .ok_or_else(|| format!("{name}: no 'rules' list (write it with `falcorc profile --format json`)"))?;
    let u = |x: &serde_json::Value, k: &str| x[k].as_u64().unwrap_or(0);
    let mut rules = HashMap::new();
    for r in rows {
        let Some(rule) = r["rule"].as_str() else { continue };
        let mut by: Vec<(String, u64)> = r["by_event_type"]
            .as_object()
            .map(|m| m.iter().map(|(k, e)| (k.clone(), u(e, "total_ns"))).collect())
            .unwrap_or_default();
        by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rules.insert(
            rule.to_string(),
            RuleProfile {
                evaluations: u(r, "evaluations"),
                matches: u(r, "matches"),
                total_ns: u(r, "total_ns"),
                ns_per_eval: r["ns_per_eval"].as_f64().unwrap_or(0.0),
                by_event_type: by,
            },
        );
    }
    Ok(Profile {
        name: name.to_string(),
        engine: v["engine"].as_str().unwrap_or("?").to_string(),
        events: u(&v, "events"),
        total_ns: rules.values().map(|r| r.total_ns).sum(),
        rules,
    })
}

impl Profile {
    /// The hover section for rule `name`: its measured cost, or that it did not run.
    pub fn hover(&self, name: &str) -> String {
        let Some(r) = self.rules.get(name) else {
            return format!(
                "measured ({}, {} events): did not run on the recorded events",
                self.name, self.events
            );
        };
        let share = 100.0 * r.total_ns as f64 / self.total_ns.max(1) as f64;
        let types: Vec<String> = r
            .by_event_type
            .iter()
            .take(4)
            .map(|(t, ns)| format!("{t} {:.0} %", 100.0 * *ns as f64 / r.total_ns.max(1) as f64))
            .collect();
        let mut s = format!(
            "measured ({}, {} engine, {} events): {:.1} ns per evaluation, {} evaluations, {:.3} ms in all ({share:.1} % of all rule time), {} matches",
            self.name,
            self.engine,
            self.events,
            r.ns_per_eval,
            r.evaluations,
            r.total_ns as f64 / 1e6,
            r.matches
        );
        if !types.is_empty() {
            s.push_str(&format!("; by event type: {}", types.join(", ")));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"engine": "jit", "events": 1000, "rules": [
        {"rule": "a", "evaluations": 100, "matches": 2, "total_ns": 3000, "ns_per_eval": 30.0,
         "by_event_type": {"open": {"evaluations": 50, "total_ns": 1000}, "openat": {"evaluations": 50, "total_ns": 2000}}},
        {"rule": "b", "evaluations": 10, "matches": 0, "total_ns": 1000, "ns_per_eval": 100.0, "by_event_type": {}}
    ]}"#;

    #[test]
    fn a_rule_shows_its_cost_share_and_event_types() {
        let p = parse(JSON, "profile.json").unwrap();
        assert_eq!(
            p.hover("a"),
            "measured (profile.json, jit engine, 1000 events): 30.0 ns per evaluation, 100 evaluations, \
             0.003 ms in all (75.0 % of all rule time), 2 matches; by event type: openat 67 %, open 33 %"
        );
        assert!(p.hover("missing").contains("did not run on the recorded events"));
    }

    #[test]
    fn what_is_not_a_profile_says_so() {
        assert!(parse("{}", "p.json").unwrap_err().contains("no 'rules' list"));
        assert!(
            parse("[", "p.json")
                .unwrap_err()
                .starts_with("p.json: not a `falcorc profile")
        );
    }
}
