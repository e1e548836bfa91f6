//! The Rust mirror of `probe/wire.h`: the record header and the per-CPU counters.
//!
//! Records are scap v2 events, so the runtime's event parser reads them; the header is
//! mirrored here to check the probe's layout against the parser's (see the tests, which
//! read the layout facts the C compiler checks from `wire.h` itself).

/// `struct falcorc_evt_hdr`: the v2 scap event header.
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, Default)]
pub struct EvtHdr {
    pub ts: u64,
    pub tid: u64,
    pub len: u32,
    pub kind: u16,
    pub nparams: u32,
}

/// `struct falcorc_counters`, one per CPU.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Records written to the ring buffer.
    pub sent: u64,
    /// Records lost because the ring buffer was full.
    pub drops: u64,
    /// Records dropped because they outgrew the probe's scratch buffer.
    pub oversized: u64,
    /// Syscall exits skipped by the in-kernel filter.
    pub filtered: u64,
    /// Failed opens no rule can match, skipped by the path prefilter.
    pub failed_opens: u64,
    /// Bytes sent since this CPU last woke the reader (the probe's own, not a statistic).
    pub unwoken: u64,
}

// SAFETY: plain integers, every bit pattern is valid.
unsafe impl aya::Pod for Counters {}

/// `struct exit_time`: the time the probe spent on one syscall's exits (`--probe-timing`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExitTime {
    pub ns: u64,
    pub count: u64,
}

// SAFETY: plain integers, every bit pattern is valid.
unsafe impl aya::Pod for ExitTime {}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        self.sent += o.sent;
        self.drops += o.drops;
        self.oversized += o.oversized;
        self.filtered += o.filtered;
        self.failed_opens += o.failed_opens;
    }
}

/// Bytes of each text of the failed-open prefilter (`FALCORC_PATH_TEXT`).
pub const PATH_TEXT: usize = 32;
/// Prefixes, suffixes and substrings the prefilter's table holds.
pub const PATH_PREFIXES: usize = 16;
pub const PATH_SUFFIXES: usize = 16;
pub const PATH_SUBSTRINGS: usize = 4;

/// `struct falcorc_path_text`: a prefix or suffix as words and byte masks.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathText {
    pub text: [u64; 4],
    pub mask: [u64; 4],
}

/// `struct falcorc_path_substring`: a substring's first and last bytes, in every byte.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathSubstring {
    pub first: u64,
    pub last: u64,
    pub len: u64,
}

/// `struct falcorc_path_table`: the failed-open prefilter's tests.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathTable {
    pub prefixes: u32,
    pub suffixes: u32,
    pub substrings: u32,
    pub pad: u32,
    pub prefix: [PathText; PATH_PREFIXES],
    pub suffix: [PathText; PATH_SUFFIXES],
    pub substring: [PathSubstring; PATH_SUBSTRINGS],
}

// SAFETY: plain integers, every bit pattern is valid.
unsafe impl aya::Pod for PathTable {}

/// Most parameters of one record (`FALCORC_MAX_PARAMS`).
pub const MAX_PARAMS: usize = 32;
/// Entries of the syscall filter map (`FALCORC_SYSCALL_SLOTS`); the last one is procexit.
pub const SYSCALL_SLOTS: u32 = 512;
/// The filter slot of the procexit event.
pub const SLOT_PROCEXIT: u32 = SYSCALL_SLOTS - 1;

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    const WIRE_H: &str = include_str!("../probe/wire.h");

    /// The `FALCORC_ASSERT(lhs == rhs)` lines of wire.h as (lhs, rhs).
    fn c_facts() -> Vec<(String, u64)> {
        WIRE_H
            .lines()
            .filter_map(|l| l.trim().strip_prefix("FALCORC_ASSERT(")?.strip_suffix(");"))
            .filter_map(|e| {
                let (lhs, rhs) = e.split_once("==")?;
                Some((lhs.trim().to_string(), rhs.trim().parse().ok()?))
            })
            .collect()
    }

    fn rust_value(c_expr: &str) -> u64 {
        let member = |e: &str| {
            e.strip_prefix("__builtin_offsetof(")
                .and_then(|r| r.strip_suffix(')'))
                .and_then(|r| r.split_once(", "))
                .map(|(s, m)| (s.to_string(), m.to_string()))
        };
        match c_expr {
            "sizeof(struct falcorc_evt_hdr)" => size_of::<EvtHdr>() as u64,
            "sizeof(struct falcorc_counters)" => size_of::<Counters>() as u64,
            "sizeof(struct falcorc_path_text)" => size_of::<PathText>() as u64,
            "sizeof(struct falcorc_path_substring)" => size_of::<PathSubstring>() as u64,
            "sizeof(struct falcorc_path_table)" => size_of::<PathTable>() as u64,
            "FALCORC_PATH_TEXT" => PATH_TEXT as u64,
            "FALCORC_PATH_PREFIXES" => PATH_PREFIXES as u64,
            "FALCORC_PATH_SUFFIXES" => PATH_SUFFIXES as u64,
            "FALCORC_PATH_SUBSTRINGS" => PATH_SUBSTRINGS as u64,
            "FALCORC_MAX_PARAMS" => MAX_PARAMS as u64,
            "FALCORC_SYSCALL_SLOTS" => u64::from(SYSCALL_SLOTS),
            e => match member(e) {
                Some((s, m)) => match (s.as_str(), m.as_str()) {
                    ("struct falcorc_evt_hdr", "ts") => offset_of!(EvtHdr, ts) as u64,
                    ("struct falcorc_evt_hdr", "tid") => offset_of!(EvtHdr, tid) as u64,
                    ("struct falcorc_evt_hdr", "len") => offset_of!(EvtHdr, len) as u64,
                    ("struct falcorc_evt_hdr", "type") => offset_of!(EvtHdr, kind) as u64,
                    ("struct falcorc_evt_hdr", "nparams") => offset_of!(EvtHdr, nparams) as u64,
                    ("struct falcorc_counters", "sent") => offset_of!(Counters, sent) as u64,
                    ("struct falcorc_counters", "drops") => offset_of!(Counters, drops) as u64,
                    ("struct falcorc_counters", "oversized") => offset_of!(Counters, oversized) as u64,
                    ("struct falcorc_counters", "filtered") => offset_of!(Counters, filtered) as u64,
                    ("struct falcorc_counters", "failed_opens") => offset_of!(Counters, failed_opens) as u64,
                    ("struct falcorc_counters", "unwoken") => offset_of!(Counters, unwoken) as u64,
                    ("struct falcorc_path_table", "prefix") => offset_of!(PathTable, prefix) as u64,
                    ("struct falcorc_path_table", "suffix") => offset_of!(PathTable, suffix) as u64,
                    ("struct falcorc_path_table", "substring") => offset_of!(PathTable, substring) as u64,
                    other => panic!("wire.h states a fact about {other:?} that the Rust mirror lacks"),
                },
                None => panic!("wire.h fact {e:?} is not understood by this test"),
            },
        }
    }

    #[test]
    fn c_and_rust_layouts_agree() {
        let facts = c_facts();
        assert!(facts.len() >= 13, "wire.h lost its layout assertions: {facts:?}");
        for (expr, c) in facts {
            assert_eq!(rust_value(&expr), c, "{expr}");
        }
    }

    #[test]
    fn header_is_the_parsers_v2_header() {
        assert_eq!(size_of::<EvtHdr>(), falcorc_runtime::event::HEADER_LEN_V2);
    }
}
