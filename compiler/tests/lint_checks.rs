//! Every check of the registry: documented, with a failing and a passing fixture (its own
//! `bad`/`good` examples), a snapshot of what it reports on the failing one, fixes that
//! resolve what they claim to, and a docs/lints/ page that matches its docs.
//!
//! Write snapshots with `INSTA_UPDATE=always cargo test -p falcorc-compiler --test lint_checks`;
//! regenerate docs/lints/ with `FALCORC_UPDATE_DOCS=1` on the same command.

use falcorc_compiler::diag::{Applicability, Code, Diagnostic, fix, render};
use falcorc_compiler::lint::{CheckId, Config, Level, Selector, docs};
use falcorc_compiler::{Analysis, Options, SourceFile, analyze};
use std::collections::HashSet;
use std::path::PathBuf;

fn run(id: CheckId, text: &str) -> Analysis {
    let mut lint = Config::new();
    lint.set(Selector::Code(Code::Check(id)), Level::Warn);
    analyze(
        vec![SourceFile {
            name: "rules.yaml".into(),
            text: text.into(),
        }],
        &Options {
            lint,
            ..Options::default()
        },
    )
}

fn findings(a: &Analysis, id: CheckId) -> Vec<&Diagnostic> {
    a.diagnostics.iter().filter(|d| d.code == Code::Check(id)).collect()
}

#[test]
fn every_check_is_documented_and_named_well() {
    let mut names = HashSet::new();
    for id in CheckId::ALL {
        let m = id.meta();
        assert!(names.insert(m.name), "duplicate check name {}", m.name);
        assert!(
            !m.name.is_empty() && m.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{}: names are kebab-case",
            m.name
        );
        for (what, text) in [("summary", m.summary), ("what", m.what), ("why", m.why)] {
            assert!(text.len() > 15, "{}: {what} is missing or too short", m.name);
        }
        assert!(!m.summary.ends_with('.'), "{}: the summary is a phrase", m.name);
        assert!(
            m.bad.ends_with('\n') && m.good.ends_with('\n'),
            "{}: fixtures end with a newline",
            m.name
        );
        assert_ne!(m.bad, m.good, "{}", m.name);
        assert_eq!(Code::from_name(m.name), Some(Code::Check(*id)));
    }
}

#[test]
fn bad_fixtures_fail_and_good_fixtures_pass() {
    let mut failures = Vec::new();
    for &id in CheckId::ALL {
        let m = id.meta();
        let bad = run(id, m.bad);
        let good = run(id, m.good);
        if findings(&bad, id).is_empty() {
            failures.push(format!("{}: the bad example reports nothing", m.name));
        }
        if !findings(&good, id).is_empty() {
            failures.push(format!(
                "{}: the good example reports {:?}",
                m.name,
                findings(&good, id)
            ));
        }
        // Examples are otherwise valid rules files: no loader error hides the point (but for
        // a check whose point is the cause of a confusing loader error).
        let explains_error = [CheckId::MacroShadowedByList].contains(&id);
        for (which, a) in [("bad", &bad), ("good", &good)] {
            if explains_error && which == "bad" {
                continue;
            }
            if let Some(e) = a.diagnostics.iter().find(|d| d.is_error() && d.code.check().is_none()) {
                failures.push(format!(
                    "{}: the {which} example has a loader error: {}",
                    m.name, e.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn snapshot_of_every_check() {
    for &id in CheckId::ALL {
        let m = id.meta();
        let a = run(id, m.bad);
        let mut out = String::new();
        for d in findings(&a, id) {
            out.push_str(&render::human(&a.files, d, false));
            if let Some(f) = &d.fix {
                out.push_str(&format!("fix ({}): {}\n", f.applicability.as_str(), f.message));
            }
        }
        insta::with_settings!({ description => m.bad, omit_expression => true, snapshot_suffix => m.name }, {
            insta::assert_snapshot!("check", out);
        });
    }
}

#[test]
fn fixes_are_declared_and_safe_ones_resolve_the_finding() {
    for &id in CheckId::ALL {
        let m = id.meta();
        let a = run(id, m.bad);
        let found = findings(&a, id);
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        match m.fix {
            None => assert!(fixes.is_empty(), "{}: fixes without `fix` in META", m.name),
            Some(app) => {
                assert!(
                    !fixes.is_empty(),
                    "{}: META promises a fix, the bad example has none",
                    m.name
                );
                assert!(fixes.iter().all(|f| f.applicability <= app), "{}", m.name);
            }
        }
        let safe: Vec<_> = fixes
            .iter()
            .filter(|f| f.applicability == Applicability::Safe)
            .flat_map(|f| &f.edits)
            .collect();
        if safe.is_empty() {
            continue;
        }
        let (fixed, n) = fix::apply(m.bad, &safe);
        assert_eq!(n, safe.len(), "{}: every safe edit applies", m.name);
        let after = run(id, &fixed);
        assert!(
            findings(&after, id).is_empty(),
            "{}: still reported after the fix:\n{fixed}",
            m.name
        );
        assert_eq!(after.errors(), 0, "{}: the fix broke the file:\n{fixed}", m.name);
    }
}

#[test]
fn docs_pages_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/lints");
    let update = std::env::var_os("FALCORC_UPDATE_DOCS").is_some();
    let mut pages: Vec<(PathBuf, String)> = CheckId::ALL
        .iter()
        .map(|id| (dir.join(format!("{}.md", id.meta().name)), docs::page(id.meta())))
        .collect();
    pages.push((dir.join("README.md"), docs::index()));
    let codes_page = dir.join("../CODES.md");
    let mut stale = Vec::new();
    for (path, want) in &pages {
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(path, want).unwrap();
        } else if std::fs::read_to_string(path).ok().as_deref() != Some(want.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    if update {
        std::fs::write(&codes_page, docs::codes()).unwrap();
    } else if std::fs::read_to_string(&codes_page).ok().as_deref() != Some(docs::codes().as_str()) {
        stale.push(codes_page.display().to_string());
    }
    // No page for a check that is gone.
    let known: HashSet<_> = pages.iter().map(|(p, _)| p.clone()).collect();
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if !known.contains(&e.path()) {
            stale.push(format!("{} (no such check)", e.path().display()));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/lints/ is stale; run FALCORC_UPDATE_DOCS=1 cargo test -p falcorc-compiler --test lint_checks\n{stale:#?}"
    );
}
