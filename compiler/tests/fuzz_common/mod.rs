//! The fuzzing loop shared by the long-running property tests of every crate (compiler,
//! runtime, language server; the other crates include this file by path).
//!
//! cargo-fuzz needs a nightly toolchain, so fuzzing is proptest driven for a time budget:
//! a plain `cargo test` runs `default_cases` cases; `FALCORC_FUZZ_SECS=N` keeps drawing
//! fresh random cases for N seconds (`.ci/run` gives each target minutes; hours on
//! demand). A failing case is shrunk, and its seed saved next to the test file
//! (`NAME.proptest-regressions`, committed), so that every later run replays it first.

#![allow(dead_code)] // each test file uses a part

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use std::time::{Duration, Instant};

/// The time budget asked for with `FALCORC_FUZZ_SECS`, if any.
pub fn budget() -> Option<Duration> {
    let secs: u64 = std::env::var("FALCORC_FUZZ_SECS").ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs))
}

/// Runs `test` on values of `strategy`: `default_cases` of them (or `PROPTEST_CASES`), or
/// rounds of fresh cases until the `FALCORC_FUZZ_SECS` budget is spent. Panics with the
/// shrunk failing input on the first failure. Returns the number of cases run.
pub fn fuzz<S: Strategy>(
    name: &str,
    source_file: &'static str,
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> u64 {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default_cases);
    let start = Instant::now();
    let deadline = budget().map(|b| start + b);
    let mut total = 0u64;
    loop {
        let config = Config {
            // With a budget, small rounds: the deadline is checked between rounds.
            cases: if deadline.is_some() { cases.clamp(1, 64) } else { cases },
            source_file: Some(source_file),
            failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        if let Err(e) = runner.run(&strategy, &test) {
            panic!("fuzz {name}: {e}");
        }
        total += u64::from(runner.config().cases);
        match deadline {
            Some(d) if Instant::now() < d => continue,
            _ => break,
        }
    }
    if deadline.is_some() {
        eprintln!("fuzz {name}: {total} cases in {:.0?}, no failure", start.elapsed());
    }
    total
}
