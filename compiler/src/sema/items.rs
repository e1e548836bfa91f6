//! Definitions as collected from the files, after append/override/redefinition were
//! applied (Falco's `rule_loader::collector` state).

use super::text::{SrcText, Str};
use crate::span::FileSpan;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Priority {
    Emergency,
    Alert,
    Critical,
    Error,
    Warning,
    Notice,
    Informational,
    Debug,
}

impl Priority {
    pub const ALL: [Priority; 8] = [
        Priority::Emergency,
        Priority::Alert,
        Priority::Critical,
        Priority::Error,
        Priority::Warning,
        Priority::Notice,
        Priority::Informational,
        Priority::Debug,
    ];

    /// Case-insensitive, with `info` as an alias of `Informational`.
    pub fn parse(s: &str) -> Option<Priority> {
        let l = s.to_ascii_lowercase();
        if l == "info" {
            return Some(Priority::Informational);
        }
        Priority::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(&l))
    }

    pub fn name(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }

    /// Numeric severity, 0 = most severe.
    pub fn level(self) -> u8 {
        self as u8
    }
}

#[derive(Clone, Debug)]
pub struct ListDef {
    pub name: Str,
    pub items: Vec<Str>,
    /// Sequence id of the first definition (kept on redefinition).
    pub index: u32,
    /// Sequence id of the latest define/append/replace.
    pub visibility: u32,
    /// Span of the (first) defining item.
    pub def: FileSpan,
}

#[derive(Clone, Debug)]
pub struct MacroDef {
    pub name: Str,
    pub cond: SrcText,
    pub cond_span: FileSpan,
    pub index: u32,
    pub visibility: u32,
    pub def: FileSpan,
}

/// One exception of a rule.
#[derive(Clone, Debug)]
pub struct ExceptionDef {
    pub name: Str,
    pub fields: ExcFields,
    pub comps: ExcComps,
    pub values: Vec<ExcValue>,
    pub span: FileSpan,
    /// The `fields` / `comps` entries (key and value), or `span` when absent.
    pub fields_span: FileSpan,
    pub comps_span: FileSpan,
}

#[derive(Clone, Debug)]
pub enum ExcFields {
    None,
    Scalar(Str),
    Tuple(Vec<Str>),
}

#[derive(Clone, Debug)]
pub enum ExcComps {
    None,
    Scalar(Str),
    Tuple(Vec<Str>),
}

/// One entry of `values`: a tuple (tuple form) or a scalar (scalar form).
#[derive(Clone, Debug)]
pub enum ExcValue {
    Scalar(Str),
    Tuple(Vec<ExcAtom>, FileSpan),
}

#[derive(Clone, Debug)]
pub enum ExcAtom {
    Scalar(Str),
    List(Vec<Str>, FileSpan),
}

#[derive(Clone, Debug)]
pub struct RuleDef {
    pub name: Str,
    pub cond: SrcText,
    pub cond_span: FileSpan,
    pub output: SrcText,
    pub output_span: FileSpan,
    /// The `source` value, or the whole rule when it has none.
    pub source_span: FileSpan,
    pub desc: String,
    pub priority: Priority,
    pub source: String,
    pub enabled: bool,
    pub tags: BTreeSet<String>,
    pub exceptions: Vec<ExceptionDef>,
    pub capture: bool,
    pub capture_duration: i64,
    pub warn_evttypes: bool,
    pub skip_if_unknown_filter: bool,
    pub index: u32,
    pub visibility: u32,
    pub def: FileSpan,
}

/// `required_plugin_versions` entry: any alternative satisfies the group.
#[derive(Clone, Debug)]
pub struct PluginRequirement {
    pub alternatives: Vec<(String, String)>,
    pub span: FileSpan,
}
