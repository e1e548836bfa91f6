//! `falcorc test --update`: write the rewritten fixtures and alerts files, show each
//! change as a diff, and run the changed fixtures again. What to rewrite is decided by
//! `falcorc_runtime::fixture::update`; this side does the file IO.

use super::Loaded;
use crate::cmd::EXIT_USAGE;
use falcorc_compiler::text_diff as diff;
use falcorc_runtime::engine::Backend;
use falcorc_runtime::fixture::{Outcome, run_loaded, spec, update};
use rayon::prelude::*;
use std::path::Path;

/// Rewrite every fixture (and alerts file) whose expectations differ from its alerts;
/// print a diff of each change. Returns the indexes of the fixtures changed.
pub(super) fn update_all(loaded: &[Loaded], outcomes: &[Outcome], diffs_to_stdout: bool) -> Result<Vec<usize>, u8> {
    let show = |d: &str| {
        if diffs_to_stdout {
            print!("{d}");
        } else {
            eprint!("{d}");
        }
    };
    let mut changed = Vec::new();
    let (mut fixtures, mut alerts_files) = (0, 0);
    for (i, ((path, t), o)) in loaded.iter().zip(outcomes).enumerate() {
        let (Ok(t), None) = (t, &o.error) else {
            let why = o.error.as_deref().unwrap_or("it could not be read");
            eprintln!("falcorc: {}: not updated: {why}", path.display());
            continue;
        };
        let mut touched = false;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("falcorc: {}: {e}", path.display());
                return Err(EXIT_USAGE);
            }
        };
        let known = |rule: &str| o.coverage.contains_key(rule);
        match update::fixture(&text, &o.alerts, &known) {
            Ok(u) => {
                for n in &u.notes {
                    eprintln!("falcorc: {}: {n}", path.display());
                }
                if u.text != text {
                    show(&diff::unified(&text, &u.text, &label("a", path), &label("b", path)));
                    write(path, &u.text)?;
                    fixtures += 1;
                    touched = true;
                }
            }
            Err(e) => eprintln!("falcorc: {}: not updated: {e}", path.display()),
        }
        if let Some(af) = &t.alerts_file {
            // A missing alerts file is created.
            let old = std::fs::read_to_string(af).unwrap_or_default();
            if update::alerts_differ(&old, &o.alerts) {
                let new = update::alerts_text(&o.alerts);
                show(&diff::unified(&old, &new, &label("a", af), &label("b", af)));
                write(af, &new)?;
                alerts_files += 1;
                touched = true;
            }
        }
        if touched {
            changed.push(i);
        }
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    eprintln!(
        "falcorc: --update: rewrote {fixtures} fixture{} and {alerts_files} alerts file{}",
        plural(fixtures),
        plural(alerts_files)
    );
    Ok(changed)
}

/// A diff header name: `a/`/`b/` before a relative path, as git writes them.
fn label(side: &str, p: &Path) -> String {
    if p.is_absolute() {
        p.display().to_string()
    } else {
        format!("{side}/{}", p.display())
    }
}

fn write(path: &Path, text: &str) -> Result<(), u8> {
    std::fs::write(path, text).map_err(|e| {
        eprintln!("falcorc: cannot write {}: {e}", path.display());
        EXIT_USAGE
    })
}

/// Run the updated fixtures again, so the report and the exit code describe the files
/// as they are now.
pub(super) fn rerun(outcomes: &mut [Outcome], loaded: &[Loaded], changed: &[usize], backend: Backend) {
    let again: Vec<(usize, Outcome)> = changed
        .par_iter()
        .filter_map(|&i| {
            let (file, _) = loaded.get(i)?;
            Some((i, run_loaded(file, spec::load(file), backend)))
        })
        .collect();
    for (i, o) in again {
        if let Some(slot) = outcomes.get_mut(i) {
            *slot = o;
        }
    }
}
