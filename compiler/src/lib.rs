//! falcorc's compiler for Falco rules: YAML with exact spans, the condition language,
//! Falco's loader semantics, the field catalogue and type checker, a typed IR and a
//! reference interpreter. Pure: text in, [`Analysis`] out.

pub mod analysis;
pub mod cancel;
pub mod cost;
pub mod diag;
pub mod eval;
pub mod fmt;
#[cfg(feature = "fs")]
pub mod fs;
pub mod hash;
pub mod index;
pub mod ir;
pub mod lines;
pub mod lint;
pub mod project;
pub mod raw_text;
pub mod review;
pub mod sema;
pub mod span;
pub mod syntax;
pub mod text_diff;

pub use analysis::{
    Analysis, Options, ParsedFile, SourceFile, analyze, analyze_cancellable, analyze_parsed, parse_file,
};
pub use cancel::{Cancel, Cancelled};
