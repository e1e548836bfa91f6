//! The fast path against granit: wherever the fast parser answers, its tree must be the one
//! the granit path builds (spans and offset maps included), and granit must find no error.

use std::path::{Path, PathBuf};

use super::super::build::Builder;
use super::super::{Limits, Node, NodeKind, fast};
use crate::cancel::Cancel;

/// Whether the fast path took `src`; panics if it disagrees with granit.
fn agrees(src: &str) -> bool {
    let limits = Limits::default();
    let Some(quick) = fast::parse(src, &limits) else {
        return false;
    };
    let (docs, errors) = Builder::new(src, &limits, &Cancel::default())
        .run()
        .expect("not cancelled");
    assert!(
        errors.is_empty(),
        "the fast path accepted {src:?}, granit reports {errors:?}"
    );
    if quick != docs {
        let (a, b) = (quick[0].root.as_ref(), docs.first().and_then(|d| d.root.as_ref()));
        if let (Some(a), Some(b)) = (a, b) {
            first_difference(src, a, b);
        }
        panic!(
            "documents differ: fast {:?} granit {:?}",
            quick[0].span,
            docs.iter().map(|d| d.span).collect::<Vec<_>>()
        );
    }
    true
}

/// Panics naming the first node where the trees differ, with the text around it.
fn first_difference(src: &str, a: &Node, b: &Node) {
    match (&a.kind, &b.kind) {
        (NodeKind::Seq(x), NodeKind::Seq(y)) if x.len() == y.len() => {
            x.iter().zip(y).for_each(|(a, b)| first_difference(src, a, b));
        }
        (NodeKind::Map(x), NodeKind::Map(y)) if x.len() == y.len() => {
            for (a, b) in x.iter().zip(y) {
                first_difference(src, &a.key, &b.key);
                first_difference(src, &a.value, &b.value);
            }
        }
        _ => {}
    }
    if a != b {
        let at = (a.span.start.min(b.span.start) as usize).saturating_sub(40);
        let around = src.get(at..(at + 160).min(src.len())).unwrap_or("");
        let short = |n: &Node| match &n.kind {
            NodeKind::Scalar(s) => format!("{:?} {:?}", n.span, s),
            NodeKind::Null => format!("{:?} null", n.span),
            NodeKind::Seq(i) => format!("{:?} seq of {}", n.span, i.len()),
            NodeKind::Map(e) => format!("{:?} map of {}", n.span, e.len()),
        };
        panic!("fast: {}\ngranit: {}\naround: {around:?}", short(a), short(b));
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

#[test]
fn rules_files_take_the_fast_path_and_agree() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("rules"))
        .expect("rules/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    let shared = std::env::var_os("FALCORC_SHARED").map_or_else(|| repo().join("../shared"), PathBuf::from);
    files.push(shared.join("falco-upstream/falco_rules.yaml"));
    let mut taken = 0;
    for f in &files {
        let Ok(src) = std::fs::read_to_string(f) else { continue };
        if !agrees(&src) {
            // Name the first top-level item that leaves the fast path on its own.
            let mut starts: Vec<usize> = src.match_indices("\n- ").map(|(i, _)| i + 1).collect();
            starts.push(src.len());
            let item = starts.windows(2).map(|w| &src[w[0]..w[1]]).find(|item| !agrees(item));
            panic!("{} left the fast path at {item:?}", f.display());
        }
        taken += 1;
    }
    assert!(taken >= 6, "only {taken} files read");
}

#[test]
fn every_yaml_file_of_the_repository_agrees() {
    let mut files = Vec::new();
    yaml_files(&repo().join("testdata"), &mut files);
    yaml_files(&repo().join("rules"), &mut files);
    let (mut fast, mut all) = (0, 0);
    for f in &files {
        let Ok(src) = std::fs::read_to_string(f) else { continue };
        all += 1;
        fast += usize::from(agrees(&src));
    }
    eprintln!("{fast} of {all} files took the fast path");
    assert!(fast > 0 && all > 20, "{fast} of {all}");
}

/// Inputs at the edges of the subset: each either takes the fast path and agrees, or leaves it.
#[test]
fn edge_cases_agree() {
    let cases = [
        "- a: >\n    x\n  # c\n  b: 1\n",
        "- a: >\n    x\n# c\n- b: 1\n",
        "- a: >\n    x\n",
        "- a: >\n    x",
        "- a: |\n    x\n\n    y\n\n\n- b\n",
        "- a: >-\n    x\n     y\n    z\n\n    w\n",
        "- a:\n- b:  \n- c: # x\n",
        "a:\n- 1\n- 2\nb: [1, 2,]\n",
        "- k: 'it''s'\n- k: \"a\\tb\\u00e9\\\n    c\"\n",
        "- k: 'a\n    b\n\n    c'\n",
        "- k: a\n    b\n\n    c # x\n",
        "- k: [a, 'b', \"c\",\n     [d, e]]  # x\n",
        "- k: []\n",
        "x\n",
        "- a\n# end\n",
        "- a\n\n\n",
        "- a\n  # end\n\n",
        "- a",
        "- [a]",
        "- a: >\n    x\n  \n",
        "k: v\n# c\n\n",
        "- items: [\n    a,\n    b\n  ]\n",
        "- k: a\u{85}b\n",
        "- k: a\u{2028}b\n",
        "\u{feff}- k: v\n",
        "- k: é → 😀\n",
        "- k: \"\u{9f}\"\n",
        "- items: [\n    a,\n    b\n]\n",
        "- items: [\n    a,\n    b\n ]\n",
        "- items: [\n    a,\n    b\n    ]\n  k: 1\n",
        "- a # c\n- 'b'\n",
        "- k: v\n  l: w\n",
        "- k: v\n  l:\n    - x\n    - y\n  m: z\n",
    ];
    for src in cases {
        agrees(src);
    }
}

/// A rules file that exercises every construct of the fast path; the property tests mutate it.
const SEED: &str = r#"# a comment
- list: shells
  items: [bash, 'zsh', "sh", -x, [nested, x]]   # trailing
- list: unicode
  items: [café, "→ x", 'ü', 😀]
- macro: spawned
  condition: >
    evt.type in (execve, execveat)
    and proc.name in (shells)

      kept indented

    and not proc.pname = "x: y"
- rule: A rule
  desc: plain text that
    goes on # with a comment
  condition: |-
    spawned and fd.name startswith /etc


    and proc.cmdline contains 'a''b'
  output: "Shell (user=%user.name\t\x41\u00e9
    next \
    line)"
  priority: WARNING
  exceptions:
    - name: one
      fields: [proc.name, fd.name]
      values:
        - [a, b]
        - ['c', "d"]
    -   name: two
        fields:
        - proc.pname
  tags: [
    a,
    b,
  ]
  enabled:
- rule: 'Second'
  append: true
  condition: and not x
"#;

/// One edit: at a fraction of the text, delete a byte or insert one of YAML's significant bytes.
fn mutate(src: &str, edits: &[(f64, u8)]) -> String {
    const BYTES: &[u8] = b" \n:#-[],'\"|>\\&*!{}?%@`x09\t\r";
    let mut b = src.as_bytes().to_vec();
    for &(at, op) in edits {
        let i = ((b.len() as f64) * at) as usize;
        let i = i.min(b.len());
        match op as usize % (BYTES.len() + 1) {
            0 if i < b.len() => {
                b.remove(i);
            }
            n => b.insert(i, BYTES[n - 1]),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Broken and odd variants of a rules file: the fast path agrees with granit or leaves.
    #[test]
    fn mutated_rules_files_agree(edits in proptest::collection::vec((0.0f64..1.0, proptest::prelude::any::<u8>()), 1..4)) {
        agrees(&mutate(SEED, &edits));
    }
}

#[test]
fn the_seed_takes_the_fast_path() {
    assert!(agrees(SEED));
}

/// The mutation test is only worth something if many mutants stay on the fast path.
#[test]
fn many_mutants_take_the_fast_path() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut fast, total) = (0, 3000);
    for _ in 0..total {
        let edits: Vec<(f64, u8)> = (0..1 + next() % 2)
            .map(|_| ((next() % 10_000) as f64 / 10_000.0, next() as u8))
            .collect();
        fast += usize::from(agrees(&mutate(SEED, &edits)));
    }
    eprintln!("{fast} of {total} mutants took the fast path");
    assert!(fast * 3 > total, "only {fast} of {total} mutants took the fast path");
}
