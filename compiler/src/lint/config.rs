//! Which checks run and at what level. Settings are applied in order, later ones winning:
//! the checks' defaults, then `falcorc.toml`'s `[lint]` table, then `--select`, then
//! `--ignore`. A selector names a check (`contradictory-comparison`), a category
//! (`style`), a loader warning (`LOAD_UNUSED_LIST`) or `all`.

use super::{Category, CheckId, Level};
use crate::diag::{Code, Severity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Selector {
    All,
    Category(Category),
    Code(Code),
}

impl Selector {
    pub fn parse(s: &str) -> Result<Selector, ConfigError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("all") {
            return Ok(Selector::All);
        }
        if let Some(c) = Category::from_name(t) {
            return Ok(Selector::Category(c));
        }
        match Code::from_name(t) {
            Some(c) if c.check().is_some() || c.default_severity() == Severity::Warning => Ok(Selector::Code(c)),
            Some(c) => Err(ConfigError {
                message: format!(
                    "{} is an error Falco reports whatever falcorc is told; its level cannot change",
                    c.name()
                ),
            }),
            None => {
                let names = CheckId::ALL
                    .iter()
                    .map(|c| c.meta().name)
                    .chain(Category::ALL.iter().map(|c| c.name()))
                    .chain(Code::ALL.iter().map(|c| c.name()));
                let hint = crate::sema::decode::suggest(t, names)
                    .map(|n| format!("; did you mean '{n}'?"))
                    .unwrap_or_default();
                Err(ConfigError {
                    message: format!("unknown check, category or code '{t}'{hint}"),
                })
            }
        }
    }

    fn matches(self, code: Code) -> bool {
        match self {
            Selector::All => code.check().is_some(),
            Selector::Category(c) => code.check().is_some_and(|id| id.meta().category == c),
            Selector::Code(x) => x == code,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Level settings, applied in order over the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub settings: Vec<(Selector, Level)>,
}

impl Config {
    /// The defaults of every check.
    pub fn new() -> Config {
        Config::default()
    }

    /// No check at all (loader diagnostics only): for commands that only run rules.
    pub fn none() -> Config {
        Config {
            settings: vec![(Selector::All, Level::Allow)],
        }
    }

    pub fn set(&mut self, selector: Selector, level: Level) {
        self.settings.push((selector, level));
    }

    /// The level of a loader code or check after every setting.
    pub fn level_of(&self, code: Code) -> Level {
        let default = match code {
            Code::Check(id) => id.meta().default,
            other => match other.default_severity() {
                Severity::Error => Level::Deny,
                Severity::Warning => Level::Warn,
            },
        };
        self.settings
            .iter()
            .rev()
            .find(|(s, _)| s.matches(code))
            .map_or(default, |(_, l)| *l)
    }

    pub fn level_of_check(&self, id: CheckId) -> Level {
        self.level_of(Code::Check(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_settings_win_and_categories_select() {
        let mut c = Config::new();
        let style = CheckId::ALL
            .iter()
            .copied()
            .find(|c| c.meta().category == Category::Style)
            .unwrap();
        assert_eq!(c.level_of_check(style), Level::Allow);
        c.set(Selector::parse("style").unwrap(), Level::Warn);
        assert_eq!(c.level_of_check(style), Level::Warn);
        c.set(Selector::parse(style.meta().name).unwrap(), Level::Deny);
        assert_eq!(c.level_of_check(style), Level::Deny);
        c.set(Selector::parse("all").unwrap(), Level::Allow);
        assert_eq!(c.level_of_check(style), Level::Allow);
        // `all` means the checks, not Falco's own warnings.
        assert_eq!(c.level_of(Code::LoadUnusedList), Level::Warn);
        c.set(Selector::parse("load_unused_list").unwrap(), Level::Allow);
        assert_eq!(c.level_of(Code::LoadUnusedList), Level::Allow);
    }

    #[test]
    fn errors_and_typos_are_refused() {
        assert!(
            Selector::parse("LOAD_ERR_COMPILE_CONDITION")
                .unwrap_err()
                .message
                .contains("cannot change")
        );
        let e = Selector::parse("corectness").unwrap_err();
        assert!(e.message.contains("did you mean 'correctness'"), "{e}");
    }
}
