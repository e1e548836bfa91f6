use super::*;
use crate::{Options, SourceFile, analyze};

fn index_of(files: &[&str]) -> (Analysis, Index) {
    let files = files
        .iter()
        .enumerate()
        .map(|(i, t)| SourceFile {
            name: format!("f{i}.yaml"),
            text: t.to_string(),
        })
        .collect();
    let a = analyze(files, &Options::default());
    let idx = build(&a, &Env::default());
    (a, idx)
}

/// The text of every occurrence, as `file:text`.
fn texts(a: &Analysis, spans: &[FileSpan]) -> Vec<String> {
    spans
        .iter()
        .map(|s| format!("{}:{}", s.file.0, &a.files[s.file.0 as usize].text[s.span.range()]))
        .collect()
}

const LIB: &str = "- list: shells\n  items: [bash, sh]\n- list: all_shells\n  items: [shells, zsh]\n- macro: spawned\n  condition: evt.type = execve and proc.name in (shells)\n";
const USER: &str = "- rule: r\n  desc: d\n  condition: spawned and not proc.pname in (all_shells)\n  output: \"%proc.name ran\"\n  priority: INFO\n  exceptions:\n    - name: e\n      fields: [proc.name]\n      values: [[shells]]\n- macro: spawned\n  override:\n    condition: replace\n  condition: evt.type = execve\n";

#[test]
fn references_cross_files_and_list_items() {
    let (a, idx) = index_of(&[LIB, USER]);
    assert_eq!(
        texts(&a, &idx.occurrences(ItemKind::List, "shells")),
        ["0:shells", "0:shells", "0:shells", "1:shells"]
    );
    let spawned = idx.occurrences(ItemKind::Macro, "spawned");
    assert_eq!(texts(&a, &spawned), ["0:spawned", "1:spawned", "1:spawned"]);
    // Definitions first, in load order: the file-0 macro, then the override item of file 1.
    assert_eq!(spawned[0].file, FileId(0));
    assert_eq!(idx.items_named(ItemKind::Macro, "spawned").count(), 2);
    assert_eq!(
        texts(&a, &idx.occurrences(ItemKind::List, "all_shells")),
        ["0:all_shells", "1:all_shells"]
    );
}

#[test]
fn tokens_classify_condition_and_output() {
    let (a, idx) = index_of(&[LIB, USER]);
    let f1 = &a.files[1].text;
    let at = |needle: &str| idx.token_at(FileId(1), f1.find(needle).unwrap() as u32 + 1).unwrap();
    assert_eq!(at("spawned and").kind, TokenKind::Macro);
    assert_eq!(at("and not").kind, TokenKind::Keyword);
    assert_eq!(at("not proc").kind, TokenKind::Keyword);
    assert_eq!(at("proc.pname").kind, TokenKind::Field);
    assert_eq!(at("in (all").kind, TokenKind::Operator(Op::In));
    assert_eq!(at("all_shells)").kind, TokenKind::List);
    assert_eq!(at("proc.name ran").text, "proc.name");
    assert_eq!(at("proc.name]").kind, TokenKind::Field);
    let f0 = &a.files[0].text;
    let open = idx.token_at(FileId(0), f0.find("execve").unwrap() as u32).unwrap();
    assert_eq!((open.kind, open.field.as_deref()), (TokenKind::Value, Some("evt.type")));
    // Tokens are sorted, and every span holds the token's text.
    assert!(
        idx.tokens
            .windows(2)
            .all(|w| (w[0].span.file, w[0].span.span.start) <= (w[1].span.file, w[1].span.span.start))
    );
    for t in &idx.tokens {
        let text = &a.files[t.span.file.0 as usize].text[t.span.span.range()];
        assert!(text.contains(&t.text) || t.kind == TokenKind::Value, "{t:?} vs {text}");
    }
}

#[test]
fn spans_inside_folded_blocks_and_after_multibyte_text() {
    let src = "# é ü — comment\n- macro: m\n  condition: >\n    proc.name = \"ü\"\n    and fd.name startswith /etc\n- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: INFO\n";
    let (a, idx) = index_of(&[src]);
    let t = &a.files[0].text;
    let fd = idx.token_at(FileId(0), t.find("fd.name").unwrap() as u32).unwrap();
    assert_eq!(&t[fd.span.span.range()], "fd.name");
    let and = idx.token_at(FileId(0), t.find("and fd").unwrap() as u32).unwrap();
    assert_eq!((and.kind, &t[and.span.span.range()]), (TokenKind::Keyword, "and"));
    let m = idx.item_at(FileId(0), t.find("proc.name").unwrap() as u32).unwrap();
    assert_eq!((m.kind, m.name.as_str()), (ItemKind::Macro, "m"));
    assert_eq!(
        m.keys.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(),
        ["macro", "condition"]
    );
}

#[test]
fn broken_input_gives_a_partial_index() {
    for src in [
        "- rule: [",
        "- macro: m\n  condition: (proc.name = \n",
        "- list: l\n  items: 3\n",
        "",
        "{a: b}",
        "- 1\n- [x]\n",
    ] {
        let (_, idx) = index_of(&[src]);
        assert!(
            idx.tokens.iter().all(|t| t.span.span.end as usize <= src.len()),
            "{src:?}"
        );
    }
    let (_, idx) = index_of(&["- macro: m\n  condition: proc.name = x and (\n"]);
    assert_eq!(idx.items.len(), 1);
    assert!(idx.tokens.iter().any(|t| t.kind == TokenKind::Field));
}
