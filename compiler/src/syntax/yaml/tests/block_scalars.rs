//! Offset maps of literal (`|`) and folded (`>`) scalars.

use super::{Style, check_mapping, parse_ok, scalar_at, scalars};

fn offset_of(src: &str, needle: &str) -> u32 {
    src.find(needle).unwrap_or_else(|| panic!("{needle:?} not in source")) as u32
}

/// (source, key, expected value) for scalars whose mapping `check_mapping` verifies.
const CASES: &[(&str, &str)] = &[
    ("k: |\n  a\n  b\n", "a\nb\n"),
    ("k: |-\n  a\n  b\n\n\n", "a\nb"),
    ("k: |+\n  a\n  b\n\n\nn: 1\n", "a\nb\n\n\n"),
    ("k: |2\n   a\n  b\n", " a\nb\n"),
    ("k: |1-\n  a\n b\n", " a\nb"),
    ("k: |\n\n  \n  a\n\n   b\n  \t c\n", "\n\na\n\n b\n\t c\n"),
    ("k: |\n  a\n   \n  b\n", "a\n \nb\n"),
    ("k: | # comment\n  a # not a comment\n", "a # not a comment\n"),
    ("k: |\n  a\n\n# comment\n", "a\n"),
    ("k: |\n  no final break", "no final break\n"),
    ("k: >\n  a\n  b\n\n  c\n", "a b\nc\n"),
    ("k: >-\n  a\n  b\n\n\n", "a b"),
    ("k: >+\n  a\n\n\nn: 1\n", "a\n\n\n"),
    (
        "k: >\n\n  a\n  b\n   more\n   indented\n  c\n\n\n  d\n",
        "\na b\n more\n indented\nc\n\nd\n",
    ),
    ("k: >\n  a\n\n   b\n  c\n", "a\n\n b\nc\n"),
    ("k: >\n  a\n  \tb\n  c\n", "a\n\tb\nc\n"),
    ("k: >2-\n   a\n  b\n  c\n", " a\nb c"),
    ("k: |+\n\n  \n\nn: 1\n", "\n\n\n"),
    ("k: >+\n\n\n", "\n\n"),
    ("k: |\n\nn: 1\n", ""),
    ("k: |\n  ünï → 😀\n  é\n", "ünï → 😀\né\n"),
    ("k: >\n  ünï →\n  😀\n", "ünï → 😀\n"),
    ("k: |\r\n\r\n  a\r\n  b\r\n\r\n", "\na\nb\n"),
    ("k: >+\r\n  a\r\n  b\r\n\r\n  c\r\n\r\n", "a b\nc\n\n"),
];

#[test]
fn every_case_maps_exactly() {
    for (src, expected) in CASES {
        let s = scalar_at(src, "k");
        assert_eq!(&s.value, expected, "{src:?}");
        let style = if src.starts_with("k: |") {
            Style::Literal
        } else {
            Style::Folded
        };
        assert_eq!(s.style, style);
    }
}

#[test]
fn literal_offsets() {
    let src = "k: |-\n\n    a\n     b\n";
    let s = scalar_at(src, "k");
    assert_eq!(s.value, "\na\n b");
    assert_eq!(s.file_offset(0), 6); // the empty line's break
    assert_eq!(s.file_offset(1), offset_of(src, "a\n"));
    assert_eq!(s.file_offset(2), offset_of(src, "\n     b"));
    assert_eq!(s.file_offset(3), offset_of(src, " b"));
    // Strip chomping: the content ends right after `b`.
    assert_eq!(s.file_offset(s.value.len()), offset_of(src, "b") + 1);
}

#[test]
fn folded_offsets() {
    let src = "k: >\n  one\n  two\n\n  three\n";
    let s = scalar_at(src, "k");
    assert_eq!(s.value, "one two\nthree\n");
    assert_eq!(s.file_offset(3), offset_of(src, "\n  two")); // folded space -> newline
    assert_eq!(s.file_offset(4), offset_of(src, "two"));
    assert_eq!(s.file_offset(8), offset_of(src, "three"));
    // Clip chomping: the end is after the final kept line break.
    assert_eq!(s.file_offset(s.value.len()), src.len() as u32);
}

#[test]
fn in_sequences_and_top_level() {
    for src in ["- |\n  a\n  b\n- >\n  c\n  d\n", "--- |\na\nb\n--- >\n c\n d\n"] {
        let docs = parse_ok(src);
        let mut all = Vec::new();
        for d in &docs {
            scalars(d.root.as_ref().unwrap(), &mut all);
        }
        let values: Vec<_> = all.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(values, ["a\nb\n", "c d\n"], "{src:?}");
        for s in all {
            check_mapping(src, s);
        }
    }
}
