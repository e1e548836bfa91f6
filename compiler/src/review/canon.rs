//! Canonical text of a rule's effective condition: the typed IR printed with field
//! names, so two conditions that Falco evaluates the same way print the same.
//!
//! Only rewrites that cannot change a verdict are applied: `and`/`or` are flattened, their
//! operands sorted and repeated ones dropped (evaluation has no side effects), constant
//! operands folded, `not not x` is `x`, and the values of `in`/`intersects`/`pmatch` and of
//! the `oneof`/`anyof`/`allof` modifiers are sets. Constants print as the type the field
//! gave them (`fd.sport = 80` and `fd.sport = "80"` are one condition).

use crate::ir::{Cmp, CmpOp, Cond, Const, FieldSpec, Operand, Rhs};
use std::fmt::Write;

/// The canonical text of `cond`, its fields named from `fields` (the program's table).
pub fn condition(cond: &Cond, fields: &[FieldSpec]) -> String {
    match cond {
        Cond::Const(b) => b.to_string(),
        Cond::Not(x) => match &**x {
            Cond::Not(y) => condition(y, fields),
            Cond::Const(b) => (!b).to_string(),
            x => format!("not {}", condition(x, fields)),
        },
        Cond::And(xs) => junction(xs, fields, true),
        Cond::Or(xs) => junction(xs, fields, false),
        Cond::Cmp(c) => comparison(c, fields),
    }
}

/// `and` (`all`) or `or` of `xs`, flattened, sorted and without repeats.
fn junction(xs: &[Cond], fields: &[FieldSpec], all: bool) -> String {
    let mut parts = Vec::new();
    flatten(xs, all, &mut |c| parts.push(condition(c, fields)));
    // The neutral constant drops out; the absorbing one decides.
    let (neutral, absorbing) = if all { ("true", "false") } else { ("false", "true") };
    if parts.iter().any(|p| p == absorbing) {
        return absorbing.to_string();
    }
    parts.retain(|p| p != neutral);
    parts.sort();
    parts.dedup();
    match parts.len() {
        0 => neutral.to_string(),
        1 => parts.pop().unwrap_or_default(),
        _ => format!("({})", parts.join(if all { " and " } else { " or " })),
    }
}

fn flatten<'a>(xs: &'a [Cond], all: bool, each: &mut dyn FnMut(&'a Cond)) {
    for x in xs {
        match (x, all) {
            (Cond::And(ys), true) | (Cond::Or(ys), false) => flatten(ys, all, each),
            _ => each(x),
        }
    }
}

fn comparison(c: &Cmp, fields: &[FieldSpec]) -> String {
    let mut out = String::new();
    operand(&mut out, &c.lhs, fields);
    out.push(' ');
    out.push_str(op_text(c.op));
    match &c.rhs {
        Rhs::None => {}
        Rhs::Const(k) => {
            out.push(' ');
            constant(&mut out, k);
        }
        Rhs::Set(set) => {
            out.push(' ');
            set_text(&mut out, &set.items);
        }
        Rhs::Modified(m, items) => {
            let _ = write!(out, " {} ", m.name());
            set_text(&mut out, items);
        }
        Rhs::Operand(o) => {
            out.push(' ');
            operand(&mut out, o, fields);
        }
    }
    out
}

fn set_text(out: &mut String, items: &[Const]) {
    let mut texts: Vec<String> = items
        .iter()
        .map(|k| {
            let mut s = String::new();
            constant(&mut s, k);
            s
        })
        .collect();
    texts.sort();
    texts.dedup();
    out.push('(');
    out.push_str(&texts.join(", "));
    out.push(')');
}

fn operand(out: &mut String, o: &Operand, fields: &[FieldSpec]) {
    match o {
        Operand::Field(id) => match fields.get(id.0 as usize) {
            Some(f) => field(out, f),
            None => out.push_str("<unknown field>"),
        },
        Operand::Transform { kind, args, key } => {
            out.push_str(kind.name());
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                operand(out, a, fields);
            }
            out.push(')');
            if let Some(k) = key {
                let _ = write!(out, "[{k}]");
            }
        }
        Operand::Const(k) => constant(out, k),
        Operand::List(xs) => {
            out.push('(');
            for (i, a) in xs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                operand(out, a, fields);
            }
            out.push(')');
        }
    }
}

/// `evt.arg.flags`, `proc.aname[2]`.
pub fn field(out: &mut String, f: &FieldSpec) {
    out.push_str(f.name);
    if let Some(s) = &f.suffix {
        out.push('.');
        out.push_str(s);
    }
    if let Some(a) = &f.arg {
        let _ = write!(out, "[{a}]");
    }
}

fn constant(out: &mut String, k: &Const) {
    match k {
        Const::Str(s) => quoted(out, s),
        Const::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Const::Double(x) => {
            let _ = write!(out, "{x:?}");
        }
        Const::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Const::Ip { addr, prefix } => {
            let _ = write!(out, "{addr}");
            if let Some(p) = prefix {
                let _ = write!(out, "/{p}");
            }
        }
        Const::Bytes(bs) => {
            out.push_str("0x");
            for b in bs {
                let _ = write!(out, "{b:02x}");
            }
        }
        Const::Regex(r) => quoted(out, r.as_str()),
    }
}

/// A string in double quotes, escaped as JSON escapes it, so the text is unambiguous
/// whatever the value holds.
fn quoted(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// The operator as Falco spells it.
pub fn op_text(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Exists => "exists",
        CmpOp::Eq => "=",
        CmpOp::Ne => "!=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
        CmpOp::Contains => "contains",
        CmpOp::IContains => "icontains",
        CmpOp::BContains => "bcontains",
        CmpOp::StartsWith => "startswith",
        CmpOp::BStartsWith => "bstartswith",
        CmpOp::EndsWith => "endswith",
        CmpOp::Glob => "glob",
        CmpOp::IGlob => "iglob",
        CmpOp::Regex => "regex",
        CmpOp::In => "in",
        CmpOp::Intersects => "intersects",
        CmpOp::PMatch => "pmatch",
    }
}
