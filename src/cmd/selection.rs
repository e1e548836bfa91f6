//! The rule-selection flags `replay`, `run` and `record` share: Falco's `priority`,
//! `rule_matching` and `rules:` enable/disable list (applied in command-line order).

use clap::ArgMatches;
use falcorc_compiler::sema::items::Priority;
use falcorc_runtime::engine::{Backend, RuleMatching, Selector};

#[derive(Clone, clap::Args)]
pub struct Selection {
    /// Do not evaluate rules less severe than this (Falco's `priority`).
    #[arg(long, default_value = "debug", value_parser = parse_priority)]
    pub min_priority: Priority,
    /// Report the first matching rule of an event, or all (Falco's `rule_matching`).
    #[arg(long, value_enum, default_value = "first")]
    pub rule_matching: Matching,
    /// Enable the rules whose name matches (wildcard `*`); applied in command-line order.
    #[arg(long, value_name = "GLOB")]
    enable_rule: Vec<String>,
    /// Disable the rules whose name matches (wildcard `*`).
    #[arg(long, value_name = "GLOB")]
    disable_rule: Vec<String>,
    /// Enable the rules with this tag.
    #[arg(long, value_name = "TAG")]
    enable_tag: Vec<String>,
    /// Disable the rules with this tag.
    #[arg(long, value_name = "TAG")]
    disable_tag: Vec<String>,
    /// What evaluates the rules: native code, or the reference interpreter.
    #[arg(long, value_enum, default_value = "jit")]
    pub engine: EngineKind,
    /// Measure each rule's cost on one event in this many (set by `run` from the
    /// configuration's metrics, not a flag).
    #[arg(skip)]
    pub rule_costs: Option<u32>,
    /// Keep those costs per event type (`profile`).
    #[arg(skip)]
    pub rule_costs_by_event_type: bool,
}

impl Default for Selection {
    /// Every rule, every priority, first match (Falco's defaults).
    fn default() -> Selection {
        Selection {
            min_priority: Priority::Debug,
            rule_matching: Matching::First,
            enable_rule: Vec::new(),
            disable_rule: Vec::new(),
            enable_tag: Vec::new(),
            disable_tag: Vec::new(),
            engine: EngineKind::Jit,
            rule_costs: None,
            rule_costs_by_event_type: false,
        }
    }
}

impl Selection {
    pub fn matching(&self) -> RuleMatching {
        match self.rule_matching {
            Matching::First => RuleMatching::First,
            Matching::All => RuleMatching::All,
        }
    }
}

/// `--engine`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum EngineKind {
    Interp,
    Jit,
}

impl EngineKind {
    pub fn backend(self) -> Backend {
        match self {
            EngineKind::Interp => Backend::Interp,
            EngineKind::Jit => Backend::Jit,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Matching {
    First,
    All,
}

pub fn parse_priority(s: &str) -> Result<Priority, String> {
    Priority::parse(s).ok_or_else(|| format!("unknown priority '{s}'"))
}

/// The selection flags of subcommand `m` in the order they were given, like Falco's
/// `rules:` list (clap's struct keeps each flag's values apart, so the order comes from
/// the matches' indices).
pub fn selectors(m: &ArgMatches) -> Vec<Selector> {
    let mut out: Vec<(usize, Selector)> = Vec::new();
    let mut take = |id: &str, make: fn(String) -> Selector| {
        if let (Some(vals), Some(idx)) = (m.get_many::<String>(id), m.indices_of(id)) {
            out.extend(idx.zip(vals).map(|(i, v)| (i, make(v.clone()))));
        }
    };
    take("enable_rule", Selector::EnableRule);
    take("disable_rule", Selector::DisableRule);
    take("enable_tag", Selector::EnableTag);
    take("disable_tag", Selector::DisableTag);
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, s)| s).collect()
}
