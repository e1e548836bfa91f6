//! `fd.name glob /etc/shadow`: a glob with nothing to expand.

use crate::diag::{Applicability, Fix};
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::ast::{Op, Rhs};

pub const META: Meta = Meta {
    name: "glob-without-wildcard",
    category: Category::Performance,
    default: Level::Warn,
    summary: "A `glob` pattern has no wildcard: `=` does the same, faster",
    what: "Reports `glob` comparisons whose pattern contains none of `*`, `?`, `[` or `\\`.",
    why: "Such a pattern matches exactly one string, so the comparison is an equality that pays for pattern matching on every event, and it hides whether a wildcard was forgotten.",
    bad: "- rule: Shadow read\n  desc: /etc/shadow was opened\n  condition: evt.type = openat and fd.name glob /etc/shadow\n  output: Shadow read (file=%fd.name)\n  priority: WARNING\n",
    good: "- rule: Shadow read\n  desc: /etc/shadow was opened\n  condition: evt.type = openat and fd.name = /etc/shadow\n  output: Shadow read (file=%fd.name)\n  priority: WARNING\n",
    fix: Some(Applicability::Safe),
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        super::each_check(cond, &mut |c| {
            let Rhs::Value(v) = &c.rhs else { return };
            if c.op != Op::Glob || v.text.contains(['*', '?', '[', '\\']) || cx.is_list(&v.text) {
                return;
            }
            let op = w.at(c.op_span);
            let d = out
                .diag(op, format!("'{}' has no wildcard: this glob is an equality", v.text))
                .primary_label("use `=`")
                .in_item(w.kind.key(), w.name)
                .with_fix(Fix::replace("use `=`", op, "=", Applicability::Safe));
            out.emit(d);
        });
    }
}
