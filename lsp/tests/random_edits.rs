//! Random incremental edit sequences (with multibyte text) never crash the server, requests
//! in between never panic, and the diagnostics left after the edits equal those of a fresh
//! server that opens the final text.

use falcorc_lsp::client::Client;
use falcorc_lsp::line_index::LineIndex;
use proptest::prelude::*;
use serde_json::{Value, json};

const URI: &str = "file:///mem/random_rules.yaml";

const START: &str = "- list: shells\n  items: [bash, \"zsh\"]\n- macro: sh\n  condition: proc.name in (shells) and evt.type = execve\n- rule: r — é\n  desc: d 𝄞\n  condition: sh and fd.name startswith /etc\n  output: \"%proc.name é\"\n  priority: INFO\n";

const SNIPPETS: &[&str] = &[
    "",
    "x",
    " ",
    "\n",
    "é",
    "𝄞",
    "中文",
    "proc.",
    "proc.name",
    " = ",
    " in (",
    ")",
    "(",
    "\"",
    "'",
    ",",
    " and ",
    " or not ",
    "- rule: ",
    "- macro: m2\n  condition: ",
    "  condition: ",
    "shells",
    "sh",
    ":",
    "[",
    "]",
    "{",
    "%",
    "\t",
    "evt.type",
    "fd.nmae",
    "#",
    "- list: l\n  items: [shells]\n",
];

#[derive(Clone, Debug)]
struct EditOp {
    /// Where the edit starts and how many characters it replaces, as fractions of the text.
    at: f64,
    len: usize,
    snippet: usize,
}

fn edit_op() -> impl Strategy<Value = EditOp> {
    (0.0..=1.0f64, 0usize..12, 0..SNIPPETS.len()).prop_map(|(at, len, snippet)| EditOp { at, len, snippet })
}

fn open(c: &mut Client, text: &str) {
    c.initialize(None, Value::Null).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": text } }),
    );
}

/// Diagnostics once every message sent so far is processed (a request orders after them).
fn settled_diagnostics(c: &mut Client) -> Value {
    c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": URI } }))
        .unwrap();
    c.latest_diagnostics(URI).unwrap_or_else(|| json!([]))
}

fn position(text: &str, lines: &LineIndex, off: usize) -> Value {
    let lc = lines.line_col(text, off as u32);
    json!({ "line": lc.line, "character": lc.col })
}

proptest! {
    // 24 cases by default; PROPTEST_CASES=N for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_edits_match_a_fresh_load(ops in proptest::collection::vec(edit_op(), 1..12)) {
        let mut c = Client::in_memory();
        open(&mut c, START);
        let mut text = START.to_string();
        for (version, op) in ops.iter().enumerate() {
            let chars: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let a = ((op.at * (chars.len() - 1) as f64) as usize).min(chars.len() - 1);
            let b = (a + op.len).min(chars.len() - 1);
            let (start, end) = (chars[a], chars[b]);
            let lines = LineIndex::new(&text);
            let range = json!({ "start": position(&text, &lines, start), "end": position(&text, &lines, end) });
            let snippet = SNIPPETS[op.snippet];
            c.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": URI, "version": version + 2 },
                        "contentChanges": [{ "range": range, "text": snippet }] }),
            );
            text.replace_range(start..end, snippet);
            // Requests at the edit point must answer, never panic.
            let pos = json!({ "textDocument": { "uri": URI }, "position": position(&text, &LineIndex::new(&text), start) });
            for method in ["textDocument/hover", "textDocument/completion", "textDocument/definition"] {
                if let Err(e) = c.request(method, pos.clone()) {
                    prop_assert!(false, "{method} failed: {}", e.message);
                }
            }
        }
        let after_edits = settled_diagnostics(&mut c);
        let panicked = c.notifications.iter().any(|n| n.method == "window/showMessage" && n.params["message"].as_str().unwrap_or("").contains("panicked"));
        prop_assert!(!panicked, "the compiler panicked; final text: {:?}", text);
        c.shutdown().unwrap();

        let mut fresh = Client::in_memory();
        open(&mut fresh, &text);
        let fresh_diags = settled_diagnostics(&mut fresh);
        fresh.shutdown().unwrap();
        prop_assert_eq!(after_edits, fresh_diags, "final text: {:?}", text);
    }
}
