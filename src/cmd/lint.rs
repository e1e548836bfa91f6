//! `falcorc lint`: load files like Falco, run falcorc's checks, report every problem in
//! the format a person or a CI system reads.

use super::{ColorChoice, EXIT_ERRORS, EXIT_OK, EXIT_USAGE, project, read_paths};
use falcorc_compiler::diag::render::{self, Report, Summary};
use falcorc_compiler::diag::{Applicability, Code, Diagnostic, Edit, Severity, fix};
use falcorc_compiler::lint::{Level, Selector};
use falcorc_compiler::project::parse_plugin;
use falcorc_compiler::span::{FileId, FileSpan, Span};
use falcorc_compiler::{Analysis, Options, ParsedFile, SourceFile, analyze, analyze_parsed, parse_file};
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Rules files or directories (their *.yaml in name order, fixtures excluded), loaded
    /// in this order; `-` reads standard input, `@default` is the embedded ruleset.
    /// Default: `rules` of falcorc.toml.
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output_file: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Exit with 1 when a finding reaches this severity.
    #[arg(long, value_enum, default_value = "error")]
    fail_level: FailLevel,
    /// Only these checks (names, categories, or `all`); Falco's own diagnostics stay.
    #[arg(long, value_delimiter = ',', value_name = "CHECK")]
    select: Vec<String>,
    /// Also these checks, on top of the defaults and falcorc.toml.
    #[arg(long, value_delimiter = ',', value_name = "CHECK")]
    extend_select: Vec<String>,
    /// Not these checks (or warning codes such as LOAD_UNUSED_LIST).
    #[arg(long, value_delimiter = ',', value_name = "CHECK")]
    ignore: Vec<String>,
    /// Apply the safe fixes to the files (to standard output for `-`), then report what is left.
    #[arg(long)]
    fix: bool,
    /// Use this project file instead of searching for falcorc.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore falcorc.toml.
    #[arg(long)]
    no_config: bool,
    /// Treat the container plugin as not loaded (container.* and k8s.* fields unknown).
    #[arg(long)]
    no_container_plugin: bool,
    /// Treat a plugin as loaded, for `required_plugin_versions` (e.g. `k8saudit:0.7.0`).
    /// Its event source and fields are not modelled: rules using them are skipped.
    #[arg(long = "plugin", value_name = "NAME:VERSION")]
    plugins: Vec<String>,
    /// Print the time the analysis took.
    #[arg(long)]
    timings: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
    Gitlab,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FailLevel {
    Error,
    Warning,
}

/// What went wrong before any rules were checked: reported in the chosen format.
struct Usage(String);

pub fn run(a: Args) -> u8 {
    match lint(&a) {
        Ok(code) => code,
        Err(Usage(message)) => {
            let d = Diagnostic::new(
                Code::UsageError,
                FileSpan {
                    file: FileId(u32::MAX),
                    span: Span::empty(0),
                },
                message,
            );
            let _ = emit(&a, &[], &[d], Summary::default());
            EXIT_USAGE
        }
    }
}

fn lint(a: &Args) -> Result<u8, Usage> {
    let found = if a.no_config {
        None
    } else if let Some(p) = &a.config {
        Some(project::load(p).map_err(Usage)?)
    } else {
        let start = a
            .paths
            .iter()
            .find(|p| p.as_os_str() != "-")
            .cloned()
            .unwrap_or_else(|| ".".into());
        project::discover(&start).map_err(Usage)?
    };
    let paths = if a.paths.is_empty() {
        match &found {
            Some(f) if !f.project.rules.is_empty() => f.rules_paths(),
            _ => {
                return Err(Usage(
                    "no rules files given, and no falcorc.toml with `rules = [...]` found".into(),
                ));
            }
        }
    } else {
        a.paths.clone()
    };
    let mut opts = found.as_ref().map_or_else(Options::default, |f| f.project.options());
    opts.services = falcorc_compiler::fs::host_services();
    // Findings only: the rules are not run, so they are not lowered.
    opts.lower = false;
    opts.exit_after = true;
    if a.no_container_plugin {
        opts.container_plugin = false;
    }
    for p in &a.plugins {
        opts.plugins
            .push(parse_plugin(p).map_err(|m| Usage(format!("--plugin: {m}")))?);
    }
    let sel = |names: &[String], flag: &str| -> Result<Vec<Selector>, Usage> {
        names
            .iter()
            .map(|n| Selector::parse(n).map_err(|e| Usage(format!("{flag}: {e}"))))
            .collect()
    };
    let select = sel(&a.select, "--select")?;
    if !select.is_empty() {
        opts.lint.set(Selector::All, Level::Allow);
        select.into_iter().for_each(|s| opts.lint.set(s, Level::Warn));
    }
    sel(&a.extend_select, "--extend-select")?
        .into_iter()
        .for_each(|s| opts.lint.set(s, Level::Warn));
    sel(&a.ignore, "--ignore")?
        .into_iter()
        .for_each(|s| opts.lint.set(s, Level::Allow));

    let (files, read_errors) = read_paths(&paths);
    if a.fix && read_errors.is_empty() {
        let fixed = apply_fixes(a, &files, &opts)?;
        if files.iter().any(|f| f.name == super::STDIN_NAME) {
            return Ok(EXIT_OK);
        }
        // What is left, on the texts just written.
        return finish(a, fixed, Vec::new(), &opts);
    }
    finish(a, files, read_errors, &opts)
}

fn finish(a: &Args, files: Vec<SourceFile>, read_errors: Vec<super::ReadError>, opts: &Options) -> Result<u8, Usage> {
    let start = std::time::Instant::now();
    // Files parse independently: with several, on every core.
    let parsed: Vec<ParsedFile> = if files.len() > 1 {
        files.par_iter().map(|f| parse_file(f, opts)).collect()
    } else {
        files.iter().map(|f| parse_file(f, opts)).collect()
    };
    let mut an = analyze_parsed(files, parsed, opts);
    let took = start.elapsed();
    let summary = summary(&an);
    let mut files = std::mem::take(&mut an.files);
    let mut diags = std::mem::take(&mut an.diagnostics);
    // Freeing the analysis (trees, IR) is work the process exit does for free.
    std::mem::forget(an);
    // Unreadable files are diagnostics too, at the start of a file with no text.
    for e in &read_errors {
        let id = FileId(files.len() as u32);
        files.push(SourceFile {
            name: e.path.clone(),
            text: String::new(),
        });
        let message = e.message.trim_start_matches("LOAD_ERR_FILE_READ: ").to_string();
        diags.push(Diagnostic::new(
            Code::LoadErrFileRead,
            FileSpan {
                file: id,
                span: Span::empty(0),
            },
            message,
        ));
    }
    emit(a, &files, &diags, summary)?;
    if a.timings {
        eprintln!("analysis took {:.3} ms", took.as_secs_f64() * 1000.0);
    }
    let failing = |d: &&Diagnostic| match a.fail_level {
        FailLevel::Error => d.severity == Severity::Error,
        FailLevel::Warning => true,
    };
    Ok(if !read_errors.is_empty() {
        EXIT_USAGE
    } else if diags.iter().any(|d| failing(&d)) {
        EXIT_ERRORS
    } else {
        EXIT_OK
    })
}

fn summary(an: &Analysis) -> Summary {
    Summary {
        rules: an.rules.len(),
        macros: an.macros.len(),
        lists: an.lists.len(),
        schema_ok: an.schema_ok,
        suppressed: an.suppressed,
    }
}

/// Render the report in the chosen format to standard output or the output file.
fn emit(a: &Args, files: &[SourceFile], diags: &[Diagnostic], summary: Summary) -> Result<(), Usage> {
    let docs_url = std::env::var("FALCORC_DOCS_URL").unwrap_or_else(|_| render::DOCS_URL.to_string());
    let report = Report {
        files,
        diagnostics: diags,
        summary,
        tool_version: env!("CARGO_PKG_VERSION"),
        docs_url: &docs_url,
    };
    let to_file = a.output_file.is_some();
    let mut out = String::new();
    match a.format {
        Format::Human => {
            let color = !to_file && a.color.enabled();
            render::human_batch(files, diags, color, |s| out.push_str(&s));
            out.push_str(&closing_line(&report));
            out.push('\n');
        }
        Format::Json => out = render::json::report(&report) + "\n",
        Format::Sarif => out = render::sarif::report(&report) + "\n",
        Format::Github => out = render::github::report(&report),
        Format::Junit => out = render::junit::report(&report),
        Format::Gitlab => out = render::gitlab::report(&report) + "\n",
    }
    match &a.output_file {
        Some(p) => {
            std::fs::write(p, out).map_err(|e| Usage(format!("cannot write {}: {e}", p.display())))?;
            eprintln!("{}", closing_line(&report));
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush());
        }
    }
    Ok(())
}

fn closing_line(r: &Report) -> String {
    let (errors, warnings) = (r.errors(), r.warnings());
    let names = r.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
    let status = if errors > 0 {
        "Invalid"
    } else if warnings > 0 {
        "Ok, with warnings"
    } else {
        "Ok"
    };
    let suppressed = if r.summary.suppressed > 0 {
        format!(", {} suppressed", r.summary.suppressed)
    } else {
        String::new()
    };
    format!(
        "{names}: {status} ({} rules, {} macros, {} lists; {errors} errors, {warnings} warnings{suppressed})",
        r.summary.rules, r.summary.macros, r.summary.lists
    )
}

/// Apply every safe fix: in place for files, to standard output for `-`. Fixes may
/// uncover or overlap others, so this runs until nothing changes (at most 10 rounds).
/// Returns the fixed texts.
fn apply_fixes(a: &Args, files: &[SourceFile], opts: &Options) -> Result<Vec<SourceFile>, Usage> {
    let mut current: Vec<SourceFile> = files.to_vec();
    let mut total = 0;
    // Up to ten analyses in one process: each frees what it made.
    let opts = &Options {
        exit_after: false,
        ..opts.clone()
    };
    for _ in 0..10 {
        let an = analyze(current.clone(), opts);
        let mut per_file: Vec<Vec<&Edit>> = vec![Vec::new(); current.len()];
        for d in &an.diagnostics {
            let Some(f) = d.fix.as_ref().filter(|f| f.applicability == Applicability::Safe) else {
                continue;
            };
            // A fix's edits go together, and all in one file here.
            if let Some(v) = f.edits.first().and_then(|e| per_file.get_mut(e.span.file.0 as usize))
                && f.edits.iter().all(|e| e.span.file == f.edits[0].span.file)
            {
                v.extend(f.edits.iter());
            }
        }
        let mut changed = 0;
        let next: Vec<SourceFile> = current
            .iter()
            .zip(&per_file)
            .map(|(f, edits)| {
                let (text, n) = fix::apply(&f.text, edits);
                changed += n;
                SourceFile {
                    name: f.name.clone(),
                    text,
                }
            })
            .collect();
        total += changed;
        current = next;
        if changed == 0 {
            break;
        }
    }
    for (before, after) in files.iter().zip(&current) {
        if before.name == super::STDIN_NAME {
            print!("{}", after.text);
        } else if before.text != after.text {
            write_atomic(&before.name, &after.text).map_err(Usage)?;
        }
    }
    if a.format == Format::Human && total > 0 {
        eprintln!("falcorc: applied {total} fix{}", if total == 1 { "" } else { "es" });
    }
    Ok(current)
}

/// Replace a file's content through a temporary file in the same directory.
fn write_atomic(path: &str, text: &str) -> Result<(), String> {
    let p = std::path::Path::new(path);
    let tmp = p.with_file_name(format!(
        ".{}.falcorc-fix",
        p.file_name().and_then(|n| n.to_str()).unwrap_or("rules")
    ));
    std::fs::write(&tmp, text)
        .and_then(|()| {
            if let Ok(meta) = std::fs::metadata(p) {
                let _ = std::fs::set_permissions(&tmp, meta.permissions());
            }
            std::fs::rename(&tmp, p)
        })
        .map_err(|e| format!("cannot write {path}: {e}"))
}
