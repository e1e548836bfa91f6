//! One module per subcommand, plus the file loading they share.

pub mod engine;
pub mod explain;
pub mod fields;
pub mod lint;
pub mod live;
pub mod lsp;
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

/// Expand the paths (a directory gives its `.yaml`/`.yml` files in name order) and
/// read them. An unreadable path is an error message naming it.
pub fn load_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("LOAD_ERR_FILE_READ: cannot read directory {}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect();
            entries.sort();
            for e in entries {
                out.push(read_one(&e)?);
            }
        } else {
            out.push(read_one(p)?);
        }
    }
    Ok(out)
}

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
