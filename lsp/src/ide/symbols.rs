//! Document and workspace symbols: the list, macro and rule items.

use crate::snapshot::Snapshot;
use falcorc_compiler::index::{Item, ItemKind, KeyEntry};
use falcorc_compiler::span::{FileId, FileSpan};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: ItemKind,
    /// The whole item.
    pub span: FileSpan,
    pub name_span: FileSpan,
    /// `append`/`override` items are marked, so the definition stands out.
    pub detail: String,
}

fn detail(keys: &[KeyEntry]) -> String {
    if keys.iter().any(|k| k.key == "override" || k.key == "append") {
        "override".into()
    } else {
        String::new()
    }
}

fn symbol(i: &Item) -> Symbol {
    Symbol {
        name: i.name.clone(),
        kind: i.kind,
        span: i.span,
        name_span: i.name_span,
        detail: detail(&i.keys),
    }
}

pub fn document(snap: &Snapshot, file: FileId) -> Vec<Symbol> {
    snap.index()
        .items
        .iter()
        .filter(|i| i.span.file == file && !i.name.is_empty())
        .map(symbol)
        .collect()
}

/// Items whose name contains every character of `query` in order (case-insensitive).
pub fn workspace(snap: &Snapshot, query: &str) -> Vec<Symbol> {
    let q = query.to_lowercase();
    snap.index()
        .items
        .iter()
        .filter(|i| !i.name.is_empty() && fuzzy(&i.name.to_lowercase(), &q))
        .map(symbol)
        .take(500)
        .collect()
}

fn fuzzy(name: &str, query: &str) -> bool {
    let mut chars = name.chars();
    query.chars().all(|q| chars.any(|c| c == q))
}
