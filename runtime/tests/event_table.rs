//! Cross-checks the runtime's additions to the event table against the
//! shared machine-readable table (event_table.json).

mod common;

use falcorc_runtime::event::{event_def, has_large_payload, syscall_name};

#[test]
fn large_payload_flags_match_the_table() {
    let path = common::shared_dir().join("spec/event_table.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("note: {} not found; skipping", path.display());
        return;
    };
    let table: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entries = table.as_array().unwrap();
    assert_eq!(entries.len(), 454);
    for e in entries {
        let id = e["id"].as_u64().unwrap() as u16;
        let large = e["flags"].as_str().unwrap().contains("EF_LARGE_PAYLOAD");
        assert_eq!(has_large_payload(id), large, "event {id}");
        let def = event_def(id).unwrap();
        assert_eq!(def.name, e["name"].as_str().unwrap(), "event {id}");
        assert_eq!(def.params.len(), e["params"].as_array().unwrap().len(), "event {id}");
    }
    assert!(event_def(454).is_none());
}

#[test]
fn syscall_names_cover_the_generic_syscalls_falco_knows() {
    // Names used by the default rules and tests through generic events.
    for (id, name) in [
        (139, "madvise"),
        (75, "mprotect"),
        (296, "arch_prctl"),
        (164, "exit_group"),
        (106, "prctl"),
    ] {
        assert_eq!(syscall_name(id), Some(name));
    }
}
