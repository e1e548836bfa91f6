//! Syntax layers: the YAML document tree with exact byte spans, and the condition
//! language.

pub mod condition;
pub mod yaml;
