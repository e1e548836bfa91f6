//! Random event streams: the tracker and the field extractors never panic,
//! and the state stays within its documented limits.

use falcorc_compiler::ir::{FieldSpec, lower_condition};
use falcorc_compiler::sema::catalog::{FIELDS, FieldType};
use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::syntax::condition::parse;
use falcorc_runtime::event::{encode_record, event_def, parse_record};
use falcorc_runtime::fields::FieldCtx;
use falcorc_runtime::state::{MAX_PENDING, MAX_THREADS, Tracker};
use proptest::prelude::*;

/// A field spec for every catalogue field, with an argument where one is
/// needed.
fn all_specs() -> Vec<FieldSpec> {
    static SPECS: std::sync::OnceLock<Vec<FieldSpec>> = std::sync::OnceLock::new();
    SPECS.get_or_init(build_specs).clone()
}

fn build_specs() -> Vec<FieldSpec> {
    let mut out = Vec::new();
    for def in FIELDS {
        for candidate in [
            def.name.to_string(),
            format!("{}[1]", def.name),
            format!("{}[HOME]", def.name),
            format!("{}.flags", def.name),
            format!("{}.cpu", def.name),
            format!("{}.src", def.name),
        ] {
            let Some(expr) = parse(&format!("{candidate} exists")).expr else {
                continue;
            };
            if let Some((_, fields)) = lower_condition(&expr, Env::default()) {
                out.extend(fields);
            }
        }
    }
    out
}

/// Event codes with state effects, tried more often than random ones.
const INTERESTING: &[u16] = &[
    1, 2, 3, 4, 5, 6, 7, 8, 9, 18, 19, 21, 22, 23, 31, 35, 43, 49, 53, 61, 95, 97, 151, 161, 186, 193, 199, 222, 223,
    225, 231, 247, 272, 292, 293, 303, 306, 307, 324, 327, 331, 335, 353, 354, 358, 363, 367, 389, 393, 405,
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A parameter value of type `ty`: usually well-formed, sometimes not.
fn param(rng: &mut Rng, ty: FieldType) -> Vec<u8> {
    match rng.below(12) {
        0 => return Vec::new(),
        1 => return (0..rng.below(40)).map(|_| rng.next() as u8).collect(),
        _ => {}
    }
    let int = |rng: &mut Rng| -> i64 {
        match rng.below(4) {
            0 => -(rng.below(130) as i64),
            1 => rng.below(10) as i64,
            2 => rng.next() as i64,
            _ => 100 + rng.below(10) as i64,
        }
    };
    match ty {
        FieldType::Int8 | FieldType::Uint8 | FieldType::Sigtype | FieldType::Flags8 | FieldType::EnumFlags8 => {
            vec![rng.next() as u8]
        }
        FieldType::Int16 | FieldType::Uint16 | FieldType::Port | FieldType::Syscallid | FieldType::Flags16 => {
            (rng.below(400) as u16).to_le_bytes().to_vec()
        }
        FieldType::Int32
        | FieldType::Uint32
        | FieldType::Flags32
        | FieldType::EnumFlags32
        | FieldType::Uid
        | FieldType::Gid
        | FieldType::Mode
        | FieldType::Bool
        | FieldType::Fd32
        | FieldType::Pid32 => (int(rng) as u32).to_le_bytes().to_vec(),
        FieldType::Charbuf | FieldType::Fspath | FieldType::Fsrelpath => {
            let parts = [
                "/",
                "etc",
                "..",
                ".",
                "tmp",
                "x",
                "",
                "<NA>",
                "{\"container\":{\"id\":\"abc\"}}",
            ];
            let mut s = String::new();
            for _ in 0..rng.below(6) {
                s.push_str(parts[rng.below(parts.len() as u64) as usize]);
                if rng.below(2) == 0 {
                    s.push('/');
                }
            }
            let mut v = s.into_bytes();
            v.push(0);
            v
        }
        FieldType::SockAddr | FieldType::SockTuple => {
            let family = [0u8, 1, 2, 10, 16][rng.below(5) as usize];
            let len = match (ty, family) {
                (FieldType::SockAddr, 2) => 6,
                (FieldType::SockAddr, 10) => 18,
                (FieldType::SockTuple, 2) => 12,
                (FieldType::SockTuple, 10) => 36,
                _ => 16 + rng.below(10) as usize,
            };
            let mut v = vec![family];
            v.extend((0..len).map(|_| if rng.below(3) == 0 { 0 } else { rng.next() as u8 }));
            v
        }
        FieldType::FdList => {
            let n = rng.below(4) as u16;
            let mut v = n.to_le_bytes().to_vec();
            for _ in 0..n {
                v.extend_from_slice(&int(rng).to_le_bytes());
                v.extend_from_slice(&(rng.next() as u16).to_le_bytes());
            }
            v
        }
        FieldType::Bytebuf | FieldType::CharbufArray | FieldType::CharbufPairArray => {
            let mut v = Vec::new();
            for _ in 0..rng.below(5) {
                v.extend(b"arg=/a/b");
                v.push(0);
            }
            v
        }
        FieldType::Ipv4Addr => (rng.next() as u32).to_le_bytes().to_vec(),
        FieldType::Ipv6Addr => (0..16).map(|_| rng.next() as u8).collect(),
        FieldType::Dyn => vec![rng.below(4) as u8, 1, 2, 3, 4],
        FieldType::Double => (rng.next() as f64).to_le_bytes().to_vec(),
        _ => int(rng).to_le_bytes().to_vec(),
    }
}

/// A random event record: a (usually known) code, a tid from a small set
/// and typed random parameters (sometimes too few, too many or malformed).
fn event(rng: &mut Rng, ts: u64) -> Vec<u8> {
    let code = match rng.below(10) {
        0 => rng.below(470) as u16,
        _ => INTERESTING[rng.below(INTERESTING.len() as u64) as usize],
    };
    let tid = match rng.below(6) {
        0 => rng.next(),
        1 => u64::MAX,
        _ => 100 + rng.below(8),
    };
    let mut params: Vec<Vec<u8>> = match event_def(code) {
        Some(def) => def.params.iter().map(|p| param(rng, p.ty)).collect(),
        None => (0..rng.below(4))
            .map(|_| vec![rng.next() as u8; rng.below(9) as usize])
            .collect(),
    };
    match rng.below(6) {
        0 => params.truncate(rng.below(params.len() as u64 + 1) as usize),
        1 => params.push(vec![1, 2, 3]),
        _ => {}
    }
    let refs: Vec<&[u8]> = params.iter().map(Vec::as_slice).collect();
    encode_record(ts, tid, code, &refs).expect("small parameters")
}

fn run(seed: u64, n: usize, specs: &[FieldSpec], tracker: &mut Tracker) {
    let mut rng = Rng(seed | 1);
    for i in 0..n {
        let raw = event(&mut rng, 1_000 + i as u64 * 10);
        let (mut ev, _) = parse_record(&raw, true).expect("encoded records parse");
        ev.num = i as u64 + 1;
        tracker.on_event(&ev, |ctx: &FieldCtx<'_>| {
            for s in specs {
                let _ = ctx.value(s);
            }
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_streams_do_not_panic(seed in any::<u64>(), n in 1usize..200) {
        let specs = all_specs();
        prop_assert!(specs.len() > 250);
        let mut t = Tracker::new();
        run(seed, n, &specs, &mut t);
        prop_assert!(t.threads() <= MAX_THREADS);
        prop_assert!(t.pending_enters() <= MAX_PENDING);
    }
}

#[test]
fn long_random_stream_stays_bounded() {
    let mut t = Tracker::new();
    let specs: Vec<FieldSpec> = all_specs().into_iter().filter(|s| s.name.starts_with("fd.")).collect();
    run(0x5eed, 200_000, &specs, &mut t);
    assert!(t.threads() <= MAX_THREADS);
    assert!(t.pending_enters() <= MAX_PENDING);
    // With string attributes and tables capped, the state of a long random
    // stream stays small.
    assert!(t.heap_bytes() < 256 << 20, "{} bytes", t.heap_bytes());
    println!(
        "threads {}, fds {}, heap {} bytes, {:?}",
        t.threads(),
        t.fds(),
        t.heap_bytes(),
        t.stats()
    );
}
