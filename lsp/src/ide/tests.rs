//! The features on small rules files; `$0` marks the cursor (the rust-analyzer fixture style).

use super::completion::complete;
use super::{FilePos, hover, navigation};
use crate::snapshot::Snapshot;
use falcorc_compiler::span::FileId;

/// A one-file snapshot of `src` without its `$0`, and the cursor.
fn fixture(src: &str) -> (Snapshot, FilePos) {
    let offset = src.find("$0").expect("fixture needs $0") as u32;
    let text = src.replacen("$0", "", 1);
    let snap = Snapshot::new(vec![("file:///t/test_rules.yaml".into(), text)]);
    (
        snap,
        FilePos {
            file: FileId(0),
            offset,
        },
    )
}

fn labels(src: &str) -> Vec<String> {
    let (snap, pos) = fixture(src);
    complete(&snap, pos).into_iter().map(|c| c.label).collect()
}

fn has(labels: &[String], want: &[&str], not: &[&str]) {
    for w in want {
        assert!(labels.iter().any(|l| l == w), "missing {w} in {labels:?}");
    }
    for n in not {
        assert!(!labels.iter().any(|l| l == n), "unexpected {n} in {labels:?}");
    }
}

const DEFS: &str = "- list: shells\n  items: [bash, sh]\n- macro: spawned\n  condition: evt.type = execve\n";

#[test]
fn completion_in_conditions() {
    has(
        &labels(&format!("{DEFS}- rule: r\n  condition: $0\n")),
        &["proc.name", "spawned", "not"],
        &["shells", "and"],
    );
    has(
        &labels("- rule: r\n  condition: fd.num $0\n"),
        &["<", "=", "in", "exists"],
        &["startswith", "glob"],
    );
    has(
        &labels("- rule: r\n  condition: >\n    spawned and proc.name $0\n"),
        &["startswith", "pmatch"],
        &["proc.name"],
    );
    has(
        &labels(&format!("{DEFS}- rule: r\n  condition: evt.type in (open, $0)\n")),
        &["openat", "shells"],
        &["proc.name"],
    );
    has(
        &labels(&format!("{DEFS}- rule: r\n  condition: proc.name in ($0\n")),
        &["shells"],
        &["openat"],
    );
    has(
        &labels("- rule: r\n  condition: proc.name = sh $0\n"),
        &["and", "or"],
        &["proc.name"],
    );
    // Quoted conditions: the quote is not part of the condition.
    has(
        &labels("- rule: r\n  condition: \"proc.name $0\"\n"),
        &["startswith"],
        &["and"],
    );
    has(&labels("- rule: r\n  condition: 'fd.num $0'\n"), &["<"], &["and"]);
    // After multibyte text on the line, and in the middle of a dotted name.
    let (snap, pos) = fixture("- rule: r # é 𝄞\n  condition: proc.na$0\n");
    let items = complete(&snap, pos);
    let c = items.iter().find(|c| c.label == "proc.name").unwrap();
    assert_eq!(&snap.text(FileId(0))[c.replace.span.range()], "proc.na");
}

#[test]
fn completion_of_keys_and_values() {
    has(
        &labels("- rule: r\n  desc: d\n  $0\n"),
        &["condition", "priority"],
        &["desc", "rule", "items"],
    );
    // The YAML does not parse while a key is half typed: the lines above still tell.
    has(
        &labels("- rule: r\n  desc: d\n  co$0\n"),
        &["condition", "output"],
        &["desc", "items"],
    );
    has(&labels("- macro: m\n  co$0\n"), &["condition"], &["output"]);
    has(&labels("- $0"), &["rule", "macro", "list"], &[]);
    has(
        &labels("- rule: r\n  priority: $0\n"),
        &["WARNING", "INFORMATIONAL"],
        &["proc.name"],
    );
    let full = "- rule: a\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n  tags: [net]\n";
    has(&labels(&format!("{full}- rule: r\n  tags: [$0]\n")), &["net"], &[]);
    has(
        &labels(&format!("{DEFS}- list: more\n  items: [$0]\n")),
        &["shells"],
        &[],
    );
    has(&labels("- rule: r\n  output: \"x %$0\"\n"), &["proc.name"], &["and"]);
    // The condition of a half-typed rule (nothing parses yet).
    has(
        &labels("- rule: r\n  desc: [\n  condition: proc.name $0\n"),
        &["contains"],
        &[],
    );
}

#[test]
fn hover_after_multibyte_text() {
    let (snap, pos) = fixture(
        "- rule: r — ü\n  desc: 𝄞\n  condition: evt.type = open and proc.na$0me = sh\n  output: o\n  priority: INFO\n",
    );
    let h = hover::hover(&snap, pos).unwrap();
    assert!(h.markdown.starts_with("**proc.name** `string`"), "{}", h.markdown);
    assert_eq!(&snap.text(FileId(0))[h.span.span.range()], "proc.name");
    let (snap, pos) =
        fixture("- rule: r$0 — ü\n  desc: d\n  condition: evt.type in (open, openat)\n  output: o\n  priority: INFO\n");
    let h = hover::hover(&snap, pos).unwrap();
    assert!(h.markdown.contains("evt.type (2): open, openat"), "{}", h.markdown);
}

#[test]
fn rename_keeps_quotes_and_checks_names() {
    let (snap, pos) = fixture(
        "- macro: \"m$0\"\n  condition: proc.name = sh\n- rule: r\n  desc: d\n  condition: m and not m\n  output: o\n  priority: INFO\n",
    );
    let edits = navigation::rename(&snap, pos, "m2").unwrap();
    let text = snap.text(FileId(0));
    let spans: Vec<&str> = edits.iter().map(|e| &text[e.span.span.range()]).collect();
    assert_eq!(spans, ["m", "m", "m"]);
    assert!(navigation::rename(&snap, pos, "2m").is_err());
    assert!(navigation::rename(&snap, pos, "m m").is_err());
    let defs = navigation::definition(&snap, pos);
    assert_eq!(defs.len(), 1);
}

#[test]
fn quick_fixes_replace_only_the_misspelled_word() {
    use super::actions::quick_fixes;
    use falcorc_compiler::span::Span;
    let src = "- rule: r\n  desc: d\n  condtion: x\n  condition: evt.type = opn and fd.nmae = x\n  output: \"x %10proc.nmae\"\n  priority: INFO\n";
    let snap = Snapshot::new(vec![("file:///t/test_rules.yaml".into(), src.to_string())]);
    let all = Span::new(0, src.len() as u32);
    let mut fixes: Vec<(String, String)> = quick_fixes(&snap, FileId(0), all)
        .into_iter()
        .map(|a| (src[a.edit.span.span.range()].to_string(), a.edit.new_text))
        .collect();
    fixes.sort();
    let want = [
        ("condtion", "condition"),
        ("fd.nmae", "fd.name"),
        ("opn", "open"),
        ("proc.nmae", "proc.name"),
    ];
    assert_eq!(fixes, want.map(|(a, b)| (a.to_string(), b.to_string())));
    // Only the diagnostics that touch the range.
    let line3 = src.find("condtion").unwrap() as u32;
    assert_eq!(quick_fixes(&snap, FileId(0), Span::new(line3, line3 + 2)).len(), 1);
}
