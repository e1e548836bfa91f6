//! Specialisation of a condition for one event code. Back ends dispatch on the event
//! code before evaluating, so inside a bucket `evt.type` and `evt.dir` are constants:
//! comparisons on them fold to true or false, and the boolean structure around them
//! collapses (`open_read`-style macros test `evt.type in (open, openat, openat2)` in
//! every rule that uses them). A rule whose condition folds to false leaves the bucket.
//!
//! Folding evaluates the comparison with the interpreter itself, so the folded
//! condition is equal to the original on every event with that code by construction.
//! The one other fold, membership in an empty set, is false on every value but an empty
//! list, for which `in` holds (tested against the interpreter on scalars, lists and
//! missing values).

use super::interp::{FieldSource, Value, eval_cmp};
use crate::ir::{Cmp, CmpOp, Cond, FieldId, FieldSpec, Operand, Rhs};
use crate::sema::catalog::{Dir, event};
use crate::syntax::condition::ast::TransformerKind;

/// What is known of every event a specialised condition will see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EventFacts {
    /// The value of `evt.type`, when the code alone decides it.
    pub type_name: Option<&'static str>,
    /// The value of `evt.dir` (`<` or `>`).
    pub dir: Option<&'static str>,
}

impl EventFacts {
    /// The facts the event code implies. Generic `syscall` events take their type
    /// from a parameter, and `asyncevent` from its name parameter: no type fact.
    pub fn of_code(code: u16) -> EventFacts {
        let Some(def) = event(code) else {
            return EventFacts::default();
        };
        let type_name = match def.name {
            "syscall" | "asyncevent" => None,
            n => Some(n),
        };
        let dir = Some(if def.dir == Dir::Exit { "<" } else { ">" });
        EventFacts { type_name, dir }
    }

    fn value(&self, spec: &FieldSpec) -> Option<Option<Value>> {
        if spec.suffix.is_some() || spec.arg.is_some() || spec.list {
            return None;
        }
        let known = match spec.name {
            "evt.type" => self.type_name,
            "evt.dir" => self.dir,
            _ => None,
        }?;
        Some(Some(Value::Str(known.to_string())))
    }
}

/// `cond` as it evaluates on events that have `facts`, simplified.
pub fn specialize(cond: &Cond, fields: &[FieldSpec], facts: &EventFacts) -> Cond {
    match cond {
        Cond::Const(b) => Cond::Const(*b),
        Cond::Not(x) => match specialize(x, fields, facts) {
            Cond::Const(b) => Cond::Const(!b),
            Cond::Not(inner) => *inner,
            x => Cond::Not(Box::new(x)),
        },
        Cond::And(xs) => junction(xs, fields, facts, true),
        Cond::Or(xs) => junction(xs, fields, facts, false),
        Cond::Cmp(c) => match fold_cmp(c, fields, facts) {
            Some(b) => Cond::Const(b),
            None => Cond::Cmp(c.clone()),
        },
    }
}

/// `and` (`is_and`) or `or` of the specialised parts: the neutral constant drops out,
/// the absorbing one decides, nested junctions of the same kind flatten.
fn junction(xs: &[Cond], fields: &[FieldSpec], facts: &EventFacts, is_and: bool) -> Cond {
    let mut out = Vec::with_capacity(xs.len());
    for x in xs {
        match specialize(x, fields, facts) {
            Cond::Const(b) if b == is_and => {}
            Cond::Const(b) => return Cond::Const(b),
            Cond::And(ys) if is_and => out.extend(ys),
            Cond::Or(ys) if !is_and => out.extend(ys),
            y => out.push(y),
        }
    }
    match out.len() {
        0 => Cond::Const(is_and),
        1 => out.pop().unwrap_or(Cond::Const(is_and)),
        _ if is_and => Cond::And(out),
        _ => Cond::Or(out),
    }
}

/// The comparison's value when every field it reads is a known fact.
fn fold_cmp(c: &Cmp, fields: &[FieldSpec], facts: &EventFacts) -> Option<bool> {
    // Membership in an empty set (`x in (user_known_list)` where the list is empty, as
    // Falco's stable rules ship many) is false whatever the left-hand side holds: a
    // scalar, several values or none; but a list is `in` a set when every one of its
    // values is, which an empty list is, so `in` over a list is left to the event.
    if let Rhs::Set(set) = &c.rhs
        && set.items.is_empty()
        && (matches!(c.op, CmpOp::Intersects | CmpOp::PMatch) || (c.op == CmpOp::In && !may_be_list(&c.lhs, fields)))
    {
        return Some(false);
    }
    let known = |id: FieldId| fields.get(id.0 as usize).and_then(|s| facts.value(s)).is_some();
    if !operand_known(&c.lhs, &known) {
        return None;
    }
    if let Rhs::Operand(o) = &c.rhs
        && !operand_known(o, &known)
    {
        return None;
    }
    Some(eval_cmp(c, fields, &Facts(facts)))
}

/// Whether `o` can evaluate to a list (a list field, or a transformer of one).
fn may_be_list(o: &Operand, fields: &[FieldSpec]) -> bool {
    match o {
        Operand::Field(id) => fields.get(id.0 as usize).is_none_or(|s| s.list),
        Operand::Const(_) => false,
        Operand::List(_) => true,
        Operand::Transform { kind, args, .. } => {
            *kind == TransformerKind::Getopt || args.iter().any(|a| may_be_list(a, fields))
        }
    }
}

fn operand_known(o: &Operand, known: &impl Fn(FieldId) -> bool) -> bool {
    match o {
        Operand::Field(id) => known(*id),
        Operand::Const(_) => true,
        Operand::List(xs) => xs.iter().all(|x| operand_known(x, known)),
        Operand::Transform { args, .. } => args.iter().all(|x| operand_known(x, known)),
    }
}

struct Facts<'a>(&'a EventFacts);

impl FieldSource for Facts<'_> {
    fn field(&self, _id: FieldId, spec: &FieldSpec) -> Option<Value> {
        self.0.value(spec).flatten()
    }
}
