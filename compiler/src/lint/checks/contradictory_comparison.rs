//! `proc.name = bash and proc.name = zsh`: one field required to hold two values at once.

use crate::hash::{FastMap as HashMap, FastSet as HashSet};
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::catalog::{self, ArgKind, flags};
use crate::syntax::condition::ast::{Check, Expr, Op, Rhs};
use std::collections::BTreeSet;

pub const META: Meta = Meta {
    name: "contradictory-comparison",
    category: Category::Correctness,
    default: Level::Warn,
    summary: "`and` requires one field to equal values that exclude each other",
    what: "Reports an `and` of comparisons that pin the same single-valued string field to different values (`=` a and `=` b, `=` a and `in` a set without a, or two `in` sets with nothing in common).",
    why: "A field has one value per event, so the conjunction is always false and the rule or macro never matches. It is almost always an `or` (or an `in`) written as `and`.",
    bad: "- rule: Shell started\n  desc: bash or zsh started\n  condition: evt.type = execve and proc.name = bash and proc.name = zsh\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- rule: Shell started\n  desc: bash or zsh started\n  condition: evt.type = execve and proc.name in (bash, zsh)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        cond.walk(&mut |e| {
            if !matches!(e, Expr::And(..)) {
                return;
            }
            // field -> (values allowed so far, the check that narrowed it last)
            let mut allowed: HashMap<String, (BTreeSet<&str>, &Check)> = HashMap::default();
            let mut reported = HashSet::default();
            for x in super::conjuncts(e) {
                let Expr::Check(c) = x else { continue };
                let Some((key, values)) = pinned(cx, c) else { continue };
                if reported.contains(&key) {
                    continue;
                }
                match allowed.get_mut(&key) {
                    None => {
                        allowed.insert(key, (values, c));
                    }
                    Some((prev, first)) => {
                        let both: BTreeSet<&str> = prev.intersection(&values).copied().collect();
                        if both.is_empty() {
                            let d = out
                                .diag(
                                    w.at(c.span),
                                    format!("'{key}' cannot satisfy both comparisons: this condition is always false"),
                                )
                                .primary_label("excludes every value the earlier comparison allows")
                                .label(w.at(first.span), "earlier comparison of the same field")
                                .in_item(w.kind.key(), w.name)
                                .help("an event has one value per field; use `or`, or one `in (...)` with every value");
                            out.emit(d);
                            // One finding per field and group.
                            reported.insert(key);
                            continue;
                        }
                        *prev = both;
                        *first = c;
                    }
                }
            }
        });
    }
}

/// The field a check pins to a finite set of values, when it is a single-valued string
/// field compared with `=`/`==`/`in` against literals that are not list names.
fn pinned<'c>(cx: &Context, c: &'c Check) -> Option<(String, BTreeSet<&'c str>)> {
    let f = super::lhs_field(c)?;
    if f.name == "evt.type" {
        return None; // `never-matches` reports impossible event types, across macros too
    }
    let values = match (&c.op, &c.rhs) {
        (Op::Eq | Op::EqEq, Rhs::Value(v)) => vec![v],
        (Op::In, Rhs::List(vs, _)) => vs.iter().collect(),
        _ => return None,
    };
    let (def, suffix) = catalog::lookup(&f.name)?;
    let single = def.ty.is_string()
        && !def.has(flags::LIST)
        && !(def.arg == ArgKind::Ancestor && f.arg.is_none())
        && (suffix.is_empty() || def.arg.takes_dotted_suffix());
    if !single {
        return None;
    }
    if values.iter().any(|v| v.quote.is_none() && cx.is_list(&v.text)) {
        return None; // the list's items are substituted later
    }
    Some((super::field_key(f), values.iter().map(|v| v.text.as_str()).collect()))
}
