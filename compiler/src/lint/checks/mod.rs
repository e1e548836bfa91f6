//! One file per check; each has `META` (id, category, level, docs, fixtures) and
//! `check`. Shared walking helpers are at the bottom of this file.

pub mod ancestor_not_equal;
pub mod container_output_missing_id;
pub mod contradictory_comparison;
pub mod costly_rule;
pub mod deprecated_field;
pub mod duplicate_comparison;
pub mod duplicate_exception_value;
pub mod duplicate_in_value;
pub mod duplicate_list_item;
pub mod duplicate_tag;
pub mod empty_string_comparison;
pub mod exception_without_values;
pub mod fd_field_without_fd;
pub mod field_compared_to_itself;
pub mod glob_without_wildcard;
pub mod in_single_item;
pub mod item_redefined;
pub mod macro_shadowed_by_list;
pub mod macro_used_once;
pub mod mixed_and_or;
pub mod never_matches;
pub mod no_evttype_filter;
pub mod output_field_unavailable;
pub mod output_without_fields;
pub mod override_no_change;
pub mod pmatch_relative_path;
pub mod proc_name_too_long;
pub mod rule_without_mitre_tag;
pub mod rule_without_tags;
pub mod suppression_without_reason;
pub mod undefined_list;
pub mod unknown_event_argument;
pub mod unused_suppression;
pub mod wildcard_in_plain_operator;

use crate::syntax::condition::ast::{Check, Expr, FieldRef, Operand, Rhs, Value};

/// Every comparison of a condition, depth first.
pub(crate) fn each_check<'e>(e: &'e Expr, f: &mut impl FnMut(&'e Check)) {
    e.walk(&mut |x| {
        if let Expr::Check(c) = x {
            f(c);
        }
    });
}

/// The field on the left of a comparison, unless it is a transformer.
pub(crate) fn lhs_field(c: &Check) -> Option<&FieldRef> {
    match &c.lhs {
        Operand::Field(f) => Some(f),
        Operand::Transform(_) => None,
    }
}

/// The constant values on the right of a comparison: one value, a parenthesised list, or
/// the list of a `oneof`/`anyof`/`allof` modifier.
pub(crate) fn rhs_values(r: &Rhs) -> Vec<&Value> {
    match r {
        Rhs::Value(v) => vec![v],
        Rhs::List(vs, _) => vs.iter().collect(),
        Rhs::Modified { list, .. } => rhs_values(list),
        Rhs::None | Rhs::Operand(_) => Vec::new(),
    }
}

/// The field as written with its argument (`proc.aname[2]`), to tell fields apart.
pub(crate) fn field_key(f: &FieldRef) -> String {
    match &f.arg {
        Some(a) => format!("{}[{}]", f.name, a.value),
        None => f.name.clone(),
    }
}

/// The operands of `and` (flattened through nested `and`s).
pub(crate) fn conjuncts(e: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    fn go<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        match e {
            Expr::And(xs, _) => xs.iter().for_each(|x| go(x, out)),
            other => out.push(other),
        }
    }
    go(e, &mut out);
    out
}

/// The exit-event codes a rule runs on (Falco evaluates rules on exit events), or `None`
/// when its condition does not restrict the event type (then nothing can be said).
pub(crate) fn rule_exit_codes(info: &crate::analysis::RuleInfo) -> Option<Vec<u16>> {
    use crate::sema::catalog::{self, Dir};
    let set = info.evttypes.as_ref()?;
    if set.is_empty() || set.len() > 100 {
        return None;
    }
    let codes: Vec<u16> = set
        .codes()
        .into_iter()
        .filter(|c| catalog::event(*c).is_some_and(|e| e.dir == Dir::Exit && !e.unused))
        .collect();
    (!codes.is_empty()).then_some(codes)
}

/// The event names of `codes`, deduplicated, for messages (at most five, then "...").
pub(crate) fn event_names(codes: &[u16]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for c in codes {
        if let Some(e) = crate::sema::catalog::event(*c)
            && !names.contains(&e.name)
        {
            names.push(e.name);
        }
    }
    let more = names.len() > 5;
    names.truncate(5);
    let mut s = names.join(", ");
    if more {
        s.push_str(", ...");
    }
    s
}

/// Every field a condition reads (left side, `val()` and transformer arguments).
pub(crate) fn each_field<'e>(e: &'e Expr, f: &mut impl FnMut(&'e FieldRef)) {
    use crate::syntax::condition::ast::{TArg, Transform};
    fn transform<'e>(t: &'e Transform, f: &mut impl FnMut(&'e FieldRef)) {
        for a in &t.args {
            targ(a, f);
        }
    }
    fn targ<'e>(a: &'e TArg, f: &mut impl FnMut(&'e FieldRef)) {
        match a {
            TArg::Field(x) => f(x),
            TArg::Transform(t) => transform(t, f),
            TArg::List(xs, _) => xs.iter().for_each(|x| targ(x, f)),
            TArg::Str(_) | TArg::Num(_) => {}
        }
    }
    fn operand<'e>(o: &'e Operand, f: &mut impl FnMut(&'e FieldRef)) {
        match o {
            Operand::Field(x) => f(x),
            Operand::Transform(t) => transform(t, f),
        }
    }
    each_check(e, &mut |c| {
        operand(&c.lhs, f);
        if let Rhs::Operand(o) = &c.rhs {
            operand(o, f);
        }
    });
}

/// A fix deleting the sequence entry at `span`, whose predecessor in the same sequence
/// ends at `prev`: removes `, x` (flow) or the `- x` line (block). `None` when the text
/// between the two is anything else (the entries are not neighbours of one sequence).
pub(crate) fn delete_entry(
    cx: &crate::lint::Context,
    prev: crate::span::FileSpan,
    span: crate::span::FileSpan,
    message: &str,
) -> Option<crate::diag::Fix> {
    if prev.file != span.file || prev.span.end > span.span.start {
        return None;
    }
    let gap = crate::span::FileSpan {
        file: span.file,
        span: crate::span::Span::new(prev.span.end, span.span.start),
    };
    let between = cx.text(gap).trim();
    if between != "," && between != "-" {
        return None;
    }
    let whole = crate::span::FileSpan {
        file: span.file,
        span: crate::span::Span::new(prev.span.end, span.span.end),
    };
    Some(crate::diag::Fix::delete(
        message,
        whole,
        crate::diag::Applicability::Safe,
    ))
}

/// Every comparison of every compiled rule's expanded condition (macros substituted,
/// lists substituted: spans point at list items and macro bodies), each reported once
/// per rule even when a macro puts it in several places.
pub(crate) fn each_rule_check<'a>(
    cx: &crate::lint::Context<'a>,
    f: &mut impl FnMut(&'a crate::analysis::RuleInfo, &'a Check),
) {
    for (_, info) in cx.rule_pairs() {
        if let Some(expr) = &info.expr {
            each_check(expr, &mut |c| f(info, c));
        }
    }
}
