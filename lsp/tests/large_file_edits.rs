//! A ~1 MB rules file edited quickly, through the real server over a socket: a burst of
//! edits costs one or two analyses (not one each), stale results are not published, a
//! request after the burst is answered quickly, and requests about other documents are
//! answered while the big one is analysed.

mod common;

use common::Peer;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const BIG: &str = "file:///tmp/falcorc-large/big_rules.yaml";
const SMALL: &str = "file:///tmp/falcorc-large/small_rules.yaml";

/// About 1 MB: 450 rules with macros and long descriptions.
fn big_rules() -> String {
    let desc = "word ".repeat(400);
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

fn stats(p: &mut Peer) -> (u64, u64) {
    let r = p.call("falcorc/debugStats", Value::Null);
    (
        r["result"]["analyses"].as_u64().unwrap(),
        r["result"]["stale"].as_u64().unwrap(),
    )
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
    let (analyses_before, stale_before) = stats(&mut p);

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
    let (analyses, stale) = stats(&mut p);
    let (burst, stale) = (analyses - analyses_before, stale - stale_before);
    eprintln!(
        "1 MB file: open -> diagnostics {one_analysis:?}; 50 edits -> hover answered after {answered:?}; {burst} analyses ({stale} stale)"
    );
    assert!((1..=2).contains(&burst), "{burst} analyses for one burst");
    // Stale analyses are not published; the final text's is, before the hover's answer.
    assert_eq!(publishes(&p, BIG) as u64, burst - stale, "published analyses");
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
