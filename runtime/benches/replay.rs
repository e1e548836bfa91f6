//! Replay throughput on a synthetic 1 M-event capture (exec, open, read/write, close,
//! connect, clone): with no rules, and with Falco's stable ruleset
//! (../shared/falco-upstream/falco_rules.yaml or $FALCORC_SHARED).
//! Run: `cargo bench -p falcorc-runtime --bench replay`.

use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::{Options, SourceFile, analyze};
use falcorc_runtime::engine::{Engine, EngineOptions};
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

fn engine(rules: &str) -> (Engine, Outputs) {
    let an = analyze(
        vec![SourceFile {
            name: "rules.yaml".into(),
            text: rules.into(),
        }],
        &Options::default(),
    );
    assert_eq!(an.errors(), 0);
    // Text output, the default: alerts carry the message only.
    let outputs = Outputs::new(&an.program, Env { container_plugin: true }).message_only();
    (Engine::new(an.program, &EngineOptions::default()), outputs)
}

fn run(engine: &Engine, outputs: &Outputs) -> u64 {
    let mut reader = ScapReader::new(std::io::Cursor::new(CAPTURE.as_slice())).expect("capture");
    let mut alerts = 0u64;
    let (stats, err) = replay(&mut reader, engine, outputs, "bench", &mut |_| alerts += 1, |_| {});
    assert!(err.is_none());
    stats.events
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn no_rules(b: divan::Bencher) {
    let (e, o) = engine("[]");
    b.counter(divan::counter::ItemsCount::new(EVENTS))
        .bench_local(|| run(&e, &o));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn stable_rules(b: divan::Bencher) {
    let base =
        std::env::var("FALCORC_SHARED").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into());
    let Ok(rules) = std::fs::read_to_string(format!("{base}/falco-upstream/falco_rules.yaml")) else {
        eprintln!("skipping: falco_rules.yaml not found (set FALCORC_SHARED)");
        return;
    };
    let (e, o) = engine(&rules);
    b.counter(divan::counter::ItemsCount::new(EVENTS))
        .bench_local(|| run(&e, &o));
}
