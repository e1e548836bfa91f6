//! A syscall rule that runs on every event type, with Falco's warning turned off.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "no-evttype-filter",
    category: Category::Performance,
    default: Level::Allow,
    summary: "A rule runs on every event type while `warn_evttypes: false` hides Falco's warning",
    what: "Reports syscall rules whose condition does not restrict `evt.type` to 100 types or fewer and that set `warn_evttypes: false`, which silences Falco's own `LOAD_NO_EVTTYPE` warning.",
    why: "Such a rule is evaluated on every event the driver sends, the most expensive thing a rule can do. Turning the warning off is sometimes right; this check lets a team require a second look.",
    bad: "- rule: Netcat activity\n  desc: Any activity of netcat\n  condition: proc.name = nc\n  output: Netcat (cmdline=%proc.cmdline)\n  priority: NOTICE\n  warn_evttypes: false\n",
    good: "- rule: Netcat activity\n  desc: netcat started\n  condition: evt.type in (execve, execveat) and proc.name = nc\n  output: Netcat (cmdline=%proc.cmdline)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for (def, info) in cx.rule_pairs() {
        let Some(set) = &info.evttypes else { continue };
        if def.warn_evttypes || set.len() <= 100 {
            continue;
        }
        let d = out
            .diag(
                def.cond_span,
                format!(
                    "this rule runs on {} event types: every event the driver sends",
                    set.len()
                ),
            )
            .in_item("rule", &info.name)
            .help("restrict it with `evt.type in (...)`");
        out.emit(d);
    }
}
