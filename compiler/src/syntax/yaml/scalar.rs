//! One scalar event -> a node: null resolution and the offset map for its style.

use std::borrow::Cow;
use std::ops::Range;

use granit_parser::ScalarStyle;

use super::{Node, NodeKind, Scalar, Span, Style, block, flow};

/// Node for a scalar event whose granit span is `range` (bytes of `src`).
pub fn node(src: &str, value: Cow<'_, str>, style: ScalarStyle, range: Range<usize>, tag: Option<String>) -> Node {
    let end = range.end.min(src.len());
    let start = range.start.min(end);
    let span = Span::new(to_u32(start), to_u32(end));
    let (style, map) = match style {
        ScalarStyle::Plain => {
            // yaml-cpp: an empty node is null even when tagged; a null word only untagged.
            if start == end || (tag.is_none() && matches!(&*value, "~" | "null" | "Null" | "NULL")) {
                return Node {
                    kind: NodeKind::Null,
                    span,
                    tag,
                };
            }
            (Style::Plain, flow::map(src, start, end, &value, Style::Plain))
        }
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            let style = if style == ScalarStyle::SingleQuoted {
                Style::SingleQuoted
            } else {
                Style::DoubleQuoted
            };
            // The content lies between the quotes.
            let (inner_start, inner_end) = if end - start >= 2 {
                (start + 1, end - 1)
            } else {
                (start, start)
            };
            (style, flow::map(src, inner_start, inner_end, &value, style))
        }
        ScalarStyle::Literal => (Style::Literal, block::map(src, start, &value, false)),
        ScalarStyle::Folded => (Style::Folded, block::map(src, start, &value, true)),
    };
    Node {
        kind: NodeKind::Scalar(std::sync::Arc::new(Scalar::new(value.into_owned(), style, map))),
        span,
        tag,
    }
}

/// Offsets fit: `parse` rejects inputs of 4 GiB and more.
pub fn to_u32(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}
