//! `regex` patterns against the real RE2 in POSIX mode, the engine and mode libsinsp
//! compiles them with (`RE2(pattern, RE2::POSIX)`; Falco bundles RE2 2022-06-01, the version
//! Debian's `libre2-dev` ships). Thousands of generated patterns must get RE2's verdict and
//! error text from `re2_posix::translate`, and every accepted one must fully match the same
//! sample strings.
//!
//! The oracle is a small C++ program built against the system's RE2. Without `re2/re2.h` and a
//! C++ compiler the test says so and passes, so that `cargo test` needs nothing beyond Rust;
//! `.ci/run` installs `libre2-dev` and sets `FALCORC_REQUIRE_RE2=1`, which makes a missing
//! oracle a failure.

use falcorc_compiler::sema::re2_posix::translate;
use proptest::collection::vec;
use proptest::sample::select;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const ORACLE: &str = r#"
#include <re2/re2.h>
#include <iostream>
#include <sstream>
#include <string>

static std::string unhex(const std::string& h) {
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back((char)std::stoi(h.substr(i, 2), nullptr, 16));
    return out;
}

static std::string hex(const std::string& s) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) { out.push_back(d[c >> 4]); out.push_back(d[c & 15]); }
    return out;
}

// Each line: the pattern, then sample texts, all hex, separated by blanks. Each answer:
// `err <hex of RE2's error>` or `ok` and one 0/1 per text for a full match.
int main() {
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string p;
        in >> p;
        RE2::Options o(RE2::POSIX);
        o.set_log_errors(false);
        RE2 re(unhex(p == "-" ? "" : p), o);
        if (!re.ok()) { std::cout << "err " << hex(re.error()) << "\n"; continue; }
        std::cout << "ok";
        std::string t;
        while (in >> t) std::cout << ' ' << (RE2::FullMatch(unhex(t == "-" ? "" : t), re) ? '1' : '0');
        std::cout << "\n";
    }
}
"#;

/// Builds the oracle, or says why it cannot.
fn oracle() -> Result<PathBuf, String> {
    if !std::path::Path::new("/usr/include/re2/re2.h").exists() {
        return Err("re2/re2.h is not installed (Debian: libre2-dev)".into());
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("re2_oracle");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let src = dir.join("oracle.cc");
    let bin = dir.join("oracle");
    std::fs::write(&src, ORACLE).map_err(|e| e.to_string())?;
    let out = Command::new("c++")
        .args(["-std=c++17", "-O1", "-o"])
        .arg(&bin)
        .arg(&src)
        .arg("-lre2")
        .output()
        .map_err(|e| format!("c++: {e}"))?;
    if !out.status.success() {
        return Err(format!("c++ failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(bin)
}

fn hex(s: &str) -> String {
    if s.is_empty() {
        return "-".into();
    }
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(h: &str) -> String {
    let bytes: Vec<u8> = (0..h.len() / 2)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

const TOKENS: &[&str] = &[
    "a",
    "b",
    "é",
    ".",
    "*",
    "+",
    "?",
    "{2}",
    "{1,3}",
    "{0,}",
    "{,3}",
    "{",
    "}",
    "(",
    ")",
    "(?:",
    "(?i)",
    "|",
    "[",
    "]",
    "[^",
    "-",
    "^",
    "$",
    "\\",
    "\\d",
    "\\w",
    "\\b",
    "\\x41",
    "\\x{e9}",
    "\\101",
    "\\1",
    "\\n",
    "\\.",
    "\\_",
    "[:alpha:]",
    "[:foo:]",
    "[a-c]",
    "[c-a]",
    "\n",
    " ",
    "ab",
    "{1001}",
    "a{2}{3}",
    "\\pL",
    "\\e",
    "\\x{110000}",
    "\\0",
    "\\12",
    "\\8",
    "\\ ",
    "\\é",
    "\t",
    "[]",
    "[^]",
    "{10}",
    "(a{100})",
    "\\A",
    "\\z",
    "[[:word:]]",
    "\\-",
    "\\x{d800}",
    "\\x{10ffff}",
    "\\x{0}",
    "[\\x{d800}]",
    "[^\\x{dfff}]",
    "[\\x{d7ff}-\\x{e000}]",
];

const TEXT: &[&str] = &["a", "b", "ab", "A", "é", "\n", "{", "2", "-", ".", " ", "aa"];

#[test]
fn translation_agrees_with_re2_posix() {
    let bin = match oracle() {
        Ok(b) => b,
        Err(why) => {
            assert!(
                std::env::var_os("FALCORC_REQUIRE_RE2").is_none(),
                "FALCORC_REQUIRE_RE2 is set but the RE2 oracle cannot be built: {why}"
            );
            eprintln!("skipped: {why}");
            return;
        }
    };
    // Deterministic: a failure reproduces.
    let mut runner = TestRunner::deterministic();
    let strategy = (
        vec(select(TOKENS), 1..7).prop_map(|t| t.concat()),
        vec(vec(select(TEXT), 0..5).prop_map(|t| t.concat()), 6),
    );
    let cases: Vec<(String, Vec<String>)> = (0..20_000)
        .map(|_| strategy.new_tree(&mut runner).expect("a case").current())
        .collect();
    let mut child = Command::new(&bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("oracle runs");
    let mut input = String::new();
    for (p, texts) in &cases {
        input.push_str(&hex(p));
        for t in texts {
            input.push(' ');
            input.push_str(&hex(t));
        }
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("oracle answers");
    writer.join().unwrap().unwrap();
    let answers: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(answers.len(), cases.len());
    let mut wrong = Vec::new();
    let mut accepted = 0;
    for ((p, texts), answer) in cases.iter().zip(&answers) {
        let ours = translate(p);
        match (answer.strip_prefix("err "), &ours) {
            (Some(e), Err(mine)) if unhex(e) == *mine => {}
            (None, Ok(rust)) => {
                accepted += 1;
                let re = regex::Regex::new(&format!("^(?:{rust})$")).unwrap();
                let theirs: Vec<bool> = answer.split(' ').skip(1).map(|b| b == "1").collect();
                let mine: Vec<bool> = texts.iter().map(|t| re.is_match(t)).collect();
                if theirs != mine {
                    wrong.push(format!("{p:?} -> {rust:?}: on {texts:?} RE2 {theirs:?}, ours {mine:?}"));
                }
            }
            (theirs, _) => wrong.push(format!(
                "{p:?}: RE2 {:?}, ours {ours:?}",
                theirs.map(unhex).map_or(Ok(()), Err)
            )),
        }
    }
    assert!(
        accepted > 1000,
        "too few accepted patterns to compare matches: {accepted}"
    );
    assert!(
        wrong.is_empty(),
        "{} of {} patterns differ from RE2:\n{}",
        wrong.len(),
        cases.len(),
        wrong.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}
