//! What every formatter test checks: the result is a fixed point, loads to the same ruleset
//! and keeps every comment.

#![allow(dead_code)]

use falcorc_compiler::fmt::format;
use falcorc_compiler::syntax::yaml;
use falcorc_compiler::{Options, SourceFile, analyze};
use std::fmt::Write;
use std::path::PathBuf;

/// `../shared` next to the workspace, or `$FALCORC_SHARED`.
pub fn shared() -> PathBuf {
    std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// What Falco reads from `text`: lists, macros, rules (every key the loader keeps, the
/// condition with exceptions expanded) and the codes of the diagnostics.
pub fn ruleset(text: &str) -> String {
    let a = analyze(
        vec![SourceFile {
            name: "rules.yaml".into(),
            text: text.into(),
        }],
        &Options::default(),
    );
    let mut out = String::new();
    for l in &a.lists {
        let _ = writeln!(out, "list {:?} {:?}", l.name, l.items);
    }
    for m in &a.macros {
        let _ = writeln!(out, "macro {:?} {:?}", m.name, m.condition);
    }
    for r in &a.rules {
        let _ = writeln!(
            out,
            "rule {:?} desc={:?} priority={:?} source={:?} enabled={} tags={:?} condition={:?} output={:?} skipped={:?}",
            r.name, r.desc, r.priority, r.source, r.enabled, r.tags, r.condition, r.output, r.skipped
        );
    }
    // Sorted: diagnostics come in file order, and two at one place may swap when the text
    // moves (an empty block scalar is placed at the next token).
    let mut codes: Vec<_> = a.diagnostics.iter().map(|d| d.code.name()).collect();
    codes.sort_unstable();
    for code in codes {
        let _ = writeln!(out, "diagnostic {code}");
    }
    out
}

/// The comment lines of `text` (lines that start with `#` outside every scalar), trimmed.
fn comment_lines(text: &str) -> Vec<&str> {
    let (docs, _) = yaml::parse(text, &Default::default());
    let mut spans = Vec::new();
    docs.iter()
        .filter_map(|d| d.root.as_ref())
        .for_each(|r| r.leaf_spans(&mut spans));
    let mut v = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let hash = at + (line.len() - line.trim_start().len());
        let in_scalar = spans.iter().any(|&(s, e)| s <= hash && hash < e);
        if line.trim_start().starts_with('#') && !in_scalar {
            v.push(line.trim());
        }
        at += line.len();
    }
    v.sort_unstable();
    v
}

/// Every comment line of `before` is a line of `after`.
pub fn keeps_comment_lines(before: &str, after: &str) -> Result<(), String> {
    let mut have = comment_lines(after);
    for line in comment_lines(before) {
        match have.iter().position(|l| *l == line) {
            Some(i) => {
                have.remove(i);
            }
            None => return Err(format!("comment line {line:?} is missing")),
        }
    }
    Ok(())
}

/// Format `text` and check the guarantees; the formatted text, or `None` when the formatter
/// declines (a YAML error, or a layout it cannot rewrite).
pub fn check(text: &str) -> Result<Option<String>, String> {
    let Ok(once) = format(text) else { return Ok(None) };
    let twice = format(&once).map_err(|e| format!("the formatted text does not format: {e}\n{once}"))?;
    if twice != once {
        return Err(format!("not idempotent:\n--- once\n{once}--- twice\n{twice}"));
    }
    let (a, b) = (ruleset(text), ruleset(&once));
    if a != b {
        return Err(format!(
            "ruleset changed:\n--- before\n{a}--- after\n{b}--- formatted\n{once}"
        ));
    }
    keeps_comment_lines(text, &once).map_err(|e| format!("{e}\n--- formatted\n{once}"))?;
    Ok(Some(once))
}

/// [`check`], panicking with the reason (and the input) on failure.
pub fn assert_ok(text: &str) -> Option<String> {
    match check(text) {
        Ok(out) => out,
        Err(e) => panic!("{e}\n--- input\n{text}"),
    }
}
