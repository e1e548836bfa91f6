//! `falcorc test`: run rule fixtures (see docs/RULE_TESTS.md) in parallel, filter them,
//! update their expectations from the alerts they produce, and gate CI on coverage.

mod update;

use super::selection::EngineKind;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use falcorc_runtime::fixture::report::{self, ReportOptions};
use falcorc_runtime::fixture::{Filter, FixtureError, Outcome, TestFile, junit, run_loaded, spec};
use rayon::prelude::*;
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Fixture files, or directories searched for `*.test.yaml` / `*.test.yml`
    /// (default: the current directory).
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// Also list the rules that lack a positive or a negative test.
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) unless at least N percent of the rules of the loaded rules files
    /// have both a positive and a negative test.
    #[arg(long, value_name = "N", value_parser = parse_percent)]
    min_coverage: Option<f64>,
    /// Run only the fixtures whose name, file name or expected rule matches PATTERN
    /// (substring, case-insensitive; `*` makes it a wildcard over the whole text).
    /// Repeatable: a fixture runs if any pattern matches.
    #[arg(long, value_name = "PATTERN")]
    filter: Vec<String>,
    /// Rewrite each fixture's expected counts and output field values (and its
    /// alerts_file) from the alerts actually produced, printing a diff of every change.
    #[arg(long)]
    update: bool,
    /// What evaluates the rules: native code, or the reference interpreter.
    #[arg(long, value_enum, default_value = "jit")]
    engine: EngineKind,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Junit,
}

fn parse_percent(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("'{s}' is not a number"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{s} is not between 0 and 100"))
    }
}

/// The fixtures `p` names: itself, or every `*.test.yaml` below it (each directory once,
/// however symlinks loop; FIFOs and devices are reported, not read).
pub fn collect(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    use falcorc_compiler::fs;
    let meta = std::fs::metadata(p).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        out.push(p.to_path_buf());
        return Ok(());
    }
    let walk = fs::walk(
        p,
        &fs::WalkOptions {
            keep: &|f| super::is_fixture(f),
            enter: &|_| true,
            max_depth: fs::MAX_WALK_DEPTH,
            max_files: usize::MAX,
        },
    );
    for problem in walk.problems {
        eprintln!("falcorc: warning: {problem}");
    }
    // `./x.test.yaml` reads better as `x.test.yaml` in reports.
    out.extend(
        walk.files
            .into_iter()
            .map(|f| f.strip_prefix(".").map_or_else(|_| f.clone(), Path::to_path_buf)),
    );
    Ok(())
}

type Loaded = (PathBuf, Result<TestFile, FixtureError>);

pub fn run(a: Args) -> u8 {
    let (loaded, filtered_out) = match select(&a) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let backend = a.engine.backend();
    let mut outcomes: Vec<Outcome> = loaded
        .par_iter()
        .map(|(f, t)| {
            let mut o = run_loaded(f, t.clone(), backend);
            // Only --update reads the alerts back; a capture can raise many.
            if !a.update {
                o.alerts = Vec::new();
            }
            o
        })
        .collect();
    if a.update {
        // Diffs go where they do not mix with a machine-read report.
        let diffs_to_stdout = a.output_file.is_some() || a.format == Format::Human;
        match update::update_all(&loaded, &outcomes, diffs_to_stdout) {
            Ok(changed) => update::rerun(&mut outcomes, &loaded, &changed, backend),
            Err(code) => return code,
        }
    }
    for o in &outcomes {
        for w in &o.warnings {
            eprintln!("falcorc: warning: {}: {w}", o.file.display());
        }
    }
    let opts = ReportOptions {
        coverage_table: a.coverage,
        coverage_summary: a.coverage || a.min_coverage.is_some(),
        min_coverage: a.min_coverage,
        filtered_out,
    };
    let text = match a.format {
        Format::Human => report::human(&outcomes, &opts),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&report::json(&outcomes, &opts)).unwrap_or_default()
        ),
        Format::Junit => junit::junit(&outcomes),
    };
    if let Err(code) = emit(&text, a.output_file.as_deref()) {
        return code;
    }
    // Both are evaluated: a coverage shortfall is reported even when checks failed too.
    let reached = coverage_reached(&outcomes, a.min_coverage);
    if reached && outcomes.iter().all(Outcome::passed) {
        EXIT_OK
    } else {
        EXIT_ERRORS
    }
}

/// Find the fixtures, read them and keep those `--filter` selects. Returns them with the
/// number filtered out; nothing to run is a usage error.
fn select(a: &Args) -> Result<(Vec<Loaded>, usize), u8> {
    let roots = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let mut files = Vec::new();
    for r in &roots {
        if let Err(e) = collect(r, &mut files) {
            eprintln!("falcorc: {}: {e}", r.display());
            return Err(EXIT_USAGE);
        }
    }
    if files.is_empty() {
        eprintln!("falcorc: no fixture files (*.test.yaml) found");
        return Err(EXIT_USAGE);
    }
    // Fixtures are read first: the filter matches their names and expected rules.
    let found = files.len();
    let filter = Filter::new(&a.filter);
    let loaded: Vec<Loaded> = files
        .into_par_iter()
        .map(|f| {
            let t = spec::load(&f);
            (f, t)
        })
        .filter(|(f, t)| filter.matches(f, t.as_ref().ok()))
        .collect();
    let filtered_out = found - loaded.len();
    if loaded.is_empty() {
        eprintln!(
            "falcorc: --filter matched none of the {found} fixture{}",
            if found == 1 { "" } else { "s" }
        );
        return Err(EXIT_USAGE);
    }
    if !filter.is_empty() && a.format != Format::Human {
        eprintln!(
            "falcorc: --filter: running {} of {found} fixtures ({filtered_out} filtered out)",
            loaded.len()
        );
    }
    Ok((loaded, filtered_out))
}

/// Whether rule coverage reaches `--min-coverage` (always, without it); says why not.
fn coverage_reached(outcomes: &[Outcome], min: Option<f64>) -> bool {
    let Some(min) = min else { return true };
    let cov = report::coverage(outcomes);
    if cov.meets(min) {
        return true;
    }
    eprintln!(
        "falcorc: rule coverage is {:.1}% ({} of {} rules have a positive and a negative test), below --min-coverage {min}",
        cov.percent(),
        cov.covered(),
        cov.total()
    );
    false
}

/// Write the report to `file`, or to standard output.
pub fn emit(text: &str, file: Option<&Path>) -> Result<(), u8> {
    let written = match file {
        Some(f) => std::fs::write(f, text).map_err(|e| format!("{}: {e}", f.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| format!("standard output: {e}"))
        }
    };
    written.map_err(|e| {
        eprintln!("falcorc: cannot write the report: {e}");
        EXIT_USAGE
    })
}
