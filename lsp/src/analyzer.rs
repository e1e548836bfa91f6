//! Analysis off the main loop: one analysis at a time on its own thread, each tagged with
//! the generation of the state it started from, so that the main loop can tell a result
//! that newer edits made stale (kept for requests, never published). The main loop cancels
//! a running analysis that newer edits made stale when no request waits for it; the
//! compiler then stops at its next check point and the newest text is analysed at once.

use crate::snapshot::Snapshot;
use crossbeam_channel::{Receiver, Sender, unbounded};
use falcorc_compiler::{Cancel, Options};
use std::sync::Arc;

/// What one analysis needs: the files in load order and the project's options.
pub struct Input {
    pub generation: u64,
    pub files: Vec<(String, String)>,
    pub options: Options,
    pub profile: Option<Arc<crate::ide::profile::Profile>>,
}

struct Job {
    input: Input,
    cancel: Cancel,
}

pub struct Output {
    pub generation: u64,
    /// None: the analysis was cancelled.
    pub snapshot: Option<Arc<Snapshot>>,
}

pub struct Analyzer {
    jobs: Option<Sender<Job>>,
    results: Sender<Output>,
    pub done: Receiver<Output>,
    /// The running analysis: its generation and its token.
    running: Option<(u64, Cancel)>,
    /// Analyses started, results that were stale when they arrived, analyses cancelled.
    pub started: u64,
    pub stale: u64,
    pub cancelled: u64,
}

impl Analyzer {
    pub fn new() -> Analyzer {
        let (results, done) = unbounded::<Output>();
        let (jobs, inputs) = unbounded::<Job>();
        let out = results.clone();
        let spawned = std::thread::Builder::new()
            .name("falcorc-lsp-analysis".into())
            .spawn(move || {
                for job in inputs {
                    if out.send(analyze(job)).is_err() {
                        return;
                    }
                }
            });
        if let Err(e) = &spawned {
            eprintln!("falcorc lsp: cannot start the analysis thread ({e}); analysing on the main thread");
        }
        Analyzer {
            jobs: spawned.ok().map(|_| jobs),
            results,
            done,
            running: None,
            started: 0,
            stale: 0,
            cancelled: 0,
        }
    }

    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// The generation being analysed, if any.
    pub fn running_generation(&self) -> Option<u64> {
        self.running.as_ref().map(|(g, _)| *g)
    }

    pub fn start(&mut self, input: Input) {
        let cancel = Cancel::new();
        self.running = Some((input.generation, cancel.clone()));
        self.started += 1;
        let job = Job { input, cancel };
        let job = match &self.jobs {
            Some(jobs) => match jobs.send(job) {
                Ok(()) => return,
                Err(e) => e.into_inner(),
            },
            None => job,
        };
        // No thread: analyse here; the result arrives like any other.
        let _ = self.results.send(analyze(job));
    }

    /// Ask the running analysis to stop (its result would be stale).
    pub fn cancel(&mut self) {
        if let Some((_, cancel)) = &self.running {
            cancel.cancel();
        }
    }

    /// Note a result's arrival; `current` tells whether it is of the newest generation.
    pub fn finished(&mut self, out: &Output, current: bool) {
        self.running = None;
        if out.snapshot.is_none() {
            self.cancelled += 1;
        } else if !current {
            self.stale += 1;
        }
    }
}

fn analyze(job: Job) -> Output {
    let Job { input, cancel } = job;
    Output {
        generation: input.generation,
        snapshot: Snapshot::cancellable(input.files, &input.options, &cancel).map(|mut s| {
            s.profile = input.profile;
            Arc::new(s)
        }),
    }
}
