//! Go to definition, find references and rename, for lists, macros and rules across all
//! files of the ruleset.

use super::{Edit, FilePos, symbol_at, unquoted};
use crate::snapshot::Snapshot;
use falcorc_compiler::index::ItemKind;
use falcorc_compiler::span::FileSpan;

/// The items that define the name at the cursor: the first definition, then the items that
/// append to or override it, in load order.
pub fn definition(snap: &Snapshot, pos: FilePos) -> Vec<FileSpan> {
    let Some((kind, name, _)) = symbol_at(snap, pos) else {
        return Vec::new();
    };
    snap.index()
        .items_named(kind, &name)
        .map(|i| unquoted(snap, i.name_span))
        .collect()
}

pub fn references(snap: &Snapshot, pos: FilePos, include_declaration: bool) -> Vec<FileSpan> {
    let Some((kind, name, _)) = symbol_at(snap, pos) else {
        return Vec::new();
    };
    let idx = snap.index();
    let mut out: Vec<FileSpan> = Vec::new();
    if include_declaration {
        out.extend(idx.items_named(kind, &name).map(|i| i.name_span));
    }
    out.extend(
        idx.references
            .iter()
            .filter(|r| r.kind == kind && r.name == name)
            .map(|r| r.span),
    );
    out.into_iter().map(|s| unquoted(snap, s)).collect()
}

/// The span and current name a rename at the cursor would change (macros and lists only).
pub fn prepare_rename(snap: &Snapshot, pos: FilePos) -> Option<(FileSpan, String)> {
    match symbol_at(snap, pos)? {
        (ItemKind::Rule, _, _) => None,
        (_, name, span) => Some((span, name)),
    }
}

pub fn rename(snap: &Snapshot, pos: FilePos, new_name: &str) -> Result<Vec<Edit>, String> {
    let Some((kind, name, _)) = symbol_at(snap, pos) else {
        return Err("nothing to rename here: place the cursor on a macro or list name".into());
    };
    let valid = match kind {
        ItemKind::Rule => return Err("rules are not renamed: other rulesets may refer to them by name".into()),
        ItemKind::Macro => is_macro_name(new_name),
        ItemKind::List => is_list_name(new_name),
    };
    if !valid {
        return Err(format!("'{new_name}' is not a valid {} name", kind.key()));
    }
    let taken = snap.index().items_named(kind, new_name).next().is_some();
    if taken && new_name != name {
        return Err(format!("a {} named '{new_name}' already exists", kind.key()));
    }
    let mut spans = snap.index().occurrences(kind, &name);
    spans.sort();
    spans.dedup();
    Ok(spans
        .into_iter()
        .map(|s| Edit {
            span: unquoted(snap, s),
            new_text: new_name.to_string(),
        })
        .collect())
}

/// What a condition can reference as a macro: `[a-zA-Z]+[a-zA-Z0-9_]*`.
fn is_macro_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What list substitution can find: no blanks, quotes, parentheses, `=` or `,`.
fn is_list_name(s: &str) -> bool {
    !s.is_empty() && !s.contains(|c: char| c.is_whitespace() || "\"'(),=".contains(c))
}
