//! `fd.name` tested by a rule whose events have no file descriptor.

use crate::hash::FastSet as HashSet;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::catalog::{self, FieldClass, event_flags};

pub const META: Meta = Meta {
    name: "fd-field-without-fd",
    category: Category::Correctness,
    default: Level::Warn,
    summary: "A condition tests an `fd.*` field, but none of the rule's event types has a file descriptor",
    what: "Reports `fd.*` fields in the condition of a rule whose event types (as Falco computes them from `evt.type`) neither create, use nor close a file descriptor, such as `execve`.",
    why: "On such events every `fd.*` field is empty, so a test like `fd.name startswith /tmp` is never true and the rule never fires (or, under `not`, always passes). It usually means the wrong event type or the wrong field (`proc.exepath`, `evt.arg.filename`).",
    bad: "- rule: Program run from /tmp\n  desc: A program in /tmp was executed\n  condition: evt.type = execve and fd.name startswith /tmp/\n  output: Program run from /tmp (exe=%proc.exepath)\n  priority: WARNING\n",
    good: "- rule: Program run from /tmp\n  desc: A program in /tmp was executed\n  condition: evt.type = execve and proc.exepath startswith /tmp/\n  output: Program run from /tmp (exe=%proc.exepath)\n  priority: WARNING\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    let mut seen = HashSet::default();
    for (_, info) in cx.rule_pairs() {
        let (Some(expr), Some(codes)) = (&info.expr, super::rule_exit_codes(info)) else {
            continue;
        };
        if codes.iter().any(|c| event_flags::has_fd(*c)) {
            continue;
        }
        super::each_field(expr, &mut |f| {
            let is_fd =
                f.name.starts_with("fd.") && catalog::lookup(&f.name).is_some_and(|(d, _)| d.class == FieldClass::Fd);
            if !is_fd || !seen.insert((info.name.as_str(), f.name_span)) {
                return;
            }
            let d = out
                .diag(
                    cx.file_span(f.name_span),
                    format!(
                        "'{}' is never set on this rule's events ({}): they have no file descriptor",
                        f.name,
                        super::event_names(&codes)
                    ),
                )
                .primary_label("always empty here")
                .in_item("rule", &info.name)
                .help("test a field the event has (`proc.exepath`, `evt.arg.*`), or add the event types that carry the fd");
            out.emit(d);
        });
    }
}
