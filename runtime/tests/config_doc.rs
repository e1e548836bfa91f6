//! docs/CONFIG.md lists every configuration key falcorc knows, with what falcorc does with
//! it, exactly as `config::keys::KEYS` says: a key added, dropped or changed in one and not
//! the other fails here.

use falcorc_runtime::config::keys::{KEYS, Support};

#[test]
fn the_key_table_of_config_md_is_the_one_the_loader_uses() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/CONFIG.md");
    let doc = std::fs::read_to_string(&path).expect("docs/CONFIG.md");
    let table = doc.split("| Key | falcorc | Note |").nth(1).expect("the key table");
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `")).collect();
    let want: Vec<String> = KEYS
        .iter()
        .map(|(k, s)| match s {
            Support::Yes => format!("| `{k}` | yes |  |"),
            Support::Differs(n) => format!("| `{k}` | differs | {n} |"),
            Support::Ignored(n) => format!("| `{k}` | ignored | {n} |"),
        })
        .collect();
    assert_eq!(
        rows, want,
        "regenerate the table of docs/CONFIG.md from runtime/src/config/keys.rs"
    );
}
