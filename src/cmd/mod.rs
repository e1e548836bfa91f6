//! One module per subcommand, plus the file loading they share.

pub mod build;
pub mod bundle;
pub mod default_rules;
pub mod diff;
pub mod engine;
pub mod explain;
pub mod fields;
pub mod fmt;
pub mod lint;
pub mod live;
pub mod log;
pub mod lsp;
pub mod outputs;
pub mod profile;
pub mod project;
pub mod record;
pub mod reload;
pub mod replay;
pub mod rules;
pub mod run;
pub mod selection;
pub mod test;
pub mod version;
pub mod watch;
pub mod web;

use falcorc_compiler::SourceFile;
use falcorc_compiler::fs;
use std::path::{Path, PathBuf};

/// Exit codes: 0 clean, 1 rule errors, 2 usage or IO error.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Largest rules file read: the loader's own limit, enforced while reading.
pub const MAX_FILE_BYTES: u64 = fs::MAX_TEXT_BYTES;

/// Stands for the embedded default ruleset in a list of rules paths, so that a host's own
/// tuning file can load after it (`-r @default -r local.yaml`), as Falco's
/// falco_rules.local.yaml loads after falco_rules.yaml.
pub const DEFAULT_RULES: &str = "@default";

/// Expand the paths (a directory gives its `.yaml`/`.yml` files in name order, without
/// the `*.test.yaml` rule fixtures; `-` is standard input; [`DEFAULT_RULES`] the embedded
/// ruleset) and read them. The first
/// unreadable path is an error message naming it.
pub fn load_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    let (files, errors) = read_paths(paths);
    match errors.into_iter().next() {
        Some(e) => Err(e.message),
        None => Ok(files),
    }
}

/// A path that could not be read.
pub struct ReadError {
    pub path: String,
    pub message: String,
}

/// [`load_files`] that goes on after an unreadable path, so every problem is reported.
pub fn read_paths(paths: &[PathBuf]) -> (Vec<SourceFile>, Vec<ReadError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut push = |r: Result<SourceFile, String>, path: &Path| match r {
        Ok(f) => out.push(f),
        Err(message) => errors.push(ReadError {
            path: path.display().to_string(),
            message,
        }),
    };
    for p in paths {
        if p.as_os_str() == "-" {
            push(read_stdin(), p);
        } else if p.as_os_str() == DEFAULT_RULES {
            default_rules::files().into_iter().for_each(|f| push(Ok(f), p));
        } else if p.is_dir() {
            match rules_files_in(p) {
                Ok((entries, problems)) => {
                    entries.iter().for_each(|e| push(read_one(e), e));
                    for e in problems {
                        push(Err(format!("LOAD_ERR_FILE_READ: {e}")), &e.path);
                    }
                }
                Err(e) => push(Err(e), p),
            }
        } else {
            push(read_one(p), p);
        }
    }
    (out, errors)
}

/// The rules files of a directory ([`fs::rules_files_in`]); an unreadable directory is an
/// error message.
pub fn rules_files_in(dir: &Path) -> Result<(Vec<PathBuf>, Vec<fs::WalkProblem>), String> {
    let walk = fs::rules_files_in(dir);
    if let Some(e) = walk.root_error {
        return Err(format!(
            "LOAD_ERR_FILE_READ: cannot read directory {}: {e}",
            dir.display()
        ));
    }
    Ok((walk.files, walk.problems))
}

pub use fs::{is_fixture, is_yaml};

fn read_stdin() -> Result<SourceFile, String> {
    let bytes = fs::read_stream(std::io::stdin().lock(), MAX_FILE_BYTES).map_err(|e| match e {
        Some(e) => format!("LOAD_ERR_FILE_READ: cannot read standard input: {e}"),
        None => {
            format!("LOAD_ERR_FILE_READ: standard input is more than the {MAX_FILE_BYTES} byte limit for a rules file")
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "LOAD_ERR_FILE_READ: standard input is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(SourceFile {
        name: STDIN_NAME.to_string(),
        text,
    })
}

/// How standard input is named in diagnostics.
pub const STDIN_NAME: &str = "<stdin>";

/// Read one rules file through the bounded reader (regular files only).
pub fn read_one(p: &Path) -> Result<SourceFile, String> {
    let text = fs::read_text(p, MAX_FILE_BYTES).map_err(|e| format!("LOAD_ERR_FILE_READ: {e}"))?;
    Ok(SourceFile {
        name: p.display().to_string(),
        text,
    })
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// For what a command prints on standard output.
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        self.enabled_on(std::io::stdout().is_terminal())
    }

    /// For diagnostics on standard error (of commands whose standard output is data).
    pub fn enabled_on_stderr(self) -> bool {
        use std::io::IsTerminal;
        self.enabled_on(std::io::stderr().is_terminal())
    }

    /// `auto`: colour on a terminal, unless NO_COLOR is set (https://no-color.org).
    fn enabled_on(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}
