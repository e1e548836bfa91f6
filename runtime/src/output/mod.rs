//! Alert formatting: Falco's text line and JSON object, and the time formats fields use.

pub mod alert;
pub mod format;
pub mod time;

pub use alert::Alert;
pub use format::Outputs;
