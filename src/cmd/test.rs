//! `falcorc test`: run rule fixtures (see docs/RULE_TESTS.md) in parallel.

use super::selection::EngineKind;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use falcorc_runtime::fixture::{Outcome, report, run_file};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Fixture files, or directories searched for `*.test.yaml` / `*.test.yml`
    /// (default: the current directory).
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Also list the rules that lack a positive or a negative test.
    #[arg(long)]
    coverage: bool,
    /// What evaluates the rules: native code, or the reference interpreter.
    #[arg(long, value_enum, default_value = "jit")]
    engine: EngineKind,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Junit,
}

fn is_fixture(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".test.yaml") || n.ends_with(".test.yml"))
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect(&e, out)?;
            } else if is_fixture(&e) {
                out.push(e);
            }
        }
    } else {
        std::fs::metadata(p)?;
        out.push(p.to_path_buf());
    }
    Ok(())
}

pub fn run(a: Args) -> u8 {
    let roots = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths
    };
    let mut files = Vec::new();
    for r in &roots {
        if let Err(e) = collect(r, &mut files) {
            eprintln!("falcorc: {}: {e}", r.display());
            return EXIT_USAGE;
        }
    }
    if files.is_empty() {
        eprintln!("falcorc: no fixture files (*.test.yaml) found");
        return EXIT_USAGE;
    }
    let outcomes: Vec<Outcome> = files.par_iter().map(|f| run_file(f, a.engine.backend())).collect();
    for o in &outcomes {
        for w in &o.warnings {
            eprintln!("falcorc: warning: {}: {w}", o.file.display());
        }
    }
    match a.format {
        Format::Human => print!("{}", report::human(&outcomes, a.coverage)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report::json(&outcomes)).unwrap_or_default()
        ),
        Format::Junit => print!("{}", report::junit(&outcomes)),
    }
    if outcomes.iter().all(Outcome::passed) {
        EXIT_OK
    } else {
        EXIT_ERRORS
    }
}
