//! The server on Falco's stable ruleset (../shared/falco-upstream/falco_rules.yaml, or
//! $FALCORC_SHARED/...): diagnostics agree with the compiler, and navigation finds every use.

use falcorc_compiler::{Options, SourceFile, analyze};
use falcorc_lsp::client::Client;
use falcorc_lsp::line_index::LineIndex;
use serde_json::{Value, json};
use std::path::PathBuf;

const URI: &str = "file:///upstream/falco_rules.yaml";

fn rules_text() -> Option<String> {
    let base = std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let path = base.join("falco-upstream/falco_rules.yaml");
    let text = std::fs::read_to_string(&path);
    if text.is_err() {
        println!("skipping: {} not found (set FALCORC_SHARED)", path.display());
    }
    text.ok()
}

fn at(text: &str, needle: &str) -> Value {
    let off = text.find(needle).unwrap();
    let lc = LineIndex::new(text).line_col(text, off as u32);
    json!({ "textDocument": { "uri": URI }, "position": { "line": lc.line, "character": lc.col } })
}

#[test]
fn stable_ruleset_in_the_server() {
    let Some(text) = rules_text() else { return };
    let mut c = Client::in_memory();
    c.initialize(None, Value::Null).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": text } }),
    );
    let diags = c.diagnostics(URI).unwrap();
    let expected = analyze(
        vec![SourceFile {
            name: "falco_rules.yaml".into(),
            text: text.clone(),
        }],
        &Options::default(),
    );
    assert_eq!(diags.as_array().unwrap().len(), expected.diagnostics.len());

    // Every use of the macro: its definition plus each condition that names it.
    let mut params = at(&text, "spawned_process");
    params["context"] = json!({ "includeDeclaration": true });
    let refs = c.request("textDocument/references", params).unwrap();
    let written = text.matches("spawned_process").count();
    assert_eq!(refs.as_array().unwrap().len(), written);

    let hover = c.request("textDocument/hover", at(&text, "shell_binaries))")).unwrap();
    assert!(
        hover["contents"]["value"].as_str().unwrap().contains("ash, bash, csh"),
        "{hover}"
    );

    let symbols = c
        .request("textDocument/documentSymbol", json!({ "textDocument": { "uri": URI } }))
        .unwrap();
    let items = text
        .lines()
        .filter(|l| l.starts_with("- rule:") || l.starts_with("- macro:") || l.starts_with("- list:"));
    assert_eq!(symbols.as_array().unwrap().len(), items.count());
    c.shutdown().unwrap();
}
