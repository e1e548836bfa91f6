//! `falcorc diff` from the command line: two files or directories, a git revision against
//! the work tree, real captures and rule fixtures replayed under both versions, the three
//! output formats and the `--fail-on` gates.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn falcorc_in(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("falcorc runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("falcorc-cli-diff-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn shared() -> PathBuf {
    std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const OLD: &str = "\
- list: editors
  items: [vi, nano]
- macro: spawned
  condition: evt.type = execve
- rule: editor started
  desc: an editor runs
  condition: spawned and proc.name in (editors)
  output: editor %proc.name
  priority: NOTICE
- rule: gone soon
  desc: removed by the change
  condition: evt.type = open and fd.name = /x
  output: x
  priority: INFO
";

fn new_rules() -> String {
    OLD.replace("items: [vi, nano]", "items: [vi, nano, emacs]")
        .replace(
            "- rule: gone soon\n  desc: removed by the change\n  condition: evt.type = open and fd.name = /x\n  output: x\n  priority: INFO\n",
            "",
        )
}

#[test]
fn two_files_in_every_format_with_fail_on_gates() {
    let d = dir("files");
    std::fs::write(d.join("old.yaml"), OLD).unwrap();
    std::fs::write(d.join("new.yaml"), new_rules()).unwrap();
    let (code, out, err) = falcorc_in(&d, &["diff", "old.yaml", "new.yaml", "--color", "never"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("old.yaml (2 rules) -> new.yaml (1 rule): 1 changed, 1 removed\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "changed editor started (Notice; execve)\n  condition changed\n  because list editors changed (+emacs)\n"
        ),
        "{out}"
    );
    assert!(out.contains("removed gone soon (Informational; open)"), "{out}");

    let (_, json, _) = falcorc_in(&d, &["diff", "old.yaml", "new.yaml", "--format", "json"]);
    let v: Value = serde_json::from_str(&json).expect("JSON");
    let rules = v["diff"]["rules"].as_array().unwrap();
    assert_eq!(rules[0]["rule"], "editor started");
    assert_eq!(
        rules[0]["reasons"][0],
        serde_json::json!({"kind": "list", "name": "editors", "change": "changed"})
    );
    assert_eq!(rules[1]["change"], "removed");
    assert_eq!(v["diff"]["items"][0]["added"], serde_json::json!(["emacs"]));

    let (_, md, _) = falcorc_in(&d, &["diff", "old.yaml", "new.yaml", "--format", "markdown"]);
    assert!(md.starts_with("### Rules diff: 1 changed, 1 removed\n"), "{md}");
    assert!(
        md.contains("| changed | `editor started` | condition | list `editors` changed (`+emacs`) |"),
        "{md}"
    );

    // The gates: a removed rule fails `removed` and `changed`; the same files compared with
    // themselves fail nothing.
    for (gate, want) in [("removed", 1), ("changed", 1), ("alerts", 0)] {
        let (code, _, _) = falcorc_in(&d, &["diff", "old.yaml", "new.yaml", "--fail-on", gate]);
        assert_eq!(code, want, "--fail-on {gate}");
    }
    let (code, out, _) = falcorc_in(&d, &["diff", "old.yaml", "old.yaml", "--fail-on", "removed,changed"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "old.yaml (2 rules) -> old.yaml (2 rules): no rule changed\n")
    );

    // Disabling a rule is a removal for the gate.
    let disabled = OLD.replace("  priority: INFO\n", "  priority: INFO\n  enabled: false\n");
    std::fs::write(d.join("disabled.yaml"), disabled).unwrap();
    let (code, out, _) = falcorc_in(&d, &["diff", "old.yaml", "disabled.yaml", "--fail-on", "removed"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("enabled: true -> false"), "{out}");

    // The report can go to a file.
    let (code, out, _) = falcorc_in(
        &d,
        &[
            "diff",
            "old.yaml",
            "new.yaml",
            "-o",
            "report.md",
            "--format",
            "markdown",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(std::fs::read_to_string(d.join("report.md")).unwrap(), md);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_version_with_errors_is_reported_at_its_place_and_compares_nothing() {
    let d = dir("broken");
    std::fs::write(d.join("old.yaml"), OLD).unwrap();
    std::fs::write(
        d.join("new.yaml"),
        OLD.replace("proc.name in (editors)", "proc.nme in (editors)"),
    )
    .unwrap();
    let (code, out, err) = falcorc_in(&d, &["diff", "old.yaml", "new.yaml", "--color", "never"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("new.yaml:7:"), "{err}");
    assert!(
        err.contains("new.yaml: the rules have 1 error; Falco would not load them"),
        "{err}"
    );
    // Usage mistakes.
    let (code, _, err) = falcorc_in(&d, &["diff", "old.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("give OLD and NEW rules"), "{err}");
    let (code, _, err) = falcorc_in(&d, &["diff", "old.yaml", "missing.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.yaml"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn directories_load_their_rules_files_in_name_order_without_fixtures() {
    let d = dir("dirs");
    for (side, text) in [("a", OLD.to_string()), ("b", new_rules())] {
        let s = d.join(side);
        std::fs::create_dir_all(&s).unwrap();
        std::fs::write(s.join("10-rules.yaml"), &text).unwrap();
        // A later file that appends to the list: only loaded after the first.
        std::fs::write(
            s.join("20-local.yaml"),
            "- list: editors\n  items: [ed]\n  append: true\n",
        )
        .unwrap();
        std::fs::write(s.join("x.test.yaml"), "not: [a fixture").unwrap();
    }
    let (code, out, err) = falcorc_in(&d, &["diff", "a", "b", "--color", "never"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("because list editors changed (+emacs)"), "{out}");
    let _ = std::fs::remove_dir_all(&d);
}

/// The alerts of a real capture under both versions: an edit of the list the rule uses
/// removes every alert `falcorc replay` reports for it.
#[test]
fn captures_show_the_alerts_that_disappear() {
    let rules = shared().join("captures/rules/single_rule.yaml");
    let capture = shared().join("captures/falco_cat_write.scap");
    let Ok(text) = std::fs::read_to_string(&rules) else {
        println!("skipping: {} not found (set FALCORC_SHARED)", rules.display());
        return;
    };
    let d = dir("captures");
    std::fs::write(d.join("old.yaml"), &text).unwrap();
    std::fs::write(d.join("new.yaml"), text.replace("items: [cat]", "items: [dog]")).unwrap();
    let cap = capture.to_str().unwrap();
    let (_, replayed, _) = falcorc_in(&d, &["replay", "-r", "old.yaml", cap]);
    let alerts = replayed.lines().count() as u64;
    assert!(alerts > 0);

    let (code, json, err) = falcorc_in(
        &d,
        &["diff", "old.yaml", "new.yaml", "--captures", cap, "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&json).unwrap();
    let source = &v["alerts"]["sources"][0];
    assert_eq!(source["source"], cap);
    let r = &source["rules"][0];
    assert_eq!(r["rule"], "open_from_cat");
    assert_eq!((r["old"].as_u64(), r["new"].as_u64()), (Some(alerts), Some(0)));
    assert_eq!(
        (r["appeared"].as_u64(), r["disappeared"].as_u64()),
        (Some(0), Some(alerts))
    );
    assert!(
        r["disappeared_samples"][0]["output"]
            .as_str()
            .unwrap()
            .contains("command=cat"),
        "{r}"
    );

    let (code, out, _) = falcorc_in(
        &d,
        &[
            "diff",
            "old.yaml",
            "new.yaml",
            "--captures",
            cap,
            "--color",
            "never",
            "--fail-on",
            "alerts",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "open_from_cat: {alerts} -> 0 alerts (0 appeared, {alerts} disappeared)"
        )),
        "{out}"
    );
    // The same rules: no alert differs, and the gate passes.
    let (code, out, _) = falcorc_in(
        &d,
        &["diff", "old.yaml", "old.yaml", "--captures", cap, "--fail-on", "alerts"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("same alerts"), "{out}");
    // A capture that cannot be read is named, and fails the alerts gate.
    std::fs::write(d.join("bad.scap"), b"not a capture").unwrap();
    let (code, out, _) = falcorc_in(
        &d,
        &[
            "diff",
            "old.yaml",
            "old.yaml",
            "--captures",
            "bad.scap",
            "--fail-on",
            "alerts",
        ],
    );
    assert_eq!(code, 1);
    assert!(out.contains("bad.scap: not compared:"), "{out}");
    let _ = std::fs::remove_dir_all(&d);
}

/// falcorc's own fixtures replayed under an edit of the default rules: the expectation the
/// edit breaks is named, with the alert that disappeared.
#[test]
fn fixtures_show_alerts_and_expectations_that_change() {
    let d = dir("fixtures");
    // The default ruleset, with /etc/shadow taken out of its credential files.
    let rules = repo().join("rules");
    std::fs::create_dir_all(d.join("new")).unwrap();
    for (name, _) in std::fs::read_dir(&rules)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| (e.file_name(), ()))
    {
        let path = rules.join(&name);
        if path.is_file() {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(
                d.join("new").join(&name),
                text.replace("items: [/etc/shadow, ", "items: ["),
            )
            .unwrap();
        }
    }
    let fixture = repo().join("rules/tests/files.test.yaml");
    let (code, out, err) = falcorc_in(
        &d,
        &[
            "diff",
            rules.to_str().unwrap(),
            "new",
            "--tests",
            fixture.to_str().unwrap(),
            "--color",
            "never",
            "--fail-on",
            "alerts",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("because list fr_credential_files changed (-/etc/shadow)"),
        "{out}"
    );
    assert!(
        out.contains("Credential file read by unexpected process: 1 -> 0 alerts (0 appeared, 1 disappeared)"),
        "{out}"
    );
    assert!(
        out.contains("expectation Credential file read by unexpected process"),
        "{out}"
    );
    assert!(out.contains("passes -> fails"), "{out}");
    let _ = std::fs::remove_dir_all(&d);
}

fn git(cwd: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(cwd)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(ok, "git {args:?}");
}

#[test]
fn a_git_revision_against_the_work_tree() {
    if Command::new("git").arg("--version").output().is_err() {
        println!("skipping: git is not installed");
        return;
    }
    let d = dir("git");
    std::fs::create_dir_all(d.join("rules")).unwrap();
    std::fs::write(d.join("rules/main.yaml"), OLD).unwrap();
    git(&d, &["init", "-q"]);
    git(&d, &["add", "."]);
    git(&d, &["commit", "-q", "-m", "rules"]);
    std::fs::write(d.join("rules/main.yaml"), new_rules()).unwrap();
    // A file the change adds: nothing at the revision.
    std::fs::write(
        d.join("rules/zz-new.yaml"),
        "- macro: unused\n  condition: evt.type = open\n",
    )
    .unwrap();

    let (code, out, err) = falcorc_in(
        &d,
        &[
            "diff",
            "--git",
            "HEAD",
            "rules",
            "--color",
            "never",
            "--fail-on",
            "removed",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("HEAD:rules (2 rules) -> rules (1 rule): 1 changed, 1 removed\n"),
        "{out}"
    );
    assert!(out.contains("macro unused was added"), "{out}");
    // From a subdirectory, paths are relative to it, as for every other command.
    let (code, out, err) = falcorc_in(&d.join("rules"), &["diff", "--git", "HEAD", ".", "--color", "never"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 changed, 1 removed"), "{out}");
    // Without paths, falcorc.toml's rules.
    std::fs::write(d.join("falcorc.toml"), "rules = [\"rules/main.yaml\"]\n").unwrap();
    let (code, out, err) = falcorc_in(&d, &["diff", "--git", "HEAD", "--color", "never"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 changed, 1 removed"), "{out}");
    // ... found from a subdirectory too (its paths are then outside the current one).
    let (code, out, err) = falcorc_in(&d.join("rules"), &["diff", "--git", "HEAD", "--color", "never"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 changed, 1 removed"), "{out}");
    // Mistakes.
    let (code, _, err) = falcorc_in(&d, &["diff", "--git", "no-such-rev", "rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-rev is not a commit"), "{err}");
    let (code, _, err) = falcorc_in(&d, &["diff", "--git", "--upload-pack=x", "rules"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = falcorc_in(&d, &["diff", "--git", "HEAD", "nothing.yaml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("nothing.yaml exists neither at HEAD nor in the work tree"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&d);
}
