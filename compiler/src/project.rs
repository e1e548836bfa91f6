//! `falcorc.toml`, the project file the CLI and the language server both read (found
//! upward from the files being checked): the rules files in load order, the engine and
//! plugin versions to check requirements against, and the level of each check. Parsing
//! is pure; finding and reading the file is the caller's IO.
//!
//! ```toml
//! rules = ["rules/falco_rules.yaml", "rules/local/"]   # load order, relative to this file
//! engine_version = "0.57.0"     # default: the version falcorc implements
//! container_plugin = true
//! plugins = ["k8saudit:0.7.0"]
//! profile = "profile.json"      # `falcorc profile --format json` output: costs on hover
//!
//! [lint]
//! style = "warn"                # a category
//! mixed-and-or = "deny"         # a check
//! LOAD_UNUSED_LIST = "allow"    # one of Falco's warnings
//! ```

use crate::analysis::Options;
use crate::lint::{Config, Level, Selector};
use crate::sema::version::{self, Version};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The name of the project file.
pub const FILE_NAME: &str = "falcorc.toml";

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Project {
    /// Rules files and directories, relative to the project file, in load order.
    pub rules: Vec<String>,
    pub engine_version: Option<Version>,
    pub container_plugin: Option<bool>,
    pub plugins: Vec<(String, Version)>,
    /// Check levels, in the order they apply (least specific first).
    pub lint: Config,
    /// A `falcorc profile --format json` output, relative to the project file: the
    /// language server shows each rule's measured cost on hover.
    pub profile: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    rules: Vec<String>,
    engine_version: Option<Spanned<String>>,
    container_plugin: Option<bool>,
    #[serde(default)]
    plugins: Vec<Spanned<String>>,
    #[serde(default)]
    lint: BTreeMap<Spanned<String>, Spanned<String>>,
    profile: Option<String>,
}

/// A problem in the project file, with its 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for ProjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl Project {
    pub fn parse(text: &str) -> Result<Project, ProjectError> {
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = crate::span::line_col(text, span.start as u32);
            ProjectError { message, line, column }
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            at(span, e.message().to_string())
        })?;
        let engine_version = match raw.engine_version {
            None => None,
            Some(v) => Some(
                version::parse(v.get_ref())
                    .ok_or_else(|| at(v.span(), format!("engine_version wants x.y.z, got '{}'", v.get_ref())))?,
            ),
        };
        let mut plugins = Vec::new();
        for p in &raw.plugins {
            plugins.push(parse_plugin(p.get_ref()).map_err(|m| at(p.span(), m))?);
        }
        // Least specific first, so `style = "warn"` and `in-single-item = "allow"` combine
        // the same way whatever their order in the file.
        let mut settings = Vec::new();
        for (k, v) in &raw.lint {
            let selector = Selector::parse(k.get_ref()).map_err(|e| at(k.span(), e.message))?;
            let level = Level::from_name(v.get_ref()).ok_or_else(|| {
                at(
                    v.span(),
                    format!("a level is allow, warn or deny, not '{}'", v.get_ref()),
                )
            })?;
            settings.push((selector, level));
        }
        settings.sort_by_key(|(s, _)| match s {
            Selector::All => 0,
            Selector::Category(_) => 1,
            Selector::Code(_) => 2,
        });
        Ok(Project {
            rules: raw.rules,
            engine_version,
            container_plugin: raw.container_plugin,
            plugins,
            lint: Config { settings },
            profile: raw.profile,
        })
    }

    /// The analysis options this project asks for.
    pub fn options(&self) -> Options {
        let d = Options::default();
        Options {
            engine_version: self.engine_version.unwrap_or(d.engine_version),
            container_plugin: self.container_plugin.unwrap_or(d.container_plugin),
            plugins: self.plugins.clone(),
            lint: self.lint.clone(),
            ..d
        }
    }
}

/// `NAME:VERSION`, as `--plugin` and `plugins` take it.
pub fn parse_plugin(s: &str) -> Result<(String, Version), String> {
    s.split_once(':')
        .and_then(|(n, v)| Some((n.to_string(), version::parse(v)?)))
        .filter(|(n, _)| !n.is_empty())
        .ok_or_else(|| format!("a plugin is NAME:VERSION (x.y.z), not '{s}'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::lint::CheckId;

    #[test]
    fn full_file() {
        let p = Project::parse(
            "rules = [\"a.yaml\", \"local/\"]\nengine_version = \"0.57.0\"\ncontainer_plugin = false\nplugins = [\"k8saudit:0.7.0\"]\n\n[lint]\nin-single-item = \"allow\"\nstyle = \"warn\"\nLOAD_UNUSED_LIST = \"deny\"\n",
        )
        .unwrap();
        assert_eq!(p.rules, ["a.yaml", "local/"]);
        assert_eq!(p.engine_version.unwrap().to_string(), "0.57.0");
        let o = p.options();
        assert!(!o.container_plugin);
        assert_eq!(o.plugins[0].0, "k8saudit");
        // The check wins over its category whatever the order in the file.
        assert_eq!(o.lint.level_of_check(CheckId::InSingleItem), Level::Allow);
        assert_eq!(o.lint.level_of_check(CheckId::MacroUsedOnce), Level::Warn);
        assert_eq!(o.lint.level_of(Code::LoadUnusedList), Level::Deny);
    }

    #[test]
    fn errors_point_at_the_line() {
        let e = Project::parse("[lint]\nmixed-and-orr = \"deny\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("did you mean 'mixed-and-or'"), "{e}");
        let e = Project::parse("[lint]\nstyle = \"loud\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Project::parse("rulez = []\n").unwrap_err();
        assert!(e.message.contains("rulez"), "{e}");
        assert!(Project::parse("plugins = [\"nover\"]\n").is_err());
    }
}
