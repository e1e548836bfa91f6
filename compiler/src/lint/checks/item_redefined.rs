//! The same rule, macro or list defined twice in one file.

use crate::hash::FastMap as HashMap;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "item-redefined",
    category: Category::Correctness,
    default: Level::Warn,
    summary: "A rule, macro or list is defined twice in the same file",
    what: "Reports a second definition (no `append`, no `override`) of a rule, macro or list in the file that already defines it.",
    why: "The later definition silently replaces the earlier one: its condition, output and exceptions are gone, and problems in the first definition are never reported because it is never compiled. Redefining in a later file is how Falco's rules are customised; within one file it is a copy-paste mistake.",
    bad: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n\n- rule: Shell started\n  desc: A shell was started in a container\n  condition: evt.type = execve and proc.name = bash and container.id != host\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n\n- rule: Shell started in a container\n  desc: A shell was started in a container\n  condition: evt.type = execve and proc.name = bash and container.id != host\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    let mut first = HashMap::default();
    for w in &cx.items {
        if w.modifies || w.name.is_empty() {
            continue;
        }
        match first.get(&(w.file, w.kind, w.name)) {
            None => {
                first.insert((w.file, w.kind, w.name), w.name_span());
            }
            Some(&earlier) => {
                let kind = w.kind.key();
                let d = out
                    .diag(
                        w.name_span(),
                        format!(
                            "{kind} '{}' is defined again in the same file; this definition replaces the earlier one",
                            w.name
                        ),
                    )
                    .primary_label("replaces the earlier definition")
                    .label(earlier, "first definition, discarded")
                    .in_item(kind, w.name)
                    .help("rename one of them, or add `override:` to say which keys this one changes");
                out.emit(d);
            }
        }
    }
}
