//! Offset maps for block scalars (`|` literal and `>` folded).
//!
//! granit's span starts at the first content character, after the indentation, so the content
//! indentation is the distance from the line start. Leading empty lines (their `\n`s open the
//! value) lie before the span and are found by walking backwards. The rest is a lockstep walk:
//! content bytes map 1:1, each kept `\n` maps to a source line break, and a folded space maps to
//! the break it replaces. Which breaks survive (folding, chomping) is read off the value.

use super::flow::{after_break, is_break};
use super::offsets::{MapBuilder, OffsetMap};

/// Map for a block scalar whose granit span starts at `start`.
pub fn map(src: &str, start: usize, value: &str, folded: bool) -> OffsetMap {
    let bytes = src.as_bytes();
    let start = start.min(bytes.len());
    let value = value.as_bytes();
    let leading = value.iter().take_while(|&&b| b == b'\n').count();
    let line_start = bytes[..start].iter().rposition(|&b| is_break(b)).map_or(0, |p| p + 1);
    let on_indent = bytes[line_start..start].iter().all(|&b| b == b' ');
    let mut map = MapBuilder::new();
    map.point(0, start);

    if !on_indent {
        // Only a content-free scalar at the end of input starts at its header: its empty lines
        // follow the header line.
        let header_end = bytes[start..]
            .iter()
            .position(|&b| is_break(b))
            .map_or(bytes.len(), |p| start + p);
        let end = map_empty_lines(bytes, after_break(bytes, header_end), leading, 0, &mut map);
        return map.finish(value.len(), end.unwrap_or(start));
    }

    let first_empty = match lines_back(bytes, line_start, leading) {
        Some(p) => p,
        None => return map.finish(value.len(), start),
    };
    let Some(mut end) = map_empty_lines(bytes, first_empty, leading, 0, &mut map) else {
        return map.finish(value.len(), start);
    };
    if leading < value.len() {
        let mut walk = Walk {
            bytes,
            value,
            pos: start,
            vi: leading,
            indent: start - line_start,
            folded,
            map,
        };
        end = walk.run().unwrap_or(walk.pos);
        map = walk.map;
    }
    map.finish(value.len(), end)
}

/// Start of the line `count` lines above `line_start`, if all those lines are blank.
fn lines_back(bytes: &[u8], line_start: usize, count: usize) -> Option<usize> {
    let mut p = line_start;
    for _ in 0..count {
        p = p.checked_sub(1)?; // the break ending the line above
        if bytes[p] == b'\n' && p > 0 && bytes[p - 1] == b'\r' {
            p -= 1;
        }
        while p > 0 && !is_break(bytes[p - 1]) {
            p -= 1;
            if bytes[p] != b' ' {
                return None;
            }
        }
    }
    Some(p)
}

/// Map `count` value `\n`s, from `first_vi` on, to the breaks of the blank lines starting at
/// `pos`. Returns the position after the last break mapped.
fn map_empty_lines(bytes: &[u8], mut pos: usize, count: usize, first_vi: usize, map: &mut MapBuilder) -> Option<usize> {
    for i in 0..count {
        while bytes.get(pos) == Some(&b' ') {
            pos += 1;
        }
        if !bytes.get(pos).is_some_and(|&b| is_break(b)) {
            return None;
        }
        map.point(first_vi + i, pos);
        pos = after_break(bytes, pos);
    }
    Some(pos)
}

struct Walk<'a> {
    bytes: &'a [u8],
    value: &'a [u8],
    pos: usize,
    vi: usize,
    indent: usize,
    folded: bool,
    map: MapBuilder,
}

impl Walk<'_> {
    /// Walk from the first content character; returns the file offset where the content ends,
    /// `None` if the walk lost sync with the value.
    fn run(&mut self) -> Option<usize> {
        let mut content_end = self.pos;
        loop {
            // Content bytes of one line map 1:1.
            self.map.point(self.vi, self.pos);
            while self.vi < self.value.len() && self.pos < self.bytes.len() && !is_break(self.bytes[self.pos]) {
                if self.bytes[self.pos] != self.value[self.vi] {
                    return None;
                }
                self.pos += 1;
                self.vi += 1;
            }
            if self.vi >= self.value.len() {
                return Some(if self.vi > 0 && self.value[self.vi - 1] == b'\n' {
                    content_end
                } else {
                    self.pos
                });
            }
            if self.pos >= self.bytes.len() {
                // Input ended without a final line break; granit still adds the `\n`.
                self.map.point(self.vi, self.pos);
                return Some(self.pos);
            }
            content_end = self.line_breaks()?;
        }
    }

    /// At a line break: consume it and the blank lines after it, plus the next line's indent.
    /// Their breaks map, in order, to the `\n`s the value has here; a folded single break may
    /// instead be a space. Returns the position after the last break that produced a character.
    fn line_breaks(&mut self) -> Option<usize> {
        let first = self.pos;
        let mut produced_end = first;
        let mut at = first;
        let mut breaks = 0;
        loop {
            let c = self.value.get(self.vi).copied();
            let folded_space = c == Some(b' ') && self.folded && breaks == 0;
            if c == Some(b'\n') || folded_space {
                self.map.point(self.vi, at);
                self.vi += 1;
                produced_end = after_break(self.bytes, at);
            }
            breaks += 1;
            let mut q = after_break(self.bytes, at);
            let line_start = q;
            while q < self.bytes.len() && q - line_start < self.indent && self.bytes[q] == b' ' {
                q += 1;
            }
            if q < self.bytes.len() && is_break(self.bytes[q]) {
                at = q;
                continue;
            }
            self.pos = q;
            return Some(produced_end);
        }
    }
}
