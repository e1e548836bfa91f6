//! YAML layer: a spanned document tree built from `granit-parser` events.
//!
//! Every node carries a byte span into the original file, and every scalar can map an offset
//! inside its decoded value back to the exact file byte that produced it (see [`Scalar::file_offset`]).
//! That lets the condition parser work on decoded text while its diagnostics point into the file.
//!
//! Semantics follow yaml-cpp (what Falco uses): plain `~`/`null`/`Null`/`NULL` and empty values
//! are nulls, aliases are deep copies, duplicate keys are kept in order, tags are kept as text.

mod aliases;
mod block;
mod build;
mod fast;
mod flow;
mod node;
mod offsets;
mod scalar;
#[cfg(test)]
mod tests;

use crate::cancel::{Cancel, Cancelled};
pub use crate::span::Span;
pub use node::{Entry, Node, NodeKind, Scalar, Style};

/// Resource limits; inputs beyond them produce a [`YamlError`] instead of exhausting memory or stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Most nodes created over the whole parse, alias copies included (stops alias bombs).
    pub max_nodes: usize,
    /// Deepest accepted collection nesting. Keep it modest: dropping or cloning a tree recurses.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 16 * 1024 * 1024,
            max_nodes: 2_000_000,
            max_depth: 256,
        }
    }
}

/// A syntax or limit error, located at an exact byte position of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
}

/// One YAML document of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// `None` for an empty document.
    pub root: Option<Node>,
    pub span: Span,
}

/// Parse every document of `src`.
///
/// On a syntax error the error is reported, the documents parsed before it are kept, and parsing
/// resumes at the next document, so every broken document gets its own error. Limit errors on
/// node count stop the whole parse.
pub fn parse(src: &str, limits: &Limits) -> (Vec<Document>, Vec<YamlError>) {
    parse_cancellable(src, limits, &Cancel::default()).unwrap_or_default()
}

/// [`parse`] through granit alone, without the fast path: the oracle the fuzz tests compare
/// the fast path with.
#[doc(hidden)]
pub fn parse_with_granit(src: &str, limits: &Limits) -> (Vec<Document>, Vec<YamlError>) {
    build::Builder::new(src, limits, &Cancel::default())
        .run()
        .unwrap_or_default()
}

/// [`parse`] that stops early once `cancel` is set.
pub fn parse_cancellable(
    src: &str,
    limits: &Limits,
    cancel: &Cancel,
) -> Result<(Vec<Document>, Vec<YamlError>), Cancelled> {
    if src.len() > limits.max_bytes || u32::try_from(src.len()).is_err() {
        let error = YamlError {
            message: format!(
                "YAML file is {} bytes, larger than the limit of {} bytes",
                src.len(),
                limits.max_bytes
            ),
            span: Span::empty(0),
        };
        return Ok((Vec::new(), vec![error]));
    }
    // Rules files nearly always take the fast path; anything it does not read exactly as
    // granit would goes to granit.
    if let Some(docs) = fast::parse(src, limits) {
        return Ok((docs, Vec::new()));
    }
    build::Builder::new(src, limits, cancel).run()
}
