//! Applying a `didChange` range to a text. Positions are found by searching newlines from
//! the start (std's `memchr`) instead of building a [`LineIndex`] of the whole text per
//! change: a burst of keystrokes in a 1 MB file costs microseconds each, not milliseconds.
//! The result is the same as `LineIndex::offset` (clamped the same way).

use crate::line_index::LineCol;
#[cfg(test)]
use crate::line_index::LineIndex;

/// Replace the text between `start` and `end` (an end before the start is the start).
pub fn replace(text: &mut String, start: LineCol, end: LineCol, with: &str) {
    let a = offset(text, start);
    let b = offset(text, end).max(a);
    text.replace_range(a..b, with);
}

/// The byte offset of a line and UTF-16 column: the end of the text past the last line, the
/// end of the line (before a `\r` of CRLF) past its last character.
pub fn offset(text: &str, lc: LineCol) -> usize {
    let mut start = 0;
    for _ in 0..lc.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let line = rest.find('\n').map_or(rest, |i| &rest[..i]);
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        let next = units + c.len_utf16() as u32;
        if next > lc.col {
            return start + i;
        }
        units = next;
    }
    start + line.strip_suffix('\r').map_or(line.len(), str::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_offsets_as_the_line_index() {
        let texts = [
            "",
            "a",
            "\n",
            "ab\r\ncd\r\n",
            "é𝄞x\nzz",
            "x\n\n\ny",
            "- rule: r\n  desc: é\r\n",
        ];
        for text in texts {
            let lines = LineIndex::new(text);
            for line in 0..6 {
                for col in 0..8 {
                    let lc = LineCol { line, col };
                    assert_eq!(offset(text, lc), lines.offset(text, lc) as usize, "{text:?} {lc:?}");
                }
            }
        }
    }
}
