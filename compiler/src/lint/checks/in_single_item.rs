//! `proc.name in (bash)`: an `in` with one value.

use crate::diag::{Applicability, Fix};
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::catalog::{self, flags};
use crate::syntax::condition::ast::{Op, Rhs};

pub const META: Meta = Meta {
    name: "in-single-item",
    category: Category::Style,
    default: Level::Allow,
    summary: "`in` with a single value reads better as `=`",
    what: "Reports `in (x)` with exactly one literal value (not a list name) on a single-valued field.",
    why: "`=` says the same thing more directly, and a reader of `in (x)` wonders whether values were lost.",
    bad: "- rule: Shell started\n  desc: bash was started\n  condition: evt.type = execve and proc.name in (bash)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- rule: Shell started\n  desc: bash was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: Some(Applicability::Safe),
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        super::each_check(cond, &mut |c| {
            let (Op::In, Rhs::List(vs, list_span)) = (c.op, &c.rhs) else {
                return;
            };
            let [v] = vs.as_slice() else { return };
            if v.quote.is_none() && cx.is_list(&v.text) {
                return;
            }
            let Some(f) = super::lhs_field(c) else { return };
            let single = catalog::lookup(&f.name).is_some_and(|(d, _)| !d.has(flags::LIST) && !d.ty.is_ip())
                && !(f.name == "proc.aname" && f.arg.is_none());
            if !single {
                return;
            }
            let value = cx.text(w.at(v.span));
            let whole = w.at(crate::span::Span::new(c.op_span.start, list_span.end));
            let mut d = out
                .diag(w.at(c.op_span), "`in` with one value: use `=`")
                .primary_label("one value")
                .in_item(w.kind.key(), w.name);
            // Only when the value is written plainly, so `= value` parses to the same value.
            let plain =
                value == v.text && v.quote.is_none() && !value.contains(|ch: char| ch.is_whitespace() || ch == ')');
            if plain && cx.text(w.at(*list_span)).starts_with('(') {
                d = d.with_fix(Fix::replace(
                    format!("use `= {value}`"),
                    whole,
                    &format!("= {value}"),
                    Applicability::Safe,
                ));
            }
            out.emit(d);
        });
    }
}
