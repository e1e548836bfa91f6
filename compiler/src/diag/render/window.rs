//! Bounds on what a diagnostic quotes. A rules file may hold a line of megabytes (a
//! generated flow list, a condition on one line) and an identifier may be as long; the
//! terminal report shows a window of such a line around the labels, and messages are
//! clipped, so that one diagnostic never prints more than a few kilobytes.

use crate::lines::LineIndex;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

/// Lines longer than this are quoted as a window around the labels.
pub const MAX_LINE_BYTES: usize = 512;
/// Bytes of context kept on each side of the labels in a window.
const CONTEXT: usize = 80;
/// Messages (and label texts) longer than this many characters are clipped.
pub const MAX_MESSAGE_CHARS: usize = 1000;

const ELLIPSIS: &str = "…";

/// `s`, clipped to `max` characters with an ellipsis and the count of what was cut.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => Cow::Owned(format!("{}{ELLIPSIS} ({} more bytes)", &s[..cut], s.len() - cut)),
    }
}

/// The 1-based column of offset `o` in `text`, in characters, as ariadne counts it.
/// Linear in the line's length: for short texts (a window).
pub fn column(text: &str, o: usize) -> usize {
    let o = o.min(text.len());
    let start = text[..o].rfind('\n').map_or(0, |i| i + 1);
    chars_in(&text.as_bytes()[start..o]) + 1
}

/// Characters in a byte range of UTF-8 (any range: continuation bytes are not counted).
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// Characters before every [`CharCounts::BLOCK`]-byte block of a file, so that the column
/// of an offset on a line of megabytes costs one block, not the line: a file with
/// thousands of diagnostics on such a line renders in linear time.
pub struct CharCounts {
    before: Vec<usize>,
}

impl CharCounts {
    const BLOCK: usize = 4096;

    pub fn new(text: &str) -> CharCounts {
        let mut before = Vec::with_capacity(text.len() / Self::BLOCK + 1);
        let mut n = 0;
        for block in text.as_bytes().chunks(Self::BLOCK) {
            before.push(n);
            n += chars_in(block);
        }
        CharCounts { before }
    }

    fn chars_before(&self, text: &str, o: usize) -> usize {
        let o = o.min(text.len());
        let b = o / Self::BLOCK;
        self.before.get(b).copied().unwrap_or(0) + chars_in(&text.as_bytes()[b * Self::BLOCK..o])
    }

    /// The 1-based column of offset `o`, in characters, on its line (starting at `line_start`).
    pub fn column(&self, text: &str, line_start: usize, o: usize) -> usize {
        self.chars_before(text, o) - self.chars_before(text, line_start.min(o)) + 1
    }
}

/// A file's text as the report quotes it: the lines the labels touch, long ones cut to a
/// window, every other line empty, so that line numbers stay those of the file (ariadne
/// 0.6 adds a source's display line offset to the header but not to the margin).
pub struct Windowed {
    pub text: String,
    /// One entry per shown line: its pieces, each (range in the file, where it starts
    /// in `text`).
    lines: BTreeMap<u32, Vec<(Range<usize>, usize)>>,
    /// Start in `text` of every line up to the last shown, shown or not.
    starts: Vec<usize>,
}

impl Windowed {
    /// Where offset `o` of the file (`file`, indexed by `idx`) is in [`Windowed::text`]
    /// (clamped into its line's window).
    pub fn map(&self, file: &str, idx: &LineIndex, o: usize) -> usize {
        let line = idx.line_of(o.min(file.len()) as u32) as usize;
        match self.lines.get(&(line as u32)) {
            Some(pieces) => {
                // The piece that holds `o`, else the nearest one before it.
                let i = pieces.partition_point(|(r, _)| r.start <= o).saturating_sub(1);
                let (r, at) = &pieces[i];
                at + (o.clamp(r.start, r.end) - r.start)
            }
            None => self.starts.get(line).copied().unwrap_or(self.text.len()),
        }
    }
}

/// A windowed view of `text` for labels at `spans`, or None when no label touches a long
/// line (the common case: quote the file as it is).
pub fn window(text: &str, idx: &LineIndex, spans: &[Range<usize>]) -> Option<Windowed> {
    let nlines = idx.line_count();
    let bounds = |l: u32| {
        let s = idx.line_start(l, text) as usize;
        let e = if (l as usize) + 1 < nlines {
            (idx.line_start(l + 1, text) as usize).saturating_sub(1)
        } else {
            text.len()
        };
        s..e.max(s)
    };
    let line_of = |o: usize| idx.line_of(o.min(text.len()) as u32);
    // The lines each label touches, and the label ends that fall on each.
    let mut shown: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for s in spans {
        let (a, b) = (line_of(s.start), line_of(s.end));
        for l in a..=b {
            let points = shown.entry(l).or_default();
            if l == a {
                points.push(s.start);
            }
            if l == b {
                points.push(s.end);
            }
        }
    }
    if shown.keys().all(|l| bounds(*l).len() <= MAX_LINE_BYTES) {
        return None;
    }
    let last = *shown.keys().next_back()?;
    let mut out = String::new();
    let mut lines = BTreeMap::new();
    let mut starts = Vec::with_capacity(last as usize + 1);
    for l in 0..=last {
        starts.push(out.len());
        if let Some(points) = shown.get(&l) {
            let line = bounds(l);
            let pieces = if line.len() <= MAX_LINE_BYTES {
                vec![line.clone()]
            } else {
                cut(text, &line, points)
            };
            let mut placed = Vec::with_capacity(pieces.len());
            let mut prev_end = line.start;
            for r in pieces {
                if r.start > prev_end {
                    out.push_str(ELLIPSIS);
                }
                placed.push((r.clone(), out.len()));
                out.push_str(&text[r.clone()]);
                prev_end = r.end;
            }
            if prev_end < line.end {
                out.push_str(ELLIPSIS);
            }
            lines.insert(l, placed);
        }
        out.push('\n');
    }
    Some(Windowed {
        text: out,
        lines,
        starts,
    })
}

/// Pieces of `line` around `points` (nearby points share a piece), each at most
/// [`MAX_LINE_BYTES`], on character boundaries, in order.
fn cut(text: &str, line: &Range<usize>, points: &[usize]) -> Vec<Range<usize>> {
    let mut points: Vec<usize> = points.iter().map(|p| (*p).clamp(line.start, line.end)).collect();
    points.sort_unstable();
    let mut pieces: Vec<Range<usize>> = Vec::new();
    for p in points {
        let a = p.saturating_sub(CONTEXT).max(line.start);
        let b = (p + CONTEXT).min(line.end);
        match pieces.last_mut() {
            Some(last) if a <= last.end && b - last.start <= MAX_LINE_BYTES => last.end = b,
            Some(last) if a <= last.end => {
                // Too long to join: continue after it.
                let start = last.end;
                pieces.push(start..b);
            }
            _ => pieces.push(a..b),
        }
    }
    for r in &mut pieces {
        while !text.is_char_boundary(r.start) {
            r.start -= 1;
        }
        while !text.is_char_boundary(r.end) {
            r.end -= 1;
        }
        r.end = r.end.max(r.start);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_across_blocks() {
        let t = format!("ab\n{}é{}x", "y".repeat(5000), "z".repeat(9000));
        let counts = CharCounts::new(&t);
        let x = t.len() - 1;
        assert_eq!(counts.column(&t, 3, x), column(&t, x));
        assert_eq!(column(&t, x), 5000 + 1 + 9000 + 1);
        assert_eq!(counts.column(&t, 0, 1), 2);
    }

    #[test]
    fn short_lines_are_quoted_as_they_are() {
        let t = "a: 1\nb: 2\n";
        assert!(window(t, &LineIndex::new(t), std::slice::from_ref(&(5..6))).is_none());
    }

    #[test]
    fn a_long_line_is_a_window_around_the_label() {
        let t = format!(
            "first\nitems: [{}, bad, {}]\nlast\n",
            "x, ".repeat(100_000),
            "y, ".repeat(100_000)
        );
        let at = t.find("bad").unwrap();
        let idx = LineIndex::new(&t);
        let w = window(&t, &idx, std::slice::from_ref(&(at..at + 3))).unwrap();
        assert!(w.text.len() < 2 * MAX_LINE_BYTES, "{}", w.text.len());
        let (a, b) = (w.map(&t, &idx, at), w.map(&t, &idx, at + 3));
        assert_eq!(&w.text[a..b], "bad");
        // Line numbers are kept: the window is on the second line.
        assert_eq!(w.text.lines().count(), 2);
        assert!(w.text.starts_with('\n'));
        assert!(w.text.contains("…x, x"));
    }

    #[test]
    fn labels_far_apart_get_a_piece_each() {
        let t = format!("items: [a, {}a]\n", "x, ".repeat(100_000));
        let (first, last) = (t.find('a').unwrap(), t.rfind('a').unwrap());
        let idx = LineIndex::new(&t);
        let w = window(&t, &idx, &[first..first + 1, last..last + 1]).unwrap();
        assert!(w.text.len() < 2 * MAX_LINE_BYTES, "{}", w.text.len());
        for at in [first, last] {
            let m = w.map(&t, &idx, at);
            assert_eq!(&w.text[m..m + 1], "a");
        }
        assert_eq!(w.text.matches(ELLIPSIS).count(), 1, "{}", w.text);
    }

    #[test]
    fn clip_keeps_short_messages() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc… (1 more bytes)");
    }
}
