//! The byte transport against hostile input, through the real server over a socket: huge
//! lengths cost no memory, every malformed frame is answered (-32700, -32600) or skipped
//! and the server reads on, and errors never quote what was sent.

mod common;

use common::{Peer, TIMEOUT, peak_rss};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const MIB: u64 = 1024 * 1024;

/// A request that any initialized server answers with a result.
fn assert_alive(p: &mut Peer) {
    let r = p.call("workspace/symbol", json!({ "query": "" }));
    assert!(r.get("result").is_some(), "{r}");
}

fn error_code(m: &Value) -> i64 {
    m["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {m}"))
}

#[test]
fn a_two_gigabyte_body_is_skipped_in_chunks_and_the_next_request_answered() {
    let mut p = Peer::start();
    p.initialize(None);
    let before = peak_rss();
    let t = Instant::now();
    let len: u64 = 2_000_000_000;
    p.send_raw(format!("Content-Length: {len}\r\n\r\n").as_bytes());
    let chunk = vec![b'x'; MIB as usize];
    let mut sent = 0;
    while sent < len {
        let n = (len - sent).min(MIB) as usize;
        p.send_raw(&chunk[..n]);
        sent += n as u64;
    }
    assert_alive(&mut p);
    let grown = peak_rss().saturating_sub(before);
    eprintln!(
        "2e9 bytes skipped in {:?}; peak memory grew by {} MiB",
        t.elapsed(),
        grown / MIB
    );
    assert!(grown < 256 * MIB, "peak memory grew by {grown} bytes");
    let errors = p.take_null_id_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(error_code(&errors[0]), -32700);
    assert!(
        errors[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2000000000 bytes")
    );
    p.shutdown_and_exit().unwrap();
}

#[test]
fn a_length_never_followed_by_its_bytes_is_read_to_the_end_of_the_stream() {
    for len in ["2000000000", "18446744073709551615"] {
        let mut p = Peer::start();
        p.initialize(None);
        let before = peak_rss();
        p.send_raw(format!("Content-Length: {len}\r\n\r\n").as_bytes());
        p.send_raw(&vec![b'x'; MIB as usize]);
        // Inside the declared body: skipped with it, never answered.
        p.request("workspace/symbol", json!({ "query": "" }));
        p.close_input();
        let ended = p.server_result(TIMEOUT);
        assert_eq!(ended, Some(Ok(())), "Content-Length {len}");
        let grown = peak_rss().saturating_sub(before);
        assert!(
            grown < 256 * MIB,
            "Content-Length {len}: peak memory grew by {grown} bytes"
        );
        // The one reply: the oversized frame, without a word of its body.
        let m = p.next(TIMEOUT).expect("an error reply");
        assert_eq!((error_code(&m), m["id"].clone()), (-32700, Value::Null), "{m}");
        assert!(!m["error"]["message"].as_str().unwrap().contains("xxx"));
        assert_eq!(p.next(Duration::from_millis(100)), None);
    }
}

/// What the server answers a frame with: an error (code, id), or nothing.
type Answer = Option<(i64, Value)>;

#[test]
fn malformed_frames_are_answered_and_the_server_reads_on() {
    let mut p = Peer::start();
    p.initialize(None);
    let utf8_broken = b"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"x\xff\xfe\"}";
    let framed = |body: &[u8]| [format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), body].concat();
    let cases: Vec<(&str, Vec<u8>, Answer)> = vec![
        (
            "invalid JSON",
            framed(b"{\"jsonrpc\": \"2.0\", \"id\": 1,"),
            Some((-32700, Value::Null)),
        ),
        ("null", framed(b"null"), None),
        ("[]", framed(b"[]"), None),
        ("a number", framed(b"42"), None),
        ("a string", framed(b"\"shutdown\""), None),
        ("non-UTF-8 body", framed(utf8_broken), Some((-32700, Value::Null))),
        (
            "an object without method",
            framed(br#"{"jsonrpc":"2.0","id":9}"#),
            Some((-32600, json!(9))),
        ),
        ("neither method nor id", framed(br#"{"jsonrpc":"2.0"}"#), None),
        (
            "a method that is not a string",
            framed(br#"{"jsonrpc":"2.0","id":"a","method":3}"#),
            Some((-32600, json!("a"))),
        ),
        (
            "an id out of range",
            framed(br#"{"jsonrpc":"2.0","id":4294967296,"method":"x"}"#),
            Some((-32600, json!(4294967296u64))),
        ),
        (
            "a bad header line",
            b"Content-Length: 2\r\nthis is not a header\r\n\r\n{}".to_vec(),
            Some((-32700, Value::Null)),
        ),
        (
            "no Content-Length",
            b"Content-Type: x\r\n\r\n".to_vec(),
            Some((-32700, Value::Null)),
        ),
        (
            "a Content-Length that is not a number",
            b"Content-Length: 12abc\r\n\r\n".to_vec(),
            Some((-32700, Value::Null)),
        ),
        (
            "a header line of 100 KB",
            [b"X: ".as_slice(), &[b'a'; 100_000], b"\r\n\r\n"].concat(),
            Some((-32700, Value::Null)),
        ),
    ];
    for (what, bytes, answer) in cases {
        p.send_raw(&bytes);
        assert_alive(&mut p);
        let mut errors = p.take_null_id_errors();
        errors.extend(
            std::mem::take(&mut p.kept)
                .into_iter()
                .filter(|m| m.get("error").is_some()),
        );
        match answer {
            None => assert!(errors.is_empty(), "{what}: {errors:?}"),
            Some((code, id)) => {
                // The reader answers a bad frame on its own channel, so the reply may come
                // after the next request's response (JSON-RPC does not order replies).
                if errors.is_empty() {
                    errors.extend(p.next(TIMEOUT));
                }
                assert_eq!(errors.len(), 1, "{what}: {errors:?}");
                assert_eq!((error_code(&errors[0]), errors[0]["id"].clone()), (code, id), "{what}");
                let message = errors[0]["error"]["message"].as_str().unwrap();
                assert!(message.len() < 200 && !message.contains("aaaa"), "{what}: {message}");
            }
        }
    }
    // An orphan body without a length, glued to the next frame's header: that frame is read.
    p.send_raw(b"Content-Type: x\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\"}");
    assert_alive(&mut p);
    p.shutdown_and_exit().unwrap();
}

#[test]
fn unknown_methods() {
    let mut p = Peer::start();
    p.initialize(None);
    p.notify("falcorc/noSuchNotification", json!({}));
    let r = p.call("falcorc/noSuchRequest", json!({ "x": "y".repeat(10_000) }));
    assert_eq!(error_code(&r), -32601, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().len() < 200);
    let r = p.call("initialize", json!({ "capabilities": {} }));
    assert_eq!(error_code(&r), -32600, "a second initialize: {r}");
    assert_alive(&mut p);
    p.shutdown_and_exit().unwrap();
}

#[test]
fn errors_before_initialize_name_only_the_method() {
    let mut p = Peer::start();
    let body = "B".repeat(100_000);
    let uri = "file:///tmp/falcorc-before-init/x_rules.yaml";
    let pos = json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 }, "big": body });
    let r = p.call("textDocument/hover", pos);
    assert_eq!(error_code(&r), -32002, "{r}");
    let message = r["error"]["message"].as_str().unwrap();
    assert!(message.len() < 100 && !message.contains("BBBB"), "{message}");
    assert!(message.contains("textDocument/hover"), "{message}");
    // A long method name is cut too.
    let r = p.call(&"M".repeat(100_000), Value::Null);
    assert!(r["error"]["message"].as_str().unwrap().len() < 200, "{r}");
    assert_eq!(error_code(&p.call("shutdown", Value::Null)), -32002);
    // Notifications before initialize are dropped.
    p.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": "- list: l\n  items: []\n" } }),
    );
    // Bad initialize parameters are answered, and the client may try again.
    let r = p.call("initialize", json!({ "rootUri": 5, "capabilities": {} }));
    assert_eq!(error_code(&r), -32602, "{r}");
    p.initialize(None);
    let r = p.call("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(
        r["result"],
        Value::Null,
        "the didOpen before initialize was dropped: {r}"
    );
    p.shutdown_and_exit().unwrap();
}

#[test]
fn exit_before_initialize_ends_the_server() {
    let mut p = Peer::start();
    p.notify("exit", Value::Null);
    assert_eq!(p.server_result(TIMEOUT), Some(Err("exit before initialize".into())));
}
