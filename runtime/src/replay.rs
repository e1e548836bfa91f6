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
    /// Time spent reading and decoding the capture vs tracking state and evaluating
    /// (estimated from a sample of the events).
    pub read_time: Duration,
    pub eval_time: Duration,
    /// The part of `eval_time` spent in the rules (conditions, with the field
    /// extraction they trigger), as opposed to state tracking and alert output.
    pub rules_time: Duration,
    /// What reading the clock costs (the cheapest of a few empty intervals): every
    /// sampled interval includes about one clock read, so it is subtracted from each
    /// sample above rather than counted as reading, state or rule time.
    pub timer_overhead: Duration,
    pub bytes: u64,
    /// With a second engine ([`replay_compared`]): its share of the sampled rule time,
    /// measured on the same events as `rules_time`.
    pub shadow_rules_time: Duration,
    /// Events both engines evaluated, and those where they matched different rules.
    pub compared: u64,
    pub differences: u64,
    /// The first difference: event number, rules matched by the engine, by the other.
    pub first_difference: Option<(u64, Vec<usize>, Vec<usize>)>,
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
    progress: impl FnMut(u64),
) -> (Stats, Option<ScapError>) {
    replay_compared(reader, engine, None, outputs, hostname, sink, progress)
}

/// [`replay`], with each alert handed over with the number of the event that raised it
/// (1 for the first event read), so a caller can tell which alerts one event produced:
/// the fixture runner needs that to see which rule `rule_matching: first` would keep.
pub fn replay_numbered<R: Read>(
    reader: &mut ScapReader<R>,
    engine: &Engine,
    outputs: &Outputs,
    hostname: &str,
    sink: &mut dyn FnMut(u64, Alert),
    progress: impl FnMut(u64),
) -> (Stats, Option<ScapError>) {
    replay_inner(reader, engine, None, outputs, hostname, sink, progress)
}

/// [`replay`], with every evaluated event also evaluated by `shadow` (the other back end)
/// and the matched rules compared. On sampled events both are timed back to back, in
/// alternating order, so the ratio of their times is free of the machine's drift between
/// runs. Alerts come from `engine` only.
pub fn replay_compared<R: Read>(
    reader: &mut ScapReader<R>,
    engine: &Engine,
    shadow: Option<&Engine>,
    outputs: &Outputs,
    hostname: &str,
    sink: &mut dyn FnMut(Alert),
    progress: impl FnMut(u64),
) -> (Stats, Option<ScapError>) {
    replay_inner(reader, engine, shadow, outputs, hostname, &mut |_, a| sink(a), progress)
}

/// The loop behind [`replay_compared`] and [`replay_numbered`].
fn replay_inner<R: Read>(
    reader: &mut ScapReader<R>,
    engine: &Engine,
    shadow: Option<&Engine>,
    outputs: &Outputs,
    hostname: &str,
    sink: &mut dyn FnMut(u64, Alert),
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
    // Timing every event would cost more than some events themselves: time one in
    // SAMPLE and scale up (four clock reads per timed event: at one in 32 they were
    // 2 % of a replay of the benchmark workload).
    const SAMPLE: u64 = 128;
    let mut sampled = 0u64;
    let (mut read_ns, mut eval_ns, mut rules_ns, mut shadow_ns) = (0u128, 0u128, 0u128, 0u128);
    let mut shadow_matched = Vec::new();
    let overhead = timer_overhead();
    let net = |d: Duration| d.saturating_sub(overhead).as_nanos();
    let mut metadata_seen = reader.metadata_blocks();
    loop {
        let timed = stats.events.is_multiple_of(SAMPLE);
        sampled += u64::from(timed);
        let t0 = timed.then(Instant::now);
        let ev = match reader.next_event_with_lists() {
            Ok(Some((ev, lists))) => {
                // Process or fd lists written between events (long recordings do):
                // the tracker takes them in before the event that follows them.
                let blocks = lists.metadata_blocks();
                if blocks != metadata_seen {
                    tracker.refresh_from(lists, metadata_seen);
                    metadata_seen = blocks;
                }
                ev
            }
            Ok(None) => break,
            Err(e) => {
                error = Some(e);
                break;
            }
        };
        let t1 = timed.then(Instant::now);
        stats.events += 1;
        tracker.on_event_if(
            &ev,
            |code| engine.wants(code),
            |ctx| {
                let run = |e: &Engine, out: &mut Vec<usize>, ns: &mut u128| {
                    out.clear();
                    let t = timed.then(Instant::now);
                    e.evaluate(ctx.code(), ctx, out);
                    if let Some(t) = t {
                        *ns += net(t.elapsed());
                    }
                };
                match shadow {
                    None => run(engine, &mut matched, &mut rules_ns),
                    Some(other) => {
                        // Whichever runs second finds the event's data in the CPU's caches.
                        if (stats.events / SAMPLE).is_multiple_of(2) {
                            run(engine, &mut matched, &mut rules_ns);
                            run(other, &mut shadow_matched, &mut shadow_ns);
                        } else {
                            run(other, &mut shadow_matched, &mut shadow_ns);
                            run(engine, &mut matched, &mut rules_ns);
                        }
                        stats.compared += 1;
                        if matched != shadow_matched {
                            stats.differences += 1;
                            if stats.first_difference.is_none() {
                                stats.first_difference = Some((ctx.num(), matched.clone(), shadow_matched.clone()));
                            }
                        }
                    }
                }
                for &i in &matched {
                    stats.alerts[i] += 1;
                    sink(stats.events, outputs.alert(&engine.program, i, ctx.ts(), hostname, ctx));
                }
            },
        );
        if let (Some(t0), Some(t1)) = (t0, t1) {
            read_ns += net(t1 - t0);
            eval_ns += net(t1.elapsed());
        }
        if stats.events.is_multiple_of(65_536) {
            progress(reader.offset());
        }
    }
    // Scaled by the share of events timed (exactly 1 in SAMPLE only for long captures).
    let scale = |ns: u128| {
        let total = ns * u128::from(stats.events) / u128::from(sampled.max(1));
        Duration::from_nanos(total.min(u128::from(u64::MAX)) as u64)
    };
    stats.read_time = scale(read_ns);
    stats.eval_time = scale(eval_ns);
    stats.rules_time = scale(rules_ns);
    stats.shadow_rules_time = scale(shadow_ns);
    stats.timer_overhead = overhead;
    stats.bytes = reader.offset();
    stats.evaluated = tracker.stats().evaluated;
    (stats, error)
}

use crate::engine::costs::timer_overhead;
