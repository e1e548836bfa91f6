//! Byte spans in file coordinates. Every span the compiler hands out points into the
//! original text of one loaded file, so renderers never need to know about YAML or
//! about the textual rewriting that Falco's loader performs.

/// Index of a file inside one [`crate::Analysis`] (files are numbered in load order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// Half-open byte range `start..end` in the text of one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    pub const fn empty(at: u32) -> Span {
        Span { start: at, end: at }
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A span together with the file it points into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileSpan {
    pub file: FileId,
    pub span: Span,
}

/// 1-based line and column (column counted in characters) of a byte offset.
pub fn line_col(text: &str, offset: u32) -> (u32, u32) {
    let offset = (offset as usize).min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = text[line_start..floor_char_boundary(text, offset)].chars().count() as u32 + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// All loaded files laid end to end in one coordinate space, so a plain [`Span`] can
/// point into any file (as rustc's `SourceMap` does). Condition ASTs carry such
/// global spans; [`SourceMap::to_file`] splits them back into file + offset.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// Start of each file in the global space; file `i` occupies `bases[i]..bases[i+1]`.
    bases: Vec<u32>,
    lens: Vec<u32>,
}

impl SourceMap {
    /// Register a file of `len` bytes; returns its id.
    pub fn add(&mut self, len: u32) -> FileId {
        let base = self.end();
        self.bases.push(base);
        let id = FileId(self.bases.len() as u32 - 1);
        self.lens.push(len);
        id
    }

    fn end(&self) -> u32 {
        match (self.bases.last(), self.lens.last()) {
            (Some(b), Some(l)) => b + l + 1,
            _ => 0,
        }
    }

    pub fn to_global(&self, fs: FileSpan) -> Span {
        let base = self.bases.get(fs.file.0 as usize).copied().unwrap_or(0);
        Span::new(base + fs.span.start, base + fs.span.end)
    }

    pub fn to_file(&self, s: Span) -> FileSpan {
        let i = self.bases.partition_point(|b| *b <= s.start).saturating_sub(1);
        let base = self.bases.get(i).copied().unwrap_or(0);
        FileSpan {
            file: FileId(i as u32),
            span: Span::new(s.start - base, s.end.saturating_sub(base).max(s.start - base)),
        }
    }
}
