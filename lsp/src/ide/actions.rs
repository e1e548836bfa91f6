//! Code actions: the fixes the compiler's diagnostics carry ("did you mean 'x'?", a
//! repeated item removed, `glob` replaced by `=`), one action per single-file fix.

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
        let Some(fix) = &d.fix else { continue };
        let [e] = fix.edits.as_slice() else { continue };
        if e.span.file != file {
            continue;
        }
        // A replacement of the whole primary span replaces the word in it (not its quotes
        // or the `%` of an output field).
        let span = match text.get(s.span.range()) {
            Some(target) if e.span == s => word_span(target, s.span),
            _ => e.span.span,
        };
        let mut title = fix.message.clone();
        if let Some(first) = title.get(..1) {
            title.replace_range(..1, &first.to_ascii_uppercase());
        }
        out.push(Action {
            title,
            edit: Edit {
                span: FileSpan { file, span },
                new_text: e.replacement.clone(),
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
