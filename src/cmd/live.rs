//! What `falcorc run` and `falcorc record` share: the rules -> engine step, alert
//! printing, the drop alert and the statistics line.

pub use super::engine::Format;
use super::engine::load;
use super::replay::hostname;
use super::selection::Selection;
use super::{EXIT_USAGE, load_files};
use falcorc_compiler::SourceFile;
use falcorc_runtime::engine::{Engine, Selector};
use falcorc_runtime::fields::FieldCtx;
use falcorc_runtime::output::{Alert, Outputs};
use falcorc_runtime_ebpf::wire::Counters;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The default ruleset, used when no `-r` is given.
pub const DEFAULT_RULES: &str = include_str!("../../rules/falcorc_rules.yaml");

/// Compiled rules, ready for events.
pub struct Rules {
    pub engine: Engine,
    pub outputs: Outputs,
    pub hostname: String,
    pub format: Format,
    matched: Vec<usize>,
    /// Alerts per rule index.
    pub alerts: Vec<u64>,
}

/// Loads `paths` (or the embedded default ruleset) into an engine; errors are printed
/// and become an exit code.
pub fn compile(
    paths: &[PathBuf],
    selectors: Vec<Selector>,
    selection: &Selection,
    format: Format,
    host: Option<String>,
) -> Result<Rules, u8> {
    let files = if paths.is_empty() {
        vec![SourceFile {
            name: "rules/falcorc_rules.yaml (embedded)".into(),
            text: DEFAULT_RULES.into(),
        }]
    } else {
        load_files(paths).map_err(|e| {
            eprintln!("falcorc: {e}");
            EXIT_USAGE
        })?
    };
    let (engine, outputs) = load(files, selectors, selection, format, "")?;
    let alerts = vec![0; engine.program.rules.len()];
    Ok(Rules {
        engine,
        outputs,
        hostname: hostname(host),
        format,
        matched: Vec::new(),
        alerts,
    })
}

impl Rules {
    /// Evaluates the rules on one event and prints its alerts.
    pub fn evaluate(&mut self, ctx: &FieldCtx<'_>, out: &mut impl Write) {
        self.matched.clear();
        self.engine.evaluate(ctx.code(), ctx, &mut self.matched);
        for &i in &self.matched {
            self.alerts[i] += 1;
            let alert = self
                .outputs
                .alert(&self.engine.program, i, ctx.ts(), &self.hostname, ctx);
            self.print(&alert, out);
        }
    }

    fn print(&self, alert: &Alert, out: &mut impl Write) {
        let _ = writeln!(out, "{}", self.format.line(alert));
    }

    /// Falco's `syscall_event_drops` alert, for `n` events lost since the last one.
    pub fn drop_alert(&self, n: u64, counters: &Counters, out: &mut impl Write) {
        let ts = now_ns();
        let msg = format!("Falco internal: syscall event drop. {n} system calls dropped in last second.");
        let alert = Alert {
            ts,
            rule: "Falco internal: syscall event drop".into(),
            priority: "Debug",
            source: "internal".into(),
            tags: Vec::new(),
            hostname: self.hostname.clone(),
            message: msg,
            fields: vec![
                ("ebpf_enabled".into(), "1".into()),
                ("n_drops".into(), n.to_string().into()),
                ("n_drops_buffer_total".into(), counters.drops.to_string().into()),
                ("n_evts".into(), (counters.sent + counters.drops).to_string().into()),
            ],
        };
        self.print(&alert, out);
    }

    /// Per-rule alert counts, most first.
    pub fn rule_counts(&self) -> Vec<(u64, &str)> {
        let mut v: Vec<(u64, &str)> = self
            .alerts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (*n, self.engine.rule(i).name.as_str()))
            .collect();
        v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        v
    }
}

pub fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Periodic statistics: events/s and drops over the interval.
pub struct StatsClock {
    start: Instant,
    last: Instant,
    last_events: u64,
    last_drops: u64,
}

impl StatsClock {
    pub fn new() -> StatsClock {
        let now = Instant::now();
        StatsClock {
            start: now,
            last: now,
            last_events: 0,
            last_drops: 0,
        }
    }

    /// Whether `every` passed since the last report.
    pub fn due(&self, every: Duration) -> bool {
        self.last.elapsed() >= every
    }

    /// One stats report on stderr; `final_` reports the whole run.
    pub fn report(&mut self, events: u64, c: &Counters, rules: Option<&Rules>, final_: bool) {
        let (secs, ev, drops) = if final_ {
            (self.start.elapsed().as_secs_f64(), events, c.drops)
        } else {
            (
                self.last.elapsed().as_secs_f64(),
                events - self.last_events,
                c.drops - self.last_drops,
            )
        };
        let label = if final_ { "final" } else { "stats" };
        eprintln!(
            "falcorc {label}: {:.0} events/s ({ev} events in {secs:.1} s), {drops} dropped ({:.2} %), {} oversized, alerts: {}",
            ev as f64 / secs.max(1e-9),
            100.0 * drops as f64 / (ev + drops).max(1) as f64,
            c.oversized,
            rules.map_or(0, |r| r.alerts.iter().sum::<u64>()),
        );
        if let Some(r) = rules {
            for (n, name) in r.rule_counts() {
                eprintln!("  {n:8}  {name}");
            }
        }
        self.last = Instant::now();
        self.last_events = events;
        self.last_drops = c.drops;
    }

    pub fn started_at(&self) -> Instant {
        self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(format: Format) -> Rules {
        let dir = std::env::temp_dir().join(format!("falcorc-live-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let f = dir.join("r.yaml");
        std::fs::write(
            &f,
            "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n",
        )
        .expect("rules");
        let r = compile(&[f], Vec::new(), &Selection::default(), format, Some("h".into()));
        let _ = std::fs::remove_dir_all(&dir);
        r.unwrap_or_else(|code| panic!("rules did not compile: exit code {code}"))
    }

    #[test]
    fn drop_alert_is_falcos_internal_alert() {
        let c = Counters {
            sent: 90,
            drops: 10,
            ..Counters::default()
        };
        let mut out = Vec::new();
        rules(Format::Text).drop_alert(7, &c, &mut out);
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.trim_end()
                .ends_with("Debug Falco internal: syscall event drop. 7 system calls dropped in last second."),
            "{text}"
        );
        let mut out = Vec::new();
        rules(Format::Json).drop_alert(7, &c, &mut out);
        let v: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(v["rule"], "Falco internal: syscall event drop");
        assert_eq!(v["output_fields"]["n_drops"], "7");
        assert_eq!(v["output_fields"]["n_evts"], "100");
        assert_eq!(v["hostname"], "h");
    }

    #[test]
    fn bad_rules_are_an_exit_code_not_a_panic() {
        let missing = PathBuf::from("/nonexistent/falcorc/rules.yaml");
        let r = compile(&[missing], Vec::new(), &Selection::default(), Format::Text, None);
        assert_eq!(r.err(), Some(EXIT_USAGE));
    }

    #[test]
    fn the_embedded_default_ruleset_compiles() {
        let r = compile(&[], Vec::new(), &Selection::default(), Format::Text, None).ok();
        assert!(r.is_some_and(|r| r.engine.active_rules() > 0));
    }
}
