//! Evaluation of the IR. [`interp`] is the reference interpreter: simple, direct, and
//! the oracle that faster back ends are tested against.

pub mod cache;
pub mod glob;
pub mod interp;
#[cfg(feature = "jit")]
pub mod jit;
pub mod specialize;
pub mod transform;

pub use cache::FieldCache;
pub use interp::{FieldSource, Fields, Lent, Value, eval, eval_fields};
pub use specialize::{EventFacts, specialize};
