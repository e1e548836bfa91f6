//! What `run` loads, and loads again on SIGHUP or when a watched file changes: the
//! configuration (the file, then `-o` options, then the command line's flags over it) and
//! the rules compiled from it. A reload is built on a thread of its own while the event
//! loop goes on with the running rules; the loop then switches to the new ones between
//! two events ([`super::run`]), or keeps the running ones and logs every error.

use super::EXIT_USAGE;
use super::bundle::{BundleInput, Trigger};
use super::engine::{Format, Say};
use super::live::{Rules, compile, read_rules};
use super::outputs;
use super::selection::{Matching, Selection};
use super::watch::Fingerprint;
use falcorc_runtime::config::{self, Config, RuleMatching};
use falcorc_runtime::engine::Selector;
use falcorc_runtime::output::set::OutputSet;
use falcorc_runtime::output::style::Style;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// Without `-c`, falcorc's defaults: alerts on standard output, ISO-8601 times.
const DEFAULTS: &[&str] = &["stdout_output.enabled=true", "time_format_iso_8601=true"];

/// The command line of `run`: read again at each reload, over the files read again.
#[derive(Clone)]
pub struct Inputs {
    pub config: Option<PathBuf>,
    pub options: Vec<String>,
    /// `-r`: replaces the configuration's `rules_files`, as in Falco.
    pub rules: Vec<PathBuf>,
    /// Command-line selections, after the configuration's `rules:`.
    pub selectors: Vec<Selector>,
    pub selection: Selection,
    pub format: Option<Format>,
    pub hostname: Option<String>,
    /// `--bundle`: the rules come from it, not from rules files.
    pub bundle: Option<Arc<BundleInput>>,
}

/// A configuration and its compiled rules.
pub struct Built {
    pub config: Config,
    pub rules: Rules,
    /// The files read (configuration files, rules paths), and how they looked just before.
    pub files: Vec<PathBuf>,
    pub fingerprint: Fingerprint,
}

/// Reads the configuration and compiles its rules. Every message (configuration
/// warnings and errors, rule diagnostics) goes to `say`, the count of errors followed by
/// `consequence`; an error is an exit code. `Ok(None)`: a poll found the bundle unchanged.
pub fn build(inputs: &Inputs, trigger: Trigger, consequence: &str, say: Say<'_>) -> Result<Option<Built>, u8> {
    let mut options: Vec<String> = Vec::new();
    if inputs.config.is_none() {
        options.extend(DEFAULTS.iter().map(|s| s.to_string()));
    }
    options.extend(inputs.options.iter().cloned());
    let loaded = match config::load(inputs.config.as_deref(), &options) {
        Ok(l) => l,
        Err(errors) => {
            for e in &errors {
                say(format!("falcorc: error: {e}"));
            }
            let n = errors.len();
            let s = if n == 1 { "" } else { "s" };
            say(format!("falcorc: the configuration has {n} error{s}{consequence}"));
            return Err(EXIT_USAGE);
        }
    };
    for w in &loaded.warnings {
        say(format!("falcorc: warning: {w}"));
    }
    let config = loaded.config;
    let style = Style {
        json: inputs.format.map_or(config.json_output, |f| f.style().json),
        iso8601: config.time_format_iso_8601,
        include_output: config.json_include_output_property,
        include_tags: config.json_include_tags_property,
        include_message: config.json_include_message_property,
        include_output_fields: config.json_include_output_fields_property,
    };
    let rule_files = if inputs.rules.is_empty() {
        config.rules_files.clone()
    } else {
        inputs.rules.clone()
    };
    let mut selectors = config.selectors.clone();
    selectors.extend(inputs.selectors.iter().cloned());
    let mut selection = inputs.selection.clone();
    selection.min_priority = selection.min_priority.min(config.priority);
    if config.rule_matching == RuleMatching::All {
        selection.rule_matching = Matching::All;
    }
    // Rule costs are measured only when /metrics can show them.
    let served = config.webserver.as_ref().is_some_and(|w| w.prometheus);
    if served && config.metrics.is_some_and(|m| m.rules_counters && m.rule_costs) {
        selection.rule_costs = Some(falcorc_runtime::engine::costs::DEFAULT_EVERY);
    }
    let mut files = loaded.files;
    let host = inputs.hostname.clone();
    let rules = match &inputs.bundle {
        Some(bundle) => {
            files.extend(bundle.file().map(PathBuf::from));
            let fingerprint = Fingerprint::of(&files);
            let read = match bundle.read(trigger, say) {
                Ok(Some(read)) => read,
                Ok(None) => return Ok(None),
                Err(e) => {
                    say(format!("falcorc: {e}{consequence}"));
                    return Err(EXIT_USAGE);
                }
            };
            let rules = compile(read.files, selectors, &selection, style, host, consequence, say)?;
            bundle.keep(read.bytes, say);
            return Ok(Some(Built {
                config,
                rules,
                files,
                fingerprint,
            }));
        }
        None => {
            files.extend(rule_files.iter().cloned());
            rule_files
        }
    };
    // Before the rules are read: a change made while they compile is seen afterwards.
    let fingerprint = Fingerprint::of(&files);
    let rules = compile(
        read_rules(&rules, consequence, say)?,
        selectors,
        &selection,
        style,
        host,
        consequence,
        say,
    )?;
    Ok(Some(Built {
        config,
        rules,
        files,
        fingerprint,
    }))
}

/// Whether `new` sends alerts elsewhere than `old` (then a reload starts new outputs).
pub fn outputs_differ(old: &Config, new: &Config) -> bool {
    (
        old.stdout,
        &old.file,
        &old.syslog,
        &old.program,
        &old.http,
        old.queue_capacity,
    ) != (
        new.stdout,
        &new.file,
        &new.syslog,
        &new.program,
        &new.http,
        new.queue_capacity,
    )
}

/// Whether a reload changes what only a restart applies (the web server's socket).
pub fn needs_restart(old: &Config, new: &Config) -> bool {
    (&old.webserver, &old.metrics) != (&new.webserver, &new.metrics)
}

/// A reload's result, from its thread.
pub enum Outcome {
    Ready(Box<Ready>),
    /// A poll found the bundle unchanged.
    Unchanged,
    /// Every message, errors included, and the paths it tried to read.
    Failed(Vec<String>),
}

/// A reload ready to switch to.
pub struct Ready {
    pub built: Built,
    /// New outputs, started, when the configuration changed them.
    pub outputs: Option<OutputSet>,
    /// Warnings said while loading.
    pub messages: Vec<String>,
}

/// Runs at most one reload at a time; a request during one runs again after it (the
/// files may have changed after it read them).
pub struct Reloader {
    inputs: Arc<Inputs>,
    running: Option<Receiver<Outcome>>,
    again: Option<(&'static str, Trigger)>,
    /// Reloads switched to, and failed.
    pub ok: u64,
    pub failed: u64,
}

impl Reloader {
    pub fn new(inputs: Inputs) -> Reloader {
        Reloader {
            inputs: Arc::new(inputs),
            running: None,
            again: None,
            ok: 0,
            failed: 0,
        }
    }

    /// Starts a reload (or queues one behind the running one) against the running
    /// configuration `current`; `why` is logged. An error starting its thread is returned.
    pub fn request(&mut self, why: &'static str, trigger: Trigger, current: &Config) -> Result<(), String> {
        if self.running.is_some() {
            // A poll behind a reload is redundant; a reload behind a poll is not.
            if trigger == Trigger::Reload || self.again.is_none() {
                self.again = Some((why, trigger));
            }
            return Ok(());
        }
        let (tx, rx) = channel();
        let inputs = self.inputs.clone();
        let current = current.clone();
        std::thread::Builder::new()
            .name("falcorc-reload".into())
            .spawn(move || {
                let _ = tx.send(reload(&inputs, trigger, &current));
            })
            .map_err(|e| format!("cannot start the reload thread: {e}"))?;
        self.running = Some(rx);
        Ok(())
    }

    /// The outcome of the running reload once it is done (then a queued request, if any,
    /// is the caller's to start: [`Reloader::queued`]).
    pub fn poll(&mut self) -> Option<Outcome> {
        let rx = self.running.as_ref()?;
        let outcome = match rx.try_recv() {
            Ok(o) => o,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Outcome::Failed(vec!["falcorc: the reload thread stopped".into()]),
        };
        self.running = None;
        match &outcome {
            Outcome::Ready(_) => self.ok += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Unchanged => {}
        }
        Some(outcome)
    }

    /// A request that arrived while a reload ran.
    pub fn queued(&mut self) -> Option<(&'static str, Trigger)> {
        if self.running.is_some() {
            return None;
        }
        self.again.take()
    }
}

/// One reload, on its own thread: everything said is kept for the event loop's log.
fn reload(inputs: &Inputs, trigger: Trigger, current: &Config) -> Outcome {
    let mut messages = Vec::new();
    let built = build(inputs, trigger, "", &mut |m| messages.push(m));
    let built = match built {
        Ok(Some(b)) => b,
        Ok(None) => return Outcome::Unchanged,
        Err(_) => return Outcome::Failed(messages),
    };
    let outputs = if outputs_differ(current, &built.config) {
        match outputs::prepare(&built.config).and_then(outputs::Prepared::start) {
            Ok(o) => Some(o),
            Err(e) => {
                messages.push(format!("falcorc: error: {e}"));
                return Outcome::Failed(messages);
            }
        }
    } else {
        None
    };
    Outcome::Ready(Box::new(Ready {
        built,
        outputs,
        messages,
    }))
}

/// `build` for the start of `run`: messages on standard error.
pub fn first(inputs: &Inputs) -> Result<Built, u8> {
    match build(
        inputs,
        Trigger::Start,
        "; nothing started",
        &mut super::engine::to_stderr,
    ) {
        Ok(Some(b)) => Ok(b),
        // Only a poll finds a bundle unchanged; said rather than assumed.
        Ok(None) => {
            eprintln!("falcorc: no rules to start with; nothing started");
            Err(EXIT_USAGE)
        }
        Err(code) => Err(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(dir: &std::path::Path, config: &str, rules: &str) -> Inputs {
        std::fs::create_dir_all(dir).expect("dir");
        let c = dir.join("falco.yaml");
        let r = dir.join("rules.yaml");
        std::fs::write(&c, config.replace("RULES", &r.display().to_string())).expect("config");
        std::fs::write(&r, rules).expect("rules");
        Inputs {
            config: Some(c),
            options: Vec::new(),
            rules: Vec::new(),
            selectors: Vec::new(),
            selection: Selection::default(),
            format: None,
            hostname: Some("h".into()),
            bundle: None,
        }
    }

    fn built(inp: &Inputs) -> Built {
        match build(inp, Trigger::Start, "", &mut |_| {}) {
            Ok(Some(b)) => b,
            Ok(None) => panic!("unchanged"),
            Err(c) => panic!("exit {c}"),
        }
    }

    const RULE: &str = "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n";

    fn wait(r: &mut Reloader) -> Outcome {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(o) = r.poll() {
                return o;
            }
            assert!(std::time::Instant::now() < deadline, "the reload did not finish");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[test]
    fn a_reload_reads_the_files_again_and_says_why_it_failed() {
        let dir = std::env::temp_dir().join(format!("falcorc-reload-{}", std::process::id()));
        let inp = inputs(&dir, "rules_files: [RULES]\nstdout_output: {enabled: true}\n", RULE);
        let b = built(&inp);
        assert_eq!(b.rules.engine.active_rules(), 1);
        assert!(b.files.iter().any(|f| f.ends_with("rules.yaml")), "{:?}", b.files);
        let mut r = Reloader::new(inp.clone());

        // A second rule: ready, same outputs (none started).
        std::fs::write(
            dir.join("rules.yaml"),
            format!("{RULE}{}", RULE.replace("rule: r", "rule: s")),
        )
        .expect("w");
        r.request("test", Trigger::Reload, &b.config).expect("thread");
        match wait(&mut r) {
            Outcome::Ready(ready) => {
                assert_eq!(ready.built.rules.engine.active_rules(), 2);
                assert!(ready.outputs.is_none(), "outputs did not change");
            }
            Outcome::Failed(m) => panic!("{m:?}"),
            Outcome::Unchanged => panic!("unchanged"),
        }

        // A broken condition: every error, nothing to switch to.
        std::fs::write(
            dir.join("rules.yaml"),
            RULE.replace("evt.type = open", "evt.type = = open"),
        )
        .expect("w");
        r.request("test", Trigger::Reload, &b.config).expect("thread");
        match wait(&mut r) {
            Outcome::Failed(m) => {
                let all = m.join("\n");
                assert!(all.contains("rules.yaml"), "{all}");
                assert!(all.contains("the rules have 1 error"), "{all}");
            }
            Outcome::Ready(_) | Outcome::Unchanged => panic!("a broken rule was accepted"),
        }

        // A broken configuration value: named with its place.
        std::fs::write(dir.join("rules.yaml"), RULE).expect("w");
        std::fs::write(
            dir.join("falco.yaml"),
            format!(
                "rules_files: [{}]\nstdout_output: {{enabled: maybe}}\n",
                dir.join("rules.yaml").display()
            ),
        )
        .expect("w");
        r.request("test", Trigger::Reload, &b.config).expect("thread");
        match wait(&mut r) {
            Outcome::Failed(m) => {
                let all = m.join("\n");
                assert!(
                    all.contains("stdout_output.enabled: 'maybe' is not true or false"),
                    "{all}"
                );
            }
            Outcome::Ready(_) | Outcome::Unchanged => panic!("a broken configuration was accepted"),
        }
        assert_eq!((r.ok, r.failed), (1, 2));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_request_during_a_reload_is_queued_once() {
        let dir = std::env::temp_dir().join(format!("falcorc-reload-q-{}", std::process::id()));
        let inp = inputs(&dir, "rules_files: [RULES]\nstdout_output: {enabled: true}\n", RULE);
        let b = built(&inp);
        let mut r = Reloader::new(inp);
        r.request("first", Trigger::Reload, &b.config).expect("thread");
        r.request("second", Trigger::Reload, &b.config).expect("queued");
        r.request("third", Trigger::Reload, &b.config).expect("queued");
        assert_eq!(r.queued(), None, "not while one runs");
        let _ = wait(&mut r);
        assert_eq!(r.queued(), Some(("third", Trigger::Reload)));
        assert_eq!(r.queued(), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn outputs_and_restart_only_settings_are_told_apart() {
        let a = Config::default();
        let mut b = a.clone();
        b.json_output = true;
        assert!(!outputs_differ(&a, &b) && !needs_restart(&a, &b));
        b.stdout = true;
        assert!(outputs_differ(&a, &b));
        let mut c = a.clone();
        c.metrics = Some(Default::default());
        assert!(needs_restart(&a, &c) && !outputs_differ(&a, &c));
    }
}
