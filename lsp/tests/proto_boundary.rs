//! Only `src/proto/` may see `lsp-types`: the rest of the server works on its own data.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn lsp_types_only_in_proto() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10);
    let offenders: Vec<_> = files
        .iter()
        .filter(|p| !p.starts_with(src.join("proto")))
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("lsp_types"))
        .collect();
    assert!(offenders.is_empty(), "lsp_types used outside src/proto/: {offenders:?}");
}
