//! `falcorc test` as a CI pipeline runs it: `--filter`, `--update`, `--min-coverage`,
//! JUnit test cases per expectation, `-o`, and the first-match shadowing warning. Every
//! test writes its own small rules file and hand-written-events fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory under cargo's temporary directory for tests, removed afterwards.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_test_cmd").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join(name)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_falcorc"))
            .arg("test")
            .args(args)
            .current_dir(&self.0)
            .output()
            .expect("falcorc runs")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Two rules that both match python3 reading /etc/shadow; the broad one comes first.
const RULES: &str = r#"
- rule: Any shadow read
  desc: any process reads /etc/shadow
  condition: evt.type = openat and fd.name = /etc/shadow
  output: "shadow read (file=%fd.name proc=%proc.name)"
  priority: WARNING

- rule: Shadow read by python
  desc: python reads /etc/shadow
  condition: evt.type = openat and fd.name = /etc/shadow and proc.name = python3
  output: "python shadow read (file=%fd.name proc=%proc.name)"
  priority: WARNING
"#;

const PROCESSES: &str = "processes:
  - {tid: 300, ptid: 1, comm: python3, exe: /usr/bin/python3, exepath: /usr/bin/python3, cwd: /srv, uid: 1000}
  - {tid: 400, ptid: 1, comm: bash, exe: /usr/bin/bash, exepath: /usr/bin/bash, cwd: /, uid: 0}
";

/// python3 reads /etc/shadow twice (both rules fire twice), bash once (only the first).
fn reads_fixture(name: &str, expect: &str) -> String {
    format!(
        "name: {name}\nrules: [rules.yaml]\n{PROCESSES}events:
  - {{type: openat, tid: 300, params: {{fd: 3, dirfd: -100, name: /etc/shadow, flags: 1}}}}
  - {{type: openat, tid: 400, params: {{fd: 4, dirfd: -100, name: /etc/shadow, flags: 1}}}}
  - {{type: openat, tid: 300, params: {{fd: 5, dirfd: -100, name: /etc/shadow, flags: 1}}}}
expect:
{expect}"
    )
}

/// python3 reads another file: neither rule fires.
fn quiet_fixture(name: &str, expect: &str) -> String {
    format!(
        "name: {name}\nrules: [rules.yaml]\n{PROCESSES}events:
  - {{type: openat, tid: 300, params: {{fd: 3, dirfd: -100, name: /etc/hosts, flags: 1}}}}
expect:
{expect}"
    )
}

#[test]
fn filter_runs_matching_fixtures_and_says_how_many_were_left_out() {
    let d = TempDir::new("filter");
    d.write("rules.yaml", RULES);
    d.write(
        "python.test.yaml",
        &reads_fixture("python reads", "  - {rule: Shadow read by python, count: 2}\n"),
    );
    d.write(
        "any.test.yaml",
        &reads_fixture("any reads", "  - {rule: Any shadow read, count: 3}\n"),
    );
    d.write(
        "quiet.test.yaml",
        &quiet_fixture("nothing fires", "  - {rule: Any shadow read, count: 0}\n"),
    );

    // By fixture name, ignoring case.
    let o = d.run(&["--filter", "PYTHON READS"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("ok     python reads"), "{out}");
    assert!(!out.contains("any reads") && !out.contains("nothing fires"), "{out}");
    assert!(
        out.trim_end().ends_with("fixtures: 1 passed, 0 failed, 2 filtered out"),
        "{out}"
    );

    // By expected rule, as a wildcard; patterns add up.
    let o = d.run(&["--filter", "any shadow*", "--filter", "python.test.yaml"]);
    let out = text(&o.stdout);
    assert!(out.trim_end().ends_with("fixtures: 3 passed, 0 failed"), "{out}");
    let o = d.run(&["--filter", "*read by*"]);
    let out = text(&o.stdout);
    assert!(
        out.trim_end().ends_with("fixtures: 1 passed, 0 failed, 2 filtered out"),
        "{out}"
    );

    // By file name; the JSON report counts the rest.
    let o = d.run(&["--filter", "quiet", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["filtered_out"], 2);
    assert_eq!(v["fixtures"][0]["name"], "nothing fires");
    assert!(text(&o.stderr).contains("running 1 of 3 fixtures (2 filtered out)"));

    // Nothing left: a usage error.
    let o = d.run(&["--filter", "no such thing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("--filter matched none of the 3 fixtures"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn update_rewrites_values_in_place_and_the_next_run_passes() {
    let d = TempDir::new("update");
    d.write("rules.yaml", RULES);
    let before = reads_fixture(
        "stale",
        "  # python3 reads it twice.
  - rule: Shadow read by python
    count: 5          # wrong on purpose
    output_fields:
      proc.name: 'ruby'   # quoted, stays quoted
      fd.name: /etc/shadow
  - {rule: Any shadow read, min: 9}   # flow style
",
    );
    d.write("stale.test.yaml", &before);
    d.write(
        "alerts.test.yaml",
        &reads_fixture(
            "with alerts",
            "  - {rule: Any shadow read, count: 3}\nalerts_file: expected.json\n",
        ),
    );
    d.write("expected.json", "{\"rule\": \"old\"}\n");

    let o = d.run(&["stale.test.yaml", "alerts.test.yaml"]);
    assert_eq!(o.status.code(), Some(1), "the fixtures start out failing");

    let o = d.run(&["--update", "stale.test.yaml", "alerts.test.yaml"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", text(&o.stderr));
    // A reviewable diff of each change, then the report of the rewritten fixtures.
    assert!(
        out.contains("--- a/stale.test.yaml\n+++ b/stale.test.yaml\n@@ "),
        "{out}"
    );
    assert!(
        out.contains("\n-    count: 5          # wrong on purpose\n+    count: 2          # wrong on purpose\n"),
        "{out}"
    );
    assert!(
        out.contains("\n+      proc.name: 'python3'   # quoted, stays quoted\n"),
        "{out}"
    );
    assert!(out.contains("--- a/expected.json\n+++ b/expected.json\n"), "{out}");
    assert!(out.trim_end().ends_with("fixtures: 2 passed, 0 failed"), "{out}");
    assert!(
        text(&o.stderr).contains("rewrote 1 fixture and 1 alerts file"),
        "{}",
        text(&o.stderr)
    );

    // Only the values changed: comments, layout and quoting are as written.
    let after = before
        .replace("count: 5", "count: 2")
        .replace("'ruby'", "'python3'")
        .replace("min: 9", "min: 3");
    assert_eq!(d.read("stale.test.yaml"), after);
    let alerts = d.read("expected.json");
    assert_eq!(alerts.lines().count(), 5, "{alerts}");
    for line in alerts.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["hostname"], "falcorc-test");
    }

    // A second run passes without --update, and another update changes nothing.
    let o = d.run(&["stale.test.yaml", "alerts.test.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let o = d.run(&["--update", "stale.test.yaml", "alerts.test.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!text(&o.stdout).contains("--- "), "{}", text(&o.stdout));
    assert_eq!(d.read("stale.test.yaml"), after);
    assert_eq!(d.read("expected.json"), alerts);
}

#[test]
fn update_leaves_broken_fixtures_alone() {
    let d = TempDir::new("update_broken");
    d.write("rules.yaml", "- rule: r\n  condition: evt.type = openat and\n");
    let fixture = reads_fixture("broken rules", "  - {rule: r, count: 1}\n");
    d.write("b.test.yaml", &fixture);
    let o = d.run(&["--update"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("b.test.yaml: not updated: the rules have"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(d.read("b.test.yaml"), fixture);
}

/// Two rules; one has a positive and a negative test, the other neither: 50 %.
fn half_covered(d: &TempDir) {
    d.write("rules.yaml", RULES);
    d.write(
        "pos.test.yaml",
        &reads_fixture("positive", "  - {rule: Shadow read by python, count: 2}\n"),
    );
    d.write(
        "neg.test.yaml",
        &quiet_fixture("negative", "  - {rule: Shadow read by python, count: 0}\n"),
    );
}

#[test]
fn min_coverage_sets_the_exit_code() {
    let d = TempDir::new("coverage");
    half_covered(&d);
    let o = d.run(&["--min-coverage", "50"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("coverage: 1 of 2 rules have a positive and a negative test (50.0%)"),
        "{out}"
    );

    let o = d.run(&["--min-coverage", "51"]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains(
            "rule coverage is 50.0% (1 of 2 rules have a positive and a negative test), below --min-coverage 51"
        ),
        "{err}"
    );
    // Below the minimum, the rules lacking tests are listed.
    assert!(
        text(&o.stdout).contains("  Any shadow read: no test"),
        "{}",
        text(&o.stdout)
    );

    let o = d.run(&["--min-coverage", "100", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["coverage_summary"]["percent"], 50.0);
    assert_eq!(v["coverage_summary"]["met"], false);
    assert_eq!(v["failed"], 0, "the fixtures themselves passed");

    for bad in ["101", "-1", "lots"] {
        let o = d.run(&["--min-coverage", bad]);
        assert_eq!(o.status.code(), Some(2), "--min-coverage {bad}");
    }
}

#[test]
fn junit_has_a_case_per_expectation_and_writes_to_a_file() {
    let d = TempDir::new("junit");
    d.write("rules.yaml", RULES);
    d.write(
        "mixed.test.yaml",
        &reads_fixture(
            "mixed <results>",
            "  - {rule: Any shadow read, count: 3}
  - rule: Shadow read by python
    count: 1
    output_fields: {proc.name: python3}
",
        ),
    );
    d.write(
        "broken.test.yaml",
        "name: unreadable capture\nrules: [rules.yaml]\ncapture: missing.scap\nexpect:\n  - {rule: Any shadow read, count: 1}\n",
    );

    let o = d.run(&["--format", "junit", "-o", "report.xml"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "", "the report goes to the file");
    let x = d.read("report.xml");
    assert!(
        x.starts_with("<?xml") && x.contains("<testsuites tests=\"3\" failures=\"1\" errors=\"1\""),
        "{x}"
    );
    assert!(
        x.contains("<testcase name=\"Any shadow read count=3\" classname=\"mixed &lt;results&gt;\""),
        "{x}"
    );
    let case = x
        .split("<testcase name=\"Shadow read by python count=1\"")
        .nth(1)
        .and_then(|c| c.split("</testcase>").next())
        .unwrap_or_else(|| panic!("{x}"));
    assert!(
        case.contains("<failure message=\"line 12: rule &apos;Shadow read by python&apos; fired 2 times, expected 1\""),
        "{case}"
    );
    assert!(
        case.contains("expected: 'Shadow read by python': exactly 1 alert"),
        "{case}"
    );
    assert!(case.contains("actual: 2 alerts"), "{case}");
    // The first alert past the expected count, in full.
    assert!(case.contains("first differing alert (#2):\n  actual:   {"), "{case}");
    assert!(
        case.contains("python shadow read (file=/etc/shadow proc=python3)"),
        "{case}"
    );
    // A fixture that could not run: an error, not a failure.
    let broken = x
        .split("classname=\"unreadable capture\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{x}"));
    assert!(broken.contains("<error message=\"missing.scap"), "{broken}");
    assert_balanced(&x);
}

/// Every element opened is closed, in order: enough to catch broken nesting or a
/// character that escaped into markup.
fn assert_balanced(xml: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let body = xml.split_once("?>").map_or(xml, |(_, b)| b);
    for tag in body.split('<').skip(1) {
        let (inner, _) = tag.split_once('>').unwrap_or_else(|| panic!("unclosed tag: {tag}"));
        if let Some(name) = inner.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "{xml}");
        } else if !inner.ends_with('/') {
            stack.push(inner.split_whitespace().next().unwrap_or(""));
        }
    }
    assert!(stack.is_empty(), "{stack:?}");
}

#[test]
fn a_rule_hidden_behind_an_earlier_one_is_a_warning_in_every_format() {
    let d = TempDir::new("shadow");
    d.write("rules.yaml", RULES);
    d.write(
        "shadow.test.yaml",
        &reads_fixture("shadowed", "  - {rule: Shadow read by python, count: 2}\n"),
    );
    // The first rule of the events is never hidden; `count: 0` is not a positive test.
    d.write(
        "first.test.yaml",
        &reads_fixture(
            "first",
            "  - {rule: Any shadow read, count: 3}\n  - {rule: Shadow read by python, min: 0}\n",
        ),
    );

    let o = d.run(&[]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "a warning does not fail the run: {out}");
    let warnings: Vec<&str> = out.lines().filter(|l| l.trim_start().starts_with("warning:")).collect();
    assert_eq!(
        warnings,
        [
            "         warning: shadow.test.yaml:11: with Falco's default rule_matching: first, rule 'Shadow read by python' would lose 2 of its 2 alerts to the earlier rule 'Any shadow read', which matches the same events"
        ],
        "{out}"
    );

    let o = d.run(&["--format", "json", "--filter", "shadowed"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = &v["fixtures"][0]["checks"][0]["shadowed"][0];
    assert_eq!(
        (s["by"].as_str(), s["lost"].as_u64(), s["of"].as_u64()),
        (Some("Any shadow read"), Some(2), Some(2))
    );

    let o = d.run(&["--format", "junit", "--filter", "shadowed"]);
    let x = text(&o.stdout);
    assert!(
        x.contains(
            "<system-out>warning: with Falco's default rule_matching: first, rule 'Shadow read by python' would lose 2"
        ),
        "{x}"
    );
    assert_balanced(&x);

    // A fixture that runs like a default Falco gets no warning: the rule simply does not fire.
    d.write(
        "shadow.test.yaml",
        &reads_fixture("shadowed", "  - {rule: Shadow read by python, count: 0}\n")
            .replace("expect:", "options: {rule_matching: first}\nexpect:"),
    );
    let o = d.run(&["--filter", "shadowed"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(!text(&o.stdout).contains("warning:"));
}

#[test]
fn a_pattern_says_that_no_rule_the_fixture_does_not_name_fires() {
    let d = TempDir::new("pattern");
    d.write("rules.yaml", RULES);
    // Both rules fire; the fixture names only one of them.
    d.write(
        "collateral.test.yaml",
        &reads_fixture(
            "collateral",
            "  - {rule: Shadow read by python, count: 2}\n  - {rule: \"*\", count: 0}\n",
        ),
    );
    let o = d.run(&["collateral.test.yaml"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("line 12: rules matching '*' that the fixture does not name fired: 'Any shadow read' 3 times"),
        "{out}"
    );

    // Naming the other rule, or a pattern it does not match, passes.
    d.write(
        "named.test.yaml",
        &reads_fixture(
            "named",
            "  - {rule: Shadow read by python, count: 2}\n  - {rule: Any shadow read, count: 3}\n  - {rule: \"*\", count: 0}\n",
        ),
    );
    d.write(
        "narrow.test.yaml",
        &reads_fixture(
            "narrow",
            "  - {rule: Any shadow read, count: 3}\n  - {rule: \"Shadow read by *\", count: 2}\n",
        ),
    );
    // Not in the coverage: a pattern is no near miss of any one rule.
    d.write(
        "quiet.test.yaml",
        &quiet_fixture("quiet", "  - {rule: \"*\", count: 0}\n"),
    );
    let o = d.run(&["named.test.yaml", "quiet.test.yaml", "--coverage"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("coverage: 0 of 2 rules have a positive and a negative test"),
        "{out}"
    );

    // A pattern with a count of alerts is a fixture error; one that matches no rule, a failure.
    let o = d.run(&["narrow.test.yaml"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("a rule pattern ('Shadow read by *') only takes 'count: 0'"),
        "{out}"
    );
    d.write(
        "typo.test.yaml",
        &quiet_fixture("typo", "  - {rule: \"Shdow*\", count: 0}\n"),
    );
    let o = d.run(&["typo.test.yaml"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("line 9: no rule of the loaded rules files matches 'Shdow*'"),
        "{out}"
    );
}
