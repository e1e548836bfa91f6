//! Falco's `webserver`: `GET /healthz` (Falco's `k8s_healthz_endpoint`) answers
//! `{"status": "ok"}` while detection runs, and `GET /metrics` the latest [`Snapshot`] in
//! Prometheus' format when metrics are enabled. Plain HTTP/1.1, one request per
//! connection, each on a thread of its own (at most [`MAX_CLIENTS`] at once, then 503), with
//! a bounded request and a read timeout: a slow or hostile client costs a thread for a
//! moment, never detection.

use super::{MetricsOptions, Snapshot, render};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Connections served at once.
pub const MAX_CLIENTS: usize = 16;

/// Bytes of request head read at most.
const MAX_HEAD: u64 = 8 * 1024;

/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The latest snapshot, published by the event loop.
pub type Published = Arc<Mutex<Snapshot>>;

pub struct WebOptions {
    pub healthz: String,
    /// None: `/metrics` answers 404 (metrics or Prometheus export disabled).
    pub metrics: Option<MetricsOptions>,
}

/// Binds `addr` now (an address in use is an error at start) and serves on a thread.
pub fn start(addr: &str, opts: WebOptions, published: Published) -> std::io::Result<SocketAddr> {
    serve(TcpListener::bind(addr)?, opts, published)
}

/// Serves on a thread of its own from a listener bound earlier.
pub fn serve(listener: TcpListener, opts: WebOptions, published: Published) -> std::io::Result<SocketAddr> {
    let bound = listener.local_addr()?;
    let opts = Arc::new(opts);
    let clients = Arc::new(AtomicUsize::new(0));
    std::thread::Builder::new().name("webserver".into()).spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            if clients.fetch_add(1, Ordering::SeqCst) >= MAX_CLIENTS {
                clients.fetch_sub(1, Ordering::SeqCst);
                let _ = reply(&mut conn, 503, "text/plain", "busy\n");
                continue;
            }
            let (opts, published, count) = (opts.clone(), published.clone(), clients.clone());
            let spawned = std::thread::Builder::new()
                .name("webserver-client".into())
                .spawn(move || {
                    let _ = answer(conn, &opts, &published);
                    count.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                // The closure went with the failed spawn: give its place back.
                clients.fetch_sub(1, Ordering::SeqCst);
            }
        }
    })?;
    Ok(bound)
}

fn answer(conn: TcpStream, opts: &WebOptions, published: &Published) -> std::io::Result<()> {
    conn.set_read_timeout(Some(READ_TIMEOUT))?;
    conn.set_write_timeout(Some(READ_TIMEOUT))?;
    let mut reader = BufReader::new((&conn).take(MAX_HEAD));
    let mut first = String::new();
    reader.read_line(&mut first)?;
    // The rest of the head, within the bound (its content does not matter).
    let mut line = String::new();
    while reader.read_line(&mut line)? > 0 && line.trim_end() != "" {
        line.clear();
    }
    let mut conn = conn;
    let mut parts = first.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    if method != "GET" && method != "HEAD" {
        return reply(&mut conn, 405, "text/plain", "only GET\n");
    }
    if path == opts.healthz {
        return reply(&mut conn, 200, "application/json", "{\"status\": \"ok\"}\n");
    }
    match (&opts.metrics, path) {
        (Some(m), "/metrics") => {
            let snapshot = published.lock().unwrap_or_else(|p| p.into_inner()).clone();
            reply(
                &mut conn,
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                &render(&snapshot, m),
            )
        }
        _ => reply(&mut conn, 404, "text/plain", "not found\n"),
    }
}

fn reply(conn: &mut TcpStream, status: u16, content_type: &str, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };
    write!(
        conn,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    conn.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(addr: SocketAddr, request: &str) -> String {
        let mut c = TcpStream::connect(addr).unwrap();
        c.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        c.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn health_metrics_and_everything_else() {
        let published: Published = Arc::new(Mutex::new(Snapshot {
            events: 7,
            ..Snapshot::default()
        }));
        let addr = start(
            "127.0.0.1:0",
            WebOptions {
                healthz: "/healthz".into(),
                metrics: Some(MetricsOptions::default()),
            },
            published.clone(),
        )
        .unwrap();
        let h = get(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(
            h.starts_with("HTTP/1.1 200 OK\r\n") && h.ends_with("{\"status\": \"ok\"}\n"),
            "{h}"
        );
        let m = get(addr, "GET /metrics HTTP/1.1\r\n\r\n");
        assert!(m.contains("falcosecurity_scap_n_evts_total 7\n"), "{m}");
        published.lock().unwrap().events = 9;
        assert!(get(addr, "GET /metrics HTTP/1.0\r\n\r\n").contains("falcosecurity_scap_n_evts_total 9\n"));
        assert!(get(addr, "GET /nope HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "POST /healthz HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));
        // A head larger than the bound is cut, not read without end.
        let huge = format!("GET /healthz HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(100_000));
        let mut c = TcpStream::connect(addr).unwrap();
        let _ = c.write_all(huge.as_bytes());
        let mut out = String::new();
        let _ = c.read_to_string(&mut out);
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    }

    #[test]
    fn without_metrics_only_health_answers() {
        let addr = start(
            "127.0.0.1:0",
            WebOptions {
                healthz: "/health".into(),
                metrics: None,
            },
            Arc::new(Mutex::new(Snapshot::default())),
        )
        .unwrap();
        assert!(get(addr, "GET /health HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
        assert!(get(addr, "GET /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
        // The port is taken: a second server on it is an error at start.
        let e = start(
            &addr.to_string(),
            WebOptions {
                healthz: "/health".into(),
                metrics: None,
            },
            Arc::new(Mutex::new(Snapshot::default())),
        );
        assert!(e.is_err());
    }
}
