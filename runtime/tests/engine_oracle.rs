//! The engine's optimisations (native code, conditions specialised per event code, comparisons
//! shared between rules through a memo, one field cache per event) must not change
//! which rules match: on every event of the real captures and of the synthetic
//! workload, the engine agrees with the reference interpreter run on each rule's
//! original condition.

mod common;

use std::io::Cursor;
use std::path::Path;

use falcorc_compiler::eval::eval;
use falcorc_compiler::{Options, SourceFile, analyze};
use falcorc_runtime::engine::{Backend, Engine, EngineOptions, RuleMatching};
use falcorc_runtime::scap::ScapReader;
use falcorc_runtime::state::Tracker;

/// The stable ruleset on each back end (the JIT must really be the one running).
fn stable_engines() -> Vec<Engine> {
    engines_with(RuleMatching::All, None)
}

/// Both back ends with `matching`, timing rules one by one on one event in `rule_costs`.
fn engines_with(matching: RuleMatching, rule_costs: Option<u32>) -> Vec<Engine> {
    [Backend::Interp, Backend::Jit]
        .into_iter()
        .filter_map(|backend| {
            let e = stable_engine(backend, matching, rule_costs)?;
            assert_eq!(e.backend(), backend, "{:?}", e.warnings());
            Some(e)
        })
        .collect()
}

fn stable_engine(backend: Backend, matching: RuleMatching, rule_costs: Option<u32>) -> Option<Engine> {
    let path = common::shared_dir().join("falco-upstream/falco_rules.yaml");
    let text = std::fs::read_to_string(&path).ok()?;
    let an = analyze(
        vec![SourceFile {
            name: path.display().to_string(),
            text,
        }],
        &Options::default(),
    );
    assert_eq!(an.errors(), 0);
    let opts = EngineOptions {
        matching,
        backend,
        rule_costs,
        ..EngineOptions::default()
    };
    Some(Engine::new(an.program, &opts))
}

/// Returns (events evaluated, matches).
fn agree<R: std::io::Read>(engine: &Engine, mut reader: ScapReader<R>) -> (usize, usize) {
    let mut tracker = Tracker::from_capture(&reader);
    let (mut events, mut matches) = (0, 0);
    let mut got = Vec::new();
    while let Some(ev) = reader.next_event().expect("readable capture") {
        tracker.on_event(&ev, |ctx| {
            got.clear();
            engine.evaluate(ctx.code(), ctx, &mut got);
            let want: Vec<usize> = engine
                .program
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.evttypes.as_ref().is_some_and(|e| e.contains(&ctx.code())))
                .filter(|(_, r)| eval(&r.cond, &engine.program.fields, ctx))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(got, want, "evt.num {} ({})", ctx.num(), ctx.event().type_name());
            events += 1;
            matches += got.len();
        });
    }
    (events, matches)
}

#[test]
fn engine_matches_the_interpreter_on_real_captures() {
    for engine in stable_engines() {
        for name in common::CAPTURES {
            let Some(path) = common::capture(name) else { return };
            agree(&engine, ScapReader::open(Path::new(&path)).unwrap());
        }
    }
}

#[test]
fn engine_matches_the_interpreter_on_the_synthetic_workload() {
    let bytes = falcorc_runtime::synth::workload(Vec::new(), 30_000, false).unwrap();
    for engine in stable_engines() {
        let (events, matches) = agree(&engine, ScapReader::new(Cursor::new(bytes.clone())).unwrap());
        assert_eq!(events, 30_000);
        assert!(matches > 0, "the workload triggers some rules");
    }
}

/// Timing rules one by one (the rule-cost sampler, here on every event) changes no match:
/// with every rule reported, against the reference interpreter; with the first match only,
/// against the same engine untimed. Every rule that matched has a cost.
#[test]
fn timing_rules_one_by_one_changes_no_match_and_costs_every_rule_that_ran() {
    let bytes = falcorc_runtime::synth::workload(Vec::new(), 20_000, false).unwrap();
    for engine in engines_with(RuleMatching::All, Some(1)) {
        let (events, matches) = agree(&engine, ScapReader::new(Cursor::new(bytes.clone())).unwrap());
        assert!(events == 20_000 && matches > 0);
        let (every, costs) = engine.rule_costs().expect("costs measured");
        assert_eq!(every, 1);
        let evaluated: u64 = costs.iter().map(|c| c.evaluations).sum();
        assert!(
            evaluated >= matches as u64,
            "{evaluated} evaluations for {matches} matches"
        );
        assert!(costs.iter().any(|c| c.seconds > 0.0));
    }
    let timed = engines_with(RuleMatching::First, Some(3));
    let plain = engines_with(RuleMatching::First, None);
    for (t, p) in timed.iter().zip(&plain) {
        let mut reader = ScapReader::new(Cursor::new(bytes.clone())).unwrap();
        let mut tracker = Tracker::from_capture(&reader);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        while let Some(ev) = reader.next_event().unwrap() {
            tracker.on_event(&ev, |ctx| {
                a.clear();
                b.clear();
                t.evaluate(ctx.code(), ctx, &mut a);
                p.evaluate(ctx.code(), ctx, &mut b);
                assert_eq!(a, b, "evt.num {}", ctx.num());
            });
        }
    }
}

#[test]
fn a_rule_that_fails_to_compile_falls_back_to_the_interpreter_with_a_warning() {
    use falcorc_compiler::eval::jit::JitOptions;
    let path = common::shared_dir().join("falco-upstream/falco_rules.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let an = analyze(
        vec![SourceFile {
            name: "r.yaml".into(),
            text,
        }],
        &Options::default(),
    );
    let victim = an
        .program
        .rules
        .iter()
        .position(|r| r.name == "Read sensitive file untrusted")
        .expect("the rule exists");
    let jit = JitOptions {
        poison_rule: Some(victim as u32),
        ..JitOptions::default()
    };
    let opts = EngineOptions {
        matching: RuleMatching::All,
        ..EngineOptions::default()
    };
    let engine = Engine::with_jit_options(an.program, &opts, jit);
    assert_eq!(engine.backend(), Backend::Interp);
    assert_eq!(engine.warnings().len(), 1);
    assert!(
        engine.warnings()[0].contains("'Read sensitive file untrusted'"),
        "{:?}",
        engine.warnings()
    );
    // And the rules still run, on the interpreter.
    let bytes = falcorc_runtime::synth::workload(Vec::new(), 5_000, false).unwrap();
    let (_, matches) = agree(&engine, ScapReader::new(Cursor::new(bytes)).unwrap());
    assert!(matches > 0);
}
