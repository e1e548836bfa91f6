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
    /// With `by_event_type`: the same per (rule, event code), at `rule * codes + code`.
    by_code: Option<RefCell<Vec<(u64, u64)>>>,
    codes: usize,
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
    /// `codes`: the number of event codes; with `by_event_type`, costs are also kept per
    /// rule and event code (`falcorc profile`).
    pub fn new(rules: usize, every: u32, codes: usize, by_event_type: bool) -> RuleCosts {
        let every = every.max(1);
        RuleCosts {
            every,
            // The first sample comes soon, so a short run has a figure.
            countdown: Cell::new(1),
            sampled: RefCell::new(vec![(0, 0); rules]),
            by_code: by_event_type.then(|| RefCell::new(vec![(0, 0); rules * codes])),
            codes,
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

    /// Times `f`, one evaluation of rule `rule` on an event of code `code`; returns what
    /// `f` returned.
    pub fn time<T>(&self, rule: u32, code: u16, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let r = f();
        let ns = (t.elapsed().as_nanos() as u64).saturating_sub(self.overhead_ns);
        let add = |s: &mut (u64, u64)| {
            s.0 += 1;
            s.1 += ns;
        };
        if let Some(s) = self.sampled.borrow_mut().get_mut(rule as usize) {
            add(s);
        }
        if let Some(by_code) = &self.by_code
            && (code as usize) < self.codes
            && let Some(s) = by_code.borrow_mut().get_mut(rule as usize * self.codes + code as usize)
        {
            add(s);
        }
        r
    }

    /// Per rule index, the estimated totals so far.
    pub fn totals(&self) -> Vec<RuleCost> {
        self.sampled.borrow().iter().map(|s| self.scaled(*s)).collect()
    }

    /// Per rule index, the estimated totals per event code it ran on (with
    /// `by_event_type`).
    pub fn totals_by_event_type(&self) -> Option<Vec<Vec<(u16, RuleCost)>>> {
        let by_code = self.by_code.as_ref()?.borrow();
        let rows = by_code
            .chunks(self.codes.max(1))
            .map(|per_code| {
                per_code
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.0 > 0)
                    .map(|(code, s)| (code as u16, self.scaled(*s)))
                    .collect()
            })
            .collect();
        Some(rows)
    }

    fn scaled(&self, (n, ns): (u64, u64)) -> RuleCost {
        let every = u64::from(self.every);
        RuleCost {
            evaluations: n * every,
            seconds: (ns * every) as f64 / 1e9,
        }
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
        let c = RuleCosts::new(2, 4, 10, false);
        let picks: Vec<bool> = (0..9).map(|_| c.tick()).collect();
        assert_eq!(picks, [true, false, false, false, true, false, false, false, true]);
    }

    #[test]
    fn totals_scale_the_sample_by_the_period() {
        let c = RuleCosts::new(2, 10, 10, true);
        let slow = || std::thread::sleep(Duration::from_millis(2));
        c.time(1, 3, slow);
        c.time(1, 4, slow);
        let t = c.totals();
        assert_eq!(t[0], RuleCost::default());
        assert_eq!(t[1].evaluations, 20);
        assert!(t[1].seconds >= 0.04 && t[1].seconds < 1.0, "{}", t[1].seconds);
        let by = c.totals_by_event_type().unwrap();
        assert!(by[0].is_empty());
        assert_eq!(
            by[1].iter().map(|(code, c)| (*code, c.evaluations)).collect::<Vec<_>>(),
            [(3, 10), (4, 10)]
        );
        // An index beyond the rules or the codes is ignored, not a panic.
        assert_eq!(c.time(7, 99, || 5), 5);
        assert!(RuleCosts::new(2, 1, 10, false).totals_by_event_type().is_none());
    }
}
