//! `falcorc diff`: which detections a change to the rules alters, and why; with captures or
//! fixtures, the alerts that appear or disappear.

mod git;
mod replay;

use super::{ColorChoice, EXIT_ERRORS, EXIT_OK, EXIT_USAGE, load_files, project};
use falcorc_compiler::review::{self, AlertsDiff, Change, Report};
use falcorc_compiler::{Analysis, Options, SourceFile, analyze};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// OLD and NEW rules (each a file or a directory of them); with `--git`, the rules
    /// files and directories to compare (default: `rules` of falcorc.toml).
    paths: Vec<PathBuf>,
    /// Compare the paths as they are at this git revision (OLD) with the work tree (NEW).
    #[arg(long, value_name = "REV")]
    git: Option<String>,
    /// Replay these captures under both versions and list the alerts that differ.
    #[arg(long, value_name = "CAPTURE", num_args = 1..)]
    captures: Vec<PathBuf>,
    /// Replay these rule fixtures (files or directories of *.test.yaml) under both versions.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    tests: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output_file: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Exit with 1 when the change does this: `removed` (a rule removed or disabled),
    /// `changed` (any rule added, removed, renamed or changed), `alerts` (an alert appeared
    /// or disappeared, or a fixture expectation broke).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "WHAT")]
    fail_on: Vec<FailOn>,
    /// Treat the container plugin as not loaded (container.* and k8s.* fields unknown).
    #[arg(long)]
    no_container_plugin: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    Removed,
    Changed,
    Alerts,
}

pub fn run(a: Args) -> u8 {
    match diff(&a) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("falcorc: {message}");
            EXIT_USAGE
        }
    }
}

fn diff(a: &Args) -> Result<u8, String> {
    let ((old_label, old_files), (new_label, new_files)) = versions(a)?;
    let opts = Options {
        container_plugin: !a.no_container_plugin,
        lint: falcorc_compiler::lint::Config::none(),
        ..falcorc_compiler::fs::host_options()
    };
    let old = load(&old_label, old_files, &opts)?;
    let new = load(&new_label, new_files, &opts)?;
    let diff = review::diff(&old, &new);
    let alerts = if a.captures.is_empty() && a.tests.is_empty() {
        None
    } else {
        let (o, n) = (
            replay::Side::new(&old, opts.container_plugin),
            replay::Side::new(&new, opts.container_plugin),
        );
        let host = super::replay::hostname(None);
        let mut sources = replay::captures(&o, &n, &a.captures, &host);
        let mut fixtures = Vec::new();
        for t in &a.tests {
            super::test::collect(t, &mut fixtures).map_err(|e| format!("{}: {e}", t.display()))?;
        }
        sources.extend(replay::fixtures(&o, &n, &fixtures));
        Some(AlertsDiff { sources })
    };
    let report = Report {
        old: old_label,
        new: new_label,
        diff,
        alerts,
    };
    let text = match a.format {
        Format::Human => {
            let color = a.output_file.is_none() && a.color.enabled();
            review::render::human(&report, color)
        }
        Format::Json => review::render::json(&report) + "\n",
        Format::Markdown => review::render::markdown(&report),
    };
    super::test::emit(&text, a.output_file.as_deref()).map_err(|_| "the report was not written".to_string())?;
    let failed = a.fail_on.iter().any(|f| fails(*f, &report));
    Ok(if failed { EXIT_ERRORS } else { EXIT_OK })
}

/// Whether the report meets a `--fail-on` condition.
fn fails(f: FailOn, r: &Report) -> bool {
    let d = &r.diff;
    match f {
        FailOn::Removed => {
            d.count(Change::Removed) > 0
                || d.rules.iter().any(|c| {
                    c.aspects
                        .iter()
                        .any(|x| matches!(x, review::Aspect::Enabled { old: true, new: false }))
                })
        }
        FailOn::Changed => !d.rules.is_empty(),
        FailOn::Alerts => r.alerts.as_ref().is_some_and(|a| {
            let (appeared, disappeared) = a.totals();
            appeared + disappeared > 0 || a.broken_expectations() > 0 || a.sources.iter().any(|s| s.error.is_some())
        }),
    }
}

type Version = (String, Vec<SourceFile>);

/// The two versions' labels and files.
fn versions(a: &Args) -> Result<(Version, Version), String> {
    match &a.git {
        Some(rev) => {
            git::check_rev(rev)?;
            let paths = if a.paths.is_empty() {
                let found = project::discover(Path::new("."))?
                    .ok_or("name the rules files to compare (no falcorc.toml lists them)")?;
                // Shown, and read from git, relative to where the command runs.
                let cwd = std::env::current_dir().unwrap_or_default();
                found
                    .rules_paths()
                    .into_iter()
                    .map(|p| p.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(p))
                    .collect()
            } else {
                a.paths.clone()
            };
            let label = paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ");
            let old = git::files_at(rev, &paths)?;
            let present: Vec<PathBuf> = paths.into_iter().filter(|p| p.exists()).collect();
            let new = load_files(&present)?;
            Ok(((format!("{rev}:{label}"), old), (label, new)))
        }
        None => match a.paths.as_slice() {
            [old, new] => Ok((
                (old.display().to_string(), load_files(std::slice::from_ref(old))?),
                (new.display().to_string(), load_files(std::slice::from_ref(new))?),
            )),
            _ => Err("give OLD and NEW rules (files or directories), or --git REV [PATH...]".into()),
        },
    }
}

/// Load one version; a version Falco would refuse is reported and compares nothing.
fn load(label: &str, files: Vec<SourceFile>, opts: &Options) -> Result<Analysis, String> {
    let an = analyze(files, opts);
    let n = an.errors();
    if n > 0 {
        let errors: Vec<_> = an.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        let color = ColorChoice::Auto.enabled_on_stderr();
        falcorc_compiler::diag::render::human_batch(&an.files, &errors, color, |s| {
            eprintln!("{}", s.trim_end_matches('\n'))
        });
        let s = if n == 1 { "" } else { "s" };
        return Err(format!(
            "{label}: the rules have {n} error{s}; Falco would not load them"
        ));
    }
    Ok(an)
}
