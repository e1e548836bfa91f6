//! Reads the six real captures and checks concrete decoded values: header
//! versions, metadata lists, event counts and the parameters of known events.

mod common;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use common::{CAPTURES, Capture, capture, read_file};
use falcorc_compiler::sema::catalog::events::Dir;
use falcorc_runtime::event::{OwnedEvent, Param, SockAddr, SockTuple};
use falcorc_runtime::scap::{FdDetails, FdType, ScapReader};

fn load(name: &str) -> Option<Capture> {
    capture(name).map(|p| read_file(&p))
}

/// Decodes parameter `name` of an owned event through a borrowed view.
fn with_event<T>(ev: &OwnedEvent, f: impl FnOnce(&falcorc_runtime::event::Event<'_>) -> T) -> T {
    let record = ev.to_record().unwrap();
    let (mut view, _) = falcorc_runtime::event::parse_record(&record, true).unwrap();
    view.num = ev.num;
    view.cpu = ev.cpu;
    f(&view)
}

fn str_param(ev: &OwnedEvent, name: &str) -> Option<String> {
    with_event(ev, |e| {
        e.param_by_name(name).and_then(|p| p.as_str().map(str::to_string))
    })
}

fn list_param(ev: &OwnedEvent, name: &str) -> Vec<String> {
    with_event(ev, |e| {
        e.param_by_name(name)
            .and_then(|p| p.as_str_list())
            .unwrap()
            .to_strings()
    })
}

fn param(ev: &OwnedEvent, name: &str) -> Option<String> {
    with_event(ev, |e| e.param_by_name(name).map(|p| format!("{p:?}")))
}

fn count_by_code(c: &Capture) -> BTreeMap<u16, usize> {
    let mut m = BTreeMap::new();
    for e in &c.events {
        *m.entry(e.code).or_default() += 1;
    }
    m
}

#[test]
fn every_parameter_of_every_capture_decodes() {
    for name in CAPTURES {
        let Some(path) = capture(name) else { continue };
        let mut r = ScapReader::open(&path).unwrap();
        let mut n = 0u64;
        while let Some(ev) = r.next_event().unwrap() {
            n += 1;
            assert_eq!(ev.num, n, "{name}: events are numbered from 1 without gaps");
            let def = ev.event_def().expect("reader only returns events of the table");
            assert!(
                ev.nparams() <= def.params.len(),
                "{name} #{}: more params than the table",
                ev.num
            );
            let total: usize = ev.params_raw().map(<[u8]>::len).sum();
            assert_eq!(total, ev.data_len());
            for i in 0..ev.nparams() {
                let p = ev.param(i).unwrap();
                assert!(
                    !matches!(p, Param::Malformed(_)),
                    "{name} #{} {} param {i} ({}) is malformed: {p:?}",
                    ev.num,
                    ev.name(),
                    def.params[i].name
                );
            }
        }
        assert_eq!(r.skipped_events(), 0, "{name}");
    }
}

#[test]
fn cat_write() {
    let Some(c) = load("falco_cat_write.scap") else { return };
    assert_eq!((c.header.major, c.header.minor, c.header.section_length), (1, 0, -1));
    assert!(c.compressed);
    let m = c.machine.as_ref().unwrap();
    assert_eq!(
        (m.hostname.as_str(), m.num_cpus, m.memory_size_bytes),
        ("ubuntu", 2, 10_485_940_224)
    );

    // Metadata: a PL_V6 snapshot of 73 processes.
    assert_eq!(c.threads.len(), 73);
    let bash = c.threads.iter().find(|t| t.tid == 11310).unwrap();
    assert_eq!((bash.pid, bash.ptid, bash.sid), (11310, 1077, 11310));
    assert_eq!((bash.comm.as_str(), bash.exe.as_str()), ("bash", "/bin/bash"));
    assert_eq!(bash.args, ["--noediting", "-i"]);
    assert_eq!(bash.uid, 1000);
    assert_eq!(bash.exepath, "", "PL_V6 has no exepath");
    assert_eq!(bash.vpgid, -1, "PL_V6 has no vpgid");
    let init = &c.threads[0];
    assert_eq!(
        (init.tid, init.comm.as_str(), init.vmsize_kb, init.vmrss_kb),
        (1, "systemd", 37488, 5540)
    );
    assert_eq!(init.env[0], "HOME=/");
    assert_eq!(init.cgroups[0], "freezer=/");
    assert_eq!(c.fds.len(), 384);
    assert_eq!(
        c.fds[0],
        (
            1,
            falcorc_runtime::scap::FdInfo {
                fd: 0,
                ino: 6,
                details: FdDetails::Named {
                    fd_type: FdType::File,
                    name: "/dev/null".into()
                }
            }
        )
    );
    assert_eq!((c.users.len(), c.groups.len()), (32, 61));
    assert_eq!(
        (
            c.users[0].name.as_str(),
            c.users[0].homedir.as_str(),
            c.users[0].shell.as_str()
        ),
        ("root", "/root", "/bin/bash")
    );
    assert_eq!(c.interfaces.v4.len(), 3);
    assert_eq!(c.interfaces.v4[1].name, "enp0s3");
    assert_eq!(c.interfaces.v4[1].addr, Ipv4Addr::new(10, 0, 2, 15));
    assert_eq!(c.interfaces.v4[1].netmask, Ipv4Addr::new(255, 255, 255, 0));
    assert_eq!(
        c.interfaces.v6[1].addr,
        "fe80::a00:27ff:fe61:6071".parse::<Ipv6Addr>().unwrap()
    );

    // Events.
    assert_eq!(c.events.len(), 345);
    let counts = count_by_code(&c);
    assert_eq!(counts[&234], 260, "procinfo");
    assert_eq!(counts[&231], 1, "execve exit, old version 16");
    assert_eq!(c.events[0].ts, 1_470_327_475_999_999_999);

    let execve = c.events.iter().find(|e| e.code == 231).unwrap();
    assert_eq!((execve.num, execve.tid), (131, 20072));
    with_event(execve, |e| {
        assert_eq!((e.name(), e.dir(), e.nparams()), ("execve", Dir::Exit, 16));
        assert_eq!(e.param_by_name("res"), Some(Param::Errno(0)));
        assert_eq!(e.param_by_name("tid"), Some(Param::Pid(20072)));
        assert_eq!(e.param_by_name("pid"), Some(Param::Pid(20072)));
        assert_eq!(e.param_by_name("ptid"), Some(Param::Pid(11310)));
    });
    assert_eq!(str_param(execve, "exe").as_deref(), Some("cat"));
    assert_eq!(str_param(execve, "comm").as_deref(), Some("cat"));
    assert_eq!(list_param(execve, "args"), ["/dev/null"]);

    // Four opens as enter/exit pairs; the old enter has no parameters.
    let enters: Vec<_> = c.events.iter().filter(|e| e.code == 2).collect();
    assert_eq!(enters.len(), 4);
    assert!(enters.iter().all(|e| e.params.is_empty() && e.tid == 20072));
    let opens: Vec<_> = c.events.iter().filter(|e| e.code == 3).collect();
    let names: Vec<_> = opens.iter().map(|e| str_param(e, "name").unwrap()).collect();
    assert_eq!(
        names,
        [
            "/etc/ld.so.cache",
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/usr/lib/locale/locale-archive",
            "/dev/null"
        ]
    );
    for o in &opens {
        assert_eq!(o.params.len(), 4, "old open exit: fd, name, flags, mode");
        assert_eq!(param(o, "fd").as_deref(), Some("Fd(3)"));
        assert_eq!(param(o, "dev"), None, "not in the old layout");
    }
    assert_eq!(
        param(opens[0], "flags").as_deref(),
        Some("Flags32(4097)"),
        "O_RDONLY|O_CLOEXEC"
    );
    assert_eq!(param(opens[3], "flags").as_deref(), Some("Flags32(1)"));

    // Generic events: the syscall comes from the ID parameter.
    let generic: Vec<_> = c
        .events
        .iter()
        .filter(|e| e.code == 0)
        .map(|e| with_event(e, |v| v.type_name()))
        .collect();
    assert_eq!(
        generic,
        [
            "mprotect",
            "arch_prctl",
            "mprotect",
            "mprotect",
            "mprotect",
            "unknown",
            "exit_group"
        ]
    );

    let procexit = c.events.iter().find(|e| e.code == 186).unwrap();
    assert_eq!(procexit.tid, 20072);
    assert_eq!(param(procexit, "status").as_deref(), Some("Errno(0)"));
}

#[test]
fn open_multiple_files() {
    let Some(c) = load("falco_open-multiple-files.scap") else {
        return;
    };
    assert_eq!((c.header.major, c.header.minor), (1, 0));
    assert_eq!(c.threads.len(), 128);
    let py = c.threads.iter().find(|t| t.tid == 16569).unwrap();
    assert_eq!((py.comm.as_str(), py.ptid, py.uid), ("python", 2089, 501));
    assert_eq!(py.args, ["open.py"]);
    assert_eq!(c.events.len(), 1272);

    let files: Vec<String> = c
        .events
        .iter()
        .filter(|e| e.code == 3)
        .inspect(|e| assert_eq!(e.tid, 16569))
        .map(|e| str_param(e, "name").unwrap())
        .collect();
    let expected: Vec<String> = (1..=13).map(|i| format!("/tmp/file-{i}")).collect();
    assert_eq!(files, expected);

    // Each open is followed by an fstat of the new fd before the next open;
    // Python closes each file later (the close lags one open behind).
    let mine: Vec<&OwnedEvent> = c.events.iter().filter(|e| e.tid == 16569).collect();
    let mut checked = 0;
    for (i, open) in mine.iter().enumerate().filter(|(_, e)| e.code == 3) {
        let fd = param(open, "fd").unwrap();
        assert_eq!(param(open, "flags").as_deref(), Some("Flags32(1)"), "read-only");
        let until_next_open: Vec<_> = mine[i + 1..].iter().take_while(|e| e.code != 2).collect();
        let fstat = until_next_open.iter().find(|e| e.code == 70).expect("fstat after open");
        assert_eq!(param(fstat, "fd"), Some(fd.clone()));
        assert!(
            mine[i + 1..]
                .iter()
                .any(|e| e.code == 4 && param(e, "fd") == Some(fd.clone())),
            "{fd} is closed"
        );
        checked += 1;
    }
    assert_eq!(checked, 13);
    assert_eq!(mine.iter().filter(|e| e.code == 4).count(), 13);

    // Container meta events: ts 0, tid 0, a JSON parameter.
    let containers: Vec<_> = c.events.iter().filter(|e| e.code == 272).collect();
    assert_eq!(containers.len(), 3);
    assert!(containers.iter().all(|e| e.ts == 0 && e.tid == 0));
    let json: serde_json::Value = serde_json::from_str(&str_param(containers[0], "json").unwrap()).unwrap();
    assert_eq!(json["container"]["id"], "5ea733068030");
    assert_eq!(json["container"]["name"], "falco");
    assert_eq!(json["container"]["image"], "sysdig/falco:latest");
    with_event(containers[0], |e| {
        assert_eq!((e.name(), e.dir()), ("container", Dir::Enter))
    });
}

#[test]
fn syscall_generic_events_resolve_to_madvise() {
    let Some(c) = load("falco_syscall.scap") else { return };
    assert_eq!((c.header.major, c.header.minor), (1, 1));
    assert_eq!(c.threads.len(), 229);
    assert_eq!(c.events.len(), 368);
    // PL_V8 has vpgid and exepath.
    assert_eq!(c.threads[0].exepath, "/lib/systemd/systemd");
    assert_eq!(c.threads[0].vpgid, 1);
    // This file's fd list uses FILE_V2 entries.
    assert_eq!(
        c.fds[0].1.details,
        FdDetails::File {
            open_flags: 3,
            name: "/dev/null".into(),
            dev: 0
        }
    );

    let generic: Vec<_> = c.events.iter().filter(|e| e.code <= 1).collect();
    assert_eq!(generic.len(), 4);
    for g in &generic {
        assert_eq!(g.tid, 16518);
        with_event(g, |e| {
            assert_eq!(e.syscall_id(), Some(139));
            assert_eq!(e.syscall_name(), Some("madvise"));
            assert_eq!(e.type_name(), "madvise");
            assert_eq!(e.name(), "syscall");
        });
    }
    let exits: Vec<_> = generic.iter().filter(|e| e.code == 1).collect();
    assert_eq!(exits.len(), 2, "Falco's detect_madvise fires on these two exits");
    assert_eq!(
        param(generic[0], "nativeID").as_deref(),
        Some("Uint16(28)"),
        "x86_64 madvise"
    );

    let names: Vec<_> = c
        .events
        .iter()
        .filter(|e| e.code == 3)
        .map(|e| str_param(e, "name").unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "/etc/ld.so.cache",
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/dev/null",
            "/dev/null"
        ]
    );
}

#[test]
fn ping_sendto() {
    let Some(c) = load("falco_ping_sendto.scap") else {
        return;
    };
    assert_eq!((c.header.major, c.header.minor), (1, 2));
    assert_eq!(c.events.len(), 1526);
    let counts = count_by_code(&c);
    assert_eq!((counts[&48], counts[&49], counts[&234]), (10, 10, 1506));

    // PL_V9 written before libs 0.10: loginuid follows root directly.
    assert_eq!(c.threads.len(), 136);
    let init = &c.threads[0];
    assert_eq!(
        (init.comm.as_str(), init.exepath.as_str(), init.loginuid),
        ("systemd", "/lib/systemd/systemd", u32::MAX)
    );
    let bash = c.threads.iter().find(|t| t.tid == 2013).unwrap();
    assert_eq!(
        (bash.exe.as_str(), bash.loginuid, bash.uid, bash.gid),
        ("-bash", 501, 501, 20)
    );
    assert_eq!((bash.pidns_init_start_ts, bash.tty), (0, 0));
    // FDL_V2 with an IPv4 connection.
    let ssh = c.fds.iter().find(|(tid, f)| *tid == 2012 && f.fd == 3).unwrap();
    assert_eq!(
        ssh.1.details,
        FdDetails::Ipv4Socket {
            sip: Ipv4Addr::new(10, 0, 2, 15),
            dip: Ipv4Addr::new(10, 0, 2, 2),
            sport: 22,
            dport: 49262,
            l4proto: 2
        }
    );

    let exits: Vec<_> = c.events.iter().filter(|e| e.code == 49).collect();
    assert_eq!((exits[0].num, exits[0].cpu), (138, 3));
    for x in &exits {
        assert_eq!(x.tid, 738);
        assert_eq!(param(x, "res").as_deref(), Some("Errno(64)"));
        let data = with_event(x, |e| e.param_by_name("data").unwrap().as_bytes().unwrap().to_vec());
        assert_eq!(data.len(), 64);
        assert_eq!(&data[..2], &[8, 0], "ICMP echo request");
    }
    let enter = c.events.iter().find(|e| e.code == 48).unwrap();
    assert_eq!(param(enter, "fd").as_deref(), Some("Fd(3)"));
    assert_eq!(param(enter, "size").as_deref(), Some("Uint32(64)"));
    with_event(enter, |e| {
        assert_eq!(
            e.param_by_name("tuple"),
            Some(Param::SockTuple(SockTuple::V4 {
                src: SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 1),
                dst: SocketAddrV4::new(Ipv4Addr::new(128, 32, 41, 1), 0),
            }))
        )
    });
}

#[test]
fn curl_google_ipv6() {
    let Some(c) = load("libs_curl_google.scap") else { return };
    assert_eq!((c.header.major, c.header.minor), (1, 0));
    assert_eq!(c.events.len(), 1536);
    assert_eq!(c.threads.len(), 54);
    assert_eq!(c.threads[0].sid, -1, "PL_V5 has no sid");
    assert_eq!(c.machine.as_ref().unwrap().hostname, "ip-10-0-0-79");
    let local: Ipv6Addr = "2600:1f18:262c:6542:9aa6:df7a:9a47:d29e".parse().unwrap();
    let dns: Ipv6Addr = "2001:4860:4860::8888".parse().unwrap();
    assert!(c.interfaces.v6.iter().any(|i| i.name == "eth0" && i.addr == local));

    let connects: Vec<_> = c.events.iter().filter(|e| e.code == 23).collect();
    assert_eq!(connects.len(), 4);
    // The DNS connection of the resolver thread.
    let dns_connect = connects
        .iter()
        .find(|e| e.tid == 17498 && param(e, "res").as_deref() == Some("Errno(0)"))
        .unwrap();
    with_event(dns_connect, |e| {
        assert_eq!(
            e.param_by_name("tuple"),
            Some(Param::SockTuple(SockTuple::V6 {
                src: SocketAddrV6::new(local, 40251, 0, 0),
                dst: SocketAddrV6::new(dns, 53, 0, 0),
            }))
        );
    });
    // The same bytes as a socket address: family + destination address and port.
    let raw = with_event(dns_connect, |e| {
        e.param_by_name("tuple").map(|_| e.param_raw(1).unwrap().to_vec())
    })
    .unwrap();
    let mut sockaddr = vec![raw[0]];
    sockaddr.extend_from_slice(&raw[19..37]);
    assert_eq!(
        SockAddr::parse(&sockaddr),
        Some(SockAddr::V6(SocketAddrV6::new(dns, 53, 0, 0)))
    );

    // The answer comes back over recvfrom with the tuple reversed.
    let answer = c
        .events
        .iter()
        .find(|e| e.code == 35 && e.tid == 17498 && param(e, "res").as_deref() == Some("Errno(60)"))
        .unwrap();
    with_event(answer, |e| {
        assert_eq!(
            e.param_by_name("tuple"),
            Some(Param::SockTuple(SockTuple::V6 {
                src: SocketAddrV6::new(dns, 53, 0, 0),
                dst: SocketAddrV6::new(local, 40251, 0, 0),
            }))
        );
    });
    // The HTTP connection is non-blocking: EINPROGRESS.
    let http = connects.iter().find(|e| e.tid == 17497).unwrap();
    assert_eq!(param(http, "res").as_deref(), Some("Errno(-115)"));
    // A failed connect to nscd over a unix socket.
    let nscd = connects[0];
    with_event(nscd, |e| match e.param_by_name("tuple") {
        Some(Param::SockTuple(SockTuple::Unix { path, .. })) => assert_eq!(path, b"/var/run/nscd/socket"),
        other => panic!("unexpected tuple {other:?}"),
    });
    // The clone exit (old version 20) that created the resolver thread.
    let clone = c.events.iter().find(|e| e.code == 223 && e.tid == 17497).unwrap();
    assert_eq!(param(clone, "res").as_deref(), Some("Pid(17498)"));
    assert_eq!(list_param(clone, "args"), ["-6", "http://www.google.com"]);
    // IPv6 listening sockets in the fd list.
    assert!(c.fds.iter().any(|(tid, f)| *tid == 1397
        && f.details
            == FdDetails::Ipv6ServerSocket {
                ip: Ipv6Addr::UNSPECIFIED,
                port: 22,
                l4proto: 2
            }));
}

#[test]
fn sample_plain_file_with_users_and_groups() {
    let Some(c) = load("libs_sample.scap") else { return };
    assert!(!c.compressed, "libs_sample.scap is not gzipped");
    assert_eq!((c.header.major, c.header.minor), (1, 2));
    assert_eq!(c.events.len(), 572);
    let m = c.machine.as_ref().unwrap();
    assert_eq!(
        (m.hostname.as_str(), m.num_cpus, m.boot_ts_epoch),
        ("ubuntu2204.localdomain", 4, 1_690_556_576_768_000_000)
    );

    // Full PL_V9 tail (libs >= 0.10).
    let agetty = c.threads.iter().find(|t| t.comm == "agetty").unwrap();
    assert_eq!(agetty.tty, 1025);
    assert_eq!(agetty.pidns_init_start_ts, 1_690_556_576_768_000_000);
    assert!(agetty.exe_writable);
    assert_eq!(agetty.cap_effective, 0x1ff_ffff_ffff);
    assert_eq!(
        (agetty.exe_ino, agetty.exepath.as_str()),
        (1_455_774, "/usr/sbin/agetty")
    );
    assert_eq!(agetty.args, ["-o", "-p -- \\u", "--noclear", "tty1", "linux"]);
    assert!(c.fds.iter().any(|(_, f)| f.fd_type() == FdType::Unsupported));

    assert_eq!((c.users.len(), c.groups.len()), (34, 61));
    let counts = count_by_code(&c);
    assert_eq!((counts[&354], counts[&358]), (34, 61));
    // Every user-added / group-added meta event matches the user list block.
    for e in c.events.iter().filter(|e| e.code == 354) {
        assert_eq!(e.tid, u64::MAX);
        let uid: u32 = param(e, "uid")
            .unwrap()
            .trim_start_matches("Uint32(")
            .trim_end_matches(')')
            .parse()
            .unwrap();
        let user = c.users.iter().find(|u| u.uid == uid).unwrap();
        assert_eq!(str_param(e, "name").unwrap(), user.name);
        assert_eq!(str_param(e, "home").unwrap(), user.homedir);
        assert_eq!(str_param(e, "shell").unwrap(), user.shell);
    }
    for e in c.events.iter().filter(|e| e.code == 358) {
        let gid: u32 = param(e, "gid")
            .unwrap()
            .trim_start_matches("Uint32(")
            .trim_end_matches(')')
            .parse()
            .unwrap();
        let group = c.groups.iter().find(|g| g.gid == gid).unwrap();
        assert_eq!(str_param(e, "name").unwrap(), group.name);
    }
    let lxd = c.events.iter().find(|e| e.code == 354).unwrap();
    assert_eq!(str_param(lxd, "name").as_deref(), Some("lxd"));
    assert_eq!(param(lxd, "uid").as_deref(), Some("Uint32(999)"));
}
