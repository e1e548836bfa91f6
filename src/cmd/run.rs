//! `falcorc run`: live detection. The probe's events go through the state tracker and
//! the rules as they happen; alerts are printed in Falco's text or JSON format, through
//! a bounded queue and a writer thread, so a blocked standard output drops alerts
//! (counted) instead of stalling evaluation or the exit on SIGINT/SIGTERM. Messages on
//! standard error go through a queue of their own ([`Log`]). A closed standard output
//! (`falcorc run | head`) ends the run as a stop signal would, with its final statistics.
//! SIGHUP reopens the output files and reloads the configuration and rules, as does a
//! change to a watched file (`watch_config_files`): the reload compiles on a thread of
//! its own, then the new rules take over between two events; a reload with errors logs
//! them all and changes nothing.

use super::bundle::{BundleInput, Trigger};
use super::live::{
    FLUSH_AT_END, Format, OutputWatch, Rules, StatsClock, finish_output, ignore_sigpipe, lost, parse_seconds,
    report_output,
};
use super::log::{self, Log};
use super::outputs;
use super::reload::{self, Built, Inputs, Outcome, Ready, Reloader};
use super::selection::Selection;
use super::watch::Watch;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use falcorc_runtime::config::Config;
use falcorc_runtime::engine::Selector;
use falcorc_runtime::needs::Needs;
use falcorc_runtime::output::OutputCounters;
use falcorc_runtime::output::set::OutputSet;
use falcorc_runtime_ebpf::probe::ProbeOptions;
use falcorc_runtime_ebpf::session::{POLL_INTERVAL, Session};
use falcorc_runtime_ebpf::syscalls::Filter;
use falcorc_runtime_ebpf::{signals, syscalls};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Rules files or directories, loaded in order (default: the configuration's
    /// `rules_files`, else the embedded ruleset). `@default` stands for the embedded ruleset,
    /// so a tuning file can follow it: `-r @default -r local.yaml`.
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
    /// Load the rules from a bundle `falcorc build` wrote: a file (watched like a rules
    /// file) or an http(s) URL (polled). Replaces `-r` and the configuration's rules files.
    #[arg(long, value_name = "FILE|URL", conflicts_with = "rules")]
    bundle: Option<String>,
    /// The Ed25519 public key (PEM) that must have signed the bundle.
    #[arg(long, value_name = "KEY.pub", requires = "bundle")]
    bundle_key: Option<PathBuf>,
    /// How often to ask a bundle URL whether it changed (with its ETag), in seconds.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = parse_seconds, requires = "bundle")]
    bundle_poll: Duration,
    /// A CA certificate (PEM) to verify the bundle server with, instead of the system's.
    #[arg(long, value_name = "CA.pem", requires = "bundle")]
    bundle_ca: Option<PathBuf>,
    /// Keep the last good bundle from the URL in this file, and start from it when the URL
    /// cannot be fetched.
    #[arg(long, value_name = "FILE", requires = "bundle")]
    bundle_cache: Option<PathBuf>,
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
    /// Time the probe on every syscall exit it handles and print, at the end, its average
    /// time per exit by syscall (a benchmark aid: the two clock reads it costs are counted).
    #[arg(long)]
    probe_timing: bool,
    /// Load the configuration and the rules (or the bundle) as a run would, report every
    /// problem, and exit without loading the probe or opening outputs: a check for CI.
    #[arg(long)]
    dry_run: bool,
}

pub fn parse_buffer_mb(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if n.is_power_of_two() && n <= 1024 => Ok(n),
        _ => Err(format!("'{s}' is not a power of two between 1 and 1024")),
    }
}

/// Drop alerts are rate-limited like Falco's (one per 30 s at most).
const DROP_ALERT_EVERY: Duration = Duration::from_secs(30);

pub fn run(a: Args, cli_selectors: Vec<Selector>) -> u8 {
    let bundle = match &a.bundle {
        Some(place) => match BundleInput::new(
            place,
            a.bundle_key.as_deref(),
            a.bundle_ca.clone(),
            a.bundle_cache.clone(),
        ) {
            Ok(b) => Some(Arc::new(b)),
            Err(e) => {
                eprintln!("falcorc: {e}");
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    // A URL is polled; a file is watched like the rules files.
    let poll_every = bundle.as_ref().filter(|b| b.file().is_none()).map(|_| a.bundle_poll);
    let inputs = Inputs {
        bundle,
        config: a.config.clone(),
        options: a.option.clone(),
        rules: a.rules.clone(),
        selectors: cli_selectors,
        selection: a.selection.clone(),
        format: a.format,
        hostname: a.hostname.clone(),
    };
    let Built {
        mut config,
        mut rules,
        files,
        fingerprint,
    } = match reload::first(&inputs) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if a.dry_run {
        describe(&rules, &mut super::engine::to_stderr);
        eprintln!(
            "falcorc: dry run: the configuration and {} rules loaded ({} active, {}); nothing started",
            rules.engine.program.rules.len(),
            rules.engine.active_rules(),
            rules.digest
        );
        return EXIT_OK;
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
    describe(&rules, &mut super::engine::to_stderr);
    let mut filter = probe_filter(a.all_events, &rules);
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
        filter: filter.clone(),
        ring_bytes: a.buffer_mb << 20,
        timing: a.probe_timing,
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
    release_free_heap();
    log.line(format!(
        "falcorc: live, {} rules active ({}), {} processes from /proc",
        rules.engine.active_rules(),
        rules.digest,
        session.snapshot.threads.len()
    ));
    // Threads the stream never introduced are read from /proc on their first event.
    let mut lookups = falcorc_runtime_ebpf::lookup::Lookups::new("/proc");
    let mut reloader = Reloader::new(inputs);
    let mut watch = Watch::new(files, fingerprint);
    // A reload ready to take over from the event whose time is at or after `at`.
    let mut pending: Option<Switch> = None;
    let mut retired: Vec<Retired> = Vec::new();
    let mut last_poll = Instant::now();
    let mut output_watch = OutputWatch::new();
    let mut stats = StatsClock::new();
    // At most a year (parse_seconds): the sum cannot overflow.
    let until = a.duration.and_then(|d| Instant::now().checked_add(d));
    let (mut drops_seen, mut last_drop_check, mut last_drop_alert) = (0u64, Instant::now(), None::<Instant>);
    while !signals::stop_requested() && until.is_none_or(|u| Instant::now() < u) && !out.all_closed() {
        let mut switched = None;
        let polled = session.poll(POLL_INTERVAL, |ev| {
            // Between two events: each is evaluated once, by the old rules or the new.
            if let Some(p) = pending.take_if(|p| ev.ts >= p.at) {
                switched = Some(p.apply(&mut rules, &mut out));
            }
            lookups.before(&mut tracker, ev);
            rules.on_event(&mut tracker, ev, &mut out);
        });
        // An idle host: no event is left from before the switch time.
        if polled == 0
            && let Some(p) = pending.take_if(|p| session.now_ns() >= p.at)
        {
            switched = Some(p.apply(&mut rules, &mut out));
        }
        if let Some(s) = switched {
            let kept = s.finish(&mut session, &mut filter, &mut config, &rules, &mut watch, &mut log);
            retired.extend(kept);
            release_free_heap();
        }
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
                reloads: (reloader.ok, reloader.failed),
            });
        }
        if signals::take_hangup() {
            out.reopen();
            log.line("falcorc: SIGHUP: output files reopened; reloading the configuration and rules".into());
            start_reload(
                &mut reloader,
                ("SIGHUP", Trigger::Reload),
                &config,
                &mut watch,
                &mut log,
            );
        }
        if config.watch_config_files && watch.changed() {
            log.line("falcorc: a watched file changed; reloading the configuration and rules".into());
            let why = ("a watched file changed", Trigger::Reload);
            start_reload(&mut reloader, why, &config, &mut watch, &mut log);
        }
        if let Some(every) = poll_every
            && last_poll.elapsed() >= every
        {
            last_poll = Instant::now();
            start_reload(
                &mut reloader,
                ("bundle poll", Trigger::Poll),
                &config,
                &mut watch,
                &mut log,
            );
        }
        if pending.is_none() {
            match reloader.poll() {
                Some(Outcome::Ready(ready)) => {
                    pending = Some(Switch::prepare(*ready, a.all_events, &filter, &mut session, &mut log));
                }
                Some(Outcome::Failed(messages)) => {
                    for m in messages {
                        log.line(m);
                    }
                    log.line("falcorc: reload failed: the running configuration and rules stay active".into());
                }
                Some(Outcome::Unchanged) | None => {}
            }
            if let Some(why) = reloader.queued() {
                start_reload(&mut reloader, why, &config, &mut watch, &mut log);
            }
        }
        retired.retain_mut(|r| r.report_if_done(&mut log));
        output_watch.check(&out, &mut log);
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
        lookups.before(&mut tracker, ev);
        rules.on_event(&mut tracker, ev, &mut out);
    });
    let counters = session.counters();
    let events = session.events;
    if a.probe_timing {
        for (nr, t) in session.exit_times() {
            let name = syscalls::SYSCALLS.iter().find(|s| s.nr == nr).map_or("?", |s| s.name);
            log.line(format!(
                "falcorc probe: {name} {} ns per exit ({} exits)",
                t.ns / t.count.max(1),
                t.count
            ));
        }
    }
    drop(session);
    let output = finish_output(out, stopped_at);
    stats.report(&mut log, events, &counters, Some(&rules), lost(&output), true);
    super::live::report_lookups(&lookups, &mut log);
    report_output(&output, &mut log);
    for r in retired {
        r.wait(&mut log);
    }
    log.finish(Instant::now() + log::FLUSH);
    EXIT_OK
}

/// What `run` says about a ruleset it starts or switches to: event types the probe
/// cannot produce, and (once) rules without an event-type filter.
fn describe(rules: &Rules, say: super::engine::Say<'_>) {
    let engine = &rules.engine;
    let missing = syscalls::unsupported(|c| engine.names(c));
    if !missing.is_empty() {
        say(format!(
            "falcorc: the live probe does not produce these event types, rules on them stay silent: {}",
            missing.join(", ")
        ));
    }
    if let [first, rest @ ..] = engine.broad_rules() {
        let others = match rest.len() {
            0 => String::new(),
            n => format!(" (and {n} more)"),
        };
        say(format!(
            "falcorc: rule '{}'{others} has no event-type filter: it runs on every event the probe produces",
            engine.rule(*first).name
        ));
    }
}

fn start_reload(
    reloader: &mut Reloader,
    (why, trigger): (&'static str, Trigger),
    config: &Config,
    watch: &mut Watch,
    log: &mut Log,
) {
    if trigger == Trigger::Reload {
        watch.mark();
    }
    if let Err(e) = reloader.request(why, trigger, config) {
        log.line(format!("falcorc: {e}; the running configuration and rules stay active"));
    }
}

/// What the probe sends for `rules`: the event types they and the state tracker need, and
/// the costly parts of events the rules can observe (all of it with `--all-events`).
fn probe_filter(all_events: bool, rules: &Rules) -> Filter {
    Filter {
        slots: syscalls::filter_slots(all_events, |c| rules.engine.wants(c)),
        needs: if all_events {
            Needs::ALL
        } else {
            falcorc_runtime::needs::of_program(&rules.engine.program)
        },
    }
}

/// Hands the allocator's free memory back to the system: loading (the rules' analysis and
/// native code, the probe's BTF, the /proc scan) leaves ~2 MB of free heap that glibc would
/// otherwise keep resident for the whole run.
fn release_free_heap() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only returns free memory of the allocator to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A reload that is ready: its rules (and outputs, if they changed) take over at the
/// first event at or after `at`, a time after the probe's filter was widened to what both
/// rulesets need (so the new rules see every event of theirs from the switch on).
struct Switch {
    ready: Ready,
    /// The new rules' filter (the probe's filter narrows to it after the switch).
    filter: Filter,
    at: u64,
}

impl Switch {
    fn prepare(ready: Ready, all_events: bool, running: &Filter, session: &mut Session, log: &mut Log) -> Switch {
        let filter = probe_filter(all_events, &ready.built.rules);
        let at = if running.widened_by(&filter) {
            match session.set_filter(&running.union(&filter)) {
                Ok(()) => session.now_ns(),
                Err(e) => {
                    log.line(format!("falcorc: warning: cannot widen the probe's filter: {e}"));
                    0
                }
            }
        } else {
            0 // nothing new to wait for: the next event
        };
        Switch { ready, filter, at }
    }

    /// Swaps the rules (alert counts carried by rule name) and outputs; what was replaced
    /// is handed back to finish outside the event callback.
    fn apply(self, rules: &mut Rules, out: &mut OutputSet) -> Switched {
        let Ready {
            mut built,
            outputs,
            messages,
        } = self.ready;
        built.rules.carry_counts(rules);
        let old_rules = std::mem::replace(rules, built.rules);
        let old_outputs = outputs.map(|o| std::mem::replace(out, o));
        Switched {
            old_rules,
            old_outputs,
            config: built.config,
            files: built.files,
            fingerprint: built.fingerprint,
            filter: self.filter,
            messages,
        }
    }
}

/// A switch that happened: what is left to do after the event callback.
struct Switched {
    old_rules: Rules,
    old_outputs: Option<OutputSet>,
    config: Config,
    files: Vec<std::path::PathBuf>,
    fingerprint: super::watch::Fingerprint,
    filter: Filter,
    messages: Vec<String>,
}

impl Switched {
    /// Narrows the probe's filter, takes the new configuration, logs the reload; the
    /// replaced outputs (if any) finish writing on a thread of their own.
    fn finish(
        self,
        session: &mut Session,
        filter: &mut Filter,
        config: &mut Config,
        rules: &Rules,
        watch: &mut Watch,
        log: &mut Log,
    ) -> Option<Retired> {
        if let Err(e) = session.set_filter(&self.filter) {
            log.line(format!("falcorc: warning: cannot narrow the probe's filter: {e}"));
        }
        *filter = self.filter;
        for m in self.messages {
            log.line(m);
        }
        if reload::needs_restart(config, &self.config) {
            log.line("falcorc: warning: webserver and metrics settings changed: they apply at the next start".into());
        }
        *config = self.config;
        watch.reset(self.files, self.fingerprint);
        describe(rules, &mut |m| log.line(m));
        log.line(format!(
            "falcorc: reloaded: {} rules active ({}; was {}, {})",
            rules.engine.active_rules(),
            rules.digest,
            self.old_rules.engine.active_rules(),
            self.old_rules.digest
        ));
        drop(self.old_rules);
        self.old_outputs.and_then(|o| Retired::start(o, log))
    }
}

/// Outputs a reload replaced, writing what they still hold on a thread of their own
/// (`None` once reported).
struct Retired(Option<std::thread::JoinHandle<Vec<(String, OutputCounters)>>>);

impl Retired {
    fn start(out: OutputSet, log: &mut Log) -> Option<Retired> {
        let deadline = Instant::now() + FLUSH_AT_END;
        std::thread::Builder::new()
            .name("falcorc-retire".into())
            .spawn(move || out.finish_unless(deadline, &|| false))
            .map(|h| Retired(Some(h)))
            .map_err(|e| log.line(format!("falcorc: the replaced outputs could not finish: {e}")))
            .ok()
    }

    /// Reports its losses once done; whether it is still running.
    fn report_if_done(&mut self, log: &mut Log) -> bool {
        match self.0.take_if(|h| h.is_finished()) {
            Some(h) => {
                if let Ok(counters) = h.join() {
                    report_output(&counters, log);
                }
                false
            }
            None => self.0.is_some(),
        }
    }

    /// At exit: waits for it (bounded by its own deadline).
    fn wait(self, log: &mut Log) {
        if let Some(Ok(counters)) = self.0.map(std::thread::JoinHandle::join) {
            report_output(&counters, log);
        }
    }
}
