//! A ~1 MB rules file edited quickly, through the real server over a socket: a burst of
//! edits costs one or two complete analyses (not one each), an analysis that an edit made
//! stale is cancelled, stale results are not published, a request after the burst is
//! answered quickly, a waiting request the client cancels is answered -32800, and requests
//! about other documents are answered while the big one is analysed.

mod common;

use common::Peer;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const BIG: &str = "file:///tmp/falcorc-large/big_rules.yaml";
const SMALL: &str = "file:///tmp/falcorc-large/small_rules.yaml";

/// About 1 MB: 450 rules with macros and long descriptions.
fn big_rules() -> String {
    rules_of_about_1mb(&"word ".repeat(400))
}

/// About 1 MB of short rules: many items, so the analysis is long and has many check points.
fn many_rules() -> String {
    rules_of_about_1mb("d")
}

fn rules_of_about_1mb(desc: &str) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < 1_000_000 {
        s.push_str(&format!(
            "- macro: m_{i}\n  condition: proc.name in (bash, zsh) and evt.type = execve\n- rule: r_{i}\n  desc: {desc}\n  condition: m_{i} and fd.name startswith /etc\n  output: \"%proc.name\"\n  priority: INFO\n"
        ));
        i += 1;
    }
    s
}

fn open(p: &mut Peer, uri: &str, text: &str) {
    p.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
    );
}

/// (analyses started, stale on arrival, cancelled).
fn stats(p: &mut Peer) -> (u64, u64, u64) {
    let r = p.call("falcorc/debugStats", Value::Null);
    (
        r["result"]["analyses"].as_u64().unwrap(),
        r["result"]["stale"].as_u64().unwrap(),
        r["result"]["cancelled"].as_u64().unwrap(),
    )
}

/// A server with `text` open as BIG, its first diagnostics received.
fn server_with(text: &str) -> Peer {
    let mut p = Peer::start();
    p.initialize(None);
    open(&mut p, BIG, text);
    p.diagnostics(BIG);
    p
}

fn insert(p: &mut Peer, uri: &str, version: u32, line: u32, text: &str) {
    let at = json!({ "line": line, "character": 0 });
    p.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": { "start": at, "end": at }, "text": text }] }),
    );
}

fn publishes(p: &Peer, uri: &str) -> usize {
    p.kept
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .count()
}

#[test]
fn a_burst_of_fifty_edits_costs_one_or_two_analyses() {
    let text = big_rules();
    let desc_line = text.lines().count() as u32 - 4; // The last rule's `desc:`.
    let mut p = Peer::start();
    p.initialize(None);
    let t = Instant::now();
    open(&mut p, BIG, &text);
    p.diagnostics(BIG);
    let one_analysis = t.elapsed();
    let (analyses_before, stale_before, cancelled_before) = stats(&mut p);

    let t = Instant::now();
    for k in 0..50u32 {
        let at = json!({ "line": desc_line, "character": 9 + k });
        p.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": BIG, "version": 2 + k },
                    "contentChanges": [{ "range": { "start": at, "end": at }, "text": "a" }] }),
        );
    }
    let hover = p.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": BIG }, "position": { "line": 2, "character": 14 } }),
    );
    let answered = t.elapsed();
    assert!(hover["result"]["contents"].is_object(), "{hover}");
    let (analyses, stale, cancelled) = stats(&mut p);
    let (burst, stale, cancelled) = (
        analyses - analyses_before,
        stale - stale_before,
        cancelled - cancelled_before,
    );
    eprintln!(
        "1 MB file: open -> diagnostics {one_analysis:?}; 50 edits -> hover answered after {answered:?}; {burst} analyses ({stale} stale, {cancelled} cancelled)"
    );
    let completed = burst - cancelled;
    assert!(
        (1..=2).contains(&completed),
        "{completed} complete analyses for one burst"
    );
    // Stale analyses are not published; the final text's is, before the hover's answer.
    assert_eq!(publishes(&p, BIG) as u64, completed - stale, "published analyses");
    assert!(publishes(&p, BIG) >= 1);
    assert!(answered < one_analysis * 4 + Duration::from_secs(2), "{answered:?}");
    // The published text is the final one: every edit was applied, in order.
    let r = p.call("textDocument/documentSymbol", json!({ "textDocument": { "uri": BIG } }));
    assert!(r["result"].as_array().is_some_and(|a| !a.is_empty()));
    p.shutdown_and_exit().unwrap();
}

#[test]
fn requests_about_an_unchanged_document_are_answered_during_an_analysis() {
    let text = big_rules();
    let mut p = Peer::start();
    p.initialize(None);
    open(&mut p, BIG, &text);
    open(&mut p, SMALL, "- macro: small\n  condition: proc.name = sh\n");
    p.diagnostics(BIG);
    p.diagnostics(SMALL);
    let hover = json!({ "textDocument": { "uri": SMALL }, "position": { "line": 0, "character": 10 } });
    // Built once per snapshot: let the symbol index exist before the timed part.
    let warm = p.call("textDocument/hover", hover.clone());
    assert!(warm["result"].is_object(), "{warm}");

    let end = json!({ "line": 0, "character": 0 });
    p.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": BIG, "version": 2 },
                "contentChanges": [{ "range": { "start": end, "end": end }, "text": "# edited\n" }] }),
    );
    let t = Instant::now();
    let r = p.call("textDocument/hover", hover);
    let answered = t.elapsed();
    assert!(r["result"].is_object(), "{r}");
    // Answered on the previous snapshot, before the edit's analysis was published.
    assert_eq!(
        publishes(&p, BIG),
        0,
        "the hover waited for the analysis ({answered:?})"
    );
    let t = Instant::now();
    p.diagnostics(BIG);
    eprintln!(
        "hover on the unchanged document: {answered:?}; the big file's analysis ended {:?} later",
        t.elapsed()
    );
    p.shutdown_and_exit().unwrap();
}

#[test]
fn an_analysis_made_stale_by_an_edit_is_cancelled_and_the_newest_text_published() {
    let t = Instant::now();
    let mut p = server_with(&many_rules());
    let one_analysis = t.elapsed();
    let (_, _, cancelled_before) = stats(&mut p);

    // The first edit's analysis starts at once; the second arrives while it runs.
    insert(&mut p, BIG, 2, 0, "# first\n");
    std::thread::sleep(one_analysis / 5);
    insert(&mut p, BIG, 3, 0, "- list: second\n  items: [a, a]\n");
    let t = Instant::now();
    let d = p.diagnostics(BIG);
    let published = t.elapsed();
    let (_, stale, cancelled) = stats(&mut p);
    eprintln!(
        "one analysis {one_analysis:?}; after the second edit, diagnostics in {published:?}; {} cancelled, {stale} stale",
        cancelled - cancelled_before
    );
    assert_eq!(
        cancelled - cancelled_before,
        1,
        "the first edit's analysis is cancelled"
    );
    // The first diagnostics published after the edits are the newest text's (the first
    // edit's were never computed): they report the list item the second edit repeated.
    let lines: Vec<u64> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert!(lines.contains(&1), "{d}");
    p.shutdown_and_exit().unwrap();
}

#[test]
fn a_waiting_request_the_client_cancels_is_answered_request_cancelled() {
    let mut p = server_with(&many_rules());

    insert(&mut p, BIG, 2, 0, "# edited\n");
    // Waits for the edit's analysis, and is cancelled while it waits.
    let id = p.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": BIG }, "position": { "line": 1, "character": 10 } }),
    );
    p.notify("$/cancelRequest", json!({ "id": id }));
    let r = p.response(&id);
    assert_eq!(r["error"]["code"], -32800, "{r}");
    // Cancelling an unknown or finished request changes nothing; the server goes on.
    p.notify("$/cancelRequest", json!({ "id": id }));
    p.notify("$/cancelRequest", json!({ "id": "never-sent" }));
    p.notify("$/cancelRequest", json!({}));
    let hover = p.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": BIG }, "position": { "line": 1, "character": 10 } }),
    );
    assert!(hover["result"]["contents"].is_object(), "{hover}");
    // Exactly one answer reached the client for the cancelled request.
    assert!(!p.kept.iter().any(|m| m.get("method").is_none() && m["id"] == id));
    p.shutdown_and_exit().unwrap();
}
