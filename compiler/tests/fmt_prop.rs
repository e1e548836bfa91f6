//! Property tests of `falcorc fmt`: generated rules files (random scalar styles, comments,
//! indentation, list styles, exceptions with nested value tuples) format to a fixed point that
//! loads to the same ruleset and keeps every comment; two layouts of the same file format to
//! the same text; lists too long for a line are filled greedily within 100 columns; YAML-like
//! noise never makes the formatter panic.

mod fmt_common;

use falcorc_compiler::fmt::format;
use falcorc_compiler::{Options, SourceFile, analyze};
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

/// A list entry as written in the source (no value holds a space, so the entries of a
/// formatted line are its words).
fn list_value() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just("bash".to_string()),
        2 => Just("/usr/bin/sh".to_string()),
        2 => Just("'\"(systemd)\"'".to_string()),
        2 => Just("\"runc:[1:CHILD]\"".to_string()),
        2 => Just("'yes'".to_string()),
        2 => Just("\"123\"".to_string()),
        2 => Just("=".to_string()),
        2 => Just("\"it's\"".to_string()),
        2 => Just("'#hash'".to_string()),
        // Longer than any line: it gets a line of its own in a wrapped list.
        1 => Just("/opt/an/installation/directory/that/is/far/too/long/to/share/a/line/with/another/entry".to_string()),
        18 => "[a-z][a-z0-9_.-]{0,24}",
    ]
}

fn list_item() -> impl Strategy<Value = ListItem> {
    (list_value(), comment()).prop_map(|(text, comment)| ListItem { text, comment })
}

/// Up to 40 entries, so that many lists are too long for a line; half of the lists have no
/// comment at all, so the wrapped layout is exercised as often as the block one.
fn list() -> impl Strategy<Value = Vec<ListItem>> {
    (prop::collection::vec(list_item(), 1..40), any::<bool>()).prop_map(|(mut items, commented)| {
        if !commented {
            items.iter_mut().for_each(|it| it.comment = None);
        }
        items
    })
}

/// One value of an exception tuple: a value or a list of values.
#[derive(Clone, Debug)]
enum Field {
    Value(String),
    List(Vec<String>),
}

/// A tuple of exception `values:`, with a comment on the line above it.
#[derive(Clone, Debug)]
struct Tuple {
    fields: Vec<Field>,
    lead: Option<String>,
}

#[derive(Clone, Debug)]
struct Exception {
    tuples: Vec<Tuple>,
    /// `values:` as the first key (on the dash line), else the last.
    values_first: bool,
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        2 => list_value().prop_map(Field::Value),
        1 => prop::collection::vec(list_value(), 1..8).prop_map(Field::List),
    ]
}

/// An exception over 1 to 3 fields, with tuples of that many values.
fn exception() -> impl Strategy<Value = Exception> {
    (1..4usize, any::<bool>()).prop_flat_map(|(n, values_first)| {
        let tuple = (prop::collection::vec(field(), n), comment()).prop_map(|(fields, lead)| Tuple { fields, lead });
        prop::collection::vec(tuple, 1..4).prop_map(move |tuples| Exception { tuples, values_first })
    })
}

#[derive(Clone, Debug)]
enum Value {
    Text(Text),
    List(Vec<ListItem>),
    Exceptions(Vec<Exception>),
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
    let list = list().prop_map(Value::List);
    let exceptions = prop::option::weighted(0.5, prop::collection::vec(exception(), 1..3));
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
        exceptions,
    )
        .prop_map(
            move |(kind, lead, lead_gap, list, cond, desc, l1, l2, l3, close, exceptions)| {
                let mut keys = match kind {
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
                if let (Some(exceptions), "rule") = (exceptions, kind) {
                    keys.push(Key {
                        name: "exceptions",
                        value: Value::Exceptions(exceptions),
                        lead: None,
                    });
                }
                Item {
                    lead,
                    lead_gap,
                    kind,
                    name: format!("{kind}_{i}"),
                    keys,
                    close,
                }
            },
        )
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
    /// Exception tuples of block lists as block sequences too (`- - a`), else flow.
    block_tuples: bool,
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
        any::<bool>(),
        prop::collection::vec(0..3usize, 8),
    )
        .prop_map(
            |(base, after_dash, cont, flow_lists, indented_lists, block_tuples, gaps)| Layout {
                base,
                after_dash,
                cont,
                flow_lists,
                indented_lists,
                block_tuples,
                gaps,
            },
        )
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

fn flow_field(f: &Field) -> String {
    match f {
        Field::Value(v) => v.clone(),
        Field::List(l) => format!("[{}]", l.join(", ")),
    }
}

fn flow_tuple(t: &Tuple) -> String {
    format!("[{}]", t.fields.iter().map(flow_field).collect::<Vec<_>>().join(", "))
}

/// A tuple as a block sequence whose dash is at `col`: the first value on the dash line.
fn block_tuple(out: &mut String, col: usize, t: &Tuple) {
    let pad = |n: usize| " ".repeat(n);
    for (j, f) in t.fields.iter().enumerate() {
        let at = if j == 0 {
            format!("{}- ", pad(col))
        } else {
            pad(col + 2)
        };
        match f {
            Field::Value(v) => out.push_str(&format!("{at}- {v}\n")),
            Field::List(l) => {
                out.push_str(&format!("{at}- - {}\n", l[0]));
                for x in &l[1..] {
                    out.push_str(&format!("{}- {x}\n", pad(col + 4)));
                }
            }
        }
    }
}

/// `values:` tuples; a tuple's comment goes on the line above it, which means the same in
/// every layout.
fn render_tuples(out: &mut String, key_col: usize, lay: &Layout, tuples: &[Tuple]) {
    let pad = |n: usize| " ".repeat(n);
    if lay.flow_lists {
        out.push_str(" [\n");
        let col = key_col + 2 + lay.cont;
        for (i, t) in tuples.iter().enumerate() {
            if let Some(c) = &t.lead {
                out.push_str(&format!("{}{c}\n", pad(col)));
            }
            let sep = if i + 1 < tuples.len() { "," } else { "" };
            out.push_str(&format!("{}{}{sep}\n", pad(col), flow_tuple(t)));
        }
        out.push_str(&format!("{}]\n", pad(key_col + 2)));
    } else {
        out.push('\n');
        let col = key_col + if lay.indented_lists { 2 } else { 0 };
        for t in tuples {
            if let Some(c) = &t.lead {
                out.push_str(&format!("{}{c}\n", pad(col)));
            }
            if lay.block_tuples {
                block_tuple(out, col, t);
            } else {
                out.push_str(&format!("{}- {}\n", pad(col), flow_tuple(t)));
            }
        }
    }
}

/// `exceptions:` of a rule: fields and comps follow the tuples (`in` for a column that holds a
/// list); `values:` comes first or last.
fn render_exceptions(out: &mut String, key_col: usize, lay: &Layout, exceptions: &[Exception]) {
    const FIELDS: [&str; 3] = ["proc.name", "fd.directory", "proc.pname"];
    let pad = |n: usize| " ".repeat(n);
    let as_items = |v: Vec<String>| {
        v.into_iter()
            .map(|text| ListItem { text, comment: None })
            .collect::<Vec<_>>()
    };
    out.push('\n');
    let dash = key_col + if lay.indented_lists { 2 } else { 0 };
    let col = dash + 2;
    for (i, ex) in exceptions.iter().enumerate() {
        let width = ex.tuples.first().map_or(1, |t| t.fields.len());
        let fields = FIELDS.iter().take(width).map(|f| f.to_string()).collect();
        let comps = (0..width)
            .map(|j| {
                let list = ex
                    .tuples
                    .iter()
                    .any(|t| matches!(t.fields.get(j), Some(Field::List(_))));
                if list { "in" } else { "=" }.to_string()
            })
            .collect();
        let mut first = true;
        let mut key = |out: &mut String, name: &str| {
            let at = if first { format!("{}- ", pad(dash)) } else { pad(col) };
            first = false;
            out.push_str(&format!("{at}{name}:"));
        };
        if ex.values_first {
            key(out, "values");
            render_tuples(out, col, lay, &ex.tuples);
        }
        key(out, "name");
        out.push_str(&format!(" ex_{i}\n"));
        key(out, "fields");
        render_list(out, col, lay, &as_items(fields));
        key(out, "comps");
        render_list(out, col, lay, &as_items(comps));
        if !ex.values_first {
            key(out, "values");
            render_tuples(out, col, lay, &ex.tuples);
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
                Value::Exceptions(e) => render_exceptions(&mut out, key_col, lay, e),
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

/// Columns of a line.
fn width(line: &str) -> usize {
    line.chars().count()
}

/// The lines of a list `items:` formatted from `values`: `[a, b]` when that fits in 100
/// columns, else wrapped, each line filled as far as 100 columns allow.
fn assert_filled(values: &[String], out: &str) -> Result<(), TestCaseError> {
    let lines: Vec<&str> = out.lines().collect();
    let one_line = format!("  items: [{}]", values.join(", "));
    if lines.get(1) != Some(&"  items: [") {
        prop_assert!(width(&one_line) <= 100, "{}", out);
        return Ok(());
    }
    prop_assert!(width(&one_line) > 100, "wrapped a list that fits:\n{}", out);
    prop_assert_eq!(lines.last(), Some(&"  ]"), "{}", out);
    let body = &lines[2..lines.len() - 1];
    for (i, line) in body.iter().enumerate() {
        let entries = line.trim_start();
        prop_assert_eq!(width(line) - width(entries), 4, "{}", out);
        prop_assert!(width(line) <= 100 || !entries.contains(' '), "too long:\n{}", out);
        prop_assert_eq!(line.ends_with(','), i + 1 < body.len(), "{}", out);
        if let Some(next) = body.get(i + 1) {
            let first = next.split_whitespace().next().unwrap_or("");
            prop_assert!(
                width(line) + 1 + width(first) > 100,
                "{:?} fits on the line above:\n{}",
                first,
                out
            );
        }
    }
    Ok(())
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

    /// Two layouts of one file, and a file and its formatted text, are the same ruleset
    /// for `falcorc diff`: a formatting-only rewrite never shows up in a review.
    #[test]
    fn formatting_only_rewrites_diff_empty(items in file(), a in layout(), b in layout()) {
        let (ta, tb) = (render(&items, &a), render(&items, &b));
        let load = |t: &str| analyze(vec![SourceFile { name: "rules.yaml".into(), text: t.into() }], &Options::default());
        let (la, lb) = (load(&ta), load(&tb));
        let d = falcorc_compiler::review::diff(&la, &lb);
        prop_assert!(d.is_empty(), "{:?}\n--- a\n{}--- b\n{}", d, ta, tb);
        if let Ok(f) = format(&ta) {
            let d = falcorc_compiler::review::diff(&la, &load(&f));
            prop_assert!(d.is_empty(), "{:?}\n--- a\n{}--- formatted\n{}", d, ta, f);
        }
    }

    #[test]
    fn long_lists_fill_lines_greedily(
        values in prop::collection::vec(list_value(), 1..60),
        lay in layout(),
    ) {
        let items = vec![Item {
            lead: Vec::new(),
            lead_gap: false,
            kind: "list",
            name: "l".to_string(),
            keys: vec![Key {
                name: "items",
                value: Value::List(values.iter().map(|v| ListItem { text: v.clone(), comment: None }).collect()),
                lead: None,
            }],
            close: None,
        }];
        let text = render(&items, &lay);
        let out = check(&text).map_err(|e| TestCaseError::fail(format!("{e}\n--- input\n{text}")))?;
        let Some(out) = out else {
            return Err(TestCaseError::fail(format!("declined:\n{text}")));
        };
        // The formatted entries, as the formatter quotes them: from the formatted text.
        let (docs, _) = falcorc_compiler::syntax::yaml::parse(&out, &Default::default());
        let n = docs.first().and_then(|d| d.root.as_ref()).and_then(|r| r.as_seq()).and_then(|s| s.first())
            .and_then(|i| i.get("items")).and_then(|e| e.value.as_seq()).map_or(0, |s| s.len());
        prop_assert_eq!(n, values.len());
        let entries: Vec<String> = out
            .lines()
            .skip(1)
            .flat_map(|l| l.trim_start().trim_start_matches("items: [").trim_end_matches(']').split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .map(|e| e.trim_end_matches(',').to_string())
            .filter(|e| !e.is_empty())
            .collect();
        prop_assert_eq!(entries.len(), values.len(), "{}", out);
        assert_filled(&entries, &out)?;
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
