//! `falcorc run`: live detection. The probe's events go through the state tracker and
//! the rules as they happen; alerts are printed in Falco's text or JSON format, through
//! a bounded queue and a writer thread, so a blocked standard output drops alerts
//! (counted) instead of stalling evaluation or the exit on SIGINT/SIGTERM. Messages on
//! standard error go through a queue of their own ([`Log`]). A closed standard output
//! (`falcorc run | head`) ends the run as a stop signal would, with its final statistics.

use super::live::{
    Format, OutputWatch, StatsClock, compile, finish_output, ignore_sigpipe, lost, parse_seconds, report_output,
};
use super::log::{self, Log};
use super::outputs;
use super::selection::Selection;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use falcorc_runtime::config::{self, Config, RuleMatching};
use falcorc_runtime::engine::Selector;
use falcorc_runtime::output::style::Style;
use falcorc_runtime_ebpf::probe::ProbeOptions;
use falcorc_runtime_ebpf::session::{POLL_INTERVAL, Session};
use falcorc_runtime_ebpf::{signals, syscalls};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Rules files or directories, loaded in order (default: the configuration's
    /// `rules_files`, else the embedded ruleset).
    #[arg(short = 'r', long = "rules", num_args = 1)]
    rules: Vec<PathBuf>,
    /// A Falco configuration file (falco.yaml): outputs, JSON, rule selection
    /// (docs/CONFIG.md says which keys falcorc reads).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Set a configuration key, as Falco's `-o`: `json_output=true`,
    /// `file_output.filename=/var/log/falcorc.log`, `rules_files[]=extra.yaml`.
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    option: Vec<String>,
    /// Alert format (default: the configuration's `json_output`, else text).
    #[arg(long, value_enum)]
    format: Option<Format>,
    #[command(flatten)]
    selection: Selection,
    /// Host name in alerts (default: $FALCO_HOSTNAME, then this machine's name).
    #[arg(long)]
    hostname: Option<String>,
    /// Print events/s, drops and alerts per rule every this many seconds (on stderr;
    /// greater than 0, at most 31536000: one year).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, allow_negative_numbers = true)]
    stats_interval: Option<Duration>,
    /// Stop after this many seconds (greater than 0, at most 31536000: one year; default:
    /// until SIGINT or SIGTERM, which stop it within 1 s).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, allow_negative_numbers = true)]
    duration: Option<Duration>,
    /// Ring buffer size in MiB (a power of two). Mapped twice, so it counts double in
    /// resident memory; 4 MiB kept up with two cores of open/close loops without a drop
    /// (docs/PERFORMANCE.md).
    #[arg(long, default_value_t = 4, value_parser = parse_buffer_mb)]
    buffer_mb: u32,
    /// Also send the events no rule needs (all the probe knows).
    #[arg(long)]
    all_events: bool,
}

pub fn parse_buffer_mb(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if n.is_power_of_two() && n <= 1024 => Ok(n),
        _ => Err(format!("'{s}' is not a power of two between 1 and 1024")),
    }
}

/// Drop alerts are rate-limited like Falco's (one per 30 s at most).
const DROP_ALERT_EVERY: Duration = Duration::from_secs(30);

/// Without `-c`, falcorc's defaults: alerts on standard output, ISO-8601 times.
const DEFAULTS: &[&str] = &["stdout_output.enabled=true", "time_format_iso_8601=true"];

/// The configuration file and `-o` options, with every problem printed; errors are a
/// usage error before anything starts.
fn configuration(a: &Args) -> Result<Config, u8> {
    let mut options: Vec<String> = Vec::new();
    if a.config.is_none() {
        options.extend(DEFAULTS.iter().map(|s| s.to_string()));
    }
    options.extend(a.option.iter().cloned());
    match config::load(a.config.as_deref(), &options) {
        Ok(l) => {
            for w in &l.warnings {
                eprintln!("falcorc: warning: {w}");
            }
            Ok(l.config)
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("falcorc: error: {e}");
            }
            let n = errors.len();
            let s = if n == 1 { "" } else { "s" };
            eprintln!("falcorc: the configuration has {n} error{s}; nothing started");
            Err(EXIT_USAGE)
        }
    }
}

pub fn run(a: Args, cli_selectors: Vec<Selector>) -> u8 {
    let config = match configuration(&a) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let style = Style {
        json: a.format.map_or(config.json_output, |f| f.style().json),
        iso8601: config.time_format_iso_8601,
        include_output: config.json_include_output_property,
        include_tags: config.json_include_tags_property,
        include_message: config.json_include_message_property,
        include_output_fields: config.json_include_output_fields_property,
    };
    // `-r` replaces the configuration's rules files, as in Falco; selections add up.
    let rule_files = if a.rules.is_empty() {
        &config.rules_files
    } else {
        &a.rules
    };
    let mut selectors = config.selectors.clone();
    selectors.extend(cli_selectors);
    let mut selection = a.selection.clone();
    selection.min_priority = selection.min_priority.min(config.priority);
    if config.rule_matching == RuleMatching::All {
        selection.rule_matching = super::selection::Matching::All;
    }
    // Opened now (errors before anything starts); their threads start after the
    // capabilities are dropped.
    let prepared = match outputs::prepare(&config) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("falcorc: {e}");
            return EXIT_USAGE;
        }
    };
    let mut rules = match compile(rule_files, selectors, &selection, style, a.hostname.clone()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let engine = &rules.engine;
    // Only event types a rule names: a rule without a filter is said once, not as the
    // list of every event type the probe does not produce.
    let missing = syscalls::unsupported(|c| engine.names(c));
    if !missing.is_empty() {
        eprintln!(
            "falcorc: the live probe does not produce these event types, rules on them stay silent: {}",
            missing.join(", ")
        );
    }
    if let [first, rest @ ..] = engine.broad_rules() {
        let others = match rest.len() {
            0 => String::new(),
            n => format!(" (and {n} more)"),
        };
        eprintln!(
            "falcorc: rule '{}'{others} has no event-type filter: it runs on every event the probe produces",
            engine.rule(*first).name
        );
    }
    let slots = syscalls::filter_slots(a.all_events, |c| engine.wants(c));
    let bound = match super::web::bind(&config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("falcorc: {e}");
            return EXIT_USAGE;
        }
    };
    signals::install();
    signals::install_hangup();
    ignore_sigpipe();
    // No thread of ours exists yet: the probe is loaded and the state seeded with every
    // capability, then the process keeps only what it still needs, and only then do the
    // output, log and web server threads start (they inherit the lowered sets).
    let mut session = match Session::start(&ProbeOptions {
        slots,
        ring_bytes: a.buffer_mb << 20,
    }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("falcorc: {e}");
            return EXIT_ERRORS;
        }
    };
    let mut tracker = match session.tracker() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("falcorc: cannot seed the state from /proc: {e}");
            return EXIT_ERRORS;
        }
    };
    if let Err(e) = falcorc_runtime_ebpf::caps::drop_to_runtime_needs() {
        eprintln!("falcorc: warning: cannot drop capabilities: {e}");
    }
    let mut log = Log::stderr();
    let mut out = match prepared.start() {
        Ok(o) => o,
        Err(e) => {
            return log.abort(format!("falcorc: {e}"), EXIT_ERRORS);
        }
    };
    let mut web = match bound.map(super::web::Bound::serve).transpose() {
        Ok(w) => w.map(|(w, addr)| {
            log.line(format!("falcorc: web server on http://{addr}"));
            w
        }),
        Err(e) => {
            return log.abort(format!("falcorc: {e}"), EXIT_ERRORS);
        }
    };
    tracker.set_hostname(rules.hostname.clone());
    log.line(format!(
        "falcorc: live, {} rules active, {} processes from /proc",
        rules.engine.active_rules(),
        session.snapshot.threads.len()
    ));
    let mut watch = OutputWatch::new();
    let mut stats = StatsClock::new();
    // At most a year (parse_seconds): the sum cannot overflow.
    let until = a.duration.and_then(|d| Instant::now().checked_add(d));
    let (mut drops_seen, mut last_drop_check, mut last_drop_alert) = (0u64, Instant::now(), None::<Instant>);
    while !signals::stop_requested() && until.is_none_or(|u| Instant::now() < u) && !out.all_closed() {
        session.poll(POLL_INTERVAL, |ev| {
            tracker.on_event(ev, |ctx| rules.evaluate(ctx, &mut out));
        });
        if last_drop_check.elapsed() >= Duration::from_secs(1) {
            last_drop_check = Instant::now();
            let c = session.counters();
            if c.drops > drops_seen && last_drop_alert.is_none_or(|t| t.elapsed() >= DROP_ALERT_EVERY) {
                out.send(rules.drop_alert(c.drops - drops_seen, &c));
                last_drop_alert = Some(Instant::now());
            }
            drops_seen = c.drops;
        }
        if let Some(w) = web.as_mut().filter(|w| w.due()) {
            w.publish(&super::web::Now {
                events: session.events,
                counters: &session.counters(),
                threads: tracker.threads(),
                rules: &rules,
                outputs: &out,
            });
        }
        if signals::take_hangup() {
            out.reopen();
            log.line("falcorc: SIGHUP: output files reopened".into());
        }
        watch.check(&out, &mut log);
        if let Some(every) = a.stats_interval
            && stats.due(every)
        {
            let lost = out.lost();
            stats.report(&mut log, session.events, &session.counters(), Some(&rules), lost, false);
        }
    }
    let stopped_at = Instant::now();
    if out.all_closed() {
        log.line("falcorc: stdout was closed; stopping".into());
    }
    // Drain what is already in the ring buffer (one bounded poll), then detach (dropping
    // the session) and give the output until its deadline.
    session.poll(Duration::ZERO, |ev| {
        tracker.on_event(ev, |ctx| rules.evaluate(ctx, &mut out));
    });
    let counters = session.counters();
    let events = session.events;
    drop(session);
    let output = finish_output(out, stopped_at);
    stats.report(&mut log, events, &counters, Some(&rules), lost(&output), true);
    report_output(&output, &mut log);
    log.finish(Instant::now() + log::FLUSH);
    EXIT_OK
}
