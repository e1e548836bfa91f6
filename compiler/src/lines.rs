//! Line starts of one text: byte offsets to (line, column) and back, as diagnostics
//! renderers (1-based, columns in characters) and the language server (0-based, UTF-16
//! code units) count them. Built once per text, so converting N positions costs
//! O(N log lines), never a rescan of the text per position.

/// Line starts of one text, for converting between byte offsets and (line, UTF-16 column).
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the start of each line.
    starts: Vec<u32>,
}

/// A position as LSP counts it: 0-based line and UTF-16 column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        LineIndex { starts }
    }

    /// The 0-based line of byte `offset` (clamped to the end of the index), without
    /// looking at the text (long lines cost nothing).
    pub fn line_of(&self, offset: u32) -> u32 {
        (self.starts.partition_point(|s| *s <= offset).saturating_sub(1)) as u32
    }

    /// Line and UTF-16 column of byte `offset` (clamped to the text, rounded down to a character).
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let (line, before) = self.locate(text, offset);
        LineCol {
            line,
            col: before.encode_utf16().count() as u32,
        }
    }

    /// The 0-based line of `offset` (clamped, rounded down to a character) and the text of
    /// that line before it.
    fn locate<'t>(&self, text: &'t str, offset: u32) -> (u32, &'t str) {
        let offset = (offset as usize).min(text.len());
        let line = self.starts.partition_point(|s| *s as usize <= offset).saturating_sub(1);
        let start = self.starts[line] as usize;
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        (line as u32, text.get(start..end).unwrap_or(""))
    }

    /// 1-based line and column (in characters) of byte `offset`, as `file:line:col` is
    /// written; equal to [`crate::span::line_col`] without rescanning the text.
    pub fn line_col_chars(&self, text: &str, offset: u32) -> (u32, u32) {
        let (line, before) = self.locate(text, offset);
        (line + 1, before.chars().count() as u32 + 1)
    }

    /// Byte offset of the start of 0-based `line` (the text's end past the last line).
    pub fn line_start(&self, line: u32, text: &str) -> u32 {
        self.starts.get(line as usize).copied().unwrap_or(text.len() as u32)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset of a line and UTF-16 column. A column past the end of the line, or in the
    /// middle of a surrogate pair, clamps to the line end or to the character's start; a line
    /// past the end gives the end of the text.
    pub fn offset(&self, text: &str, lc: LineCol) -> u32 {
        let Some(&start) = self.starts.get(lc.line as usize) else {
            return text.len() as u32;
        };
        let line_end = self
            .starts
            .get(lc.line as usize + 1)
            .map_or(text.len(), |s| *s as usize - 1);
        // An index built for another text (never by design) gives the end, not a panic.
        let Some(line) = text.get(start as usize..line_end) else {
            return text.len() as u32;
        };
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            let next = units + c.len_utf16() as u32;
            if next > lc.col {
                return start + i as u32;
            }
            units = next;
        }
        // Keep a trailing `\r` of CRLF text out of the line.
        let trimmed = line.strip_suffix('\r').map_or(line.len(), str::len);
        start + trimmed as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multibyte_text_before_the_token() {
        // é is 2 bytes / 1 unit, 𝄞 is 4 bytes / 2 units, 中 is 3 bytes / 1 unit.
        let text = "ab\né𝄞中 proc.name\n\nlast";
        let idx = LineIndex::new(text);
        let at = text.find("proc").unwrap() as u32;
        assert_eq!(idx.line_col(text, at), LineCol { line: 1, col: 5 });
        assert_eq!(idx.offset(text, LineCol { line: 1, col: 5 }), at);
        for (off, _) in text.char_indices() {
            let lc = idx.line_col(text, off as u32);
            assert_eq!(idx.offset(text, lc), off as u32, "offset {off}");
        }
        assert_eq!(idx.line_col(text, text.len() as u32), LineCol { line: 3, col: 4 });
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "é𝄞\r\nx";
        let idx = LineIndex::new(text);
        // Inside the surrogate pair: the start of 𝄞.
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 2 }), 2);
        // Past the end of the line: before the CR.
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 99 }), 6);
        assert_eq!(idx.offset(text, LineCol { line: 9, col: 0 }), text.len() as u32);
        // Inside a multibyte character: rounds down.
        assert_eq!(idx.line_col(text, 1), LineCol { line: 0, col: 0 });
        // An index of another text clamps instead of panicking.
        assert_eq!(idx.offset("", LineCol { line: 1, col: 0 }), 0);
        assert_eq!(idx.line_col("", 5), LineCol { line: 0, col: 0 });
    }
}
