//! Lint throughput on Falco's stable ruleset (../shared/falco-upstream/falco_rules.yaml,
//! or $FALCORC_SHARED). Run: `cargo bench -p falcorc-compiler --bench lint`.

use falcorc_compiler::{Options, SourceFile, analyze};

fn main() {
    divan::main();
}

fn rules_text() -> String {
    let base =
        std::env::var("FALCORC_SHARED").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into());
    std::fs::read_to_string(format!("{base}/falco-upstream/falco_rules.yaml"))
        .expect("falco_rules.yaml (set FALCORC_SHARED)")
}

/// Whole pipeline: YAML, items, lists, macros, parse, type check, event types.
#[divan::bench(sample_count = 50)]
fn analyze_falco_rules(b: divan::Bencher) {
    let text = rules_text();
    b.with_inputs(|| {
        vec![SourceFile {
            name: "falco_rules.yaml".into(),
            text: text.clone(),
        }]
    })
    .bench_values(|files| analyze(files, &Options::default()));
}

/// The YAML layer alone.
#[divan::bench(sample_count = 50)]
fn yaml_falco_rules(b: divan::Bencher) {
    let text = rules_text();
    b.bench(|| falcorc_compiler::syntax::yaml::parse(&text, &Default::default()));
}
