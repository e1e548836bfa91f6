//! falcorc's lint checks: problems Falco loads silently (a misspelled list name that
//! becomes a literal, a condition that can never be true, an output field no event of
//! the rule sets) and conventions a team may want enforced.
//!
//! One file per check under [`checks`], each holding its [`Meta`] (id, category, default
//! level, the docs `falcorc explain` and docs/lints/ are generated from, and the bad/good
//! examples that are also its test fixtures) and its `check` function. [`registry`] lists
//! them; [`Context`] gives a check the loaded ruleset, each item as written and each
//! condition as written. [`Config`] sets levels; [`suppress`] reads inline suppressions.
//!
//! Names: a *check* is a lint; a *rule* is a Falco rule.

pub mod checks;
pub mod config;
pub mod context;
pub mod docs;
pub mod falco;
mod registry;
pub mod suppress;

pub use config::{Config, ConfigError, Selector};
pub use context::Context;
pub use registry::CheckId;

use crate::cancel::{Cancel, Cancelled};
use crate::diag::{Diagnostic, Severity};

/// What kind of problem a check finds; `--select`/`--ignore` and `falcorc.toml` accept
/// category names as well as check names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// The rule does not do what it says: it never matches, or matches on the wrong thing.
    Correctness,
    /// Probably a mistake, but there are legitimate uses.
    Suspicious,
    /// Costs evaluation time for nothing.
    Performance,
    /// Readability and conventions; off by default.
    Style,
    /// Uses something that will stop working.
    Deprecation,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Correctness,
        Category::Suspicious,
        Category::Performance,
        Category::Style,
        Category::Deprecation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Suspicious => "suspicious",
            Category::Performance => "performance",
            Category::Style => "style",
            Category::Deprecation => "deprecation",
        }
    }

    pub fn from_name(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name().eq_ignore_ascii_case(s))
    }
}

/// How a finding is reported: not at all, as a warning, or as an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    pub fn from_name(s: &str) -> Option<Level> {
        match s.to_ascii_lowercase().as_str() {
            "allow" | "off" => Some(Level::Allow),
            "warn" | "warning" => Some(Level::Warn),
            "deny" | "error" => Some(Level::Deny),
            _ => None,
        }
    }

    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }
}

/// A check's description: everything but its code.
#[derive(Clone, Copy, Debug)]
pub struct Meta {
    /// Stable id, kebab-case: how findings, `--select`, suppressions and docs name it.
    pub name: &'static str,
    pub category: Category,
    /// On by default where it is almost always right; `Allow` where it is taste.
    pub default: Level,
    /// One line: what the check reports.
    pub summary: &'static str,
    /// "What it does".
    pub what: &'static str,
    /// "Why is this bad?".
    pub why: &'static str,
    /// A rules file the check reports (also its failing fixture).
    pub bad: &'static str,
    /// The same file written well (also its passing fixture).
    pub good: &'static str,
    /// Whether findings carry a fix, and how far it can be trusted.
    pub fix: Option<crate::diag::Applicability>,
}

/// Run every check `config` enables on the loaded ruleset; findings go to `out`.
pub fn run(cx: &Context, config: &Config, out: &mut Vec<Diagnostic>, cancel: &Cancel) -> Result<(), Cancelled> {
    for &id in CheckId::ALL {
        cancel.check()?;
        if config.level_of_check(id) == Level::Allow {
            continue;
        }
        // The check's `Sink` gives every finding the check's code.
        id.run(cx, out);
    }
    Ok(())
}

/// Give every diagnostic its configured level (dropping the allowed ones; Falco's errors
/// keep theirs: Falco refuses such a file whatever falcorc is told) and apply the inline
/// suppressions of `cx`'s files, reporting unused or unexplained ones. Returns how many
/// findings the suppressions silenced.
pub fn finish(cx: &Context, config: &Config, diags: &mut Vec<Diagnostic>) -> usize {
    diags.retain_mut(|d| {
        if d.code.check().is_none() && d.code.default_severity() == Severity::Error {
            return true;
        }
        match config.level_of(d.code).severity() {
            Some(s) => {
                d.severity = s;
                true
            }
            None => false,
        }
    });
    suppress::apply(cx, config, diags)
}
