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

/// Whole pipeline with every check on (`falcorc lint --select all`).
#[divan::bench(sample_count = 50)]
fn analyze_falco_rules_all_checks(b: divan::Bencher) {
    use falcorc_compiler::lint::{Level, Selector};
    let text = rules_text();
    let mut opts = Options::default();
    opts.lint.set(Selector::All, Level::Warn);
    b.with_inputs(|| {
        vec![SourceFile {
            name: "falco_rules.yaml".into(),
            text: text.clone(),
        }]
    })
    .bench_values(|files| analyze(files, &opts));
}

/// 10,000 unused lists: 10,000 warnings, the input of the rendering benchmarks.
fn many_warnings() -> falcorc_compiler::Analysis {
    let text: String = (0..10_000)
        .map(|i| format!("- list: unused_list_{i}\n  items: [a, b]\n\n"))
        .collect();
    let a = analyze(
        vec![SourceFile {
            name: "many.yaml".into(),
            text,
        }],
        &Options::default(),
    );
    assert_eq!(a.diagnostics.len(), 10_000);
    a
}

/// Rendering 10,000 diagnostics in each `lint --format` (must stay linear: under 1 s).
#[divan::bench(args = ["human", "json", "sarif", "github", "junit", "gitlab"], sample_count = 5)]
fn render_10000_diagnostics(b: divan::Bencher, format: &str) {
    use falcorc_compiler::diag::render::{self, Report, Summary};
    let a = many_warnings();
    let report = Report {
        files: &a.files,
        diagnostics: &a.diagnostics,
        summary: Summary::default(),
        tool_version: "bench",
        docs_url: render::DOCS_URL,
    };
    b.bench(|| match format {
        "human" => {
            let mut n = 0;
            render::human_batch(&a.files, &a.diagnostics, false, |s| n += s.len());
            n
        }
        "json" => render::json::report(&report).len(),
        "sarif" => render::sarif::report(&report).len(),
        "github" => render::github::report(&report).len(),
        "junit" => render::junit::report(&report).len(),
        _ => render::gitlab::report(&report).len(),
    });
}

/// Each of 10,000 macros wraps the previous one and no rule uses them: expansion cost
/// must stay linear (issue target: <= 100 ms and <= 50 MB for the whole process).
#[divan::bench(sample_count = 10)]
fn analyze_macro_chain_10000(b: divan::Bencher) {
    let mut text = String::from("- macro: m_0\n  condition: proc.name = x_0\n");
    for i in 1..=10_000 {
        text.push_str(&format!(
            "- macro: m_{i}\n  condition: (m_{} and proc.name != x_{i})\n",
            i - 1
        ));
    }
    b.with_inputs(|| {
        vec![SourceFile {
            name: "chain.yaml".into(),
            text: text.clone(),
        }]
    })
    .bench_values(|files| analyze(files, &Options::default()));
}
