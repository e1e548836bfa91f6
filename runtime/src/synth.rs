//! A synthetic but realistic workload written as a capture: many processes opening,
//! reading, writing and closing files, some network traffic, and a clone + execve every
//! few hundred events. Used by the replay benchmark (large captures cannot be
//! committed) and by tests that need volume.

use crate::scap::{ScapWriter, ThreadInfo};
use falcorc_compiler::sema::catalog::FieldType;
use falcorc_compiler::sema::catalog::events::{Dir, EVENTS};
use std::io::{self, Write};

/// Small deterministic generator (xorshift), so captures are reproducible.
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

/// Bytes of a parameter left at its zero value: fixed-size types are zeros, strings an
/// empty C string, everything else empty.
fn width(ty: FieldType) -> usize {
    crate::event::fixed_width(ty).unwrap_or(usize::from(matches!(
        ty,
        FieldType::Charbuf | FieldType::Fspath | FieldType::Fsrelpath
    )))
}

/// The current exit event `name` with the given parameters (others zero or empty).
fn exit_event(name: &str, given: &[(&str, Vec<u8>)]) -> (u16, Vec<Vec<u8>>) {
    let Some(def) = EVENTS.iter().find(|e| e.name == name && e.dir == Dir::Exit && !e.old) else {
        return (0, Vec::new());
    };
    let params = def
        .params
        .iter()
        .map(|p| {
            given
                .iter()
                .find(|(n, _)| *n == p.name)
                .map_or_else(|| vec![0; width(p.ty)], |(_, v)| v.clone())
        })
        .collect();
    (def.code, params)
}

fn i64b(v: i64) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

fn u32b(v: u32) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

fn strb(s: &str) -> Vec<u8> {
    let mut b = s.as_bytes().to_vec();
    b.push(0);
    b
}

const PROGRAMS: &[(&str, &str)] = &[
    ("nginx", "/usr/sbin/nginx"),
    ("python3", "/usr/bin/python3"),
    ("java", "/usr/lib/jvm/bin/java"),
    ("postgres", "/usr/lib/postgresql/bin/postgres"),
    ("sshd", "/usr/sbin/sshd"),
    ("bash", "/usr/bin/bash"),
    ("node", "/usr/bin/node"),
    ("containerd", "/usr/bin/containerd"),
];

const FILES: &[&str] = &[
    "/etc/passwd",
    "/etc/hosts",
    "/var/log/app/access.log",
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/proc/self/status",
    "/tmp/cache/item",
    "/var/lib/postgresql/data/base/16384/2619",
    "/home/app/config.yaml",
    "/etc/shadow",
    "/srv/www/index.html",
];

/// Write a capture of about `n` events to `out` (gzipped when `gzip`).
pub fn workload<W: Write>(out: W, n: u64, gzip: bool) -> io::Result<W> {
    let mut w = if gzip {
        ScapWriter::new_gzip(out)?
    } else {
        ScapWriter::new(out)?
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let threads: Vec<ThreadInfo> = (0..64u64)
        .map(|i| {
            let (comm, exe) = PROGRAMS[(i as usize) % PROGRAMS.len()];
            ThreadInfo {
                tid: 1000 + i,
                pid: 1000 + i,
                ptid: 1,
                comm: comm.into(),
                exe: exe.into(),
                exepath: exe.into(),
                args: vec!["--serve".into()],
                cwd: "/".into(),
                uid: (i % 3) as u32 * 1000,
                ..ThreadInfo::default()
            }
        })
        .collect();
    w.write_threads(&threads)?;
    let mut ts = 1_700_000_000_000_000_000u64;
    let mut next_pid = 5000u64;
    let mut written = 0u64;
    while written < n {
        ts += 200 + rng.below(800);
        let t = &threads[rng.below(threads.len() as u64) as usize];
        let fd = 3 + rng.below(20) as i64;
        let roll = rng.below(1000);
        let (code, params) = if roll < 2 {
            // A child runs a new program: clone in the parent, then execve in the child.
            next_pid += 1;
            let (c, p) = exit_event(
                "clone",
                &[
                    ("res", i64b(next_pid as i64)),
                    ("exe", strb(&t.exe)),
                    ("tid", i64b(t.tid as i64)),
                    ("pid", i64b(t.pid as i64)),
                    ("ptid", i64b(1)),
                    ("cwd", strb("/")),
                    ("comm", strb(&t.comm)),
                ],
            );
            let params: Vec<&[u8]> = p.iter().map(Vec::as_slice).collect();
            w.write_event(ts, t.tid, c, 0, &params)?;
            written += 1;
            ts += 500;
            let (comm, exe) = PROGRAMS[rng.below(PROGRAMS.len() as u64) as usize];
            let args: Vec<u8> = b"-c\0true\0".to_vec();
            let pid = next_pid as i64;
            let (c, p) = exit_event(
                "execve",
                &[
                    ("res", i64b(0)),
                    ("exe", strb(exe)),
                    ("args", args),
                    ("tid", i64b(pid)),
                    ("pid", i64b(pid)),
                    ("ptid", i64b(t.pid as i64)),
                    ("cwd", strb("/")),
                    ("comm", strb(comm)),
                    ("loginuid", u32b(u32::MAX)),
                ],
            );
            let params: Vec<&[u8]> = p.iter().map(Vec::as_slice).collect();
            w.write_event(ts, next_pid, c, 0, &params)?;
            written += 1;
            continue;
        } else if roll < 300 {
            let file = FILES[rng.below(FILES.len() as u64) as usize];
            let flags = if rng.below(4) == 0 { 2u32 } else { 1u32 };
            exit_event(
                "openat",
                &[
                    ("fd", i64b(fd)),
                    ("dirfd", i64b(-100)),
                    ("name", strb(file)),
                    ("flags", u32b(flags)),
                ],
            )
        } else if roll < 500 {
            exit_event(
                "read",
                &[
                    ("res", i64b(512)),
                    ("data", b"some bytes".to_vec()),
                    ("fd", i64b(fd)),
                    ("size", u32b(512)),
                ],
            )
        } else if roll < 650 {
            exit_event(
                "write",
                &[
                    ("res", i64b(128)),
                    ("data", b"log line".to_vec()),
                    ("fd", i64b(fd)),
                    ("size", u32b(128)),
                ],
            )
        } else if roll < 800 {
            exit_event("close", &[("res", i64b(0)), ("fd", i64b(fd))])
        } else if roll < 900 {
            exit_event("fstat", &[("res", i64b(0)), ("fd", i64b(fd))])
        } else if roll < 950 {
            let mut tuple = vec![2u8, 10, 0, 0, 5];
            tuple.extend_from_slice(&(40000 + rng.below(20000) as u16).to_le_bytes());
            tuple.extend_from_slice(&[10, 0, 0, 9]);
            tuple.extend_from_slice(&443u16.to_le_bytes());
            exit_event("connect", &[("res", i64b(0)), ("tuple", tuple), ("fd", i64b(fd))])
        } else {
            exit_event(
                "stat",
                &[
                    ("res", i64b(0)),
                    ("path", strb(FILES[rng.below(FILES.len() as u64) as usize])),
                ],
            )
        };
        let params: Vec<&[u8]> = params.iter().map(Vec::as_slice).collect();
        w.write_event(ts, t.tid, code, 0, &params)?;
        written += 1;
    }
    w.finish()
}
