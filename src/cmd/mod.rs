//! One module per subcommand, plus the file loading they share.

pub mod engine;
pub mod explain;
pub mod fields;
pub mod fmt;
pub mod lint;
pub mod live;
pub mod lsp;
pub mod project;
pub mod record;
pub mod replay;
pub mod rules;
pub mod run;
pub mod selection;
pub mod test;

use falcorc_compiler::SourceFile;
use std::path::{Path, PathBuf};

/// Exit codes: 0 clean, 1 rule errors, 2 usage or IO error.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Largest rules file read (the compiler enforces its own limit too).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Expand the paths (a directory gives its `.yaml`/`.yml` files in name order, without
/// the `*.test.yaml` rule fixtures; `-` is standard input) and read them. The first
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
        } else if p.is_dir() {
            match rules_files_in(p) {
                Ok(entries) => entries.iter().for_each(|e| push(read_one(e), e)),
                Err(e) => push(Err(e), p),
            }
        } else {
            push(read_one(p), p);
        }
    }
    (out, errors)
}

/// The rules files of a directory, in name order: `*.yaml`/`*.yml`, not the fixtures
/// `falcorc test` runs (`*.test.yaml`).
pub fn rules_files_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("LOAD_ERR_FILE_READ: cannot read directory {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .filter(|p| !is_fixture(p))
        .collect();
    entries.sort();
    Ok(entries)
}

/// A rule fixture of `falcorc test` (`*.test.yaml`), not a rules file.
pub fn is_fixture(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".test.yaml") || n.ends_with(".test.yml"))
}

fn read_stdin() -> Result<SourceFile, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("LOAD_ERR_FILE_READ: cannot read standard input: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "LOAD_ERR_FILE_READ: standard input is more than the {MAX_FILE_BYTES} byte limit for a rules file"
        ));
    }
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

fn read_one(p: &Path) -> Result<SourceFile, String> {
    let meta = std::fs::metadata(p).map_err(|e| format!("LOAD_ERR_FILE_READ: cannot read {}: {e}", p.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "LOAD_ERR_FILE_READ: {} is {} bytes, more than the {} byte limit for a rules file",
            p.display(),
            meta.len(),
            MAX_FILE_BYTES
        ));
    }
    let bytes = std::fs::read(p).map_err(|e| format!("LOAD_ERR_FILE_READ: cannot read {}: {e}", p.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "LOAD_ERR_FILE_READ: {} is not valid UTF-8 (byte {})",
            p.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
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
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}
