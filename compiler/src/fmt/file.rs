//! The whole file: top-level items, the documents that are not rules lists, and the lines
//! between them (comments, `---`/`...` markers, directives, blank lines).
//!
//! Blank lines: exactly one between a top-level item and whatever follows it; elsewhere a run
//! of blank lines becomes one, and none start or end the file.

use super::comments::{self, Comments};
use super::source::{Source, dash_before, is_blank};
use super::{FormatError, printer, verify};
use crate::syntax::yaml::{Document, Node, NodeKind};

/// A run of source lines the formatter handles as one unit.
struct Piece<'d> {
    /// A top-level entry to lay out, or `None` for text copied as it is.
    item: Option<&'d Node>,
    /// Offset of the first byte (the item's dash).
    start: usize,
    first_line: usize,
    last_line: usize,
}

/// What the output is made of, in order; blank lines are decided when joining.
enum Out {
    Item(String),
    Copied(String),
    Comment(String),
    Marker(String),
    Blank,
}

pub(super) fn format(text: &str, docs: &[Document]) -> Result<String, FormatError> {
    let src = Source::new(text);
    let mut spans = Vec::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        root.leaf_spans(&mut spans);
    }
    let mut comments = Comments::new(comments::scan(&src, &mut spans));
    let pieces = pieces(&src, docs)?;
    let mut out = Vec::new();
    let mut line = 0;
    for (i, piece) in pieces.iter().enumerate() {
        gap(&src, &mut comments, line, piece.first_line, &mut out)?;
        let next_start = pieces.get(i + 1).map_or(text.len(), |p| src.line_start(p.first_line));
        out.push(match piece.item {
            Some(node) => {
                let limit = marker_after(&src, piece.last_line, next_start);
                Out::Item(item(&src, &mut comments, node, piece, limit))
            }
            None => {
                comments.use_lines(piece.first_line, piece.last_line);
                Out::Copied(copy_lines(&src, piece.first_line, piece.last_line, 0))
            }
        });
        line = piece.last_line + 1;
    }
    gap(&src, &mut comments, line, src.line_count(), &mut out)?;
    Ok(join(&out))
}

/// The pieces of every document in order: one per entry of a root block sequence of
/// mappings, one copied piece for any other document.
fn pieces<'d>(src: &Source<'_>, docs: &'d [Document]) -> Result<Vec<Piece<'d>>, FormatError> {
    let mut out: Vec<Piece<'d>> = Vec::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        let items = rules_list(src, root).unwrap_or_default();
        if items.is_empty() {
            let start = root.span.start as usize;
            out.push(Piece {
                item: None,
                start,
                first_line: src.line_of(start),
                last_line: src.last_content_line(start, root.span.end as usize),
            });
        } else {
            out.extend(items);
        }
    }
    // Two pieces on one line (`... --- [a]`) cannot be laid out line by line.
    for w in out.windows(2) {
        if w[1].first_line <= w[0].last_line {
            let at = w[1].start as u32;
            return Err(FormatError {
                message: "cannot format two documents that share a line".to_string(),
                span: crate::span::Span::empty(at),
            });
        }
    }
    Ok(out)
}

/// The entries of `root` if it is a block sequence of mappings, each alone on its lines.
fn rules_list<'d>(src: &Source<'_>, root: &'d Node) -> Option<Vec<Piece<'d>>> {
    let NodeKind::Seq(items) = &root.kind else {
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for node in items {
        if !matches!(node.kind, NodeKind::Map(_)) {
            return None;
        }
        let dash = dash_before(src.text, node.span.start as usize)?;
        let first_line = src.line_of(dash);
        if !is_blank(&src.text[src.line_start(first_line)..dash]) {
            return None;
        }
        out.push(Piece {
            item: Some(node),
            start: dash,
            first_line,
            last_line: src.last_content_line(dash, node.span.end as usize),
        });
    }
    Some(out)
}

/// Where comments stop belonging to the item that ends on `last_line`: at the next document
/// marker or directive, else at `next_start`.
fn marker_after(src: &Source<'_>, last_line: usize, next_start: usize) -> usize {
    let mut line = last_line + 1;
    while line < src.line_count() && src.line_start(line) < next_start {
        if is_marker(src.line_text(line)) {
            return src.line_start(line);
        }
        line += 1;
    }
    next_start
}

fn is_marker(line: &str) -> bool {
    let doc_marker = |m: &str| {
        line.strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    };
    doc_marker("---") || doc_marker("...") || line.starts_with('%')
}

/// Lay out one item; if the layout does not read back as the same item with the same
/// comments, copy its text instead.
fn item(src: &Source<'_>, comments: &mut Comments, node: &Node, piece: &Piece<'_>, limit: usize) -> String {
    let shift = src.col(piece.start);
    comments.start_log();
    if verify::layout_safe(src, node, piece.start, src.line_end(piece.last_line)) {
        let text = printer::item(src, comments, node, limit, piece.last_line);
        let mut claimed = comments.logged().to_vec();
        claimed.sort_unstable();
        let expected: Vec<String> = claimed.iter().map(|&i| comments.all()[i].text.clone()).collect();
        if verify::item_reads_back(&text, node, &expected) {
            return text;
        }
        comments.give_back();
    }
    comments.use_lines(piece.first_line, piece.last_line);
    copy_lines(src, piece.first_line, piece.last_line, shift)
}

/// Lines `first..=last` as they are, less `shift` leading spaces (the item's own column).
fn copy_lines(src: &Source<'_>, first: usize, last: usize, shift: usize) -> String {
    let mut out = String::new();
    for line in first..=last {
        if line > first {
            out.push('\n');
        }
        let text = src.line_text(line);
        let spaces = text.bytes().take(shift).take_while(|&b| b == b' ').count();
        out.push_str(&text[spaces..]);
    }
    out
}

/// The lines `from..to` between pieces: blank lines, comments nothing claimed, markers.
fn gap(
    src: &Source<'_>,
    comments: &mut Comments,
    from: usize,
    to: usize,
    out: &mut Vec<Out>,
) -> Result<(), FormatError> {
    for line in from..to {
        let text = src.line_text(line);
        if is_blank(text) {
            out.push(Out::Blank);
        } else if is_marker(text) {
            // Its own comment stays on the line.
            let _ = comments.free_on_line(line);
            out.push(Out::Marker(text.trim_end().to_string()));
        } else if let Some(c) = comments.free_on_line(line).filter(|c| c.own_line) {
            out.push(Out::Comment(c.text));
        } else if !(comments.is_used_line(line) && text.trim_start().starts_with('#')) {
            let at = src.line_start(line) + (text.len() - text.trim_start().len());
            return Err(FormatError {
                message: "cannot format this line: it is outside every YAML node".to_string(),
                span: crate::span::Span::empty(at as u32),
            });
        }
    }
    Ok(())
}

fn join(out: &[Out]) -> String {
    let mut text = String::new();
    let mut prev: Option<&Out> = None;
    let mut blank = false;
    for o in out {
        let body = match o {
            Out::Blank => {
                blank = prev.is_some();
                continue;
            }
            Out::Item(t) | Out::Copied(t) | Out::Comment(t) | Out::Marker(t) => t,
        };
        if let Some(p) = prev {
            let after_item = matches!(p, Out::Item(_) | Out::Copied(_));
            let forced = after_item && !matches!(o, Out::Marker(_));
            if forced || blank {
                text.push('\n');
            }
        }
        text.push_str(body);
        text.push('\n');
        prev = Some(o);
        blank = false;
    }
    text
}
