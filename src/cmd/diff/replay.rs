//! `falcorc diff --captures/--tests`: the same events under the old and the new rules,
//! and the alerts that differ.

use falcorc_compiler::review::alerts::{self, ExpectationChange, Raised, SourceAlerts};
use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::{Analysis, SourceFile};
use falcorc_runtime::engine::{Backend, Engine, EngineOptions};
use falcorc_runtime::fixture::{self, spec};
use falcorc_runtime::output::Outputs;
use falcorc_runtime::replay::replay_numbered;
use falcorc_runtime::scap::ScapReader;
use std::path::{Path, PathBuf};

/// One version's rules, ready for events (Falco's defaults: first matching rule, every
/// priority).
pub struct Side {
    engine: Engine,
    outputs: Outputs,
    files: Vec<SourceFile>,
}

impl Side {
    pub fn new(an: &Analysis, container_plugin: bool) -> Side {
        let outputs = Outputs::new(
            &an.program,
            Env {
                container_plugin,
                ..Env::default()
            },
        );
        let engine = Engine::new(an.program.clone(), &EngineOptions::default());
        Side {
            engine,
            outputs,
            files: an.files.clone(),
        }
    }

    /// Every alert of one capture, or why it could not be read to the end.
    fn replay(&self, path: &Path, hostname: &str) -> Result<(u64, Vec<Raised>), String> {
        let mut reader = ScapReader::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut raised = Vec::new();
        let (stats, err) = replay_numbered(
            &mut reader,
            &self.engine,
            &self.outputs,
            hostname,
            &mut |event, a| {
                raised.push(Raised {
                    event,
                    rule: a.rule.to_string(),
                    output: a.message,
                })
            },
            |_| {},
        );
        match err {
            Some(e) => Err(format!("{}: {e} (after {} events)", path.display(), stats.events)),
            None => Ok((stats.events, raised)),
        }
    }
}

/// Each capture under both versions.
pub fn captures(old: &Side, new: &Side, paths: &[PathBuf], hostname: &str) -> Vec<SourceAlerts> {
    paths
        .iter()
        .map(|p| {
            let source = p.display().to_string();
            match (old.replay(p, hostname), new.replay(p, hostname)) {
                (Ok((events, a)), Ok((_, b))) => alerts::compare(source, events, &a, &b),
                (Err(e), _) | (_, Err(e)) => failed(source, e),
            }
        })
        .collect()
}

fn failed(source: String, error: String) -> SourceAlerts {
    SourceAlerts {
        source,
        events: 0,
        error: Some(error),
        rules: Vec::new(),
        expectations: Vec::new(),
    }
}

/// Each fixture's events (and options) under both versions, in place of the rules the
/// fixture names; expectations whose verdict differs are listed.
pub fn fixtures(old: &Side, new: &Side, paths: &[PathBuf]) -> Vec<SourceAlerts> {
    paths
        .iter()
        .map(|p| {
            let source = p.display().to_string();
            let t = match spec::load(p) {
                Ok(t) => t,
                Err(e) => return failed(source, e.to_string()),
            };
            let a = fixture::run_with_rules(&t, old.files.clone(), Backend::default());
            let b = fixture::run_with_rules(&t, new.files.clone(), Backend::default());
            if let Some(e) = a.error.as_ref().or(b.error.as_ref()) {
                return failed(source, e.clone());
            }
            let raised = |o: &fixture::Outcome| -> Vec<Raised> {
                o.alerts
                    .iter()
                    .zip(&o.alert_events)
                    .map(|(a, &event)| Raised {
                        event,
                        rule: a.rule.to_string(),
                        output: a.message.clone(),
                    })
                    .collect()
            };
            let mut s = alerts::compare(source, a.events, &raised(&a), &raised(&b));
            s.expectations = a
                .checks
                .iter()
                .zip(&b.checks)
                .filter(|(x, y)| x.passed() != y.passed())
                .map(|(x, y)| ExpectationChange {
                    expectation: x.name(),
                    old: x.passed(),
                    new: y.passed(),
                })
                .collect();
            s
        })
        .collect()
}
