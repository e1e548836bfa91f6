//! The document tree.

use super::Span;
use super::offsets::OffsetMap;

/// A YAML node with its byte span in the file.
///
/// Nodes copied from an alias keep the spans of the anchored original, so scalar offset maps
/// stay exact (they point at the text that actually produced the value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// Block scalars: the span granit reports (from the first content character). Collections:
    /// from their start to their end (block collections end with their last child).
    pub span: Span,
    /// Explicit tag as written, e.g. `!!str`.
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Null,
    /// Shared: the loader's strings keep a handle on the scalar (for its offset map)
    /// instead of copying it.
    Scalar(std::sync::Arc<Scalar>),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One mapping entry; duplicate keys are kept as separate entries, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// A decoded scalar with a map from value offsets back to file offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    pub value: String,
    pub style: Style,
    map: OffsetMap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl Scalar {
    pub(super) fn new(value: String, style: Style, map: OffsetMap) -> Scalar {
        Scalar { value, style, map }
    }

    /// File byte offset of the byte at `value_offset` inside `value`; `value.len()` maps to the
    /// end of the scalar's content. A character produced by an escape, a `''` pair or line
    /// folding maps to the start of the source text that produced it.
    pub fn file_offset(&self, value_offset: usize) -> u32 {
        self.map.file_offset(value_offset.min(self.value.len()))
    }

    /// File span of `value[range]`.
    pub fn file_span(&self, range: std::ops::Range<usize>) -> Span {
        let start = self.file_offset(range.start);
        let end = self.file_offset(range.end).max(start);
        Span::new(start, end)
    }
}

impl Node {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Byte ranges of every scalar and null under this node: the text where a `#` is a
    /// value's, not a comment (the formatter and suppression comments both need it).
    pub fn leaf_spans(&self, out: &mut Vec<(usize, usize)>) {
        match &self.kind {
            NodeKind::Null | NodeKind::Scalar(_) => out.push((self.span.start as usize, self.span.end as usize)),
            NodeKind::Seq(items) => items.iter().for_each(|n| n.leaf_spans(out)),
            NodeKind::Map(entries) => entries.iter().for_each(|e| {
                e.key.leaf_spans(out);
                e.value.leaf_spans(out);
            }),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// First entry whose key is a scalar equal to `key` (YAML allows duplicates; Falco's loader
    /// reads the first).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.as_map()?
            .iter()
            .find(|e| e.key.as_scalar().is_some_and(|s| s.value == key))
    }
}
