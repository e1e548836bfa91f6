//! `fd.name startswith /tmp/*`: `*` is a literal outside `glob`.

use crate::hash::FastSet as HashSet;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::ast::Op;

pub const META: Meta = Meta {
    name: "wildcard-in-plain-operator",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "A path pattern with `*` is compared with an operator that takes it literally",
    what: "Reports values containing `*` next to a `/` (or at the end of a path) compared with `=`, `!=`, `in`, `startswith`, `endswith`, `contains` or `pmatch` (the value must look like an absolute path).",
    why: "Only `glob` treats `*` as a wildcard; every other operator compares it as a character. `fd.name startswith /home/*/.ssh` matches only a directory literally named `*`, so the rule never fires.",
    bad: "- rule: SSH key read\n  desc: A private SSH key was read\n  condition: evt.type = openat and fd.name startswith /home/*/.ssh/\n  output: SSH key read (file=%fd.name)\n  priority: WARNING\n",
    good: "- rule: SSH key read\n  desc: A private SSH key was read\n  condition: evt.type = openat and fd.name glob /home/*/.ssh/*\n  output: SSH key read (file=%fd.name)\n  priority: WARNING\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    let mut seen = HashSet::default();
    super::each_rule_check(cx, &mut |info, c| {
        let literal = matches!(
            c.op,
            Op::Eq | Op::EqEq | Op::Ne | Op::In | Op::StartsWith | Op::EndsWith | Op::Contains | Op::PMatch
        );
        if !literal {
            return;
        }
        for v in super::rhs_values(&c.rhs) {
            if !looks_like_path_pattern(&v.text) || !seen.insert(v.span) {
                continue;
            }
            let d = out
                .diag(
                    cx.file_span(v.span),
                    format!("'*' in '{}' is compared literally by '{}'", v.text, c.op.text()),
                )
                .primary_label("not a wildcard here")
                .in_item("rule", &info.name)
                .help("use `glob` for wildcard patterns");
            out.emit(d);
        }
    });
}

fn looks_like_path_pattern(v: &str) -> bool {
    v.starts_with('/') && (v.contains("/*") || v.contains("*/"))
}
