//! Every command exits cleanly: duration and interval options are validated before
//! anything starts (a usage error naming the value, never an overflow panic or a run
//! that never ends), and a standard output closed by its reader (`falcorc fields | head
//! -1`) ends the process quietly, without a panic. None of these need root.
//!
//! The live half (SIGTERM with a blocked standard output) is in `tests/live.rs`.

use std::io::{BufReader, Read};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The project's usage exit code (`src/cmd/mod.rs`, `EXIT_USAGE`).
const EXIT_USAGE: i32 = 2;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_falcorc"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("falcorc-exits-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Waits for `child` up to `limit`; a child still running then is killed and the test
/// fails (a value that slipped through validation would start a run without end).
fn wait_within(child: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            return st;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `args` with stdin empty; output is collected on threads (no pipe can fill).
fn run_bounded(args: &[&str], limit: Duration) -> (ExitStatus, String, String) {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("falcorc starts");
    let collect = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut r) = r {
                let _ = r.read_to_string(&mut s);
            }
            s
        })
    };
    let out = collect(child.stdout.take().map(|r| Box::new(r) as Box<dyn Read + Send>));
    let err = collect(child.stderr.take().map(|r| Box::new(r) as Box<dyn Read + Send>));
    let st = wait_within(&mut child, limit, &args.join(" "));
    (st, out.join().expect("stdout"), err.join().expect("stderr"))
}

const BAD_SECONDS: [(&str, &str); 7] = [
    ("nan", "is not a number"),
    ("inf", "more than the maximum"),
    ("-1", "not greater than 0"),
    ("0", "not greater than 0"),
    ("1e20", "more than the maximum"),
    ("1e30", "more than the maximum"),
    ("abc", "is not a number"),
];

/// Each duration/interval option of each command, with what must precede it.
fn duration_options(out: &Path) -> Vec<(Vec<String>, &'static str)> {
    let out = out.display().to_string();
    vec![
        (vec!["run".into()], "--duration"),
        (vec!["run".into()], "--stats-interval"),
        (vec!["record".into(), "-o".into(), out], "--duration"),
    ]
}

#[test]
fn bad_durations_and_intervals_are_usage_errors_naming_the_value() {
    let dir = temp_dir("durations");
    let cap = dir.join("never-written.scap");
    for (prefix, option) in duration_options(&cap) {
        for (value, why) in BAD_SECONDS {
            // Both `--option value` and `--option=value`.
            for joined in [false, true] {
                let mut args: Vec<String> = prefix.clone();
                if joined {
                    args.push(format!("{option}={value}"));
                } else {
                    args.push(option.into());
                    args.push(value.into());
                }
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let what = args.join(" ");
                let (st, _, err) = run_bounded(&args, Duration::from_secs(20));
                assert_eq!(st.code(), Some(EXIT_USAGE), "{what}: {st}\n{err}");
                assert!(!err.contains("panicked"), "{what}: {err}");
                assert!(
                    err.contains(&format!("invalid value '{value}' for '{option}")),
                    "{what}: the message names the option and the value:\n{err}"
                );
                assert!(err.contains(why), "{what}: expected '{why}' in:\n{err}");
            }
        }
    }
    assert!(!cap.exists(), "record wrote its capture before rejecting an option");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_documents_the_maximum_duration() {
    for (cmd, options) in [
        ("run", &["--duration", "--stats-interval"][..]),
        ("record", &["--duration"][..]),
    ] {
        let (st, out, err) = run_bounded(&[cmd, "--help"], Duration::from_secs(20));
        assert!(st.success(), "{err}");
        for option in options {
            // The option's help, however clap wraps it: its line and the indented
            // continuation lines up to the next option, as one line of words.
            let mut lines = out.lines().skip_while(|l| !l.trim_start().starts_with(option));
            let first = lines
                .next()
                .unwrap_or_else(|| panic!("{cmd} --help lacks {option}:\n{out}"));
            let rest = lines.take_while(|l| !l.trim_start().starts_with('-') && !l.trim().is_empty());
            let help = std::iter::once(first)
                .chain(rest)
                .flat_map(str::split_whitespace)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                help.contains("at most 31536000: one year"),
                "{cmd} {option} help does not give the maximum: {help}"
            );
        }
    }
}

/// A pipe whose buffer is one page (the smallest the kernel allows), and its size: any
/// output larger than that plus the line the test reads meets the closed read end.
fn small_pipe() -> (OwnedFd, OwnedFd, usize) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors we then own.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0, "pipe2");
    // SAFETY: both are fresh descriptors owned by nothing else.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: F_SETPIPE_SZ on our own pipe; it returns the size set (rounded up to a page).
    let size = unsafe { libc::fcntl(fds[1], libc::F_SETPIPE_SZ, 4096) };
    assert!(size > 0, "F_SETPIPE_SZ failed");
    (r, w, size as usize)
}

/// Runs `args` with standard output on a pipe the test reads one line of and then
/// closes. The process must end within a few seconds, by SIGPIPE or with status 0, and
/// never with a panic. The whole output is checked first to be larger than the pipe and
/// that line, so the process cannot finish before the pipe is closed: it meets it.
fn closed_after_one_line(args: &[&str]) {
    let what = args.join(" ");
    let (_, whole, err) = run_bounded(args, Duration::from_secs(60));
    let (read_end, write_end, size) = small_pipe();
    let first = whole.lines().next().map_or(0, |l| l.len() + 1);
    assert!(
        whole.len() > size + first + 512,
        "{what}: only {} bytes of output, too little to meet the closed pipe of {size} bytes\n{err}",
        whole.len()
    );
    let mut child = {
        let mut c = bin();
        c.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(write_end))
            .stderr(Stdio::piped());
        c.spawn().expect("falcorc starts")
        // The command, and our copy of the write end with it, is dropped here.
    };
    let stderr = child.stderr.take().expect("stderr");
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut s);
        s
    });
    // One line, byte by byte: nothing more is taken from the pipe.
    let mut reader = std::fs::File::from(read_end);
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while reader.read(&mut byte).expect("read") == 1 {
        line.push(byte[0]);
        if byte[0] == b'\n' {
            break;
        }
    }
    assert_eq!(line.last(), Some(&b'\n'), "{what}: no first line");
    drop(reader);
    let st = wait_within(&mut child, Duration::from_secs(10), &what);
    let err = err.join().expect("stderr");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(
        st.signal() == Some(libc::SIGPIPE) || st.code() == Some(0),
        "{what}: ended with {st}, neither SIGPIPE nor 0\n{err}"
    );
}

/// A rules file of `n` rules; `bad` ones misspell a field (one error each).
fn many_rules(dir: &Path, n: usize, bad: bool) -> PathBuf {
    let field = if bad { "proc.nmae" } else { "proc.name" };
    let text: String = (0..n)
        .map(|i| {
            format!(
                "- rule: rule number {i}\n  desc: d\n  condition: evt.type = openat and {field} = p{i}\n  output: o %fd.name\n  priority: INFO\n"
            )
        })
        .collect();
    let p = dir.join(if bad { "bad.yaml" } else { "many.yaml" });
    std::fs::write(&p, text).expect("rules file");
    p
}

#[test]
fn fields_into_a_closed_pipe() {
    closed_after_one_line(&["fields"]);
}

#[test]
fn explain_into_a_closed_pipe() {
    // `explain all` is the only long output of `explain` (a few pages).
    closed_after_one_line(&["explain", "all"]);
}

#[test]
fn rules_listing_into_a_closed_pipe() {
    let dir = temp_dir("rules");
    let rules = many_rules(&dir, 2000, false);
    closed_after_one_line(&["rules", rules.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lint_json_into_a_closed_pipe() {
    let dir = temp_dir("lint");
    let rules = many_rules(&dir, 500, true);
    closed_after_one_line(&["lint", "--format", "json", rules.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_alerts_into_a_closed_pipe() {
    let dir = temp_dir("replay");
    let cap = dir.join("workload.scap");
    let file = std::fs::File::create(&cap).expect("capture");
    falcorc_runtime::synth::workload(std::io::BufWriter::new(file), 20_000, false).expect("workload written");
    let rules = dir.join("opens.yaml");
    std::fs::write(
        &rules,
        "- rule: every open\n  desc: d\n  condition: evt.type in (open, openat, openat2)\n  \
         output: \"open (file=%fd.name proc=%proc.name)\"\n  priority: INFO\n",
    )
    .expect("rules file");
    closed_after_one_line(&[
        "replay",
        "-r",
        rules.to_str().expect("utf-8 path"),
        cap.to_str().expect("utf-8 path"),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
}
