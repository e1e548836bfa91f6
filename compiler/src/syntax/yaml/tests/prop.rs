//! Property test: condition-like text emitted in every scalar style decodes to the expected
//! value, and every character maps back to its source.

use proptest::prelude::*;

use super::{Style, scalar_at};

/// A line of condition-like text, safe as a plain scalar line.
fn plain_line() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9._()=<>é→-]{0,8}( [a-z0-9._()=<>é→-]{1,8}){0,5}"
}

/// Any condition-like text (quotes, `#`, `:` included), no leading or trailing blanks.
fn text_line() -> impl Strategy<Value = String> {
    "[a-z0-9._()=<>'\"#:,!é→-]{1,8}(  ?[a-z0-9._()=<>'\"#:,!é→\\\\-]{1,8}){0,5}"
}

/// Lines with the number of empty lines after each (the last one's is ignored by flow styles).
fn lines(line: impl Strategy<Value = String>) -> impl Strategy<Value = Vec<(String, usize)>> {
    prop::collection::vec((line, 0usize..3), 1..5)
}

/// Value of flow-style lines: a single break folds to a space, `n` empty lines give `n` `\n`s.
fn flow_value(lines: &[(String, usize)]) -> String {
    let mut value = String::new();
    for (i, (line, gap)) in lines.iter().enumerate() {
        value.push_str(line);
        if i + 1 < lines.len() {
            if *gap == 0 {
                value.push(' ')
            } else {
                value.push_str(&"\n".repeat(*gap))
            }
        }
    }
    value
}

/// Emit flow-style lines: continuation lines indented, empty lines sometimes with blanks.
fn flow_source(lines: &[(String, usize)], open: &str, close: &str, escape: impl Fn(&str) -> String) -> String {
    let mut src = format!("k: {open}");
    for (i, (line, gap)) in lines.iter().enumerate() {
        if i > 0 {
            src.push_str("  ");
        }
        src.push_str(&escape(line));
        if i + 1 < lines.len() {
            src.push_str(if gap % 2 == 0 { "\n" } else { "  \n" });
            src.push_str(&"\n".repeat(*gap));
        }
    }
    src.push_str(close);
    src.push_str("\nnext: 1\n");
    src
}

fn double_quote(line: &str, use_escapes: bool) -> String {
    let mut out = String::new();
    for c in line.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '(' if use_escapes => out.push_str("\\x28"),
            'é' if use_escapes => out.push_str("\\u00e9"),
            '→' if use_escapes => out.push_str("\\U00002192"),
            _ => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, Debug)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

/// Block-scalar source and expected value. Lines may be more indented (leading blanks).
fn block_case(
    lines: &[(String, usize)],
    folded: bool,
    chomp: Chomp,
    trailing: usize,
    explicit: bool,
) -> (String, String) {
    let spaced = |l: &str| l.starts_with([' ', '\t']);
    let explicit = explicit || spaced(&lines[0].0);
    let indicator = format!(
        "{}{}{}",
        if folded { '>' } else { '|' },
        if explicit { "2" } else { "" },
        match chomp {
            Chomp::Clip => "",
            Chomp::Strip => "-",
            Chomp::Keep => "+",
        }
    );
    let mut src = format!("k: {indicator}\n");
    let mut value = String::new();
    for (i, (line, gap)) in lines.iter().enumerate() {
        src.push_str("  ");
        src.push_str(line);
        src.push('\n');
        value.push_str(line);
        if i + 1 < lines.len() {
            for g in 0..*gap {
                src.push_str(if g % 2 == 0 { "\n" } else { " \n" });
            }
            let next = &lines[i + 1].0;
            if folded && !spaced(line) && !spaced(next) {
                if *gap == 0 {
                    value.push(' ')
                } else {
                    value.push_str(&"\n".repeat(*gap))
                }
            } else {
                value.push_str(&"\n".repeat(gap + 1));
            }
        }
    }
    src.push_str(&"\n".repeat(trailing));
    match chomp {
        Chomp::Clip => value.push('\n'),
        Chomp::Strip => {}
        Chomp::Keep => value.push_str(&"\n".repeat(trailing + 1)),
    }
    src.push_str("next: 1\n");
    (src, value)
}

fn chomp() -> impl Strategy<Value = Chomp> {
    prop_oneof![Just(Chomp::Clip), Just(Chomp::Strip), Just(Chomp::Keep)]
}

proptest! {
    #[test]
    fn plain(lines in lines(plain_line())) {
        let src = flow_source(&lines, "", "", str::to_owned);
        let s = scalar_at(&src, "k");
        prop_assert_eq!(s.style, Style::Plain);
        prop_assert_eq!(s.value, flow_value(&lines));
    }

    #[test]
    fn single_quoted(lines in lines(text_line())) {
        let src = flow_source(&lines, "'", "'", |l| l.replace('\'', "''"));
        let s = scalar_at(&src, "k");
        prop_assert_eq!(s.style, Style::SingleQuoted);
        prop_assert_eq!(s.value, flow_value(&lines));
    }

    #[test]
    fn double_quoted(lines in lines(text_line()), use_escapes: bool) {
        let src = flow_source(&lines, "\"", "\"", |l| double_quote(l, use_escapes));
        let s = scalar_at(&src, "k");
        prop_assert_eq!(s.style, Style::DoubleQuoted);
        prop_assert_eq!(s.value, flow_value(&lines));
    }

    #[test]
    fn block(
        lines in lines(("( {1,2})?", text_line()).prop_map(|(a, b)| a + &b)),
        folded: bool,
        chomp in chomp(),
        trailing in 0usize..3,
        explicit: bool,
    ) {
        let (src, value) = block_case(&lines, folded, chomp, trailing, explicit);
        let s = scalar_at(&src, "k");
        prop_assert_eq!(s.style, if folded { Style::Folded } else { Style::Literal });
        prop_assert_eq!(s.value, value);
    }
}

proptest! {
    /// Arbitrary YAML-ish text never panics, and whatever parses maps exactly.
    #[test]
    fn arbitrary_input(src in "[a-z :'\"\\\\|>#\\[\\]{},&*!?~\n\t\r é1-]{0,80}") {
        let (docs, _) = super::parse(&src, &super::Limits::default());
        for doc in &docs {
            let mut all = Vec::new();
            if let Some(root) = &doc.root {
                super::scalars(root, &mut all);
            }
            for s in all {
                super::check_mapping(&src, s);
            }
        }
    }
}

proptest! {
    /// Line-structured random input: indentation, block indicators, quotes, escapes, CRLF.
    #[test]
    fn arbitrary_lines(src in "( {0,4}(- |k: |\\? )?[a-z|>+\\-12'\"\\\\ #:]{0,10}(\n|\r\n| \n)){0,8}") {
        let (docs, _) = super::parse(&src, &super::Limits::default());
        for doc in &docs {
            let mut all = Vec::new();
            if let Some(root) = &doc.root {
                super::scalars(root, &mut all);
            }
            for s in all {
                super::check_mapping(&src, s);
            }
        }
    }
}
