//! The checks that make formatting safe: every piece of new text is parsed back and compared
//! with what it replaces, so a gap in the layout rules costs a fallback, never a changed
//! ruleset.

use super::block_scalar::Block;
use super::comments;
use super::scalar::{Context, looks_typed};
use super::source::Source;
use crate::syntax::yaml::{self, Document, Limits, Node, NodeKind, Style};

/// Same tree for Falco: same shape, tags and scalar values; plain or quoted only matters for
/// the values a YAML 1.1 reader may type (`true` is a boolean, `'true'` a string).
pub(super) fn same(a: &Node, b: &Node) -> bool {
    if a.tag != b.tag {
        return false;
    }
    match (&a.kind, &b.kind) {
        (NodeKind::Null, NodeKind::Null) => true,
        (NodeKind::Scalar(x), NodeKind::Scalar(y)) => {
            x.value == y.value && (!looks_typed(&x.value) || (x.style == Style::Plain) == (y.style == Style::Plain))
        }
        (NodeKind::Seq(x), NodeKind::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| same(&p.key, &q.key) && same(&p.value, &q.value))
        }
        _ => false,
    }
}

/// Same documents, in the same order.
pub(super) fn same_docs(a: &[Document], b: &[Document]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (&x.root, &y.root) {
            (None, None) => true,
            (Some(p), Some(q)) => same(p, q),
            _ => false,
        })
}

/// The comments of `text` (parsed as `docs`), in order.
pub(super) fn comment_texts(text: &str, docs: &[Document]) -> Vec<String> {
    let mut spans = Vec::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        root.leaf_spans(&mut spans);
    }
    comments::scan(&Source::new(text), &mut spans)
        .into_iter()
        .map(|c| c.text)
        .collect()
}

fn parse_clean(text: &str) -> Option<Vec<Document>> {
    let (docs, errors) = yaml::parse(text, &Limits::default());
    errors.is_empty().then_some(docs)
}

/// Whether the item text `text` parses to exactly `original` with exactly `comments`.
pub(super) fn item_reads_back(text: &str, original: &Node, comments: &[String]) -> bool {
    let Some(docs) = parse_clean(text) else {
        return false;
    };
    let item = match docs.as_slice() {
        [doc] => doc.root.as_ref().and_then(Node::as_seq),
        _ => None,
    };
    matches!(item, Some([node]) if same(node, original)) && same_comments(comment_texts(text, &docs), comments.to_vec())
}

/// Same comments, each as often: a comment after a flow sequence's `]` moves up to its key
/// when the sequence is laid out as a block, so the order may change, never the set.
pub(super) fn same_comments(mut a: Vec<String>, mut b: Vec<String>) -> bool {
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// The value of `k` in the one-entry mapping `text`.
fn value_of_k(text: &str) -> Option<Node> {
    let docs = parse_clean(text)?;
    let [doc] = docs.as_slice() else { return None };
    match doc.root.as_ref()?.as_map()? {
        [e] => Some(e.value.clone()),
        _ => None,
    }
}

fn is_value(node: &Node, value: &str, plain: bool) -> bool {
    node.tag.is_none()
        && node
            .as_scalar()
            .is_some_and(|s| s.value == value && (!looks_typed(value) || (s.style == Style::Plain) == plain))
}

/// Whether the one-line `text` reads back as `value` in `ctx`.
pub(super) fn inline_reads_back(text: &str, value: &str, plain: bool, ctx: Context) -> bool {
    let simple = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b' ');
    if text == value && value.bytes().all(simple) && value.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric()) {
        return !value.ends_with(' ');
    }
    match ctx {
        Context::Key => parse_clean(&format!("{text}: x\n")).is_some_and(|docs| {
            matches!(docs.as_slice(), [d] if d.root.as_ref().and_then(Node::as_map)
                .is_some_and(|m| m.len() == 1 && is_value(&m[0].key, value, plain)))
        }),
        Context::Block => value_of_k(&format!("k: {text}\n")).is_some_and(|n| is_value(&n, value, plain)),
        Context::Flow => value_of_k(&format!("k: [{text}]\n"))
            .is_some_and(|n| matches!(n.as_seq(), Some([x]) if is_value(x, value, plain))),
    }
}

/// Whether `block`, written as the value of a key at column 0, reads back as `value`.
pub(super) fn block_reads_back(block: &Block, value: &str) -> bool {
    let mut text = format!("k: {}\n", block.header);
    for l in &block.lines {
        if !l.is_empty() {
            text.push_str("  ");
            text.push_str(l);
        }
        text.push('\n');
    }
    value_of_k(&text).is_some_and(|n| is_value(&n, value, false))
}

/// Whether the item `node`, whose text is `src[start..end]`, uses only what the printer lays
/// out: no tags, anchors, aliases, explicit (`?`) or non-scalar keys, directives.
pub(super) fn layout_safe(src: &Source<'_>, node: &Node, start: usize, end: usize) -> bool {
    if !plain_tree(node) {
        return false;
    }
    let mut spans = Vec::new();
    node.leaf_spans(&mut spans);
    // An alias copy keeps the spans of its anchor, elsewhere in the file.
    if spans.iter().any(|&(s, _)| s < start || s > end) {
        return false;
    }
    spans.retain(|&(s, e)| e > s);
    spans.sort_unstable();
    let bytes = src.text.as_bytes();
    let end = end.min(bytes.len());
    let (mut i, mut k) = (start, 0);
    while i < end {
        if let Some(&(s, e)) = spans.get(k)
            && s <= i
        {
            i = i.max(e);
            k += 1;
            continue;
        }
        match bytes[i] {
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            // Indentation, indicators of block and flow collections, block scalar headers.
            b' ' | b'\t' | b'\n' | b'\r' | b'-' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'|' | b'>' | b'+' => {
                i += 1
            }
            b'1'..=b'9' => i += 1,
            _ => return false,
        }
    }
    true
}

/// No tags, and every mapping key a scalar.
fn plain_tree(node: &Node) -> bool {
    if node.tag.is_some() {
        return false;
    }
    match &node.kind {
        NodeKind::Null | NodeKind::Scalar(_) => true,
        NodeKind::Seq(items) => items.iter().all(plain_tree),
        NodeKind::Map(entries) => entries
            .iter()
            .all(|e| matches!(e.key.kind, NodeKind::Scalar(_)) && plain_tree(&e.key) && plain_tree(&e.value)),
    }
}
