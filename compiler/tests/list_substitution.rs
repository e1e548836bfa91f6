//! Textual list substitution must produce exactly the text Falco's loader produces.
//! The oracle below is a direct, naive transcription of that algorithm (repeated
//! find-and-rebuild on a plain string); falcorc's one-pass version with provenance
//! must agree with it on arbitrary conditions and lists.

use falcorc_compiler::sema::lists::{CompiledList, ListIndex, substitute};
use falcorc_compiler::sema::text::{SrcText, Str};
use falcorc_compiler::span::{FileId, Span};
use proptest::prelude::*;

const BLANKS: &str = " \t\n\r";
const DELIMS: &str = " \t\n\r(),=";

fn quote(v: &str) -> String {
    if v.contains(' ') && !v.starts_with('"') && !v.starts_with('\'') {
        format!("\"{v}\"")
    } else {
        v.to_string()
    }
}

fn oracle_one(cnd: &mut String, name: &str, items: &[String]) {
    let mut start = cnd.find(name);
    while let Some(mut s) = start {
        let mut end = s + name.len();
        let b = cnd.as_bytes();
        let left = s == 0 || DELIMS.as_bytes().contains(&b[s - 1]);
        let right = end >= b.len() || DELIMS.as_bytes().contains(&b[end]);
        if left && right {
            while s > 0 && BLANKS.as_bytes().contains(&b[s - 1]) {
                s -= 1;
            }
            while end < b.len() && BLANKS.as_bytes().contains(&b[end]) {
                end += 1;
            }
            let sub = items.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", ");
            if sub.is_empty() {
                if s > 0 && b[s - 1] == b',' {
                    s -= 1;
                } else if end < b.len() && b[end] == b',' {
                    end += 1;
                }
            }
            let mut new = String::new();
            if s > 0 {
                new.push_str(&cnd[..s]);
                new.push(' ');
            }
            new.push_str(&sub);
            new.push(' ');
            if end <= cnd.len() {
                new.push_str(&cnd[end..]);
            }
            *cnd = new;
            s += sub.len() + 1;
        }
        start = cnd.get(s + 1..).and_then(|t| t.find(name)).map(|i| i + s + 1);
    }
}

fn plain(v: &str) -> Str {
    Str {
        value: v.to_string(),
        file: FileId(0),
        span: Span::default(),
        scalar: None,
    }
}

fn check(cond: &str, lists: &[(String, Vec<String>)]) -> Result<(), TestCaseError> {
    let mut expected = cond.to_string();
    for (name, items) in lists {
        oracle_one(&mut expected, name, items);
    }
    let compiled: Vec<CompiledList> = lists
        .iter()
        .map(|(n, items)| CompiledList {
            name: n.clone(),
            items: items.iter().map(|i| plain(i)).collect(),
        })
        .collect();
    let mut used = vec![false; compiled.len()];
    let index = ListIndex::new(&compiled);
    let text = SrcText::of_str(&plain(cond));
    let got = substitute(&text, &compiled, &index, &mut used).map_err(|_| TestCaseError::fail("limit"))?;
    prop_assert_eq!(&got.text, &expected, "condition {:?}", cond);
    Ok(())
}

#[test]
fn known_cases() {
    let l = |n: &str, xs: &[&str]| (n.to_string(), xs.iter().map(|x| x.to_string()).collect::<Vec<_>>());
    check("proc.name in (shells)", &[l("shells", &["bash", "sh"])]).unwrap();
    check("a a", &[l("a", &["x"])]).unwrap();
    check("proc.name in (a, empty, b)", &[l("empty", &[])]).unwrap();
    check("proc.name in (empty, b)", &[l("empty", &[])]).unwrap();
    check("x in (l1)", &[l("l1", &["l2", "z"]), l("l2", &["q w"])]).unwrap();
    check("fd.name=l", &[l("l", &["/etc"])]).unwrap();
    // A later list named by an item, an earlier one not substituted again, a name that
    // only a quoted item's word spells, a name with a delimiter in it.
    check("x in (a)", &[l("a", &["b", "c d"]), l("b", &["a"]), l("d\"", &["e"])]).unwrap();
    check("x in (a b, c)", &[l("c", &["y"]), l("a b", &["z"])]).unwrap();
    check("x = q", &[l("a", &["q"]), l("q", &["r"])]).unwrap();
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ls".to_string()),
        Just("lb".to_string()),
        Just("l".to_string()),
        Just("c\"".to_string()),
        Just("x y".to_string()),
        "[a-c.]{1,3}".prop_map(|s| s)
    ]
}

fn cond() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            word(),
            prop_oneof![
                Just(" "),
                Just(","),
                Just("("),
                Just(")"),
                Just("="),
                Just("  "),
                Just(", ")
            ],
        ),
        0..10,
    )
    .prop_map(|xs| xs.into_iter().map(|(w, d)| format!("{w}{d}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn matches_falcos_algorithm(
        c in cond(),
        items_ls in prop::collection::vec(prop_oneof![Just("a".to_string()), Just("b c".to_string()), Just("lb".to_string()), Just("'q r'".to_string())], 0..3),
        items_lb in prop::collection::vec(prop_oneof![Just("x".to_string()), Just("l".to_string())], 0..3),
        items_l in prop::collection::vec(prop_oneof![Just("z".to_string()), Just("ls".to_string()), Just("x y".to_string())], 0..2),
        items_q in prop::collection::vec(prop_oneof![Just("l".to_string()), Just("b".to_string())], 0..2),
        items_d in prop::collection::vec(Just("c\"".to_string()), 0..2),
    ) {
        check(&c, &[
            ("ls".into(), items_ls),
            ("lb".into(), items_lb),
            ("l".into(), items_l),
            ("c\"".into(), items_q),
            ("x y".into(), items_d),
        ])?;
    }
}
