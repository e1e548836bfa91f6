//! Editor latency on Falco's stable ruleset (../shared/falco-upstream/falco_rules.yaml, or
//! $FALCORC_SHARED/...), through the whole server (JSON-RPC in memory, main loop, analysis,
//! protocol conversion). Run: `cargo bench -p falcorc-lsp --bench lsp`.

use falcorc_lsp::client::Client;
use falcorc_lsp::line_index::LineIndex;
use serde_json::{Value, json};

const URI: &str = "file:///bench/falco_rules.yaml";

fn main() {
    divan::main();
}

fn rules_text() -> String {
    let base =
        std::env::var("FALCORC_SHARED").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into());
    std::fs::read_to_string(format!("{base}/falco-upstream/falco_rules.yaml"))
        .expect("falco_rules.yaml (set FALCORC_SHARED)")
}

fn opened() -> (Client, String) {
    let text = rules_text();
    let mut c = Client::in_memory();
    c.initialize(None, Value::Null).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": text } }),
    );
    c.diagnostics(URI).unwrap();
    (c, text)
}

fn position(text: &str, offset: usize) -> Value {
    let lc = LineIndex::new(text).line_col(text, offset as u32);
    json!({ "line": lc.line, "character": lc.col })
}

/// A keystroke in a condition (a space typed, then deleted) until its diagnostics arrive.
#[divan::bench(sample_count = 50)]
fn did_change_to_diagnostics(b: divan::Bencher) {
    let (mut c, text) = opened();
    let at = position(&text, text.find(NEEDLE).unwrap());
    let mut version = 1;
    let mut typed = false;
    b.bench_local(|| {
        version += 1;
        let change = if typed {
            json!({ "range": { "start": at, "end": { "line": at["line"], "character": at["character"].as_u64().unwrap() + 1 } }, "text": "" })
        } else {
            json!({ "range": { "start": at, "end": at }, "text": " " })
        };
        typed = !typed;
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [change] }),
        );
        c.diagnostics(URI).unwrap()
    });
}

/// A keystroke, then a hover on a macro: re-analysis plus the symbol index (built on the first
/// request after an edit), the worst case of a request.
#[divan::bench(sample_count = 50)]
fn hover_after_change(b: divan::Bencher) {
    let (mut c, text) = opened();
    let offset = text.find(NEEDLE).unwrap();
    let at = position(&text, offset);
    let hover =
        json!({ "textDocument": { "uri": URI }, "position": position(&text, text.find("spawned_process").unwrap()) });
    let mut version = 1;
    b.bench_local(|| {
        version += 1;
        let change = json!({ "range": { "start": at, "end": at }, "text": if version % 2 == 0 { " " } else { "" } });
        let change = if version % 2 == 0 {
            change
        } else {
            json!({ "range": { "start": at, "end": { "line": at["line"], "character": at["character"].as_u64().unwrap() + 1 } }, "text": "" })
        };
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [change] }),
        );
        c.request("textDocument/hover", hover.clone()).unwrap()
    });
}

/// A completion request `skip` bytes into the first `proc.name in (shell_binaries)`.
fn bench_completion(b: divan::Bencher, skip: usize) {
    let (mut c, text) = opened();
    let at = position(&text, text.find(NEEDLE).unwrap() + skip);
    let params = json!({ "textDocument": { "uri": URI }, "position": at });
    b.bench_local(|| c.request("textDocument/completion", params.clone()).unwrap());
}

const NEEDLE: &str = "proc.name in (shell_binaries)";

/// Field completion after `proc.` inside a condition (about 290 items).
#[divan::bench(sample_count = 50)]
fn completion_fields(b: divan::Bencher) {
    bench_completion(b, "proc.".len());
}

/// Operator completion after a field.
#[divan::bench(sample_count = 50)]
fn completion_operators(b: divan::Bencher) {
    bench_completion(b, "proc.name ".len());
}

/// A snapshot of the ruleset with its index built, and the cursor after `proc.`.
fn warm_snapshot() -> (falcorc_lsp::snapshot::Snapshot, falcorc_lsp::ide::FilePos) {
    let text = rules_text();
    let offset = text.find(NEEDLE).unwrap() + "proc.".len();
    let snap = falcorc_lsp::snapshot::Snapshot::new(vec![(URI.to_string(), text)]);
    snap.index();
    let pos = falcorc_lsp::ide::FilePos {
        file: falcorc_compiler::span::FileId(0),
        offset: offset as u32,
    };
    (snap, pos)
}

/// The same field completion without the protocol: the `ide` layer on a snapshot.
#[divan::bench(sample_count = 50)]
fn completion_fields_ide_only(b: divan::Bencher) {
    let (snap, pos) = warm_snapshot();
    b.bench_local(|| falcorc_lsp::ide::completion::complete(&snap, pos));
}

/// The same, converted to protocol types and serialized (no channel, no threads).
#[divan::bench(sample_count = 50)]
fn completion_fields_ide_to_json(b: divan::Bencher) {
    use falcorc_lsp::{ide::completion, proto::to_proto};
    let (snap, pos) = warm_snapshot();
    b.bench_local(|| serde_json::to_value(to_proto::completion(&snap, completion::complete(&snap, pos))).unwrap());
}
