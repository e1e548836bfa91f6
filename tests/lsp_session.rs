//! Scripted JSON-RPC sessions against the real `falcorc lsp` process over stdio, with
//! snapshots of what the server answers. Workspace: testdata/lsp/workspace (two rules files
//! loaded in the order of its falcorc.toml, and a YAML file that is not a rules file).

use falcorc_lsp::client::Client;
use falcorc_lsp::line_index::LineIndex;
use falcorc_lsp::uri;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lsp/workspace")
}

fn file_uri(name: &str) -> String {
    uri::from_path(&workspace().join(name))
}

fn start() -> Client {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_falcorc"));
    cmd.arg("lsp");
    let mut c = Client::spawn(cmd).expect("start falcorc lsp");
    c.initialize(Some(&uri::from_path(&workspace())), Value::Null)
        .expect("initialize");
    c
}

/// JSON with the workspace path replaced by `$WS`, for stable snapshots.
fn render(v: &Value) -> String {
    let ws = uri::from_path(&workspace());
    serde_json::to_string_pretty(v).unwrap().replace(&ws, "$WS")
}

/// The LSP position of the `nth` byte after the start of `needle` in `text`.
fn at(text: &str, needle: &str, nth: usize) -> Value {
    let off = text.find(needle).unwrap_or_else(|| panic!("{needle} not in text")) + nth;
    let lc = LineIndex::new(text).line_col(text, off as u32);
    json!({ "line": lc.line, "character": lc.col })
}

fn text_of(name: &str) -> String {
    std::fs::read_to_string(workspace().join(name)).unwrap()
}

fn doc_pos(name: &str, needle: &str, nth: usize) -> Value {
    json!({ "textDocument": { "uri": file_uri(name) }, "position": at(&text_of(name), needle, nth) })
}

fn hover_text(c: &mut Client, name: &str, needle: &str, nth: usize) -> String {
    let r = c.request("textDocument/hover", doc_pos(name, needle, nth)).unwrap();
    r["contents"]["value"].as_str().unwrap_or("<no hover>").to_string()
}

fn labels(r: &Value) -> Vec<String> {
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn workspace_diagnostics_without_opening_files() {
    let mut c = start();
    // Both rules files are loaded as one ruleset: the macros of base_rules.yaml resolve in
    // app_rules.yaml, so only the real mistakes of app_rules.yaml are reported.
    let app = c.diagnostics(&file_uri("app_rules.yaml")).unwrap();
    insta::assert_snapshot!("app_diagnostics", render(&app));
    let base = c.diagnostics(&file_uri("base_rules.yaml")).unwrap();
    assert_eq!(base, json!([]), "{}", render(&base));
    // ci.yaml is not a rules file: never published.
    assert!(
        c.notifications
            .iter()
            .all(|n| !n.params["uri"].as_str().unwrap_or("").ends_with("ci.yaml"))
    );
    c.shutdown().unwrap();
}

#[test]
fn hover_session() {
    let mut c = start();
    let app = "app_rules.yaml";
    let hovers = [
        ("field", hover_text(&mut c, app, "container.id", 3)),
        ("macro", hover_text(&mut c, app, "spawned_process", 0)),
        ("list", hover_text(&mut c, app, "all_shells", 2)),
        ("operator", hover_text(&mut c, app, "startswith", 1)),
        ("keyword", hover_text(&mut c, app, "not proc", 0)),
        ("rule", hover_text(&mut c, app, "Shell in container", 2)),
        ("diagnostic", hover_text(&mut c, app, "fd.nmae", 1)),
        ("output_field", hover_text(&mut c, app, "proc.cmdline", 1)),
    ];
    let rendered: Vec<String> = hovers.iter().map(|(k, v)| format!("## {k}\n{v}")).collect();
    insta::assert_snapshot!("hovers", rendered.join("\n\n"));
    c.shutdown().unwrap();
}

#[test]
fn edit_complete_goto_rename_session() {
    let mut c = start();
    let app_uri = file_uri("app_rules.yaml");
    let base_uri = file_uri("base_rules.yaml");
    let mut text = text_of("app_rules.yaml");
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": app_uri, "languageId": "yaml", "version": 1, "text": text } }),
    );

    // Incremental edit after the multibyte `é` of the desc: fix `fd.nmae`.
    let start_pos = at(&text, "fd.nmae", 3);
    let end_pos = at(&text, "fd.nmae", 7);
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": app_uri, "version": 2 },
                "contentChanges": [{ "range": { "start": start_pos, "end": end_pos }, "text": "name" }] }),
    );
    text = text.replacen("fd.nmae", "fd.name", 1);
    let symbols = c
        .request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": app_uri } }),
        )
        .unwrap();
    let diags = c.latest_diagnostics(&app_uri).expect("diagnostics after the edit");
    insta::assert_snapshot!("diagnostics_after_edit", render(&diags));
    insta::assert_snapshot!("document_symbols", render(&symbols));

    // Quick fix for `opn` (did you mean 'open'?).
    let fix_pos = at(&text, "opn", 1);
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": app_uri }, "range": { "start": fix_pos, "end": fix_pos },
                    "context": { "diagnostics": [] } }),
        )
        .unwrap();
    insta::assert_snapshot!("code_actions", render(&actions));

    // Completion: fields after `proc.`, operators after a field, event names in an
    // evt.type list, item keys, priorities.
    let edit_line = |c: &mut Client, text: &mut String, old: &str, new: &str| {
        let (s, e) = (at(text, old, 0), at(text, old, old.len()));
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": app_uri, "version": 3 },
                    "contentChanges": [{ "range": { "start": s, "end": e }, "text": new }] }),
        );
        *text = text.replacen(old, new, 1);
    };
    let complete = |c: &mut Client, text: &str, needle: &str, nth: usize| {
        c.request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": app_uri }, "position": at(text, needle, nth) }),
        )
        .unwrap()
    };
    edit_line(
        &mut c,
        &mut text,
        "fd.name startswith /etc",
        "fd.name startswith /etc and proc.na",
    );
    let r = complete(&mut c, &text, "proc.na\n", 7);
    let fields = labels(&r);
    assert!(fields.contains(&"proc.name".to_string()) && fields.contains(&"proc.pname".to_string()));
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "proc.name")
        .unwrap();
    insta::assert_snapshot!("completion_field_item", render(item));
    let resolved = c.request("completionItem/resolve", item.clone()).unwrap();
    let doc = resolved["documentation"]["value"].as_str().unwrap();
    assert!(doc.starts_with("Kernel command name"), "{doc}");

    edit_line(&mut c, &mut text, "and proc.na\n", "and proc.name \n");
    let ops = labels(&complete(&mut c, &text, "proc.name \n", 10));
    insta::assert_snapshot!("completion_string_operators", ops.join(" "));

    edit_line(&mut c, &mut text, "and proc.name \n", "and evt.type in (open, \n");
    let evts = labels(&complete(&mut c, &text, "open, \n", 6));
    assert!(
        evts.contains(&"openat2".to_string()) && evts.contains(&"shell_binaries".to_string()),
        "{evts:?}"
    );
    assert!(!evts.contains(&"proc.name".to_string()));

    let keys = labels(&complete(&mut c, &text, "  tags: [filesystem]", 2));
    insta::assert_snapshot!("completion_rule_keys", keys.join(" "));
    let prios = labels(&complete(&mut c, &text, "ERROR", 0));
    assert_eq!(prios.len(), 8, "{prios:?}");

    // Go to definition across files, references (including the list item in all_shells).
    let def = c
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": app_uri }, "position": at(&text, "shell_procs", 2) }),
        )
        .unwrap();
    insta::assert_snapshot!("definition_macro", render(&def));
    let base = text_of("base_rules.yaml");
    let refs = c
        .request(
            "textDocument/references",
            json!({ "textDocument": { "uri": base_uri }, "position": at(&base, "shell_binaries", 0),
                    "context": { "includeDeclaration": true } }),
        )
        .unwrap();
    insta::assert_snapshot!("references_list", render(&refs));

    // Rename a macro across both files; invalid names are refused.
    let rename_to = |c: &mut Client, new_name: &str| {
        c.request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": base_uri }, "position": at(&base, "spawned_process", 3),
                    "newName": new_name }),
        )
    };
    let rename = rename_to(&mut c, "new_process").unwrap();
    insta::assert_snapshot!("rename_macro", render(&rename));
    let bad = rename_to(&mut c, "new process").unwrap_err();
    assert!(bad.message.contains("not a valid macro name"), "{}", bad.message);

    // Prepare-rename gives the name under the cursor; rules are not renamed.
    let prep = c
        .request(
            "textDocument/prepareRename",
            json!({ "textDocument": { "uri": base_uri }, "position": at(&base, "all_shells", 4) }),
        )
        .unwrap();
    assert_eq!(prep["placeholder"], "all_shells");
    let rule = c
        .request(
            "textDocument/prepareRename",
            json!({ "textDocument": { "uri": app_uri }, "position": at(&text, "Write below", 1) }),
        )
        .unwrap();
    assert_eq!(rule, Value::Null);

    // Workspace symbols match fuzzily across both files.
    let syms = c.request("workspace/symbol", json!({ "query": "shl" })).unwrap();
    let mut names: Vec<&str> = syms
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Shell in container", "all_shells", "shell_binaries", "shell_procs"]
    );

    // A panicking handler gives an error response and the server keeps serving.
    let err = c.request("falcorc/debugPanic", Value::Null).unwrap_err();
    assert!(err.message.contains("panicked"), "{}", err.message);
    assert!(hover_text(&mut c, "base_rules.yaml", "shell_binaries", 0).contains("bash, sh, zsh"));

    let tokens = c
        .request(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": base_uri } }),
        )
        .unwrap();
    insta::assert_snapshot!("semantic_tokens_base", semantic_summary(&base, &tokens));
    c.shutdown().unwrap();
}

/// Decode the relative token stream back to `text (type)` lines.
fn semantic_summary(text: &str, tokens: &Value) -> String {
    const TYPES: [&str; 8] = [
        "property", "operator", "keyword", "macro", "variable", "string", "number", "function",
    ];
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let lines: Vec<&str> = text.lines().collect();
    let (mut line, mut col) = (0usize, 0usize);
    let mut out = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            col = 0;
        }
        line += t[0] as usize;
        col += t[1] as usize;
        let s: String = lines[line].chars().skip(col).take(t[2] as usize).collect();
        out.push(format!("{}:{} {s} ({})", line + 1, col, TYPES[t[3] as usize]));
    }
    out.join("\n")
}
