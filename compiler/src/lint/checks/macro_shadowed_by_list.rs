//! A macro and a list with the same name: the list wins everywhere.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "macro-shadowed-by-list",
    category: Category::Correctness,
    default: Level::Warn,
    summary: "A macro has the name of a list, so the list is substituted where the macro is meant",
    what: "Reports a macro whose name is also the name of a list.",
    why: "Falco substitutes lists into condition text before it resolves macros, so every use of the name becomes the list's items: the macro's condition is never used, and the condition usually no longer parses or means something else.",
    bad: "- list: shell_procs\n  items: [bash, sh]\n\n- macro: shell_procs\n  condition: proc.name in (bash, sh)\n\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and shell_procs\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- list: shell_binaries\n  items: [bash, sh]\n\n- macro: shell_procs\n  condition: proc.name in (shell_binaries)\n\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and shell_procs\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for m in &cx.col.macros {
        let Some(list) = cx.col.list(&m.name.value) else {
            continue;
        };
        let d = out
            .diag(
                m.name.file_span(),
                format!(
                    "macro '{}' has the name of a list; the list is substituted wherever the name is used",
                    m.name.value
                ),
            )
            .primary_label("never used: the list of this name replaces it")
            .label(list.name.file_span(), "the list of the same name")
            .in_item("macro", &m.name.value)
            .help("rename the macro or the list");
        out.emit(d);
    }
}
