//! `textDocument/formatting` through the server: advertised, one edit that turns a messy
//! document into the canonical text, nothing for a formatted one.

use falcorc_lsp::client::Client;
use serde_json::{Value, json};

const URI: &str = "file:///tmp/falcorc-formatting/rules.yaml";
const MESSY: &str = "# shells\n- list: shells\n  items:\n  - bash\n  - \"sh\"\n-   rule: r\n    desc: d\n    condition: >\n        evt.type = execve\n        and proc.name in (shells)\n    output: \"shell %proc.name\"\n    priority: WARNING\n";
const CANONICAL: &str = "# shells\n- list: shells\n  items: [bash, sh]\n\n- rule: r\n  desc: d\n  condition: >\n    evt.type = execve\n    and proc.name in (shells)\n  output: shell %proc.name\n  priority: WARNING\n";

fn open(c: &mut Client, text: &str, version: i32) {
    let method = if version == 1 {
        "textDocument/didOpen"
    } else {
        "textDocument/didChange"
    };
    let params = if version == 1 {
        json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": text } })
    } else {
        json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [{ "text": text }] })
    };
    c.notify(method, params);
}

fn format(c: &mut Client) -> Value {
    let params = json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } });
    c.request("textDocument/formatting", params).unwrap()
}

#[test]
fn formatting_a_messy_document() {
    let mut c = Client::in_memory();
    let init = c.initialize(None, Value::Null).unwrap();
    assert_eq!(
        init["capabilities"]["documentFormattingProvider"],
        json!(true),
        "{init}"
    );

    open(&mut c, MESSY, 1);
    let edits = format(&mut c);
    let edits = edits.as_array().expect("edits");
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(
        edits[0]["range"],
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 12, "character": 0 } })
    );
    assert_eq!(edits[0]["newText"], json!(CANONICAL));

    open(&mut c, CANONICAL, 2);
    assert_eq!(format(&mut c), Value::Null, "already formatted");
    c.shutdown().unwrap();
}
