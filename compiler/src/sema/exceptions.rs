//! Rule exceptions: decoding, validation, appends, and the textual expansion Falco
//! performs (`(C) and not (...)`) before the condition is parsed.

use super::collect::Ctx;
use super::decode::{DResult, Item, scalar_of};
use super::items::*;
use super::text::{SrcText, Str};
use crate::diag::{Code, Diagnostic};
use crate::span::FileSpan;
use crate::syntax::condition::ast::Op;
use crate::syntax::yaml::{Node, NodeKind};

/// Decode the `exceptions` key of an item. `full`: every exception must be complete
/// (new definitions and replacements).
pub fn decode_all(ctx: &mut Ctx, item: &Item, full: bool) -> DResult<Vec<ExceptionDef>> {
    let Some((_, v)) = item.entry("exceptions") else {
        return Ok(Vec::new());
    };
    let seq = match &v.kind {
        NodeKind::Null => return Ok(Vec::new()),
        NodeKind::Seq(xs) => xs,
        _ => {
            return Err(item.validate_err(item.fspan(v.span), "Rule exceptions must be a sequence"));
        }
    };
    let mut out: Vec<ExceptionDef> = Vec::new();
    // Every mistake of every exception is reported; the first one rejects the rule, as
    // Falco's does.
    let mut errors: Vec<Diagnostic> = Vec::new();
    for e in seq {
        if e.as_map().is_none() {
            errors.push(*item.validate_err(item.fspan(e.span), "Rule exception must be a mapping"));
            continue;
        }
        let sub = Item {
            node: e,
            file: item.file,
            kind: "exception",
            name: item.name.clone(),
        };
        for entry in e.as_map().unwrap_or_default() {
            let Some(k) = entry.key.as_scalar() else { continue };
            if !matches!(k.value.as_str(), "name" | "fields" | "comps" | "values") {
                let mut d = sub.err(
                    Code::SchemaMismatch,
                    sub.fspan(entry.key.span),
                    format!("Unknown exception key '{}'; it is ignored", k.value),
                );
                if let Some(s) = super::decode::suggest(&k.value, ["name", "fields", "comps", "values"]) {
                    *d = d.did_you_mean(s);
                }
                ctx.push(d);
            }
        }
        let ex = match decode_one(&sub, full) {
            Ok(ex) => ex,
            Err(d) => {
                errors.push(*d);
                continue;
            }
        };
        if out.iter().any(|o| o.name.value == ex.name.value) {
            ctx.diags.push(*item.err(
                Code::LoadExceptionNameNotUnique,
                ex.name.file_span(),
                format!("Multiple definitions of exception '{}' in the same rule", ex.name.value),
            ));
        }
        if full {
            errors.extend(validate(&sub, &ex));
        }
        out.push(ex);
    }
    first_of(ctx, errors).map(|()| out)
}

fn decode_one(sub: &Item, full: bool) -> DResult<ExceptionDef> {
    let name = sub.string("name", true, false)?.unwrap_or_else(|| empty(sub));
    let fields = match sub.entry("fields") {
        None if full => {
            return Err(sub.validate_err(sub.head_span(), "Item has no mapping for key 'fields'"));
        }
        None => ExcFields::None,
        Some((_, n)) => match &n.kind {
            NodeKind::Seq(xs) => ExcFields::Tuple(scalars(sub, xs)?),
            NodeKind::Scalar(_) => ExcFields::Scalar(scalar_of(n, sub.file).unwrap_or_else(|| empty(sub))),
            NodeKind::Null => ExcFields::None,
            NodeKind::Map(_) => {
                return Err(sub.validate_err(sub.fspan(n.span), "Value is not a scalar value"));
            }
        },
    };
    let comps = match sub.entry("comps") {
        None => ExcComps::None,
        Some((_, n)) => match &n.kind {
            NodeKind::Seq(xs) => ExcComps::Tuple(scalars(sub, xs)?),
            NodeKind::Scalar(_) => ExcComps::Scalar(scalar_of(n, sub.file).unwrap_or_else(|| empty(sub))),
            NodeKind::Null => ExcComps::None,
            NodeKind::Map(_) => {
                return Err(sub.validate_err(sub.fspan(n.span), "Value is not a scalar value"));
            }
        },
    };
    let mut values = Vec::new();
    if let Some((_, n)) = sub.entry("values") {
        match &n.kind {
            NodeKind::Null => {}
            NodeKind::Seq(xs) => {
                for x in xs {
                    values.push(decode_value(sub, x)?);
                }
            }
            _ => {
                return Err(sub.validate_err(sub.fspan(n.span), "Rule exception values must be a sequence"));
            }
        }
    }
    let span = sub.fspan(sub.node.span);
    let key_span = |k: &str| sub.entry(k).map_or(span, |(key, v)| sub.fspan(key.span.cover(v.span)));
    Ok(ExceptionDef {
        name,
        fields,
        comps,
        values,
        span,
        fields_span: key_span("fields"),
        comps_span: key_span("comps"),
    })
}

fn decode_value(sub: &Item, x: &Node) -> DResult<ExcValue> {
    Ok(match &x.kind {
        NodeKind::Seq(atoms) => {
            let mut out = Vec::new();
            for a in atoms {
                out.push(match &a.kind {
                    NodeKind::Seq(ys) => ExcAtom::List(scalars(sub, ys)?, sub.fspan(a.span)),
                    _ => ExcAtom::Scalar(scalar_or_empty(sub, a)?),
                });
            }
            ExcValue::Tuple(out, sub.fspan(x.span))
        }
        _ => ExcValue::Scalar(scalar_or_empty(sub, x)?),
    })
}

fn scalar_or_empty(sub: &Item, n: &Node) -> DResult<Str> {
    match &n.kind {
        NodeKind::Null => Ok(Str {
            value: String::new(),
            file: sub.file,
            span: n.span,
            scalar: None,
        }),
        NodeKind::Scalar(_) => Ok(scalar_of(n, sub.file).unwrap_or_else(|| empty(sub))),
        _ => Err(sub.validate_err(sub.fspan(n.span), "Value is not a scalar value")),
    }
}

fn scalars(sub: &Item, xs: &[Node]) -> DResult<Vec<Str>> {
    xs.iter()
        .map(|x| {
            scalar_of(x, sub.file).ok_or_else(|| sub.validate_err(sub.fspan(x.span), "sequence value is not scalar"))
        })
        .collect()
}

fn empty(sub: &Item) -> Str {
    Str {
        value: String::new(),
        file: sub.file,
        span: sub.node.span,
        scalar: None,
    }
}

/// Is `comp` (already trimmed) a comparison operator an exception may use?
fn comp_kind(comp: &str) -> Option<CompKind> {
    if let Some(op) = Op::from_text(comp) {
        return Some(if op.is_list() { CompKind::List } else { CompKind::Plain });
    }
    let mut parts = comp.split_whitespace();
    let (op, modifier) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let op = Op::from_text(op)?;
    (op.is_string() && matches!(modifier, "oneof" | "anyof" | "allof")).then_some(CompKind::Modified)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CompKind {
    Plain,
    List,
    Modified,
}

/// Every problem of one exception's fields, comps and values.
fn validate(sub: &Item, ex: &ExceptionDef) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match &ex.fields {
        ExcFields::Tuple(fields) => {
            match &ex.comps {
                ExcComps::Tuple(comps) => {
                    if comps.len() != fields.len() {
                        out.push(*sub.err(
                            Code::LoadErrValidate,
                            ex.comps_span,
                            "Fields and comps lists must have equal length",
                        ));
                    }
                    for c in comps {
                        if comp_kind(c.value.trim()).is_none() {
                            out.push(*unknown_comp(sub, c));
                        }
                    }
                }
                ExcComps::Scalar(c) => out.push(*sub.err(
                    Code::LoadErrValidate,
                    c.file_span(),
                    "Fields and comps lists must have equal length",
                )),
                ExcComps::None => {}
            }
            out.extend(fields.iter().filter_map(|f| check_field(sub, f)).map(|d| *d));
            for v in &ex.values {
                match v {
                    ExcValue::Tuple(atoms, span) if atoms.len() != fields.len() => out.push(*sub.err(
                        Code::LoadErrValidate,
                        *span,
                        "Fields and values lists must have equal length",
                    )),
                    ExcValue::Scalar(s) => out.push(*sub.err(
                        Code::LoadErrValidate,
                        s.file_span(),
                        "Fields and values lists must have equal length",
                    )),
                    _ => {}
                }
            }
        }
        ExcFields::Scalar(f) => {
            match &ex.comps {
                ExcComps::Tuple(_) => out.push(*sub.err(
                    Code::LoadErrValidate,
                    ex.comps_span,
                    "Fields and comps must both be strings",
                )),
                ExcComps::Scalar(c) => {
                    let k = comp_kind(c.value.trim());
                    if !matches!(k, Some(CompKind::List | CompKind::Modified)) {
                        out.push(*sub.err(
                            Code::LoadErrValidate,
                            c.file_span(),
                            "When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. 'startswith oneof')",
                        ));
                    }
                }
                ExcComps::None => {}
            }
            out.extend(check_field(sub, f).map(|d| *d));
            for v in &ex.values {
                if let ExcValue::Tuple(_, span) = v {
                    out.push(*sub.err(
                        Code::LoadErrValidate,
                        *span,
                        "Expected values array to contain a list of strings",
                    ));
                }
            }
        }
        ExcFields::None => {}
    }
    out
}

/// `Err` with the first problem (which rejects the item) after reporting the others.
fn first_of(ctx: &mut Ctx, errors: Vec<Diagnostic>) -> DResult<()> {
    let mut it = errors.into_iter();
    match it.next() {
        None => Ok(()),
        Some(first) => {
            ctx.diags.extend(it);
            Err(Box::new(first))
        }
    }
}

fn unknown_comp(sub: &Item, c: &Str) -> Box<Diagnostic> {
    let text = c.value.trim();
    let mut d = sub.err(
        Code::LoadErrValidate,
        c.file_span(),
        format!("'{text}' is not a supported comparison operator"),
    );
    let ops = crate::syntax::condition::ast::Op::ALL.map(|o| o.text());
    if let Some(s) = super::decode::suggest(&text.to_ascii_lowercase(), ops) {
        *d = d.did_you_mean(s);
    }
    d
}

/// A plain field name in an exception must exist. Transformer expressions are
/// checked later, with the condition they end up in.
fn check_field(sub: &Item, f: &Str) -> Option<Box<Diagnostic>> {
    let name = f.value.trim();
    let plain = !name.contains('(');
    if plain && super::typeck::resolve_field_name(name).is_none() {
        let mut d = sub.err(
            Code::LoadErrValidate,
            f.file_span(),
            format!("'{name}' is not a supported filter field"),
        );
        if let Some(s) = super::typeck::field_suggestion(name) {
            *d = d.did_you_mean(s);
        }
        return Some(d);
    }
    None
}

/// Apply appended exceptions to `rule`.
pub fn append(ctx: &mut Ctx, item: &Item, rule: &mut RuleDef, new: Vec<ExceptionDef>) -> DResult<()> {
    for ex in new {
        let sub = Item {
            node: item.node,
            file: item.file,
            kind: "exception",
            name: item.name.clone(),
        };
        if ex.values.is_empty() {
            ctx.diags.push(*item.err(
                Code::LoadAppendNoValues,
                ex.span,
                format!("Overriding/appending exception with no values: '{}'", ex.name.value),
            ));
        }
        if let Some(old) = rule.exceptions.iter_mut().find(|o| o.name.value == ex.name.value) {
            if !matches!(ex.fields, ExcFields::None) {
                return Err(sub.err(
                    Code::LoadErrValidate,
                    ex.fields_span,
                    "Can not append exception fields to existing exception, only values",
                ));
            }
            if !matches!(ex.comps, ExcComps::None) {
                return Err(sub.err(
                    Code::LoadErrValidate,
                    ex.comps_span,
                    "Can not append exception comps to existing exception, only values",
                ));
            }
            old.values.extend(ex.values);
            let old = old.clone();
            first_of(ctx, validate(&sub, &old))?;
        } else {
            if matches!(ex.fields, ExcFields::None) {
                return Err(sub.err(
                    Code::LoadErrValidate,
                    ex.span,
                    "Rule exception must have fields property with a list of fields",
                ));
            }
            if ex.values.is_empty() {
                return Err(sub.err(
                    Code::LoadErrValidate,
                    ex.span,
                    "Rule exception must have values property with a list of values",
                ));
            }
            first_of(ctx, validate(&sub, &ex))?;
            rule.exceptions.push(ex);
        }
    }
    Ok(())
}

/// A value as Falco inserts it: wrapped in double quotes when it has a space and does
/// not already start with a quote.
fn push_value(out: &mut SrcText, v: &Str) {
    let needs_quotes = v.value.contains(' ') && !v.value.starts_with('"') && !v.value.starts_with('\'');
    if needs_quotes {
        out.push_synthetic("\"", v.file_span());
    }
    out.push_str(v, 0..v.value.len());
    if needs_quotes {
        out.push_synthetic("\"", v.file_span());
    }
}

fn push_list(out: &mut SrcText, items: &[Str], span: FileSpan) {
    out.push_synthetic("(", span);
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_synthetic(", ", span);
        }
        push_value(out, v);
    }
    out.push_synthetic(")", span);
}

/// Build `(C) and not E1 and not E2 ...` with provenance.
pub fn expand(cond: &SrcText, cond_span: FileSpan, exceptions: &[ExceptionDef]) -> SrcText {
    let mut parts: Vec<SrcText> = Vec::new();
    for ex in exceptions {
        if ex.values.is_empty() {
            continue;
        }
        let mut e = SrcText::default();
        match &ex.fields {
            ExcFields::Scalar(field) => {
                let comp = match &ex.comps {
                    ExcComps::Scalar(c) => c.clone(),
                    _ => synthetic("in", ex.span),
                };
                e.push_synthetic("(", ex.span);
                e.push_str(field, 0..field.value.len());
                e.push_synthetic(" ", ex.span);
                push_trimmed(&mut e, &comp);
                e.push_synthetic(" ", ex.span);
                let vals: Vec<Str> = ex
                    .values
                    .iter()
                    .filter_map(|v| {
                        if let ExcValue::Scalar(s) = v {
                            Some(s.clone())
                        } else {
                            None
                        }
                    })
                    .collect();
                push_list(&mut e, &vals, ex.span);
                e.push_synthetic(")", ex.span);
            }
            ExcFields::Tuple(fields) => {
                let comps: Vec<Str> = match &ex.comps {
                    ExcComps::Tuple(cs) => cs.clone(),
                    _ => fields.iter().map(|_| synthetic("=", ex.span)).collect(),
                };
                e.push_synthetic("(", ex.span);
                for (ti, v) in ex.values.iter().enumerate() {
                    let ExcValue::Tuple(atoms, vspan) = v else {
                        continue;
                    };
                    if ti > 0 {
                        e.push_synthetic(" or ", *vspan);
                    }
                    e.push_synthetic("(", *vspan);
                    for (k, (field, atom)) in fields.iter().zip(atoms).enumerate() {
                        let comp = comps.get(k).cloned().unwrap_or_else(|| synthetic("=", ex.span));
                        e.push_synthetic(if k == 0 { " " } else { " and " }, *vspan);
                        e.push_str(field, 0..field.value.len());
                        e.push_synthetic(" ", *vspan);
                        push_trimmed(&mut e, &comp);
                        e.push_synthetic(" ", *vspan);
                        match atom {
                            ExcAtom::List(items, lspan) => push_list(&mut e, items, *lspan),
                            ExcAtom::Scalar(s) => {
                                let listy =
                                    matches!(comp_kind(comp.value.trim()), Some(CompKind::List | CompKind::Modified));
                                if listy && !s.value.starts_with('(') {
                                    e.push_synthetic("(", s.file_span());
                                    push_value(&mut e, s);
                                    e.push_synthetic(")", s.file_span());
                                } else {
                                    push_value(&mut e, s);
                                }
                            }
                        }
                    }
                    e.push_synthetic(")", *vspan);
                }
                e.push_synthetic(")", ex.span);
            }
            ExcFields::None => continue,
        }
        parts.push(e);
    }
    if parts.is_empty() {
        return cond.clone();
    }
    let mut out = SrcText::default();
    out.push_synthetic("(", cond_span);
    out.push_text(cond, 0..cond.text.len());
    out.push_synthetic(")", cond_span);
    for (p, ex) in parts.iter().zip(exceptions.iter().filter(|e| !e.values.is_empty())) {
        out.push_synthetic(" and not ", ex.span);
        out.push_text(p, 0..p.text.len());
    }
    out
}

fn push_trimmed(out: &mut SrcText, s: &Str) {
    let start = s.value.len() - s.value.trim_start().len();
    let end = s.value.trim_end().len().max(start);
    out.push_str(s, start..end);
}

fn synthetic(text: &str, span: FileSpan) -> Str {
    Str {
        value: text.to_string(),
        file: span.file,
        span: span.span,
        scalar: None,
    }
}
