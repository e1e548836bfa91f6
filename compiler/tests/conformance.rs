//! Conformance against cases taken from Falco's and libsinsp's own unit tests
//! (../shared/conformance/cases.yaml, or FALCORC_CONFORMANCE_CASES). Prints each
//! failing id and a final `conformance: N passed, M failed, K not applicable` line;
//! fails below a 95 % pass rate of applicable cases.

use falcorc_compiler::diag::Severity;
use falcorc_compiler::sema::typeck::{Checker, Env};
use falcorc_compiler::sema::version;
use falcorc_compiler::span::SourceMap;
use falcorc_compiler::syntax::condition::{self, print};
use falcorc_compiler::syntax::yaml::{self, Node};
use falcorc_compiler::{Options, SourceFile, analyze};
use std::path::PathBuf;

fn cases_path() -> PathBuf {
    std::env::var_os("FALCORC_CONFORMANCE_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases.yaml"))
}

fn s<'a>(n: &'a Node, k: &str) -> Option<&'a str> {
    n.get(k).and_then(|e| e.value.as_scalar()).map(|s| s.value.as_str())
}

fn strs(n: Option<&Node>) -> Vec<String> {
    n.and_then(|n| n.as_seq())
        .unwrap_or_default()
        .iter()
        .filter_map(|x| x.as_scalar())
        .map(|s| s.value.clone())
        .collect()
}

/// Fields of libsinsp's mock test catalogue and of other plugins: not modelled.
fn not_applicable(kind: &str, stage: Option<&str>, input: &str) -> Option<&'static str> {
    let uses = |p: &str| {
        input
            .match_indices(p)
            .any(|(i, _)| i == 0 || !input.as_bytes()[i - 1].is_ascii_alphanumeric() && input.as_bytes()[i - 1] != b'.')
    };
    if kind == "condition" && stage != Some("parse") && uses("c.") {
        return Some("libsinsp mock field c.*");
    }
    if uses("ka.") || uses("jevt.") {
        return Some("k8s_audit plugin fields");
    }
    if kind == "rules" && (input.contains("source: k8s_audit") || input.contains("source: aws_cloudtrail")) {
        return Some("plugin event source");
    }
    None
}

enum Outcome {
    Pass,
    Fail(String),
}

fn outcome_word(errors: bool, warnings: bool) -> &'static str {
    if errors {
        "error"
    } else if warnings {
        "warning"
    } else {
        "ok"
    }
}

fn run_condition(input: &str, stage: Option<&str>, expect: &str) -> Outcome {
    let parsed = condition::parse(input);
    if stage == Some("parse") {
        let got = if parsed.errors.is_empty() { "ok" } else { "error" };
        return if got == expect {
            Outcome::Pass
        } else {
            Outcome::Fail(format!("parse: got {got}, errors {:?}", parsed.errors))
        };
    }
    let mut smap = SourceMap::default();
    smap.add(input.len() as u32);
    let mut errors = !parsed.errors.is_empty();
    let mut warnings = false;
    let mut msgs = parsed.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>();
    if let Some(ast) = &parsed.expr {
        let mut macro_ref = false;
        ast.walk(&mut |e| macro_ref |= matches!(e, condition::ast::Expr::Macro(_)));
        errors |= macro_ref;
        let mut ck = Checker {
            env: Env {
                container_plugin: false,
                ..Env::default()
            },
            smap: &smap,
            diags: Vec::new(),
            severity: Severity::Error,
            item: ("rule", String::new()),
        };
        ck.check_expr(ast);
        errors |= ck.diags.iter().any(|d| d.is_error());
        warnings |= ck.diags.iter().any(|d| !d.is_error() && d.code.is_falco());
        msgs.extend(ck.diags.iter().map(|d| d.message.clone()));
    }
    let got = outcome_word(errors, warnings);
    if got == expect {
        Outcome::Pass
    } else {
        Outcome::Fail(format!("compile: got {got}: {msgs:?}"))
    }
}

fn run_rules(case: &Node, input: &str, expect: &str) -> Outcome {
    let mut opts = Options {
        container_plugin: false,
        ..Options::default()
    };
    for p in case
        .get("plugins_loaded")
        .and_then(|e| e.value.as_seq())
        .unwrap_or_default()
    {
        if let (Some(n), Some(v)) = (s(p, "name"), s(p, "version").and_then(version::parse)) {
            opts.plugins.push((n.to_string(), v));
        }
    }
    let an = analyze(
        vec![SourceFile {
            name: "case.yaml".into(),
            text: input.to_string(),
        }],
        &opts,
    );
    let errs: Vec<&str> = an
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.as_str())
        .collect();
    let warns: Vec<&str> = an
        .diagnostics
        .iter()
        .filter(|d| !d.is_error() && d.code.is_falco())
        .map(|d| d.message.as_str())
        .collect();
    let got = outcome_word(!errs.is_empty(), !warns.is_empty());
    let mut problems = Vec::new();
    if got != expect {
        problems.push(format!("got {got}; errors {errs:?}; warnings {warns:?}"));
    }
    if let Some(checks) = case.get("checks").map(|e| &e.value) {
        for want in strs(checks.get("error_substrings").map(|e| &e.value)) {
            if !errs.iter().any(|m| m.contains(&want)) {
                problems.push(format!("no error containing {want:?} in {errs:?}"));
            }
        }
        for want in strs(checks.get("warning_substrings").map(|e| &e.value)) {
            if !warns.iter().any(|m| m.contains(&want)) {
                problems.push(format!("no warning containing {want:?} in {warns:?}"));
            }
        }
        for absent in strs(checks.get("absent_warning_substrings").map(|e| &e.value)) {
            if warns.iter().any(|m| m.contains(&absent)) {
                problems.push(format!("unexpected warning containing {absent:?}"));
            }
        }
        if let Some(cc) = checks.get("compiled_conditions").and_then(|e| e.value.as_map()) {
            for e in cc {
                let (Some(name), Some(want)) = (e.key.as_scalar(), e.value.as_scalar()) else {
                    continue;
                };
                let got = an
                    .rules
                    .iter()
                    .find(|r| r.name == name.value)
                    .and_then(|r| r.expr.as_ref())
                    .map(print::to_string);
                if got.as_deref() != Some(want.value.as_str()) {
                    problems.push(format!(
                        "compiled condition of {:?}: got {got:?}, want {:?}",
                        name.value, want.value
                    ));
                }
            }
        }
        if let Some(n) = s(checks, "enabled_rules").and_then(|n| n.parse::<usize>().ok()) {
            let got = an.runnable_rules().filter(|r| r.enabled).count();
            if got != n {
                problems.push(format!("enabled rules: got {got}, want {n}"));
            }
        }
        if let Some(sv) = s(checks, "schema_validation") {
            let got = if an.schema_ok { "ok" } else { "failed" };
            if got != sv {
                problems.push(format!("schema_validation: got {got}, want {sv}"));
            }
        }
    }
    if problems.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(problems.join("; "))
    }
}

#[test]
fn conformance() {
    let path = cases_path();
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!(
            "conformance: cases file {} not found; set FALCORC_CONFORMANCE_CASES",
            path.display()
        );
        return;
    };
    let (docs, errs) = yaml::parse(&text, &yaml::Limits::default());
    assert!(
        errs.is_empty(),
        "cases.yaml does not parse: {:?}",
        errs.first().map(|e| &e.message)
    );
    let cases = docs
        .first()
        .and_then(|d| d.root.as_ref())
        .and_then(|r| r.as_seq())
        .unwrap_or_default();
    let (mut passed, mut failed, mut na) = (0, 0, 0);
    for case in cases {
        let id = s(case, "id").unwrap_or("?");
        let kind = s(case, "kind").unwrap_or("");
        let input = s(case, "input").unwrap_or("");
        let expect = s(case, "expect").unwrap_or("");
        let stage = s(case, "stage");
        if let Some(why) = not_applicable(kind, stage, input) {
            na += 1;
            let _ = why;
            continue;
        }
        let outcome = if kind == "rules" {
            run_rules(case, input, expect)
        } else {
            run_condition(input, stage, expect)
        };
        match outcome {
            Outcome::Pass => passed += 1,
            Outcome::Fail(why) => {
                failed += 1;
                println!("FAIL {id}: {why}");
            }
        }
    }
    println!("conformance: {passed} passed, {failed} failed, {na} not applicable");
    let rate = passed as f64 / (passed + failed).max(1) as f64;
    assert!(rate >= 0.95, "conformance pass rate {:.1}% is below 95%", rate * 100.0);
}
