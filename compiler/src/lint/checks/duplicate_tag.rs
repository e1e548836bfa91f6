//! `tags: [shell, shell]`.

use crate::diag::Applicability;
use crate::hash::FastMap as HashMap;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "duplicate-tag",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "A rule lists the same tag twice",
    what: "Reports a tag that repeats an earlier tag of the same `tags` sequence.",
    why: "Tags are a set, so the repetition changes nothing; usually another tag (a MITRE technique) was meant.",
    bad: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n  tags: [shell, mitre_execution, shell]\n",
    good: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n  tags: [shell, mitre_execution, T1059.004]\n",
    fix: Some(Applicability::Safe),
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(tags) = w.get("tags").and_then(|t| t.as_seq()) else {
            continue;
        };
        let mut seen = HashMap::default();
        for (i, t) in tags.iter().enumerate() {
            let Some(s) = t.as_scalar() else { continue };
            let span = w.at(t.span);
            let Some(&first) = seen.get(s.value.as_str()) else {
                seen.insert(s.value.as_str(), span);
                continue;
            };
            let mut d = out
                .diag(span, format!("tag '{}' is already listed", s.value))
                .primary_label("repeated")
                .label(first, "first occurrence")
                .in_item(w.kind.key(), w.name);
            if let Some(fix) = super::delete_entry(cx, w.at(tags[i - 1].span), span, "remove the repeated tag") {
                d = d.with_fix(fix);
            }
            out.emit(d);
        }
    }
}
