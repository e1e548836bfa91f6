//! A client for the real server over a real byte stream (a Unix socket pair, the server on
//! a thread through `falcorc_lsp::transport::serve_io`), for tests that send what a
//! well-behaved client never would. It reads the server's output strictly (any malformed
//! frame fails the test) and every wait has a timeout, so no test can hang.
#![allow(dead_code)] // Each test file uses part of it.

use falcorc_lsp::transport::{Limits, serve_io};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The longest wait for any one answer.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Peer {
    to_server: UnixStream,
    from_server: Receiver<Result<Value, String>>,
    server: Receiver<Result<(), String>>,
    /// Messages received while waiting for something else, in arrival order.
    pub kept: Vec<Value>,
    next_id: i64,
}

impl Peer {
    pub fn start() -> Peer {
        Peer::with_limits(Limits::default())
    }

    pub fn with_limits(limits: Limits) -> Peer {
        let (client, server) = UnixStream::pair().expect("socket pair");
        let server_out = server.try_clone().expect("clone");
        let (done_tx, server_done) = channel();
        std::thread::spawn(move || {
            let run = std::panic::catch_unwind(move || serve_io(BufReader::new(server), server_out, limits));
            let _ = done_tx.send(run.unwrap_or_else(|_| Err("the server panicked".into())));
        });
        let input = client.try_clone().expect("clone");
        let (frames_tx, from_server) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(input);
            loop {
                let frame = read_strict_frame(&mut r);
                let end = !matches!(frame, Ok(Some(_)));
                let sent = match frame {
                    Ok(Some(v)) => frames_tx.send(Ok(v)),
                    Ok(None) => return,
                    Err(e) => frames_tx.send(Err(e)),
                };
                if end || sent.is_err() {
                    return;
                }
            }
        });
        Peer {
            to_server: client,
            from_server,
            server: server_done,
            kept: Vec::new(),
            next_id: 0,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.to_server.write_all(bytes).expect("write to the server");
    }

    pub fn send_body(&mut self, body: &[u8]) {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body);
        self.send_raw(&frame);
    }

    pub fn send(&mut self, msg: &Value) {
        self.send_body(msg.to_string().as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Send a request; returns its id.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = json!(self.next_id);
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Send a request and wait for its whole response (`result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        self.response(&id)
    }

    /// The next message from the server, or None after `timeout` or at the end of its output.
    pub fn next(&mut self, timeout: Duration) -> Option<Value> {
        match self.from_server.recv_timeout(timeout) {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => panic!("the server sent a malformed frame: {e}"),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Wait for the response to `id`, keeping what arrives before it.
    pub fn response(&mut self, id: &Value) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(m) = self.next(left) else {
                panic!("no response to request {id} within {TIMEOUT:?}");
            };
            if m.get("method").is_none() && m["id"] == *id {
                return m;
            }
            self.kept.push(m);
        }
    }

    /// Error replies the server sent with a null id (to frames it could not read), consumed.
    pub fn take_null_id_errors(&mut self) -> Vec<Value> {
        let (errors, rest) = std::mem::take(&mut self.kept)
            .into_iter()
            .partition(|m| m.get("method").is_none() && m["id"].is_null());
        self.kept = rest;
        errors
    }

    pub fn initialize(&mut self, root_uri: Option<&str>) -> Value {
        let r = self.call(
            "initialize",
            json!({ "processId": null, "rootUri": root_uri, "capabilities": {} }),
        );
        assert!(r.get("result").is_some(), "initialize failed: {r}");
        self.notify("initialized", json!({}));
        r
    }

    /// Wait for the next `publishDiagnostics` for `uri` (kept ones first).
    pub fn diagnostics(&mut self, uri: &str) -> Value {
        let is_for = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
        if let Some(i) = self.kept.iter().position(is_for) {
            return self.kept.remove(i)["params"]["diagnostics"].clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .next(left)
                .unwrap_or_else(|| panic!("no diagnostics for {uri} within {TIMEOUT:?}"));
            if is_for(&m) {
                return m["params"]["diagnostics"].clone();
            }
            self.kept.push(m);
        }
    }

    /// End the input: the server sees the end of its stream.
    pub fn close_input(&self) {
        let _ = self.to_server.shutdown(std::net::Shutdown::Write);
    }

    /// What `serve_io` returned, if it returned within `timeout`.
    pub fn server_result(&self, timeout: Duration) -> Option<Result<(), String>> {
        self.server.recv_timeout(timeout).ok()
    }

    /// True while `serve_io` has not returned.
    pub fn server_running(&self) -> bool {
        matches!(self.server.try_recv(), Err(std::sync::mpsc::TryRecvError::Empty))
    }

    /// `shutdown` (answered within `TIMEOUT`) and `exit`; returns what the server returned.
    pub fn shutdown_and_exit(mut self) -> Result<(), String> {
        let r = self.call("shutdown", Value::Null);
        assert!(r.get("result").is_some(), "shutdown failed: {r}");
        self.notify("exit", Value::Null);
        self.server_result(TIMEOUT)
            .unwrap_or_else(|| Err("the server did not end after exit".into()))
    }
}

/// One frame exactly as the server writes them: `Content-Length: N\r\n\r\n` and a JSON-RPC
/// 2.0 object of N bytes. Ok(None) at the end of the stream.
fn read_strict_frame(r: &mut impl BufRead) -> Result<Option<Value>, String> {
    let mut header = String::new();
    match r.read_line(&mut header) {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        Err(e) => return Err(format!("reading a header: {e}")),
    }
    let len: usize = header
        .strip_prefix("Content-Length: ")
        .and_then(|h| h.strip_suffix("\r\n"))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("bad header {header:?}"))?;
    let mut blank = String::new();
    r.read_line(&mut blank).map_err(|e| e.to_string())?;
    if blank != "\r\n" {
        return Err(format!("no blank line after the header: {blank:?}"));
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).map_err(|e| format!("reading a body: {e}"))?;
    let v: Value = serde_json::from_slice(&body).map_err(|e| format!("a body that is not JSON: {e}"))?;
    let is_response = v.get("id").is_some() && (v.get("result").is_some() ^ v.get("error").is_some());
    let is_notification = v["method"].is_string() && v.get("id").is_none();
    if v["jsonrpc"] != "2.0" || !(is_response || is_notification) {
        return Err(format!("not a JSON-RPC 2.0 response or notification: {v}"));
    }
    Ok(Some(v))
}

/// The peak resident memory of this process so far, in bytes (Linux).
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("falcorc-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d.canonicalize().expect("canonical temp dir")
}
