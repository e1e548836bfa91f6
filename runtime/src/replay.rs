//! Replaying a capture: read events, track state, evaluate the rules on each exit
//! event, and hand every alert to a sink. Streaming: memory does not grow with the
//! capture.

use crate::engine::Engine;
use crate::output::{Alert, Outputs};
use crate::scap::{ScapError, ScapReader};
use crate::state::Tracker;
use std::io::Read;
use std::time::{Duration, Instant};

/// What a replay did, for `--stats`.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub events: u64,
    /// Exit events the rules were evaluated on.
    pub evaluated: u64,
    /// Alerts per rule index.
    pub alerts: Vec<u64>,
    /// Time spent reading and decoding the capture vs tracking state and evaluating.
    pub read_time: Duration,
    pub eval_time: Duration,
    pub bytes: u64,
}

impl Stats {
    pub fn total_alerts(&self) -> u64 {
        self.alerts.iter().sum()
    }
}

/// Replay one capture. Every event before a corrupt part is processed; the error is
/// returned with the statistics so far.
pub fn replay<R: Read>(
    reader: &mut ScapReader<R>,
    engine: &Engine,
    outputs: &Outputs,
    hostname: &str,
    sink: &mut dyn FnMut(Alert),
    mut progress: impl FnMut(u64),
) -> (Stats, Option<ScapError>) {
    let mut tracker = Tracker::from_capture(reader);
    tracker.set_hostname(hostname);
    let mut stats = Stats {
        alerts: vec![0; engine.program.rules.len()],
        ..Stats::default()
    };
    let mut matched = Vec::new();
    let mut error = None;
    loop {
        let t0 = Instant::now();
        let ev = match reader.next_event() {
            Ok(Some(ev)) => ev,
            Ok(None) => break,
            Err(e) => {
                error = Some(e);
                break;
            }
        };
        let t1 = Instant::now();
        stats.read_time += t1 - t0;
        stats.events += 1;
        tracker.on_event(&ev, |ctx| {
            stats.evaluated += 1;
            matched.clear();
            engine.evaluate(ctx.code(), ctx, &mut matched);
            for &i in &matched {
                stats.alerts[i] += 1;
                sink(outputs.alert(&engine.program, i, ctx.ts(), hostname, ctx));
            }
        });
        stats.eval_time += t1.elapsed();
        if stats.events.is_multiple_of(65_536) {
            progress(reader.offset());
        }
    }
    stats.bytes = reader.offset();
    (stats, error)
}
