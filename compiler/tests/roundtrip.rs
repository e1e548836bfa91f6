//! Property tests: printing a parsed condition and parsing it again gives the same AST;
//! arbitrary bytes never make the loader or the parser panic.

use falcorc_compiler::syntax::condition::{self, ast::Expr, print};
use falcorc_compiler::{Options, SourceFile, analyze};
use proptest::prelude::*;

fn strip(e: &Expr) -> String {
    // Spans differ between the two parses; compare the canonical print and the
    // debug form without spans.
    let mut e = e.clone();
    e.map_spans(&mut |_| Default::default());
    // The quote character is presentation, not meaning.
    format!("{e:?}")
        .replace("quote: Some('\"'), ", "")
        .replace("quote: Some('\\''), ", "")
        .replace("quote: None, ", "")
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("proc.name".to_string()),
        Just("fd.name".to_string()),
        Just("evt.type".to_string()),
        Just("proc.pid".to_string()),
        Just("proc.aname[2]".to_string()),
        Just("proc.env[HOME]".to_string()),
        Just("evt.arg.flags".to_string()),
        Just("tolower(proc.name)".to_string()),
        Just("len(fd.name)".to_string()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z/._*]{1,8}".prop_map(|s| s),
        "[a-z ]{1,8}".prop_map(|s| format!("\"{s}\"")),
        "[a-z=,()]{1,6}".prop_map(|s| format!("'{s}'")),
        "[0-9]{1,4}".prop_map(|s| s),
        // Escapes, some of bytes that are not UTF-8 alone (kept as raw bytes).
        proptest::collection::vec(any::<u8>(), 1..6).prop_map(|b| {
            let hex: String = b.iter().map(|x| format!("\\x{x:02x}")).collect();
            format!("\"{hex}\"")
        }),
    ]
}

fn check() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            field(),
            prop_oneof![
                Just("="),
                Just("!="),
                Just("contains"),
                Just("startswith"),
                Just("glob")
            ],
            value()
        )
            .prop_map(|(f, o, v)| format!("{f} {o} {v}")),
        (field(), prop::collection::vec(value(), 0..4)).prop_map(|(f, vs)| format!("{f} in ({})", vs.join(", "))),
        field().prop_map(|f| format!("{f} exists")),
        (field(), prop::collection::vec(value(), 1..3))
            .prop_map(|(f, vs)| format!("{f} startswith oneof ({})", vs.join(", "))),
        "[a-z][a-z_]{0,6}".prop_map(|m| m),
        Just("proc.name = val(proc.pname)".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = check();
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|xs| xs.join(" and ")),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|xs| xs.join(" or ")),
            inner.clone().prop_map(|x| format!("not ({x})")),
            inner.prop_map(|x| format!("({x})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_then_parse_is_identity(src in expr()) {
        let first = condition::parse(&src);
        prop_assume!(first.errors.is_empty());
        let ast = first.expr.unwrap();
        let printed = print::to_string(&ast);
        let second = condition::parse(&printed);
        prop_assert!(second.errors.is_empty(), "printed {printed:?} does not parse: {:?}", second.errors);
        let again = second.expr.unwrap();
        prop_assert_eq!(strip(&ast), strip(&again), "printed: {}", printed);
        prop_assert_eq!(print::to_string(&again), printed);
    }

    #[test]
    fn parser_never_panics(src in "\\PC{0,80}") {
        let _ = condition::parse(&src);
    }

    #[test]
    fn parser_never_panics_on_condition_like_text(src in "[a-z. ()=!<>,\"'\\[\\]\\\\0-9]{0,60}") {
        let _ = condition::parse(&src);
    }

    #[test]
    fn loader_never_panics(src in "\\PC{0,200}") {
        let _ = analyze(vec![SourceFile { name: "f.yaml".into(), text: src }], &Options::default());
    }

    #[test]
    fn loader_never_panics_on_rule_like_yaml(
        cond in "[a-z. ()=!<>,\"'\\[\\]0-9%]{0,40}",
        key in prop_oneof![Just("rule"), Just("macro"), Just("list"), Just("nope")],
        extra in prop_oneof![Just(""), Just("  append: true\n"), Just("  override:\n    condition: append\n"), Just("  exceptions:\n    - name: e\n      fields: [proc.name]\n      values: [[a]]\n")],
    ) {
        let text = format!("- {key}: x\n  condition: {cond:?}\n  output: \"o %proc.name\"\n  desc: d\n  priority: INFO\n  items: [a, b]\n{extra}");
        let _ = analyze(vec![SourceFile { name: "f.yaml".into(), text }], &Options::default());
    }
}

/// Found by the condition fuzzer (`tests/fuzz.rs`): a string value ending in a backslash
/// printed as `"…\\"`, whose closing quote the lexer reads as escaped.
#[test]
fn a_value_ending_in_a_backslash_prints_back() {
    let src = r#"proc.name = "bad escape \ ""#;
    let ast = condition::parse(src).expr.expect("parses");
    let printed = print::to_string(&ast);
    let again = condition::parse(&printed);
    assert!(again.errors.is_empty(), "{printed}: {:?}", again.errors);
    assert_eq!(strip(&again.expr.unwrap()), strip(&ast), "{printed}");
}

/// Found by the condition fuzzer: a quoted field argument holding a vertical tab was
/// printed bare, and the lexer ends a bare argument at any POSIX space.
#[test]
fn a_field_argument_with_any_blank_prints_back() {
    for blank in [' ', '\t', '\n', '\x0B', '\x0C', '\r'] {
        let src = format!("proc.env['a{blank}b'] = x");
        let ast = condition::parse(&src).expr.expect("parses");
        let printed = print::to_string(&ast);
        let again = condition::parse(&printed);
        assert!(again.errors.is_empty(), "{printed:?}: {:?}", again.errors);
        assert_eq!(strip(&again.expr.unwrap()), strip(&ast), "{printed:?}");
    }
}
