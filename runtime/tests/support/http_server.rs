//! A small HTTP/1.1 server on loopback for the tests and benchmarks of the HTTP output:
//! each connection on a thread of its own (clients keep theirs open), every request
//! recorded and answered with the status the caller scripted. Shared by
//! `runtime/tests/http_output.rs`, `runtime/benches/outputs.rs` and `tests/live.rs`.
#![allow(dead_code)] // Each user takes what it needs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, channel};

/// One request as the server saw it.
#[derive(Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves on 127.0.0.1 until the test ends; answers the n-th request with `statuses[n]`
/// (200 after the end of the list).
pub fn server(statuses: Vec<u16>) -> (String, Receiver<Seen>) {
    let n = std::sync::atomic::AtomicUsize::new(0);
    serve("/alerts", move |_| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let status = statuses.get(i).copied().unwrap_or(200);
        format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n").into_bytes()
    })
}

/// Listens on 127.0.0.1 (URL ending in `path`); each connection on a thread of its own
/// (clients keep theirs open between requests); every request is recorded and answered
/// with the bytes `answer` gives for it.
fn serve(path: &str, answer: impl Fn(&Seen) -> Vec<u8> + Send + Sync + 'static) -> (String, Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
    let (tx, rx) = channel();
    let answer = std::sync::Arc::new(answer);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let (tx, answer) = (tx.clone(), answer.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().expect("clone"));
                let mut conn = conn;
                while let Some(seen) = read_request(&mut reader) {
                    let reply = answer(&seen);
                    if tx.send(seen).is_err() || conn.write_all(&reply).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, rx)
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut first = String::new();
    if r.read_line(&mut first).ok()? == 0 {
        return None;
    }
    let mut parts = first.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        r.read_line(&mut l).ok()?;
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        path,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

/// What [`etag_server`] answers a GET with: a body and its ETag, or `None` for 503.
pub type Served = std::sync::Arc<std::sync::Mutex<Option<(Vec<u8>, String)>>>;

/// Serves `served` on 127.0.0.1 as a bundle server does: 200 with an `ETag`, 304 when the
/// request's `If-None-Match` is that ETag, 503 when there is nothing to serve. Every
/// request is recorded.
pub fn etag_server(served: Served) -> (String, Receiver<Seen>) {
    serve("/ruleset.bundle", move |seen| match served.lock().unwrap().clone() {
        None => b"HTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\n\r\n".to_vec(),
        Some((_, etag)) if seen.header("If-None-Match") == Some(etag.as_str()) => {
            format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n").into_bytes()
        }
        Some((body, etag)) => {
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nETag: {etag}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            r.extend_from_slice(&body);
            r
        }
    })
}
