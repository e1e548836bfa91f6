//! `falcorc run -c FILE -o KEY=VALUE`: a configuration with mistakes is refused before
//! anything starts (no probe, no root needed), with every mistake at its place; the same
//! for `-o` options and for outputs that cannot start. The live half (alerts reaching a
//! file, syslog and a program) is in `tests/live.rs`.

use std::path::PathBuf;
use std::process::Command;

const EXIT_USAGE: i32 = 2;

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("falcorc-config-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// `falcorc run ARGS` in `dir`: (exit code, stderr).
fn run_in(dir: &PathBuf, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .arg("run")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("falcorc runs");
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_mistake_of_a_configuration_is_reported_at_its_place() {
    let dir = temp_dir("bad");
    std::fs::write(
        dir.join("falco.yaml"),
        "json_output: maybe\npriority: loud\nstdout_output:\n  enabled: true\nfile_output:\n  enabled: true\nprogram_output:\n  enabled: true\n  program: ''\n",
    )
    .unwrap();
    let (code, err) = run_in(&dir, &["-c", "falco.yaml", "-o", "rule_matching=some", "-o", "x[=1"]);
    assert_eq!(code, EXIT_USAGE, "{err}");
    insta::assert_snapshot!(err);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn options_alone_and_outputs_that_cannot_start_are_refused_before_the_probe() {
    let dir = temp_dir("opts");
    let (code, err) = run_in(&dir, &["-o", "stdout_output.enabled=false"]);
    assert_eq!(code, EXIT_USAGE, "{err}");
    assert!(err.contains("no output is enabled"), "{err}");
    let (code, err) = run_in(
        &dir,
        &[
            "-o",
            "file_output.enabled=true",
            "-o",
            "file_output.filename=/nonexistent/dir/alerts.log",
        ],
    );
    assert_eq!(code, EXIT_USAGE, "{err}");
    assert!(
        err.contains("file_output: cannot open /nonexistent/dir/alerts.log: No such file or directory"),
        "{err}"
    );
    let (code, err) = run_in(&dir, &["-c", "missing.yaml"]);
    assert_eq!(code, EXIT_USAGE, "{err}");
    assert!(
        err.contains("cannot read the configuration") && err.contains("missing.yaml"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `run --dry-run`: the configuration and rules loaded as a run would, then exit, with no
/// probe (no root needed): 0 when both load, the error's status otherwise. The rules come
/// from a directory laid out as the kubelet mounts a ConfigMap (each file a symlink
/// through `..data` to a timestamped directory): each file is loaded once.
#[test]
fn a_dry_run_loads_the_configuration_and_rules_and_starts_nothing() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("dry");
    std::fs::write(
        dir.join("falco.yaml"),
        "stdout_output: {enabled: true}\njson_output: true\n",
    )
    .unwrap();
    let mounted = dir.join("rules.d");
    let stamp = mounted.join("..2026_12_06_00_00_00.000000001");
    std::fs::create_dir_all(&stamp).unwrap();
    std::fs::write(stamp.join("a_lists.yaml"), "- list: fetchers\n  items: [curl, wget]\n").unwrap();
    std::fs::write(
        stamp.join("b_rules.yaml"),
        "- rule: fetcher\n  desc: d\n  condition: evt.type = execve and proc.name in (fetchers)\n  output: o\n  priority: INFO\n",
    )
    .unwrap();
    symlink("..2026_12_06_00_00_00.000000001", mounted.join("..data")).unwrap();
    for f in ["a_lists.yaml", "b_rules.yaml"] {
        symlink(format!("..data/{f}"), mounted.join(f)).unwrap();
    }
    let (code, err) = run_in(&dir, &["--dry-run", "-c", "falco.yaml", "-r", "rules.d"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("falcorc: dry run: the configuration and 1 rules loaded (1 active, sha256:")
            && err.contains("nothing started"),
        "{err}"
    );
    // The embedded ruleset, without a configuration.
    let (code, err) = run_in(&dir, &["--dry-run"]);
    assert_eq!(code, 0, "{err}");
    // A broken rule: its diagnostic, status 1.
    std::fs::write(
        stamp.join("b_rules.yaml"),
        "- rule: fetcher\n  desc: d\n  condition: proc.name in (\n  output: o\n  priority: INFO\n",
    )
    .unwrap();
    let (code, err) = run_in(&dir, &["--dry-run", "-c", "falco.yaml", "-r", "rules.d"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("b_rules.yaml:3:") && err.contains("nothing started"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
