//! What `falcorc run` and `falcorc record` share: the rules -> engine step, alert
//! printing through the output queue, the drop alert, the statistics line, and the
//! validated durations of their options.

pub use super::engine::Format;
use super::engine::{Say, load};
use super::log::Log;
use super::replay::hostname;
use super::selection::Selection;
use super::{EXIT_USAGE, load_files};
use falcorc_compiler::SourceFile;
use falcorc_runtime::engine::{Engine, Selector};
use falcorc_runtime::event::Event;
use falcorc_runtime::output::set::OutputSet;
use falcorc_runtime::output::sink::{Line, level_of};
use falcorc_runtime::output::style::Style;
use falcorc_runtime::output::{Alert, OutputCounters, Outputs};
use falcorc_runtime::state::Tracker;
use falcorc_runtime_ebpf::signals;
use falcorc_runtime_ebpf::wire::Counters;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Compiled rules, ready for events.
pub struct Rules {
    pub engine: Engine,
    pub outputs: Outputs,
    pub hostname: String,
    pub style: Style,
    /// The rules files' digest, as a bundle of them states it (`sha256:...`).
    pub digest: String,
    matched: Vec<usize>,
    /// Alerts per rule index.
    pub alerts: Vec<u64>,
}

fn line(style: &Style, alert: &Alert) -> Line {
    Line::new(level_of(alert.priority), style.line(alert))
}

/// The rules files at `paths` (or the embedded default ruleset), read; an error goes to
/// `say` (followed by `consequence`) and becomes an exit code.
pub fn read_rules(paths: &[PathBuf], consequence: &str, say: Say<'_>) -> Result<Vec<SourceFile>, u8> {
    if paths.is_empty() {
        return Ok(super::default_rules::files());
    }
    load_files(paths).map_err(|e| {
        say(format!("falcorc: {e}{consequence}"));
        EXIT_USAGE
    })
}

/// Compiles `files` into an engine; errors go to `say` (their count followed by
/// `consequence`) and become an exit code.
pub fn compile(
    files: Vec<SourceFile>,
    selectors: Vec<Selector>,
    selection: &Selection,
    style: Style,
    host: Option<String>,
    consequence: &str,
    say: Say<'_>,
) -> Result<Rules, u8> {
    let digest = falcorc_runtime::bundle::digest(&files);
    let format = if style.json { Format::Json } else { Format::Text };
    let (engine, outputs) = load(files, selectors, selection, format, consequence, say)?;
    let outputs = outputs.time_key(style.time_key());
    let alerts = vec![0; engine.program.rules.len()];
    Ok(Rules {
        engine,
        outputs,
        hostname: hostname(host),
        style,
        digest,
        matched: Vec::new(),
        alerts,
    })
}

impl Rules {
    /// Hands one event to the tracker and evaluates the rules on it, queueing its alerts on
    /// every output (never blocks: a full queue drops them, counted). An event no rule
    /// listens to only updates the state: its field context is not even built (half of the
    /// events of a file workload are closes, which no stable rule reads).
    pub fn on_event(&mut self, tracker: &mut Tracker, ev: &Event<'_>, out: &mut OutputSet) {
        let Rules {
            engine,
            outputs,
            hostname,
            style,
            matched,
            alerts,
            ..
        } = self;
        tracker.on_event_if(
            ev,
            |code| engine.wants(code),
            |ctx| {
                matched.clear();
                engine.evaluate(ctx.code(), ctx, matched);
                for &i in matched.iter() {
                    alerts[i] += 1;
                    let alert = outputs.alert(&engine.program, i, ctx.ts(), hostname, ctx);
                    out.send(line(style, &alert));
                }
            },
        );
    }

    /// Falco's `syscall_event_drops` alert, for `n` events lost since the last one, as
    /// an output line.
    pub fn drop_alert(&self, n: u64, counters: &Counters) -> Line {
        let ts = now_ns();
        let msg = format!("Falco internal: syscall event drop. {n} system calls dropped in last second.");
        let alert = Alert {
            ts,
            rule: "Falco internal: syscall event drop".into(),
            priority: "Debug",
            source: "internal".into(),
            tags: std::sync::Arc::from([]),
            hostname: self.hostname.clone(),
            message: msg,
            fields: vec![
                ("ebpf_enabled".into(), "1".into()),
                ("n_drops".into(), n.to_string().into()),
                ("n_drops_buffer_total".into(), counters.drops.to_string().into()),
                ("n_evts".into(), (counters.sent + counters.drops).to_string().into()),
            ],
        };
        line(&self.style, &alert)
    }

    /// Takes over the alert counts of `old`'s rules that have the same name here (after a
    /// reload, a rule's counter goes on rather than restarting at 0).
    pub fn carry_counts(&mut self, old: &Rules) {
        let before: std::collections::HashMap<&str, u64> = old
            .engine
            .program
            .rules
            .iter()
            .zip(&old.alerts)
            .map(|(r, n)| (r.name.as_str(), *n))
            .collect();
        for (r, n) in self.engine.program.rules.iter().zip(&mut self.alerts) {
            *n = before.get(r.name.as_str()).copied().unwrap_or(0);
        }
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

    /// One stats report on stderr; `final_` reports the whole run. `output_drops`: alerts
    /// the output lost so far ([`OutputCounters::lost`]).
    pub fn report(
        &mut self,
        log: &mut Log,
        events: u64,
        c: &Counters,
        rules: Option<&Rules>,
        output_drops: u64,
        final_: bool,
    ) {
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
        log.line(format!(
            "falcorc {label}: {:.0} events/s ({ev} events in {secs:.1} s), {drops} dropped ({:.2} %), {} oversized, {} failed opens left in the kernel, alerts: {}, output drops: {output_drops}",
            ev as f64 / secs.max(1e-9),
            100.0 * drops as f64 / (ev + drops).max(1) as f64,
            c.oversized,
            c.failed_opens,
            rules.map_or(0, |r| r.alerts.iter().sum::<u64>()),
        ));
        if let Some(r) = rules {
            for (n, name) in r.rule_counts() {
                log.line(format!("  {n:8}  {name}"));
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

/// Largest value of a duration or interval option (`--duration`, `--stats-interval`):
/// one year, in seconds. Anything larger is a usage error, not an overflow.
pub const MAX_SECONDS: u64 = 31_536_000;

/// clap value parser of a number of seconds: finite, greater than 0 (and not below a
/// nanosecond), at most [`MAX_SECONDS`]. The messages name the value.
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| !v.is_nan())
        .ok_or_else(|| format!("'{s}' is not a number of seconds"))?;
    if v <= 0.0 {
        return Err(format!("'{s}' seconds is not greater than 0"));
    }
    if v > MAX_SECONDS as f64 {
        return Err(format!(
            "'{s}' seconds is more than the maximum, {MAX_SECONDS} (one year)"
        ));
    }
    let d = Duration::from_secs_f64(v);
    if d.is_zero() {
        return Err(format!("'{s}' seconds is less than a nanosecond"));
    }
    Ok(d)
}

/// After a stop signal, how long the output may take to write what is queued, counted
/// from when the event loop stopped (the final drain of the ring buffer and the probe's
/// detach happen within it). With the time to notice the signal (a poll hands out
/// records for at most 100 ms, after waiting at most 50 ms), the process exits within
/// 1 s of SIGINT or SIGTERM even when its standard output is blocked.
pub const FLUSH_ON_SIGNAL: Duration = Duration::from_millis(500);

/// At the end of `--duration` (or of the recorded command), how long the output may take
/// to catch up; a stop signal meanwhile ends the wait at once.
pub const FLUSH_AT_END: Duration = Duration::from_secs(2);

/// Closes the outputs once the event loop stopped at `stopped_at`: [`FLUSH_ON_SIGNAL`]
/// after a stop signal, else [`FLUSH_AT_END`] unless a signal arrives meanwhile.
pub fn finish_output(out: OutputSet, stopped_at: Instant) -> Vec<(String, OutputCounters)> {
    let signalled = signals::stop_requested();
    let grace = if signalled { FLUSH_ON_SIGNAL } else { FLUSH_AT_END };
    out.finish_unless(stopped_at + grace, &|| !signalled && signals::stop_requested())
}

/// The end-of-run lines about alerts each output lost, if any.
/// What reading /proc for threads the stream never introduced came to (nothing when none
/// were met: their clone records were all there).
pub fn report_lookups(l: &falcorc_runtime_ebpf::lookup::Lookups, log: &mut Log) {
    if l.found + l.missed > 0 {
        log.line(format!(
            "falcorc: {} threads the event stream had not introduced were read from /proc, {} left without their details",
            l.found, l.missed
        ));
    }
}

pub fn report_output(outputs: &[(String, OutputCounters)], log: &mut Log) {
    for (name, c) in outputs {
        if c.dropped + c.abandoned > 0 {
            log.line(format!(
                "falcorc: {} alerts dropped: {name} did not keep up ({} with its queue full, {} still queued at exit)",
                c.dropped + c.abandoned,
                c.dropped,
                c.abandoned
            ));
        }
        if c.failed > 0 {
            log.line(format!(
                "falcorc: {} alerts lost to write errors on {name}: {}",
                c.failed,
                c.error.as_deref().unwrap_or("unknown error")
            ));
        }
    }
}

/// Alerts lost so far over every output (for the statistics line).
pub fn lost(outputs: &[(String, OutputCounters)]) -> u64 {
    outputs.iter().map(|(_, c)| c.lost()).sum()
}

/// The live commands write to pipes through worker threads: a reader that went away must
/// be a write error (EPIPE) the queue counts and `run` acts on, not SIGPIPE ending the
/// process before its final statistics (`main` restores the default for the filters).
pub fn ignore_sigpipe() {
    // SAFETY: changing one signal's disposition to "ignore"; no handler runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// The rate-limited warning while an output falls behind: at its first drop, then at
/// most once every 30 s.
pub struct OutputWatch {
    /// Per output: (lost when last reported, when).
    seen: Vec<(u64, Option<Instant>)>,
}

impl OutputWatch {
    const EVERY: Duration = Duration::from_secs(30);

    pub fn new() -> OutputWatch {
        OutputWatch { seen: Vec::new() }
    }

    /// Looks at the queues' counters (cheap: call it every loop).
    pub fn check(&mut self, out: &OutputSet, log: &mut Log) {
        self.seen.resize(out.queues().len(), (0, None));
        for (q, (reported, last)) in out.queues().iter().zip(&mut self.seen) {
            let c = q.counters();
            let lost = c.dropped + c.failed;
            if lost > *reported && last.is_none_or(|t| t.elapsed() >= Self::EVERY) {
                let why = if q.is_closed() {
                    "was closed"
                } else {
                    "is not keeping up"
                };
                let error = c.error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
                log.line(format!(
                    "falcorc: {} {why}{error}: {lost} alerts dropped so far; rules go on being evaluated",
                    q.name()
                ));
                *reported = lost;
                *last = Some(Instant::now());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule, messages on stderr.
    fn plain(paths: &[PathBuf], style: Style, host: Option<String>) -> Result<Rules, u8> {
        let say = &mut super::super::engine::to_stderr;
        let files = read_rules(paths, "", say)?;
        compile(files, Vec::new(), &Selection::default(), style, host, "", say)
    }

    fn rules(style: Style) -> Rules {
        let dir = std::env::temp_dir().join(format!("falcorc-live-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let f = dir.join("r.yaml");
        std::fs::write(
            &f,
            "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n",
        )
        .expect("rules");
        let r = plain(&[f], style, Some("h".into()));
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
        let line = rules(Style::TEXT).drop_alert(7, &c);
        assert_eq!(line.level, 7, "Debug");
        let text = line.text;
        assert!(
            text.ends_with("Debug Falco internal: syscall event drop. 7 system calls dropped in last second."),
            "{text}"
        );
        let out = rules(Style::JSON).drop_alert(7, &c);
        let v: serde_json::Value = serde_json::from_str(&out.text).expect("JSON");
        assert_eq!(v["rule"], "Falco internal: syscall event drop");
        assert_eq!(v["output_fields"]["n_drops"], "7");
        assert_eq!(v["output_fields"]["n_evts"], "100");
        assert_eq!(v["hostname"], "h");
    }

    #[test]
    fn bad_rules_are_an_exit_code_not_a_panic() {
        let missing = PathBuf::from("/nonexistent/falcorc/rules.yaml");
        assert_eq!(plain(&[missing], Style::TEXT, None).err(), Some(EXIT_USAGE));
    }

    #[test]
    fn seconds_are_finite_positive_and_at_most_a_year() {
        assert_eq!(parse_seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_seconds("31536000"), Ok(Duration::from_secs(MAX_SECONDS)));
        assert_eq!(parse_seconds("1e-9"), Ok(Duration::from_nanos(1)));
        for (bad, why) in [
            ("nan", "is not a number"),
            ("NaN", "is not a number"),
            ("abc", "is not a number"),
            ("", "is not a number"),
            ("0", "not greater than 0"),
            ("-0", "not greater than 0"),
            ("-1", "not greater than 0"),
            ("-inf", "not greater than 0"),
            ("inf", "more than the maximum"),
            ("31536000.5", "more than the maximum"),
            ("1e20", "more than the maximum"),
            ("1e30", "more than the maximum"),
            ("1e-10", "less than a nanosecond"),
        ] {
            let e = parse_seconds(bad).expect_err(bad);
            assert!(e.contains(why) && e.contains(&format!("'{bad}'")), "{bad}: {e}");
        }
    }

    #[test]
    fn the_embedded_default_ruleset_compiles() {
        let r = plain(&[], Style::TEXT, None).ok();
        assert!(r.is_some_and(|r| r.engine.active_rules() > 0));
    }
}
