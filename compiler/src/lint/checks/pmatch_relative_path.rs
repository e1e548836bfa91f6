//! `pmatch (bin)`: a relative prefix never matches an absolute path.

use crate::hash::FastSet as HashSet;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::ast::Op;

pub const META: Meta = Meta {
    name: "pmatch-relative-path",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "A `pmatch` entry is not an absolute path",
    what: "Reports entries of `pmatch (...)` (after list substitution) that do not start with `/`.",
    why: "`pmatch` tests whether a path lies under one of the given directories, comparing whole path components from the root. The paths Falco reports (`fd.name`, `proc.exepath`) are absolute, so a relative entry like `usr/bin` or a bare name never matches.",
    bad: "- rule: Write below binary dirs\n  desc: A file below a binary directory was opened for writing\n  condition: evt.type = openat and evt.is_open_write = true and fd.name pmatch (usr/bin, /usr/sbin)\n  output: Write below binary dir (file=%fd.name)\n  priority: ERROR\n",
    good: "- rule: Write below binary dirs\n  desc: A file below a binary directory was opened for writing\n  condition: evt.type = openat and evt.is_open_write = true and fd.name pmatch (/usr/bin, /usr/sbin)\n  output: Write below binary dir (file=%fd.name)\n  priority: ERROR\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    let mut seen = HashSet::default();
    super::each_rule_check(cx, &mut |info, c| {
        if c.op != Op::PMatch {
            return;
        }
        for v in super::rhs_values(&c.rhs) {
            if v.text.starts_with('/') || v.text.is_empty() || !seen.insert(v.span) {
                continue;
            }
            let d = out
                .diag(
                    cx.file_span(v.span),
                    format!("'{}' is not an absolute path; pmatch never matches it", v.text),
                )
                .primary_label("relative")
                .in_item("rule", &info.name)
                .help(format!("write the directory from the root: '/{}'", v.text));
            out.emit(d);
        }
    });
}
