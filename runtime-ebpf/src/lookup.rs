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
    /// The last event's thread, known to the tracker at this [`Tracker::thread_stamp`]:
    /// events come in runs from one thread, and asking the thread table for every one of
    /// them was 5 % of live reading.
    known: Option<(u64, (u64, u64))>,
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
            known: None,
        }
    }

    /// Before the tracker sees `ev`: when its thread is unknown, reads it from /proc, hands
    /// it to the tracker and returns it (a recording writes it before the event, so its
    /// replay starts the thread from the same state).
    pub fn before(&mut self, tracker: &mut Tracker, ev: &Event<'_>) -> Option<Found> {
        let known = Some((ev.tid, tracker.thread_stamp()));
        if self.known == known {
            return None;
        }
        // A known thread is never unknown (`unknown_thread` would say `None` too).
        if tracker.thread(ev.tid as i64).is_some() {
            self.known = known;
            return None;
        }
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

    /// A write exit (code 9: res, data, fd, size) of one byte on fd 1 by thread `tid`.
    fn write_exit(tid: u64) -> Vec<u8> {
        let one = 1i64.to_le_bytes();
        encode_record(1, tid, 9, &[&one, b"x", &one, &1u32.to_le_bytes()]).unwrap()
    }

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
        let raw = write_exit(pid);
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
        for tid in 1..=200u64 {
            let raw = write_exit(tid);
            let (ev, _) = parse_record(&raw, true).unwrap();
            assert!(lookups.before(&mut tracker, &ev).is_none());
        }
        assert_eq!((lookups.found, lookups.missed), (0, 200));
        assert!(lookups.threads <= LOOKUPS_PER_SECOND);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The known-thread shortcut: a thread that events made known is not looked up again,
    /// and once its exit removed it, its next event is (another tracker starts afresh).
    #[test]
    fn a_thread_that_left_the_table_is_looked_up_again() {
        let dir = std::env::temp_dir().join(format!("falcorc-stamp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut tracker = Tracker::new();
        let mut lookups = Lookups::new(&dir);
        let tid = 4242u64;
        let write = write_exit(tid);
        let (write, _) = parse_record(&write, true).unwrap();
        // Unknown, and not in this /proc: missed, then the tracker makes its stand-in.
        assert!(lookups.before(&mut tracker, &write).is_none());
        tracker.on_event(&write, |_| {});
        assert!(tracker.thread(tid as i64).is_some());
        for _ in 0..3 {
            assert!(lookups.before(&mut tracker, &write).is_none());
        }
        assert_eq!(lookups.missed, 1);
        // procexit (code 186: status, ret, sig, core, reaper) removes it.
        let zero = 0i64.to_le_bytes();
        let exit = encode_record(2, tid, 186, &[&zero, &zero, &[0u8], &[0u8], &zero]).unwrap();
        let (exit, _) = parse_record(&exit, true).unwrap();
        tracker.on_event(&exit, |_| {});
        assert!(tracker.thread(tid as i64).is_none(), "the exit removed the thread");
        assert!(lookups.before(&mut tracker, &write).is_none());
        assert_eq!(lookups.missed, 2, "looked up again after the exit");
        // A fresh tracker does not know what the old one knew.
        let mut fresh = Tracker::new();
        tracker.on_event(&write, |_| {});
        assert!(lookups.before(&mut tracker, &write).is_none());
        assert!(lookups.before(&mut fresh, &write).is_none());
        assert_eq!(lookups.missed, 3, "looked up in the new tracker");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
