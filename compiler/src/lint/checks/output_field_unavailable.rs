//! `%fd.name` in the output of a rule whose events have no file descriptor.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::catalog::{self, FieldClass, event_flags};
use crate::sema::output::OutputPart;

pub const META: Meta = Meta {
    name: "output-field-unavailable",
    category: Category::Correctness,
    default: Level::Warn,
    summary: "An output field is never set on the rule's event types",
    what: "Reports `%fd.*` fields in the output of a rule whose event types have no file descriptor, and `%evt.arg.NAME` / `%evt.rawarg.NAME` where none of the rule's events has a parameter NAME.",
    why: "The alert then always prints `<NA>` where the responder expects the file or the argument: the information needed to act on the alert is missing, and nobody notices until an incident.",
    bad: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (file=%fd.name proc=%proc.name)\n  priority: NOTICE\n",
    good: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (exe=%proc.exepath proc=%proc.name)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for (def, info) in cx.rule_pairs() {
        let Some(codes) = super::rule_exit_codes(info) else {
            continue;
        };
        let has_fd = codes.iter().any(|c| event_flags::has_fd(*c));
        for part in &info.output_parts {
            let OutputPart::Field { field, .. } = part else {
                continue;
            };
            if !field.name.starts_with("fd.") && !field.name.starts_with("evt.") {
                continue; // only fd and event-argument fields depend on the event type
            }
            let Some((fdef, suffix)) = catalog::lookup(&field.name) else {
                continue;
            };
            let why = if fdef.class == FieldClass::Fd && !has_fd {
                "these events have no file descriptor".to_string()
            } else if let Some(param) = super::unknown_event_argument::param_name(fdef.name, suffix, field)
                && !super::unknown_event_argument::any_has_param(&codes, param)
            {
                format!("none of these events has a parameter '{param}'")
            } else {
                continue;
            };
            let span = def.output.map(field.name_span, def.output_span);
            let d = out
                .diag(
                    span,
                    format!(
                        "'%{}' is never set on this rule's events ({}): {why}",
                        field.name,
                        super::event_names(&codes)
                    ),
                )
                .primary_label("always <NA> in the alert")
                .in_item("rule output", &info.name)
                .help("print a field these events set, or restrict the rule to events that set this one");
            out.emit(d);
        }
    }
}
