//! The dependency edges between our crates must be exactly the ones that
//! docs/ARCHITECTURE.md allows.

use std::collections::BTreeSet;
use std::process::Command;

fn allowed_edges() -> BTreeSet<(String, String)> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ARCHITECTURE.md"))
        .expect("docs/ARCHITECTURE.md");
    let section = doc.split("Allowed edges:").nth(1).expect("an 'Allowed edges:' list");
    section
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("- "))
        .filter_map(|l| l[2..].split_once(" -> "))
        .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
        .collect()
}

fn actual_edges() -> BTreeSet<(String, String)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let ours: BTreeSet<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(String::from))
        .collect();
    let mut edges = BTreeSet::new();
    for p in packages {
        let from = p["name"].as_str().unwrap_or_default().to_string();
        for d in p["dependencies"].as_array().into_iter().flatten() {
            let to = d["name"].as_str().unwrap_or_default();
            if ours.contains(to) && d["kind"].is_null() {
                edges.insert((from.clone(), to.to_string()));
            }
        }
    }
    edges
}

#[test]
fn dependency_edges_match_the_architecture_document() {
    let allowed = allowed_edges();
    assert!(!allowed.is_empty(), "no edges parsed from docs/ARCHITECTURE.md");
    let actual = actual_edges();
    let extra: Vec<_> = actual.difference(&allowed).collect();
    assert!(
        extra.is_empty(),
        "dependency edges not allowed by docs/ARCHITECTURE.md: {extra:?}"
    );
    let missing: Vec<_> = allowed.difference(&actual).collect();
    assert!(
        missing.is_empty(),
        "edges documented but absent (update the document): {missing:?}"
    );
}

#[test]
fn compiler_depends_on_no_crate_of_ours() {
    assert!(actual_edges().iter().all(|(from, _)| from != "falcorc-compiler"));
}
