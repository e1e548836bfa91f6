//! Parsing of one event record (`ppm_evt_hdr` + parameter lengths + data)
//! from a byte buffer, in either header layout:
//!
//! * v2 (26-byte header with a parameter count) — what drivers produce and
//!   current captures store;
//! * v1 (22-byte header, no count) — 2016–2018 captures. The count is
//!   inferred the way libscap does it: starting from the table's parameter
//!   count for the type and going down, the first count whose lengths add up
//!   to the event length wins; if they add up to less, the record is corrupt.

use std::fmt;
use std::ops::Range;

use super::Event;
use super::table::{INFRASTRUCTURE_E, NOTIFICATION_E, event_def, has_large_payload};

/// Size of the v1 event header (ts, tid, len, type).
pub const HEADER_LEN_V1: usize = 22;
/// Size of the v2 event header (v1 plus the u32 parameter count).
pub const HEADER_LEN_V2: usize = 26;

/// Why an event record could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventError {
    /// Offset inside the record where the problem is.
    pub at: usize,
    /// What is wrong.
    pub kind: EventErrorKind,
}

/// The kinds of [`EventError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventErrorKind {
    /// A v1 record of a type missing from the event table: its parameter
    /// count cannot be inferred (the record can still be skipped).
    UnknownType(u16),
    /// The record is inconsistent.
    Invalid(String),
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            EventErrorKind::UnknownType(code) => write!(f, "event type {code} is not in the event table"),
            EventErrorKind::Invalid(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for EventError {}

fn invalid(at: usize, msg: impl Into<String>) -> EventError {
    EventError {
        at,
        kind: EventErrorKind::Invalid(msg.into()),
    }
}

fn le_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Sum of the parameter lengths in `lens`.
fn sum_lens(lens: &[u8], wide: bool) -> u64 {
    if wide {
        lens.chunks_exact(4).map(|c| u64::from(le_u32(c, 0))).sum()
    } else {
        lens.chunks_exact(2).map(|c| u64::from(le_u16(c, 0))).sum()
    }
}

/// Where the parts of a parsed record are, relative to the buffer given to
/// [`parse_layout`]. Holding ranges instead of slices lets a caller decide
/// what to do with a record before borrowing its buffer for the event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecordLayout {
    pub(crate) ts: u64,
    pub(crate) tid: u64,
    pub(crate) code: u16,
    /// Record length from the header.
    pub(crate) len: usize,
    pub(crate) lens: Range<usize>,
    pub(crate) data: Range<usize>,
    pub(crate) wide: bool,
}

impl RecordLayout {
    /// The event over `buf` (the same buffer the layout was parsed from).
    pub(crate) fn event<'a>(&self, buf: &'a [u8]) -> Event<'a> {
        Event {
            num: 0,
            ts: self.ts,
            tid: self.tid,
            code: self.code,
            cpu: 0,
            flags: 0,
            lens: &buf[self.lens.clone()],
            wide: self.wide,
            data: &buf[self.data.clone()],
        }
    }
}

/// Parses the record at the start of `buf`. Returns the event (with `num`,
/// `cpu` and `flags` zero; the caller fills them in) and the record length
/// from its header. `buf` may extend past the record (padding).
pub fn parse_record(buf: &[u8], with_nparams: bool) -> Result<(Event<'_>, usize), EventError> {
    let layout = parse_layout(buf, with_nparams)?;
    Ok((layout.event(buf), layout.len))
}

pub(crate) fn parse_layout(buf: &[u8], with_nparams: bool) -> Result<RecordLayout, EventError> {
    if with_nparams && let Some(layout) = parse_v2_fast(buf) {
        return Ok(layout);
    }
    let hdr = if with_nparams { HEADER_LEN_V2 } else { HEADER_LEN_V1 };
    if buf.len() < hdr {
        return Err(invalid(
            0,
            format!("{} bytes cannot hold a {hdr}-byte event header", buf.len()),
        ));
    }
    let ts = le_u64(buf, 0);
    let tid = le_u64(buf, 8);
    let len = le_u32(buf, 16) as usize;
    let code = le_u16(buf, 20);
    if len < hdr {
        return Err(invalid(
            16,
            format!("event length {len} is shorter than the {hdr}-byte header"),
        ));
    }
    if len > buf.len() {
        return Err(invalid(
            16,
            format!("event length {len} exceeds the {} bytes available", buf.len()),
        ));
    }
    let (nparams, wide, end) = if with_nparams {
        let n = le_u32(buf, 22) as usize;
        (n, has_large_payload(code), len)
    } else {
        // Old notification/infrastructure events overstate their length by 3.
        let end = if matches!(code, NOTIFICATION_E | INFRASTRUCTURE_E) && len >= hdr + 3 {
            len - 3
        } else {
            len
        };
        (infer_nparams(code, &buf[hdr..end])?, false, end)
    };
    let width: u64 = if wide { 4 } else { 2 };
    let lens_end = (nparams as u64)
        .checked_mul(width)
        .and_then(|n| n.checked_add(hdr as u64))
        .filter(|&e| e <= end as u64)
        .ok_or_else(|| {
            invalid(
                22,
                format!("{nparams} parameter lengths do not fit in an event of {len} bytes"),
            )
        })? as usize;
    let total = sum_lens(&buf[hdr..lens_end], wide);
    let data_len = (end - lens_end) as u64;
    if total != data_len {
        return Err(invalid(
            hdr,
            format!("parameter lengths add up to {total} bytes but the event has {data_len} bytes of data"),
        ));
    }
    Ok(RecordLayout {
        ts,
        tid,
        code,
        len,
        lens: hdr..lens_end,
        data: lens_end..end,
        wide,
    })
}

/// A well-formed v2 record of a type with u16 lengths (every event a live driver
/// produces but three), parsed with its header read as one fixed-size array; `None`
/// for anything else, which [`parse_layout`]'s general path then handles or reports.
/// Every record goes through here: the general path's separate bounds-checked reads
/// cost about as much again.
#[inline]
pub(crate) fn parse_v2_fast(buf: &[u8]) -> Option<RecordLayout> {
    let h: &[u8; HEADER_LEN_V2] = buf.first_chunk()?;
    let ts = u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
    let tid = u64::from_le_bytes([h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]]);
    let len = u32::from_le_bytes([h[16], h[17], h[18], h[19]]) as usize;
    let code = u16::from_le_bytes([h[20], h[21]]);
    let nparams = u32::from_le_bytes([h[22], h[23], h[24], h[25]]) as usize;
    if has_large_payload(code) || len > buf.len() {
        return None;
    }
    let lens_end = HEADER_LEN_V2.checked_add(nparams.checked_mul(2)?)?;
    if lens_end > len {
        return None;
    }
    let total: usize = buf[HEADER_LEN_V2..lens_end]
        .chunks_exact(2)
        .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])))
        .sum();
    if total != len - lens_end {
        return None;
    }
    Some(RecordLayout {
        ts,
        tid,
        code,
        len,
        lens: HEADER_LEN_V2..lens_end,
        data: lens_end..len,
        wide: false,
    })
}

/// Parameter count of a v1 record; `rest` is everything after the header.
fn infer_nparams(code: u16, rest: &[u8]) -> Result<usize, EventError> {
    let def = event_def(code).ok_or(EventError {
        at: 20,
        kind: EventErrorKind::UnknownType(code),
    })?;
    for n in (0..=def.params.len()).rev() {
        if 2 * n > rest.len() {
            continue;
        }
        let total = 2 * n as u64 + sum_lens(&rest[..2 * n], false);
        if total == rest.len() as u64 {
            return Ok(n);
        }
        if total < rest.len() as u64 {
            break;
        }
    }
    Err(invalid(
        HEADER_LEN_V1,
        format!("cannot infer the parameter count of a version 1 event of type {code}"),
    ))
}
