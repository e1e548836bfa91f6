//! Evaluation of the IR. [`interp`] is the reference interpreter: simple, direct, and
//! the oracle that faster back ends are tested against.

pub mod glob;
pub mod interp;
pub mod specialize;
pub mod transform;

pub use interp::{FieldSource, Value, eval};
pub use specialize::{EventFacts, specialize};
