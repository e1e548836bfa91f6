//! Semantic analysis: collect items, resolve lists and macros, expand exceptions,
//! type-check, compute event types, check outputs (Falco's `rule_loader::compiler`).

pub mod catalog;
pub mod collect;
mod collect_rule;
pub mod decode;
pub mod evttype;
pub mod exceptions;
pub mod items;
pub mod lists;
pub mod literal;
pub mod output;
pub mod re2_posix;
pub mod resolve;
pub mod services;
pub mod text;
pub mod typeck;
pub mod version;
