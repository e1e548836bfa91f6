//! One output's bounded queue and worker thread: formatted alert lines go from the
//! evaluation thread through a bounded channel to a thread that owns the writer. A slow,
//! blocked or failing output never slows evaluation: when the queue is full a line is
//! dropped and counted ([`OutputQueue::send`] never blocks), and at exit
//! [`OutputQueue::finish`] flushes what it can until a deadline, then abandons the worker.
//!
//! A thread blocked in `write(2)` (a pipe nobody reads) cannot be joined or cancelled: an
//! abandoned worker is detached, and the end of the process ends it. Writers that must
//! not outlive the process's other state should not be given to a queue.

use super::sink::{Line, Sink, WriteSink};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Lines a queue holds by default. At Falco's usual alert sizes (200 bytes of text to 2 KB
/// of JSON) that is at most a few MB, and a few seconds of a heavy alert storm.
pub const DEFAULT_CAPACITY: usize = 4096;

/// How often [`OutputQueue::finish_unless`] looks at its `give_up` predicate.
const FINISH_TICK: Duration = Duration::from_millis(10);

/// What happened to the lines given to one output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputCounters {
    /// Lines written and flushed to the writer.
    pub sent: u64,
    /// Lines refused because the queue was full (or the worker was gone).
    pub dropped: u64,
    /// Lines lost to write errors (with the lines in the buffer at the time).
    pub failed: u64,
    /// Lines still queued or being written when [`OutputQueue::finish`] gave up on the
    /// worker at its deadline.
    pub abandoned: u64,
    /// The first write error, if any.
    pub error: Option<String>,
    /// Time the worker spent in its sink (writes and flushes), in nanoseconds.
    pub write_nanos: u64,
    /// How long delivered alerts took from being made to being flushed to the output.
    pub latency: Latency,
}

/// Upper bounds (seconds) of the latency histogram's buckets; a last one has no bound.
pub const LATENCY_BOUNDS: [f64; 7] = [0.0001, 0.001, 0.01, 0.1, 1.0, 10.0, 60.0];

/// A latency histogram: per bucket of [`LATENCY_BOUNDS`] (and one above them), the
/// alerts whose latency fell in it (not cumulative), and their total.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    pub buckets: [u64; LATENCY_BOUNDS.len() + 1],
    pub sum_nanos: u64,
}

impl Latency {
    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// [`Latency`] as the worker updates it.
#[derive(Default)]
struct LatencyCells {
    buckets: [AtomicU64; LATENCY_BOUNDS.len() + 1],
    sum_nanos: AtomicU64,
}

impl LatencyCells {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let i = LATENCY_BOUNDS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(LATENCY_BOUNDS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(ns, Ordering::Relaxed);
    }

    fn read(&self) -> Latency {
        Latency {
            buckets: std::array::from_fn(|i| self.buckets[i].load(Ordering::Relaxed)),
            sum_nanos: self.sum_nanos.load(Ordering::Relaxed),
        }
    }
}

impl OutputCounters {
    /// Lines that did not reach the output, for any reason.
    pub fn lost(&self) -> u64 {
        self.dropped + self.failed + self.abandoned
    }
}

/// Counters the worker updates and the owner reads.
#[derive(Default)]
struct Shared {
    sent: AtomicU64,
    failed: AtomicU64,
    error: Mutex<Option<String>>,
    /// The reader went away (EPIPE): nothing written from now on can arrive.
    closed: AtomicBool,
    /// Reopen requests ([`OutputQueue::reopen`]); the worker acts on a change.
    reopens: AtomicU64,
    write_nanos: AtomicU64,
    latency: LatencyCells,
}

impl Shared {
    fn fail(&self, lines: u64, e: &std::io::Error) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            self.closed.store(true, Ordering::Relaxed);
        }
        self.failed.fetch_add(lines, Ordering::Relaxed);
        let mut first = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if first.is_none() {
            *first = Some(e.to_string());
        }
    }
}

/// An output fed through a bounded queue, written by a worker thread of its own.
pub struct OutputQueue {
    name: String,
    tx: Option<SyncSender<Line>>,
    /// Disconnected when the worker ends (normally or by a panic of the writer).
    done: Receiver<()>,
    worker: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
    queued: u64,
    dropped: u64,
}

impl OutputQueue {
    /// Starts the worker thread (named `out:NAME`) that owns `writer` (lines end with a
    /// newline, written through a 64 KiB buffer), behind a queue of `capacity` lines (at
    /// least one).
    pub fn new(name: &str, writer: Box<dyn Write + Send>, capacity: usize) -> std::io::Result<OutputQueue> {
        OutputQueue::with_sink(name, Box::new(WriteSink::new(writer)), capacity)
    }

    /// [`OutputQueue::new`] for any [`Sink`] (a file that reopens, syslog, a program).
    pub fn with_sink(name: &str, sink: Box<dyn Sink>, capacity: usize) -> std::io::Result<OutputQueue> {
        let (tx, rx) = mpsc::sync_channel::<Line>(capacity.max(1));
        let (done_tx, done) = mpsc::channel::<()>();
        let shared = Arc::new(Shared::default());
        let worker_shared = shared.clone();
        let worker = std::thread::Builder::new().name(format!("out:{name}")).spawn(move || {
            // Dropped when this thread ends, however it ends.
            let _done = done_tx;
            work(rx, sink, &worker_shared);
        })?;
        Ok(OutputQueue {
            name: name.to_string(),
            tx: Some(tx),
            done,
            worker: Some(worker),
            shared,
            queued: 0,
            dropped: 0,
        })
    }

    /// The name given to [`OutputQueue::new`] (`stdout`, a file name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Queues one line (without its newline; the worker adds it). Never blocks: when the
    /// queue is full the line is dropped and counted. Returns whether it was queued.
    pub fn send(&mut self, line: String) -> bool {
        self.send_line(Line::new(super::sink::LEVEL_INFO, line))
    }

    /// [`OutputQueue::send`] of a line shared between outputs, with its syslog level.
    pub fn send_line(&mut self, line: Line) -> bool {
        let Some(tx) = &self.tx else {
            self.dropped += 1;
            return false;
        };
        match tx.try_send(line) {
            Ok(()) => {
                self.queued += 1;
                true
            }
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped += 1;
                false
            }
        }
    }

    /// No more lines: the worker writes what is queued and ends ([`OutputQueue::finish`]
    /// then waits for it).
    pub fn close(&mut self) {
        drop(self.tx.take());
    }

    /// Asks the worker to reopen its output before the next line (SIGHUP: a log file
    /// rotated away is closed and created again).
    pub fn reopen(&self) {
        self.shared.reopens.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether a write found the reader gone (a closed pipe or socket: `falcorc run | head`).
    /// Needs SIGPIPE ignored, or the process ends at that write.
    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::Relaxed)
    }

    /// The counters so far (nothing is abandoned before [`OutputQueue::finish`]).
    pub fn counters(&self) -> OutputCounters {
        OutputCounters {
            sent: self.shared.sent.load(Ordering::Relaxed),
            dropped: self.dropped,
            failed: self.shared.failed.load(Ordering::Relaxed),
            abandoned: 0,
            error: self.shared.error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            write_nanos: self.shared.write_nanos.load(Ordering::Relaxed),
            latency: self.shared.latency.read(),
        }
    }

    /// Closes the queue and lets the worker write what is queued until `deadline`; a
    /// worker still busy then (blocked in a write) is detached and its lines counted as
    /// abandoned. Returns by the deadline (give or take a scheduling tick).
    pub fn finish(self, deadline: Instant) -> OutputCounters {
        self.finish_unless(deadline, &|| false)
    }

    /// [`OutputQueue::finish`] that also gives up as soon as `give_up` returns true
    /// (looked at every 10 ms): a stop signal during a long flush.
    pub fn finish_unless(mut self, deadline: Instant, give_up: &dyn Fn() -> bool) -> OutputCounters {
        // The worker writes what is queued, then ends when it finds the queue closed.
        drop(self.tx.take());
        let finished = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.done.recv_timeout(left.min(FINISH_TICK)) {
                Err(RecvTimeoutError::Disconnected) => break true,
                Ok(()) | Err(RecvTimeoutError::Timeout) => {
                    if left.is_zero() || give_up() {
                        break false;
                    }
                }
            }
        };
        let worker = self.worker.take();
        if finished && let Some(w) = worker {
            let _ = w.join();
        }
        // Else the handle is dropped: the thread is detached, blocked where it is.
        let mut c = self.counters();
        if !finished {
            c.abandoned = self.queued.saturating_sub(c.sent + c.failed);
        }
        c
    }
}

/// Without [`OutputQueue::finish`], the queue is closed and the worker detached: it writes
/// what is queued if the process lives long enough.
impl Drop for OutputQueue {
    fn drop(&mut self) {
        drop(self.tx.take());
    }
}

/// The worker: lines into the sink while more are waiting, a flush whenever the queue
/// runs empty (and before a reopen); lines count as sent once flushed, and their latency
/// (made to flushed) is observed then.
fn work(rx: Receiver<Line>, mut sink: Box<dyn Sink>, shared: &Shared) {
    // When each line written since the last flush was made.
    let mut pending: Vec<Instant> = Vec::new();
    let mut reopens_seen = 0u64;
    let timed = |start: Instant| {
        let n = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        shared.write_nanos.fetch_add(n, Ordering::Relaxed);
    };
    let flush = |sink: &mut Box<dyn Sink>, pending: &mut Vec<Instant>| {
        if pending.is_empty() {
            return;
        }
        let start = Instant::now();
        let flushed = sink.flush();
        timed(start);
        let n = pending.len() as u64;
        match flushed {
            Ok(()) => {
                let now = Instant::now();
                for made in pending.iter() {
                    shared.latency.observe(now.saturating_duration_since(*made));
                }
                shared.sent.fetch_add(n, Ordering::Relaxed);
            }
            Err(e) => shared.fail(n, &e),
        }
        pending.clear();
    };
    loop {
        let line = match rx.try_recv() {
            Ok(line) => line,
            Err(TryRecvError::Empty) => {
                flush(&mut sink, &mut pending);
                match rx.recv() {
                    Ok(line) => line,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        let reopens = shared.reopens.load(Ordering::Relaxed);
        if reopens != reopens_seen {
            reopens_seen = reopens;
            flush(&mut sink, &mut pending);
            if let Err(e) = sink.reopen() {
                shared.fail(0, &e);
            }
        }
        let start = Instant::now();
        let written = sink.write_line(&line);
        timed(start);
        match written {
            Ok(()) => pending.push(line.made),
            Err(e) => {
                // This line and those buffered before it are lost.
                shared.fail(pending.len() as u64 + 1, &e);
                pending.clear();
            }
        }
    }
    flush(&mut sink, &mut pending);
}

#[cfg(test)]
mod tests {
    use super::super::sink::WRITE_BUFFER;
    use super::*;
    use std::io;

    /// A writer that blocks in its first write for an hour (a pipe nobody reads).
    struct Stuck;

    impl Write for Stuck {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            std::thread::sleep(Duration::from_secs(3600));
            Err(io::Error::other("woke up"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A writer whose bytes the test can read.
    #[derive(Clone, Default)]
    struct Memory(Arc<Mutex<Vec<u8>>>);

    impl Write for Memory {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Fails every write.
    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn a_blocked_writer_never_blocks_send_and_finish_keeps_its_deadline() {
        // A line larger than the worker's buffer goes straight to the writer, so the
        // worker blocks on the first line.
        let big = "x".repeat(WRITE_BUFFER + 1);
        let mut q = OutputQueue::new("stuck", Box::new(Stuck), 8).expect("worker starts");
        let start = Instant::now();
        let mut slowest = Duration::ZERO;
        for _ in 0..10_000 {
            let t = Instant::now();
            q.send(big.clone());
            slowest = slowest.max(t.elapsed());
        }
        assert!(
            slowest < Duration::from_millis(100),
            "one send took {slowest:?} (a blocking send would take an hour)"
        );
        let c = q.counters();
        assert_eq!(c.sent, 0);
        // 8 in the queue, and the one the worker took (if it took it yet).
        assert!((10_000 - 9..=10_000 - 8).contains(&c.dropped), "{c:?}");
        let deadline = Instant::now() + Duration::from_millis(200);
        let c = q.finish(deadline);
        let late = Instant::now().saturating_duration_since(deadline);
        assert!(
            late < Duration::from_millis(100),
            "finish returned {late:?} after its deadline"
        );
        assert_eq!(c.sent, 0);
        assert_eq!(c.dropped + c.abandoned, 10_000, "{c:?}");
        assert!((8..=9).contains(&c.abandoned), "{c:?}");
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn finish_gives_up_when_asked() {
        let mut q = OutputQueue::new("stuck", Box::new(Stuck), 4).expect("worker starts");
        q.send("x".repeat(WRITE_BUFFER + 1));
        let t = Instant::now();
        let c = q.finish_unless(Instant::now() + Duration::from_secs(3600), &|| true);
        assert!(t.elapsed() < Duration::from_millis(200), "{:?}", t.elapsed());
        assert_eq!(c.abandoned, 1);
    }

    #[test]
    fn every_line_arrives_in_order_when_the_writer_keeps_up() {
        let sink = Memory::default();
        let mut q = OutputQueue::new("mem", Box::new(sink.clone()), 1000).expect("worker starts");
        for i in 0..1000 {
            assert!(q.send(format!("line {i}")), "room for every line");
        }
        let c = q.finish(Instant::now() + Duration::from_secs(10));
        assert!(c.write_nanos > 0, "the worker's time is measured");
        // Every delivered line's latency, in some bucket.
        assert_eq!(c.latency.count(), 1000);
        assert!(c.latency.sum_nanos > 0);
        assert_eq!(
            c,
            OutputCounters {
                sent: 1000,
                write_nanos: c.write_nanos,
                latency: c.latency.clone(),
                ..OutputCounters::default()
            }
        );
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let want: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(text, want);
    }

    #[test]
    fn write_errors_are_counted_not_fatal() {
        let mut q = OutputQueue::new("broken", Box::new(Broken), 4).expect("worker starts");
        let mut queued = 0;
        for _ in 0..100 {
            if q.send("y".repeat(WRITE_BUFFER)) {
                queued += 1;
            }
        }
        let c = q.finish(Instant::now() + Duration::from_secs(10));
        assert_eq!(c.sent, 0);
        assert_eq!(c.failed, queued);
        assert_eq!(c.failed + c.dropped, 100);
        assert_eq!(c.lost(), 100);
        assert_eq!(c.error.as_deref(), Some("disk on fire"));
    }

    #[test]
    fn a_closed_pipe_marks_the_output_closed_and_other_errors_do_not() {
        // Rust's runtime ignores SIGPIPE in tests, as `run` does: the write gets EPIPE.
        let (reader, writer) = std::io::pipe().expect("pipe");
        let mut q = OutputQueue::new("pipe", Box::new(writer), 4).expect("worker starts");
        assert!(!q.is_closed());
        drop(reader);
        q.send("alert".into());
        let deadline = Instant::now() + Duration::from_secs(10);
        while !q.is_closed() {
            assert!(Instant::now() < deadline, "EPIPE not seen");
            std::thread::sleep(Duration::from_millis(1));
        }
        let c = q.finish(deadline);
        assert_eq!((c.sent, c.failed), (0, 1));
        let mut broken = OutputQueue::new("broken", Box::new(Broken), 4).expect("worker starts");
        broken.send("x".into());
        std::thread::sleep(Duration::from_millis(50));
        assert!(!broken.is_closed());
    }

    #[test]
    fn a_dropped_queue_does_not_wait_for_its_worker() {
        let mut q = OutputQueue::new("stuck", Box::new(Stuck), 4).expect("worker starts");
        q.send("x".repeat(WRITE_BUFFER + 1));
        let t = Instant::now();
        drop(q);
        assert!(t.elapsed() < Duration::from_millis(100));
    }
}
