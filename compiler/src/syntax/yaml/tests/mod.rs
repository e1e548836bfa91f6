//! Tests of the YAML layer. The central property, checked by [`check_mapping`]: every character
//! of a decoded scalar maps to the file bytes that produced it.

mod block_scalars;
mod documents;
mod falco;
mod flow_scalars;
mod prop;

use super::{Document, Limits, Node, NodeKind, Scalar, Style, parse};

/// Parse, asserting there are no errors.
pub fn parse_ok(src: &str) -> Vec<Document> {
    let (docs, errors) = parse(src, &Limits::default());
    assert!(errors.is_empty(), "unexpected errors {errors:?} in {src:?}");
    docs
}

/// The value of `key` in the single document's root mapping, which must be a scalar.
pub fn scalar_at(src: &str, key: &str) -> Scalar {
    let docs = parse_ok(src);
    assert_eq!(docs.len(), 1, "{src:?}");
    let root = docs[0].root.as_ref().expect("root");
    let entry = root.get(key).unwrap_or_else(|| panic!("no key {key:?} in {src:?}"));
    let scalar = entry
        .value
        .as_scalar()
        .unwrap_or_else(|| panic!("{key:?} is not a scalar: {:?}", entry.value));
    check_mapping(src, scalar);
    scalar.clone()
}

/// Every scalar in the tree (keys too), in document order.
pub fn scalars<'a>(node: &'a Node, out: &mut Vec<&'a Scalar>) {
    match &node.kind {
        NodeKind::Null => {}
        NodeKind::Scalar(s) => out.push(s),
        NodeKind::Seq(items) => items.iter().for_each(|n| scalars(n, out)),
        NodeKind::Map(entries) => entries.iter().for_each(|e| {
            scalars(&e.key, out);
            scalars(&e.value, out);
        }),
    }
}

/// Checks, for every char boundary `i` of the value, that `file_offset(i)` points at the source
/// of `value[i..]`: the same character for text copied 1:1; a line break for a space or `\n`
/// made by folding or a kept break; a backslash for a double-quoted escape. Offsets must also
/// strictly increase, and the end offset must follow the last character.
pub fn check_mapping(src: &str, s: &Scalar) {
    let mut prev: Option<u32> = None;
    for (i, c) in s.value.char_indices() {
        let at = s.file_offset(i);
        let here = src
            .get(at as usize..)
            .unwrap_or_else(|| panic!("offset {at} of value byte {i} is not a char boundary"));
        let verbatim = here.starts_with(c);
        let line_break = matches!(c, ' ' | '\n') && (here.starts_with('\n') || here.starts_with('\r'));
        let escape = s.style == Style::DoubleQuoted && here.starts_with('\\');
        // granit ends a block scalar with `\n` even when the input ends without one.
        let final_newline = c == '\n' && here.is_empty() && i + 1 == s.value.len();
        assert!(
            verbatim || line_break || escape || final_newline,
            "value {:?} byte {i} ({c:?}) maps to {at}, where the source has {:?}",
            s.value,
            here.chars().take(12).collect::<String>()
        );
        if let Some(p) = prev {
            assert!(
                at > p,
                "value {:?}: offsets not increasing at byte {i} ({p} -> {at})",
                s.value
            );
        }
        // Interior bytes of a verbatim multi-byte char map onto the same char's bytes.
        if verbatim {
            for k in 1..c.len_utf8() {
                assert_eq!(s.file_offset(i + k), at + k as u32, "inside {c:?} of {:?}", s.value);
            }
        }
        prev = Some(at);
    }
    let end = s.file_offset(s.value.len());
    if let Some(p) = prev {
        assert!(
            end > p || end as usize == src.len(),
            "value {:?}: end {end} not after last char at {p}",
            s.value
        );
    }
    assert!(end as usize <= src.len());
}
