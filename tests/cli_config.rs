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
