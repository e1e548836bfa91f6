//! falcorc runtime: the event model and the capture reader and writer that the
//! state tracker, field extraction and rule engine are built on.
//!
//! * [`event`]: events as borrowed views with typed parameter decoding.
//! * [`scap`]: streaming reader and writer for `.scap` capture files.

pub mod event;
pub mod scap;
