//! A rule whose estimated cost on a busy host is high: an expensive test on frequent events.

use crate::cost;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "costly-rule",
    category: Category::Performance,
    default: Level::Warn,
    summary: "A rule is estimated to cost more than 10 ns per event on a busy host",
    what: "Estimates what each syscall rule costs from its expanded condition: every comparison's field extraction and operator, in nanoseconds measured on the JIT engine, weighted by the chance that `and`/`or` evaluation reaches it, times how often the rule's event types occur on a busy host where file and socket IO dominate (the model of `falcorc profile`'s `estimated` column, docs/PERFORMANCE.md). Reports rules above 10 ns per event of that mix, pointing at the comparison that costs the most. Rules on more than 100 event types are left to `no-evttype-filter` and Falco's own warning.",
    why: "The whole stable ruleset of Falco costs a few nanoseconds per event in falcorc; one rule that runs a regular expression, a glob or an ancestor walk on every `read` or `write` multiplies that, on every host it is deployed to. Such costs are invisible in review and show up as dropped events in production.",
    bad: "- rule: Secret in a write\n  desc: A process writes while its command line mentions a secret\n  condition: evt.type in (write, read) and proc.cmdline regex 'secret|token'\n  output: Secret (command=%proc.cmdline)\n  priority: WARNING\n",
    good: "- rule: Secret in a command line\n  desc: A program starts with a secret in its command line\n  condition: evt.type = execve and proc.cmdline regex 'secret|token'\n  output: Secret (command=%proc.cmdline)\n  priority: WARNING\n",
    fix: None,
};

/// Nanoseconds per event of the model mix above which a rule is reported.
pub const BUDGET_NS_PER_EVENT: f64 = 10.0;

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for (def, info) in cx.rule_pairs() {
        let Some(set) = &info.evttypes else { continue };
        if set.len() > 100 || info.skipped.is_some() {
            continue;
        }
        let Some(e) = cost::estimate(info) else { continue };
        let per_event = e.per_1000_events() / 1000.0;
        if per_event < BUDGET_NS_PER_EVENT {
            continue;
        }
        let types = set.names();
        let shown: Vec<&str> = types.iter().take(4).copied().collect();
        let more = if types.len() > 4 { ", …" } else { "" };
        let mut d = out
            .diag(
                def.cond_span,
                format!(
                    "this rule is estimated to cost {per_event:.0} ns per event on a busy host: {:.0} ns per evaluation, on {}{more} ({:.0} of 1000 events)",
                    e.per_eval,
                    shown.join(", "),
                    e.evals_per_1000
                ),
            )
            .in_item("rule", &info.name)
            .help("run it on fewer or rarer event types, and test cheap, selective fields (`proc.name`, `fd.name`) before costly ones (`proc.cmdline`, regexes, globs, ancestors)");
        if let Some((span, share)) = e.costliest {
            d = d.label(
                cx.file_span(span),
                format!("the costliest comparison: about {share:.0} ns per evaluation"),
            );
        }
        out.emit(d);
    }
}
