//! Documents, nulls, anchors, tags, errors and limits.

use std::time::{Duration, Instant};

use super::{Limits, Span, check_mapping, parse, parse_ok};

#[test]
fn multiple_documents() {
    let src = "a: 1\n---\n- x\n---\n...\n--- b\n--- ~\n";
    let docs = parse_ok(src);
    assert_eq!(docs.len(), 5);
    assert!(docs[4].root.as_ref().unwrap().is_null(), "an explicit null is a root");
    assert!(docs[0].root.as_ref().unwrap().as_map().is_some());
    assert!(docs[1].root.as_ref().unwrap().as_seq().is_some());
    assert!(docs[2].root.is_none());
    assert_eq!(docs[3].root.as_ref().unwrap().as_scalar().unwrap().value, "b");
    assert_eq!(docs[0].span.start, 0);
}

#[test]
fn empty_input() {
    assert!(parse_ok("").is_empty());
    assert!(parse_ok("# only a comment\n").is_empty());
}

#[test]
fn nulls() {
    let src = "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: \"null\"\ng: ''\nh: !!str null\ni: !!str\nj: nULL\n";
    let docs = parse_ok(src);
    let root = docs[0].root.as_ref().unwrap();
    for key in ["a", "b", "c", "d", "e", "i"] {
        assert!(root.get(key).unwrap().value.is_null(), "{key}");
    }
    let e = &root.get("e").unwrap().value;
    assert!(e.span.is_empty() && (e.span.start as usize) < src.find("f:").unwrap());
    assert_eq!(root.get("i").unwrap().value.tag.as_deref(), Some("!!str"));
    for (key, value) in [("f", "null"), ("g", ""), ("h", "null"), ("j", "nULL")] {
        let s = root
            .get(key)
            .unwrap()
            .value
            .as_scalar()
            .unwrap_or_else(|| panic!("{key}"));
        assert_eq!(s.value, value);
        check_mapping(src, s);
    }
    assert_eq!(root.get("h").unwrap().value.tag.as_deref(), Some("!!str"));
    let seq = parse_ok("- ~\n-\n- x\n");
    let items = seq[0].root.as_ref().unwrap().as_seq().unwrap();
    assert!(items[0].is_null() && items[1].is_null());
}

#[test]
fn bare_equals_is_a_string() {
    let src = "- list: ops\n  items: [=, \"!=\"]\n  comps: [=]\n";
    let docs = parse_ok(src);
    let rule = &docs[0].root.as_ref().unwrap().as_seq().unwrap()[0];
    let comps = rule.get("comps").unwrap().value.as_seq().unwrap();
    assert_eq!(comps[0].as_scalar().unwrap().value, "=");
    let at = src.find("[=]").unwrap() as u32 + 1;
    assert_eq!(comps[0].span, Span::new(at, at + 1));
}

#[test]
fn anchors_aliases_tags_and_duplicates() {
    let src = "base: &b !tag\n  x: [1, &one 2]\nuse: *b\nagain: *one\nbase: dup\n";
    let docs = parse_ok(src);
    let root = docs[0].root.as_ref().unwrap();
    let base = &root.get("base").unwrap().value;
    assert_eq!(base.tag.as_deref(), Some("!tag"));
    let copy = &root.get("use").unwrap().value;
    assert_eq!(copy, base, "an alias is a deep copy, spans included");
    let again = root.get("again").unwrap().value.as_scalar().unwrap();
    assert_eq!(again.value, "2");
    check_mapping(src, again);
    // Duplicate keys are kept in order; `get` finds the first.
    let keys: Vec<_> = root
        .as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_scalar().unwrap().value.as_str())
        .collect();
    assert_eq!(keys, ["base", "use", "again", "base"]);
}

#[test]
fn collection_spans() {
    let src = "a:\n  - x\n  - y: z\n# trailing comment\nb: [1, {c: d}]\n";
    let docs = parse_ok(src);
    let root = docs[0].root.as_ref().unwrap();
    let a = &root.get("a").unwrap().value;
    assert_eq!(&src[a.span.range()], "- x\n  - y: z");
    let b = &root.get("b").unwrap().value;
    assert_eq!(&src[b.span.range()], "[1, {c: d}]");
    assert_eq!(root.span.start, 0);
}

#[test]
fn billion_laughs_fails_fast() {
    let mut src = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        src.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    let started = Instant::now();
    let (_, errors) = parse(&src, &Limits::default());
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "YAML alias expansion exceeds 2000000 nodes");
    assert!(src[errors[0].span.range()].starts_with("*l"));
}

#[test]
fn node_limit_without_aliases() {
    let limits = Limits {
        max_nodes: 10,
        ..Limits::default()
    };
    let (_, errors) = parse("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", &limits);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("exceeds 10 nodes"));
}

#[test]
fn size_limit() {
    let limits = Limits {
        max_bytes: 8,
        ..Limits::default()
    };
    let (docs, errors) = parse("key: value\n", &limits);
    assert!(docs.is_empty());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].span, Span::empty(0));
    assert_eq!(
        errors[0].message,
        "YAML file is 11 bytes, larger than the limit of 8 bytes"
    );
}

#[test]
fn syntax_errors_are_located_and_later_documents_parsed() {
    let src = "a: 1\n---\nb: [1, 2\n---\nc: 3\n---\n- x\n  y: z\n---\nd: 4\n";
    let (docs, errors) = parse(src, &Limits::default());
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].span.start as usize, src.find('[').unwrap());
    assert!(errors[0].message.contains("unclosed bracket"), "{}", errors[0].message);
    assert_eq!(errors[1].span.start as usize, src.find(": z").unwrap());
    let keys: Vec<_> = docs
        .iter()
        .map(|d| {
            d.root.as_ref().unwrap().as_map().unwrap()[0]
                .key
                .as_scalar()
                .unwrap()
                .value
                .clone()
        })
        .collect();
    assert_eq!(keys, ["a", "c", "d"]);
}

#[test]
fn unknown_alias_is_an_error() {
    let (docs, errors) = parse("a: *nope\n---\nb: 1\n", &Limits::default());
    assert_eq!(errors.len(), 1);
    assert_eq!(docs.len(), 1);
}

#[test]
fn recursive_alias_is_an_error_not_a_loop() {
    let (_, errors) = parse("a: &x [1, *x]\n", &Limits::default());
    assert_eq!(errors.len(), 1, "{errors:?}");
}

#[test]
fn deep_nesting_is_an_error() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let src = format!("{}{}", open.repeat(100_000), close.repeat(100_000));
        let (_, errors) = parse(&src, &Limits::default());
        assert!(!errors.is_empty());
    }
    let block: String = (0..300).map(|i| format!("{}- \n", "  ".repeat(i))).collect::<String>() + "x\n";
    let (_, errors) = parse(&block, &Limits::default());
    assert!(!errors.is_empty());
    // Mixed flow-in-block nesting beyond our limit is caught by our own check.
    let limits = Limits {
        max_depth: 4,
        ..Limits::default()
    };
    let (_, errors) = parse("a:\n  b:\n    c: [[1]]\n", &limits);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("nesting"), "{}", errors[0].message);
    // An alias copy deeper than the limit.
    let (_, errors) = parse("a: &x [[1]]\nb:\n  c:\n    d: *x\n", &limits);
    assert_eq!(errors.len(), 1, "{errors:?}");
}

#[test]
fn garbage_never_panics() {
    let inputs = [
        "\"unterminated",
        "'x",
        "a: |\n\tb",
        "a: \"\\x4\"",
        "{",
        "]",
        "- - -",
        "&a",
        "*",
        "!<",
        "%YAML 9\n---\n",
        "a: >\n   b\n  c",
        "\u{feff}\u{feff}",
        "\r\r\r",
        "a: \"\\uD800\"",
        "? ? ? a",
        "a:\n- b\n c",
    ];
    for src in inputs {
        let _ = parse(src, &Limits::default());
    }
}
