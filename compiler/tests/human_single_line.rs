//! The direct renderer of one-label reports (`diag::render::single_line`) against its
//! oracle, ariadne configured as the human renderer configures it: wherever the direct
//! renderer answers, the text is ariadne's, byte for byte.

use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};
use falcorc_compiler::diag::render::single_line::{self, Parts};
use falcorc_compiler::lines::LineIndex;
use proptest::prelude::*;

fn ariadne(p: &Parts) -> String {
    let kind = if p.error {
        ReportKind::Error
    } else {
        ReportKind::Warning
    };
    let name = p.file_name.to_string();
    let mut b = Report::build(kind, (name.clone(), p.span.clone()))
        .with_config(Config::default().with_index_type(IndexType::Byte).with_color(false))
        .with_code(p.code)
        .with_message(p.message)
        .with_label(Label::new((name.clone(), p.span.clone())).with_message(p.label));
    if let Some(h) = p.help {
        b = b.with_help(h);
    }
    let mut out = Vec::new();
    b.finish()
        .write((name, Source::from(p.text)), &mut out)
        .expect("ariadne writes to a Vec");
    String::from_utf8(out).expect("ariadne writes UTF-8")
}

/// The direct renderer's answer, located as the human renderer locates it.
fn direct(p: &Parts) -> Option<String> {
    if !single_line::newline_only(p.text) {
        return None;
    }
    let idx = LineIndex::new(p.text);
    let line = idx.line_of(p.span.start as u32);
    let start = idx.line_start(line, p.text) as usize;
    let end = idx.line_start(line + 1, p.text) as usize;
    single_line::render(p, line as usize, start, end)
}

fn parts<'a>(text: &'a str, span: std::ops::Range<usize>, label: &'a str, help: Option<&'a str>) -> Parts<'a> {
    Parts {
        code: "macro-used-once",
        error: false,
        message: "this macro is used only once (macro 'm')",
        file_name: "rules.yaml",
        text,
        span,
        label,
        help,
    }
}

#[test]
fn the_common_shapes_take_the_direct_path_and_equal_ariadne() {
    let text = "- macro: m\n  condition: proc.name = bash   \n- rule: r\n  desc: d\n";
    let body = text.find("proc").unwrap();
    let cases: Vec<(std::ops::Range<usize>, Option<&str>)> = vec![
        (9..10, Some("inline it")),
        (body..body + 9, None),
        (body..body, Some("")),
        // A span that takes the line's `\n`, one at the end of a trailing-blank line.
        (
            body..text[body..].find('\n').unwrap() + body + 1,
            Some("two\nlines\r\nand\n"),
        ),
        (text.len() - 2..text.len() - 1, Some("last")),
    ];
    for (span, help) in cases {
        let p = parts(text, span.clone(), "here", help);
        let got = direct(&p).unwrap_or_else(|| panic!("{span:?} takes the direct path"));
        assert_eq!(got, ariadne(&p), "{span:?}");
    }
    // Line numbers of one to four digits widen the margin alike.
    let long: String = (0..1200).map(|i| format!("- list: l{i}\n")).collect();
    for line in [0usize, 8, 9, 98, 99, 998, 999, 1199] {
        let at = long
            .match_indices('\n')
            .nth(line.wrapping_sub(1))
            .map_or(0, |(i, _)| i + 1);
        let p = parts(&long, at + 2..at + 6, "label", Some("help"));
        assert_eq!(direct(&p).expect("direct"), ariadne(&p), "line {line}");
    }
    // At the end of a text without a final newline.
    let p = parts("- list: x", 9..9, "end", None);
    assert_eq!(direct(&p).expect("direct"), ariadne(&p));
}

#[test]
fn other_shapes_are_left_to_ariadne() {
    for (text, span) in [
        ("a\tb\n", 0..1),
        ("é = x\n", 3..4),
        ("a\r\nb\n", 0..1),
        ("a\x0bb\n", 0..1),
        ("ab\ncd\n", 0..4),
        ("ab\n", 3..3),
        ("", 0..0),
    ] {
        assert!(
            direct(&parts(text, span.clone(), "l", None)).is_none(),
            "{text:?} {span:?}"
        );
    }
}

fn line_text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[ -~]{0,30}",
        1 => "[ -~\t]{0,12}",
        1 => "[a-z é→\u{3000}]{0,8}",
        1 => "[a-z\r\u{b}\u{c}\u{85}\u{2028}]{0,6}",
    ]
}

fn message() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[ -~]{0,24}", 1 => "[a-z \n\r→é]{0,16}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn direct_reports_are_ariadnes(
        lines in prop::collection::vec(line_text(), 1..14),
        final_newline in any::<bool>(),
        at in any::<prop::sample::Index>(),
        len in 0usize..40,
        label in message(),
        help in prop::option::of(message()),
        error in any::<bool>(),
    ) {
        let mut text = lines.join("\n");
        if final_newline {
            text.push('\n');
        }
        let mut start = at.index(text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut p = parts(&text, start..end, &label, help.as_deref());
        p.error = error;
        if let Some(got) = direct(&p) {
            prop_assert_eq!(got, ariadne(&p));
        }
    }
}
