//! What the live tests share: a child killed when a test fails, a "flood" process (a
//! copy of /bin/sh under a name rules can single out) and `falcorc run` started and
//! read line by line.

// Each test file uses what it needs of these.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills a child when a test fails before it ends (the probe must not stay attached, a
/// flood of opens must not go on).
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An empty temporary directory for one test, and in it a copy of `program` named
/// `falcorc-flood` (a name rules can single out): (dir, flood executable).
pub fn flood_dir(tag: &str, program: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("falcorc-live-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let exe = dir.join("falcorc-flood");
    std::fs::copy(program, &exe).unwrap_or_else(|e| panic!("copy {program}: {e}"));
    (dir, exe)
}

/// A directory with a copy of /bin/sh named `falcorc-flood` and a rule that alerts on
/// each of its opens: (dir, rules file, flood executable).
pub fn flood_setup(tag: &str) -> (PathBuf, PathBuf, PathBuf) {
    let (dir, flood_exe) = flood_dir(tag, "/bin/sh");
    let rules = dir.join("flood.yaml");
    std::fs::write(
        &rules,
        "- rule: falcorc live flood open\n  desc: every open of the test's flood process\n  \
         condition: evt.type in (open, openat, openat2) and proc.name = falcorc-flood\n  \
         output: \"open by the flood (file=%fd.name)\"\n  priority: INFO\n",
    )
    .expect("rules file");
    (dir, rules, flood_exe)
}

pub fn flood(exe: &PathBuf) -> KillOnDrop {
    KillOnDrop(
        Command::new(exe)
            .args(["-c", "while :; do read x < /etc/hostname; done"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("the flood starts"),
    )
}

/// The exit status of `child`, which must exit within 10 s of `since` (when `what` happened).
pub fn wait_exit(child: &mut Child, since: Instant, what: &str) -> std::process::ExitStatus {
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            return st;
        }
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "falcorc still running 10 s after {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `falcorc run --duration 60 ARGS` with its output piped, once it says it is live: the
/// process and the rest of its stderr lines.
pub fn started(args: &[&std::ffi::OsStr]) -> (KillOnDrop, impl Iterator<Item = String> + use<>) {
    let mut run = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_falcorc"))
            .args(["run", "--duration", "60"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("falcorc starts"),
    );
    let mut err = BufReader::new(run.0.stderr.take().expect("stderr"))
        .lines()
        .map_while(Result::ok);
    read_until(&mut err, "falcorc: live", Duration::from_secs(60));
    (run, err)
}

/// Read `lines` until one contains `what`, up to `within`; the lines read are returned.
pub fn read_until(lines: &mut impl Iterator<Item = String>, what: &str, within: Duration) -> Vec<String> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    for l in lines.by_ref() {
        let found = l.contains(what);
        seen.push(l);
        if found {
            return seen;
        }
        assert!(Instant::now() < deadline, "no '{what}' within {within:?}: {seen:#?}");
    }
    panic!("no '{what}' before the end: {seen:#?}")
}

/// Waits up to 5 s for `check` to hold.
pub fn eventually(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(Instant::now() < deadline, "{what} within 5 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Alert lines of a running `falcorc run`'s standard output, collected by a thread.
pub struct Alerts {
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    reader: std::thread::JoinHandle<()>,
}

impl Alerts {
    pub fn read(out: std::process::ChildStdout) -> Alerts {
        let lines: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(l);
            }
        });
        Alerts { lines, reader }
    }

    /// The lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Lines so far that contain ` word `.
    pub fn count(&self, word: &str) -> usize {
        let tag = format!(" {word} ");
        self.lines.lock().unwrap().iter().filter(|l| l.contains(&tag)).count()
    }

    /// Whether a line so far ends with `end`.
    pub fn any_ends_with(&self, end: &str) -> bool {
        self.lines.lock().unwrap().iter().any(|l| l.ends_with(end))
    }

    /// Every line, once the output closed (the process exited).
    pub fn finish(self) -> Vec<String> {
        self.reader.join().expect("the reader thread");
        std::mem::take(&mut self.lines.lock().unwrap())
    }
}
