//! `proc.name = val(proc.name)`: always true (or always false).

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::ast::{FieldRef, Operand, Rhs, TArg, TransformerKind};

pub const META: Meta = Meta {
    name: "field-compared-to-itself",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "A field is compared with itself",
    what: "Reports field-to-field comparisons whose two sides are the same field with the same argument, such as `proc.name = val(proc.name)`.",
    why: "The result does not depend on the event (always true for `=`, always false for `!=`), so the comparison is dead weight at best; it is almost always a typo for another field (`proc.pname`).",
    bad: "- rule: Process renamed itself\n  desc: A process whose name differs from its parent's\n  condition: evt.type = execve and proc.name != val(proc.name)\n  output: Renamed (proc=%proc.name parent=%proc.pname)\n  priority: NOTICE\n",
    good: "- rule: Process renamed itself\n  desc: A process whose name differs from its parent's\n  condition: evt.type = execve and proc.name != val(proc.pname)\n  output: Renamed (proc=%proc.name parent=%proc.pname)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        super::each_check(cond, &mut |c| {
            let (Operand::Field(l), Rhs::Operand(o)) = (&c.lhs, &c.rhs) else {
                return;
            };
            let Some(r) = compared_field(o) else { return };
            if super::field_key(l) != super::field_key(r) {
                return;
            }
            let d = out
                .diag(
                    w.at(r.span),
                    format!(
                        "'{}' is compared with itself; the result never depends on the event",
                        super::field_key(l)
                    ),
                )
                .primary_label("same field as the left side")
                .label(w.at(l.span), "left side")
                .in_item(w.kind.key(), w.name);
            out.emit(d);
        });
    }
}

/// The field on the right of a field-to-field comparison: `val(f)` or a bare field.
fn compared_field(o: &Operand) -> Option<&FieldRef> {
    match o {
        Operand::Field(f) => Some(f),
        Operand::Transform(t) if t.kind == TransformerKind::Val => match t.args.as_slice() {
            [TArg::Field(f)] => Some(f),
            _ => None,
        },
        Operand::Transform(_) => None,
    }
}
