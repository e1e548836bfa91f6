//! A container rule whose alert does not say which container.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::output::OutputPart;

pub const META: Meta = Meta {
    name: "container-output-missing-id",
    category: Category::Suspicious,
    default: Level::Allow,
    summary: "A rule tagged `container` does not print `%container.id` or `%container.name`",
    what: "Reports rules with the `container` tag whose output has neither `%container.id` nor `%container.name`.",
    why: "A responder needs to know which container to inspect or stop. Falco can append container fields through `append_output` in its configuration, so this is off by default; turn it on where outputs must stand on their own.",
    bad: "- rule: Shell in container\n  desc: A shell was started in a container\n  condition: evt.type = execve and proc.name = bash and container.id != host\n  output: Shell in container (proc=%proc.name)\n  priority: NOTICE\n  tags: [container, shell]\n",
    good: "- rule: Shell in container\n  desc: A shell was started in a container\n  condition: evt.type = execve and proc.name = bash and container.id != host\n  output: Shell in container (proc=%proc.name container=%container.id image=%container.image.repository)\n  priority: NOTICE\n  tags: [container, shell]\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for (def, info) in cx.rule_pairs() {
        if !info.tags.contains("container") || info.output.is_empty() {
            continue;
        }
        let names = info.output_parts.iter().any(|p| {
            matches!(p, OutputPart::Field { field, .. } if matches!(field.name.as_str(), "container.id" | "container.name"))
        });
        if names {
            continue;
        }
        let d = out
            .diag(
                def.output_span,
                "this container rule's output does not say which container",
            )
            .primary_label("no %container.id or %container.name")
            .in_item("rule output", &info.name)
            .help("add `container=%container.id` (and the image, `%container.image.repository`)");
        out.emit(d);
    }
}
