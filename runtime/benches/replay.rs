//! Replay throughput on a synthetic 1 M-event capture (exec, open, read/write, close,
//! connect, clone): with no rules, and with Falco's stable ruleset
//! (../shared/falco-upstream/falco_rules.yaml or $FALCORC_SHARED) on the interpreter
//! and on native code, each run also printing its rule-evaluation ns/event; and the
//! time to build the engine for the stable ruleset (for the JIT: its compile time); and
//! both again with per-rule costs sampled on one event in 256, as `run` does for
//! /metrics (the sampler's price, on evaluation and on compile time).
//! Run: `cargo bench -p falcorc-runtime --bench replay`.

use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::{Options, SourceFile, analyze};
use falcorc_runtime::engine::{Backend, Engine, EngineOptions};
use falcorc_runtime::output::Outputs;
use falcorc_runtime::replay::replay;
use falcorc_runtime::scap::ScapReader;
use std::sync::LazyLock;

const EVENTS: u64 = 1_000_000;

static CAPTURE: LazyLock<Vec<u8>> =
    LazyLock::new(|| falcorc_runtime::synth::workload(Vec::new(), EVENTS, false).expect("workload"));

fn main() {
    divan::main();
}

fn engine(rules: &str, backend: Backend) -> (Engine, Outputs) {
    engine_costed(rules, backend, None)
}

fn engine_costed(rules: &str, backend: Backend, rule_costs: Option<u32>) -> (Engine, Outputs) {
    let an = analyze(
        vec![SourceFile {
            name: "rules.yaml".into(),
            text: rules.into(),
        }],
        &Options::default(),
    );
    assert_eq!(an.errors(), 0);
    // Text output, the default: alerts carry the message only.
    let outputs = Outputs::new(&an.program, Env::default()).message_only();
    let opts = EngineOptions {
        backend,
        rule_costs,
        ..EngineOptions::default()
    };
    let e = Engine::new(an.program, &opts);
    assert_eq!(e.backend(), backend, "{:?}", e.warnings());
    (e, outputs)
}

fn stable() -> Option<String> {
    let base =
        std::env::var("FALCORC_SHARED").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into());
    let rules = std::fs::read_to_string(format!("{base}/falco-upstream/falco_rules.yaml")).ok();
    if rules.is_none() {
        eprintln!("skipping: falco_rules.yaml not found (set FALCORC_SHARED)");
    }
    rules
}

fn run(engine: &Engine, outputs: &Outputs) -> u64 {
    let mut reader = ScapReader::new(std::io::Cursor::new(CAPTURE.as_slice())).expect("capture");
    let mut alerts = 0u64;
    let (stats, err) = replay(&mut reader, engine, outputs, "bench", &mut |_| alerts += 1, |_| {});
    assert!(err.is_none());
    eprintln!(
        "  [{}] rule evaluation {:.1} ns/event",
        engine.backend(),
        stats.rules_time.as_nanos() as f64 / stats.events as f64
    );
    stats.events
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn no_rules(b: divan::Bencher) {
    let (e, o) = engine("[]", Backend::Interp);
    b.counter(divan::counter::ItemsCount::new(EVENTS))
        .bench_local(|| run(&e, &o));
}

#[divan::bench(sample_count = 5, sample_size = 1, args = [Backend::Interp, Backend::Jit])]
fn stable_rules(b: divan::Bencher, backend: Backend) {
    let Some(rules) = stable() else { return };
    let (e, o) = engine(&rules, backend);
    b.counter(divan::counter::ItemsCount::new(EVENTS))
        .bench_local(|| run(&e, &o));
}

/// [`stable_rules`] with rule costs sampled on one event in 256.
#[divan::bench(sample_count = 5, sample_size = 1, args = [Backend::Interp, Backend::Jit])]
fn stable_rules_with_rule_costs(b: divan::Bencher, backend: Backend) {
    let Some(rules) = stable() else { return };
    let (e, o) = engine_costed(&rules, backend, Some(256));
    b.counter(divan::counter::ItemsCount::new(EVENTS))
        .bench_local(|| run(&e, &o));
}

/// Building the engine for the stable ruleset: index, specialisation, memo
/// numbering and, for the JIT, compiling every bucket to native code.
#[divan::bench(sample_count = 10, args = [Backend::Interp, Backend::Jit])]
fn build_stable_engine(b: divan::Bencher, backend: Backend) {
    build(b, backend, None);
}

/// [`build_stable_engine`] with a function per rule too (for rule costs).
#[divan::bench(sample_count = 10, args = [Backend::Jit])]
fn build_stable_engine_with_rule_costs(b: divan::Bencher, backend: Backend) {
    build(b, backend, Some(256));
}

fn build(b: divan::Bencher, backend: Backend, rule_costs: Option<u32>) {
    let Some(rules) = stable() else { return };
    let an = analyze(
        vec![SourceFile {
            name: "rules.yaml".into(),
            text: rules,
        }],
        &Options::default(),
    );
    let opts = EngineOptions {
        backend,
        rule_costs,
        ..EngineOptions::default()
    };
    b.bench_local(|| Engine::new(an.program.clone(), &opts));
}
