//! Canonical text of a condition AST, in the form libsinsp prints it (Falco's
//! `condition_compiled`): and/or nodes in parentheses, values re-quoted when needed.
//! Parsing the printed text gives back the same AST (up to spans).

use super::ast::*;
use std::fmt::Write;

pub fn to_string(e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, e);
    out
}

/// [`to_string`] appended to `out` (a buffer reused across many small prints).
pub fn write(out: &mut String, e: &Expr) {
    expr(out, e);
}

fn expr(out: &mut String, e: &Expr) {
    match e {
        Expr::And(xs, _) | Expr::Or(xs, _) => {
            let sep = if matches!(e, Expr::And(..)) { " and " } else { " or " };
            out.push('(');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                expr(out, x);
            }
            out.push(')');
        }
        Expr::Not(x, _) => {
            out.push_str("not ");
            // `not not x` would re-parse as `x` (parity); keep the nesting visible.
            if matches!(**x, Expr::Not(..)) {
                out.push('(');
                expr(out, x);
                out.push(')');
            } else {
                expr(out, x);
            }
        }
        Expr::Macro(n) => out.push_str(&n.text),
        Expr::Error(_) => out.push_str("<error>"),
        Expr::Check(c) => check(out, c),
    }
}

fn check(out: &mut String, c: &Check) {
    operand(out, &c.lhs);
    out.push(' ');
    out.push_str(c.op.text());
    match &c.rhs {
        Rhs::None => {}
        rhs => {
            out.push(' ');
            rhs_str(out, rhs);
        }
    }
}

fn rhs_str(out: &mut String, rhs: &Rhs) {
    match rhs {
        Rhs::None => {}
        Rhs::Value(v) => value(out, &v.text),
        Rhs::List(vs, _) => {
            out.push('(');
            for (i, v) in vs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                value(out, &v.text);
            }
            out.push(')');
        }
        Rhs::Modified { modifier, list, .. } => {
            out.push_str(modifier.name());
            out.push(' ');
            rhs_str(out, list);
        }
        Rhs::Operand(o) => operand(out, o),
    }
}

pub fn operand(out: &mut String, o: &Operand) {
    match o {
        Operand::Field(f) => field(out, f),
        Operand::Transform(t) => transform(out, t),
    }
}

fn field(out: &mut String, f: &FieldRef) {
    out.push_str(&f.name);
    if let Some(a) = &f.arg {
        field_arg(out, a);
    }
}

fn field_arg(out: &mut String, a: &FieldArg) {
    out.push('[');
    let bare_ok = !a.value.is_empty()
        && a.value
            .bytes()
            .all(|b| !matches!(b, b'[' | b']' | b'"' | b'\'') && !super::lexer::is_space(b));
    if bare_ok {
        out.push_str(&a.value)
    } else {
        quote(out, &a.value)
    }
    out.push(']');
}

fn transform(out: &mut String, t: &Transform) {
    out.push_str(t.kind.name());
    out.push('(');
    for (i, a) in t.args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        targ(out, a);
    }
    out.push(')');
    if let Some(a) = &t.arg {
        field_arg(out, a);
    }
}

fn targ(out: &mut String, a: &TArg) {
    match a {
        TArg::Field(f) => field(out, f),
        TArg::Transform(t) => transform(out, t),
        TArg::Str(v) => quote(out, &v.text),
        TArg::Num(v) => out.push_str(&v.text),
        TArg::List(xs, _) => {
            out.push('(');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                targ(out, x);
            }
            out.push(')');
        }
    }
}

/// A value as libsinsp prints it: bare when it lexes back as the same bare string,
/// otherwise double-quoted with escapes.
pub fn value(out: &mut String, v: &str) {
    let bare = !v.is_empty()
        && v.bytes().all(|b| {
            !matches!(b, b'(' | b')' | b'"' | b'\'' | b'=' | b',' | b'\\') && !b.is_ascii_whitespace() && b >= 0x20
        });
    if bare && !crate::raw_text::has_escapes(v) {
        out.push_str(v)
    } else {
        quote(out, v)
    }
}

fn quote(out: &mut String, v: &str) {
    out.push('"');
    let last = v.len().saturating_sub(1);
    for (i, c) in v.char_indices() {
        match c {
            // A quote after a backslash never closes a string (libsinsp's lexer), so a
            // final backslash is written `\ ` (the legacy escape for a backslash).
            '\\' if i == last => out.push_str("\\ "),
            '\x08' => out.push_str("\\b"),
            '\x0C' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            // A raw byte (`raw_text`) is written as the escape that made it.
            c => match crate::raw_text::byte_of(c) {
                Some(b) => {
                    let _ = write!(out, "\\x{b:02x}");
                }
                None => out.push(c),
            },
        }
    }
    out.push('"');
}
