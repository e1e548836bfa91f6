//! `falcorc fmt`: one canonical layout for Falco rules files (docs/FORMAT.md).
//!
//! [`format`] is pure and keeps everything Falco reads: item and key order, every scalar's
//! decoded value (and whether a value like `true` was quoted), documents, and every comment,
//! next to the item or key it was written with. It works on the spanned YAML tree of
//! `syntax::yaml` and finds comments in the text between scalars.
//!
//! Safety by construction and by check: each laid-out scalar and each top-level item is
//! parsed back and compared with the original; an item that does not survive the round trip
//! is copied unchanged (so is any item with anchors, aliases or tags), and the whole result
//! is compared again before it is returned.

mod block_scalar;
mod comments;
mod file;
mod printer;
mod scalar;
mod source;
mod verify;

use crate::span::Span;
use crate::syntax::yaml::{self, Limits};

/// Why a file was left as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub message: String,
    /// Where the problem is, in the input text.
    pub span: Span,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormatError {}

/// The canonical layout of the rules file `text`, or why it cannot be given one (a YAML
/// error, or a layout the formatter cannot rewrite without risk); then nothing changes.
pub fn format(text: &str) -> Result<String, FormatError> {
    // A byte order mark stays in front; the YAML layer sees the text after it.
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let shift = |mut e: FormatError| {
        let n = bom.len() as u32;
        e.span = Span::new(e.span.start + n, e.span.end + n);
        e
    };
    let limits = Limits::default();
    let (docs, errors) = yaml::parse(body, &limits);
    if let Some(e) = errors.into_iter().next() {
        return Err(shift(FormatError {
            message: e.message,
            span: e.span,
        }));
    }
    let out = file::format(body, &docs).map_err(shift)?;
    // The result must load as the same documents with the same comments.
    let (new_docs, new_errors) = yaml::parse(&out, &limits);
    let same = new_errors.is_empty()
        && verify::same_docs(&docs, &new_docs)
        && verify::same_comments(
            verify::comment_texts(body, &docs),
            verify::comment_texts(&out, &new_docs),
        );
    if !same {
        return Err(FormatError {
            message: "cannot format this file without changing what it means (nothing was changed)".to_string(),
            span: Span::empty(0),
        });
    }
    Ok(format!("{bom}{out}"))
}
