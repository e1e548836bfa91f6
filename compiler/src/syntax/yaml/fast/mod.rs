//! A direct parser for the YAML that rules files are written in.
//!
//! granit is a complete YAML 1.2 parser and costs about 90 instructions per byte; most of it
//! goes to generality that rules files never use. This parser reads the common subset (block
//! mappings and sequences, plain, quoted and block scalars, flow sequences, comments) straight
//! into the same tree, through the same scalar constructor, so spans and offset maps are those
//! the granit path builds. Whatever it does not fully understand (anchors, tags, flow mappings,
//! tabs, CR line ends, document markers, explicit keys, errors of any kind) makes it give up
//! with `None`, and granit parses the file: the result is the same either way, which
//! `tests/fast.rs` checks against granit on generated and real files.

mod scalars;

use std::borrow::Cow;

use granit_parser::ScalarStyle;

use super::scalar::{self, to_u32};
use super::{Document, Entry, Limits, Node, NodeKind, Span};

/// Nesting this parser handles by recursion; deeper files go to granit's iterative builder.
const MAX_DEPTH: usize = 64;

/// Give up: granit decides.
type R<T> = Option<T>;

/// The file as one document, or `None` when granit must parse it.
pub fn parse(src: &str, limits: &Limits) -> Option<Vec<Document>> {
    if !in_subset(src.as_bytes()) {
        return None;
    }
    let mut p = Parser {
        src,
        b: src.as_bytes(),
        pos: 0,
        nodes: 0,
        max_nodes: limits.max_nodes,
        max_depth: limits.max_depth.min(MAX_DEPTH),
        depth: 0,
    };
    let (col, at) = p.next_line()?;
    p.pos = at;
    let root = p.block_node(-1, col)?;
    // A scalar document is not a rules file; granit places its end differently.
    if !matches!(root.kind, NodeKind::Seq(_) | NodeKind::Map(_)) {
        return None;
    }
    if p.next_line().is_some() {
        return None;
    }
    let start = to_u32(at);
    Some(vec![Document {
        root: Some(root),
        span: Span::new(start, to_u32(src.len())),
    }])
}

/// Bytes this parser never handles anywhere: controls other than `\n` (tabs and CR included),
/// characters YAML treats specially (NEL, the Unicode line separators, BOM, non-characters),
/// and lines that start with a document marker or a directive.
fn in_subset(b: &[u8]) -> bool {
    let marker =
        |i: usize| matches!(b[i..].first(), Some(b'%')) || b[i..].starts_with(b"---") || b[i..].starts_with(b"...");
    if marker(0) || memchr::memchr_iter(b'\n', b).any(|i| marker(i + 1)) {
        return false;
    }
    // Whole chunks at a time (no early exit inside, so the test vectorises); a chunk with
    // anything but printable ASCII and `\n` is looked at character by character.
    let mut at = 0;
    for chunk in b.chunks(64) {
        let odd = chunk
            .iter()
            .fold(false, |odd, &c| odd | ((c < 0x20) & (c != b'\n')) | (c >= 0x7f));
        if odd && !chunk_in_subset(b, at, at + chunk.len()) {
            return false;
        }
        at += chunk.len();
    }
    true
}

/// The characters that start in `b[from..to]` (a chunk may cut one; it is read whole).
fn chunk_in_subset(b: &[u8], from: usize, to: usize) -> bool {
    let mut i = from;
    // A character continued from the chunk before was checked there.
    while i < to && (b[i] & 0xc0) == 0x80 {
        i += 1;
    }
    while i < to {
        let c = b[i];
        if c < 0x80 {
            if (c < 0x20 && c != b'\n') || c == 0x7f {
                return false;
            }
            i += 1;
            continue;
        }
        // Lead byte of a multi-byte character; `b` is valid UTF-8.
        let len = if c >= 0xf0 {
            4
        } else if c >= 0xe0 {
            3
        } else {
            2
        };
        let ch = std::str::from_utf8(&b[i..(i + len).min(b.len())])
            .ok()
            .and_then(|s| s.chars().next());
        match ch {
            Some(ch) if printable(ch) => i += len,
            _ => return false,
        }
    }
    true
}

fn printable(ch: char) -> bool {
    matches!(ch, '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{d7ff}' | '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}' | '\u{10000}'..)
}

struct Parser<'s> {
    src: &'s str,
    b: &'s [u8],
    /// Between nodes: the start of a line (or the end of the input).
    pos: usize,
    nodes: usize,
    max_nodes: usize,
    max_depth: usize,
    depth: usize,
}

impl<'s> Parser<'s> {
    fn at(&self, i: usize) -> u8 {
        scalars::at(self.b, i)
    }

    /// Whether a block sequence item (`- ` or a lone `-`) starts at `i`.
    fn is_item(&self, i: usize) -> bool {
        self.at(i) == b'-' && is_blank_or_end(self.at(i + 1))
    }

    /// From the line start at `self.pos`, skip empty and comment-only lines; the column and
    /// position of the next content character. `self.pos` moves to that line's start.
    fn next_line(&mut self) -> Option<(usize, usize)> {
        let mut i = self.pos;
        loop {
            let start = i;
            i = scalars::spaces(self.b, i);
            match self.b.get(i) {
                None => {
                    self.pos = self.b.len();
                    return None;
                }
                Some(b'\n') => i += 1,
                Some(b'#') => i = self.after_line(i),
                Some(_) => {
                    self.pos = start;
                    return Some((i - start, i));
                }
            }
        }
    }

    /// Position after the line break that ends the line holding `i` (or the input's end).
    fn after_line(&self, i: usize) -> usize {
        scalars::after_line(self.b, i)
    }

    /// After a node on its line: blanks and a comment may follow, then the line ends.
    fn end_line(&mut self, before: usize) -> R<()> {
        let i = scalars::spaces(self.b, before);
        match self.b.get(i) {
            None => self.pos = i,
            Some(b'\n') => self.pos = i + 1,
            Some(b'#') if i > before => self.pos = self.after_line(i),
            Some(_) => return None,
        }
        Some(())
    }

    fn count(&mut self) -> R<()> {
        self.nodes += 1;
        (self.nodes <= self.max_nodes).then_some(())
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        (self.depth <= self.max_depth).then_some(())
    }

    fn scalar(&mut self, value: Cow<'s, str>, style: ScalarStyle, start: usize, end: usize) -> R<Node> {
        self.count()?;
        Some(scalar::node(self.src, value, style, start..end, None))
    }

    /// A node that starts at `self.pos`, column `col`, on its own line, inside a block
    /// collection at column `parent` (`-1`: the document).
    fn block_node(&mut self, parent: isize, col: usize) -> R<Node> {
        let i = self.pos;
        match self.at(i) {
            _ if self.is_item(i) => self.block_seq(col, false),
            _ if self.key_colon(i).is_some() => self.block_map(col),
            _ => self.inline_value(parent, i),
        }
    }

    /// A scalar or flow sequence that starts at `i` on a line already begun.
    fn inline_value(&mut self, parent: isize, i: usize) -> R<Node> {
        match self.at(i) {
            b'[' => {
                let (node, end) = self.flow_seq(parent, i)?;
                self.end_line(end)?;
                Some(node)
            }
            b'\'' | b'"' => {
                let (node, end) = self.quoted(parent, i)?;
                self.end_line(end)?;
                Some(node)
            }
            b'|' | b'>' => {
                let block = scalars::block(self.b, self.src, i, parent)?;
                self.pos = block.next;
                let style = if self.b[i] == b'|' {
                    ScalarStyle::Literal
                } else {
                    ScalarStyle::Folded
                };
                self.scalar(block.value, style, block.start, block.end)
            }
            _ => {
                let plain = scalars::plain(self.b, self.src, i, parent)?;
                self.pos = plain.next;
                self.scalar(plain.value, ScalarStyle::Plain, i, plain.end)
            }
        }
    }

    /// A quoted scalar from its opening quote at `i`; the node and the position after it.
    fn quoted(&mut self, parent: isize, i: usize) -> R<(Node, usize)> {
        let (value, end) = scalars::quoted(self.b, self.src, i, parent)?;
        let style = if self.b[i] == b'\'' {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        Some((self.scalar(value, style, i, end)?, end))
    }

    /// If the line from `i` is `key: ...` with a plain one-line key, the position of its colon.
    fn key_colon(&self, i: usize) -> Option<usize> {
        if !scalars::plain_first(self.b, i, false) {
            return None;
        }
        let line = &self.b[i..scalars::line_end(self.b, i)];
        let mut k = 0;
        while k < line.len() {
            match line[k] {
                b':' if k + 1 == line.len() || line[k + 1] == b' ' => return Some(i + k),
                b'#' if line[k - 1] == b' ' => return None,
                _ => k += 1,
            }
        }
        None
    }

    fn block_map(&mut self, col: usize) -> R<Node> {
        self.enter()?;
        self.count()?;
        let start = self.pos;
        let mut entries = Vec::new();
        loop {
            let i = self.pos;
            let colon = self.key_colon(i)?;
            let mut key_end = colon;
            while self.b[key_end - 1] == b' ' {
                key_end -= 1;
            }
            let key_text = &self.src[i..key_end];
            // `a:b: c` and similar: leave unusual keys to granit.
            if key_text.contains(':') {
                return None;
            }
            let key = self.scalar(Cow::Borrowed(key_text), ScalarStyle::Plain, i, key_end)?;
            let value = self.after_indicator(col, colon + 1, false)?;
            entries.push(Entry { key, value });
            match self.next_line() {
                Some((c, at)) if c == col => {
                    if self.is_item(at) {
                        return None;
                    }
                    self.pos = at;
                }
                Some((c, _)) if c < col => break,
                None => break,
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        let end = entries
            .last()
            .map_or(start, |e| e.key.span.end.max(e.value.span.end) as usize);
        Some(collection(NodeKind::Map(entries), start, end))
    }

    /// What follows an indicator at `i - 1` (a key's `:`, or an item's `-` when `item`) in
    /// the block collection at column `col`.
    fn after_indicator(&mut self, col: usize, i: usize, item: bool) -> R<Node> {
        let j = scalars::spaces(self.b, i);
        match self.at(j) {
            b'\n' | 0 => {}
            b'#' if j > i => {}
            // `key: - a` is an error; `- - a` a sequence in a sequence on one line.
            b'-' if is_blank_or_end(self.at(j + 1)) => return None,
            _ if item && self.key_colon(j).is_some() => {
                // The mapping's column: the `-` at `i - 1` is at `col`.
                self.pos = j;
                return self.block_map(col + (j + 1 - i));
            }
            _ => return self.inline_value(col as isize, j),
        }
        // The node starts on a later line, or is empty.
        self.pos = self.after_line(j);
        match self.next_line() {
            Some((c, at)) if c > col => {
                self.pos = at;
                self.block_node(col as isize, c)
            }
            Some((c, at)) if !item && c == col && self.is_item(at) => {
                self.pos = at;
                self.block_seq(col, true)
            }
            // An empty item: granit's span for it depends on what follows; rare in rules files.
            _ if item => None,
            _ => self.empty(i - 1),
        }
    }

    /// An empty mapping value, where granit puts it: on the `:`.
    fn empty(&mut self, at: usize) -> R<Node> {
        self.scalar(Cow::Borrowed(""), ScalarStyle::Plain, at, at)
    }

    /// A block sequence whose first `-` is at `self.pos`, column `col`. `compact`: it is a
    /// mapping value at the mapping's own column, so a key line ends it.
    fn block_seq(&mut self, col: usize, compact: bool) -> R<Node> {
        self.enter()?;
        self.count()?;
        let start = self.pos;
        let mut items = Vec::new();
        loop {
            let item = self.after_indicator(col, self.pos + 1, true)?;
            items.push(item);
            match self.next_line() {
                Some((c, at)) if c == col && self.is_item(at) => self.pos = at,
                Some((c, _)) if c < col => break,
                Some((c, _)) if c == col && compact => break,
                None => break,
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        let end = items.last().map_or(start, |n| n.span.end as usize);
        // granit starts an indentless sequence (a mapping value at the mapping's column) at
        // its first item's content.
        let start = if compact { items[0].span.start as usize } else { start };
        Some(collection(NodeKind::Seq(items), start, end))
    }

    /// A flow sequence from the `[` at `i`; the node and the position after its `]`.
    fn flow_seq(&mut self, parent: isize, i: usize) -> R<(Node, usize)> {
        self.enter()?;
        self.count()?;
        let mut items = Vec::new();
        let mut j = self.flow_space(i + 1, parent)?;
        loop {
            match self.at(j) {
                b']' => break,
                b'[' => {
                    let (node, end) = self.flow_seq(parent, j)?;
                    items.push(node);
                    j = end;
                }
                b'\'' | b'"' => {
                    let (node, end) = self.quoted(parent, j)?;
                    items.push(node);
                    j = end;
                }
                _ => {
                    let end = scalars::flow_plain(self.b, j)?;
                    items.push(self.scalar(Cow::Borrowed(&self.src[j..end]), ScalarStyle::Plain, j, end)?);
                    j = end;
                }
            }
            j = self.flow_space(j, parent)?;
            match self.at(j) {
                b',' => j = self.flow_space(j + 1, parent)?,
                b']' => break,
                _ => return None,
            }
        }
        self.depth -= 1;
        let end = j + 1;
        Some((collection(NodeKind::Seq(items), i, end), end))
    }

    /// Blanks, line breaks and comments inside a flow collection; lines continuing it must
    /// be indented past the block collection around it.
    fn flow_space(&self, mut j: usize, parent: isize) -> R<usize> {
        loop {
            match self.at(j) {
                b' ' => j += 1,
                b'\n' => {
                    let start = j + 1;
                    j = scalars::spaces(self.b, start);
                    let indent = (j - start) as isize;
                    // The closing bracket may sit at the column of the collection around.
                    let ok = match self.at(j) {
                        b'\n' | b'#' => true,
                        b']' => indent >= parent,
                        _ => indent > parent,
                    };
                    if !ok {
                        return None;
                    }
                }
                b'#' if matches!(self.at(j.wrapping_sub(1)), b' ' | b'\n') => {
                    // Stop at the comment's line break; a flow collection cannot end in one.
                    j = j + memchr::memchr(b'\n', &self.b[j..])?;
                }
                0 => return None,
                _ => return Some(j),
            }
        }
    }
}

fn collection(kind: NodeKind, start: usize, end: usize) -> Node {
    Node {
        kind,
        span: Span::new(to_u32(start), to_u32(end.max(start))),
        tag: None,
    }
}

fn is_blank_or_end(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | 0)
}
