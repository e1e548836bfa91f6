//! A process whose name, executable or arguments hold bytes that are not UTF-8, as Falco
//! handles it: conditions compare the bytes (a `\xHH` literal matches them), the text output
//! writes them as they are, `len()` counts them as bytes, and JSON replaces each invalid
//! sequence with U+FFFD. The same
//! holds for a process known from the capture's process table and for one seen at execve.

use falcorc_runtime::raw_text;
use falcorc_runtime::scap::{ScapWriter, ThreadInfo};
use std::path::PathBuf;
use std::process::Command;

const EXECVE_X: u16 = 293;
const CLOSE_X: u16 = 5;

fn i64p(v: i64) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

fn nul(b: &[u8]) -> Vec<u8> {
    let mut v = b.to_vec();
    v.push(0);
    v
}

fn close(w: &mut ScapWriter<Vec<u8>>, ts: u64, tid: u64) {
    w.write_event(ts, tid, CLOSE_X, 0, &[&i64p(0), &i64p(3)]).unwrap();
}

/// Process 10 from the process table as `tab\xffle`; process 20 execs `ex\xfeec` with an
/// argument `x\xc3` (a truncated two-byte sequence); each then closes an fd.
fn capture() -> Vec<u8> {
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    let comm = raw_text::escape(b"tab\xffle").into_owned();
    w.write_threads(&[ThreadInfo {
        tid: 10,
        pid: 10,
        ptid: 1,
        comm: comm.clone(),
        exe: comm,
        ..ThreadInfo::default()
    }])
    .unwrap();
    close(&mut w, 1_000, 10);
    let args = [b"-c".as_slice(), b"x\xc3"]
        .iter()
        .flat_map(|a| nul(a))
        .collect::<Vec<u8>>();
    let params: Vec<Vec<u8>> = vec![
        i64p(0),
        nul(b"/usr/bin/ex\xfeec"),
        args,
        i64p(20),
        i64p(20),
        i64p(1),
        nul(b"/"),
        i64p(1024),
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        nul(b"ex\xfeec"),
    ];
    let refs: Vec<&[u8]> = params.iter().map(Vec::as_slice).collect();
    w.write_event(2_000, 20, EXECVE_X, 0, &refs).unwrap();
    close(&mut w, 3_000, 20);
    w.finish().unwrap()
}

const RULES: &str = r#"
- rule: raw name
  desc: the process name holds a byte that is not UTF-8
  condition: evt.type = close and proc.name in ("tab\xffle", "ex\xfeec") and len(proc.name) < 8
  output: "name=%proc.name cmdline=%proc.cmdline"
  priority: WARNING
- rule: replacement character
  desc: never matches, the name holds 0xFF, not U+FFFD
  condition: evt.type = close and proc.name = "tab\xef\xbf\xbdle"
  output: "%proc.name"
  priority: WARNING
"#;

fn replay(format: &str) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("raw_bytes");
    std::fs::create_dir_all(&dir).unwrap();
    // One pair of files per test: the tests run at the same time.
    let cap = dir.join(format!("raw-{format}.scap"));
    let rules = dir.join(format!("rules-{format}.yaml"));
    std::fs::write(&cap, capture()).unwrap();
    std::fs::write(&rules, RULES).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["replay", "-r"])
        .arg(&rules)
        .arg(&cap)
        .args(["--format", format])
        .output()
        .expect("falcorc runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn text_output_writes_the_bytes_and_conditions_compare_them() {
    let out = replay("text");
    let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{}", String::from_utf8_lossy(&out));
    assert!(
        contains(lines[0], b"Warning name=tab\xffle cmdline=tab\xffle"),
        "{}",
        String::from_utf8_lossy(lines[0])
    );
    assert!(
        contains(lines[1], b"Warning name=ex\xfeec cmdline=ex\xfeec -c x\xc3"),
        "{}",
        String::from_utf8_lossy(lines[1])
    );
}

#[test]
fn json_output_replaces_each_invalid_sequence() {
    let out = replay("json");
    let text = std::str::from_utf8(&out).expect("JSON output is UTF-8");
    let alerts: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0]["output_fields"]["proc.name"], "tab\u{FFFD}le");
    assert_eq!(alerts[1]["output_fields"]["proc.cmdline"], "ex\u{FFFD}ec -c x\u{FFFD}");
    assert!(
        alerts[1]["output"]
            .as_str()
            .unwrap()
            .ends_with("name=ex\u{FFFD}ec cmdline=ex\u{FFFD}ec -c x\u{FFFD}")
    );
}
