//! Code actions: the quick fixes the compiler proposes ("did you mean 'x'?").

use super::Edit;
use crate::snapshot::Snapshot;
use falcorc_compiler::span::{FileId, FileSpan, Span};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub edit: Edit,
    /// The diagnostic it fixes (its span and message, to attach it).
    pub diagnostic: (FileSpan, String),
}

/// Fixes for the diagnostics of `file` that touch `range`.
pub fn quick_fixes(snap: &Snapshot, file: FileId, range: Span) -> Vec<Action> {
    let text = snap.text(file);
    let mut out = Vec::new();
    for d in &snap.analysis.diagnostics {
        let s = d.primary;
        if s.file != file || s.span.end < range.start || s.span.start > range.end {
            continue;
        }
        let Some(replacement) = d.suggestion() else { continue };
        let Some(target) = text.get(s.span.range()) else {
            continue;
        };
        let span = word_span(target, s.span);
        out.push(Action {
            title: format!("Replace with '{replacement}'"),
            edit: Edit {
                span: FileSpan { file, span },
                new_text: replacement.to_string(),
            },
            diagnostic: (s, d.message.clone()),
        });
    }
    out
}

/// The misspelled word inside a diagnostic's span: without the quotes of a quoted value and
/// without the `%` (and width) of an output field reference.
fn word_span(target: &str, span: Span) -> Span {
    let lead = target
        .bytes()
        .take_while(|b| matches!(b, b'%' | b'"' | b'\'') || b.is_ascii_digit())
        .count();
    let trail = target[lead..]
        .bytes()
        .rev()
        .take_while(|b| matches!(b, b'"' | b'\''))
        .count();
    Span::new(span.start + lead as u32, span.end - trail as u32)
}
