//! Finding `falcorc.toml`: the given file, or the first one in the directory of the
//! checked files or any directory above it (the same search the language server does
//! from its workspace folder).

use falcorc_compiler::project::{FILE_NAME, Project};
use std::path::{Path, PathBuf};

/// A project file and where it is (paths in it are relative to `dir`).
pub struct Found {
    pub dir: PathBuf,
    pub project: Project,
}

/// The project file for `start` (a file or directory), searching upward. `Ok(None)`
/// when there is none; an unreadable or invalid file is an error naming its position.
pub fn discover(start: &Path) -> Result<Option<Found>, String> {
    let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if abs.is_dir() {
        abs.clone()
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return load(&candidate).map(Some);
        }
        if !dir.pop() {
            return Ok(None);
        }
    }
}

/// Read and parse one project file.
pub fn load(path: &Path) -> Result<Found, String> {
    let text =
        falcorc_compiler::fs::read_text(path, falcorc_compiler::fs::MAX_TEXT_BYTES).map_err(|e| e.to_string())?;
    let project = Project::parse(&text).map_err(|e| format!("{}:{e}", path.display()))?;
    Ok(Found {
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        project,
    })
}

impl Found {
    /// The project's rules paths, resolved against its directory.
    pub fn rules_paths(&self) -> Vec<PathBuf> {
        self.project.rules.iter().map(|r| self.dir.join(r)).collect()
    }
}
