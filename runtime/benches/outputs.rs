//! What an alert costs each output, and what a dead output costs evaluation.
//!
//! - `send_*`: the evaluation side, queuing one alert line on 1 or 5 outputs (the only
//!   part of an output that runs on the event loop), including with a dead HTTP receiver
//!   whose worker is stuck retrying: it must cost the same (no stall).
//! - `deliver_*`: the worker side, 1000 JSON alerts of ~600 bytes through a sink end to end
//!   (queue, worker, write, flush), per output kind: a file, the syslog socket (a datagram
//!   socket bound here), a program (`cat > /dev/null`), HTTP POSTs to a loopback server.
//!
//! Run: `cargo bench -p falcorc-runtime --bench outputs`.

use falcorc_runtime::output::OutputQueue;
use falcorc_runtime::output::http::{HttpOptions, HttpSink};
use falcorc_runtime::output::set::OutputSet;
use falcorc_runtime::output::sink::{FileSink, Line, ProgramSink, Sink, SyslogSink};
use std::net::TcpListener;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

#[path = "../tests/support/http_server.rs"]
mod http_server;

fn main() {
    divan::main();
}

/// A JSON alert of Falco's usual size.
static ALERT: LazyLock<Arc<str>> = LazyLock::new(|| {
    let fields = "\"fd.name\":\"/etc/shadow\",\"proc.cmdline\":\"cat /etc/shadow\",\"user.name\":\"root\"";
    format!(
        "{{\"hostname\":\"h\",\"output\":\"2026-12-06T03:00:00.000000000+0000: Warning Sensitive file opened for reading by non-trusted program (file=/etc/shadow gparent=sshd ggparent=systemd gggparent=<NA> evt_type=openat user=root user_uid=0 user_loginuid=0 process=cat proc_exepath=/usr/bin/cat parent=bash command=cat /etc/shadow terminal=34816)\",\"output_fields\":{{{fields}}},\"priority\":\"Warning\",\"rule\":\"Read sensitive file untrusted\",\"source\":\"syscall\",\"tags\":[\"T1555\",\"filesystem\"],\"time\":\"2026-12-06T03:00:00.000000000Z\"}}"
    )
    .into()
});

fn line() -> Line {
    Line::new(4, ALERT.clone())
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("falcorc-bench-outputs-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Discards what it gets: the queue's own cost.
struct Null;

impl Sink for Null {
    fn write_line(&mut self, _: &Line) -> std::io::Result<()> {
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn set_of(n: usize) -> OutputSet {
    OutputSet::new(
        (0..n)
            .map(|i| OutputQueue::with_sink(&format!("null{i}"), Box::new(Null), 1 << 16).unwrap())
            .collect(),
    )
}

#[divan::bench]
fn send_one_output(b: divan::Bencher) {
    let mut set = set_of(1);
    b.bench_local(|| set.send(line()));
}

#[divan::bench]
fn send_five_outputs(b: divan::Bencher) {
    let mut set = set_of(5);
    b.bench_local(|| set.send(line()));
}

/// Nothing listens at the URL: the worker retries with backoff, the queue fills, sends drop.
#[divan::bench]
fn send_dead_http_receiver(b: divan::Bencher) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sink = HttpSink::new(HttpOptions::new(&format!("http://127.0.0.1:{port}/"))).unwrap();
    let mut set = OutputSet::new(vec![OutputQueue::with_sink("http", Box::new(sink), 4096).unwrap()]);
    b.bench_local(|| set.send(line()));
}

/// 1000 alerts through `sink`, from the first send until the worker flushed the last.
fn deliver(b: divan::Bencher, make: impl Fn() -> Box<dyn Sink>) {
    b.counter(divan::counter::ItemsCount::new(1000usize)).bench_local(|| {
        let mut q = OutputQueue::with_sink("bench", make(), 2000).unwrap();
        for _ in 0..1000 {
            q.send_line(line());
        }
        let c = q.finish(Instant::now() + Duration::from_secs(60));
        assert_eq!(c.sent, 1000, "{c:?}");
    });
}

#[divan::bench(sample_count = 20)]
fn deliver_file(b: divan::Bencher) {
    let p = dir().join("alerts.json");
    deliver(b, || Box::new(FileSink::open(&p).unwrap()));
    let _ = std::fs::remove_file(&p);
}

#[divan::bench(sample_count = 20)]
fn deliver_syslog(b: divan::Bencher) {
    let p = dir().join("log.sock");
    let _ = std::fs::remove_file(&p);
    let server = UnixDatagram::bind(&p).unwrap();
    // Drains the socket as a syslog daemon would.
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        while server.recv(&mut buf).is_ok() {}
    });
    deliver(b, || Box::new(SyslogSink::new(&p)));
}

#[divan::bench(sample_count = 20)]
fn deliver_program(b: divan::Bencher) {
    deliver(b, || Box::new(ProgramSink::new("cat > /dev/null", true)));
}

#[divan::bench(sample_count = 10)]
fn deliver_http(b: divan::Bencher) {
    // Answers 200 to every POST, as a Falcosidekick that does nothing would; what it
    // records is kept (unread) until the benchmark ends.
    let (url, _seen) = http_server::server(Vec::new());
    deliver(b, || Box::new(HttpSink::new(HttpOptions::new(&url)).unwrap()));
}
