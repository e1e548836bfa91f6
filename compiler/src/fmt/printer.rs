//! Lays out one top-level item (a block sequence entry) in the canonical form, claiming the
//! comments that belong to it as it walks the tree in source order.
//!
//! Mappings are always block mappings, the first key of a sequence entry on the dash line;
//! a sequence that holds no mapping is written in flow style when it fits in [`WIDTH`]
//! columns and holds no comment (at a mapping value only when it holds scalars alone, so
//! exception `values:` stay one tuple per line); scalars are written on one line unless they
//! were block scalars or spanned lines in the source, which become folded (literal stays
//! literal) with the author's line breaks.

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
            let min_col = self.src.col(first_child).max(outer + 1);
            self.comments.closing(limit, min_col)
        };
        self.own_lines(closing, indent);
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
            NodeKind::Seq(items) if !items.is_empty() => {
                match self.flow_fits(node, true, indent + dash.len(), start(node)) {
                    Some(flow) => {
                        let idx = self.push(indent, format!("{dash}{flow}"));
                        let c = self.trailing_at(end(node), limit);
                        self.attach(idx, c);
                    }
                    None => self.seq(node, items, col + STEP, &dash, outer, limit),
                }
            }
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
            NodeKind::Seq(items) if !items.is_empty() => match self.flow_fits(
                v,
                false,
                indent + head.len() + 1,
                self.src.line_end(self.src.line_of(key_end)),
            ) {
                Some(flow) => {
                    let idx = self.push(indent, format!("{head} {flow}"));
                    let c = self.trailing_at(key_end, limit);
                    self.attach(idx, c);
                    let c = self.trailing_at(end(v), limit);
                    self.attach(idx, c);
                }
                None => {
                    let idx = self.push(indent, head);
                    let c = self.trailing_at(if flow_src { end(v) } else { key_end }, limit);
                    self.attach(idx, c);
                    self.seq(v, items, col + STEP, "", self.src.col(start(&e.key)), limit);
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

    /// Flow text of a sequence of scalars (and, with `nested`, of such sequences) without
    /// comments (from `from` on, for a block sequence), if it fits after `used` columns.
    fn flow_fits(&self, node: &Node, nested: bool, used: usize, from: usize) -> Option<String> {
        let text = self.flow(node, nested, from)?;
        (used + text.chars().count() <= WIDTH).then_some(text)
    }

    fn flow(&self, node: &Node, nested: bool, from: usize) -> Option<String> {
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
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            parts.push(match &item.kind {
                NodeKind::Scalar(s) => checked_inline(s, Context::Flow),
                NodeKind::Null if !item.span.is_empty() => self.inline(item, Context::Flow),
                NodeKind::Seq(_) if nested => self.flow(item, true, start(item))?,
                _ => return None,
            });
        }
        Some(format!("[{}]", parts.join(", ")))
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
