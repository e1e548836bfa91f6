//! Random byte streams against the real server over a socket: valid and invalid headers,
//! random JSON and bytes, lengths that lie, oversized bodies, and valid editing sessions
//! (didOpen, didChange with random edits, hover, completion and other requests), mixed.
//! The server must never panic or end before `exit`, must answer the final `shutdown`, and
//! every frame it writes must be well formed (the client's reader is strict).
//!
//! A few cases by default (`PROPTEST_CASES` to change); `FALCORC_FUZZ_SECS=N` keeps
//! generating new cases for N seconds. Failures are saved next to this file
//! (`transport_fuzz.proptest-regressions`) and replayed first on every run.

mod common;

use common::{Peer, TIMEOUT};
use falcorc_lsp::transport::Limits;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A small body limit, so that oversized frames are cheap to send.
const MAX_BODY: u64 = 16 * 1024;
/// The most a lying length may exceed what follows it.
const MAX_LIE: usize = 64;
const DOCS: &[&str] = &[
    "file:///fuzz/a_rules.yaml",
    "file:///fuzz/rules/b.yaml",
    "untitled:Untitled-1",
];
const TEXTS: &[&str] = &[
    "- list: shells\n  items: [bash, \"zsh\"]\n- macro: sh\n  condition: proc.name in (shells) and evt.type = execve\n- rule: r — é\n  desc: d 𝄞\n  condition: sh and fd.name startswith /etc\n  output: \"%proc.name é\"\n  priority: INFO\n",
    "",
    "- rule: [\n",
    "- macro: m\n  condition: (proc.name = a\r\n- list: l\r\n  items: [l]\r\n",
    "jobs: {}\n",
];
const SNIPPETS: &[&str] = &[
    "",
    "x",
    "\n",
    "é",
    "𝄞",
    " and ",
    "(",
    ")",
    "\"",
    "- rule: ",
    "  condition: ",
    "proc.name",
    ":",
    "\r\n",
];
const REQUESTS: &[&str] = &[
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/prepareRename",
    "textDocument/rename",
    "textDocument/documentSymbol",
    "textDocument/semanticTokens/full",
    "textDocument/codeAction",
    "textDocument/formatting",
    "workspace/symbol",
    "completionItem/resolve",
    "initialize",
    "falcorc/debugStats",
    "no/such/method",
];
/// Method names for random messages (never `shutdown` or `exit`: those end sessions).
const METHODS: &[&str] = &[
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/didSave",
    "workspace/didChangeConfiguration",
    "workspace/didChangeWatchedFiles",
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/rename",
    "initialize",
    "initialized",
    "$/cancelRequest",
    "",
];

#[derive(Clone, Debug)]
enum Piece {
    /// A framed JSON value.
    Json(Value),
    /// A message shape with random parts.
    Message {
        id: Option<Value>,
        method: String,
        params: Value,
    },
    /// Framed bytes.
    Bytes(Vec<u8>),
    /// Bytes without a frame.
    Junk(Vec<u8>),
    /// Header lines of any kind, a blank line, a body.
    Headers(Vec<String>, Vec<u8>),
    /// A Content-Length larger than the body that follows.
    LyingLength(Vec<u8>, usize),
    /// A body beyond the limit, sent whole.
    Oversized(usize),
    /// A well-formed editing message.
    Edit(Edit),
}

#[derive(Clone, Debug)]
enum Edit {
    Open(usize, usize),
    Change(usize, Vec<(u32, u32, u32, u32, usize)>),
    Close(usize),
    Request(usize, usize, u32, u32),
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(METHODS).prop_map(String::from),
        prop::sample::select(DOCS).prop_map(String::from),
        Just("2.0".to_string()),
        "[a-z/]{0,12}",
        ".{0,16}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u32..40).prop_map(Value::from),
        (-1e9..1e9f64).prop_map(Value::from),
        string().prop_map(Value::from),
    ];
    let key = prop_oneof![
        prop::sample::select(&[
            "jsonrpc",
            "id",
            "method",
            "params",
            "result",
            "error",
            "textDocument",
            "uri",
            "position",
            "line",
            "character",
            "contentChanges",
            "range",
            "start",
            "end",
            "text",
            "settings",
            "rules",
        ])
        .prop_map(String::from),
        "[a-z]{1,6}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn header_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..100).prop_map(|n| format!("Content-Length: {n}")),
        Just("Content-Type: application/vscode-jsonrpc; charset=utf-8".to_string()),
        Just("content-length:  7 ".to_string()),
        Just("Content-Length: -1".to_string()),
        Just("Content-Length: 99999999999999999999999".to_string()),
        Just("no colon here".to_string()),
        Just(": no name".to_string()),
        "[ -~]{0,40}",
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    let doc = 0..DOCS.len();
    prop_oneof![
        (doc.clone(), 0..TEXTS.len()).prop_map(|(d, t)| Edit::Open(d, t)),
        (
            doc.clone(),
            prop::collection::vec((0u32..12, 0u32..40, 0u32..12, 0u32..40, 0..SNIPPETS.len()), 1..4)
        )
            .prop_map(|(d, e)| Edit::Change(d, e)),
        doc.clone().prop_map(Edit::Close),
        (doc, 0..REQUESTS.len(), 0u32..12, 0u32..40).prop_map(|(d, m, l, c)| Edit::Request(d, m, l, c)),
    ]
}

fn piece() -> impl Strategy<Value = Piece> {
    let bytes = prop::collection::vec(any::<u8>(), 0..300);
    prop_oneof![
        2 => json_value().prop_map(Piece::Json),
        2 => (proptest::option::of(prop_oneof![any::<i32>().prop_map(Value::from), string().prop_map(Value::from), json_value()]), string(), json_value())
            .prop_map(|(id, method, params)| Piece::Message { id, method, params }),
        1 => bytes.clone().prop_map(Piece::Bytes),
        1 => bytes.clone().prop_map(Piece::Junk),
        1 => (prop::collection::vec(header_line(), 0..5), bytes.clone()).prop_map(|(h, b)| Piece::Headers(h, b)),
        1 => (bytes, 1..=MAX_LIE).prop_map(|(b, lie)| Piece::LyingLength(b, lie)),
        1 => (1usize..256).prop_map(Piece::Oversized),
        10 => edit().prop_map(Piece::Edit),
    ]
}

fn framed(body: &[u8]) -> Vec<u8> {
    [format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), body].concat()
}

fn position(doc: usize, line: u32, col: u32) -> Value {
    json!({ "textDocument": { "uri": DOCS[doc] }, "position": { "line": line, "character": col } })
}

fn edit_message(e: &Edit, id: i32) -> Value {
    let (method, params, id) = match e {
        Edit::Open(d, t) => (
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": DOCS[*d], "languageId": "yaml", "version": 1, "text": TEXTS[*t] } }),
            None,
        ),
        Edit::Change(d, changes) => {
            let changes: Vec<Value> = changes
                .iter()
                .map(|&(l0, c0, l1, c1, s)| {
                    json!({ "range": { "start": { "line": l0, "character": c0 }, "end": { "line": l1, "character": c1 } },
                            "text": SNIPPETS[s] })
                })
                .collect();
            let params = json!({ "textDocument": { "uri": DOCS[*d], "version": 2 }, "contentChanges": changes });
            ("textDocument/didChange", params, None)
        }
        Edit::Close(d) => (
            "textDocument/didClose",
            json!({ "textDocument": { "uri": DOCS[*d] } }),
            None,
        ),
        Edit::Request(d, m, l, c) => {
            let mut params = position(*d, *l, *c);
            params["newName"] = json!("renamed");
            params["context"] = json!({ "includeDeclaration": true, "diagnostics": [] });
            params["range"] = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": *l, "character": *c } });
            params["options"] = json!({ "tabSize": 2, "insertSpaces": true });
            params["query"] = json!("");
            params["label"] = json!("proc.name");
            params["capabilities"] = json!({});
            (REQUESTS[*m], params, Some(id))
        }
    };
    let mut m = json!({ "jsonrpc": "2.0", "method": method, "params": params });
    if let Some(id) = id {
        m["id"] = json!(id);
    }
    m
}

fn bytes_of(p: &Piece, id: i32) -> Vec<u8> {
    match p {
        Piece::Json(v) => framed(v.to_string().as_bytes()),
        Piece::Message { id, method, params } => {
            let mut m = json!({ "jsonrpc": "2.0", "method": method, "params": params });
            if let Some(id) = id {
                m["id"] = id.clone();
            }
            framed(m.to_string().as_bytes())
        }
        Piece::Bytes(b) => framed(b),
        Piece::Junk(b) => b.clone(),
        Piece::Headers(lines, body) => {
            let mut out = Vec::new();
            for l in lines {
                out.extend_from_slice(l.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(body);
            out
        }
        Piece::LyingLength(body, lie) => {
            [format!("Content-Length: {}\r\n\r\n", body.len() + lie).as_bytes(), body].concat()
        }
        Piece::Oversized(extra) => framed(&vec![b'x'; MAX_BODY as usize + extra]),
        Piece::Edit(e) => framed(edit_message(e, id).to_string().as_bytes()),
    }
}

/// Whatever state the pieces left the reader in (inside a header block, or inside a body or
/// a skipped body of at most `MAX_BODY` + a little), this ends it: padding longer than any
/// pending length, then blank lines, twice.
fn resync_trailer() -> Vec<u8> {
    let pad = vec![b'.'; MAX_BODY as usize + 1024];
    [b"\r\n\r\n".as_slice(), &pad, b"\r\n\r\n", &pad, b"\r\n\r\n"].concat()
}

fn check(pieces: Vec<Piece>) -> Result<(), TestCaseError> {
    let mut p = Peer::with_limits(Limits {
        max_body: MAX_BODY,
        ..Limits::default()
    });
    p.initialize(None);
    for (i, piece) in pieces.iter().enumerate() {
        p.send_raw(&bytes_of(piece, 1000 + i as i32));
    }
    p.send_raw(&resync_trailer());
    prop_assert!(p.server_running(), "the server ended before exit");
    let t = Instant::now();
    // A request about the whole workspace waits for the newest analysis, which lets the
    // requests waiting before it go too; then their answers, until the server is quiet.
    // Its id is one random messages cannot use: they may carry any number as an id (an
    // invalid `{"id": 2}` is rightly answered -32600 with id 2, found by this test).
    let barrier_id = json!("fuzz-barrier");
    p.send(&json!({ "jsonrpc": "2.0", "id": barrier_id, "method": "workspace/symbol", "params": { "query": "" } }));
    let barrier = p.response(&barrier_id);
    prop_assert!(barrier.get("result").is_some(), "workspace/symbol: {}", barrier);
    while let Some(m) = p.next(Duration::from_millis(50)) {
        p.kept.push(m);
    }
    let id = json!("fuzz-final-shutdown");
    p.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "shutdown" }));
    let r = p.response(&id);
    prop_assert!(r.get("result").is_some(), "shutdown: {}", r);
    prop_assert!(t.elapsed() < TIMEOUT);
    p.notify("exit", Value::Null);
    let ended = p.server_result(TIMEOUT);
    prop_assert_eq!(ended, Some(Ok(())));
    while let Some(m) = p.next(Duration::from_millis(50)) {
        p.kept.push(m);
    }
    for m in &p.kept {
        let text = m["error"]["message"]
            .as_str()
            .or(m["params"]["message"].as_str())
            .unwrap_or("");
        prop_assert!(!text.contains("panicked"), "{}", m);
    }
    Ok(())
}

#[test]
fn random_streams_never_stop_the_server() {
    let secs: Option<u64> = std::env::var("FALCORC_FUZZ_SECS").ok().and_then(|s| s.parse().ok());
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24);
    let deadline = secs.map(|s| Instant::now() + Duration::from_secs(s));
    let (mut rounds, mut total) = (0u32, 0u32);
    loop {
        let config = Config {
            cases: if deadline.is_some() { 32 } else { cases },
            source_file: Some(file!()),
            failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let strategy = prop::collection::vec(piece(), 1..24);
        if let Err(e) = runner.run(&strategy, check) {
            panic!("{e}");
        }
        rounds += 1;
        total += runner.config().cases;
        match deadline {
            Some(d) if Instant::now() < d => continue,
            _ => break,
        }
    }
    eprintln!("{total} random sessions in {rounds} rounds");
}
