//! Fixes as data: the edits that resolve a diagnostic and how far they can be trusted.
//! `lint --fix` applies [`Applicability::Safe`] fixes only; editors offer every fix as a
//! quick fix.

use crate::span::FileSpan;

/// How far a fix can be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Applicability {
    /// Keeps the meaning of the ruleset (or restores what was clearly meant): applied by
    /// `falcorc lint --fix`.
    Safe,
    /// May change what the rules detect (a guess from spelling, a changed condition):
    /// offered, never applied automatically.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes of `span` with `replacement` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: FileSpan,
    pub replacement: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    /// What the fix does, in a few words ("remove the repeated item").
    pub message: String,
    /// Non-overlapping edits, all applied or none.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    pub fn replace(message: impl Into<String>, span: FileSpan, replacement: &str, applicability: Applicability) -> Fix {
        Fix {
            message: message.into(),
            edits: vec![Edit {
                span,
                replacement: replacement.to_string(),
            }],
            applicability,
        }
    }

    pub fn delete(message: impl Into<String>, span: FileSpan, applicability: Applicability) -> Fix {
        Fix::replace(message, span, "", applicability)
    }
}

/// Apply edits to one file's text. Edits are applied from the end so earlier offsets stay
/// valid; an edit that overlaps one already taken, or that falls outside the text or off a
/// character boundary, is skipped. Returns the new text and how many edits were applied.
pub fn apply(text: &str, edits: &[&Edit]) -> (String, usize) {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.span.start, e.span.span.end));
    let mut out = text.to_string();
    let mut applied = 0;
    let mut floor = u32::MAX;
    for e in sorted.iter().rev() {
        let (s, t) = (e.span.span.start, e.span.span.end);
        let ok = s <= t
            && t <= floor
            && (t as usize) <= out.len()
            && out.is_char_boundary(s as usize)
            && out.is_char_boundary(t as usize);
        if !ok {
            continue;
        }
        out.replace_range(s as usize..t as usize, &e.replacement);
        floor = s;
        applied += 1;
    }
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::{FileId, Span};

    fn edit(s: u32, e: u32, r: &str) -> Edit {
        Edit {
            span: FileSpan {
                file: FileId(0),
                span: Span::new(s, e),
            },
            replacement: r.into(),
        }
    }

    #[test]
    fn applies_from_the_end_and_skips_overlaps() {
        let a = edit(0, 3, "x");
        let b = edit(4, 7, "yy");
        let overlapping = edit(2, 5, "z");
        let (out, n) = apply("abc def ghi", &[&b, &a, &overlapping]);
        assert_eq!(n, 2);
        assert_eq!(out, "x yy ghi");
        let outside = edit(20, 30, "q");
        assert_eq!(apply("abc", &[&outside]), ("abc".to_string(), 0));
    }
}
