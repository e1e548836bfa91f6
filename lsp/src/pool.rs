//! A small pool of worker threads for requests, which read immutable snapshots.

use crossbeam_channel::{Sender, unbounded};

type Job = Box<dyn FnOnce() + Send>;

pub struct Pool {
    jobs: Sender<Job>,
}

impl Pool {
    pub fn new(threads: usize) -> Pool {
        let (jobs, rx) = unbounded::<Job>();
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("falcorc-lsp-worker-{i}"))
                .spawn(move || {
                    for job in rx {
                        job();
                    }
                });
            if let Err(e) = spawned {
                eprintln!("falcorc lsp: cannot start a worker thread: {e}");
            }
        }
        Pool { jobs }
    }

    pub fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        // The workers live as long as the pool; a send only fails if all failed to start.
        if let Err(e) = self.jobs.send(Box::new(job)) {
            (e.into_inner())();
        }
    }
}
