//! `falcorc diff` output: human text (optionally coloured), Markdown for a pull-request
//! comment, and JSON.

use super::alerts::{AlertsDiff, SourceAlerts};
use super::diff::{Aspect, Change, ItemChange, Reason, RuleChange, RulesetDiff};
use super::refs::Kind;
use serde::Serialize;
use std::fmt::Write;

/// Everything one `falcorc diff` found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// How the two versions were named on the command line (`rules/`, `main:rules/`).
    pub old: String,
    pub new: String,
    pub diff: RulesetDiff,
    /// Present when captures or fixtures were replayed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<AlertsDiff>,
}

impl Report {
    /// `2 changed, 1 added` (or `no rule changed`).
    pub fn summary(&self) -> String {
        let d = &self.diff;
        let parts: Vec<String> = [Change::Changed, Change::Added, Change::Removed, Change::Renamed]
            .into_iter()
            .filter_map(|c| {
                let n = d.count(c);
                (n > 0).then(|| format!("{n} {}", c.name()))
            })
            .collect();
        if parts.is_empty() {
            "no rule changed".to_string()
        } else {
            parts.join(", ")
        }
    }
}

pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default()
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn add(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn del(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// Plain text for a terminal or a log.
pub fn human(r: &Report, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let d = &r.diff;
    let _ = writeln!(
        out,
        "{} ({}) -> {} ({}): {}",
        r.old,
        plural(d.old_rules, "rule"),
        r.new,
        plural(d.new_rules, "rule"),
        r.summary()
    );
    for c in &d.rules {
        out.push('\n');
        human_rule(&mut out, c, d, &p);
    }
    let items: Vec<&ItemChange> = d.items.iter().collect();
    if !items.is_empty() {
        out.push('\n');
    }
    for i in items {
        human_item(&mut out, i, &p);
    }
    if let Some(a) = &r.alerts {
        human_alerts(&mut out, a, &p);
    }
    out
}

fn describe(c: &RuleChange) -> String {
    let types = if c.event_types.is_empty() {
        String::new()
    } else {
        format!("; {}", c.event_types.join(", "))
    };
    format!("({}{types})", c.priority)
}

fn human_rule(out: &mut String, c: &RuleChange, d: &RulesetDiff, p: &Paint) {
    let label = match c.change {
        Change::Added => p.add("added  "),
        Change::Removed => p.del("removed"),
        Change::Renamed => "renamed".to_string(),
        Change::Changed => "changed".to_string(),
    };
    let name = match &c.renamed_from {
        Some(from) => format!("{} -> {}", p.bold(from), p.bold(&c.rule)),
        None => p.bold(&c.rule),
    };
    let _ = writeln!(out, "{label} {name} {}", describe(c));
    for a in &c.aspects {
        match a {
            Aspect::Condition { old, new } => {
                let _ = writeln!(out, "  condition changed");
                if c.reasons.is_empty() {
                    // Nothing written explains it: show the effective conditions.
                    let _ = writeln!(out, "    {}", p.del(&format!("- {old}")));
                    let _ = writeln!(out, "    {}", p.add(&format!("+ {new}")));
                }
            }
            Aspect::EventTypes { added, removed } => {
                let _ = writeln!(out, "  event types: {}", plus_minus(added, removed, p));
            }
            Aspect::Tags { added, removed } => {
                let _ = writeln!(out, "  tags: {}", plus_minus(added, removed, p));
            }
            Aspect::Enabled { old, new } => {
                let _ = writeln!(out, "  enabled: {old} -> {new}");
            }
            Aspect::Priority { old, new } | Aspect::Source { old, new } => {
                let _ = writeln!(out, "  {}: {old} -> {new}", a.name());
            }
            Aspect::Output { old, new } | Aspect::Desc { old, new } => {
                let _ = writeln!(out, "  {}:", a.name());
                let _ = writeln!(out, "    {}", p.del(&format!("- {}", one_line(old))));
                let _ = writeln!(out, "    {}", p.add(&format!("+ {}", one_line(new))));
            }
        }
    }
    for why in &c.reasons {
        match why {
            Reason::Condition { old, new } => {
                let _ = writeln!(out, "  because its condition changed:");
                let _ = writeln!(out, "    {}", p.del(&format!("- {old}")));
                let _ = writeln!(out, "    {}", p.add(&format!("+ {new}")));
            }
            Reason::Exception { name, change } => {
                let _ = writeln!(out, "  because exception {name} {}", verb(*change));
            }
            Reason::Macro { name, change } => {
                let _ = writeln!(out, "  because macro {name} {}", verb(*change));
            }
            Reason::List { name, change } => {
                let items = list_items(d, name)
                    .map(|i| match i.added.len() + i.removed.len() {
                        n if n > INLINE_ITEMS => format!(" (+{} -{} items)", i.added.len(), i.removed.len()),
                        _ => format!(" ({})", plus_minus(&i.added, &i.removed, p)),
                    })
                    .unwrap_or_default();
                let _ = writeln!(out, "  because list {name} {}{items}", verb(*change));
            }
        }
    }
}

/// List items named beside each rule a list change reaches; more are counted (the list's
/// own entry names them all).
const INLINE_ITEMS: usize = 6;

/// `changed`, `was added`, `was removed`.
fn verb(c: Change) -> &'static str {
    match c {
        Change::Changed => "changed",
        Change::Added => "was added",
        Change::Removed => "was removed",
        Change::Renamed => "was renamed",
    }
}

/// The change of list `name`, when it has items to show.
fn list_items<'d>(d: &'d RulesetDiff, name: &str) -> Option<&'d ItemChange> {
    d.items
        .iter()
        .find(|i| i.kind == Kind::List && i.name == name && (!i.added.is_empty() || !i.removed.is_empty()))
}

fn plus_minus(added: &[String], removed: &[String], p: &Paint) -> String {
    let mut parts: Vec<String> = added.iter().map(|s| p.add(&format!("+{s}"))).collect();
    parts.extend(removed.iter().map(|s| p.del(&format!("-{s}"))));
    parts.join(" ")
}

fn one_line(s: &str) -> String {
    s.replace('\n', "\\n")
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::List => "list",
        Kind::Macro => "macro",
    }
}

fn rules_text(rules: &[String]) -> String {
    match rules.len() {
        0 => "no rule's condition changed".to_string(),
        1 => "changes 1 rule".to_string(),
        n => format!("changes {n} rules"),
    }
}

fn human_item(out: &mut String, i: &ItemChange, p: &Paint) {
    let _ = writeln!(
        out,
        "{} {} {} ({})",
        kind_name(i.kind),
        p.bold(&i.name),
        verb(i.change),
        rules_text(&i.rules)
    );
    if let Some(old) = &i.old {
        let _ = writeln!(out, "    {}", p.del(&format!("- {old}")));
    }
    if let Some(new) = &i.new {
        let _ = writeln!(out, "    {}", p.add(&format!("+ {new}")));
    }
    if !i.added.is_empty() || !i.removed.is_empty() {
        let _ = writeln!(out, "    {}", plus_minus(&i.added, &i.removed, p));
    }
}

fn human_alerts(out: &mut String, a: &AlertsDiff, p: &Paint) {
    let (appeared, disappeared) = a.totals();
    let _ = writeln!(
        out,
        "\nalerts: {appeared} appeared, {disappeared} disappeared over {} replayed",
        plural(a.sources.len(), "source")
    );
    for s in &a.sources {
        human_source(out, s, p);
    }
}

fn human_source(out: &mut String, s: &SourceAlerts, p: &Paint) {
    if let Some(e) = &s.error {
        let _ = writeln!(out, "  {}: {}", s.source, p.del(&format!("not compared: {e}")));
        return;
    }
    if s.rules.is_empty() && s.expectations.is_empty() {
        let _ = writeln!(
            out,
            "  {} ({}): same alerts",
            s.source,
            plural(s.events as usize, "event")
        );
        return;
    }
    let _ = writeln!(out, "  {} ({}):", s.source, plural(s.events as usize, "event"));
    for r in &s.rules {
        let _ = writeln!(
            out,
            "    {}: {} -> {} alerts ({} appeared, {} disappeared)",
            p.bold(&r.rule),
            r.old,
            r.new,
            r.appeared,
            r.disappeared
        );
        for x in &r.appeared_samples {
            let _ = writeln!(
                out,
                "      {}",
                p.add(&format!("+ event {}: {}", x.event, one_line(&x.output)))
            );
        }
        for x in &r.disappeared_samples {
            let _ = writeln!(
                out,
                "      {}",
                p.del(&format!("- event {}: {}", x.event, one_line(&x.output)))
            );
        }
        let hidden = (r.appeared + r.disappeared) as usize - r.appeared_samples.len() - r.disappeared_samples.len();
        if hidden > 0 {
            let _ = writeln!(out, "      ({hidden} more)");
        }
    }
    for e in &s.expectations {
        let verdict = |ok: bool| if ok { "passes" } else { "fails" };
        let _ = writeln!(
            out,
            "    expectation {}: {} -> {}",
            e.expectation,
            verdict(e.old),
            if e.new {
                p.add(verdict(true))
            } else {
                p.del(verdict(false))
            }
        );
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Markdown for a pull-request comment: a summary table, details folded.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let d = &r.diff;
    let _ = writeln!(out, "### Rules diff: {}\n", r.summary());
    let _ = writeln!(
        out,
        "`{}` ({}) → `{}` ({})\n",
        code(&r.old),
        plural(d.old_rules, "rule"),
        code(&r.new),
        plural(d.new_rules, "rule")
    );
    if !d.rules.is_empty() {
        out.push_str("| | Rule | What changed | Why |\n|---|---|---|---|\n");
        for c in &d.rules {
            let name = match &c.renamed_from {
                Some(from) => format!("`{}` → `{}`", code(from), code(&c.rule)),
                None => format!("`{}`", code(&c.rule)),
            };
            let what = if c.aspects.is_empty() {
                cell(&describe(c))
            } else {
                c.aspects.iter().map(md_aspect).collect::<Vec<_>>().join("<br>")
            };
            let why = c
                .reasons
                .iter()
                .map(|w| md_reason(w, d))
                .collect::<Vec<_>>()
                .join("<br>");
            let _ = writeln!(out, "| {} | {name} | {what} | {why} |", c.change.name());
        }
        out.push('\n');
    }
    if !d.items.is_empty() {
        out.push_str("<details><summary>Macros and lists</summary>\n\n");
        for i in &d.items {
            let _ = writeln!(
                out,
                "- {} `{}` {} ({})",
                kind_name(i.kind),
                code(&i.name),
                verb(i.change),
                rules_text(&i.rules)
            );
            let mut lines = Vec::new();
            if let Some(o) = &i.old {
                lines.push(format!("- {o}"));
            }
            if let Some(n) = &i.new {
                lines.push(format!("+ {n}"));
            }
            lines.extend(i.added.iter().map(|s| format!("+ {s}")));
            lines.extend(i.removed.iter().map(|s| format!("- {s}")));
            if !lines.is_empty() {
                let _ = writeln!(out, "  ```diff\n{}\n  ```", indent(&lines.join("\n"), "  "));
            }
        }
        out.push_str("\n</details>\n\n");
    }
    let own: Vec<(&RuleChange, &str, &str)> = d
        .rules
        .iter()
        .flat_map(|c| {
            c.reasons.iter().filter_map(move |w| match w {
                Reason::Condition { old, new } => Some((c, old.as_str(), new.as_str())),
                _ => None,
            })
        })
        .collect();
    if !own.is_empty() {
        out.push_str("<details><summary>Conditions</summary>\n\n");
        for (c, old, new) in own {
            let _ = writeln!(out, "`{}`\n```diff\n- {old}\n+ {new}\n```", code(&c.rule));
        }
        out.push_str("\n</details>\n\n");
    }
    if let Some(a) = &r.alerts {
        let (appeared, disappeared) = a.totals();
        let _ = writeln!(
            out,
            "#### Alerts: {appeared} appeared, {disappeared} disappeared over {} replayed\n",
            plural(a.sources.len(), "source")
        );
        let rows: Vec<String> = a
            .sources
            .iter()
            .flat_map(|s| {
                let src = code(&s.source);
                let mut rows: Vec<String> = s
                    .rules
                    .iter()
                    .map(|r| {
                        format!(
                            "| `{src}` | `{}` | {} | {} | +{} −{} |",
                            code(&r.rule),
                            r.old,
                            r.new,
                            r.appeared,
                            r.disappeared
                        )
                    })
                    .collect();
                if let Some(e) = &s.error {
                    rows.push(format!("| `{src}` | | | | not compared: {} |", cell(e)));
                }
                rows.extend(s.expectations.iter().map(|e| {
                    let v = |ok: bool| if ok { "passes" } else { "**fails**" };
                    format!(
                        "| `{src}` | {} | {} | {} | expectation |",
                        cell(&e.expectation),
                        v(e.old),
                        v(e.new)
                    )
                }));
                rows
            })
            .collect();
        if !rows.is_empty() {
            out.push_str("| Source | Rule | Old | New | Difference |\n|---|---|---|---|---|\n");
            for row in rows {
                let _ = writeln!(out, "{row}");
            }
        }
    }
    out
}

fn md_aspect(a: &Aspect) -> String {
    match a {
        Aspect::EventTypes { added, removed } | Aspect::Tags { added, removed } => {
            let mut parts: Vec<String> = added.iter().map(|s| format!("+{s}")).collect();
            parts.extend(removed.iter().map(|s| format!("−{s}")));
            format!("{} ({})", a.name(), cell(&parts.join(" ")))
        }
        Aspect::Priority { old, new } => format!("priority ({old} → {new})"),
        Aspect::Enabled { old, new } => format!("enabled ({old} → {new})"),
        _ => a.name().to_string(),
    }
}

fn md_reason(w: &Reason, d: &RulesetDiff) -> String {
    match w {
        Reason::Condition { .. } => "its condition".to_string(),
        Reason::Exception { name, change } => format!("exception `{}` {}", code(name), verb(*change)),
        Reason::Macro { name, change } => format!("macro `{}` {}", code(name), verb(*change)),
        Reason::List { name, change } => {
            let items = list_items(d, name)
                .map(|i| {
                    if i.added.len() + i.removed.len() > INLINE_ITEMS {
                        return format!(" (+{} −{} items)", i.added.len(), i.removed.len());
                    }
                    let mut parts: Vec<String> = i.added.iter().map(|s| format!("`+{}`", code(s))).collect();
                    parts.extend(i.removed.iter().map(|s| format!("`−{}`", code(s))));
                    format!(" ({})", parts.join(" "))
                })
                .unwrap_or_default();
            format!("list `{}` {}{items}", code(name), verb(*change))
        }
    }
}

/// Text inside a table cell: pipes and line breaks would end it.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Text inside backticks in a table cell.
fn code(s: &str) -> String {
    cell(&s.replace('`', "'"))
}

fn indent(s: &str, by: &str) -> String {
    s.lines().map(|l| format!("{by}{l}")).collect::<Vec<_>>().join("\n")
}
