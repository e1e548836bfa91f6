//! Strings with provenance. Falco builds the text it parses by concatenating and
//! rewriting YAML scalars (macro/rule appends, exception expansion, textual list
//! substitution). [`SrcText`] does the same rewriting while keeping, for every byte,
//! where it came from, so a parser offset maps back to the exact file byte.

use crate::span::{FileId, FileSpan, Span};
use crate::syntax::yaml::Scalar;
use std::sync::Arc;

/// A scalar read from a file, with enough information to map offsets inside it.
#[derive(Clone, Debug)]
pub struct Str {
    pub value: String,
    pub file: FileId,
    /// Span of the whole YAML node.
    pub span: Span,
    pub scalar: Option<Arc<Scalar>>,
}

impl Str {
    pub fn file_span(&self) -> FileSpan {
        FileSpan {
            file: self.file,
            span: self.span,
        }
    }

    /// File span of `value[range]`.
    pub fn sub_span(&self, range: std::ops::Range<usize>) -> FileSpan {
        let span = match &self.scalar {
            Some(s) => s.file_span(range),
            None => self.span,
        };
        FileSpan { file: self.file, span }
    }
}

#[derive(Clone, Debug)]
enum Origin {
    /// Bytes copied from a scalar, starting at `offset` in its value.
    Scalar {
        file: FileId,
        scalar: Arc<Scalar>,
        offset: u32,
    },
    /// Text the loader made up (separators, quotes, parentheses); attributed to a span.
    Synthetic(FileSpan),
}

#[derive(Clone, Debug)]
struct Piece {
    /// Start of the piece in `text`.
    at: u32,
    origin: Origin,
}

#[derive(Clone, Debug, Default)]
pub struct SrcText {
    pub text: String,
    pieces: Vec<Piece>,
}

impl SrcText {
    pub fn of_str(s: &Str) -> SrcText {
        let mut t = SrcText::default();
        t.push_str(s, 0..s.value.len());
        t
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Append `s.value[range]`.
    pub fn push_str(&mut self, s: &Str, range: std::ops::Range<usize>) {
        if range.is_empty() {
            return;
        }
        let origin = match &s.scalar {
            Some(sc) => Origin::Scalar {
                file: s.file,
                scalar: sc.clone(),
                offset: range.start as u32,
            },
            None => Origin::Synthetic(s.file_span()),
        };
        self.pieces.push(Piece {
            at: self.text.len() as u32,
            origin,
        });
        self.text.push_str(&s.value[range]);
    }

    /// Append made-up text attributed to `span`.
    pub fn push_synthetic(&mut self, text: &str, span: FileSpan) {
        if text.is_empty() {
            return;
        }
        self.pieces.push(Piece {
            at: self.text.len() as u32,
            origin: Origin::Synthetic(span),
        });
        self.text.push_str(text);
    }

    /// Append `other.text[range]` keeping its provenance.
    pub fn push_text(&mut self, other: &SrcText, range: std::ops::Range<usize>) {
        if range.is_empty() {
            return;
        }
        let base = self.text.len() as u32;
        let first = other.piece_index(range.start as u32);
        for p in other.pieces.iter().skip(first) {
            if p.at as usize >= range.end {
                break;
            }
            let start = (p.at as usize).max(range.start);
            let skip = (start - p.at as usize) as u32;
            let origin = match &p.origin {
                Origin::Scalar { file, scalar, offset } => Origin::Scalar {
                    file: *file,
                    scalar: scalar.clone(),
                    offset: offset + skip,
                },
                o => o.clone(),
            };
            self.pieces.push(Piece {
                at: base + (start - range.start) as u32,
                origin,
            });
        }
        self.text.push_str(&other.text[range]);
    }

    /// Drop the last `n` bytes (which must end on a character boundary).
    pub fn truncate_end(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let len = self.text.len().saturating_sub(n);
        self.text.truncate(len);
        while self.pieces.last().is_some_and(|p| p.at as usize >= len) {
            self.pieces.pop();
        }
    }

    fn piece_index(&self, at: u32) -> usize {
        self.pieces.partition_point(|p| p.at <= at).saturating_sub(1)
    }

    /// File location of text offset `at` (a start position).
    fn map_point(&self, at: u32, end: bool) -> Option<FileSpan> {
        let piece = self.pieces.get(self.piece_index(at))?;
        Some(match &piece.origin {
            Origin::Scalar { file, scalar, offset } => {
                let off = scalar.file_offset((offset + at - piece.at) as usize);
                FileSpan {
                    file: *file,
                    span: Span::empty(off),
                }
            }
            Origin::Synthetic(fs) => FileSpan {
                file: fs.file,
                span: Span::empty(if end { fs.span.end } else { fs.span.start }),
            },
        })
    }

    /// Map a span of `text` to the file. The end is mapped through its last byte so a
    /// token that ends a piece does not jump into the next one.
    pub fn map(&self, span: Span, fallback: FileSpan) -> FileSpan {
        let Some(start) = self.map_point(span.start, false) else {
            return fallback;
        };
        if span.is_empty() {
            return start;
        }
        // The start of the span's last character (a span may end inside a multibyte one).
        let mut last = (span.end - 1)
            .min(self.text.len().saturating_sub(1) as u32)
            .max(span.start);
        while last > span.start && !self.text.is_char_boundary(last as usize) {
            last -= 1;
        }
        let Some(last_fs) = self.map_point(last, true) else {
            return start;
        };
        let last_char_len = self
            .text
            .get(last as usize..)
            .and_then(|t| t.chars().next())
            .map_or(1, char::len_utf8) as u32;
        let end = match &self.pieces[self.piece_index(last)].origin {
            Origin::Scalar { .. } => last_fs.span.start + last_char_len,
            Origin::Synthetic(_) => last_fs.span.start.max(last_fs.span.end),
        };
        if last_fs.file != start.file || end < start.span.start {
            // The span straddles unrelated pieces (e.g. an appended condition): keep the start.
            let len = span.len().min(self.text.len() as u32);
            return FileSpan {
                file: start.file,
                span: Span::new(start.span.start, start.span.start + len.min(1)),
            };
        }
        FileSpan {
            file: start.file,
            span: Span::new(start.span.start, end),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Options, SourceFile, analyze};

    /// Found by the language server's random-edit test: an error span that ends inside a
    /// multibyte character (here a check starting with `𝄞`, after list substitution).
    #[test]
    fn span_ending_inside_a_multibyte_character() {
        let text =
            "- list: shells\n  items: [bash, zsh]\n- macro: sh\n  condition: 𝄞 in (shells) and evt.type = execve\n";
        let a = analyze(
            vec![SourceFile {
                name: "t.yaml".into(),
                text: text.into(),
            }],
            &Options::default(),
        );
        assert!(a.errors() > 0);
        for d in &a.diagnostics {
            assert!(text.get(d.primary.span.range()).is_some(), "{d:?}");
        }
    }
}
