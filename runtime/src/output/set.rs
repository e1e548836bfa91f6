//! The outputs of a live run, each with its own queue and worker: an alert formatted once
//! goes to every one of them; a slow or dead one drops its own copy (counted) and holds up
//! neither the others nor evaluation.

use super::queue::{OutputCounters, OutputQueue};
use super::sink::Line;
use std::time::Instant;

pub struct OutputSet {
    queues: Vec<OutputQueue>,
}

impl OutputSet {
    pub fn new(queues: Vec<OutputQueue>) -> OutputSet {
        OutputSet { queues }
    }

    pub fn queues(&self) -> &[OutputQueue] {
        &self.queues
    }

    /// Queues the line on every output (never blocks).
    pub fn send(&mut self, line: Line) {
        for q in &mut self.queues {
            q.send_line(line.clone());
        }
    }

    /// SIGHUP: files are closed and opened again before their next line.
    pub fn reopen(&self) {
        for q in &self.queues {
            q.reopen();
        }
    }

    /// Every output's reader went away (`falcorc run | head` with stdout only): nothing
    /// more can be delivered.
    pub fn all_closed(&self) -> bool {
        !self.queues.is_empty() && self.queues.iter().all(OutputQueue::is_closed)
    }

    /// Alerts lost so far, over all outputs.
    pub fn lost(&self) -> u64 {
        self.queues.iter().map(|q| q.counters().lost()).sum()
    }

    /// Finishes every output by the same `deadline` (or as soon as `give_up`); each
    /// output's name and counters, in order.
    pub fn finish_unless(self, deadline: Instant, give_up: &dyn Fn() -> bool) -> Vec<(String, OutputCounters)> {
        // Every queue closed first: the workers drain at the same time.
        let mut queues = self.queues;
        for q in &mut queues {
            q.close();
        }
        queues
            .into_iter()
            .map(|q| {
                let name = q.name().to_string();
                (name, q.finish_unless(deadline, give_up))
            })
            .collect()
    }
}
