//! Hostile files in an editor's workspace, through the real server: a FIFO named like a
//! rules file and a symlink to /dev/zero are skipped (never waited on, never read without
//! end), the rest of the workspace loads, and `shutdown` is answered at once.

mod common;

use common::{Peer, temp_dir};
use falcorc_lsp::uri;
use std::path::Path;
use std::time::{Duration, Instant};

const RULES: &str = "- macro: m\n  condition: proc.name = bash\n- rule: r\n  desc: d\n  condition: m and evt.type = execve\n  output: \"%proc.name\"\n  priority: INFO\n";

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Initialize on `root`, wait for the diagnostics of `app_rules.yaml` (the workspace was
/// loaded), and check that `shutdown` is answered within a few seconds.
fn loads_and_shuts_down(root: &Path) -> Peer {
    let mut p = Peer::start();
    p.initialize(Some(&uri::from_path(root)));
    p.diagnostics(&uri::from_path(&root.join("app_rules.yaml")));
    p
}

fn shutdown_quickly(p: Peer) {
    let t = Instant::now();
    p.shutdown_and_exit().unwrap();
    assert!(t.elapsed() < Duration::from_secs(5), "shutdown took {:?}", t.elapsed());
}

fn messages(p: &Peer) -> Vec<String> {
    p.kept
        .iter()
        .filter(|m| m["method"] == "window/showMessage")
        .map(|m| m["params"]["message"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_fifo_named_rules_yaml_does_not_hang_the_server() {
    let root = temp_dir("fifo");
    mkfifo(&root.join("rules.yaml"));
    std::fs::create_dir(root.join("rules")).unwrap();
    mkfifo(&root.join("rules/more_rules.yaml"));
    std::fs::write(root.join("app_rules.yaml"), RULES).unwrap();
    let mut p = loads_and_shuts_down(&root);
    // Saving re-reads the workspace: the same again.
    p.notify(
        "textDocument/didSave",
        serde_json::json!({ "textDocument": { "uri": uri::from_path(&root.join("rules.yaml")) } }),
    );
    p.diagnostics(&uri::from_path(&root.join("app_rules.yaml")));
    shutdown_quickly(p);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_fifo_named_falcorc_toml_is_reported_not_waited_on() {
    let root = temp_dir("fifo-config");
    mkfifo(&root.join("falcorc.toml"));
    std::fs::write(root.join("app_rules.yaml"), RULES).unwrap();
    let p = loads_and_shuts_down(&root);
    let shown = messages(&p);
    assert!(
        shown.iter().any(|m| m.contains("falcorc.toml") && m.contains("FIFO")),
        "{shown:?}"
    );
    shutdown_quickly(p);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_symlink_to_dev_zero_is_not_read() {
    let root = temp_dir("zero");
    std::os::unix::fs::symlink("/dev/zero", root.join("big.yaml")).unwrap();
    std::fs::write(root.join("app_rules.yaml"), RULES).unwrap();
    // Found by the search: skipped.
    let p = loads_and_shuts_down(&root);
    shutdown_quickly(p);
    // Named in falcorc.toml: reported, the other file still loads.
    std::fs::write(
        root.join("falcorc.toml"),
        "rules = [\"big.yaml\", \"app_rules.yaml\"]\n",
    )
    .unwrap();
    let p = loads_and_shuts_down(&root);
    let shown = messages(&p);
    assert!(
        shown
            .iter()
            .any(|m| m.contains("big.yaml") && m.contains("not a regular file")),
        "{shown:?}"
    );
    shutdown_quickly(p);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn an_open_document_closed_over_a_fifo_keeps_its_text() {
    // A workspace file replaced by a FIFO while open: closing it must not block on reading.
    let root = temp_dir("fifo-close");
    let file = root.join("app_rules.yaml");
    std::fs::write(&file, RULES).unwrap();
    let mut p = loads_and_shuts_down(&root);
    let key = uri::from_path(&file);
    p.notify(
        "textDocument/didOpen",
        serde_json::json!({ "textDocument": { "uri": key, "languageId": "yaml", "version": 1, "text": RULES } }),
    );
    std::fs::remove_file(&file).unwrap();
    mkfifo(&file);
    p.notify(
        "textDocument/didClose",
        serde_json::json!({ "textDocument": { "uri": key } }),
    );
    let r = p.call("workspace/symbol", serde_json::json!({ "query": "" }));
    assert!(r["result"].as_array().is_some_and(|a| !a.is_empty()), "{r}");
    shutdown_quickly(p);
    std::fs::remove_dir_all(&root).unwrap();
}
