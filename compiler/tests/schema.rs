//! Falco's JSON-schema verdict (`schema_validation` of `falco -V`, falcorc's JSON report): one
//! schema object holds the keys of every item kind, so a key of another kind passes it when its
//! value has the schema's type; a key no item kind has fails it. Both are `LOAD_UNKNOWN_KEY`
//! warnings to the loader.

use falcorc_compiler::diag::Code;
use falcorc_compiler::{Options, SourceFile, analyze};

fn verdict(yaml: &str) -> (bool, usize) {
    let an = analyze(
        vec![SourceFile {
            name: "rules.yaml".into(),
            text: yaml.to_string(),
        }],
        &Options::default(),
    );
    let unknown = an.diagnostics.iter().filter(|d| d.code == Code::LoadUnknownKey).count();
    (an.schema_ok, unknown)
}

#[test]
fn a_key_of_another_item_kind_passes_the_schema_with_a_warning() {
    let list = |extra: &str| format!("- list: l\n  items: [a]\n  {extra}\n");
    assert_eq!(verdict(&list("priority: WARNING")), (true, 1));
    assert_eq!(verdict(&list("desc: shells")), (true, 1));
    assert_eq!(verdict(&list("enabled: false")), (true, 1));
    assert_eq!(verdict(&list("capture_events: 10")), (true, 1));
    // The schema's types still apply to them.
    assert_eq!(verdict(&list("priority: WARN")), (false, 1));
    assert_eq!(verdict(&list("enabled: \"no\"")), (false, 1));
    assert_eq!(verdict(&list("tags: shells")), (false, 1));
    // A key no item kind has fails the schema.
    assert_eq!(verdict(&list("colour: blue")), (false, 1));
    let macro_with_items = "- macro: m\n  condition: evt.type = open\n  items: [a]\n";
    assert_eq!(verdict(macro_with_items), (true, 1));
}
