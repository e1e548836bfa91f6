//! Analysis off the main loop: one analysis at a time on its own thread, each tagged with
//! the generation of the state it started from, so that the main loop can tell a result
//! that newer edits made stale (kept for requests, never published). The compiler is not
//! interrupted; the next analysis simply starts from the newest text.

use crate::snapshot::Snapshot;
use crossbeam_channel::{Receiver, Sender, unbounded};
use falcorc_compiler::Options;
use std::sync::Arc;

/// What one analysis needs: the files in load order and the project's options.
pub struct Input {
    pub generation: u64,
    pub files: Vec<(String, String)>,
    pub options: Options,
}

pub struct Output {
    pub generation: u64,
    pub snapshot: Arc<Snapshot>,
}

pub struct Analyzer {
    jobs: Option<Sender<Input>>,
    results: Sender<Output>,
    pub done: Receiver<Output>,
    running: bool,
    /// Analyses started and results that were stale when they arrived.
    pub started: u64,
    pub stale: u64,
}

impl Analyzer {
    pub fn new() -> Analyzer {
        let (results, done) = unbounded::<Output>();
        let (jobs, inputs) = unbounded::<Input>();
        let out = results.clone();
        let spawned = std::thread::Builder::new()
            .name("falcorc-lsp-analysis".into())
            .spawn(move || {
                for input in inputs {
                    if out.send(analyze(input)).is_err() {
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
            running: false,
            started: 0,
            stale: 0,
        }
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    pub fn start(&mut self, input: Input) {
        self.running = true;
        self.started += 1;
        let input = match &self.jobs {
            Some(jobs) => match jobs.send(input) {
                Ok(()) => return,
                Err(e) => e.into_inner(),
            },
            None => input,
        };
        // No thread: analyse here; the result arrives like any other.
        let _ = self.results.send(analyze(input));
    }

    /// Note a result's arrival; `current` tells whether it is of the newest generation.
    pub fn finished(&mut self, current: bool) {
        self.running = false;
        if !current {
            self.stale += 1;
        }
    }
}

fn analyze(input: Input) -> Output {
    Output {
        generation: input.generation,
        snapshot: Arc::new(Snapshot::with_options(input.files, &input.options)),
    }
}
