//! `falcorc diff --git REV`: the rules files as they are at a revision, read with git.

use crate::cmd::{MAX_FILE_BYTES, is_fixture, is_yaml};
use falcorc_compiler::SourceFile;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Run git and return its standard output; an error says what failed.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("git {}: {}", args.join(" "), err.trim()));
    }
    Ok(out.stdout)
}

/// Check that `rev` names a commit (and is not an option in disguise).
pub fn check_rev(rev: &str) -> Result<(), String> {
    if rev.starts_with('-') || rev.is_empty() {
        return Err(format!("{rev:?} is not a revision"));
    }
    git(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .map(drop)
        .map_err(|_| format!("{rev} is not a commit of this repository"))
}

/// `REV:./path`: a path relative to the current directory, as git reads it (an absolute
/// path is made relative to the repository's top directory).
fn object(rev: &str, path: &Path) -> String {
    if path.is_absolute()
        && let Some(rel) = below_top(path)
    {
        return format!("{rev}:{}", rel.display());
    }
    let p = path.to_string_lossy();
    let p = p.trim_start_matches("./");
    let p = if p == "." { "" } else { p };
    format!("{rev}:./{p}")
}

/// The rules files `paths` name at `rev`, loaded as the work tree's are: a directory gives
/// its `*.yaml`/`*.yml` files in name order, without fixtures or subdirectories. A path
/// that does not exist at `rev` gives nothing (files the change adds).
pub fn files_at(rev: &str, paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    let mut out = Vec::new();
    for p in paths {
        let obj = object(rev, p);
        let Ok(kind) = git(&["cat-file", "-t", &obj]) else {
            if !p.exists() {
                return Err(format!("{} exists neither at {rev} nor in the work tree", p.display()));
            }
            continue;
        };
        match String::from_utf8_lossy(&kind).trim() {
            "blob" => out.push(read_blob(rev, p)?),
            "tree" => {
                let listing = git(&["ls-tree", "--full-tree", "-z", &obj])?;
                let mut names: Vec<String> = listing
                    .split(|b| *b == 0)
                    .filter_map(|entry| {
                        let entry = std::str::from_utf8(entry).ok()?;
                        let (meta, name) = entry.split_once('\t')?;
                        (meta.split(' ').nth(1) == Some("blob")).then(|| name.to_string())
                    })
                    .filter(|n| is_yaml(Path::new(n)) && !is_fixture(Path::new(n)))
                    .collect();
                names.sort();
                for n in names {
                    out.push(read_blob(rev, &p.join(n))?);
                }
            }
            other => return Err(format!("{obj} is a {other}, not a rules file or directory")),
        }
    }
    Ok(out)
}

fn below_top(path: &Path) -> Option<PathBuf> {
    let top = git(&["rev-parse", "--show-toplevel"]).ok()?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let path = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => canonical(dir).join(name),
        _ => canonical(path),
    };
    path.strip_prefix(canonical(&top)).ok().map(Path::to_path_buf)
}

fn read_blob(rev: &str, path: &Path) -> Result<SourceFile, String> {
    let obj = object(rev, path);
    let size = git(&["cat-file", "-s", &obj])?;
    let size: u64 = String::from_utf8_lossy(&size).trim().parse().unwrap_or(u64::MAX);
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "LOAD_ERR_FILE_READ: {obj} is {size} bytes, more than the {MAX_FILE_BYTES} byte limit for a rules file"
        ));
    }
    let bytes = git(&["cat-file", "blob", &obj])?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "LOAD_ERR_FILE_READ: {obj} is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(SourceFile {
        name: format!("{rev}:{}", path.display()),
        text,
    })
}
