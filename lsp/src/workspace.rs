//! Which files make the ruleset: the files listed in `falcorc.toml` (or the editor's
//! settings), in order, like Falco's `-r` options; otherwise every rules file under the
//! workspace folder, in path order. YAML that is not a rules file is ignored.

use falcorc_compiler::fs;
use falcorc_compiler::project::Project;
use std::path::{Path, PathBuf};

/// The name of the project file that lists rules files in load order (and sets check
/// levels, engine and plugin versions: the same file `falcorc lint` reads).
pub const CONFIG_FILE: &str = falcorc_compiler::project::FILE_NAME;

/// Folders never searched for rules files.
const SKIP_DIRS: &[&str] = &["target", "node_modules"];
const MAX_DEPTH: usize = 8;
const MAX_FILES: usize = 2000;

/// Read `falcorc.toml` of `root`, if any. A broken file is an error message with its
/// position; one that cannot be read (a FIFO, a device, too large) is an error too.
pub fn read_config(root: &Path) -> Result<Option<Project>, String> {
    let path = root.join(CONFIG_FILE);
    let text = match fs::read_text(&path, fs::MAX_TEXT_BYTES) {
        Ok(text) => text,
        Err(fs::ReadError {
            kind: fs::ReadErrorKind::Io(e),
            ..
        }) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    Project::parse(&text)
        .map(Some)
        .map_err(|e| format!("{}:{e}", path.display()))
}

/// The rules files of the workspace, in load order. What the search skips (FIFOs, devices,
/// unreadable folders) goes to stderr.
pub fn rules_files(root: &Path, config: Option<&Project>) -> Vec<PathBuf> {
    match config {
        Some(c) if !c.rules.is_empty() => {
            let mut out = Vec::new();
            for p in &c.rules {
                let p = root.join(p);
                if p.is_dir() {
                    out.extend(find_rules(&p));
                } else {
                    out.push(p);
                }
            }
            out
        }
        _ => find_rules(root),
    }
}

/// Rules files under `dir`, sorted by path.
fn find_rules(dir: &Path) -> Vec<PathBuf> {
    let keep = |p: &Path| {
        is_yaml(p)
            && match fs::read_text(p, fs::MAX_TEXT_BYTES) {
                Ok(text) => is_rules_text(&text),
                // Kept so that the walk names it among its problems.
                Err(fs::ReadError {
                    kind: fs::ReadErrorKind::NotRegular(_),
                    ..
                }) => true,
                Err(e) => {
                    eprintln!("falcorc lsp: {e}");
                    false
                }
            }
    };
    let enter = |p: &Path| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        !name.starts_with('.') && !SKIP_DIRS.contains(&name)
    };
    let walk = fs::walk(
        dir,
        &fs::WalkOptions {
            keep: &keep,
            enter: &enter,
            max_depth: MAX_DEPTH,
            max_files: MAX_FILES,
        },
    );
    for problem in &walk.problems {
        eprintln!("falcorc lsp: {problem}");
    }
    walk.files
}

pub use falcorc_compiler::fs::is_yaml;

/// A name editors associate with rules: `*_rules.yaml` or a file under a `rules/` folder.
pub fn has_rules_name(p: &Path) -> bool {
    let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    is_yaml(p) && (stem.ends_with("_rules") || p.components().any(|c| c.as_os_str() == "rules"))
}

/// True if the text has a top-level item of the rules language (a sequence entry starting
/// with `rule:`, `macro:`, `list:` or a version requirement). Cheap: no YAML parse.
pub fn is_rules_text(text: &str) -> bool {
    const KEYS: &[&str] = &[
        "rule:",
        "macro:",
        "list:",
        "required_engine_version:",
        "required_plugin_versions:",
    ];
    text.lines().any(|l| {
        l.strip_prefix("- ")
            .is_some_and(|rest| KEYS.iter().any(|k| rest.trim_start().starts_with(k)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_text_and_names() {
        assert!(is_rules_text("# c\n- macro: m\n  condition: x\n"));
        assert!(is_rules_text("- required_engine_version: 0.26.0\n"));
        assert!(!is_rules_text("name: ci\non: push\njobs:\n  - rule: not top level\n"));
        assert!(!is_rules_text(""));
        assert!(has_rules_name(Path::new("/w/falco_rules.yaml")));
        assert!(has_rules_name(Path::new("/w/rules/extra.yml")));
        assert!(!has_rules_name(Path::new("/w/.github/workflows/ci.yaml")));
    }

    #[test]
    fn discovery_and_config_order() {
        let dir = std::env::temp_dir().join(format!("falcorc-lsp-ws-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::create_dir_all(dir.join(".hidden")).unwrap();
        std::fs::write(dir.join("b.yaml"), "- list: l\n  items: []\n").unwrap();
        std::fs::write(dir.join("sub/a.yaml"), "- macro: m\n  condition: x\n").unwrap();
        std::fs::write(dir.join("ci.yaml"), "jobs: {}\n").unwrap();
        std::fs::write(dir.join(".hidden/h.yaml"), "- rule: r\n").unwrap();
        let found = rules_files(&dir, None);
        assert_eq!(found, [dir.join("b.yaml"), dir.join("sub/a.yaml")]);
        std::fs::write(dir.join(CONFIG_FILE), "rules = [\"sub\", \"b.yaml\"]\n").unwrap();
        let cfg = read_config(&dir).unwrap().unwrap();
        assert_eq!(
            rules_files(&dir, Some(&cfg)),
            [dir.join("sub/a.yaml"), dir.join("b.yaml")]
        );
        std::fs::write(dir.join(CONFIG_FILE), "rulez = 1\n").unwrap();
        assert!(read_config(&dir).unwrap_err().contains("rulez"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
