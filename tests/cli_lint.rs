//! `falcorc lint` as CI pipelines run it: every output format, exit codes, standard input,
//! falcorc.toml, selection, suppressions, fixes, and IO and usage errors reported in the
//! format asked for.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn falcorc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("falcorc runs")
}

fn falcorc(args: &[&str]) -> Output {
    falcorc_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Run falcorc with `input` on its standard input.
fn falcorc_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("falcorc runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh directory under the target dir, removed first if a previous run left it.
fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli_lint_{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const FINDINGS: &str = "- list: shell_binaries
  items: [bash, sh, bash]

- rule: Shell started
  desc: A shell was started
  condition: evt.type = execve and proc.name in (shell_binaires)
  output: Shell started (proc=%proc.name)
  priority: NOTICE
";

#[test]
fn json_reports_a_missing_file_with_exit_two() {
    let o = falcorc(&["lint", "--format", "json", "no/such/file.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON even for IO errors");
    assert_eq!(v["version"], 1);
    assert_eq!(v["ok"], false);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "LOAD_ERR_FILE_READ");
    assert_eq!(d["location"]["file"], "no/such/file.yaml");
}

#[test]
fn usage_errors_are_reported_in_the_format_asked_for() {
    let o = falcorc(&[
        "lint",
        "--format",
        "json",
        "--select",
        "mixed-and-orr",
        "testdata/lint/clean.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "USAGE_ERROR");
    assert!(
        d["message"].as_str().unwrap().contains("did you mean 'mixed-and-or'"),
        "{d}"
    );
    assert!(d["location"].is_null());
    let o = falcorc(&[
        "lint",
        "--format",
        "sarif",
        "--ignore",
        "nope",
        "testdata/lint/clean.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "USAGE_ERROR");
}

#[test]
fn standard_input_is_linted() {
    let o = falcorc_with_stdin(&["lint", "-", "--color", "never"], FINDINGS);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "warnings only: {out}");
    assert!(
        out.contains("[undefined-list]") && out.contains("<stdin>:6:50"),
        "{out}"
    );
    assert!(out.contains("<stdin>: Ok, with warnings"), "{out}");
}

#[test]
fn fail_level_select_and_ignore() {
    let d = scratch("levels");
    std::fs::write(d.join("r.yaml"), FINDINGS).unwrap();
    let o = falcorc_in(&d, &["lint", "r.yaml", "--fail-level", "warning", "--no-config"]);
    assert_eq!(o.status.code(), Some(1), "warnings fail at --fail-level warning");
    let o = falcorc_in(
        &d,
        &["lint", "r.yaml", "--select", "undefined-list", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // Only the selected check; Falco's own warnings stay (the list is unused because misspelled).
    assert_eq!(codes, ["LOAD_UNUSED_LIST", "undefined-list"]);
    let o = falcorc_in(
        &d,
        &[
            "lint",
            "r.yaml",
            "--ignore",
            "suspicious,undefined-list,LOAD_UNUSED_LIST",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{v}");
    // An opt-in check by name.
    let o = falcorc_in(
        &d,
        &[
            "lint",
            "r.yaml",
            "--extend-select",
            "rule-without-tags",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "rule-without-tags")
    );
}

#[test]
fn falcorc_toml_is_found_upward_and_sets_levels_and_files() {
    let d = scratch("project");
    std::fs::create_dir_all(d.join("rules/sub")).unwrap();
    std::fs::write(d.join("rules/r.yaml"), FINDINGS).unwrap();
    std::fs::write(
        d.join("falcorc.toml"),
        "rules = [\"rules/r.yaml\"]\n[lint]\nundefined-list = \"deny\"\n",
    )
    .unwrap();
    // From a subdirectory, with no paths: the project's files and levels.
    let o = falcorc_in(&d.join("rules/sub"), &["lint", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("[undefined-list] Error"), "{}", stdout(&o));
    let o = falcorc_in(&d, &["lint", "rules/r.yaml", "--no-config"]);
    assert_eq!(o.status.code(), Some(0));
    // A broken project file is a usage error naming its line.
    std::fs::write(d.join("falcorc.toml"), "[lint]\nundefined-lists = \"deny\"\n").unwrap();
    let o = falcorc_in(&d, &["lint", "rules/r.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("falcorc.toml:2:1"), "{}", stdout(&o));
}

#[test]
fn suppressions_silence_one_finding_and_are_checked() {
    let d = scratch("suppress");
    let text = FINDINGS.replace(
        "- rule: Shell started",
        "# falcorc: ignore[undefined-list] a process really named so\n- rule: Shell started",
    );
    std::fs::write(d.join("r.yaml"), text).unwrap();
    let o = falcorc_in(&d, &["lint", "r.yaml", "--color", "never", "--no-config"]);
    let out = stdout(&o);
    assert!(!out.contains("[undefined-list]"), "{out}");
    assert!(out.contains("1 suppressed"), "{out}");
    assert!(!out.contains("unused-suppression"), "{out}");
}

#[test]
fn fix_applies_safe_fixes_only() {
    let d = scratch("fix");
    std::fs::write(d.join("r.yaml"), FINDINGS).unwrap();
    let o = falcorc_in(&d, &["lint", "r.yaml", "--fix", "--color", "never", "--no-config"]);
    let fixed = std::fs::read_to_string(d.join("r.yaml")).unwrap();
    assert!(
        fixed.contains("items: [bash, sh]\n"),
        "the repeated item is gone:\n{fixed}"
    );
    // A spelling guess is unsafe: offered, not applied.
    assert!(fixed.contains("(shell_binaires)"), "{fixed}");
    assert!(stdout(&o).contains("[undefined-list]"), "what is left is reported");
    assert!(!stdout(&o).contains("[duplicate-list-item]"));
}

#[test]
fn directories_skip_rule_fixtures() {
    let d = scratch("dir");
    std::fs::write(d.join("a_rules.yaml"), "- list: l\n  items: [a]\n").unwrap();
    std::fs::write(d.join("a.test.yaml"), "rules: [a_rules.yaml]\nevents: []\n").unwrap();
    let o = falcorc_in(&d, &["lint", ".", "--format", "json", "--no-config"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["files"], serde_json::json!(["./a_rules.yaml"]));
}

#[test]
fn every_format_carries_the_findings() {
    let d = scratch("formats");
    std::fs::write(d.join("r.yaml"), FINDINGS).unwrap();
    let run = |f: &str| {
        let o = falcorc_in(
            &d,
            &[
                "lint",
                "r.yaml",
                "--format",
                f,
                "--no-config",
                "--fail-level",
                "warning",
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{f}");
        stdout(&o)
    };
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let rule_ids: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        rule_ids.contains(&"undefined-list") && rule_ids.contains(&"duplicate-list-item"),
        "{rule_ids:?}"
    );
    let undefined = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "undefined-list")
        .unwrap();
    let region = &undefined["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(6), Some(50))
    );
    assert!(
        run0["tool"]["driver"]["rules"][0]["helpUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let dup = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "duplicate-list-item")
        .unwrap();
    assert!(dup["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"].is_u64());

    let github = run("github");
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::warning file=r.yaml,line=6,col=50,") && l.contains("undefined-list")),
        "{github}"
    );

    let junit = run("junit");
    assert!(
        junit.starts_with("<?xml") && junit.contains("<testsuite name=\"r.yaml\" tests=\"3\" failures=\"3\">"),
        "{junit}"
    );
    assert_eq!(junit.matches("<failure ").count(), 3, "{junit}");

    let gitlab: serde_json::Value = serde_json::from_str(&run("gitlab")).unwrap();
    let issues = gitlab.as_array().unwrap();
    assert_eq!(issues.len(), 3);
    assert!(
        issues
            .iter()
            .all(|i| i["fingerprint"].as_str().unwrap().len() == 16 && i["location"]["path"] == "r.yaml")
    );

    // -o: the report to a file, the summary to stderr.
    let o = falcorc_in(
        &d,
        &["lint", "r.yaml", "--format", "sarif", "-o", "out.sarif", "--no-config"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("out.sarif")).unwrap()).unwrap();
    assert_eq!(written["version"], "2.1.0");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["fields", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -0`
    let o = child.wait_with_output().unwrap();
    use std::os::unix::process::ExitStatusExt;
    let sigpipe = o.status.signal() == Some(libc::SIGPIPE);
    assert!(sigpipe || o.status.code() == Some(0), "{:?}", o.status);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

#[test]
fn a_directory_of_many_files_loads_in_order() {
    // File i uses the macro of file i-1: any reordering of the parsed files would leave a
    // macro undefined. Several files are parsed on all cores.
    let d = scratch("many");
    for i in 0..100 {
        let uses = if i == 0 {
            String::new()
        } else {
            format!(" and m{}", i - 1)
        };
        let text = format!(
            "- macro: m{i}\n  condition: proc.name = p{i}\n\n- rule: r{i}\n  desc: d\n  condition: evt.type = execve{uses}\n  output: o %proc.name\n  priority: INFO\n  tags: [t]\n"
        );
        std::fs::write(d.join(format!("{i:03}_rules.yaml")), text).unwrap();
    }
    let o = falcorc_in(&d, &["lint", ".", "--format", "json", "--no-config"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["rules"].as_u64(), v["macros"].as_u64(), v["errors"].as_u64()),
        (Some(100), Some(100), Some(0))
    );
    // The last macro is the only one no rule uses.
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["item_name"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["m99"]);
}

#[test]
fn fix_on_standard_input_prints_the_fixed_text() {
    let o = falcorc_with_stdin(&["lint", "-", "--fix", "--no-config"], FINDINGS);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), FINDINGS.replace("[bash, sh, bash]", "[bash, sh]"));
}

#[test]
fn explain_a_check() {
    let o = falcorc(&["explain", "undefined-list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for needle in [
        "a falcorc check: correctness, default warn",
        "What",
        "Why",
        "shell_binaires",
        "# falcorc: ignore[undefined-list]",
    ] {
        assert!(out.contains(needle), "{needle:?} in\n{out}");
    }
    let all = stdout(&falcorc(&["explain", "all"]));
    assert!(
        all.contains("mixed-and-or") && all.contains("LOAD_UNUSED_LIST"),
        "{all}"
    );
}

/// Port service names resolve in the host's services database, as Falco's `getservbyname` does
/// on the same host: a name the host knows loads, one it does not is Falco's error.
#[test]
fn port_service_names_resolve_in_the_hosts_services_database() {
    let services = std::fs::read_to_string("/etc/services").unwrap_or_default();
    let known = |name: &str| {
        services.lines().any(|l| {
            let mut w = l.split('#').next().unwrap_or("").split_ascii_whitespace();
            let (n, p) = (w.next(), w.next());
            p.is_some_and(|p| p.contains('/')) && (n == Some(name) || w.any(|a| a == name))
        })
    };
    let dir = scratch("services");
    std::fs::write(
        dir.join("r.yaml"),
        "- rule: web\n  desc: d\n  condition: evt.type = connect and fd.sport in (https, 8443)\n  output: o %fd.sport\n  priority: WARNING\n- rule: nowhere\n  desc: d\n  condition: evt.type = connect and fd.rport = no-such-service-here\n  output: o\n  priority: WARNING\n",
    )
    .unwrap();
    let o = falcorc_in(&dir, &["lint", "--format", "json", "r.yaml"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let messages: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    let mut expected = vec!["unrecognized protocol no-such-service-here"];
    if !known("https") {
        expected.insert(0, "unrecognized protocol https");
    }
    assert_eq!(messages, expected, "{}", stdout(&o));
}
