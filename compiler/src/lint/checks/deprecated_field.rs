//! Deprecated fields Falco does not warn about (always empty with current drivers).

use crate::hash::FastSet as HashSet;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::catalog::{self, flags};
use crate::sema::output::OutputPart;

pub const META: Meta = Meta {
    name: "deprecated-field",
    category: Category::Deprecation,
    default: Level::Warn,
    summary: "A condition or output uses a deprecated field that is always empty",
    what: "Reports deprecated fields in conditions and outputs beyond those Falco itself warns about (`evt.dir`, `evt.latency*`, `evt.wait_latency`, reported as `LOAD_DEPRECATED_ITEM`): the container health-probe fields and the `k8s.rc.*`, `k8s.svc.*`, `k8s.rs.*`, `k8s.deployment.*`, `k8s.ns.*` families.",
    why: "These fields are no longer filled by current Falco and its container plugin: a comparison on them is never true and an output prints nothing, while the rules file loads without a warning.",
    bad: "- rule: Shell in deployment\n  desc: A shell in a Kubernetes deployment\n  condition: evt.type = execve and proc.name = bash and k8s.deployment.name != \"\"\n  output: Shell (deployment=%k8s.deployment.name)\n  priority: NOTICE\n",
    good: "- rule: Shell in deployment\n  desc: A shell in a Kubernetes pod\n  condition: evt.type = execve and proc.name = bash and k8s.pod.name != \"\"\n  output: Shell (pod=%k8s.pod.name ns=%k8s.ns.name)\n  priority: NOTICE\n",
    fix: None,
};

/// The deprecated fields Falco's loader already warns about (`LOAD_DEPRECATED_ITEM`).
const FALCO_WARNS: &[&str] = &[
    "evt.dir",
    "evt.latency",
    "evt.latency.s",
    "evt.latency.ns",
    "evt.latency.quantized",
    "evt.latency.human",
    "evt.wait_latency",
];

fn deprecated(name: &str) -> Option<&'static str> {
    // Every deprecated field falcorc does not leave to Falco is in one of these families;
    // the prefix test spares a catalogue lookup per field.
    if !(name.starts_with("k8s.") || name.starts_with("container.") || name.starts_with("proc.is_container_")) {
        return None;
    }
    let (def, _) = catalog::lookup(name)?;
    (def.has(flags::DEPRECATED) && !FALCO_WARNS.contains(&def.name)).then_some(def.name)
}

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        super::each_field(cond, &mut |f| {
            if let Some(name) = deprecated(&f.name) {
                let d = out
                    .diag(w.at(f.name_span), format!("'{name}' is deprecated and always empty"))
                    .primary_label("never set by current Falco")
                    .in_item(w.kind.key(), w.name);
                out.emit(d);
            }
        });
    }
    let mut seen = HashSet::default();
    for (def, info) in cx.rule_pairs() {
        for p in &info.output_parts {
            let OutputPart::Field { field, .. } = p else { continue };
            let Some(name) = deprecated(&field.name) else { continue };
            let span = def.output.map(field.name_span, def.output_span);
            if seen.insert(span) {
                let d = out
                    .diag(span, format!("'{name}' is deprecated and always empty"))
                    .primary_label("prints nothing")
                    .in_item("rule output", &info.name);
                out.emit(d);
            }
        }
    }
}
