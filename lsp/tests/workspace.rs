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

/// `profile = "profile.json"` in falcorc.toml (a `falcorc profile --format json` output):
/// hovering a rule's name shows what it cost on the recorded events; a rule the profile
/// does not list did not run there; a profile that cannot be read is reported.
#[test]
fn hover_shows_a_rules_measured_cost_from_the_configured_profile() {
    let dir = std::env::temp_dir().join(format!("falcorc-lsp-profile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("falcorc.toml"),
        "rules = [\"rules.yaml\"]\nprofile = \"profile.json\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("rules.yaml"),
        "- rule: costly\n  desc: d\n  condition: evt.type = openat and proc.cmdline contains x\n  output: o\n  priority: INFO\n\
         - rule: idle\n  desc: d\n  condition: evt.type = ptrace\n  output: o\n  priority: INFO\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("profile.json"),
        r#"{"engine": "jit", "events": 5000, "rules": [{"rule": "costly", "evaluations": 2000, "matches": 3,
            "total_ns": 260000, "ns_per_eval": 130.0, "by_event_type": {"openat": {"evaluations": 2000, "total_ns": 260000}}}]}"#,
    )
    .unwrap();
    let root = dir.canonicalize().unwrap();
    let mut c = Client::in_memory();
    c.initialize(Some(&uri::from_path(&root)), Value::Null).unwrap();
    let rules = uri::from_path(&root.join("rules.yaml"));
    let hover = |c: &mut Client, line: u32| {
        let r = c
            .request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": rules }, "position": { "line": line, "character": 10 } }),
            )
            .unwrap();
        r["contents"]["value"].as_str().unwrap_or_default().to_string()
    };
    let costly = hover(&mut c, 0);
    assert!(
        costly.contains(
            "measured (profile.json, jit engine, 5000 events): 130.0 ns per evaluation, 2000 evaluations, \
             0.260 ms in all (100.0 % of all rule time), 3 matches; by event type: openat 100 %"
        ),
        "{costly}"
    );
    let idle = hover(&mut c, 5);
    assert!(idle.contains("did not run on the recorded events"), "{idle}");
    c.shutdown().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
