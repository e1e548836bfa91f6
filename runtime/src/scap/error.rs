//! Errors of the capture reader.
//!
//! Every error carries the byte offset (in the decompressed stream) where the
//! reader found the problem, so a damaged capture can be inspected with a hex
//! dump. Reading stops at the first error; events before it were delivered.

use std::fmt;
use std::io;

/// A capture could not be read any further.
#[derive(Debug)]
pub struct ScapError {
    /// Offset in the decompressed stream where the problem was found.
    pub offset: u64,
    /// What went wrong.
    pub kind: ScapErrorKind,
}

/// The kinds of [`ScapError`].
#[derive(Debug)]
pub enum ScapErrorKind {
    /// The underlying reader failed (including a damaged gzip stream).
    Io(io::Error),
    /// The stream does not start with a section header block.
    NotACapture(String),
    /// The section header announces a format this reader does not know.
    UnsupportedVersion {
        /// Major version found.
        major: u16,
        /// Minor version found.
        minor: u16,
    },
    /// The stream ended inside a block.
    Truncated(String),
    /// A block announces a length above the reader's limit.
    BlockTooLarge {
        /// Announced block length.
        len: u64,
        /// Limit in force.
        max: u64,
    },
    /// The content of a block is inconsistent.
    Corrupt(String),
}

impl ScapError {
    pub(crate) fn new(offset: u64, kind: ScapErrorKind) -> Self {
        ScapError { offset, kind }
    }

    pub(crate) fn corrupt(offset: u64, msg: impl Into<String>) -> Self {
        ScapError::new(offset, ScapErrorKind::Corrupt(msg.into()))
    }

    pub(crate) fn truncated(offset: u64, msg: impl Into<String>) -> Self {
        ScapError::new(offset, ScapErrorKind::Truncated(msg.into()))
    }

    pub(crate) fn io(offset: u64, err: io::Error) -> Self {
        if err.kind() == io::ErrorKind::UnexpectedEof {
            return ScapError::truncated(offset, format!("the stream ends early ({err})"));
        }
        ScapError::new(offset, ScapErrorKind::Io(err))
    }
}

impl fmt::Display for ScapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ScapErrorKind::Io(e) if !matches!(e.kind(), io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput) => {
                write!(f, "cannot read capture at byte {}: {e}", self.offset)
            }
            kind => write!(f, "corrupt capture at byte {}: {kind}", self.offset),
        }
    }
}

impl fmt::Display for ScapErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScapErrorKind::Io(e) => write!(f, "{e}"),
            ScapErrorKind::NotACapture(msg) => write!(f, "not a scap capture: {msg}"),
            ScapErrorKind::UnsupportedVersion { major, minor } => {
                write!(
                    f,
                    "unsupported format version {major}.{minor} (this reader knows major version 1)"
                )
            }
            ScapErrorKind::Truncated(msg) => write!(f, "truncated: {msg}"),
            ScapErrorKind::BlockTooLarge { len, max } => {
                write!(f, "block length {len} exceeds the limit of {max} bytes")
            }
            ScapErrorKind::Corrupt(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for ScapError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ScapErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}
