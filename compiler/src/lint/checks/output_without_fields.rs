//! An output with no `%field`.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::output::OutputPart;

pub const META: Meta = Meta {
    name: "output-without-fields",
    category: Category::Style,
    default: Level::Allow,
    summary: "A rule's output prints no field",
    what: "Reports rules whose output has no `%field` reference.",
    why: "An alert that says only \"Shell started\" cannot be acted on: which process, which user, which container? The responder has to go back to the raw events, if they were kept.",
    bad: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: A shell was started\n  priority: NOTICE\n",
    good: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: A shell was started (user=%user.name proc=%proc.cmdline parent=%proc.pname)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for (def, info) in cx.rule_pairs() {
        let fields = info
            .output_parts
            .iter()
            .any(|p| matches!(p, OutputPart::Field { .. } | OutputPart::Transform { .. }));
        if fields || info.skipped.is_some() {
            continue;
        }
        let d = out
            .diag(def.output_span, "this output prints no field")
            .in_item("rule output", &info.name)
            .help("add the fields a responder needs, e.g. `user=%user.name proc=%proc.cmdline`");
        out.emit(d);
    }
}
