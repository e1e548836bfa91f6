//! `evt.type = open and evt.type = openat`: no event type is left.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::ast::{Expr, Operand};

pub const META: Meta = Meta {
    name: "never-matches",
    category: Category::Correctness,
    default: Level::Warn,
    summary: "A syscall rule's `evt.type` checks leave no event type: it can never fire",
    what: "Reports a syscall rule whose event-type set, computed as Falco computes it from the `evt.type` checks of the fully expanded condition (macros included), is empty.",
    why: "An event has one type, so `evt.type = a and evt.type = b` is always false. Falco loads such a rule silently and it never alerts; usually `and` was written where `or` or `in` was meant, often across a macro.",
    bad: "- rule: Open of a file\n  desc: open or openat\n  condition: evt.type = open and evt.type = openat and fd.name = /etc/shadow\n  output: Open (file=%fd.name)\n  priority: NOTICE\n",
    good: "- rule: Open of a file\n  desc: open or openat\n  condition: evt.type in (open, openat) and fd.name = /etc/shadow\n  output: Open (file=%fd.name)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for (def, info) in cx.rule_pairs() {
        let (Some(set), Some(expr)) = (&info.evttypes, &info.expr) else {
            continue;
        };
        // `evt.num = 0` is how a rule is disabled on purpose.
        if !set.is_empty() || mentions(expr, "evt.num") {
            continue;
        }
        let d = out
            .diag(
                def.cond_span,
                "This rule can never match: its evt.type checks exclude every event",
            )
            .in_item("rule", &info.name)
            .help("an event has one type: `evt.type = a and evt.type = b` is always false; use `evt.type in (a, b)`");
        out.emit(d);
    }
}

fn mentions(e: &Expr, name: &str) -> bool {
    let mut found = false;
    super::each_check(e, &mut |c| {
        if let Operand::Field(f) = &c.lhs {
            found |= f.name == name;
        }
    });
    found
}
