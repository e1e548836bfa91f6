//! A rule with no tags at all.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "rule-without-tags",
    category: Category::Style,
    default: Level::Allow,
    summary: "A rule has no tags",
    what: "Reports rules defined without `tags` (after every append).",
    why: "Tags are how operators enable and disable groups of rules (`-T`, `rules: - disable: {tag: ...}`) and how alerts are routed; an untagged rule can only be selected by name.",
    bad: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n  tags: [host, shell, mitre_execution]\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for (def, info) in cx.rule_pairs() {
        if !info.tags.is_empty() {
            continue;
        }
        let d = out
            .diag(def.name.file_span(), "this rule has no tags")
            .in_item("rule", &info.name)
            .help("add `tags: [...]` naming the area and the technique");
        out.emit(d);
    }
}
