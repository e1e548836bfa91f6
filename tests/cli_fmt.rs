//! `falcorc fmt` as users and CI pipelines run it: `--check` and `--diff` exit codes, standard
//! input, rewriting files in place, directories.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const MESSY: &str = "- list: shells\n  items:\n    - bash\n    - \"sh\"\n-   macro: m\n    condition: evt.type = execve and\n        proc.name in (shells)\n";
const CANONICAL: &str = "- list: shells\n  items: [bash, sh]\n\n- macro: m\n  condition: >-\n    evt.type = execve and\n    proc.name in (shells)\n";

fn falcorc(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("falcorc runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("falcorc-fmt-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join(name)).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn check_lists_unformatted_files_and_changes_nothing() {
    let d = TempDir::new("check");
    d.write("messy.yaml", MESSY);
    d.write("clean.yaml", CANONICAL);
    let o = falcorc(&["fmt", "--check", "messy.yaml", "clean.yaml"], &d.0);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "messy.yaml\n");
    assert_eq!(d.read("messy.yaml"), MESSY, "--check writes nothing");

    let o = falcorc(&["fmt", "--check", "clean.yaml"], &d.0);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o.stdout), "");
}

#[test]
fn a_file_that_does_not_parse_exits_two_with_its_place() {
    let d = TempDir::new("broken");
    d.write("broken.yaml", "- list: a\n  items: [x\n");
    d.write("clean.yaml", CANONICAL);
    let o = falcorc(&["fmt", "--check", "broken.yaml", "clean.yaml", "missing.yaml"], &d.0);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("broken.yaml:"), "{err}");
    let place = err.lines().find(|l| l.starts_with("broken.yaml:")).unwrap();
    let parts: Vec<&str> = place.splitn(4, ':').collect();
    assert!(
        parts[1].parse::<u32>().is_ok() && parts[2].parse::<u32>().is_ok(),
        "{place}"
    );
    assert!(err.contains("missing.yaml"), "{err}");
}

#[test]
fn diff_prints_a_unified_diff() {
    let d = TempDir::new("diff");
    d.write("messy.yaml", MESSY);
    let o = falcorc(&["fmt", "--diff", "messy.yaml"], &d.0);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(
        out.starts_with("--- messy.yaml\t(original)\n+++ messy.yaml\t(formatted)\n@@ -1,"),
        "{out}"
    );
    assert!(
        out.contains("\n-    - \"sh\"\n") && out.contains("\n+  items: [bash, sh]\n"),
        "{out}"
    );
    assert_eq!(d.read("messy.yaml"), MESSY, "--diff writes nothing");

    d.write("clean.yaml", CANONICAL);
    let o = falcorc(&["fmt", "--diff", "clean.yaml"], &d.0);
    assert_eq!((o.status.code(), text(&o.stdout)), (Some(0), String::new()));
}

#[test]
fn standard_input_goes_to_standard_output() {
    let d = TempDir::new("stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["fmt", "-"])
        .current_dir(&d.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(MESSY.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o.stdout), CANONICAL);
}

#[test]
fn files_and_directories_are_rewritten_in_place() {
    let d = TempDir::new("inplace");
    d.write("a.yaml", MESSY);
    d.write("b.yml", MESSY);
    d.write("c.yaml", CANONICAL);
    d.write("fixture.test.yaml", MESSY);
    d.write("notes.txt", MESSY);
    let o = falcorc(&["fmt", "."], &d.0);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(d.read("a.yaml"), CANONICAL);
    assert_eq!(d.read("b.yml"), CANONICAL);
    assert_eq!(d.read("c.yaml"), CANONICAL);
    assert_eq!(d.read("fixture.test.yaml"), MESSY, "rule fixtures are not rules files");
    assert_eq!(d.read("notes.txt"), MESSY);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    // Formatting again changes nothing.
    let o = falcorc(&["fmt", "--check", "."], &d.0);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
}

#[cfg(unix)]
#[test]
fn rewriting_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let d = TempDir::new("perms");
    let p = d.write("a.yaml", MESSY);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = falcorc(&["fmt", "a.yaml"], &d.0);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(d.read("a.yaml"), CANONICAL);
    assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
}

/// A list too long for one line is wrapped, Falco's way: `[` on the key's line, entries filled
/// onto lines of at most 100 columns, `]` under the key; the result passes `--check`.
#[test]
fn long_lists_are_wrapped_and_stay_formatted() {
    let d = TempDir::new("wrap");
    let names: Vec<String> = (0..30).map(|i| format!("binary_{i:02}")).collect();
    let block: String = names.iter().map(|n| format!("    - {n}\n")).collect();
    d.write("a.yaml", &format!("- list: many\n  items:\n{block}"));
    let o = falcorc(&["fmt", "a.yaml"], &d.0);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rows: Vec<String> = names.chunks(8).map(|c| format!("    {}", c.join(", "))).collect();
    let expected = format!("- list: many\n  items: [\n{}\n  ]\n", rows.join(",\n"));
    assert_eq!(d.read("a.yaml"), expected);
    let o = falcorc(&["fmt", "--check", "a.yaml"], &d.0);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
}

/// Falco's own rules file: formatted once, it passes `--check`.
#[test]
fn falco_upstream_rules_pass_check_once_formatted() {
    let shared = std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let Ok(rules) = std::fs::read_to_string(shared.join("falco-upstream/falco_rules.yaml")) else {
        println!("skipping: falco-upstream/falco_rules.yaml not found (set FALCORC_SHARED)");
        return;
    };
    let d = TempDir::new("upstream");
    d.write("falco_rules.yaml", &rules);
    let o = falcorc(&["fmt", "falco_rules.yaml"], &d.0);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = falcorc(&["fmt", "--check", "falco_rules.yaml"], &d.0);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    // The long lists stay wrapped flow sequences: no list turns into one line per binary.
    let formatted = d.read("falco_rules.yaml");
    assert!(
        formatted.contains("- list: passwd_binaries\n  items: [\n    shadowconfig, grpck,"),
        "{formatted}"
    );
}
