//! Offset maps for flow scalars (plain, single- and double-quoted).
//!
//! Walks the source and the decoded value in lockstep. The source decides what each step is
//! (ordinary character, `''`, escape, line fold); the value is only checked, so a mismatch (which
//! would mean our reading of YAML differs from granit's) ends the walk with a clamped, approximate
//! tail instead of a panic.

use super::Style;
use super::offsets::{MapBuilder, OffsetMap};

/// Map for a flow scalar whose content (inside the quotes, if any) is `src[start..end]`.
pub fn map(src: &str, start: usize, end: usize, value: &str, style: Style) -> OffsetMap {
    let end = end.min(src.len());
    let start = start.min(end);
    // Most scalars are one line read as written. Every escape, `''` and line fold makes the
    // value differ from the source, so equal bytes on one line mean the walk would copy
    // byte by byte and add no point: the identity map, at the cost of one comparison.
    let written = &src.as_bytes()[start..end];
    if written == value.as_bytes()
        && memchr::memchr2(b'\n', b'\r', written).is_none()
        && let (Ok(s), Ok(e)) = (u32::try_from(start), u32::try_from(end))
    {
        return OffsetMap::Linear { start: s, end: e };
    }
    walk(src, start, end, value, style)
}

/// The general case: the source and the value read in lockstep.
fn walk(src: &str, start: usize, end: usize, value: &str, style: Style) -> OffsetMap {
    let mut walk = Walk {
        src,
        bytes: src.as_bytes(),
        value: value.as_bytes(),
        pos: start,
        vi: 0,
        end,
        map: MapBuilder::new(),
    };
    walk.map.point(0, start);
    // A `false` return means the walk desynchronised; the tail is left to clamping.
    let _ = walk.run(style);
    walk.map.finish(value.len(), end)
}

struct Walk<'a> {
    src: &'a str,
    bytes: &'a [u8],
    value: &'a [u8],
    pos: usize,
    vi: usize,
    end: usize,
    map: MapBuilder,
}

pub(super) fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Position after the line break at `pos` (CRLF counts as one break).
pub(super) fn after_break(bytes: &[u8], pos: usize) -> usize {
    let next = if bytes.get(pos) == Some(&b'\r') && bytes.get(pos + 1) == Some(&b'\n') {
        pos + 2
    } else {
        pos + 1
    };
    next.min(bytes.len())
}

/// Length of the UTF-8 sequence starting with `lead`, `None` for a continuation byte.
pub(super) fn utf8_len(lead: u8) -> Option<usize> {
    match lead {
        0x00..=0x7f => Some(1),
        0x80..=0xbf => None,
        0xc0..=0xdf => Some(2),
        0xe0..=0xef => Some(3),
        _ => Some(4),
    }
}

impl Walk<'_> {
    fn run(&mut self, style: Style) -> bool {
        while self.pos < self.end && self.vi < self.value.len() {
            let b = self.bytes[self.pos];
            let ok = match b {
                b' ' | b'\t' => self.blanks(),
                b'\n' | b'\r' => self.fold(self.pos, false),
                b'\'' if style == Style::SingleQuoted => self.quote_pair(),
                b'\\' if style == Style::DoubleQuoted => self.escape(),
                _ => self.copy_byte(),
            };
            if !ok {
                return false;
            }
        }
        true
    }

    fn copy_byte(&mut self) -> bool {
        if self.value.get(self.vi) == self.bytes.get(self.pos) {
            self.vi += 1;
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Blanks before a line break are trimmed by folding; any others are content.
    fn blanks(&mut self) -> bool {
        let mut run_end = self.pos;
        while run_end < self.end && matches!(self.bytes[run_end], b' ' | b'\t') {
            run_end += 1;
        }
        if run_end < self.end && is_break(self.bytes[run_end]) {
            return self.fold(run_end, false);
        }
        while self.pos < run_end {
            if !self.copy_byte() {
                return false;
            }
        }
        true
    }

    /// Fold the line break at `first` plus following empty lines and the next line's indent.
    /// One plain break becomes a space (mapped to the break); otherwise each further break is a
    /// `\n` (mapped to its own break), and the first break is dropped. An escaped break
    /// (`escaped`) never yields the space.
    fn fold(&mut self, first: usize, escaped: bool) -> bool {
        let mut pos = after_break(self.bytes, first);
        let mut breaks = 1;
        loop {
            let mut q = pos;
            while q < self.end && matches!(self.bytes[q], b' ' | b'\t') {
                q += 1;
            }
            if q < self.end && is_break(self.bytes[q]) {
                breaks += 1;
                if self.value.get(self.vi) != Some(&b'\n') {
                    return false;
                }
                self.map.point(self.vi, q);
                self.vi += 1;
                pos = after_break(self.bytes, q);
            } else {
                pos = q;
                break;
            }
        }
        if breaks == 1 && !escaped {
            if self.value.get(self.vi) != Some(&b' ') {
                return false;
            }
            self.map.point(self.vi, first);
            self.vi += 1;
        }
        self.pos = pos;
        self.map.point(self.vi, pos);
        true
    }

    /// `''` inside a single-quoted scalar: one `'`, mapped to the first quote.
    fn quote_pair(&mut self) -> bool {
        if self.bytes.get(self.pos + 1) != Some(&b'\'') || self.value.get(self.vi) != Some(&b'\'') {
            return false;
        }
        self.map.point(self.vi, self.pos);
        self.vi += 1;
        self.pos += 2;
        self.map.point(self.vi, self.pos);
        true
    }

    /// One escape sequence: the decoded character maps to the backslash.
    fn escape(&mut self) -> bool {
        let Some(&c) = self.bytes.get(self.pos + 1) else {
            return false;
        };
        let src_len = match c {
            b'\n' | b'\r' => {
                // Escaped line break: no character, only the fold of what follows.
                self.map.point(self.vi, self.pos);
                return self.fold(self.pos + 1, true);
            }
            b'x' => 4,
            b'U' => 10,
            b'u' => self.unicode_escape_len(),
            // `\` plus one character (ASCII, or a tab); `pos + 1` follows an ASCII byte, so it
            // is a char boundary.
            _ => {
                1 + self
                    .src
                    .get(self.pos + 1..)
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8)
            }
        };
        let Some(value_len) = self.value.get(self.vi).and_then(|&b| utf8_len(b)) else {
            return false;
        };
        if self.pos + src_len > self.end || self.vi + value_len > self.value.len() {
            return false;
        }
        self.map.point(self.vi, self.pos);
        self.vi += value_len;
        self.pos += src_len;
        self.map.point(self.vi, self.pos);
        true
    }

    /// `\uHHHH`, or a UTF-16 surrogate pair `\uHHHH\uHHHH` that granit decodes as one character.
    fn unicode_escape_len(&self) -> usize {
        let hex = |at: usize| self.src.get(at..at + 4).and_then(|h| u32::from_str_radix(h, 16).ok());
        let high = hex(self.pos + 2);
        let pair = matches!(high, Some(0xd800..=0xdbff))
            && self.bytes.get(self.pos + 6) == Some(&b'\\')
            && self.bytes.get(self.pos + 7) == Some(&b'u')
            && matches!(hex(self.pos + 8), Some(0xdc00..=0xdfff));
        if pair { 12 } else { 6 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The source text of `value` in `style` (inside the quotes).
    fn encode(value: &str, style: Style) -> String {
        match style {
            Style::SingleQuoted => value.replace('\'', "''"),
            Style::DoubleQuoted => value
                .chars()
                .map(|c| match c {
                    '\\' => "\\\\".to_string(),
                    '"' => "\\\"".to_string(),
                    '\n' => "\\n".to_string(),
                    c => c.to_string(),
                })
                .collect(),
            _ => value.to_string(),
        }
    }

    proptest! {
        /// The one-line shortcut gives the map the walk gives, whether the source equals
        /// the value or not.
        #[test]
        fn shortcut_agrees_with_the_walk(
            inner in "[a-c '\"\\\\\t]{0,12}",
            newline in any::<bool>(),
            style in prop_oneof![Just(Style::Plain), Just(Style::SingleQuoted), Just(Style::DoubleQuoted)],
            pad in 0usize..3,
        ) {
            let mut value = format!("x{inner}x");
            if newline && style == Style::DoubleQuoted {
                value.insert(1, '\n');
            }
            let src = format!("{}{}", " ".repeat(pad), encode(&value, style));
            let (start, end) = (pad, src.len());
            prop_assert_eq!(map(&src, start, end, &value, style), walk(&src, start, end, &value, style));
        }
    }
}
