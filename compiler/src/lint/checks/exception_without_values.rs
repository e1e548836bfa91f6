//! An exception that has fields but never gets values.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "exception-without-values",
    category: Category::Style,
    default: Level::Allow,
    summary: "An exception has no values, so it excludes nothing",
    what: "Reports exceptions that still have no `values` after every file is loaded.",
    why: "An exception without values adds nothing to the condition. Falco's own rules declare such exceptions on purpose, as places for a local rules file to append values, so this is off by default; in a team's final ruleset it usually means the values were forgotten.",
    bad: "- rule: Write below etc\n  desc: A file below /etc was opened for writing\n  condition: evt.type = openat and evt.is_open_write = true and fd.name startswith /etc/\n  output: Write below etc (file=%fd.name proc=%proc.name)\n  priority: ERROR\n  exceptions:\n    - name: known_writers\n      fields: [proc.name, fd.name]\n",
    good: "- rule: Write below etc\n  desc: A file below /etc was opened for writing\n  condition: evt.type = openat and evt.is_open_write = true and fd.name startswith /etc/\n  output: Write below etc (file=%fd.name proc=%proc.name)\n  priority: ERROR\n  exceptions:\n    - name: known_writers\n      fields: [proc.name, fd.name]\n      values:\n        - [dpkg, /etc/passwd]\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for r in &cx.col.rules {
        for ex in &r.exceptions {
            if !ex.values.is_empty() {
                continue;
            }
            let d = out
                .diag(
                    ex.name.file_span(),
                    format!("exception '{}' has no values: it excludes nothing", ex.name.value),
                )
                .in_item("rule", &r.name.value)
                .help("add `values:`, or append them from a local rules file with `override: {exceptions: append}`");
            out.emit(d);
        }
    }
}
