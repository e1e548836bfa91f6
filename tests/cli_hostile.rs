//! Hostile inputs given to the command line: devices, FIFOs and symlinks where rules files
//! are expected, directory symlink loops, files that are not UTF-8, and a diagnostic on a
//! line of ten megabytes. Each ends with a clear report, in bounded time and memory; none
//! stops the other files from being checked.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A fresh directory under cargo's temporary directory for tests, removed afterwards.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_hostile").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        let p = self.0.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    /// Runs falcorc in this directory; a run longer than 30 s is a hang (killed, failed).
    fn run(&self, args: &[&str]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_falcorc"))
            .args(args)
            .current_dir(&self.0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("falcorc runs");
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("falcorc {args:?} still running after 30 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
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

fn mkfifo(path: &Path) {
    let st = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(st.success());
}

const GOOD: &str = "- list: l\n  items: [a]\n";
const BAD_FIELD: &str = "- rule: r\n  desc: d\n  condition: proc.nme = x\n  output: o\n  priority: INFO\n";

#[test]
fn a_device_is_refused_not_read() {
    let d = TempDir::new("device");
    symlink("/dev/zero", d.0.join("zero.yaml")).unwrap();
    for target in ["/dev/zero", "zero.yaml"] {
        let o = d.run(&["lint", target, "--color", "never", "--no-config"]);
        let out = text(&o.stdout);
        assert_eq!(o.status.code(), Some(2), "{target}: {out}");
        assert!(
            out.contains(&format!("cannot read {target}: it is a device, not a regular file")),
            "{target}: {out}"
        );
    }
    // In JSON, the same error is a finding on the file.
    let o = d.run(&["lint", "zero.yaml", "--format", "json", "--no-config"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let msg = v["diagnostics"][0]["message"].as_str().unwrap_or_default().to_string();
    assert!(msg.contains("not a regular file"), "{v}");
}

#[test]
fn a_directory_lint_reports_each_bad_file_and_checks_the_rest() {
    let d = TempDir::new("dir");
    d.write("a_bad.yaml", BAD_FIELD);
    d.write("b_latin1.yaml", b"- list: l2\n  items: [caf\xe9]\n");
    d.write("c_good.yaml", GOOD);
    mkfifo(&d.0.join("d_pipe.yaml"));
    symlink("/dev/zero", d.0.join("e_zero.yaml")).unwrap();
    let o = d.run(&["lint", ".", "--color", "never", "--no-config"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{out}");
    for expected in [
        "nonexistent field proc.nme",
        "cannot read ./b_latin1.yaml: it is not valid UTF-8 (byte 24)",
        // the good file is analysed: its unused list is reported
        "List not referred to by any other rule/macro (list 'l')",
        "./d_pipe.yaml: skipped, a FIFO, not a regular file",
        "./e_zero.yaml: skipped, a device, not a regular file",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[test]
fn rules_prints_the_diagnostics_of_files_it_cannot_load() {
    let d = TempDir::new("rules");
    d.write("bad.yaml", BAD_FIELD);
    let o = d.run(&["rules", "bad.yaml"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("filter_check called with nonexistent field proc.nme"),
        "{err}"
    );
    assert!(err.contains("bad.yaml:3:14"), "{err}");
    assert!(err.contains("falcorc: 1 errors"), "{err}");
}

const FIXTURE: &str = "name: reads
rules: [RULES]
processes:
  - {tid: 300, ptid: 1, comm: python3, exe: /usr/bin/python3, exepath: /usr/bin/python3, cwd: /srv, uid: 1000}
events:
  - {type: openat, tid: 300, params: {fd: 3, dirfd: -100, name: /etc/shadow, flags: 1}}
expect:
  - {rule: Shadow read, count: 1}
";

const SHADOW_RULE: &str = r#"- rule: Shadow read
  desc: d
  condition: evt.type = openat and fd.name = /etc/shadow
  output: "shadow read (file=%fd.name)"
  priority: WARNING
"#;

#[test]
fn test_walks_a_symlink_loop_once() {
    let d = TempDir::new("loop");
    d.write("t/rules.yaml", SHADOW_RULE);
    d.write("t/a.test.yaml", FIXTURE.replace("RULES", "rules.yaml"));
    std::fs::create_dir_all(d.0.join("t/sub")).unwrap();
    symlink("..", d.0.join("t/sub/up")).unwrap();
    symlink(".", d.0.join("t/sub/self")).unwrap();
    let o = d.run(&["test", "t"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(out.matches("ok     reads").count(), 1, "{out}");
    assert!(out.trim_end().ends_with("fixtures: 1 passed, 0 failed"), "{out}");
    assert!(
        err.contains("t/sub/up: skipped, a directory already visited (a symlink loop?)"),
        "{err}"
    );
}

#[test]
fn a_fixture_naming_a_device_as_rules_fails_clearly() {
    let d = TempDir::new("fixture-device");
    d.write("z.test.yaml", FIXTURE.replace("RULES", "/dev/zero"));
    let o = d.run(&["test", "z.test.yaml"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("cannot read rules file /dev/zero: it is a device, not a regular file"),
        "{out}"
    );
}

/// A list of 160,000 paths on one line (10 MB) with one item repeated: the warning quotes
/// a window around each of the two items, and the header keeps the real column.
#[test]
fn a_diagnostic_on_a_ten_megabyte_line_quotes_a_window() {
    let d = TempDir::new("long-line");
    let mut items: Vec<String> = (0..160_000)
        .map(|i| format!("/var/lib/app/data/item_{i:040}"))
        .collect();
    items.insert(80_000, items[7].clone());
    let file = format!(
        "- list: big\n  items: [{}]\n- rule: r\n  desc: d\n  condition: evt.type = open and fd.name in (big)\n  output: o\n  priority: INFO\n",
        items.join(", ")
    );
    assert!(file.len() > 10_000_000, "{}", file.len());
    d.write("big.yaml", &file);
    let o = d.run(&["lint", "big.yaml", "--color", "never", "--no-config"]);
    let out = text(&o.stdout);
    assert!(out.len() < 8_000, "{} bytes printed", out.len());
    insta::assert_snapshot!(out);
}
