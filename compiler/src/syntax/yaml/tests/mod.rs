//! Tests of the YAML layer. The central property, checked by [`check_mapping`]: every character
//! of a decoded scalar maps to the file bytes that produced it.

mod block_scalars;
mod documents;
mod falco;
mod fast;
mod flow_scalars;
mod prop;

use super::{Document, Limits, Node, NodeKind, Scalar, Span, Style, parse};

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
/// made by folding or a kept break; a backslash for a double-quoted escape. Offsets must
/// strictly increase, and the source skipped between a 1:1 character (or a line break) and the
/// next mapped one may only be blanks and line breaks (or the second quote of `''`), so no
/// character can map to a look-alike further on.
pub fn check_mapping(src: &str, s: &Scalar) {
    // Previous char: its offset, and where the source it was copied from ends (None: escape).
    let mut prev: Option<(u32, Option<usize>)> = None;
    let end = s.file_offset(s.value.len());
    let check_gap = |prev: Option<(u32, Option<usize>)>, at: u32, what: &str| {
        let Some((p, Some(from))) = prev else { return };
        assert!(
            at > p,
            "value {:?}: offsets not increasing at {what} ({p} -> {at})",
            s.value
        );
        let gap = src
            .get(from..at as usize)
            .unwrap_or_else(|| panic!("bad gap {from}..{at} in {:?}", s.value));
        // The second quote of `''`; a double-quoted escaped line break.
        let gap = if s.style == Style::SingleQuoted {
            gap.strip_prefix('\'').unwrap_or(gap)
        } else {
            gap
        };
        let escaped_break =
            |k: usize| s.style == Style::DoubleQuoted && matches!(gap.as_bytes().get(k + 1), Some(b'\r' | b'\n'));
        let ok = gap
            .char_indices()
            .all(|(k, g)| matches!(g, ' ' | '\t' | '\r' | '\n') || (g == '\\' && escaped_break(k)));
        assert!(
            ok,
            "value {:?}: source {gap:?} before {what} at {at} is unaccounted for",
            s.value
        );
    };
    for (i, c) in s.value.char_indices() {
        let at = s.file_offset(i);
        let here = src
            .get(at as usize..)
            .unwrap_or_else(|| panic!("offset {at} of value byte {i} is not a char boundary"));
        // A double-quoted backslash always starts an escape, even one decoding to `\\`.
        let verbatim = here.starts_with(c) && !(s.style == Style::DoubleQuoted && c == '\\');
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
        if let Some((p, _)) = prev {
            assert!(
                at > p || final_newline,
                "value {:?}: offsets not increasing at byte {i} ({p} -> {at})",
                s.value
            );
        }
        check_gap(prev, at, &format!("byte {i}"));
        // Only a break between two unindented lines is ever dropped, so a blank copied 1:1
        // never follows an unaccounted line break (it would be indentation, not content).
        if let (Some((_, Some(from))), true, ' ' | '\t') = (prev, verbatim, c) {
            let gap = &src[from..at as usize];
            assert!(
                !gap.contains(['\n', '\r']),
                "value {:?}: blank at byte {i} maps to indentation",
                s.value
            );
        }
        // Interior bytes of a verbatim multi-byte char map onto the same char's bytes.
        if verbatim {
            for k in 1..c.len_utf8() {
                assert_eq!(s.file_offset(i + k), at + k as u32, "inside {c:?} of {:?}", s.value);
            }
        }
        let copied_to = if verbatim {
            Some(at as usize + c.len_utf8())
        } else if line_break {
            Some(at as usize + if here.starts_with("\r\n") { 2 } else { 1 })
        } else {
            None
        };
        prev = Some((at, copied_to));
    }
    if let Some((p, _)) = prev {
        assert!(
            end > p || end as usize == src.len(),
            "value {:?}: end {end} not after last char at {p}",
            s.value
        );
    }
    // Content ends right after the last character for every style except where trailing
    // blanks or the closing quote follow; those are blanks or excluded by the span anyway.
    check_gap(prev, end, "the end");
    assert!(end as usize <= src.len());
}
