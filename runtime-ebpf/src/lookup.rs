//! Threads the live stream never introduced (their clone record was dropped, or they
//! started between the probe's attach and the /proc scan's pass over their directory):
//! read from /proc when their first event arrives, as libsinsp does live
//! (`can_query_os_for_thread_info`), instead of the `<NA>` stand-in a replay has to make.
//! Their process's open fds come with them, so a descriptor inherited from before falcorc
//! started is named in the alert.
//!
//! Bounded, so that a flood of unknown threads (records dropped under load) cannot stall
//! the reader: at most [`LOOKUPS_PER_SECOND`] threads read, and the socket tables (which
//! name the ends of socket fds and cost most on a busy host) at most
//! [`SOCKET_READS_PER_SECOND`] times. Past the budget the tracker makes its stand-in.

use crate::procscan::{Found, scan_one};
use falcorc_runtime::event::Event;
use falcorc_runtime::state::Tracker;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const LOOKUPS_PER_SECOND: u32 = 64;
pub const SOCKET_READS_PER_SECOND: u32 = 4;

pub struct Lookups {
    proc: PathBuf,
    window: Instant,
    threads: u32,
    sockets: u32,
    /// Threads read from /proc, and unknown threads left to a stand-in (budget spent or
    /// the task gone).
    pub found: u64,
    pub missed: u64,
}

impl Lookups {
    pub fn new(proc: impl Into<PathBuf>) -> Lookups {
        Lookups {
            proc: proc.into(),
            window: Instant::now(),
            threads: 0,
            sockets: 0,
            found: 0,
            missed: 0,
        }
    }

    /// Before the tracker sees `ev`: when its thread is unknown, reads it from /proc, hands
    /// it to the tracker and returns it (a recording writes it before the event, so its
    /// replay starts the thread from the same state).
    pub fn before(&mut self, tracker: &mut Tracker, ev: &Event<'_>) -> Option<Found> {
        // The idle task (tid 0) has no /proc entry.
        let tid = tracker.unknown_thread(ev).filter(|&t| t > 0)?;
        if self.window.elapsed() >= Duration::from_secs(1) {
            (self.window, self.threads, self.sockets) = (Instant::now(), 0, 0);
        }
        if self.threads >= LOOKUPS_PER_SECOND {
            self.missed += 1;
            return None;
        }
        self.threads += 1;
        let sockets = self.sockets < SOCKET_READS_PER_SECOND;
        let known = |pid: u64| tracker.thread(pid as i64).is_some_and(|t| !t.is_invalid());
        let Some(found) = scan_one(&self.proc, tid as u64, known, sockets) else {
            self.missed += 1;
            return None;
        };
        // The tables were read with the process's fds (an unknown process).
        if sockets && found.threads.iter().any(|t| t.tid == t.pid) {
            self.sockets += 1;
        }
        tracker.adopt(&found.threads, &found.fds);
        self.found += 1;
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use falcorc_runtime::event::{encode_record, parse_record};
    use std::process::{Command, Stdio};

    /// A process started outside the tracker's knowledge (as if its clone were dropped),
    /// with its standard output on a file: its first event brings it and the file in from
    /// the real /proc, once.
    #[test]
    fn an_unknown_thread_and_its_fds_are_read_from_proc_once() {
        let dir = std::env::temp_dir().join(format!("falcorc-lookup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.log");
        let file = std::fs::File::create(&path).unwrap();
        let mut child = Command::new("sleep")
            .arg("30")
            .stdout(Stdio::from(file))
            .spawn()
            .expect("sleep runs");
        let pid = child.id() as u64;
        // Until the exec is done /proc shows the test binary's image.
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .unwrap_or_default()
            .trim()
            != "sleep"
        {
            assert!(Instant::now() < deadline, "sleep did not start");
            std::thread::sleep(Duration::from_millis(5));
        }
        // A write exit (code 9: res, data, fd, size) on fd 1.
        let one = 1i64.to_le_bytes();
        let raw = encode_record(1, pid, 9, &[&one, b"x", &one, &1u32.to_le_bytes()]).unwrap();
        let (ev, _) = parse_record(&raw, true).unwrap();

        let mut tracker = Tracker::new();
        let mut lookups = Lookups::new("/proc");
        assert_eq!(tracker.unknown_thread(&ev), Some(pid as i64));
        let found = lookups.before(&mut tracker, &ev).expect("read from /proc");
        let _ = child.kill();
        let _ = child.wait();
        assert!(found.threads.iter().any(|t| t.tid == pid && t.comm == "sleep"));
        let name = path.to_string_lossy().into_owned();
        assert_eq!(tracker.thread(pid as i64).map(|t| t.comm.as_str()), Some("sleep"));
        assert_eq!(tracker.fd(pid as i64, 1).map(|f| f.name.as_str()), Some(name.as_str()));
        assert_eq!((lookups.found, lookups.missed), (1, 0));
        // Known now: no second read.
        assert_eq!(tracker.unknown_thread(&ev), None);
        assert!(lookups.before(&mut tracker, &ev).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A thread /proc does not have (gone, or another machine's) is left to the stand-in, and
    /// at most LOOKUPS_PER_SECOND are tried in a second.
    #[test]
    fn missing_threads_are_bounded() {
        let dir = std::env::temp_dir().join(format!("falcorc-noproc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut tracker = Tracker::new();
        let mut lookups = Lookups::new(&dir);
        let one = 1i64.to_le_bytes();
        for tid in 1..=200u64 {
            let raw = encode_record(1, tid, 9, &[&one, b"x", &one, &1u32.to_le_bytes()]).unwrap();
            let (ev, _) = parse_record(&raw, true).unwrap();
            assert!(lookups.before(&mut tracker, &ev).is_none());
        }
        assert_eq!((lookups.found, lookups.missed), (0, 200));
        assert!(lookups.threads <= LOOKUPS_PER_SECOND);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
