//! The text being formatted, with a line index: the formatter reasons in lines and columns
//! (which comment sits on which line, at which indentation), the YAML tree in byte offsets.

/// Source text plus the start offset of every line.
pub(super) struct Source<'s> {
    pub text: &'s str,
    starts: Vec<usize>,
}

impl<'s> Source<'s> {
    pub fn new(text: &'s str) -> Source<'s> {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Source { text, starts }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line of byte `offset` (offsets past the end belong to the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// End of `line`'s content: before its `\n` (and a `\r` before that).
    pub fn line_end(&self, line: usize) -> usize {
        let next = self.starts.get(line + 1).map_or(self.text.len(), |&s| s - 1);
        let bytes = self.text.as_bytes();
        if next > self.line_start(line) && bytes.get(next.wrapping_sub(1)) == Some(&b'\r') {
            next - 1
        } else {
            next
        }
    }

    /// The content of `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &'s str {
        let start = self.line_start(line);
        self.text.get(start..self.line_end(line).max(start)).unwrap_or("")
    }

    /// Column (bytes from the line start) of `offset`.
    pub fn col(&self, offset: usize) -> usize {
        offset - self.line_start(self.line_of(offset)).min(offset)
    }

    /// Line of the last non-blank byte in `start..end` (`start`'s line when all are blank):
    /// where a node really ends, since block scalar spans run on to the next token.
    pub fn last_content_line(&self, start: usize, end: usize) -> usize {
        let end = end.min(self.text.len());
        let start = start.min(end);
        let bytes = &self.text.as_bytes()[start..end];
        match bytes.iter().rposition(|b| !b.is_ascii_whitespace()) {
            Some(i) => self.line_of(start + i),
            None => self.line_of(start),
        }
    }
}

/// Whether `line` (its text without the break) holds only spaces and tabs.
pub(super) fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// Offset of the `-` that opens the block sequence entry whose node starts at `node_start`:
/// only blanks and line breaks may lie between them.
pub(super) fn dash_before(text: &str, node_start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = node_start.min(bytes.len());
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            b'-' => return Some(i),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let s = Source::new("a\r\nbc\n\nd");
        assert_eq!(s.line_count(), 4);
        assert_eq!(s.line_of(0), 0);
        assert_eq!(s.line_of(3), 1);
        assert_eq!(s.line_text(0), "a");
        assert_eq!(s.line_text(1), "bc");
        assert_eq!(s.line_text(2), "");
        assert_eq!(s.line_text(3), "d");
        assert_eq!(s.col(4), 1);
        assert_eq!(s.last_content_line(0, 7), 1);
    }

    #[test]
    fn dash_of_an_entry() {
        assert_eq!(dash_before("- a", 2), Some(0));
        assert_eq!(dash_before("-\n  a", 4), Some(0));
        assert_eq!(dash_before("x a", 2), None);
    }
}
