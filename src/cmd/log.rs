//! Messages of the live commands (`run`, `record`) on standard error, through a bounded
//! queue and a writer thread of their own, like alerts on standard output: a standard
//! error nobody reads (a full pipe) costs dropped messages, never a stalled event loop or
//! an exit that ignores SIGTERM. A closed standard error loses the messages, nothing more.

use falcorc_runtime::output::OutputQueue;
use std::time::{Duration, Instant};

/// Messages the queue holds: a few final statistics reports of a large ruleset.
const CAPACITY: usize = 1024;

/// After the event loop, how long the last messages (final statistics) may take to reach
/// standard error: within the 1 s promised after SIGINT or SIGTERM, with the alerts'
/// [`super::live::FLUSH_ON_SIGNAL`].
pub const FLUSH: Duration = Duration::from_millis(250);

pub struct Log {
    queue: Option<OutputQueue>,
}

impl Log {
    /// Standard error through its own descriptor (the worker never holds the lock of
    /// Rust's `Stderr`); printed directly if the thread cannot start.
    pub fn stderr() -> Log {
        use std::os::fd::AsFd;
        let queue = std::io::stderr()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .and_then(|fd| OutputQueue::new("stderr", Box::new(std::fs::File::from(fd)), CAPACITY).ok());
        Log { queue }
    }

    /// Queues one line (no newline); dropped if standard error is that far behind.
    pub fn line(&mut self, text: String) {
        match &mut self.queue {
            Some(q) => {
                q.send(text);
            }
            None => eprintln!("{text}"),
        }
    }

    /// A last message, written within [`FLUSH`]; `code` is passed through (the command's
    /// exit status on an error path).
    pub fn abort(mut self, message: String, code: u8) -> u8 {
        self.line(message);
        self.finish(Instant::now() + FLUSH);
        code
    }

    /// Writes what is queued until `deadline`, then gives up on a blocked standard error.
    pub fn finish(self, deadline: Instant) {
        if let Some(q) = self.queue {
            q.finish(deadline);
        }
    }
}
