//! `items: [bash, sh, bash]`.

use crate::diag::Applicability;
use crate::hash::FastMap as HashMap;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "duplicate-list-item",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "A list holds the same item twice",
    what: "Reports an item that repeats an earlier item of the same list, counting items added by `append` or `override` in any file.",
    why: "The repetition changes nothing, so it usually hides a mistake: a different value was meant, or an append repeats what the base list already has (and will keep doing so when the base list changes).",
    bad: "- list: shell_binaries\n  items: [bash, sh, zsh, bash]\n\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (shell_binaries)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- list: shell_binaries\n  items: [bash, sh, zsh]\n\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (shell_binaries)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: Some(Applicability::Safe),
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for l in &cx.col.lists {
        let mut seen = HashMap::default();
        let mut prev = None;
        for it in &l.items {
            let span = it.file_span();
            if let Some(&first) = seen.get(it.value.as_str()) {
                let mut d = out
                    .diag(span, format!("'{}' is already an item of this list", it.value))
                    .primary_label("repeated")
                    .label(first, "first occurrence")
                    .in_item("list", &l.name.value);
                if let Some(p) = prev
                    && let Some(fix) = super::delete_entry(cx, p, span, "remove the repeated item")
                {
                    d = d.with_fix(fix);
                }
                out.emit(d);
            } else {
                seen.insert(it.value.as_str(), span);
            }
            prev = Some(span);
        }
    }
}
