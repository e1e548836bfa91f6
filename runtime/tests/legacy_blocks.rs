//! Hand-made streams with block codes the fixtures do not contain: legacy
//! numbering, EVF version 1, and event types beyond the table.

use std::io::Cursor;

use falcorc_runtime::event::{Param, encode_record};
use falcorc_runtime::scap::{ScapReader, blocks};

fn block(t: u32, body: &[u8]) -> Vec<u8> {
    let pad = (4 - body.len() % 4) % 4;
    let len = (body.len() + pad + 12) as u32;
    let mut b = Vec::new();
    b.extend_from_slice(&t.to_le_bytes());
    b.extend_from_slice(&len.to_le_bytes());
    b.extend_from_slice(body);
    b.extend(std::iter::repeat_n(0, pad));
    b.extend_from_slice(&len.to_le_bytes());
    b
}

fn shb(minor: u16) -> Vec<u8> {
    let mut body = blocks::BYTE_ORDER_MAGIC.to_le_bytes().to_vec();
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&minor.to_le_bytes());
    body.extend_from_slice(&(-1i64).to_le_bytes());
    // An option the reader must skip.
    body.extend_from_slice(&[1, 0, 4, 0, b'a', b'b', b'c', b'd']);
    block(blocks::SHB, &body)
}

/// A v1 record (no parameter count) built from a v2 one.
fn v1_record(ts: u64, tid: u64, code: u16, params: &[&[u8]]) -> Vec<u8> {
    let v2 = encode_record(ts, tid, code, params).unwrap();
    let mut v1 = v2[..22].to_vec();
    v1.extend_from_slice(&v2[26..]);
    let len = (v1.len() as u32).to_le_bytes();
    v1[16..20].copy_from_slice(&len);
    v1
}

#[test]
fn legacy_codes_and_evf_v1() {
    let mut bytes = shb(0);
    // Legacy machine info block.
    let mut mi = 2u32.to_le_bytes().to_vec();
    mi.extend_from_slice(&1024u64.to_le_bytes());
    mi.extend_from_slice(&32768u64.to_le_bytes());
    let mut host = [0u8; 128];
    host[..4].copy_from_slice(b"old1");
    mi.extend_from_slice(&host);
    mi.extend([0; 32]);
    bytes.extend(block(blocks::MI_LEGACY, &mi));
    // Legacy process list, version 1.
    let mut pl = Vec::new();
    for v in [5u64, 5, 1] {
        pl.extend_from_slice(&v.to_le_bytes());
    }
    for s in [&b"sh"[..], b"/bin/sh", b"-c\0x\0", b"/"] {
        pl.extend_from_slice(&(s.len() as u16).to_le_bytes());
        pl.extend_from_slice(s);
    }
    pl.extend_from_slice(&256u64.to_le_bytes());
    for v in [0u32, 0, 0] {
        pl.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend(block(blocks::PL_V1_LEGACY, &pl));
    // EVF v1: cpu, flags, then a v1 close exit.
    let mut evf = 1u16.to_le_bytes().to_vec();
    evf.extend_from_slice(&0x4u32.to_le_bytes());
    evf.extend(v1_record(10, 5, 5, &[&0i64.to_le_bytes(), &3i64.to_le_bytes()]));
    bytes.extend(block(blocks::EVF, &evf));
    // Legacy EV code with an old open exit.
    let mut ev = 0u16.to_le_bytes().to_vec();
    ev.extend(v1_record(
        11,
        5,
        3,
        &[&3i64.to_le_bytes(), b"/etc\0", &1u32.to_le_bytes(), &0u32.to_le_bytes()],
    ));
    bytes.extend(block(blocks::EV_LEGACY, &ev));
    // Types beyond the table are skipped, in both layouts.
    let mut future = 0u16.to_le_bytes().to_vec();
    future.extend(encode_record(12, 5, 999, &[b"x"]).unwrap());
    bytes.extend(block(blocks::EV_V2, &future));
    let mut future_v1 = 0u16.to_le_bytes().to_vec();
    future_v1.extend(v1_record(13, 5, 998, &[]));
    bytes.extend(block(blocks::EV, &future_v1));
    // A generic exit after them.
    let mut generic = 0u16.to_le_bytes().to_vec();
    generic.extend(encode_record(14, 5, 1, &[&139u16.to_le_bytes(), &28u16.to_le_bytes()]).unwrap());
    bytes.extend(block(blocks::EV_V2, &generic));

    let mut r = ScapReader::new(Cursor::new(&bytes)).unwrap();
    assert_eq!((r.header().major, r.header().minor), (1, 0));
    assert_eq!(r.machine().unwrap().hostname, "old1");
    assert_eq!(r.threads()[0].args, ["-c", "x"]);
    assert_eq!(r.threads()[0].cwd, "/");

    let e = r.next_event().unwrap().unwrap();
    assert_eq!((e.num, e.ts, e.cpu, e.flags, e.code, e.nparams()), (1, 10, 1, 4, 5, 2));
    assert_eq!(e.param_by_name("fd"), Some(Param::Fd(3)));
    let e = r.next_event().unwrap().unwrap();
    assert_eq!((e.num, e.ts, e.nparams()), (2, 11, 4));
    assert_eq!(e.param_by_name("name"), Some(Param::Str(b"/etc")));
    let e = r.next_event().unwrap().unwrap();
    assert_eq!((e.num, e.ts, e.type_name()), (3, 14, "madvise"));
    assert!(r.next_event().unwrap().is_none());
    assert_eq!(r.skipped_events(), 2);
    assert_eq!(r.offset(), bytes.len() as u64);
}
