//! What each rule costs, measured on a sample of the events: one event in `every` (of
//! those some rule listens to) has its rules evaluated one by one, each timed, instead of
//! all at once (native code: one function per rule, compiled beside the bucket's; the
//! interpreter: rule by rule as always). The rules match exactly as on other events; only
//! the time is observed. Totals are the sample scaled by `every`, so the cost is about
//! `every` times smaller than timing every event (docs/PERFORMANCE.md has the figure).

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

/// One event in this many is timed rule by rule, unless told otherwise.
pub const DEFAULT_EVERY: u32 = 256;

pub struct RuleCosts {
    every: u32,
    countdown: Cell<u32>,
    /// Per rule index: sampled evaluations, and their time in ns (clock cost removed).
    sampled: RefCell<Vec<(u64, u64)>>,
    overhead_ns: u64,
}

/// A rule's estimated totals.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RuleCost {
    /// Evaluations (sampled ones times the sampling period).
    pub evaluations: u64,
    pub seconds: f64,
}

impl RuleCosts {
    pub fn new(rules: usize, every: u32) -> RuleCosts {
        let every = every.max(1);
        RuleCosts {
            every,
            // The first sample comes soon, so a short run has a figure.
            countdown: Cell::new(1),
            sampled: RefCell::new(vec![(0, 0); rules]),
            overhead_ns: timer_overhead().as_nanos() as u64,
        }
    }

    pub fn every(&self) -> u32 {
        self.every
    }

    /// Whether this event is one of the sample (call once per event with rules).
    pub fn tick(&self) -> bool {
        let n = self.countdown.get() - 1;
        if n == 0 {
            self.countdown.set(self.every);
            true
        } else {
            self.countdown.set(n);
            false
        }
    }

    /// Times `f`, one evaluation of rule `rule`; returns what `f` returned.
    pub fn time<T>(&self, rule: u32, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let r = f();
        let ns = (t.elapsed().as_nanos() as u64).saturating_sub(self.overhead_ns);
        if let Some(s) = self.sampled.borrow_mut().get_mut(rule as usize) {
            s.0 += 1;
            s.1 += ns;
        }
        r
    }

    /// Per rule index, the estimated totals so far.
    pub fn totals(&self) -> Vec<RuleCost> {
        let every = u64::from(self.every);
        self.sampled
            .borrow()
            .iter()
            .map(|&(n, ns)| RuleCost {
                evaluations: n * every,
                seconds: (ns * every) as f64 / 1e9,
            })
            .collect()
    }
}

/// The cost of one `Instant::now` plus `elapsed` around nothing: the minimum of a few
/// tries, so a preempted try cannot inflate it (and the correction errs low).
pub fn timer_overhead() -> Duration {
    (0..64)
        .map(|_| {
            let t = Instant::now();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_in_every_is_sampled_starting_with_the_first() {
        let c = RuleCosts::new(2, 4);
        let picks: Vec<bool> = (0..9).map(|_| c.tick()).collect();
        assert_eq!(picks, [true, false, false, false, true, false, false, false, true]);
    }

    #[test]
    fn totals_scale_the_sample_by_the_period() {
        let c = RuleCosts::new(2, 10);
        let slow = || std::thread::sleep(Duration::from_millis(2));
        c.time(1, slow);
        c.time(1, slow);
        let t = c.totals();
        assert_eq!(t[0], RuleCost::default());
        assert_eq!(t[1].evaluations, 20);
        assert!(t[1].seconds >= 0.04 && t[1].seconds < 1.0, "{}", t[1].seconds);
        // An index beyond the rules is ignored, not a panic.
        assert_eq!(c.time(7, || 5), 5);
    }
}
