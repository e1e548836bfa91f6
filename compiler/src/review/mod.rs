//! Reviewing rules as code: the semantic difference of two rulesets (`falcorc diff`),
//! the alerts that differ when captures are replayed under both, and its reports.

pub mod alerts;
pub mod canon;
pub mod diff;
pub mod refs;
pub mod render;

pub use alerts::{AlertsDiff, Raised, SourceAlerts};
pub use diff::{Aspect, Change, ItemChange, Reason, RuleChange, RulesetDiff, diff};
pub use render::Report;
