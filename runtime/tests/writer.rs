//! Writer round trips: hand-built metadata and events, every real capture
//! re-encoded in the current block versions, and metadata blocks placed
//! between events.

mod common;

use std::io::Cursor;
use std::net::{Ipv4Addr, Ipv6Addr};

use common::{CAPTURES, Capture, capture, read_capture, read_file};
use falcorc_runtime::event::{OwnedEvent, Param};
use falcorc_runtime::scap::{
    FdDetails, FdInfo, FdType, GroupInfo, Interfaces, Ipv4Interface, Ipv6Interface, MachineInfo, ScapReader,
    ScapWriter, ThreadInfo, UserInfo,
};

fn sample_threads() -> Vec<ThreadInfo> {
    let a = ThreadInfo {
        tid: 100,
        pid: 100,
        ptid: 1,
        sid: 100,
        vpgid: 100,
        pgid: 100,
        comm: "bash".into(),
        exe: "-bash".into(),
        exepath: "/usr/bin/bash".into(),
        args: vec!["-c".into(), String::new(), "echo hi".into()],
        cwd: "/home/u".into(),
        fdlimit: 1024,
        flags: 0x2000,
        uid: 1000,
        gid: 1000,
        vmsize_kb: 1,
        vmrss_kb: 2,
        vmswap_kb: 3,
        pfmajor: 4,
        pfminor: 5,
        env: vec!["HOME=/home/u".into(), "TERM=xterm".into()],
        vtid: 7,
        vpid: 7,
        cgroups: vec!["cpu=/user.slice".into(), "memory=/user.slice".into()],
        root: "/".into(),
        pidns_init_start_ts: 123_456_789,
        tty: 34816,
        loginuid: 1000,
        exe_writable: true,
        cap_inheritable: 1,
        cap_permitted: 2,
        cap_effective: 3,
        exe_upper_layer: true,
        exe_ino: 42,
        exe_ino_ctime: 43,
        exe_ino_mtime: 44,
        exe_from_memfd: true,
        exe_lower_layer: true,
    };
    let b = ThreadInfo {
        tid: 101,
        pid: 100,
        comm: "bash-thread".into(),
        args: vec![],
        ..a.clone()
    };
    let c = ThreadInfo {
        tid: 1,
        pid: 1,
        comm: "init".into(),
        ..ThreadInfo::default()
    };
    vec![a, b, c]
}

fn sample_fds() -> Vec<(u64, FdInfo)> {
    let fd = |fd, details| FdInfo {
        fd,
        ino: 1000 + fd as u64,
        details,
    };
    vec![
        (
            100,
            fd(
                0,
                FdDetails::File {
                    open_flags: 3,
                    name: "/dev/pts/0".into(),
                    dev: 0x88,
                },
            ),
        ),
        (
            100,
            fd(
                1,
                FdDetails::Named {
                    fd_type: FdType::Fifo,
                    name: "pipe:[1234]".into(),
                },
            ),
        ),
        (
            100,
            fd(
                2,
                FdDetails::Named {
                    fd_type: FdType::File,
                    name: "/var/log/x".into(),
                },
            ),
        ),
        (100, fd(3, FdDetails::Unknown)),
        (
            100,
            fd(
                4,
                FdDetails::Ipv4Socket {
                    sip: Ipv4Addr::new(10, 0, 0, 1),
                    dip: Ipv4Addr::new(1, 1, 1, 1),
                    sport: 40000,
                    dport: 443,
                    l4proto: 2,
                },
            ),
        ),
        (
            1,
            fd(
                5,
                FdDetails::Ipv6Socket {
                    sip: "fe80::1".parse().unwrap(),
                    dip: "2001:db8::2".parse().unwrap(),
                    sport: 1,
                    dport: 53,
                    l4proto: 3,
                },
            ),
        ),
        (
            1,
            fd(
                6,
                FdDetails::Ipv4ServerSocket {
                    ip: Ipv4Addr::UNSPECIFIED,
                    port: 22,
                    l4proto: 2,
                },
            ),
        ),
        (
            1,
            fd(
                7,
                FdDetails::Ipv6ServerSocket {
                    ip: Ipv6Addr::UNSPECIFIED,
                    port: 80,
                    l4proto: 2,
                },
            ),
        ),
        (
            1,
            fd(
                8,
                FdDetails::UnixSocket {
                    source: 0xffff_8800_0000_0001,
                    dest: 2,
                    name: "/run/x.sock".into(),
                },
            ),
        ),
        (
            1,
            fd(
                9,
                FdDetails::Named {
                    fd_type: FdType::Eventpoll,
                    name: String::new(),
                },
            ),
        ),
        (
            1,
            fd(
                10,
                FdDetails::Named {
                    fd_type: FdType::Memfd,
                    name: "memfd:x".into(),
                },
            ),
        ),
    ]
}

fn sample_metadata() -> (MachineInfo, Interfaces, Vec<UserInfo>, Vec<GroupInfo>) {
    let machine = MachineInfo {
        num_cpus: 8,
        memory_size_bytes: 16 << 30,
        max_pid: 4_194_304,
        hostname: "builder".into(),
        boot_ts_epoch: 1_700_000_000_000_000_000,
        flags: 1,
        reserved3: 0,
        reserved4: 0,
    };
    let interfaces = Interfaces {
        v4: vec![
            Ipv4Interface {
                name: "lo".into(),
                addr: Ipv4Addr::LOCALHOST,
                netmask: Ipv4Addr::new(255, 0, 0, 0),
                bcast: Ipv4Addr::LOCALHOST,
                linkspeed: Some(0),
            },
            Ipv4Interface {
                name: "eth0".into(),
                addr: Ipv4Addr::new(192, 168, 1, 5),
                netmask: Ipv4Addr::new(255, 255, 255, 0),
                bcast: Ipv4Addr::new(192, 168, 1, 255),
                linkspeed: None,
            },
        ],
        v6: vec![Ipv6Interface {
            name: "eth0".into(),
            addr: "2001:db8::5".parse().unwrap(),
            netmask: "ffff:ffff:ffff:ffff::".parse().unwrap(),
            bcast: Ipv6Addr::UNSPECIFIED,
            linkspeed: Some(10_000),
        }],
    };
    let users = vec![
        UserInfo {
            uid: 0,
            gid: 0,
            name: "root".into(),
            homedir: "/root".into(),
            shell: "/bin/bash".into(),
        },
        UserInfo {
            uid: 1000,
            gid: 1000,
            name: "u".into(),
            homedir: "/home/u".into(),
            shell: String::new(),
        },
    ];
    let groups = vec![
        GroupInfo {
            gid: 0,
            name: "root".into(),
        },
        GroupInfo {
            gid: 1000,
            name: "u".into(),
        },
    ];
    (machine, interfaces, users, groups)
}

fn sample_events() -> Vec<OwnedEvent> {
    let ev = |num, code, cpu, flags, params: Vec<Vec<u8>>| OwnedEvent {
        num,
        ts: 1_700_000_000_000_000_000 + num,
        tid: 100,
        code,
        cpu,
        flags,
        params,
    };
    // container JSON 2 (code 324) has u32 parameter lengths; 70 KiB needs a large block.
    let big_json = format!("{{\"container\":{{\"id\":\"{}\"}}}}\0", "a".repeat(70 * 1024));
    vec![
        ev(
            1,
            2,
            0,
            0,
            vec![
                b"/etc/passwd\0".to_vec(),
                1u32.to_le_bytes().to_vec(),
                0u32.to_le_bytes().to_vec(),
            ],
        ),
        ev(
            2,
            3,
            1,
            0,
            vec![
                3i64.to_le_bytes().to_vec(),
                b"/etc/passwd\0".to_vec(),
                1u32.to_le_bytes().to_vec(),
                0u32.to_le_bytes().to_vec(),
                2049u32.to_le_bytes().to_vec(),
                777u64.to_le_bytes().to_vec(),
            ],
        ),
        ev(
            3,
            1,
            1,
            0,
            vec![139u16.to_le_bytes().to_vec(), 28u16.to_le_bytes().to_vec()],
        ),
        ev(
            4,
            5,
            2,
            0x10,
            vec![0i64.to_le_bytes().to_vec(), 3i64.to_le_bytes().to_vec()],
        ),
        ev(5, 324, 0, 0, vec![big_json.into_bytes()]),
        ev(
            6,
            7,
            0,
            0,
            vec![
                0i64.to_le_bytes().to_vec(),
                Vec::new(),
                3i64.to_le_bytes().to_vec(),
                Vec::new(),
            ],
        ),
    ]
}

fn write_sample(gzip: bool) -> Vec<u8> {
    let (machine, interfaces, users, groups) = sample_metadata();
    let mut w = if gzip {
        ScapWriter::new_gzip(Vec::new())
    } else {
        ScapWriter::new(Vec::new())
    }
    .unwrap();
    w.write_machine_info(&machine).unwrap();
    w.write_interfaces(&interfaces).unwrap();
    w.write_users(&users, &groups).unwrap();
    w.write_threads(&sample_threads()).unwrap();
    w.write_fd_table(&sample_fds()).unwrap();
    for e in sample_events() {
        let params: Vec<&[u8]> = e.params.iter().map(Vec::as_slice).collect();
        if e.flags != 0 {
            w.write_event_with_flags(e.ts, e.tid, e.code, e.cpu, e.flags, &params)
                .unwrap();
        } else {
            w.write_event(e.ts, e.tid, e.code, e.cpu, &params).unwrap();
        }
    }
    w.finish().unwrap()
}

#[test]
fn hand_built_capture_round_trips() {
    for gzip in [false, true] {
        let bytes = write_sample(gzip);
        assert_eq!(bytes.starts_with(&[0x1f, 0x8b]), gzip);
        let c = read_capture(Cursor::new(&bytes)).unwrap();
        let (machine, interfaces, users, groups) = sample_metadata();
        assert_eq!(c.compressed, gzip);
        assert_eq!((c.header.major, c.header.minor, c.header.section_length), (1, 2, -1));
        assert_eq!(c.machine, Some(machine));
        assert_eq!(c.interfaces, interfaces);
        assert_eq!((c.users, c.groups), (users, groups));
        assert_eq!(c.threads, sample_threads());
        assert_eq!(c.fds, sample_fds());
        assert_eq!(c.events, sample_events());
    }
}

#[test]
fn written_blocks_use_current_versions() {
    let bytes = write_sample(false);
    let mut types = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let t = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        assert_eq!(len % 4, 0, "blocks are padded to 4 bytes");
        assert_eq!(
            u32::from_le_bytes(bytes[at + len - 4..at + len].try_into().unwrap()) as usize,
            len
        );
        types.push(t);
        at += len;
    }
    assert_eq!(
        types,
        [
            0x0A0D_0D0A,
            0x201,
            0x219,
            0x220,
            0x215,
            0x218,
            0x218,
            0x216,
            0x216,
            0x216,
            0x217,
            0x221,
            0x216
        ]
    );
    // The large-payload event is readable and keeps its u32 length.
    let mut r = ScapReader::new(Cursor::new(&bytes)).unwrap();
    let mut seen = false;
    while let Some(ev) = r.next_event().unwrap() {
        if ev.code == 324 {
            assert!(ev.has_wide_lengths());
            assert!(ev.param_by_name("json").unwrap().as_bytes().unwrap().len() > 70 * 1024);
            seen = true;
        }
        if ev.code == 1 {
            assert_eq!(ev.syscall_name(), Some("madvise"));
        }
        if ev.code == 7 {
            assert_eq!(ev.param_by_name("data"), Some(Param::Empty));
        }
    }
    assert!(seen);
}

#[test]
fn writer_rejects_what_it_cannot_encode() {
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    let huge = vec![0u8; 70_000];
    // Non-large-payload events have u16 parameter lengths.
    assert!(w.write_event(0, 1, 3, 0, &[&huge]).is_err());
    let bad = FdInfo {
        fd: 1,
        ino: 0,
        details: FdDetails::Named {
            fd_type: FdType::Ipv4Sock,
            name: "x".into(),
        },
    };
    assert!(w.write_fds(1, &[bad]).is_err());
    let long = UserInfo {
        name: "x".repeat(300),
        ..UserInfo::default()
    };
    assert!(w.write_users(&[long], &[]).is_err());
    // The writer is still usable after refusing.
    w.write_event(0, 1, 5, 0, &[&0i64.to_le_bytes()]).unwrap();
    let bytes = w.finish().unwrap();
    let c = read_capture(Cursor::new(&bytes)).unwrap();
    assert_eq!(c.events.len(), 1);
    assert!(c.users.is_empty() && c.fds.is_empty());
}

/// Re-encodes a capture with the writer.
fn rewrite(c: &Capture, gzip: bool) -> Vec<u8> {
    let mut w = if gzip {
        ScapWriter::new_gzip(Vec::new())
    } else {
        ScapWriter::new(Vec::new())
    }
    .unwrap();
    if let Some(m) = &c.machine {
        w.write_machine_info(m).unwrap();
    }
    w.write_interfaces(&c.interfaces).unwrap();
    w.write_users(&c.users, &c.groups).unwrap();
    w.write_threads(&c.threads).unwrap();
    w.write_fd_table(&c.fds).unwrap();
    for e in &c.events {
        let params: Vec<&[u8]> = e.params.iter().map(Vec::as_slice).collect();
        w.write_event(e.ts, e.tid, e.code, e.cpu, &params).unwrap();
    }
    w.finish().unwrap()
}

#[test]
fn real_captures_round_trip_through_the_writer() {
    for name in CAPTURES {
        let Some(path) = capture(name) else { continue };
        let original = read_file(&path);
        let copy = read_capture(Cursor::new(rewrite(&original, true))).unwrap();
        assert_eq!((copy.header.major, copy.header.minor), (1, 2), "{name}");
        assert_eq!(copy.machine, original.machine, "{name}");
        assert_eq!(copy.interfaces, original.interfaces, "{name}");
        assert_eq!(copy.users, original.users, "{name}");
        assert_eq!(copy.groups, original.groups, "{name}");
        assert_eq!(copy.threads, original.threads, "{name}");
        assert_eq!(copy.fds, original.fds, "{name}");
        assert_eq!(copy.events.len(), original.events.len(), "{name}");
        for (a, b) in copy.events.iter().zip(&original.events) {
            assert_eq!(a, b, "{name}: event {}", b.num);
        }
    }
}

#[test]
fn events_copied_from_a_reader() {
    let Some(path) = capture("falco_ping_sendto.scap") else {
        return;
    };
    let mut r = ScapReader::open(&path).unwrap();
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    let mut kept = Vec::new();
    while let Some(ev) = r.next_event().unwrap() {
        // Keep the sendmsg events only, as a filter would.
        if ev.name() == "sendmsg" {
            let mut flagged = ev;
            flagged.flags = 1;
            w.write(&flagged).unwrap();
            kept.push(ev.to_owned_event());
        }
    }
    let c = read_capture(Cursor::new(w.finish().unwrap())).unwrap();
    assert_eq!(c.events.len(), 20);
    for (i, (a, b)) in c.events.iter().zip(&kept).enumerate() {
        assert_eq!(a.num, i as u64 + 1, "renumbered");
        assert_eq!(a.flags, 1);
        assert_eq!(
            (a.ts, a.tid, a.code, a.cpu, &a.params),
            (b.ts, b.tid, b.code, b.cpu, &b.params)
        );
    }
}

#[test]
fn metadata_between_events_updates_the_lists() {
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    let threads = sample_threads();
    w.write_threads(&threads[..1]).unwrap();
    w.write_event(1, 100, 5, 0, &[&0i64.to_le_bytes(), &3i64.to_le_bytes()])
        .unwrap();
    // A later snapshot: a new thread, a changed one, fds and a user.
    let mut changed = threads[0].clone();
    changed.comm = "zsh".into();
    w.write_threads(&[threads[1].clone(), changed.clone()]).unwrap();
    w.write_fds(101, &[sample_fds()[0].1.clone()]).unwrap();
    w.write_users(
        &[UserInfo {
            uid: 7,
            name: "seven".into(),
            ..UserInfo::default()
        }],
        &[],
    )
    .unwrap();
    w.write_event(2, 101, 5, 0, &[&0i64.to_le_bytes(), &4i64.to_le_bytes()])
        .unwrap();
    let bytes = w.finish().unwrap();

    let mut r = ScapReader::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(r.threads().len(), 1);
    let before = r.metadata_blocks();
    assert_eq!(r.next_event().unwrap().unwrap().ts, 1);
    let second = r.next_event().unwrap().unwrap();
    assert_eq!((second.num, second.ts, second.tid), (2, 2, 101));
    assert_eq!(r.metadata_blocks(), before + 3);
    assert_eq!(r.threads().len(), 2);
    assert_eq!(r.threads()[0], changed, "same tid: replaced in place");
    assert_eq!(r.threads()[1], threads[1]);
    assert_eq!(r.fds().len(), 1);
    assert_eq!(r.users()[0].name, "seven");
    assert!(r.next_event().unwrap().is_none());
    assert!(r.next_event().unwrap().is_none());
}

#[test]
fn capture_without_events() {
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    w.write_threads(&sample_threads()).unwrap();
    let bytes = w.finish().unwrap();
    let mut r = ScapReader::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(r.threads().len(), 3);
    assert!(r.next_event().unwrap().is_none());
    assert_eq!(r.offset(), bytes.len() as u64);
}

#[test]
fn create_and_open_files() {
    let dir = std::env::temp_dir().join(format!("falcorc-writer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for gzip in [false, true] {
        let path = dir.join(format!("t{gzip}.scap"));
        let mut w = ScapWriter::create(&path, gzip).unwrap();
        w.write_event(5, 6, 5, 0, &[&0i64.to_le_bytes(), &1i64.to_le_bytes()])
            .unwrap();
        w.finish().unwrap();
        let c = read_file(&path);
        assert_eq!(c.compressed, gzip);
        assert_eq!(c.events.len(), 1);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
