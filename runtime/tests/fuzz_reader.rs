//! Property tests: the reader never panics, whatever the bytes. Three
//! generators reach different depths: raw bytes, well-framed blocks of
//! every known type with random bodies, and a real capture with random
//! bytes overwritten. A fourth, long-running with `FALCORC_FUZZ_SECS` (see
//! `fuzz_common`), replays mutated real captures through the whole engine with Falco's
//! stable rules.

mod common;
#[path = "../../compiler/tests/fuzz_common/mod.rs"]
mod fuzz_common;

use std::io::Cursor;
use std::sync::OnceLock;

use falcorc_runtime::event::Param;
use falcorc_runtime::scap::ScapReader;
use proptest::prelude::*;

/// Reads everything, touching every parameter; returns the event count.
fn drain(bytes: &[u8]) -> usize {
    let Ok(mut r) = ScapReader::with_max_block_len(Cursor::new(bytes), 1 << 20) else {
        return 0;
    };
    let mut n = 0;
    while let Ok(Some(ev)) = r.next_event() {
        n += 1;
        for i in 0..ev.nparams() {
            if let Some(p) = ev.param(i) {
                let _ = (p.as_i64(), p.as_bytes(), p.as_str_list().map(|l| l.iter().count()));
                if let Param::FdList(l) = p {
                    let _ = l.iter().count();
                }
            }
        }
        let _ = (ev.type_name(), ev.dir(), ev.to_owned_event());
        if n > 10_000 {
            break;
        }
    }
    let _ = (r.threads().len(), r.fds().len(), r.users().len(), r.interfaces());
    n
}

fn shb() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&0x0A0D_0D0Au32.to_le_bytes());
    b.extend_from_slice(&28u32.to_le_bytes());
    b.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    b.extend_from_slice(&[1, 0, 2, 0]);
    b.extend_from_slice(&(-1i64).to_le_bytes());
    b.extend_from_slice(&28u32.to_le_bytes());
    b
}

const BLOCK_TYPES: [u32; 30] = [
    0x201,
    0x8002_ABCD,
    0x202,
    0x8000_ABCD,
    0x207,
    0x8013_ABCD,
    0x209,
    0x8014_ABCD,
    0x210,
    0x211,
    0x212,
    0x213,
    0x214,
    0x215,
    0x203,
    0x8001_ABCD,
    0x218,
    0x204,
    0x8010_ABCD,
    0x216,
    0x221,
    0x208,
    0x217,
    0x222,
    0x205,
    0x8011_ABCD,
    0x219,
    0x206,
    0x220,
    0x12345,
];

fn block(t: u32, body: &[u8]) -> Vec<u8> {
    let len = (body.len() + 12) as u32;
    let mut b = Vec::new();
    b.extend_from_slice(&t.to_le_bytes());
    b.extend_from_slice(&len.to_le_bytes());
    b.extend_from_slice(body);
    b.extend_from_slice(&len.to_le_bytes());
    b
}

fn sample_capture() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| match common::capture("falco_cat_write.scap") {
        Some(p) => common::decompressed(&p)[..40_000].to_vec(),
        None => shb(),
    })
}

/// An event body whose header is plausible, so the parameter decoding runs.
fn event_body(code: u16, v2: bool, lens: &[u16], data: &[u8]) -> Vec<u8> {
    let hdr = if v2 { 26 } else { 22 };
    let mut b = vec![0, 0];
    b.extend_from_slice(&1u64.to_le_bytes());
    b.extend_from_slice(&2u64.to_le_bytes());
    b.extend_from_slice(&((hdr + 2 * lens.len() + data.len()) as u32).to_le_bytes());
    b.extend_from_slice(&code.to_le_bytes());
    if v2 {
        b.extend_from_slice(&(lens.len() as u32).to_le_bytes());
    }
    for l in lens {
        b.extend_from_slice(&l.to_le_bytes());
    }
    b.extend_from_slice(data);
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn raw_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        drain(&bytes);
        let mut with_header = shb();
        with_header.extend_from_slice(&bytes);
        drain(&with_header);
    }

    #[test]
    fn framed_blocks(blocks in proptest::collection::vec(
        (proptest::sample::select(&BLOCK_TYPES[..]), proptest::collection::vec(any::<u8>(), 0..300)), 0..12)) {
        let mut bytes = shb();
        for (t, body) in &blocks {
            bytes.extend_from_slice(&block(*t, body));
        }
        drain(&bytes);
    }

    #[test]
    fn events_with_random_parameters(
        events in proptest::collection::vec(
            (0u16..460, any::<bool>(), proptest::collection::vec(0u16..40, 0..8), proptest::collection::vec(any::<u8>(), 0..200)),
            1..20)) {
        let mut bytes = shb();
        for (code, v2, lens, data) in &events {
            // Make the lengths add up most of the time so decoding is reached.
            let mut lens = lens.clone();
            let sum: usize = lens.iter().map(|&l| usize::from(l)).sum();
            if let Some(last) = lens.last_mut()
                && sum <= data.len()
            {
                *last += (data.len() - sum) as u16;
            }
            let t = if *v2 { 0x216 } else { 0x204 };
            bytes.extend_from_slice(&block(t, &event_body(*code, *v2, &lens, data)));
        }
        drain(&bytes);
    }

    #[test]
    fn mutated_real_capture(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
                            cut in any::<prop::sample::Index>()) {
        let mut bytes = sample_capture().to_vec();
        for (at, v) in edits {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        let keep = bytes.len() - cut.index(bytes.len() / 4 + 1);
        drain(&bytes[..keep]);
    }
}

/// The first 64 KiB of every shared capture, decompressed.
fn all_captures() -> &'static [Vec<u8>] {
    static CAPS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CAPS.get_or_init(|| {
        let mut v: Vec<Vec<u8>> = common::CAPTURES
            .iter()
            .filter_map(|n| common::capture(n))
            .map(|p| {
                let mut b = common::decompressed(&p);
                b.truncate(64 * 1024);
                b
            })
            .collect();
        if v.is_empty() {
            v.push(shb());
        }
        v
    })
}

/// Falco's stable rules compiled (or one small rule without the shared data).
fn stable_program() -> falcorc_compiler::ir::Program {
    let path = common::shared_dir().join("falco-upstream/falco_rules.yaml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|_| {
        "- rule: r\n  desc: d\n  condition: evt.type = open and fd.name startswith /etc\n  output: \"%proc.name %fd.name\"\n  priority: INFO\n".into()
    });
    let a = falcorc_compiler::analyze(
        vec![falcorc_compiler::SourceFile {
            name: "falco_rules.yaml".into(),
            text,
        }],
        &falcorc_compiler::Options::default(),
    );
    a.program
}

#[test]
fn mutated_captures_replay_through_the_engine() {
    use falcorc_compiler::sema::typeck::Env;
    use falcorc_runtime::engine::{Engine, EngineOptions};
    use falcorc_runtime::output::Outputs;
    let program = stable_program();
    let outputs = Outputs::new(&program, Env::default());
    let engine = Engine::new(program, &EngineOptions::default());
    let n = all_captures().len();
    let strategy = (
        0..n,
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        any::<prop::sample::Index>(),
    );
    fuzz_common::fuzz("capture replay", file!(), 16, strategy, |(seed, edits, cut)| {
        let mut bytes = all_captures()[seed].clone();
        for (at, v) in edits {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        let keep = bytes.len() - cut.index(bytes.len() / 4 + 1);
        if let Ok(mut reader) = ScapReader::with_max_block_len(Cursor::new(&bytes[..keep]), 1 << 20) {
            let mut alerts = 0u64;
            let _ =
                falcorc_runtime::replay::replay(&mut reader, &engine, &outputs, "fuzz", &mut |_| alerts += 1, |_| {});
        }
        Ok(())
    });
}
