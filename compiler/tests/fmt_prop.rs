//! Property tests of `falcorc fmt`: generated rules files (random scalar styles, comments,
//! indentation and list styles) format to a fixed point that loads to the same ruleset and
//! keeps every comment; two layouts of the same file format to the same text; YAML-like
//! noise never makes the formatter panic.

mod fmt_common;

use falcorc_compiler::fmt::format;
use fmt_common::check;
use proptest::prelude::*;

/// A condition from a small grammar, as a list of words (line breaks go between words).
fn condition() -> impl Strategy<Value = Vec<String>> {
    let atom = prop_oneof![
        Just("evt.type = open".to_string()),
        Just("evt.type in (open, openat)".to_string()),
        Just("proc.name in (shells)".to_string()),
        Just("fd.name startswith /etc".to_string()),
        Just("proc.cmdline contains \"a  b\"".to_string()),
        Just("proc.name = 'cat'".to_string()),
        Just("fd.num >= 0".to_string()),
        Just("spawned".to_string()),
        Just("not spawned".to_string()),
    ];
    let expr = atom.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    });
    expr.prop_map(|e| words(&e))
}

/// Split at spaces outside double quotes (a break inside a quoted string would still be the
/// same YAML value, but keep conditions readable).
fn words(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in s.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == ' ' && !quoted {
            out.push(String::new());
        } else if let Some(w) = out.last_mut() {
            w.push(c);
        }
    }
    out
}

#[derive(Clone, Debug)]
enum Style {
    Plain,
    PlainLines,
    Folded { strip: bool, extra: Vec<usize> },
    Literal,
    Single,
    Double,
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        Just(Style::Plain),
        Just(Style::PlainLines),
        (
            any::<bool>(),
            prop::collection::vec(prop_oneof![4 => Just(0usize), 1 => Just(2usize)], 0..6)
        )
            .prop_map(|(strip, extra)| Style::Folded { strip, extra }),
        Just(Style::Literal),
        Just(Style::Single),
        Just(Style::Double),
    ]
}

/// A scalar value: its words, where lines break (after which words), and its style.
#[derive(Clone, Debug)]
struct Text {
    words: Vec<String>,
    breaks: Vec<bool>,
    style: Style,
    comment: Option<String>,
}

fn text(words: impl Strategy<Value = Vec<String>>) -> impl Strategy<Value = Text> {
    (
        words,
        prop::collection::vec(prop::bool::weighted(0.3), 12),
        style(),
        comment(),
    )
        .prop_map(|(words, breaks, style, comment)| Text {
            words,
            breaks,
            style,
            comment,
        })
}

fn comment() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.3, "[a-z :#'\"-]{0,12}".prop_map(|s| format!("# {s}")))
}

#[derive(Clone, Debug)]
struct ListItem {
    text: String,
    comment: Option<String>,
}

fn list_item() -> impl Strategy<Value = ListItem> {
    let value = prop_oneof![
        Just("bash".to_string()),
        Just("/usr/bin/sh".to_string()),
        Just("'\"(systemd)\"'".to_string()),
        Just("\"runc:[1:CHILD]\"".to_string()),
        Just("'yes'".to_string()),
        Just("\"123\"".to_string()),
        Just("=".to_string()),
        Just("\"it's\"".to_string()),
        Just("'#hash'".to_string()),
        "[a-z][a-z0-9_.-]{0,24}",
    ];
    (value, comment()).prop_map(|(text, comment)| ListItem { text, comment })
}

#[derive(Clone, Debug)]
enum Value {
    Text(Text),
    List(Vec<ListItem>),
}

#[derive(Clone, Debug)]
struct Key {
    name: &'static str,
    value: Value,
    lead: Option<String>,
}

#[derive(Clone, Debug)]
struct Item {
    lead: Vec<String>,
    /// Blank line between the leading comments and the item.
    lead_gap: bool,
    kind: &'static str,
    name: String,
    keys: Vec<Key>,
    close: Option<String>,
}

fn item(i: usize) -> impl Strategy<Value = Item> {
    let lead = prop::collection::vec(comment().prop_filter_map("some", |c| c), 0..3);
    let key_lead = comment;
    let list = prop::collection::vec(list_item(), 1..12).prop_map(Value::List);
    let cond = text(condition()).prop_map(Value::Text);
    let desc = text(prop::collection::vec("[a-z]{1,8}", 1..14)).prop_map(Value::Text);
    let kinds = prop_oneof![Just("list"), Just("macro"), Just("rule")];
    (
        kinds,
        lead,
        any::<bool>(),
        list,
        cond,
        desc,
        key_lead(),
        key_lead(),
        key_lead(),
        comment(),
    )
        .prop_map(move |(kind, lead, lead_gap, list, cond, desc, l1, l2, l3, close)| {
            let keys = match kind {
                "list" => vec![Key {
                    name: "items",
                    value: list,
                    lead: l1,
                }],
                "macro" => vec![Key {
                    name: "condition",
                    value: cond,
                    lead: l1,
                }],
                _ => vec![
                    Key {
                        name: "desc",
                        value: desc,
                        lead: l1,
                    },
                    Key {
                        name: "condition",
                        value: cond,
                        lead: l2,
                    },
                    Key {
                        name: "tags",
                        value: list,
                        lead: l3,
                    },
                    Key {
                        name: "priority",
                        value: Value::Text(Text {
                            words: vec!["WARNING".into()],
                            breaks: vec![],
                            style: Style::Plain,
                            comment: None,
                        }),
                        lead: None,
                    },
                ],
            };
            Item {
                lead,
                lead_gap,
                kind,
                name: format!("{kind}_{i}"),
                keys,
                close,
            }
        })
}

/// How the same file is written: indentation and list styles.
#[derive(Clone, Debug)]
struct Layout {
    /// Column of the top-level dash.
    base: usize,
    /// Spaces after the dash (the keys' column is base + 1 + this).
    after_dash: usize,
    /// Extra indentation of continuation lines.
    cont: usize,
    flow_lists: bool,
    /// Block lists indented under their key (else at the key's column).
    indented_lists: bool,
    /// Blank lines between items.
    gaps: Vec<usize>,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        0..3usize,
        1..4usize,
        0..4usize,
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(0..3usize, 8),
    )
        .prop_map(|(base, after_dash, cont, flow_lists, indented_lists, gaps)| Layout {
            base,
            after_dash,
            cont,
            flow_lists,
            indented_lists,
            gaps,
        })
}

fn lines_of(t: &Text) -> Vec<String> {
    let mut lines = vec![String::new()];
    for (i, w) in t.words.iter().enumerate() {
        let last = lines.last_mut().unwrap();
        if !last.is_empty() {
            last.push(' ');
        }
        last.push_str(w);
        if t.breaks.get(i).copied().unwrap_or(false) && i + 1 < t.words.len() {
            lines.push(String::new());
        }
    }
    lines
}

fn tail(c: &Option<String>) -> String {
    c.as_ref().map(|c| format!(" {c}")).unwrap_or_default()
}

fn render_text(out: &mut String, key_col: usize, lay: &Layout, t: &Text) {
    let lines = lines_of(t);
    let pad = |n: usize| " ".repeat(n);
    let cont = key_col + 2 + lay.cont;
    match &t.style {
        Style::Plain => out.push_str(&format!(" {}{}\n", lines.join(" "), tail(&t.comment))),
        Style::PlainLines => {
            out.push_str(&format!(" {}", lines[0]));
            for l in &lines[1..] {
                out.push_str(&format!("\n{}{l}", pad(cont)));
            }
            out.push_str(&format!("{}\n", tail(&t.comment)));
        }
        Style::Folded { strip, extra } => {
            out.push_str(&format!(" >{}{}\n", if *strip { "-" } else { "" }, tail(&t.comment)));
            // The first line is never more indented, so no indentation indicator is needed.
            for (i, l) in lines.iter().enumerate() {
                let more = if i == 0 { 0 } else { extra.get(i).copied().unwrap_or(0) };
                out.push_str(&format!("{}{l}\n", pad(key_col + 2 + lay.cont + more)));
            }
        }
        Style::Literal => {
            out.push_str(&format!(" |{}\n", tail(&t.comment)));
            for l in &lines {
                out.push_str(&format!("{}{l}\n", pad(key_col + 2 + lay.cont)));
            }
        }
        Style::Single | Style::Double => {
            let (q, esc): (char, fn(&str) -> String) = if matches!(t.style, Style::Single) {
                ('\'', |s| s.replace('\'', "''"))
            } else {
                ('"', |s| s.replace('\\', "\\\\").replace('"', "\\\""))
            };
            out.push_str(&format!(" {q}{}", esc(&lines[0])));
            for l in &lines[1..] {
                out.push_str(&format!("\n{}{}", pad(cont), esc(l)));
            }
            out.push_str(&format!("{q}{}\n", tail(&t.comment)));
        }
    }
}

fn render_list(out: &mut String, key_col: usize, lay: &Layout, items: &[ListItem]) {
    let pad = |n: usize| " ".repeat(n);
    if lay.flow_lists {
        // One item per line and `]` on a line of its own, so each comment follows its item
        // (a comment after `]` would belong to the whole list).
        out.push_str(" [");
        for (i, it) in items.iter().enumerate() {
            let sep = if i + 1 < items.len() { "," } else { "" };
            if i > 0 {
                out.push_str(&pad(key_col + 2 + lay.cont));
            }
            out.push_str(&format!("{}{sep}{}\n", it.text, tail(&it.comment)));
        }
        out.push_str(&format!("{}]\n", pad(key_col + 2)));
    } else {
        out.push('\n');
        let col = key_col + if lay.indented_lists { 2 } else { 0 };
        for it in items {
            out.push_str(&format!("{}- {}{}\n", pad(col), it.text, tail(&it.comment)));
        }
    }
}

fn render(items: &[Item], lay: &Layout) -> String {
    let pad = |n: usize| " ".repeat(n);
    let key_col = lay.base + 1 + lay.after_dash;
    let mut out = String::new();
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&"\n".repeat(lay.gaps.get(i).copied().unwrap_or(1)));
        }
        for c in &it.lead {
            out.push_str(&format!("{c}\n"));
        }
        if it.lead_gap && !it.lead.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}-{}{}: {}\n",
            pad(lay.base),
            pad(lay.after_dash),
            it.kind,
            it.name
        ));
        for k in &it.keys {
            if let Some(c) = &k.lead {
                out.push_str(&format!("{}{c}\n", pad(key_col)));
            }
            out.push_str(&format!("{}{}:", pad(key_col), k.name));
            match &k.value {
                Value::Text(t) => render_text(&mut out, key_col, lay, t),
                Value::List(l) => render_list(&mut out, key_col, lay, l),
            }
        }
        if let Some(c) = &it.close {
            out.push_str(&format!("{}{c}\n", pad(key_col)));
        }
    }
    out
}

fn file() -> impl Strategy<Value = Vec<Item>> {
    (1..6usize).prop_flat_map(|n| (0..n).map(item).collect::<Vec<_>>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_files_format_safely(items in file(), lay in layout()) {
        let text = render(&items, &lay);
        let out = check(&text).map_err(|e| TestCaseError::fail(format!("{e}\n--- input\n{text}")))?;
        prop_assert!(out.is_some(), "declined:\n{}", text);
    }

    #[test]
    fn layouts_of_one_file_format_alike(items in file(), a in layout(), b in layout()) {
        let (ta, tb) = (render(&items, &a), render(&items, &b));
        let (fa, fb) = (format(&ta), format(&tb));
        prop_assert!(fa.is_ok() && fb.is_ok(), "{:?} {:?}\n{}\n{}", fa, fb, ta, tb);
        prop_assert_eq!(fa.unwrap(), fb.unwrap(), "\n--- a\n{}--- b\n{}", ta, tb);
    }

    #[test]
    fn yaml_like_noise_never_panics(text in "[-a-c :#'\"\\[\\]{},|>&*!?~\n]{0,80}") {
        check(&text).map_err(|e| TestCaseError::fail(format!("{e}\n--- input\n{text}")))?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = format(&text);
    }

    #[test]
    fn noisy_items_never_break_a_file(
        items in file(),
        lay in layout(),
        noise in "[-a-c :#'\"\\[\\]{},|>&*!?~\n]{0,30}",
        at in any::<prop::sample::Index>(),
    ) {
        let mut text = render(&items, &lay);
        let mut cut = at.index(text.len() + 1);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.insert_str(cut, &noise);
        check(&text).map_err(|e| TestCaseError::fail(format!("{e}\n--- input\n{text}")))?;
    }
}
