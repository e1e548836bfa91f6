//! A rule without a MITRE ATT&CK tag.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "rule-without-mitre-tag",
    category: Category::Style,
    default: Level::Allow,
    summary: "A rule has no MITRE ATT&CK tag",
    what: "Reports enabled rules that have no tag starting with `mitre_` and no technique id tag (`T1059`, `T1059.004`).",
    why: "Teams map detections to ATT&CK to see coverage and to route alerts; Falco's own rules carry both a tactic (`mitre_execution`) and a technique (`T1059`). Off by default: it is a convention, not a defect.",
    bad: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n  tags: [shell]\n",
    good: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n  tags: [shell, mitre_execution, T1059.004]\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for (def, info) in cx.rule_pairs() {
        if !info.enabled || info.tags.iter().any(|t| is_mitre(t)) {
            continue;
        }
        let d = out
            .diag(def.name.file_span(), "this rule has no MITRE ATT&CK tag")
            .in_item("rule", &info.name)
            .help("add a tactic and a technique, e.g. `tags: [mitre_execution, T1059]`");
        out.emit(d);
    }
}

pub(crate) fn is_mitre(tag: &str) -> bool {
    let technique = tag
        .strip_prefix('T')
        .is_some_and(|rest| rest.len() >= 4 && rest.bytes().take(4).all(|b| b.is_ascii_digit()));
    tag.starts_with("mitre_") || technique
}
