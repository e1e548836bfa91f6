//! `evt.arg.argv` on `execve`: an argument that some event has, but none of the rule's.

use crate::hash::FastSet as HashSet;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::catalog::{self, EVENTS};
use crate::sema::decode::suggest;
use crate::syntax::condition::ast::FieldRef;

pub const META: Meta = Meta {
    name: "unknown-event-argument",
    category: Category::Correctness,
    default: Level::Warn,
    summary: "`evt.arg.NAME` names a parameter that none of the rule's events has",
    what: "Reports `evt.arg.NAME`, `evt.arg[NAME]`, `evt.rawarg.NAME` in conditions when no event the rule runs on (or no event at all, for a rule without an event type filter) has a parameter called NAME.",
    why: "Falco refuses an argument name that no event has, but accepts one that some other event has; on the rule's events the field is then empty, so the comparison is never true and the rule never fires.",
    bad: "- rule: Netcat with a program\n  desc: netcat started with -e\n  condition: evt.type = execve and evt.arg.argv contains \"-e\"\n  output: Netcat with a program (cmdline=%proc.cmdline)\n  priority: NOTICE\n",
    good: "- rule: Netcat with a program\n  desc: netcat started with -e\n  condition: evt.type = execve and evt.arg.args contains \"-e\"\n  output: Netcat with a program (cmdline=%proc.cmdline)\n  priority: NOTICE\n",
    fix: Some(crate::diag::Applicability::Unsafe),
};

/// The parameter an `evt.arg`-like field names, if it names one by name (not by index).
pub(crate) fn param_name<'f>(def_name: &str, suffix: &'f str, f: &'f FieldRef) -> Option<&'f str> {
    if !matches!(def_name, "evt.arg" | "evt.rawarg") {
        return None;
    }
    let name = match suffix.strip_prefix('.') {
        Some(s) => s,
        None => f.arg.as_ref()?.value.as_str(),
    };
    // `evt.arg[0]` names a parameter by position.
    (!name.is_empty() && !name.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

pub(crate) fn any_has_param(codes: &[u16], name: &str) -> bool {
    codes
        .iter()
        .filter_map(|c| catalog::event(*c))
        .any(|e| e.params.iter().any(|p| p.name == name))
}

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    let all: Vec<u16> = EVENTS.iter().map(|e| e.code).collect();
    let mut seen = HashSet::default();
    for (_, info) in cx.rule_pairs() {
        let Some(expr) = &info.expr else { continue };
        let codes = super::rule_exit_codes(info);
        super::each_field(expr, &mut |f| {
            if !f.name.starts_with("evt.arg") && !f.name.starts_with("evt.rawarg") {
                return; // the catalogue lookup below is the costly part
            }
            let Some((def, suffix)) = catalog::lookup(&f.name) else {
                return;
            };
            let Some(param) = param_name(def.name, suffix, f) else {
                return;
            };
            let scope = codes.as_deref().unwrap_or(&all);
            if any_has_param(scope, param) || !seen.insert((info.name.as_str(), f.span)) {
                return;
            }
            let names: Vec<&str> = {
                let mut v: Vec<&str> = scope
                    .iter()
                    .filter_map(|c| catalog::event(*c))
                    .flat_map(|e| e.params.iter().map(|p| p.name))
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let whose = match &codes {
                Some(c) => format!("none of this rule's events ({}) has", super::event_names(c)),
                None => "no event has".to_string(),
            };
            let span = match (suffix.strip_prefix('.'), &f.arg) {
                (Some(_), _) => crate::span::Span::new(f.name_span.end - param.len() as u32, f.name_span.end),
                (None, Some(a)) => a.span,
                (None, None) => f.name_span,
            };
            let d = out
                .diag(
                    cx.file_span(span),
                    format!("{whose} a parameter '{param}': the field is always empty"),
                )
                .primary_label("no such parameter")
                .in_item("rule", &info.name)
                .maybe_did_you_mean(suggest(param, names.iter().copied()));
            out.emit(d);
        });
    }
}
