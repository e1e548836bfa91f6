//! The warnings Falco's own loader gives about definitions, under Falco's codes and with its
//! wording: unused macros and lists, deprecated output fields. They live with falcorc's
//! checks but are not configurable as checks are: their codes are Falco's (`LOAD_*`), and
//! their levels are set by code name (`LOAD_UNUSED_LIST = "allow"`).

use super::Context;
use crate::diag::{Code, Diagnostic};
use crate::sema::items::RuleDef;
use crate::span::Span;

/// `LOAD_UNUSED_MACRO` / `LOAD_UNUSED_LIST`: definitions nothing references.
pub(crate) fn unused_definitions(cx: &Context, diags: &mut Vec<Diagnostic>) {
    for (m, used) in cx.col.macros.iter().zip(cx.macro_used) {
        if !used {
            diags.push(
                Diagnostic::new(
                    Code::LoadUnusedMacro,
                    m.name.file_span(),
                    "Macro not referred to by any other rule/macro",
                )
                .in_item("macro", &m.name.value),
            );
        }
    }
    for (l, used) in cx.col.lists.iter().zip(cx.list_used) {
        if !used {
            diags.push(
                Diagnostic::new(
                    Code::LoadUnusedList,
                    l.name.file_span(),
                    "List not referred to by any other rule/macro",
                )
                .in_item("list", &l.name.value),
            );
        }
    }
}

/// `LOAD_DEPRECATED_ITEM` for what Falco warns about in an output: `%container.info` and the
/// fields current drivers leave empty.
pub(crate) fn output_deprecations(r: &RuleDef, diags: &mut Vec<Diagnostic>) {
    let text = r.output.text.as_str();
    // Point at the first occurrence of `needle` in the output.
    let at = |needle: &str| {
        text.find(needle).map_or(r.output_span, |i| {
            r.output
                .map(Span::new(i as u32, (i + needle.len()) as u32), r.output_span)
        })
    };
    if text.contains("%container.info") {
        diags.push(
            Diagnostic::new(
                Code::LoadDeprecatedItem,
                at("%container.info"),
                "%container.info is deprecated and not supported anymore, and will be ignored in the output",
            )
            .in_item("rule output", &r.name.value),
        );
    }
    for f in ["evt.dir", "evt.latency", "evt.wait_latency"] {
        if text.contains(f) {
            diags.push(
                Diagnostic::new(
                    Code::LoadDeprecatedItem,
                    at(f),
                    format!("usage of deprecated field '{f}' has been detected in the rule output"),
                )
                .in_item("rule output", &r.name.value),
            );
        }
    }
}
