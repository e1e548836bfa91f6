//! `falcorc fmt`: give rules files the canonical layout (docs/FORMAT.md).
//!
//! The layout itself is `falcorc_compiler::fmt::format`; this file does the IO: expanding
//! directories, standard input, rewriting files atomically, `--check` and `--diff`.

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use falcorc_compiler::span::line_col;
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Rules files, directories (their `*.yaml`/`*.yml` files, not `*.test.yaml` fixtures),
    /// or `-` to format standard input to standard output.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    check: bool,
    /// Change nothing; print a unified diff of what formatting would change, exit 1 if any.
    #[arg(long)]
    diff: bool,
}

use super::MAX_FILE_BYTES;

/// One input: a file, or standard input.
enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
        }
    }
}

/// What happened to one input.
enum Outcome {
    /// The text before and after formatting (equal when it was already formatted).
    Formatted { before: String, after: String },
    /// A message for standard error (`file:line:col: message` when it has a place).
    Failed(String),
}

pub fn run(a: Args) -> u8 {
    let (inputs, errors) = expand(&a.paths);
    let mut failed = !errors.is_empty();
    for e in errors {
        eprintln!("falcorc: {e}");
    }
    let outcomes: Vec<Outcome> = inputs.par_iter().map(format_one).collect();
    let mut changed = false;
    let mut stdout = std::io::stdout().lock();
    for (input, outcome) in inputs.iter().zip(outcomes) {
        let (before, after) = match outcome {
            Outcome::Failed(e) => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
            Outcome::Formatted { before, after } => (before, after),
        };
        let differs = before != after;
        changed |= differs;
        let name = input.name();
        let result = if a.diff || a.check {
            if !differs {
                Ok(())
            } else if a.diff {
                write!(
                    stdout,
                    "{}",
                    falcorc_compiler::text_diff::unified(
                        &before,
                        &after,
                        &format!("{name}\t(original)"),
                        &format!("{name}\t(formatted)")
                    )
                )
            } else {
                writeln!(stdout, "{name}")
            }
        } else {
            match input {
                // Standard input always comes back, formatted or not.
                Input::Stdin => write!(stdout, "{after}"),
                Input::File(p) if differs => replace(p, &after),
                Input::File(_) => Ok(()),
            }
        };
        if let Err(e) = result {
            eprintln!("falcorc: cannot write {name}: {e}");
            failed = true;
        }
    }
    if failed {
        EXIT_USAGE
    } else if changed && (a.check || a.diff) {
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}

/// The inputs `paths` name, and the paths that could not be listed.
fn expand(paths: &[PathBuf]) -> (Vec<Input>, Vec<String>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if p.is_dir() {
            match super::rules_files_in(p) {
                Ok((files, problems)) => {
                    inputs.extend(files.into_iter().map(Input::File));
                    errors.extend(problems.iter().map(ToString::to_string));
                }
                Err(e) => errors.push(e.replace("LOAD_ERR_FILE_READ: ", "")),
            }
        } else {
            inputs.push(Input::File(p.clone()));
        }
    }
    (inputs, errors)
}

fn format_one(input: &Input) -> Outcome {
    let text = match read_input(input) {
        Ok(t) => t,
        Err(e) => return Outcome::Failed(e),
    };
    match falcorc_compiler::fmt::format(&text) {
        Ok(after) => Outcome::Formatted { before: text, after },
        Err(e) => {
            let (line, col) = line_col(&text, e.span.start);
            Outcome::Failed(format!("{}:{line}:{col}: {}", input.name(), e.message))
        }
    }
}

/// The whole text of `input`.
fn read_input(input: &Input) -> Result<String, String> {
    let name = input.name();
    match input {
        Input::Stdin => read_limited(std::io::stdin().lock(), &name),
        Input::File(p) => falcorc_compiler::fs::read_text(p, MAX_FILE_BYTES).map_err(|e| format!("falcorc: {e}")),
    }
}

fn read_limited(r: impl Read, name: &str) -> Result<String, String> {
    let bytes = falcorc_compiler::fs::read_stream(r, MAX_FILE_BYTES).map_err(|e| match e {
        Some(e) => format!("falcorc: cannot read {name}: {e}"),
        None => format!("falcorc: {name} is larger than {MAX_FILE_BYTES} bytes"),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "falcorc: {name} is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Replace the file at `path` (through symbolic links) with `text` atomically: write a
/// temporary file next to it with the same permissions, then rename it over the original.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("rules");
    let permissions = std::fs::metadata(&target)?.permissions();
    let tmp = dir.join(format!(".{name}.falcorc-fmt-{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::set_permissions(&tmp, permissions)?;
        std::fs::rename(&tmp, &target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
