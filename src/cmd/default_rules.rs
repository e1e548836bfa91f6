//! falcorc's default ruleset (`rules/*.yaml`), embedded in the binary in load order: what
//! `run`, `record` and `replay` load when no `-r` is given, and `rules --default` lists.

use falcorc_compiler::SourceFile;

/// The files, in load order (name order, as `-r rules/` loads them).
pub const FILES: &[(&str, &str)] = &[
    ("rules/00-common.yaml", include_str!("../../rules/00-common.yaml")),
    ("rules/10-files.yaml", include_str!("../../rules/10-files.yaml")),
    ("rules/20-processes.yaml", include_str!("../../rules/20-processes.yaml")),
    ("rules/30-network.yaml", include_str!("../../rules/30-network.yaml")),
    (
        "rules/40-privileges.yaml",
        include_str!("../../rules/40-privileges.yaml"),
    ),
    (
        "rules/50-containers.yaml",
        include_str!("../../rules/50-containers.yaml"),
    ),
];

/// The embedded files, named as diagnostics and bundles show them.
pub fn files() -> Vec<SourceFile> {
    FILES
        .iter()
        .map(|(name, text)| SourceFile {
            name: format!("{name} (embedded)"),
            text: text.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rules file of `rules/` is embedded, in the order a directory load gives.
    #[test]
    fn every_rules_file_is_embedded_in_name_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let (found, problems) = crate::cmd::rules_files_in(&dir).expect("rules/ reads");
        assert!(problems.is_empty());
        let found: Vec<String> = found
            .iter()
            .map(|p| format!("rules/{}", p.file_name().unwrap().to_string_lossy()))
            .collect();
        let embedded: Vec<&str> = FILES.iter().map(|(n, _)| *n).collect();
        assert_eq!(embedded, found);
        for (name, text) in FILES {
            let on_disk = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap();
            assert_eq!(*text, on_disk, "{name}");
        }
    }

    #[test]
    fn the_default_ruleset_loads_cleanly_with_every_check() {
        // Every check at deny: the default ruleset is held to more than any user's.
        let mut lint = falcorc_compiler::lint::Config::new();
        lint.set(
            falcorc_compiler::lint::Selector::All,
            falcorc_compiler::lint::Level::Deny,
        );
        let opts = falcorc_compiler::Options {
            lint,
            ..Default::default()
        };
        let an = falcorc_compiler::analyze(files(), &opts);
        let problems: Vec<String> = an
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.code.name(), d.message))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(an.rules.len() >= 40, "{} rules", an.rules.len());
    }
}
