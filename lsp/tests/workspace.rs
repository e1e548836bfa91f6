//! The workspace model through the server: files load as one ruleset in the configured order,
//! and an edit in one file updates the diagnostics of another.

use falcorc_lsp::client::Client;
use falcorc_lsp::uri;
use serde_json::{Value, json};
use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/lsp/workspace")
}

fn file_uri(name: &str) -> String {
    uri::from_path(&workspace().canonicalize().unwrap().join(name))
}

fn start(options: Value) -> Client {
    let mut c = Client::in_memory();
    let root = uri::from_path(&workspace().canonicalize().unwrap());
    c.initialize(Some(&root), options).unwrap();
    c
}

fn codes(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap().lines().next().unwrap()
            )
        })
        .collect()
}

#[test]
fn an_edit_in_one_file_updates_another() {
    let mut c = start(Value::Null);
    let app = file_uri("app_rules.yaml");
    let base = file_uri("base_rules.yaml");
    assert_eq!(c.diagnostics(&base).unwrap(), json!([]));
    let text = std::fs::read_to_string(workspace().join("app_rules.yaml")).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": app, "languageId": "yaml", "version": 1, "text": text } }),
    );
    // Stop using the macro `shell_procs` of base_rules.yaml: it becomes unused there.
    let edited = text.replacen("and shell_procs ", "", 1);
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": app, "version": 2 }, "contentChanges": [{ "text": edited }] }),
    );
    c.request("workspace/symbol", json!({ "query": "" })).unwrap();
    let base_diags = c.latest_diagnostics(&base).unwrap();
    assert_eq!(
        codes(&base_diags),
        ["LOAD_UNUSED_MACRO Macro not referred to by any other rule/macro"]
    );
    // Closing the document goes back to the file on disk: the macro is used again.
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": app } }));
    c.request("workspace/symbol", json!({ "query": "" })).unwrap();
    assert_eq!(c.latest_diagnostics(&base).unwrap(), json!([]));
    c.shutdown().unwrap();
}

#[test]
fn editor_settings_override_the_load_order_of_falcorc_toml() {
    // Only app_rules.yaml: the macros and lists of base_rules.yaml are not defined.
    let mut c = start(json!({ "rules": ["app_rules.yaml"] }));
    let app = c.diagnostics(&file_uri("app_rules.yaml")).unwrap();
    let codes = codes(&app);
    assert!(
        codes.contains(&"LOAD_ERR_VALIDATE Undefined macro 'spawned_process' used in filter.".to_string()),
        "{codes:?}"
    );
    c.request("workspace/symbol", json!({ "query": "" })).unwrap();
    assert!(c.latest_diagnostics(&file_uri("base_rules.yaml")).is_none());
    c.shutdown().unwrap();
}

#[test]
fn falcorc_toml_sets_check_levels_in_the_editor() {
    let root_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/lsp/lint_levels")
        .canonicalize()
        .unwrap();
    let mut c = Client::in_memory();
    c.initialize(Some(&uri::from_path(&root_dir)), Value::Null).unwrap();
    let diags = c.diagnostics(&uri::from_path(&root_dir.join("rules.yaml"))).unwrap();
    let got: Vec<(String, i64)> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["severity"].as_i64().unwrap()))
        .collect();
    // An opt-in check turned on as an error; a default check turned off.
    assert_eq!(got, [("rule-without-tags".to_string(), 1)]);
    c.shutdown().unwrap();
}
