//! Fuzzing the loader and the condition parser (see `fuzz_common` for the budget:
//! `FALCORC_FUZZ_SECS=N` runs each target for N seconds, a plain `cargo test` a few cases).
//!
//! Seeds are real inputs: Falco's stable rules, falcorc's own ruleset, every rules file
//! and condition of the conformance corpus. Each case mutates one seed (byte flips,
//! deletions, duplicated ranges, and tokens of the language inserted anywhere) and runs
//! the whole pipeline a user's file goes through: load, check, lower to the IR, render
//! every diagnostic in every format, and format the file. Properties: nothing panics, and
//! a condition that parses prints to text that parses to the same condition.

mod fuzz_common;

use falcorc_compiler::diag::render::{Locator, human::human_batch, json::json};
use falcorc_compiler::syntax::condition::{self, print};
use falcorc_compiler::syntax::yaml::{self, Node};
use falcorc_compiler::{Options, SourceFile, analyze, fmt};
use fuzz_common::fuzz;
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn shared() -> PathBuf {
    std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// Rules files and conditions to start from.
struct Seeds {
    files: Vec<String>,
    conditions: Vec<String>,
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let read = |p: PathBuf| std::fs::read_to_string(p).ok();
        let mut files: Vec<String> = [
            shared().join("falco-upstream/falco_rules.yaml"),
        ]
        .into_iter()
        .filter_map(read)
        .collect();
        // falcorc's own default ruleset, file by file.
        let own = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules");
        let mut own_files: Vec<PathBuf> = std::fs::read_dir(&own)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        own_files.retain(|p| p.extension().is_some_and(|x| x == "yaml"));
        own_files.sort();
        files.extend(own_files.into_iter().filter_map(read));
        let mut conditions = Vec::new();
        if let Some(text) = read(shared().join("conformance/cases.yaml")) {
            let (docs, _) = yaml::parse(&text, &yaml::Limits::default());
            let cases = docs
                .first()
                .and_then(|d| d.root.as_ref())
                .and_then(Node::as_seq)
                .unwrap_or_default();
            for case in cases {
                let get = |k: &str| case.get(k).and_then(|e| e.value.as_scalar()).map(|s| s.value.clone());
                match (get("kind").as_deref(), get("input")) {
                    (Some("rules"), Some(input)) => files.push(input),
                    (Some("condition"), Some(input)) => conditions.push(input),
                    _ => {}
                }
            }
        }
        // Conditions of the rules files too: the conformance corpus has few long ones.
        for f in files.iter().take(2) {
            for line in f.lines() {
                if let Some(c) = line.trim_start().strip_prefix("condition: ") {
                    conditions.push(c.to_string());
                }
            }
        }
        // Without the shared data, a small file and condition keep the targets running.
        if files.is_empty() {
            files.push(
                "- list: l\n  items: [a, b]\n- macro: m\n  condition: proc.name in (l)\n- rule: r\n  desc: d\n  condition: evt.type = open and m\n  output: \"%proc.name %fd.name\"\n  priority: INFO\n".into(),
            );
        }
        if conditions.is_empty() {
            conditions.push("evt.type in (open, openat) and not proc.name startswith \"sh\"".into());
        }
        Seeds { files, conditions }
    })
}

/// Tokens of the rules language and of YAML, inserted at random places.
const TOKENS: &[&str] = &[
    "- rule: ",
    "- macro: ",
    "- list: ",
    "- required_engine_version: ",
    "condition: ",
    "output: ",
    "priority: ",
    "desc: ",
    "items: ",
    "exceptions:",
    "append: true",
    "override:",
    "enabled: false",
    "tags: [",
    "source: ",
    "- name: ",
    "fields: ",
    "comps: ",
    "values: ",
    "&a ",
    "*a",
    "<<: *a",
    "!!str ",
    "? ",
    "---\n",
    "...\n",
    "{",
    "}",
    "[",
    "]",
    ",",
    ": ",
    "\"",
    "'",
    "|",
    ">-",
    "|+2",
    "#",
    "\t",
    "\n",
    "\n  ",
    "\n    ",
    "\r\n",
    "%",
    "%proc.name",
    "%evt.arg.x",
    " and ",
    " or ",
    "not ",
    "(",
    ")",
    " in ",
    " pmatch ",
    " glob ",
    " regex ",
    " startswith ",
    " exists",
    " intersects ",
    "proc.name",
    "fd.name",
    "evt.type",
    "proc.aname[",
    "proc.env[",
    "evt.arg.",
    "val(",
    "tolower(",
    "len(",
    "basename(",
    "=",
    "!=",
    "<=",
    ">",
    "0x",
    "-1",
    "99999999999999999999",
    "1.5",
    "::1",
    "10.0.0.0/8",
    "\\",
    "\\x",
    "é",
    "𝄞",
    "\u{0}",
    "\u{feff}",
    "\u{2028}",
    "true",
    "null",
    "~",
];

#[derive(Debug, Clone)]
enum Edit {
    Flip(prop::sample::Index, u8),
    Insert(prop::sample::Index, prop::sample::Index),
    Delete(prop::sample::Index, usize),
    Duplicate(prop::sample::Index, usize, prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(i, t)| Edit::Insert(i, t)),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<prop::sample::Index>(), 1usize..400, any::<prop::sample::Index>())
            .prop_map(|(i, n, to)| Edit::Duplicate(i, n, to)),
    ]
}

/// `seed` with `edits` applied, as text (invalid UTF-8 made lossy: the loader takes text;
/// bytes that are not UTF-8 are the reader's to refuse).
fn mutate(seed: &str, edits: &[Edit]) -> String {
    let mut b = seed.as_bytes().to_vec();
    for e in edits {
        let at = |i: &prop::sample::Index, len: usize| i.index(len + 1);
        match e {
            Edit::Flip(i, x) if !b.is_empty() => {
                let i = i.index(b.len());
                b[i] ^= x | 1;
            }
            Edit::Flip(..) => {}
            Edit::Insert(i, t) => {
                let i = at(i, b.len());
                let t = TOKENS[t.index(TOKENS.len())].as_bytes();
                b.splice(i..i, t.iter().copied());
            }
            Edit::Delete(i, n) => {
                let i = at(i, b.len());
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
            Edit::Duplicate(i, n, to) => {
                let i = at(i, b.len());
                let piece: Vec<u8> = b[i..(i + n).min(b.len())].to_vec();
                let to = at(to, b.len());
                b.splice(to..to, piece);
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// The pipeline of `falcorc lint` and `fmt` on one file: nothing may panic. The YAML tree is
/// the same with and without the fast path.
fn load_everything(text: String) {
    let limits = yaml::Limits::default();
    assert_eq!(
        yaml::parse(&text, &limits),
        yaml::parse_with_granit(&text, &limits),
        "the YAML fast path and granit disagree on {text:?}"
    );
    let _ = fmt::format(&text);
    let a = analyze(
        vec![SourceFile {
            name: "fuzz.yaml".into(),
            text,
        }],
        &Options::default(),
    );
    let mut rendered = 0usize;
    human_batch(&a.files, &a.diagnostics, false, |s| rendered += s.len());
    let loc = Locator::new(&a.files);
    for d in &a.diagnostics {
        let _ = json(&loc, d);
    }
}

#[test]
fn mutated_rules_files_never_break_the_loader() {
    // Half of the cases start from the whole rulesets, half from the small files.
    let n = seeds().files.len();
    let big = n.min(2);
    let strategy = (prop_oneof![0..big, 0..n], prop::collection::vec(edit(), 1..12));
    fuzz("loader", file!(), 16, strategy, |(seed, edits)| {
        load_everything(mutate(&seeds().files[seed], &edits));
        Ok(())
    });
}

#[test]
fn mutated_conditions_parse_or_fail_cleanly_and_print_back() {
    let n = seeds().conditions.len();
    let strategy = (0..n, prop::collection::vec(edit(), 0..8));
    fuzz("condition parser", file!(), 256, strategy, |(seed, edits)| {
        let src = mutate(&seeds().conditions[seed], &edits);
        let first = condition::parse(&src);
        if let (Some(ast), true) = (first.expr, first.errors.is_empty()) {
            let printed = print::to_string(&ast);
            let second = condition::parse(&printed);
            prop_assert!(
                second.errors.is_empty(),
                "{src:?} printed as {printed:?}, which does not parse: {:?}",
                second.errors
            );
            let again = second.expr.expect("parsed without errors");
            prop_assert_eq!(print::to_string(&again), printed, "from {:?}", src);
        }
        Ok(())
    });
}
