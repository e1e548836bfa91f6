//! The real Falco 0.44.1's alerts on real captures (../shared/captures/expected, see
//! INDEX.md there) are reproduced alert for alert and field for field — through the
//! fixture runner (`falcorc test`) and through `falcorc replay`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> Option<PathBuf> {
    let base = std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    base.join("captures/INDEX.md")
        .exists()
        .then(|| base.canonicalize().unwrap_or(base))
}

/// (expected file, capture, rules files in load order, `rules:` selection, min priority).
const CASES: &[(&str, &str, &[&str], &str, &str)] = &[
    (
        "cat_write__single_rule",
        "falco_cat_write",
        &["single_rule"],
        "",
        "debug",
    ),
    (
        "cat_write__single_double_rule",
        "falco_cat_write",
        &["single_rule", "double_rule"],
        "",
        "debug",
    ),
    (
        "cat_write__single_double_rule__min_warning",
        "falco_cat_write",
        &["single_rule", "double_rule"],
        "",
        "warning",
    ),
    (
        "cat_write__catchall_order",
        "falco_cat_write",
        &["catchall_order"],
        "",
        "debug",
    ),
    (
        "cat_write__skip_unknown_evt",
        "falco_cat_write",
        &["skip_unknown_evt"],
        "",
        "debug",
    ),
    (
        "cat_write__enabled_flag_only",
        "falco_cat_write",
        &["enabled_rule_using_enabled_flag_only"],
        "",
        "debug",
    ),
    (
        "cat_write__rule_exception_single_field",
        "falco_cat_write",
        &["rule_exception_single_field"],
        "",
        "debug",
    ),
    (
        "cat_write__rule_exception_no_values",
        "falco_cat_write",
        &["rule_exception_no_values"],
        "",
        "debug",
    ),
    ("cat_write__fields", "falco_cat_write", &["fields_rules"], "", "debug"),
    (
        "open-multiple-files__tagged_rules",
        "falco_open-multiple-files",
        &["tagged_rules"],
        "",
        "debug",
    ),
    (
        "open-multiple-files__tagged_rules__disable_tag_a",
        "falco_open-multiple-files",
        &["tagged_rules"],
        "- disable: {tag: a}",
        "debug",
    ),
    (
        "open-multiple-files__tagged_rules__disable_tags_a_c",
        "falco_open-multiple-files",
        &["tagged_rules"],
        "- disable: {tag: a}\n    - disable: {tag: c}",
        "debug",
    ),
    (
        "open-multiple-files__tagged_rules__only_tag_b",
        "falco_open-multiple-files",
        &["tagged_rules"],
        "- disable: {rule: \"*\"}\n    - enable: {tag: b}",
        "debug",
    ),
    (
        "open-multiple-files__tagged_rules__only_open_1x",
        "falco_open-multiple-files",
        &["tagged_rules"],
        "- disable: {rule: \"*\"}\n    - enable: {rule: \"open_1*\"}",
        "debug",
    ),
    (
        "open-multiple-files__fields",
        "falco_open-multiple-files",
        &["fields_rules"],
        "",
        "debug",
    ),
    ("syscall__syscalls", "falco_syscall", &["syscalls"], "", "debug"),
    ("syscall__fields", "falco_syscall", &["fields_rules"], "", "debug"),
    (
        "ping_sendto__single_rule",
        "falco_ping_sendto",
        &["single_rule"],
        "",
        "debug",
    ),
    (
        "ping_sendto__fields",
        "falco_ping_sendto",
        &["fields_rules"],
        "",
        "debug",
    ),
    (
        "curl_google__fields",
        "libs_curl_google",
        &["fields_rules"],
        "",
        "debug",
    ),
    ("sample__fields", "libs_sample", &["fields_rules"], "", "debug"),
];

fn write_fixture(dir: &Path, shared: &Path, case: &(&str, &str, &[&str], &str, &str)) {
    let (name, capture, rules, selection, min) = case;
    let rules: Vec<String> = rules
        .iter()
        .map(|r| format!("  - {}", shared.join(format!("captures/rules/{r}.yaml")).display()))
        .collect();
    let selection = if selection.is_empty() {
        String::new()
    } else {
        format!("  rules:\n    {selection}\n")
    };
    let text = format!(
        "name: {name}\nrules:\n{}\ncapture: {}\noptions:\n  rule_matching: all\n  min_priority: {min}\n  hostname: test-falco-hostname\n{selection}alerts_file: {}\n",
        rules.join("\n"),
        shared.join(format!("captures/{capture}.scap")).display(),
        shared.join(format!("captures/expected/{name}.json")).display(),
    );
    std::fs::write(dir.join(format!("{name}.test.yaml")), text).unwrap();
}

#[test]
fn every_expected_file_is_reproduced_by_the_fixture_runner() {
    let Some(shared) = shared() else {
        println!("skipping: ../shared/captures not found (set FALCORC_SHARED)");
        return;
    };
    let expected: Vec<String> = std::fs::read_dir(shared.join("captures/expected"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
        .collect();
    for e in &expected {
        assert!(
            CASES.iter().any(|c| c.0 == e),
            "expected file {e}.json has no case here"
        );
    }
    let dir = std::env::temp_dir().join(format!("falcorc-expected-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for c in CASES {
        write_fixture(&dir, &shared, c);
    }
    // The whole suite runs on both back ends.
    for engine in ["jit", "interp"] {
        let out = Command::new(env!("CARGO_BIN_EXE_falcorc"))
            .args(["test", dir.to_str().unwrap(), "--format", "json", "--engine", engine])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let mut failed = Vec::new();
        for f in report["fixtures"].as_array().unwrap() {
            if f["passed"] != true {
                let fails: Vec<&str> = f["failures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|x| x.as_str())
                    .take(8)
                    .collect();
                failed.push(format!("{}:\n    {}", f["name"], fails.join("\n    ")));
            }
        }
        assert!(
            failed.is_empty(),
            "--engine {engine}: {} of {} fixtures failed:\n{}",
            failed.len(),
            CASES.len(),
            failed.join("\n")
        );
        assert_eq!(report["passed"], CASES.len());
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_prints_falcos_json_and_text() {
    let Some(shared) = shared() else { return };
    let rules = shared.join("captures/rules/single_rule.yaml");
    let cap = shared.join("captures/falco_cat_write.scap");
    let run = |format: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_falcorc"))
            .args([
                "replay",
                "-r",
                rules.to_str().unwrap(),
                cap.to_str().unwrap(),
                "--format",
                format,
                "--hostname",
                "test-falco-hostname",
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let want = std::fs::read_to_string(shared.join("captures/expected/cat_write__single_rule.json")).unwrap();
    let got = run("json");
    let parse = |s: &str| {
        s.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(parse(&got), parse(&want));
    let want_text = std::fs::read_to_string(shared.join("captures/expected/cat_write__single_rule.txt")).unwrap();
    assert_eq!(run("text"), want_text);
}
