//! Lays out one top-level item (a block sequence entry) in the canonical form, claiming the
//! comments that belong to it as it walks the tree in source order.
//!
//! Mappings are always block mappings, the first key of a sequence entry on the dash line;
//! a sequence that holds no mapping and no comment is written in flow style (at a mapping
//! value only when it holds scalars alone, so exception `values:` stay one tuple per line):
//! `[a, b]` when that fits in [`WIDTH`] columns, else wrapped, `[` ending the key's line, the
//! entries filled onto lines two spaces in, `]` on a line of its own. A sequence with comments
//! inside is a block sequence, one entry per line, so each comment keeps its entry. Scalars
//! are written on one line unless they were block scalars or spanned lines in the source,
//! which become folded (literal stays literal) with the author's line breaks.

use super::block_scalar::{self, Block};
use super::comments::{Comment, Comments};
use super::scalar::{self, Context};
use super::source::{Source, dash_before};
use super::verify;
use crate::syntax::yaml::{Entry, Node, NodeKind, Scalar, Style};

/// Longest line a flow sequence may make.
pub(super) const WIDTH: usize = 100;

/// Content indentation of block scalars and nested collections.
const STEP: usize = 2;

struct Line {
    indent: usize,
    text: String,
    comment: Option<String>,
    /// Block scalar content: written as is, never given a comment.
    raw: bool,
}

pub(super) struct Printer<'a, 's> {
    src: &'a Source<'s>,
    comments: &'a mut Comments,
    lines: Vec<Line>,
}

/// The canonical text of the top-level entry `node` (no final line break). Comments up to
/// `limit` that are indented like the entry's keys close it; `last_line` is the entry's last
/// source line.
pub(super) fn item(src: &Source<'_>, comments: &mut Comments, node: &Node, limit: usize, last_line: usize) -> String {
    let mut p = Printer {
        src,
        comments,
        lines: Vec::new(),
    };
    p.seq_item(node, 0, "", limit);
    // Nothing before the item's end may be dropped, even where no rule above placed it.
    let rest = p.comments.before(p.src.line_end(last_line) + 1);
    p.own_lines(rest, STEP);
    p.finish()
}

/// A value in flow style: a scalar's text, or a sequence's one-line text with its entries, to
/// wrap it when that line is too long.
enum Flow {
    Scalar(String),
    Seq(String, Vec<Flow>),
}

impl Flow {
    fn text(&self) -> &str {
        match self {
            Flow::Scalar(t) | Flow::Seq(t, _) => t,
        }
    }
}

/// Whether `flow` fits on one line after `used` columns.
fn fits(used: usize, flow: &Flow) -> bool {
    used + flow.text().chars().count() <= WIDTH
}

fn is_flow(src: &Source<'_>, node: &Node) -> bool {
    matches!(src.text.as_bytes().get(node.span.start as usize), Some(b'[' | b'{'))
}

fn start(n: &Node) -> usize {
    n.span.start as usize
}

fn end(n: &Node) -> usize {
    n.span.end as usize
}

impl Printer<'_, '_> {
    fn finish(self) -> String {
        let mut out = String::new();
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if l.raw && l.text.is_empty() {
                continue;
            }
            out.extend(std::iter::repeat_n(' ', l.indent));
            out.push_str(&l.text);
            if let Some(c) = &l.comment {
                if !l.text.is_empty() {
                    out.push(' ');
                }
                out.push_str(c);
            }
        }
        out
    }

    fn push(&mut self, indent: usize, text: String) -> usize {
        self.lines.push(Line {
            indent,
            text,
            comment: None,
            raw: false,
        });
        self.lines.len() - 1
    }

    fn own_lines(&mut self, comments: Vec<Comment>, indent: usize) {
        for c in comments {
            self.lines.push(Line {
                indent,
                text: String::new(),
                comment: Some(c.text),
                raw: false,
            });
        }
    }

    /// Put `c` at the end of line `idx`; a comment already there moves to a line of its own
    /// above, so the two keep their order.
    fn attach(&mut self, idx: usize, c: Option<Comment>) {
        let Some(c) = c else { return };
        let Some(line) = self.lines.get_mut(idx) else { return };
        if let Some(old) = line.comment.replace(c.text) {
            let indent = line.indent;
            self.lines.insert(
                idx,
                Line {
                    indent,
                    text: String::new(),
                    comment: Some(old),
                    raw: false,
                },
            );
        }
    }

    /// The comment at the end of the source line where `offset` is, if it comes after it and
    /// before `limit` (the next sibling).
    fn trailing_at(&mut self, offset: usize, limit: usize) -> Option<Comment> {
        let line = self.src.line_of(offset);
        self.comments.trailing(line, offset, limit)
    }

    /// Comments after the last child of `node`: inside the brackets of a flow collection, or
    /// indented at least like the children of a block one and deeper than its parent
    /// (`outer`: the source column of the parent's key or dash), so that after a sequence
    /// written at its key's column a comment at that column stays with the mapping.
    fn close(&mut self, node: &Node, first_child: usize, outer: usize, limit: usize, indent: usize) {
        let closing = if is_flow(self.src, node) {
            self.comments.before(end(node))
        } else {
            self.comments.closing(limit, self.closing_col(first_child, outer))
        };
        self.own_lines(closing, indent);
    }

    /// The least column of a comment that closes a block collection whose first child starts
    /// at `first_child` (see [`Printer::close`]).
    fn closing_col(&self, first_child: usize, outer: usize) -> usize {
        self.src.col(first_child).max(outer + 1)
    }

    /// One block sequence entry at column `col` (of the dash); `prefix` is what the line
    /// already holds before the dash (`- ` of an enclosing entry).
    fn seq_item(&mut self, node: &Node, col: usize, prefix: &str, limit: usize) {
        let indent = col.saturating_sub(prefix.len());
        let lead = self.comments.before(start(node));
        self.own_lines(lead, indent);
        let dash = format!("{prefix}- ");
        let outer = self
            .src
            .col(dash_before(self.src.text, start(node)).unwrap_or(start(node)));
        match &node.kind {
            NodeKind::Map(entries) if !entries.is_empty() => self.map(node, entries, col + STEP, &dash, outer, limit),
            NodeKind::Seq(items) if !items.is_empty() => match self.flow(node, true, start(node), outer, limit) {
                Some(flow) if fits(indent + dash.len(), &flow) => {
                    let idx = self.push(indent, format!("{dash}{}", flow.text()));
                    let c = self.trailing_at(end(node), limit);
                    self.attach(idx, c);
                }
                Some(Flow::Seq(_, entries)) => {
                    self.push(indent, format!("{dash}["));
                    self.wrapped(&entries, col, end(node), limit);
                }
                _ => self.seq(node, items, col + STEP, &dash, outer, limit),
            },
            _ => {
                let text = self.inline(node, Context::Block);
                let idx = self.push(indent, format!("{dash}{text}").trim_end().to_string());
                // An empty null has no text of its own to carry a comment.
                if !node.span.is_empty() {
                    let c = self.trailing_at(end(node), limit);
                    self.attach(idx, c);
                }
                if matches!(node.kind, NodeKind::Seq(_) | NodeKind::Map(_)) {
                    let inner = self.comments.before(end(node));
                    self.own_lines(inner, indent);
                }
            }
        }
    }

    /// The entries of a block sequence; `outer` is the source column of its parent's key or
    /// dash.
    fn seq(&mut self, node: &Node, items: &[Node], col: usize, prefix: &str, outer: usize, limit: usize) {
        let flow = is_flow(self.src, node);
        for (i, item) in items.iter().enumerate() {
            let next = match items.get(i + 1) {
                Some(n) => start(n),
                None if flow => end(node),
                None => limit,
            };
            self.seq_item(item, col, if i == 0 { prefix } else { "" }, next);
        }
        // The dash of the first entry gives the children's column.
        let first = items
            .first()
            .and_then(|n| dash_before(self.src.text, start(n)))
            .unwrap_or(start(node));
        self.close(node, first, outer, limit, col);
    }

    fn map(&mut self, node: &Node, entries: &[Entry], col: usize, prefix: &str, outer: usize, limit: usize) {
        let flow = is_flow(self.src, node);
        for (i, e) in entries.iter().enumerate() {
            let next = match entries.get(i + 1) {
                Some(n) => start(&n.key),
                None if flow => end(node),
                None => limit,
            };
            self.entry(e, col, if i == 0 { prefix } else { "" }, next);
        }
        let first = entries.first().map_or(start(node), |e| start(&e.key));
        self.close(node, first, outer, limit, col);
    }

    /// `key: value` with the key at column `col`.
    fn entry(&mut self, e: &Entry, col: usize, prefix: &str, limit: usize) {
        let indent = col.saturating_sub(prefix.len());
        let lead = self.comments.before(start(&e.key));
        self.own_lines(lead, indent);
        let head = format!("{prefix}{}:", self.inline(&e.key, Context::Key));
        let key_end = end(&e.key);
        let key_line_end = self.src.line_end(self.src.line_of(key_end));
        let key_col = self.src.col(start(&e.key));
        let v = &e.value;
        let flow_src = is_flow(self.src, v);
        match &v.kind {
            NodeKind::Scalar(s) if self.block_eligible(s, v) => {
                if let Some(block) = self.block(s) {
                    let idx = self.push(indent, format!("{head} {}", block.header));
                    let c = self.trailing_at(key_end, limit);
                    self.attach(idx, c);
                    if !matches!(s.style, Style::Folded | Style::Literal) {
                        // A plain or quoted scalar ends at its last character: a comment after
                        // it moves up to the header.
                        let c = self.trailing_at(end(v), limit);
                        self.attach(idx, c);
                    }
                    for l in block.lines {
                        self.lines.push(Line {
                            indent: col + STEP,
                            text: l,
                            comment: None,
                            raw: true,
                        });
                    }
                } else {
                    self.inline_entry(indent, &head, v, key_end, limit);
                }
            }
            // Comments on lines between the key and the first entry belong to the entries.
            NodeKind::Seq(items) if !items.is_empty() => match self.flow(v, false, key_line_end, key_col, limit) {
                Some(flow) if fits(indent + head.chars().count() + 1, &flow) => {
                    let idx = self.push(indent, format!("{head} {}", flow.text()));
                    let c = self.trailing_at(key_end, limit);
                    self.attach(idx, c);
                    let c = self.trailing_at(end(v), limit);
                    self.attach(idx, c);
                }
                // A comment at the end of the key's line would land inside the brackets, where
                // it would make the next run lay the list out as a block: the block layout
                // keeps it on the key's line from the start.
                Some(Flow::Seq(_, entries)) if !self.comments.any_within(key_end, key_line_end) => {
                    self.push(indent, format!("{head} ["));
                    self.wrapped(&entries, col, end(v), limit);
                }
                _ => {
                    let idx = self.push(indent, head);
                    // The key's own comment, before the value starts (after `[` it is the
                    // first entry's), then one after a flow list's `]`, which has no line of
                    // its own in a block layout.
                    let c = self.trailing_at(key_end, start(v).min(limit));
                    self.attach(idx, c);
                    if flow_src {
                        let c = self.trailing_at(end(v), limit);
                        self.attach(idx, c);
                    }
                    self.seq(v, items, col + STEP, "", key_col, limit);
                }
            },
            NodeKind::Map(entries) if !entries.is_empty() => {
                let idx = self.push(indent, head);
                let c = self.trailing_at(if flow_src { end(v) } else { key_end }, limit);
                self.attach(idx, c);
                self.map(v, entries, col + STEP, "", self.src.col(start(&e.key)), limit);
            }
            _ => self.inline_entry(indent, &head, v, key_end, limit),
        }
    }

    /// `key: value` on one line (a scalar, a null, `[]` or `{}`).
    fn inline_entry(&mut self, indent: usize, head: &str, v: &Node, key_end: usize, limit: usize) {
        let text = self.inline(v, Context::Block);
        let line = if text.is_empty() {
            head.to_string()
        } else {
            format!("{head} {text}")
        };
        let idx = self.push(indent, line);
        let c = self.trailing_at(key_end, limit);
        self.attach(idx, c);
        let c = self.trailing_at(end(v), limit);
        self.attach(idx, c);
        // Comments inside an empty collection's brackets.
        if matches!(v.kind, NodeKind::Seq(_) | NodeKind::Map(_)) {
            let inner = self.comments.before(end(v));
            self.own_lines(inner, indent);
        }
    }

    /// One-line text of a scalar, null or empty collection.
    fn inline(&self, node: &Node, ctx: Context) -> String {
        match &node.kind {
            NodeKind::Scalar(s) => checked_inline(s, ctx),
            NodeKind::Null => self.src.text.get(node.span.range()).unwrap_or("").trim().to_string(),
            NodeKind::Seq(_) => "[]".to_string(),
            NodeKind::Map(_) => "{}".to_string(),
        }
    }

    /// The rest of a wrapped flow sequence whose `[` ends the last line: its entries two
    /// spaces deeper than `col` (the column of its key or dash), then `]` at `col`, which
    /// takes the comment after the sequence's end `seq_end`.
    fn wrapped(&mut self, entries: &[Flow], col: usize, seq_end: usize, limit: usize) {
        self.fill(entries, col + STEP);
        let idx = self.push(col, "]".to_string());
        let c = self.trailing_at(seq_end, limit);
        self.attach(idx, c);
    }

    /// Flow entries at column `indent`, as many on a line as fit in [`WIDTH`] columns with
    /// `, ` between them and a `,` ending every line but the last (an entry too long for any
    /// line gets one of its own). An entry that is itself a sequence too long for a line of
    /// its own is wrapped in turn, its brackets on lines of their own.
    fn fill(&mut self, entries: &[Flow], indent: usize) {
        let width = |s: &str| s.chars().count();
        let mut line = String::new();
        for (i, e) in entries.iter().enumerate() {
            let sep = if i + 1 < entries.len() { "," } else { "" };
            let piece = format!("{}{sep}", e.text());
            if !line.is_empty() && indent + width(&line) + 1 + width(&piece) <= WIDTH {
                line.push(' ');
                line.push_str(&piece);
                continue;
            }
            if !line.is_empty() {
                self.push(indent, std::mem::take(&mut line));
            }
            match e {
                Flow::Seq(_, inner) if !inner.is_empty() && indent + width(&piece) > WIDTH => {
                    self.push(indent, "[".to_string());
                    self.fill(inner, indent + STEP);
                    self.push(indent, format!("]{sep}"));
                }
                _ => line = piece,
            }
        }
        if !line.is_empty() {
            self.push(indent, line);
        }
    }

    /// Flow form of a sequence of scalars (and, with `nested`, of such sequences) that holds
    /// no comment: none from `from` on for a block sequence, and none that closes it (see
    /// [`Printer::close`], with the same `outer` and `limit`).
    fn flow(&self, node: &Node, nested: bool, from: usize, outer: usize, limit: usize) -> Option<Flow> {
        let NodeKind::Seq(items) = &node.kind else {
            return None;
        };
        // A comment at the end of a block sequence's last line would otherwise be lost to it.
        let (from, reach) = if is_flow(self.src, node) {
            (start(node), end(node))
        } else {
            (from.min(start(node)), self.src.line_end(self.src.line_of(end(node))))
        };
        if self.comments.any_within(from, reach) {
            return None;
        }
        // A comment that closes a block sequence stays at its end, under its last entry; a flow
        // layout would move it out to the parent, and a flow sequence with a comment before its
        // `]` (laid out as a block, that comment closing it) would change layout on every run.
        if !is_flow(self.src, node) {
            let first = items
                .first()
                .and_then(|n| dash_before(self.src.text, start(n)))
                .unwrap_or(start(node));
            let min_col = self.closing_col(first, outer);
            if self.comments.next_free(reach, limit).is_some_and(|c| c.col >= min_col) {
                return None;
            }
        }
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            parts.push(match &item.kind {
                NodeKind::Scalar(s) => Flow::Scalar(checked_inline(s, Context::Flow)),
                NodeKind::Null if !item.span.is_empty() => Flow::Scalar(self.inline(item, Context::Flow)),
                // The comments after a nested sequence lie inside this one: checked above.
                NodeKind::Seq(_) if nested => self.flow(item, true, start(item), 0, 0)?,
                _ => return None,
            });
        }
        let text = parts.iter().map(Flow::text).collect::<Vec<_>>().join(", ");
        Some(Flow::Seq(format!("[{text}]"), parts))
    }

    fn block_eligible(&self, s: &Scalar, node: &Node) -> bool {
        matches!(s.style, Style::Folded | Style::Literal)
            || self.src.text.get(node.span.range()).is_some_and(|t| t.contains('\n'))
    }

    /// The scalar as a block scalar, if that reads back as the same value.
    fn block(&self, s: &Scalar) -> Option<Block> {
        let block = match s.style {
            Style::Literal => block_scalar::literal(&s.value)?,
            _ => block_scalar::folded(&s.value, &self.fold_points(s))?,
        };
        verify::block_reads_back(&block, &s.value).then_some(block)
    }

    /// Offsets of the spaces in the value that stand for a source line break.
    fn fold_points(&self, s: &Scalar) -> Vec<usize> {
        let bytes = self.src.text.as_bytes();
        s.value
            .bytes()
            .enumerate()
            .filter(|&(i, b)| b == b' ' && matches!(bytes.get(s.file_offset(i) as usize), Some(b'\n' | b'\r')))
            .map(|(i, _)| i)
            .collect()
    }
}

/// [`scalar::inline`], checked by reading it back; double quotes when that fails.
fn checked_inline(s: &Scalar, ctx: Context) -> String {
    let plain = s.style == Style::Plain;
    let text = scalar::inline(&s.value, plain, ctx);
    if verify::inline_reads_back(&text, &s.value, plain, ctx) {
        text
    } else {
        scalar::double_quoted(&s.value)
    }
}
