//! The HTTP output against a real HTTP/1.1 server on loopback (a small one written here:
//! it records each request and answers with the statuses the test scripts): alerts arrive
//! in order as Falco sends them, server errors are retried with backoff, client errors are
//! not, a dead receiver costs counted losses and never blocks the queue's sender.

use falcorc_runtime::output::OutputQueue;
use falcorc_runtime::output::http::{HttpOptions, HttpSink};
use falcorc_runtime::output::sink::{Line, Sink};
use http_server::{Seen, server};
use std::net::TcpListener;
use std::time::{Duration, Instant};

#[path = "support/http_server.rs"]
mod http_server;

fn opts(url: &str) -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_secs(2),
        backoff: Duration::from_millis(5),
        ..HttpOptions::new(url)
    }
}

fn line(text: &str) -> Line {
    Line::new(6, text)
}

#[test]
fn alerts_are_posted_in_order_as_falco_posts_them() {
    let (url, seen) = server(vec![]);
    let mut sink = HttpSink::new(opts(&url)).expect("sink");
    for i in 0..3 {
        sink.write_line(&line(&format!("{{\"rule\":\"r{i}\"}}")))
            .expect("delivered");
    }
    let got: Vec<Seen> = (0..3)
        .map(|_| seen.recv_timeout(Duration::from_secs(5)).unwrap())
        .collect();
    for (i, s) in got.iter().enumerate() {
        assert_eq!((s.method.as_str(), s.path.as_str()), ("POST", "/alerts"));
        assert_eq!(s.body, format!("{{\"rule\":\"r{i}\"}}"));
        assert_eq!(s.header("content-type"), Some("application/json"));
        assert_eq!(s.header("user-agent"), Some("falcosecurity/falco"));
    }
    let mut text = HttpSink::new(HttpOptions {
        json: false,
        ..opts(&url)
    })
    .unwrap();
    text.write_line(&line("12:00:00: Warning x")).unwrap();
    let s = seen.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(s.header("content-type"), Some("text/plain"));
}

#[test]
fn server_errors_are_retried_and_client_errors_are_not() {
    let (url, seen) = server(vec![503, 500, 200, 400]);
    let mut sink = HttpSink::new(opts(&url)).unwrap();
    sink.write_line(&line("{}")).expect("delivered on the third attempt");
    assert_eq!(seen.try_iter().count(), 3);
    let e = sink.write_line(&line("{}")).expect_err("400 is final");
    assert!(e.to_string().contains("answered 400"), "{e}");
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(seen.try_iter().count(), 1, "a client error is not retried");
}

#[test]
fn a_dead_receiver_loses_alerts_counted_and_never_blocks_the_sender() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/");
    let sink = HttpSink::new(opts(&url)).unwrap();
    let mut q = OutputQueue::with_sink("http", Box::new(sink), 8).unwrap();
    let start = Instant::now();
    let mut queued = 0;
    for _ in 0..1000 {
        if q.send("{}".into()) {
            queued += 1;
        }
    }
    assert!(
        start.elapsed() < Duration::from_millis(200),
        "send blocked: {:?}",
        start.elapsed()
    );
    let c = q.finish(Instant::now() + Duration::from_secs(10));
    assert_eq!(c.sent, 0);
    assert_eq!(c.dropped + c.failed + c.abandoned, 1000);
    assert!(c.failed >= 1 && queued >= 1);
    assert!(
        c.error.as_deref().is_some_and(|e| e.contains(&url[..url.len() - 1])),
        "{:?}",
        c.error
    );
}

#[test]
fn an_unreadable_ca_or_client_certificate_is_an_error_at_start() {
    let e = HttpSink::new(HttpOptions {
        ca_cert: Some("/nonexistent/ca.pem".into()),
        ..opts("https://127.0.0.1:1/")
    })
    .err()
    .expect("refused");
    assert!(e.starts_with("http_output.ca_cert: /nonexistent/ca.pem"), "{e}");
    let e = HttpSink::new(HttpOptions {
        client: Some(("/etc/hostname".into(), "/etc/hostname".into())),
        ..opts("https://127.0.0.1:1/")
    })
    .err()
    .expect("refused");
    assert!(e.contains("no certificate in it"), "{e}");
}
