//! Alert formatting: Falco's text line and JSON object, and the time formats fields use;
//! and the queue that takes formatted alerts to an output without blocking evaluation.

pub mod alert;
pub mod format;
pub mod http;
pub mod queue;
pub mod set;
pub mod sink;
pub mod style;
pub mod time;

pub use alert::Alert;
pub use format::Outputs;
pub use queue::{OutputCounters, OutputQueue};
