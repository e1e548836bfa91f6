//! The `falcorc` binary as users and CI pipelines run it: exit codes, output formats,
//! and the subcommands' contents.

use std::path::PathBuf;
use std::process::{Command, Output};

fn falcorc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("falcorc runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn shared_rules() -> Option<PathBuf> {
    let base = std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let p = base.join("falco-upstream/falco_rules.yaml");
    p.exists().then_some(p)
}

#[test]
fn lint_clean_file_exits_zero_with_summary() {
    let o = falcorc(&["lint", "testdata/lint/clean.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("testdata/lint/clean.yaml: Ok (1 rules, 1 macros, 1 lists; 0 errors, 0 warnings)"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour when stdout is not a terminal");
}

#[test]
fn lint_broken_file_reports_every_problem_and_exits_one() {
    let o = falcorc(&["lint", "testdata/lint/broken.yaml", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    for needle in [
        "nonexistent field proc.nmae",
        "did you mean 'proc.name'?",
        "'contains' operator not supported for numeric filters",
        "unrecognized protocol abc",
        "unknown event type opne",
        "%fd.nmae",
        "Invalid priority",
        "expected a string value",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    // The folded block: the caret line points into line 8.
    assert!(out.contains("rules.yaml") || out.contains("broken.yaml:8:9"), "{out}");
}

#[test]
fn lint_json_has_codes_and_exact_locations() {
    let o = falcorc(&["lint", "testdata/lint/broken.yaml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["ok"], false);
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    let nmae = diags
        .iter()
        .find(|d| d["message"].as_str().unwrap_or("").contains("proc.nmae"))
        .expect("proc.nmae reported");
    assert_eq!(nmae["code"], "LOAD_ERR_COMPILE_CONDITION");
    assert_eq!(nmae["location"]["line"], 8);
    assert_eq!(nmae["location"]["column"], 9);
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/lint/broken.yaml")).unwrap();
    let (s, e) = (
        nmae["location"]["start"].as_u64().unwrap() as usize,
        nmae["location"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], "proc.nmae");
    assert_eq!(
        v["errors"].as_u64(),
        Some(diags.iter().filter(|d| d["severity"] == "error").count() as u64)
    );
}

#[test]
fn colours_can_be_forced() {
    let o = falcorc(&["lint", "testdata/lint/broken.yaml", "--color", "always"]);
    assert!(stdout(&o).contains('\x1b'));
}

#[test]
fn missing_file_and_bad_usage_exit_two() {
    let o = falcorc(&["lint", "testdata/lint/no_such_file.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("[LOAD_ERR_FILE_READ] Error"), "{}", stdout(&o));
    assert!(stdout(&o).contains("no_such_file.yaml"), "{}", stdout(&o));
    assert_eq!(falcorc(&["lint", "--no-config"]).status.code(), Some(2));
    assert_eq!(falcorc(&["lint", "x", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(falcorc(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn directories_load_their_yaml_files_in_name_order() {
    let o = falcorc(&["lint", "testdata/lint", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(files, ["testdata/lint/broken.yaml", "testdata/lint/clean.yaml"]);
}

#[test]
fn rules_json_lists_the_stable_ruleset() {
    let Some(path) = shared_rules() else { return };
    let o = falcorc(&["rules", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rules"].as_array().unwrap().len(), 25);
    assert_eq!(v["macros"].as_array().unwrap().len(), 87);
    assert_eq!(v["lists"].as_array().unwrap().len(), 49);
    let shell = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Run shell untrusted")
        .unwrap();
    assert_eq!(shell["priority"], "Notice");
    assert_eq!(shell["event_types"], serde_json::json!(["execve", "execveat"]));
    assert!(shell["fields"].as_array().unwrap().iter().any(|f| f == "proc.pname"));
    assert!(shell["tags"].as_array().unwrap().iter().any(|t| t == "maturity_stable"));
}

#[test]
fn lint_stable_ruleset_is_clean() {
    let Some(path) = shared_rules() else { return };
    let o = falcorc(&["lint", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    // Falco's loader reports nothing; falcorc's checks find two outputs printing an fd
    // field on execve (docs/LINT.md, "Findings in Falco's own rules").
    assert!(
        stdout(&o).ends_with("Ok, with warnings (25 rules, 87 macros, 49 lists; 0 errors, 2 warnings)\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn fields_lists_the_catalogue() {
    let o = falcorc(&["fields", "--format", "json", "--all"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 294);
    let o = falcorc(&["fields"]);
    assert!(stdout(&o).contains("proc.name"));
}

#[test]
fn explain_known_and_unknown_codes() {
    let o = falcorc(&["explain", "LOAD_NO_EVTTYPE"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for h in ["What", "Why", "Example", "Instead"] {
        assert!(out.contains(h), "{out}");
    }
    assert_eq!(falcorc(&["explain", "NOPE"]).status.code(), Some(2));
    assert!(stdout(&falcorc(&["explain", "all"])).contains("LOAD_ERR_YAML_PARSE"));
}

#[test]
fn plugins_can_be_declared_loaded() {
    let o = falcorc(&["lint", "testdata/plugin/k8s_audit.yaml", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "requirement not met without the plugin");
    assert!(stdout(&o).contains("Plugin requirement not satisfied, must load one of: k8saudit (>= 0.7.0)"));
    let o = falcorc(&[
        "lint",
        "testdata/plugin/k8s_audit.yaml",
        "--plugin",
        "k8saudit:0.7.1",
        "--color",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("Unknown source k8s_audit, skipping"));
    assert_eq!(
        falcorc(&["lint", "testdata/plugin/k8s_audit.yaml", "--plugin", "k8saudit"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn test_runs_fixtures_with_coverage() {
    let o = falcorc(&["test", "rules/tests", "--coverage"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    // Every rule of the default ruleset has both tests.
    let line = out.lines().find(|l| l.starts_with("coverage: ")).unwrap_or_default();
    let words: Vec<&str> = line.split_whitespace().collect();
    assert!(
        words.len() > 4 && words[1] == words[3] && words[1].parse::<usize>().unwrap_or(0) >= 40,
        "{out}"
    );
    assert!(line.ends_with("(100.0%)"), "{out}");
    assert!(out.trim_end().ends_with("passed, 0 failed"), "{out}");
    // Under Falco's default rule matching (first) no rule of the default ruleset loses an
    // alert to an earlier one: every fixture's alerts hold whatever the matching mode.
    assert!(!out.contains("would lose"), "{out}");
}

#[test]
fn test_reports_failures_in_every_format() {
    let o = falcorc(&["test", "testdata/fixtures/deliberately_failing.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("proc.pname is \"nginx\", expected \"apache2\""),
        "{}",
        stdout(&o)
    );
    let o = falcorc(&[
        "test",
        "testdata/fixtures/deliberately_failing.yaml",
        "--format",
        "junit",
    ]);
    let xml = stdout(&o);
    assert!(
        xml.starts_with("<?xml") && xml.contains("<testsuites tests=\"1\" failures=\"1\""),
        "{xml}"
    );
    assert!(xml.contains("expected &quot;apache2&quot;"));
    let o = falcorc(&[
        "test",
        "testdata/fixtures/deliberately_failing.yaml",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["failed"], 1);
    let o = falcorc(&["test", "testdata/fixtures/bad_param.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("bad_param.yaml:6: event 'openat' has no parameter 'nmae'"),
        "{out}"
    );
}

#[test]
fn replay_selection_applies_in_command_line_order() {
    let Some(rules) = shared_rules() else { return };
    let base = rules.parent().unwrap().parent().unwrap().join("captures");
    let tagged = base.join("rules/tagged_rules.yaml");
    let cap = base.join("falco_open-multiple-files.scap");
    let count = |args: &[&str]| {
        let mut all = vec![
            "replay",
            "-r",
            tagged.to_str().unwrap(),
            cap.to_str().unwrap(),
            "--rule-matching",
            "all",
        ];
        all.extend_from_slice(args);
        let o = falcorc(&all);
        assert_eq!(o.status.code(), Some(0));
        stdout(&o).lines().count()
    };
    assert_eq!(count(&[]), 13);
    assert_eq!(count(&["--disable-rule", "*", "--enable-tag", "b"]), 6);
    assert_eq!(
        count(&["--enable-tag", "b", "--disable-rule", "*"]),
        0,
        "later entries win"
    );
    assert_eq!(count(&["--disable-rule", "*", "--enable-rule", "open_1*"]), 5);
    let o = falcorc(&[
        "replay",
        "-r",
        tagged.to_str().unwrap(),
        cap.to_str().unwrap(),
        "--stats",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("events read:") && err.contains("events/s"), "{err}");
}

#[test]
fn replay_can_check_one_engine_against_the_other() {
    let Some(rules) = shared_rules() else { return };
    let cap = rules
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("captures/libs_curl_google.scap");
    let (rules, cap) = (rules.to_str().unwrap(), cap.to_str().unwrap());
    let plain = falcorc(&["replay", "-r", rules, cap]);
    for engine in ["jit", "interp"] {
        let o = falcorc(&["replay", "-r", rules, cap, "--compare-engines", "--engine", engine]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
        // Alerts are the chosen engine's, unchanged by the check.
        assert_eq!(o.stdout, plain.stdout, "--engine {engine}");
        let other = if engine == "jit" { "interpreter" } else { "jit" };
        assert!(err.contains(&format!("compared with:    {other} ")), "{err}");
        let agreement = err
            .lines()
            .find(|l| l.contains("agreement:"))
            .expect("an agreement line");
        let counts: Vec<u64> = agreement.split_whitespace().filter_map(|w| w.parse().ok()).collect();
        assert!(
            counts.len() >= 2 && counts[0] == counts[1] && counts[0] > 0,
            "{agreement}"
        );
    }
}

#[test]
fn replay_rejects_broken_rules_and_missing_captures() {
    let o = falcorc(&["replay", "-r", "testdata/lint/broken.yaml", "testdata/lint/clean.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing replayed"));
    let o = falcorc(&["replay", "-r", "testdata/lint/clean.yaml", "no/such.scap"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn replay_of_a_corrupt_capture_keeps_earlier_alerts_and_names_the_offset() {
    let Some(rules) = shared_rules() else { return };
    let base = rules.parent().unwrap().parent().unwrap().join("captures");
    // The plain (not gzipped) capture, cut inside its last event blocks.
    let bytes = std::fs::read(base.join("libs_sample.scap")).unwrap();
    let cut = std::env::temp_dir().join(format!("falcorc-cut-{}.scap", std::process::id()));
    std::fs::write(&cut, &bytes[..bytes.len() - 3001]).unwrap();
    let any_rule = std::env::temp_dir().join(format!("falcorc-any-{}.yaml", std::process::id()));
    std::fs::write(&any_rule, "- rule: any\n  desc: d\n  condition: evt.type in (switch, nanosleep, futex)\n  output: \"%evt.num\"\n  priority: INFO\n  warn_evttypes: false\n").unwrap();
    let o = falcorc(&[
        "replay",
        "-r",
        any_rule.to_str().unwrap(),
        cut.to_str().unwrap(),
        "--rule-matching",
        "all",
    ]);
    let _ = std::fs::remove_file(&cut);
    let _ = std::fs::remove_file(&any_rule);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("corrupt capture at byte"), "{err}");
    assert!(stdout(&o).lines().count() > 10, "alerts before the damage are printed");
}

#[test]
fn version_names_the_engine_version_and_the_probe_build() {
    let v = falcorc(&["version"]);
    assert!(v.status.success());
    let text = stdout(&v);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("falcorc {}", env!("CARGO_PKG_VERSION")));
    assert!(lines[1].starts_with("Falco engine version: 0."), "{text}");
    assert!(
        lines[2].starts_with("probe: ") && lines[2].contains("build id "),
        "{text}"
    );
    // `--version` says the same; `-V` the first line.
    assert_eq!(stdout(&falcorc(&["--version"])), text);
    assert_eq!(stdout(&falcorc(&["-V"])).trim_end(), lines[0]);
}

#[test]
fn at_default_loads_the_embedded_ruleset_beside_a_site_tuning_file() {
    let tuning = "tests/support/loopback_is_remote.yaml";
    // The tuning file replaces the list the connection rules use, after the embedded files.
    let o = falcorc(&["rules", "@default", tuning, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rules"].as_array().unwrap().len(), 52);
    let local = v["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "fr_local_addresses")
        .unwrap();
    assert_eq!(local["items"], serde_json::json!(["127.0.0.1/32"]));

    let o = falcorc(&["lint", "@default", tuning, "--select", "all"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // The recorded connections to 127.0.0.2 are remote only under the tuning.
    let capture = "rules/tests/recorded/remote.scap.gz";
    let rules_of = |args: &[&str]| -> Vec<String> {
        let o = falcorc(args);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let mut r: Vec<String> = stdout(&o)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["rule"].to_string())
            .collect();
        r.sort();
        r.dedup();
        r
    };
    let tuned = rules_of(&["replay", "-r", "@default", "-r", tuning, capture, "--format", "json"]);
    assert_eq!(
        tuned,
        [
            "\"Interpreter one-liner connected to a remote address\"",
            "\"Reverse shell tool started\"",
            "\"SSH client connected to a non-standard port\"",
            "\"Shell connected to a remote address\"",
        ]
    );
    let plain = rules_of(&["replay", capture, "--format", "json"]);
    assert_eq!(plain, ["\"Reverse shell tool started\""]);

    // A path named `@default` elsewhere is still a path.
    let o = falcorc(&["lint", "./@default"]);
    assert_eq!(o.status.code(), Some(2));
}
