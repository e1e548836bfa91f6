//! Reading and writing `.scap` capture files.
//!
//! A capture is a gzip-compressed (usually) sequence of pcapng-style blocks:
//! a section header, metadata (machine, processes, fds, interfaces, users)
//! and events. [`ScapReader`] streams any version of the format written
//! since 2016 with constant memory; [`ScapWriter`] writes the block versions
//! current Falco writes, from the same types the reader returns.

pub mod blocks;
mod cursor;
mod encode;
mod error;
mod metadata;
mod prefetch;
mod reader;
mod types;
mod writer;

pub use error::{ScapError, ScapErrorKind};
pub use prefetch::Prefetch;
pub use reader::{DEFAULT_MAX_BLOCK_LEN, ScapReader};
pub use types::{
    FdDetails, FdInfo, FdType, GroupInfo, Interfaces, Ipv4Interface, Ipv6Interface, MachineInfo, SectionHeader,
    ThreadInfo, UserInfo,
};
pub use writer::ScapWriter;
