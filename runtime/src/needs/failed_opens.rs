//! Which failed opens a ruleset can match: the probe's in-kernel prefilter (issue 18).
//!
//! A failed open changes no state (no descriptor is made), so only the rules decide whether
//! it must be sent. For each rule that sees open events this derives a *necessary* condition
//! on the open's path: the rule can match a failed open only if the path passes one of a few
//! tests (prefix, suffix, substring). A rule that requires success (`fd.num >= 0`,
//! `evt.res = SUCCESS`) needs no failed open at all; one this module cannot bound needs them
//! all. Every step over-approximates, so dropping the opens that pass no test never removes
//! an alert.
//!
//! The tests read the path as the open gave it. `fd.name` is that path only when it is
//! absolute and in normal form ([`crate::state::path::plain_absolute`]); any other path is
//! always sent ([`FailedOpens::sends`]).

use super::{is_open_event, sees};
use crate::state::path;
use falcorc_compiler::ir::{Cmp, CmpOp, Cond, Const, FieldSpec, Operand, Program, Rhs};

/// A test on the raw path of an open, as the probe runs it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathTest {
    Prefix(String),
    Suffix(String),
    Contains(String),
}

impl PathTest {
    /// Whether `path` passes.
    pub fn passes(&self, path: &[u8]) -> bool {
        match self {
            PathTest::Prefix(s) => path.starts_with(s.as_bytes()),
            PathTest::Suffix(s) => path.ends_with(s.as_bytes()),
            PathTest::Contains(s) => holds(path, s.as_bytes()),
        }
    }
}

/// Which failed opens the rules can match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailedOpens {
    /// Any of them (no bound could be derived).
    All,
    /// Those whose path passes one of the tests, plus every path that is not absolute and
    /// in normal form. No test: none at all.
    Paths(Vec<PathTest>),
}

impl FailedOpens {
    /// What either ruleset can match (two rulesets at once, during a reload).
    pub fn union(&self, other: &FailedOpens) -> FailedOpens {
        match (self, other) {
            (FailedOpens::Paths(a), FailedOpens::Paths(b)) => {
                let mut v = a.clone();
                v.extend(b.iter().cloned());
                v.sort();
                v.dedup();
                FailedOpens::Paths(v)
            }
            _ => FailedOpens::All,
        }
    }

    /// Whether a failed open of `raw` (the path parameter as sent, up to any NUL) must be
    /// sent: the model of the probe's test, which may send more, never less.
    pub fn sends(&self, raw: &[u8]) -> bool {
        let raw = raw.split(|&b| b == 0).next().unwrap_or_default();
        match self {
            FailedOpens::All => true,
            FailedOpens::Paths(tests) if tests.is_empty() => false,
            FailedOpens::Paths(tests) => path::plain_absolute(raw).is_none() || tests.iter().any(|t| t.passes(raw)),
        }
    }
}

/// How many tests of each kind, and how long, the probe's table holds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub prefixes: usize,
    pub suffixes: usize,
    pub contains: usize,
    /// Bytes of each test's text.
    pub len: usize,
}

impl FailedOpens {
    /// The same or more failed opens, with at most `limits` tests: texts are cut (a prefix
    /// to its start, a suffix to its end, a substring to its start), and the two tests of a
    /// kind that share the longest start (or end) become that shared part, until they fit.
    /// `All` when they cannot.
    pub fn within(&self, limits: Limits) -> FailedOpens {
        let FailedOpens::Paths(tests) = self else {
            return FailedOpens::All;
        };
        let (mut pre, mut suf, mut con) = (Vec::new(), Vec::new(), Vec::new());
        for t in tests {
            match t {
                PathTest::Prefix(s) => pre.push(cut(s.as_bytes(), limits.len).to_vec()),
                PathTest::Suffix(s) => suf.push(s.bytes().rev().take(limits.len).collect()),
                PathTest::Contains(s) => con.push(cut(s.as_bytes(), limits.len).to_vec()),
            }
        }
        let (Some(pre), Some(suf)) = (merged_starts(pre, limits.prefixes), merged_starts(suf, limits.suffixes)) else {
            return FailedOpens::All;
        };
        con.sort();
        con.dedup();
        let con: Vec<Vec<u8>> = con
            .iter()
            .filter(|c| !con.iter().any(|o| o != *c && holds(c, o)))
            .cloned()
            .collect();
        if con.len() > limits.contains {
            return FailedOpens::All;
        }
        // A cut inside a UTF-8 sequence leaves bytes that are not text: everything then.
        let text = |b: Vec<u8>| String::from_utf8(b).ok();
        let tests = (|| -> Option<Vec<PathTest>> {
            let mut out = Vec::with_capacity(pre.len() + suf.len() + con.len());
            for b in pre {
                out.push(PathTest::Prefix(text(b)?));
            }
            for b in suf {
                out.push(PathTest::Suffix(text(b.into_iter().rev().collect())?));
            }
            for b in con {
                out.push(PathTest::Contains(text(b)?));
            }
            Some(out)
        })();
        let Some(mut out) = tests else {
            return FailedOpens::All;
        };
        out.sort();
        FailedOpens::Paths(out)
    }
}

/// Whether `hay` holds `needle` somewhere.
fn holds(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The first `n` bytes.
fn cut(b: &[u8], n: usize) -> &[u8] {
    &b[..b.len().min(n)]
}

/// Texts as prefixes: none that another one starts, at most `max`, merging the two that
/// share the longest start. None when two would merge into nothing.
fn merged_starts(mut v: Vec<Vec<u8>>, max: usize) -> Option<Vec<Vec<u8>>> {
    loop {
        v.sort();
        v.dedup();
        // Sorted, a text that another starts comes right after one that starts it.
        let mut kept: Vec<Vec<u8>> = Vec::with_capacity(v.len());
        for t in v {
            if !kept.last().is_some_and(|k| t.starts_with(k)) {
                kept.push(t);
            }
        }
        v = kept;
        if v.len() <= max {
            return Some(v);
        }
        let shared = |a: &[u8], b: &[u8]| a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let (i, n) = (0..v.len() - 1)
            .map(|i| (i, shared(&v[i], &v[i + 1])))
            .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))?;
        if n == 0 {
            return None;
        }
        v[i].truncate(n);
        v.remove(i + 1);
    }
}

/// The failed opens the rules of `program` can match (enabled or not: a rule can be enabled
/// later).
pub fn of_program(program: &Program) -> FailedOpens {
    let mut tests = Vec::new();
    for r in &program.rules {
        if !sees(r, is_open_event) {
            continue;
        }
        match need(program, &r.cond) {
            Need::Never => {}
            Need::Any => return FailedOpens::All,
            Need::Paths(t) => tests.extend(t),
        }
    }
    tests.sort();
    tests.dedup();
    FailedOpens::Paths(tests)
}

/// What a condition needs of failed opens to be true on one.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Need {
    /// It is false on every failed open.
    Never,
    /// No bound.
    Any,
    /// True only if the path passes one of these (never empty).
    Paths(Vec<PathTest>),
}

fn need(program: &Program, cond: &Cond) -> Need {
    match cond {
        Cond::Const(false) => Need::Never,
        Cond::Const(true) | Cond::Not(_) => Need::Any,
        Cond::Cmp(cmp) => cmp_need(program, cmp),
        Cond::And(children) => {
            // Any child's bound holds for the whole; the one with the fewest tests is kept.
            let mut best: Option<Vec<PathTest>> = None;
            for c in children {
                match need(program, c) {
                    Need::Never => return Need::Never,
                    Need::Any => {}
                    Need::Paths(t) => {
                        if best.as_ref().is_none_or(|b| t.len() < b.len()) {
                            best = Some(t);
                        }
                    }
                }
            }
            best.map_or(Need::Any, Need::Paths)
        }
        Cond::Or(children) => {
            let mut all = Vec::new();
            for c in children {
                match need(program, c) {
                    Need::Never => {}
                    Need::Any => return Need::Any,
                    Need::Paths(t) => all.extend(t),
                }
            }
            if all.is_empty() { Need::Never } else { Need::Paths(all) }
        }
    }
}

/// A plain field (no argument, no suffix, no transformer) on the left.
fn plain_field<'p>(program: &'p Program, cmp: &Cmp) -> Option<&'p FieldSpec> {
    let Operand::Field(id) = &cmp.lhs else {
        return None;
    };
    program
        .fields
        .get(id.0 as usize)
        .filter(|s| s.arg.is_none() && s.suffix.is_none())
}

fn cmp_need(program: &Program, cmp: &Cmp) -> Need {
    let Some(spec) = plain_field(program, cmp) else {
        return Need::Any;
    };
    match spec.name {
        // A failed open's result is negative, and its errno name is not SUCCESS.
        "evt.res" if matches!((cmp.op, &cmp.rhs), (CmpOp::Eq, Rhs::Const(Const::Str(s))) if s == "SUCCESS") => {
            Need::Never
        }
        "evt.failed" if matches!((cmp.op, &cmp.rhs), (CmpOp::Eq, Rhs::Const(Const::Bool(false)))) => Need::Never,
        "evt.rawres" | "fd.num" if needs_non_negative(cmp) => Need::Never,
        // A branch for other event types (`evt.type in (unlink, unlinkat) and ...`).
        "evt.type" if names_no_open_event(cmp) => Need::Never,
        "fd.name" | "fd.nameraw" => path_tests(cmp, Place::Path),
        "fd.directory" => path_tests(cmp, Place::Directory),
        "fd.filename" => path_tests(cmp, Place::Filename),
        _ => Need::Any,
    }
}

/// Whether `cmp` is `evt.type = X` or `evt.type in (...)` with no open event among them.
fn names_no_open_event(cmp: &Cmp) -> bool {
    let open = |c: &Const| !matches!(c, Const::Str(s) if !super::OPEN_EVENTS.contains(&s.as_str()));
    match (cmp.op, &cmp.rhs) {
        (CmpOp::Eq, Rhs::Const(c)) => !open(c),
        (CmpOp::In, Rhs::Set(set)) => !set.items.iter().any(open),
        _ => false,
    }
}

/// What part of the path a field is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The whole path (`fd.name`, `fd.nameraw`).
    Path,
    /// A prefix of it (`fd.directory`).
    Directory,
    /// The part after the last `/` (`fd.filename`).
    Filename,
}

/// Whether `cmp` (an integer field against constants) is false for every negative value.
fn needs_non_negative(cmp: &Cmp) -> bool {
    let int = |c: &Const| match c {
        Const::Int(v) => Some(*v),
        _ => None,
    };
    match (cmp.op, &cmp.rhs) {
        (CmpOp::Ge | CmpOp::Eq, Rhs::Const(c)) => int(c).is_some_and(|v| v >= 0),
        (CmpOp::Gt, Rhs::Const(c)) => int(c).is_some_and(|v| v >= -1),
        (CmpOp::In, Rhs::Set(set)) => !set.items.is_empty() && set.items.iter().all(|c| int(c).is_some_and(|v| v >= 0)),
        _ => false,
    }
}

/// The tests one of which a path passes when `cmp` on a field that is `place` of the path
/// is true.
fn path_tests(cmp: &Cmp, place: Place) -> Need {
    let strings: Vec<&str> = match &cmp.rhs {
        Rhs::Const(Const::Str(s)) => vec![s.as_str()],
        Rhs::Set(set) => {
            let mut v = Vec::with_capacity(set.items.len());
            for c in set.items.iter() {
                match c {
                    Const::Str(s) => v.push(s.as_str()),
                    _ => return Need::Any,
                }
            }
            v
        }
        _ => return Need::Any,
    };
    // A directory (of `fd.directory`, or named by `pmatch`) may be written with a trailing
    // slash the path does not have at that place; anything else keeps the whole text.
    let test = |s: &str| -> Option<PathTest> {
        let t = match (cmp.op, place) {
            (CmpOp::Eq | CmpOp::In | CmpOp::StartsWith, Place::Path) => PathTest::Prefix(s.to_string()),
            (CmpOp::Eq | CmpOp::In | CmpOp::StartsWith, Place::Directory)
            | (CmpOp::PMatch, Place::Path | Place::Directory) => PathTest::Prefix(s.trim_end_matches('/').to_string()),
            // A file name is what follows the path's last slash.
            (CmpOp::Eq | CmpOp::In, Place::Filename) if !s.contains('/') => PathTest::Suffix(format!("/{s}")),
            (CmpOp::StartsWith, Place::Filename) if !s.contains('/') => PathTest::Contains(format!("/{s}")),
            (CmpOp::EndsWith, Place::Path | Place::Filename) => PathTest::Suffix(s.to_string()),
            (CmpOp::Contains, _) => PathTest::Contains(s.to_string()),
            (CmpOp::Glob, Place::Path) => glob_test(s)?,
            _ => return None,
        };
        let empty = match &t {
            PathTest::Prefix(s) | PathTest::Suffix(s) | PathTest::Contains(s) => s.is_empty(),
        };
        (!empty).then_some(t)
    };
    let mut out = Vec::with_capacity(strings.len());
    for s in strings {
        match test(s) {
            Some(t) => out.push(t),
            None => return Need::Any,
        }
    }
    if out.is_empty() { Need::Never } else { Need::Paths(out) }
}

/// A glob's literal head (or, with none, its literal tail) as a test.
fn glob_test(g: &str) -> Option<PathTest> {
    let meta = |c: char| matches!(c, '*' | '?' | '[' | '\\');
    let head = &g[..g.find(meta).unwrap_or(g.len())];
    if head.len() == g.len() {
        // No wildcard: the whole text.
        return Some(PathTest::Prefix(g.to_string()));
    }
    if !head.is_empty() {
        return Some(PathTest::Prefix(head.to_string()));
    }
    let tail = &g[g.rfind(meta).map_or(0, |i| i + 1)..];
    (!tail.is_empty()).then(|| PathTest::Suffix(tail.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use falcorc_compiler::{Options, SourceFile, analyze};

    fn program(condition: &str) -> Program {
        let text = format!("- rule: r\n  desc: d\n  condition: {condition}\n  output: o\n  priority: WARNING\n");
        let an = analyze(
            vec![SourceFile {
                name: "r.yaml".into(),
                text,
            }],
            &Options::default(),
        );
        assert_eq!(an.errors(), 0, "{condition}");
        an.program
    }

    fn paths(tests: &[PathTest]) -> FailedOpens {
        FailedOpens::Paths(tests.to_vec())
    }

    use PathTest::{Contains, Prefix, Suffix};

    fn p(s: &str) -> PathTest {
        Prefix(s.into())
    }

    #[test]
    fn bounds_of_conditions() {
        let open = "evt.type in (open, openat)";
        let cases: Vec<(String, FailedOpens)> = vec![
            (format!("{open} and fd.num >= 0"), paths(&[])),
            (format!("{open} and evt.res = SUCCESS and proc.name = x"), paths(&[])),
            (format!("{open} and evt.rawres > -1"), paths(&[])),
            (format!("{open} and evt.failed = false"), paths(&[])),
            (format!("{open} and fd.num = -1"), FailedOpens::All),
            (format!("{open} and proc.name = cat"), FailedOpens::All),
            (format!("{open} and not fd.name startswith /etc"), FailedOpens::All),
            (format!("{open} and fd.name startswith /etc/"), paths(&[p("/etc/")])),
            (format!("{open} and fd.name in (/a, /b/)"), paths(&[p("/a"), p("/b/")])),
            (format!("{open} and fd.name pmatch (/srv/)"), paths(&[p("/srv")])),
            (
                format!("{open} and fd.directory in (/etc, /root/)"),
                paths(&[p("/etc"), p("/root")]),
            ),
            (
                format!("{open} and fd.name endswith .pem"),
                paths(&[Suffix(".pem".into())]),
            ),
            (
                format!("{open} and fd.filename in (a, b)"),
                paths(&[Suffix("/a".into()), Suffix("/b".into())]),
            ),
            (
                format!("{open} and fd.filename startswith id_"),
                paths(&[Contains("/id_".into())]),
            ),
            (format!("{open} and fd.filename = 'a/b'"), FailedOpens::All),
            (
                format!("{open} and (fd.name startswith /a or evt.type in (unlink, rmdir))"),
                paths(&[p("/a")]),
            ),
            (
                format!("{open} and (fd.name startswith /a or evt.type = openat)"),
                FailedOpens::All,
            ),
            (
                format!("{open} and fd.nameraw contains '../'"),
                paths(&[Contains("../".into())]),
            ),
            (
                format!("{open} and fd.name glob '/home/*/.ssh/*'"),
                paths(&[p("/home/")]),
            ),
            (
                format!("{open} and fd.name glob '*.key'"),
                paths(&[Suffix(".key".into())]),
            ),
            (format!("{open} and fd.name glob '*'"), FailedOpens::All),
            (format!("{open} and fd.name icontains x"), FailedOpens::All),
            (format!("{open} and fd.name startswith ''"), FailedOpens::All),
            // AND keeps the smallest bound, OR joins them.
            (
                format!("{open} and fd.name in (/a, /b) and fd.name startswith /c"),
                paths(&[p("/c")]),
            ),
            (
                format!("{open} and (fd.name startswith /a or fd.name endswith .b)"),
                paths(&[p("/a"), Suffix(".b".into())]),
            ),
            (
                format!("{open} and (fd.name startswith /a or proc.name = x)"),
                FailedOpens::All,
            ),
            (
                format!("{open} and (fd.num >= 0 or fd.name startswith /a)"),
                paths(&[p("/a")]),
            ),
            // A rule that never sees opens needs none.
            ("evt.type = execve and proc.name = x".to_string(), paths(&[])),
        ];
        for (cond, want) in cases {
            assert_eq!(of_program(&program(&cond)), want, "{cond}");
        }
    }

    #[test]
    fn what_the_probe_sends() {
        let f = paths(&[p("/etc/"), Suffix(".pem".into()), Contains("id_rsa".into())]);
        for sent in [
            "/etc/shadow",
            "/x/a.pem",
            "/root/.ssh/id_rsa.pub",
            "relative/path",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/a/.",
            "/\u{e9}",
        ] {
            assert!(f.sends(sent.as_bytes()), "{sent}");
        }
        for dropped in ["/usr/lib/libc.so.6", "/proc/1/status", "/etc", "/a/"] {
            assert!(!f.sends(dropped.as_bytes()), "{dropped}");
        }
        assert!(f.sends(b"/etc/x\0junk"));
        assert!(!paths(&[]).sends(b"relative"));
        assert!(FailedOpens::All.sends(b"/usr/lib/libc.so.6"));
        assert_eq!(f.union(&FailedOpens::All), FailedOpens::All);
        assert_eq!(
            paths(&[p("/a")]).union(&paths(&[p("/a"), p("/b")])),
            paths(&[p("/a"), p("/b")])
        );
    }

    #[test]
    fn tests_fit_the_probe_table_by_sending_more() {
        let limits = Limits {
            prefixes: 3,
            suffixes: 2,
            contains: 1,
            len: 8,
        };
        let f = paths(&[
            p("/etc/shadow"),
            p("/etc/sudoers"),
            p("/etc/gshadow"),
            p("/etc/sudoers.d"),
            p("/var/log"),
            p("/var/spool/cron"),
            p("/proc/"),
            Suffix("/.bash_history".into()),
            Suffix("/.zsh_history".into()),
            Suffix("/authorized_keys".into()),
            Contains("../".into()),
            Contains("x../y".into()),
        ]);
        let small = f.within(limits);
        assert_eq!(
            small,
            paths(&[
                p("/etc/"),
                p("/proc/"),
                p("/var/"),
                Suffix("_history".into()),
                Suffix("zed_keys".into()),
                Contains("../".into()),
            ])
        );
        // Whatever the original sends, the smaller table sends too.
        for path in [
            "/etc/shadow",
            "/var/log/x",
            "/root/.zsh_history",
            "/a/authorized_keys",
            "/a../b",
        ] {
            assert!(f.sends(path.as_bytes()) && small.sends(path.as_bytes()), "{path}");
        }
        // Nothing shared to merge into, or too many substrings: everything.
        let tight = Limits { prefixes: 1, ..limits };
        assert_eq!(paths(&[p("/a"), p("/b")]).within(tight), paths(&[p("/")]));
        assert_eq!(paths(&[p("/a"), p("x")]).within(tight), FailedOpens::All);
        assert_eq!(
            paths(&[Contains("a".into()), Contains("b".into())]).within(limits),
            FailedOpens::All
        );
        assert_eq!(FailedOpens::All.within(limits), FailedOpens::All);
    }
}
