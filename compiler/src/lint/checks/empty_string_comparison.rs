//! `proc.cmdline contains ""`: always true.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::ast::Op;

pub const META: Meta = Meta {
    name: "empty-string-comparison",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "`contains`, `startswith` or `endswith` an empty string is always true",
    what: "Reports `contains`, `icontains`, `startswith` and `endswith` comparisons (also in `oneof`/`anyof` lists) with an empty string.",
    why: "Every string contains, starts and ends with the empty string, so the comparison is true for every event where the field is set. It is usually a value lost to quoting or to an empty list item.",
    bad: "- rule: Curl with URL\n  desc: curl was run with a URL\n  condition: evt.type = execve and proc.name = curl and proc.cmdline contains \"\"\n  output: curl (cmdline=%proc.cmdline)\n  priority: NOTICE\n",
    good: "- rule: Curl with URL\n  desc: curl was run with a URL\n  condition: evt.type = execve and proc.name = curl and proc.cmdline contains \"http\"\n  output: curl (cmdline=%proc.cmdline)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        super::each_check(cond, &mut |c| {
            if !matches!(c.op, Op::Contains | Op::IContains | Op::StartsWith | Op::EndsWith) {
                return;
            }
            for v in super::rhs_values(&c.rhs) {
                if !v.text.is_empty() {
                    continue;
                }
                let d = out
                    .diag(
                        w.at(c.span),
                        format!("'{}' an empty string is always true", c.op.text()),
                    )
                    .primary_label("always true")
                    .in_item(w.kind.key(), w.name);
                out.emit(d);
            }
        });
    }
}
