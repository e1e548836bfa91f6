//! Semantic tokens for conditions, outputs and exception fields inside the YAML.

use crate::snapshot::Snapshot;
use falcorc_compiler::index::TokenKind;
use falcorc_compiler::span::{FileId, Span};

/// The token types, in the order of the legend the server announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemKind {
    Property,
    Operator,
    Keyword,
    Macro,
    Variable,
    String,
    Number,
    Function,
}

impl SemKind {
    pub const ALL: [SemKind; 8] = [
        SemKind::Property,
        SemKind::Operator,
        SemKind::Keyword,
        SemKind::Macro,
        SemKind::Variable,
        SemKind::String,
        SemKind::Number,
        SemKind::Function,
    ];

    /// The standard LSP token type name.
    pub fn name(self) -> &'static str {
        match self {
            SemKind::Property => "property",
            SemKind::Operator => "operator",
            SemKind::Keyword => "keyword",
            SemKind::Macro => "macro",
            SemKind::Variable => "variable",
            SemKind::String => "string",
            SemKind::Number => "number",
            SemKind::Function => "function",
        }
    }
}

/// Tokens of `file` in text order: fields as properties, macros as macros, lists as
/// variables, transformers as functions.
pub fn tokens(snap: &Snapshot, file: FileId) -> Vec<(Span, SemKind)> {
    snap.index()
        .tokens
        .iter()
        .filter(|t| t.span.file == file)
        .map(|t| {
            let kind = match t.kind {
                TokenKind::Field => SemKind::Property,
                TokenKind::Operator(_) => SemKind::Operator,
                TokenKind::Keyword => SemKind::Keyword,
                TokenKind::Macro => SemKind::Macro,
                TokenKind::List => SemKind::Variable,
                TokenKind::Transformer => SemKind::Function,
                TokenKind::Value => SemKind::String,
                TokenKind::Number => SemKind::Number,
            };
            (t.span.span, kind)
        })
        .collect()
}
