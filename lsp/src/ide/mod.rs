//! The editor features as plain data over a [`Snapshot`]: no protocol types here (those
//! live in `proto/`), only file ids, byte spans and strings.

pub mod actions;
pub mod completion;
pub mod diagnostics;
mod docs;
pub mod format;
pub mod hover;
pub mod navigation;
pub mod profile;
pub mod semantic;
pub mod symbols;
#[cfg(test)]
mod tests;

use crate::snapshot::Snapshot;
use falcorc_compiler::index::{ItemKind, TokenKind};
use falcorc_compiler::span::{FileId, FileSpan, Span};

/// A cursor: a byte offset in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilePos {
    pub file: FileId,
    pub offset: u32,
}

/// Replace `span` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: FileSpan,
    pub new_text: String,
}

/// The list, macro or rule named at the cursor: a reference in a condition or list, or an
/// item's own name. Spans of quoted names exclude the quotes.
pub fn symbol_at(snap: &Snapshot, pos: FilePos) -> Option<(ItemKind, String, FileSpan)> {
    let idx = snap.index();
    if let Some(t) = idx.token_at(pos.file, pos.offset) {
        let kind = match t.kind {
            TokenKind::Macro => Some(ItemKind::Macro),
            TokenKind::List => Some(ItemKind::List),
            _ => None,
        };
        if let Some(kind) = kind {
            return Some((kind, t.text.clone(), t.span));
        }
    }
    let covers = |s: &FileSpan| s.file == pos.file && s.span.start <= pos.offset && pos.offset <= s.span.end;
    if let Some(r) = idx.references.iter().find(|r| covers(&r.span)) {
        return Some((r.kind, r.name.clone(), unquoted(snap, r.span)));
    }
    let item = idx.items.iter().find(|i| covers(&i.name_span))?;
    Some((item.kind, item.name.clone(), unquoted(snap, item.name_span)))
}

/// `span` without the quotes of a quoted YAML scalar.
pub fn unquoted(snap: &Snapshot, span: FileSpan) -> FileSpan {
    let text = &snap.text(span.file)[span.span.range()];
    let quoted = text.len() >= 2
        && ((text.starts_with('"') && text.ends_with('"')) || (text.starts_with('\'') && text.ends_with('\'')));
    if quoted {
        FileSpan {
            file: span.file,
            span: Span::new(span.span.start + 1, span.span.end - 1),
        }
    } else {
        span
    }
}
