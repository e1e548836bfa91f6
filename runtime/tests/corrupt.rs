//! Damaged captures: truncation at many offsets, flipped bytes, hostile
//! lengths and counts. Every event before the damage must come back intact,
//! then an error naming a byte offset; nothing may panic or allocate without
//! bound.

mod common;

use std::io::Cursor;

use common::{CAPTURES, capture, decompressed, read_capture};
use falcorc_runtime::event::OwnedEvent;
use falcorc_runtime::scap::{DEFAULT_MAX_BLOCK_LEN, ScapError, ScapErrorKind, ScapReader};

/// `(start, length)` of every block of a well-formed stream.
fn blocks(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        out.push((at, len));
        at += len;
    }
    assert_eq!(at, bytes.len());
    out
}

/// Block type at `start`.
fn block_type(bytes: &[u8], start: usize) -> u32 {
    u32::from_le_bytes(bytes[start..start + 4].try_into().unwrap())
}

fn is_event_block(t: u32) -> bool {
    matches!(t, 0x204 | 0x216 | 0x221 | 0x208 | 0x217 | 0x222 | 0x8010_ABCD)
}

/// What a reader delivers: the events, then the error that stopped it (if any).
struct Outcome {
    events: Vec<OwnedEvent>,
    error: Option<ScapError>,
    opened: bool,
}

fn read_damaged(bytes: &[u8]) -> Outcome {
    drain(ScapReader::new(Cursor::new(bytes)))
}

/// Every event of an opened reader, then the error that stopped it.
fn drain<R: std::io::Read>(opened: Result<ScapReader<R>, ScapError>) -> Outcome {
    let mut reader = match opened {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                events: Vec::new(),
                error: Some(e),
                opened: false,
            };
        }
    };
    let mut events = Vec::new();
    loop {
        match reader.next_event() {
            Ok(Some(ev)) => events.push(ev.to_owned_event()),
            Ok(None) => break,
            Err(e) => {
                // The reader stays stopped after an error.
                assert!(matches!(reader.next_event(), Ok(None)));
                return Outcome {
                    events,
                    error: Some(e),
                    opened: true,
                };
            }
        }
    }
    Outcome {
        events,
        error: None,
        opened: true,
    }
}

fn check_message(e: &ScapError) {
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("at byte {}", e.offset)),
        "message without offset: {msg}"
    );
    assert!(msg.starts_with("corrupt capture at byte "), "{msg}");
}

/// Events of `all` whose blocks end at or before `limit`.
fn events_before(bytes: &[u8], all: &[OwnedEvent], limit: usize) -> usize {
    blocks(bytes)
        .iter()
        .filter(|(s, l)| is_event_block(block_type(bytes, *s)) && s + l <= limit)
        .count()
        .min(all.len())
}

#[test]
fn truncation_at_many_offsets() {
    for name in ["falco_cat_write.scap", "falco_ping_sendto.scap"] {
        let Some(path) = capture(name) else { return };
        let bytes = decompressed(&path);
        let full = read_capture(Cursor::new(&bytes)).unwrap().events;
        let layout = blocks(&bytes);
        let boundaries: Vec<usize> = layout.iter().map(|(s, l)| s + l).collect();
        let first_event_end = layout
            .iter()
            .find(|(s, _)| is_event_block(block_type(&bytes, *s)))
            .map(|(s, l)| s + l)
            .unwrap();

        let mut cuts: Vec<usize> = (0..bytes.len()).step_by(1201).collect();
        // Around a few block boundaries, including exact ones.
        for &(s, l) in layout.iter().step_by(37) {
            cuts.extend([s, s + 1, s + 7, s + 8, s + 9, s + l - 4, s + l - 1, s + l]);
        }
        for cut in cuts {
            let damaged = &bytes[..cut.min(bytes.len())];
            let out = read_damaged(damaged);
            let expected = events_before(&bytes, &full, cut);
            if cut < first_event_end {
                // The cut falls in the header or metadata (or the first event block).
                if cut == 0 || !boundaries.contains(&cut) {
                    let e = out
                        .error
                        .as_ref()
                        .unwrap_or_else(|| panic!("{name}: cut {cut} not reported"));
                    assert!(e.offset <= cut as u64, "{name}: cut {cut}, error at {}", e.offset);
                    assert!(!out.opened || out.events.is_empty());
                }
                continue;
            }
            assert_eq!(out.events.len(), expected, "{name}: cut at {cut}");
            assert_eq!(out.events[..], full[..expected], "{name}: cut at {cut}");
            if boundaries.contains(&cut) {
                assert!(
                    out.error.is_none(),
                    "{name}: a cut at a block boundary ({cut}) is a clean end"
                );
            } else {
                let e = out.error.unwrap_or_else(|| panic!("{name}: cut {cut} not reported"));
                check_message(&e);
                assert!(matches!(e.kind, ScapErrorKind::Truncated(_)), "{name}: cut {cut}: {e}");
                let block_start = layout.iter().rev().find(|(s, _)| *s <= cut).unwrap().0;
                assert!(
                    (block_start as u64..=cut as u64).contains(&e.offset),
                    "{name}: cut {cut} in block at {block_start}, error at {}",
                    e.offset
                );
            }
        }
    }
}

#[test]
fn truncated_gzip_stream() {
    let Some(path) = capture("falco_cat_write.scap") else {
        return;
    };
    let raw = std::fs::read(&path).unwrap();
    let full = common::read_file(&path).events;
    for cut in (20..raw.len()).step_by(977) {
        let out = read_damaged(&raw[..cut]);
        assert_eq!(out.events[..], full[..out.events.len()], "gzip cut at {cut}");
        let e = out.error.unwrap_or_else(|| panic!("gzip cut at {cut} not reported"));
        check_message(&e);
    }
}

/// The same events, then the same error at the same offset, whether the capture
/// is read in line or ahead on a second thread (`falcorc replay`), plain or gzip.
#[test]
fn reading_ahead_on_a_thread_changes_nothing() {
    for name in ["falco_cat_write.scap", "falco_ping_sendto.scap"] {
        let Some(path) = capture(name) else { return };
        let raw = std::fs::read(&path).unwrap();
        let plain = decompressed(&path);
        for bytes in [&raw, &plain] {
            let cuts = (0..bytes.len()).step_by(997).chain([bytes.len()]);
            for cut in cuts {
                let damaged = bytes[..cut].to_vec();
                let direct = read_damaged(&damaged);
                let ahead = drain(ScapReader::prefetched(Cursor::new(damaged)));
                assert_eq!(ahead.events, direct.events, "{name}: cut at {cut}");
                assert_eq!(
                    ahead.error.map(|e| e.to_string()),
                    direct.error.map(|e| e.to_string()),
                    "{name}: cut at {cut}"
                );
            }
        }
    }
}

/// Blocks that straddle two read-ahead chunks (the reader parses chunks where they are
/// and copies only such blocks): small chunks, every capture, plain and gzip, whole and cut.
#[test]
fn blocks_across_read_ahead_chunks_read_the_same() {
    for name in CAPTURES {
        let Some(path) = capture(name) else { return };
        let raw = std::fs::read(&path).unwrap();
        let plain = decompressed(&path);
        for bytes in [&raw, &plain] {
            let whole = bytes.len();
            for cut in [whole, whole / 2, whole / 3 + 17] {
                let damaged = bytes[..cut].to_vec();
                let direct = read_damaged(&damaged);
                for chunk in [61, 997, 4096] {
                    let ahead = drain(ScapReader::prefetched_in_chunks(Cursor::new(damaged.clone()), chunk));
                    assert_eq!(ahead.events, direct.events, "{name}: chunks of {chunk}, cut at {cut}");
                    assert_eq!(
                        ahead.error.map(|e| e.to_string()),
                        direct.error.as_ref().map(|e| e.to_string()),
                        "{name}: chunks of {chunk}, cut at {cut}"
                    );
                }
            }
        }
    }
}

#[test]
fn flipped_bytes() {
    for name in ["falco_cat_write.scap", "libs_sample.scap"] {
        let Some(path) = capture(name) else { return };
        let bytes = decompressed(&path);
        let full = read_capture(Cursor::new(&bytes)).unwrap().events;
        let layout = blocks(&bytes);
        let positions: Vec<usize> = (3..bytes.len()).step_by(613).collect();
        for pos in positions {
            let mut damaged = bytes.clone();
            damaged[pos] ^= 0xff;
            let out = read_damaged(&damaged);
            let block_start = layout.iter().rev().find(|(s, _)| *s <= pos).unwrap().0;
            let intact = events_before(&bytes, &full, block_start);
            if out.opened {
                assert!(out.events.len() >= intact, "{name}: flip at {pos} lost earlier events");
                assert_eq!(out.events[..intact], full[..intact], "{name}: flip at {pos}");
            } else {
                assert_eq!(
                    intact, 0,
                    "{name}: flip at {pos}: only header and metadata damage stops the opening"
                );
            }
            if let Some(e) = &out.error {
                check_message(e);
                assert!(
                    e.offset >= block_start as u64,
                    "{name}: flip at {pos} (block {block_start}) reported at {}",
                    e.offset
                );
            }
        }
    }
}

/// Start of the `n`-th (0-based) event block.
fn nth_event_block(bytes: &[u8], n: usize) -> usize {
    blocks(bytes)
        .into_iter()
        .filter(|(s, _)| is_event_block(block_type(bytes, *s)))
        .nth(n)
        .unwrap()
        .0
}

#[test]
fn hostile_block_length_is_refused_without_allocating() {
    let Some(path) = capture("falco_cat_write.scap") else {
        return;
    };
    let bytes = decompressed(&path);
    let full = read_capture(Cursor::new(&bytes)).unwrap().events;
    let start = nth_event_block(&bytes, 100);
    for len in [u32::MAX, 0x8000_0000, (DEFAULT_MAX_BLOCK_LEN + 4) as u32] {
        let mut damaged = bytes.clone();
        damaged[start + 4..start + 8].copy_from_slice(&len.to_le_bytes());
        let out = read_damaged(&damaged);
        assert_eq!(out.events[..], full[..100]);
        let e = out.error.unwrap();
        check_message(&e);
        assert_eq!(e.offset, start as u64 + 4);
        match e.kind {
            ScapErrorKind::BlockTooLarge { len: l, max } => {
                assert_eq!((l, max), (u64::from(len), DEFAULT_MAX_BLOCK_LEN))
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // Below the framing size.
    let mut damaged = bytes.clone();
    damaged[start + 4..start + 8].copy_from_slice(&5u32.to_le_bytes());
    let out = read_damaged(&damaged);
    assert_eq!(out.events.len(), 100);
    let e = out.error.unwrap();
    assert_eq!(e.offset, start as u64 + 4);
    assert!(e.to_string().contains("framing"), "{e}");
    // A length that fits the limit but not the file: a truncation error.
    let mut damaged = bytes.clone();
    damaged[start + 4..start + 8].copy_from_slice(&(32u32 << 20).to_le_bytes());
    let out = read_damaged(&damaged);
    assert_eq!(out.events.len(), 100);
    assert!(matches!(out.error.unwrap().kind, ScapErrorKind::Truncated(_)));
    // A smaller limit applies to metadata blocks too.
    let e = ScapReader::with_max_block_len(Cursor::new(&bytes), 1024).err().unwrap();
    assert!(matches!(e.kind, ScapErrorKind::BlockTooLarge { max: 1024, .. }), "{e}");
}

#[test]
fn trailer_mismatch_is_reported() {
    let Some(path) = capture("falco_cat_write.scap") else {
        return;
    };
    let bytes = decompressed(&path);
    let start = nth_event_block(&bytes, 10);
    let len = u32::from_le_bytes(bytes[start + 4..start + 8].try_into().unwrap()) as usize;
    let mut damaged = bytes.clone();
    damaged[start + len - 4] ^= 1;
    let out = read_damaged(&damaged);
    assert_eq!(out.events.len(), 10);
    let e = out.error.unwrap();
    assert_eq!(e.offset, (start + len - 4) as u64);
    assert!(e.to_string().contains("trailer"), "{e}");
}

#[test]
fn unknown_blocks_are_skipped_but_must_be_complete() {
    let Some(path) = capture("falco_cat_write.scap") else {
        return;
    };
    let bytes = decompressed(&path);
    let full = read_capture(Cursor::new(&bytes)).unwrap().events;
    let start = nth_event_block(&bytes, 200);
    let mut block = Vec::new();
    block.extend_from_slice(&0x0BAD_B10Cu32.to_le_bytes());
    block.extend_from_slice(&20u32.to_le_bytes());
    block.extend_from_slice(&[0xAA; 8]);
    block.extend_from_slice(&20u32.to_le_bytes());
    let mut with_unknown = bytes[..start].to_vec();
    with_unknown.extend_from_slice(&block);
    with_unknown.extend_from_slice(&bytes[start..]);
    let out = read_damaged(&with_unknown);
    assert!(out.error.is_none());
    assert_eq!(out.events, full);

    // An unknown block claiming 60 MiB at the end: skipped by streaming, then truncated.
    let mut hostile = bytes.clone();
    hostile.extend_from_slice(&0x0BAD_B10Cu32.to_le_bytes());
    hostile.extend_from_slice(&(60u32 << 20).to_le_bytes());
    hostile.extend_from_slice(&[0; 100]);
    let out = read_damaged(&hostile);
    assert_eq!(out.events, full);
    let e = out.error.unwrap();
    assert!(matches!(e.kind, ScapErrorKind::Truncated(_)));
    assert_eq!(e.offset, hostile.len() as u64);
}

#[test]
fn hostile_parameter_count_and_lengths() {
    let Some(path) = capture("falco_ping_sendto.scap") else {
        return;
    };
    let bytes = decompressed(&path);
    let full = read_capture(Cursor::new(&bytes)).unwrap().events;
    // EV_V2 body: cpu u16, ts u64, tid u64, len u32, type u16, nparams u32.
    let start = nth_event_block(&bytes, 5);
    let nparams_at = start + 8 + 2 + 22;
    let mut damaged = bytes.clone();
    damaged[nparams_at..nparams_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let out = read_damaged(&damaged);
    assert_eq!(out.events[..], full[..5]);
    let e = out.error.unwrap();
    check_message(&e);
    assert!((start as u64..start as u64 + 64).contains(&e.offset), "{e}");

    // Event length beyond the block.
    let len_at = start + 8 + 2 + 16;
    let mut damaged = bytes.clone();
    damaged[len_at..len_at + 4].copy_from_slice(&100_000u32.to_le_bytes());
    let out = read_damaged(&damaged);
    assert_eq!(out.events.len(), 5);
    assert!(out.error.unwrap().to_string().contains("event length 100000"));

    // A parameter length that disagrees with the data.
    let first_len_at = start + 8 + 2 + 26;
    let mut damaged = bytes.clone();
    damaged[first_len_at] ^= 0x40;
    let out = read_damaged(&damaged);
    assert_eq!(out.events.len(), 5);
    assert!(out.error.unwrap().to_string().contains("parameter lengths add up"));
}

#[test]
fn hostile_metadata_string_length() {
    let Some(path) = capture("falco_cat_write.scap") else {
        return;
    };
    let bytes = decompressed(&path);
    // The process list block: its first entry's comm length is at body offset 24 (PL_V6: tid, pid, ptid, sid).
    let (pl, _) = blocks(&bytes)
        .into_iter()
        .find(|(s, _)| block_type(&bytes, *s) == 0x212)
        .unwrap();
    let comm_len_at = pl + 8 + 32;
    let mut damaged = bytes.clone();
    damaged[comm_len_at..comm_len_at + 2].copy_from_slice(&u16::MAX.to_le_bytes());
    let e = ScapReader::new(Cursor::new(&damaged)).err().unwrap();
    check_message(&e);
    assert_eq!(e.offset, comm_len_at as u64 + 2);
    assert!(e.to_string().contains("process list block: comm"), "{e}");
}

#[test]
fn not_a_capture() {
    for (input, what) in [
        (&b""[..], "empty"),
        (&b"hello, world, this is not a capture"[..], "first block"),
    ] {
        let e = ScapReader::new(Cursor::new(input)).err().unwrap();
        assert!(matches!(e.kind, ScapErrorKind::NotACapture(_)), "{e}");
        assert!(e.to_string().contains(what), "{e}");
    }
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x0A0D_0D0Au32.to_le_bytes());
    shb.extend_from_slice(&28u32.to_le_bytes());
    shb.extend_from_slice(&0x4D3C_2B1Au32.to_le_bytes());
    shb.extend_from_slice(&[1, 0, 2, 0]);
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    shb.extend_from_slice(&28u32.to_le_bytes());
    let e = ScapReader::new(Cursor::new(&shb)).err().unwrap();
    assert!(e.to_string().contains("big-endian"), "{e}");
    shb[8..12].copy_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    shb[12] = 2;
    let e = ScapReader::new(Cursor::new(&shb)).err().unwrap();
    assert!(
        matches!(e.kind, ScapErrorKind::UnsupportedVersion { major: 2, minor: 2 }),
        "{e}"
    );
    shb[12] = 1;
    let r = ScapReader::new(Cursor::new(&shb)).unwrap();
    assert_eq!((r.header().major, r.header().minor), (1, 2));
}
