//! falcorc runtime: the event model and the capture reader and writer that the
//! state tracker, field extraction and rule engine are built on.
//!
//! * [`event`]: events as borrowed views with typed parameter decoding.
//! * [`scap`]: streaming reader and writer for `.scap` capture files.
//! * [`engine`]: rules indexed by event type, selection, minimum priority, rule matching.
//! * [`output`]: alerts in Falco's text and JSON formats.
//! * [`state`]: the thread/fd/user state tracker fed by the event stream.
//! * [`fields`]: rule field values for one event (the engine's field source).

pub mod bundle;
pub mod config;
pub mod engine;
pub mod event;
pub mod fields;
pub mod fixture;
pub mod metrics;
pub mod needs;
pub mod output;
pub mod replay;
pub mod scap;
pub mod state;
pub mod synth;
/// Process text that keeps bytes that are not UTF-8 (the compiler decodes `\xHH` the same way).
pub use falcorc_compiler::raw_text;
