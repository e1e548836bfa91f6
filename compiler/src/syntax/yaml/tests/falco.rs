//! The upstream Falco ruleset as a real-world input.

use std::path::PathBuf;
use std::time::Instant;

use super::{check_mapping, parse_ok};

/// Shared reference data: `$FALCORC_SHARED`, else the `shared` directory next to the repository.
/// Missing data skips the test with a note (it is not part of the repository).
fn shared(rel: &str) -> Option<String> {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared");
    let dir = std::env::var_os("FALCORC_SHARED").map_or_else(|| PathBuf::from(default), PathBuf::from);
    let path = dir.join(rel);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            eprintln!("note: skipping, cannot read {}: {e}", path.display());
            None
        }
    }
}

#[test]
fn falco_rules_parse_and_conditions_map() {
    let Some(src) = shared("falco-upstream/falco_rules.yaml") else {
        return;
    };
    let started = Instant::now();
    let docs = parse_ok(&src);
    eprintln!("falco_rules.yaml parsed in {:?}", started.elapsed());
    assert_eq!(docs.len(), 1);
    let items = docs[0].root.as_ref().and_then(|r| r.as_seq()).expect("a sequence");
    assert!(!items.is_empty());
    let mut conditions = 0;
    for item in items {
        assert!(item.as_map().is_some(), "item at {:?} is not a mapping", item.span);
        if let Some(cond) = item.get("condition").and_then(|e| e.value.as_scalar()) {
            check_mapping(&src, cond);
            conditions += 1;
        }
    }
    assert!(conditions > 50, "only {conditions} conditions");
}
