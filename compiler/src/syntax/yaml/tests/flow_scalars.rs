//! Offset maps of plain, single- and double-quoted scalars.

use super::{Style, check_mapping, parse_ok, scalar_at, scalars};

fn offset_of(src: &str, needle: &str) -> u32 {
    src.find(needle).unwrap_or_else(|| panic!("{needle:?} not in source")) as u32
}

#[test]
fn plain_single_line() {
    let src = "key: proc.name = bash and fd.name contains /etc  # comment\n";
    let s = scalar_at(src, "key");
    assert_eq!(s.value, "proc.name = bash and fd.name contains /etc");
    assert_eq!(s.style, Style::Plain);
    assert_eq!(s.file_offset(0), 5);
    assert_eq!(s.file_offset(s.value.len()), offset_of(src, "  #"));
    assert_eq!(s.file_span(0..9), super::Span::new(5, 14));
}

#[test]
fn plain_multi_line_folds() {
    let src = "key: a and  \n    b or\tc\n\n\n    d  \n  e # c\nnext: 1\n";
    let s = scalar_at(src, "key");
    assert_eq!(s.value, "a and b or\tc\n\nd e");
    // The folded space after `and` maps to the newline, not to the trailing blanks.
    assert_eq!(s.file_offset(5), offset_of(src, "\n    b"));
    assert_eq!(s.file_offset(6), offset_of(src, "b or"));
    assert_eq!(s.file_offset(s.value.len()), offset_of(src, " # c"));
}

#[test]
fn plain_in_flow_sequence() {
    let src = "comps: [=, a b,\n  c\n  d]\n";
    let docs = parse_ok(src);
    let items = docs[0]
        .root
        .as_ref()
        .unwrap()
        .get("comps")
        .unwrap()
        .value
        .as_seq()
        .unwrap()
        .to_vec();
    let values: Vec<_> = items.iter().map(|n| n.as_scalar().unwrap().value.clone()).collect();
    assert_eq!(values, ["=", "a b", "c d"]);
    for n in &items {
        check_mapping(src, n.as_scalar().unwrap());
    }
}

#[test]
fn single_quoted() {
    let src = "key: 'it''s a ''x''\n\n   y  \n z'\n";
    let s = scalar_at(src, "key");
    assert_eq!(s.value, "it's a 'x'\ny z");
    assert_eq!(s.style, Style::SingleQuoted);
    // `''` -> `'` maps to the first quote of the pair.
    assert_eq!(s.file_offset(2), offset_of(src, "''s"));
    assert_eq!(s.file_offset(3), offset_of(src, "s a"));
    // The end is the closing quote.
    assert_eq!(s.file_offset(s.value.len()), src.rfind('\'').unwrap() as u32);
}

#[test]
fn double_quoted_escapes() {
    let src = concat!(
        "key: \"a\\nb\\tc\\\\d\\\"e\\x41\\u00e9\\U0001F600\\uD83D\\uDE00 \\\n",
        "   f\\ g\\/\\0\\N\\_\\L\\P\\e\\\t|\"\n"
    );
    let s = scalar_at(src, "key");
    assert_eq!(
        s.value,
        "a\nb\tc\\d\"eAé😀😀 f g/\0\u{85}\u{a0}\u{2028}\u{2029}\u{1b}\t|"
    );
    assert_eq!(s.style, Style::DoubleQuoted);
    // Each decoded char maps to its backslash, the following text to its own bytes.
    assert_eq!(s.file_offset(1), offset_of(src, "\\nb"));
    assert_eq!(s.file_offset(2), offset_of(src, "b\\t"));
    let e_acute = s.value.find('é').unwrap();
    assert_eq!(s.file_offset(e_acute), offset_of(src, "\\u00e9"));
    let pair = s.value.rfind('😀').unwrap();
    assert_eq!(s.file_offset(pair), offset_of(src, "\\uD83D"));
    // The space before the escaped line break is content; the break itself yields nothing.
    let f = s.value.find('f').unwrap();
    assert_eq!(&s.value[f - 1..f], " ");
    assert_eq!(s.file_offset(f), offset_of(src, "f\\ g"));
    assert_eq!(s.file_offset(s.value.len()), src.rfind('"').unwrap() as u32);
}

#[test]
fn double_quoted_folding_and_escaped_breaks() {
    let src = "key: \"a  \n\n\n  b \\\n\n  c\\\n  d\n  e\"\n";
    let s = scalar_at(src, "key");
    assert_eq!(s.value, "a\n\nb \ncd e");
}

#[test]
fn multibyte_utf8() {
    let src = "a: ünï cödé → 😀\nb: 'ü''ö\n  ä'\nc: \"é\\té\n  ñ\"\n";
    assert_eq!(scalar_at(src, "a").value, "ünï cödé → 😀");
    assert_eq!(scalar_at(src, "b").value, "ü'ö ä");
    assert_eq!(scalar_at(src, "c").value, "é\té ñ");
}

#[test]
fn crlf_and_bom() {
    let src = "\u{feff}a: x\r\n  y\r\n\r\n  z\r\nb: 'p\r\n  q'\r\nc: \"m\\\r\n  n\r\n  o\"\r\n";
    assert_eq!(scalar_at(src, "a").value, "x y\nz");
    assert_eq!(scalar_at(src, "b").value, "p q");
    assert_eq!(scalar_at(src, "c").value, "mn o");
    let a = scalar_at(src, "a");
    assert_eq!(a.file_offset(0), offset_of(src, "x"));
    // A folded CRLF maps to its `\r`.
    assert_eq!(a.file_offset(1), offset_of(src, "\r\n  y"));
}

#[test]
fn keys_are_mapped_too() {
    let src = "\"k\\x41y\": 1\n'q''k': 2\n? |\n  long key\n: 3\n";
    let docs = parse_ok(src);
    let mut all = Vec::new();
    scalars(docs[0].root.as_ref().unwrap(), &mut all);
    let values: Vec<_> = all.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(values, ["kAy", "1", "q'k", "2", "long key\n", "3"]);
    for s in all {
        check_mapping(src, s);
    }
}
