//! The state of the machine at start-up, read from /proc and /etc: processes and their
//! threads, open fds (files, sockets, pipes...), users and groups, and machine facts.
//! It becomes a capture's metadata blocks, so the tracker is seeded exactly as a replay
//! of a recording of this session would seed it.
//!
//! Processes come and go while the scan runs: whatever cannot be read is skipped.

use crate::flags::open_flags_to_ppm;
use falcorc_runtime::raw_text::escape;
use falcorc_runtime::scap::{FdDetails, FdInfo, FdType, GroupInfo, MachineInfo, ThreadInfo, UserInfo};
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Everything the scan found.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub machine: MachineInfo,
    pub users: Vec<UserInfo>,
    pub groups: Vec<GroupInfo>,
    pub threads: Vec<ThreadInfo>,
    /// `(tid, fd)` of main threads (threads share their process's table).
    pub fds: Vec<(u64, FdInfo)>,
}

/// Scans `proc` (normally `/proc`) and `etc` (normally `/etc`).
pub fn scan(proc: &Path, etc: &Path) -> Snapshot {
    let sockets = Sockets::read(proc);
    let mut snap = Snapshot {
        machine: machine(proc),
        users: read(&etc.join("passwd")).map(|t| parse_passwd(&t)).unwrap_or_default(),
        groups: read(&etc.join("group")).map(|t| parse_group(&t)).unwrap_or_default(),
        ..Snapshot::default()
    };
    for pid in numeric_entries(proc) {
        let pdir = proc.join(pid.to_string());
        let Some(main) = thread_info(&pdir, pid, pid, None) else {
            continue;
        };
        for tid in numeric_entries(&pdir.join("task")) {
            if tid == pid {
                continue;
            }
            if let Some(t) = thread_info(&pdir.join("task").join(tid.to_string()), pid, tid, Some(&main)) {
                snap.threads.push(t);
            }
        }
        for fd in fds(&pdir, &sockets) {
            snap.fds.push((pid, fd));
        }
        snap.threads.push(main);
    }
    snap
}

/// What /proc knows of one thread: the thread, and its process's main thread and open fds
/// unless `process_known` (threads share their process's table).
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub threads: Vec<ThreadInfo>,
    pub fds: Vec<(u64, FdInfo)>,
}

/// Reads thread `tid` from `proc` as the start-up scan reads every thread. `sockets`: also
/// read the socket tables, which name the ends of socket fds (costly on a busy host).
pub fn scan_one(proc: &Path, tid: u64, process_known: impl Fn(u64) -> bool, sockets: bool) -> Option<Found> {
    let tgid = parse_status(&read(&proc.join(tid.to_string()).join("status"))?).tgid;
    if tgid == 0 {
        return None;
    }
    let pdir = proc.join(tgid.to_string());
    let main = thread_info(&pdir, tgid, tgid, None)?;
    let mut found = Found::default();
    if tid != tgid {
        let dir = pdir.join("task").join(tid.to_string());
        found.threads.push(thread_info(&dir, tgid, tid, Some(&main))?);
    }
    if !process_known(tgid) {
        let table = if sockets {
            Sockets::read(proc)
        } else {
            Sockets::default()
        };
        found.fds = fds(&pdir, &table).into_iter().map(|f| (tgid, f)).collect();
        found.threads.push(main);
    }
    Some(found)
}

fn read(p: &Path) -> Option<String> {
    std::fs::read(p).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn link(p: &Path) -> Option<String> {
    std::fs::read_link(p).ok().map(|l| l.to_string_lossy().into_owned())
}

fn numeric_entries(dir: &Path) -> Vec<u64> {
    let mut out: Vec<u64> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    out.sort_unstable();
    out
}

/// NUL-separated items (cmdline, environ), without the empty tail; bytes that are not UTF-8
/// kept as `raw_text` escapes, as a process's text is.
pub fn nul_list(b: &[u8]) -> Vec<String> {
    let b = b.strip_suffix(&[0]).unwrap_or(b);
    if b.is_empty() {
        return Vec::new();
    }
    b.split(|&c| c == 0).map(|s| escape(s).into_owned()).collect()
}

/// The fields of /proc/PID/status we use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// The thread group (process) id; 0 when absent.
    pub tgid: u64,
    pub ppid: u64,
    pub euid: u32,
    pub egid: u32,
    pub cap_inh: u64,
    pub cap_prm: u64,
    pub cap_eff: u64,
    pub vm_size: u32,
    pub vm_rss: u32,
    pub vm_swap: u32,
    /// Innermost pid-namespace ids (last NSpid column); -1 when absent.
    pub vtid: i64,
}

pub fn parse_status(text: &str) -> Status {
    let mut s = Status {
        vtid: -1,
        ..Status::default()
    };
    for line in text.lines() {
        let Some((key, val)) = line.split_once(':') else {
            continue;
        };
        let mut words = val.split_whitespace();
        let num = |w: Option<&str>| w.and_then(|w| w.parse::<u64>().ok()).unwrap_or(0);
        let hex = |w: Option<&str>| w.and_then(|w| u64::from_str_radix(w, 16).ok()).unwrap_or(0);
        match key {
            "Tgid" => s.tgid = num(words.next()),
            "PPid" => s.ppid = num(words.next()),
            "Uid" => s.euid = num(words.nth(1)) as u32,
            "Gid" => s.egid = num(words.nth(1)) as u32,
            "CapInh" => s.cap_inh = hex(words.next()),
            "CapPrm" => s.cap_prm = hex(words.next()),
            "CapEff" => s.cap_eff = hex(words.next()),
            "VmSize" => s.vm_size = num(words.next()) as u32,
            "VmRSS" => s.vm_rss = num(words.next()) as u32,
            "VmSwap" => s.vm_swap = num(words.next()) as u32,
            "NSpid" => s.vtid = words.last().and_then(|w| w.parse().ok()).unwrap_or(-1),
            _ => {}
        }
    }
    s
}

/// `(pgrp, session, tty_nr)` from /proc/PID/stat (the command name may hold spaces and
/// parentheses: fields are counted after its last `)`).
pub fn parse_stat(text: &str) -> Option<(i64, i64, u32)> {
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest: state ppid pgrp session tty_nr ...
    Some((
        f.get(2)?.parse().ok()?,
        f.get(3)?.parse().ok()?,
        f.get(4)?.parse().ok()?,
    ))
}

fn fdlimit(limits: &str) -> u64 {
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|w| w.parse().ok())
        .unwrap_or(0)
}

/// Cgroup v1 lines give `subsys=path` per controller; the v2 line `0::path` gives one
/// entry (what container detection reads is the path).
pub fn parse_cgroups(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, subsys, path) = (parts.next(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if subsys.is_empty() {
            out.push(format!("cpu={path}"));
        } else {
            out.extend(
                subsys
                    .split(',')
                    .map(|s| format!("{}={path}", s.trim_start_matches("name="))),
            );
        }
    }
    out
}

fn thread_info(dir: &Path, pid: u64, tid: u64, main: Option<&ThreadInfo>) -> Option<ThreadInfo> {
    let status = parse_status(&read(&dir.join("status"))?);
    let comm = std::fs::read(dir.join("comm")).ok()?;
    let comm = escape(comm.strip_suffix(b"\n").unwrap_or(&comm)).into_owned();
    let (pgid, sid, tty) = read(&dir.join("stat"))
        .and_then(|s| parse_stat(&s))
        .unwrap_or((-1, -1, 0));
    let mut t = ThreadInfo {
        tid,
        pid,
        ptid: status.ppid,
        sid,
        pgid,
        vpgid: pgid,
        comm,
        uid: status.euid,
        gid: status.egid,
        cap_inheritable: status.cap_inh,
        cap_permitted: status.cap_prm,
        cap_effective: status.cap_eff,
        vmsize_kb: status.vm_size,
        vmrss_kb: status.vm_rss,
        vmswap_kb: status.vm_swap,
        vtid: status.vtid,
        tty,
        loginuid: read(&dir.join("loginuid"))
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(u32::MAX),
        ..ThreadInfo::default()
    };
    if let Some(m) = main {
        // Threads share the process's image, cwd, environment and cgroups.
        t.exe = m.exe.clone();
        t.exepath = m.exepath.clone();
        t.args = m.args.clone();
        t.cwd = m.cwd.clone();
        t.fdlimit = m.fdlimit;
        t.cgroups = m.cgroups.clone();
        t.root = m.root.clone();
        t.vpid = m.vpid;
        return Some(t);
    }
    t.vpid = status.vtid;
    let cmdline = nul_list(&std::fs::read(dir.join("cmdline")).unwrap_or_default());
    let mut argv = cmdline.into_iter();
    // Kernel threads have no command line: libsinsp shows their comm.
    t.exe = argv.next().unwrap_or_else(|| t.comm.clone());
    t.args = argv.collect();
    t.exepath = std::fs::read_link(dir.join("exe"))
        .map(|l| escape(l.as_os_str().as_bytes()).into_owned())
        .unwrap_or_default();
    t.cwd = link(&dir.join("cwd")).map(|c| dir_with_slash(&c)).unwrap_or_default();
    t.root = link(&dir.join("root")).unwrap_or_default();
    t.env = nul_list(&std::fs::read(dir.join("environ")).unwrap_or_default());
    t.fdlimit = read(&dir.join("limits")).map_or(0, |l| fdlimit(&l));
    t.cgroups = read(&dir.join("cgroup")).map(|c| parse_cgroups(&c)).unwrap_or_default();
    Some(t)
}

fn dir_with_slash(d: &str) -> String {
    if d.ends_with('/') {
        d.to_string()
    } else {
        format!("{d}/")
    }
}

/// What `/proc/net/*` says about socket inodes.
#[derive(Default)]
struct Sockets {
    by_inode: HashMap<u64, FdDetails>,
}

impl Sockets {
    fn read(proc: &Path) -> Sockets {
        let mut s = Sockets::default();
        let net = proc.join("self/net");
        for (file, l4) in [
            ("tcp", 2u8),
            ("udp", 3),
            ("raw", 1),
            ("tcp6", 2),
            ("udp6", 3),
            ("raw6", 1),
        ] {
            if let Some(text) = read(&net.join(file)) {
                for (ino, d) in parse_inet_table(&text, l4) {
                    s.by_inode.insert(ino, d);
                }
            }
        }
        if let Some(text) = read(&net.join("unix")) {
            for (ino, d) in parse_unix_table(&text) {
                s.by_inode.insert(ino, d);
            }
        }
        s
    }
}

fn v4(hex: &str) -> Option<Ipv4Addr> {
    Some(Ipv4Addr::from(u32::from_str_radix(hex, 16).ok()?.to_le_bytes()))
}

fn v6(hex: &str) -> Option<Ipv6Addr> {
    if hex.len() != 32 {
        return None;
    }
    let mut b = [0u8; 16];
    for i in 0..4 {
        let w = u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok()?;
        b[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    Some(Ipv6Addr::from(b))
}

fn addr_port(s: &str) -> Option<(&str, u16)> {
    let (a, p) = s.split_once(':')?;
    Some((a, u16::from_str_radix(p, 16).ok()?))
}

/// `/proc/net/{tcp,udp,raw}[6]` rows as socket details by inode. A row without a peer
/// (remote `0:0`) is a server socket.
fn parse_inet_table(text: &str, l4proto: u8) -> Vec<(u64, FdDetails)> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(local), Some(remote), Some(ino)) = (f.get(1), f.get(2), f.get(9)) else {
            continue;
        };
        let (Some((la, lp)), Some((ra, rp)), Ok(ino)) = (addr_port(local), addr_port(remote), ino.parse::<u64>())
        else {
            continue;
        };
        let d = if la.len() == 8 {
            let (Some(l), Some(r)) = (v4(la), v4(ra)) else { continue };
            if r.is_unspecified() && rp == 0 {
                FdDetails::Ipv4ServerSocket {
                    ip: l,
                    port: lp,
                    l4proto,
                }
            } else {
                FdDetails::Ipv4Socket {
                    sip: l,
                    dip: r,
                    sport: lp,
                    dport: rp,
                    l4proto,
                }
            }
        } else {
            let (Some(l), Some(r)) = (v6(la), v6(ra)) else { continue };
            if r.is_unspecified() && rp == 0 {
                FdDetails::Ipv6ServerSocket {
                    ip: l,
                    port: lp,
                    l4proto,
                }
            } else {
                FdDetails::Ipv6Socket {
                    sip: l,
                    dip: r,
                    sport: lp,
                    dport: rp,
                    l4proto,
                }
            }
        };
        out.push((ino, d));
    }
    out
}

/// `/proc/net/unix` rows: `Num RefCount Protocol Flags Type St Inode [Path]`.
fn parse_unix_table(text: &str) -> Vec<(u64, FdDetails)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let ino = f.get(6)?.parse().ok()?;
            let source = u64::from_str_radix(f.first()?.trim_end_matches(':'), 16).unwrap_or(0);
            let name = f.get(7).map_or_else(String::new, |s| s.to_string());
            Some((ino, FdDetails::UnixSocket { source, dest: 0, name }))
        })
        .collect()
}

/// The open fds of process directory `pdir`.
fn fds(pdir: &Path, sockets: &Sockets) -> Vec<FdInfo> {
    let fd_dir = pdir.join("fd");
    let mut out = Vec::new();
    for fd in numeric_entries(&fd_dir) {
        let Some(target) = link(&fd_dir.join(fd.to_string())) else {
            continue;
        };
        let info = read(&pdir.join("fdinfo").join(fd.to_string())).unwrap_or_default();
        let flags = fdinfo_field(&info, "flags").and_then(|v| u64::from_str_radix(v, 8).ok());
        let ino = fdinfo_field(&info, "ino").and_then(|v| v.parse().ok()).unwrap_or(0);
        out.push(classify(fd as i64, &target, flags.unwrap_or(0), ino, sockets));
    }
    out
}

fn fdinfo_field<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    info.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}

fn bracketed(s: &str, prefix: &str) -> Option<u64> {
    s.strip_prefix(prefix)?
        .strip_prefix('[')?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// An fd from its /proc link target, kernel open flags and inode.
fn classify(fd: i64, target: &str, flags: u64, ino: u64, sockets: &Sockets) -> FdInfo {
    let named = |fd_type, name: &str| FdDetails::Named {
        fd_type,
        name: name.to_string(),
    };
    let (details, ino) = if let Some(sino) = bracketed(target, "socket:") {
        let d = sockets.by_inode.get(&sino).cloned().unwrap_or(FdDetails::Named {
            fd_type: FdType::Unsupported,
            name: target.to_string(),
        });
        (d, sino)
    } else if let Some(pino) = bracketed(target, "pipe:") {
        (named(FdType::Fifo, target), pino)
    } else if let Some(kind) = target.strip_prefix("anon_inode:") {
        let fd_type = match kind.trim_matches(|c| c == '[' || c == ']') {
            "eventpoll" => FdType::Eventpoll,
            "eventfd" => FdType::Event,
            "signalfd" => FdType::Signalfd,
            "timerfd" => FdType::Timerfd,
            "inotify" => FdType::Inotify,
            "pidfd" => FdType::Pidfd,
            "io_uring" => FdType::IoUring,
            "userfaultfd" => FdType::Userfaultfd,
            k if k.starts_with("bpf") => FdType::Bpf,
            _ => {
                return FdInfo {
                    fd,
                    ino,
                    details: FdDetails::Unknown,
                };
            }
        };
        (named(fd_type, target), ino)
    } else if target.starts_with("/memfd:") {
        (named(FdType::Memfd, target.trim_start_matches('/')), ino)
    } else if flags & 0o200000 != 0 {
        (named(FdType::Directory, target), ino)
    } else {
        let details = FdDetails::File {
            open_flags: open_flags_to_ppm(flags),
            name: target.to_string(),
            dev: 0,
        };
        (details, ino)
    };
    FdInfo { fd, ino, details }
}

pub fn parse_passwd(text: &str) -> Vec<UserInfo> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some(UserInfo {
                name: f.first()?.to_string(),
                uid: f.get(2)?.parse().ok()?,
                gid: f.get(3)?.parse().ok()?,
                homedir: f.get(5)?.to_string(),
                shell: f.get(6).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

pub fn parse_group(text: &str) -> Vec<GroupInfo> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some(GroupInfo {
                name: f.first()?.to_string(),
                gid: f.get(2)?.parse().ok()?,
            })
        })
        .collect()
}

fn machine(proc: &Path) -> MachineInfo {
    let meminfo = read(&proc.join("meminfo")).unwrap_or_default();
    let mem_kb: u64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    MachineInfo {
        num_cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
        memory_size_bytes: mem_kb * 1024,
        max_pid: read(&proc.join("sys/kernel/pid_max"))
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0),
        hostname: read(&proc.join("sys/kernel/hostname"))
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        boot_ts_epoch: crate::clock::boot_epoch_ns(),
        ..MachineInfo::default()
    }
}

/// `/proc` and `/etc` of this machine.
pub fn scan_host() -> Snapshot {
    scan(&PathBuf::from("/proc"), &PathBuf::from("/etc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields() {
        let s = parse_status(
            "Name:\tbash\nPPid:\t42\nUid:\t1000\t0\t0\t0\nGid:\t5\t6\t6\t6\nCapEff:\t000001ffffffffff\nVmRSS:\t  1234 kB\nNSpid:\t100\t7\n",
        );
        assert_eq!((s.ppid, s.euid, s.egid, s.vm_rss, s.vtid), (42, 0, 6, 1234, 7));
        assert_eq!(s.cap_eff, 0x1ff_ffff_ffff);
        assert_eq!(parse_status("garbage\n::\nUid:").euid, 0, "bad input gives defaults");
    }

    #[test]
    fn stat_counts_fields_after_the_last_parenthesis() {
        let t = "1234 (a b) c)) S 1 1234 1200 34816 1234 4194560";
        assert_eq!(parse_stat(t), Some((1234, 1200, 34816)));
        assert_eq!(parse_stat("no parens"), None);
        assert_eq!(parse_stat("1 (x) S"), None);
    }

    #[test]
    fn lists_and_tables() {
        assert_eq!(nul_list(b"cat\0/etc/shadow\0"), vec!["cat", "/etc/shadow"]);
        assert!(nul_list(b"").is_empty());
        let users = parse_passwd("root:x:0:0:root:/root:/bin/bash\nbroken\nbob:x:1000:1000::/home/bob:/bin/sh\n");
        assert_eq!(users.len(), 2);
        assert_eq!(
            (users[1].name.as_str(), users[1].uid, users[1].homedir.as_str()),
            ("bob", 1000, "/home/bob")
        );
        assert_eq!(parse_group("wheel:x:10:bob\n")[0].gid, 10);
        assert_eq!(
            parse_cgroups("0::/user.slice/session-1.scope\n"),
            vec!["cpu=/user.slice/session-1.scope"]
        );
        assert_eq!(
            parse_cgroups("4:cpu,cpuacct:/docker/abc\n"),
            vec!["cpu=/docker/abc", "cpuacct=/docker/abc"]
        );
    }

    #[test]
    fn inet_rows() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1\n   1: 0100007F:B858 0100007F:0050 01 00000000:00000000 00:00000000 00000000     0        0 556 1\n";
        let rows = parse_inet_table(tcp, 2);
        assert_eq!(
            rows[0],
            (
                555,
                FdDetails::Ipv4ServerSocket {
                    ip: Ipv4Addr::LOCALHOST,
                    port: 22,
                    l4proto: 2
                }
            )
        );
        assert_eq!(
            rows[1].1,
            FdDetails::Ipv4Socket {
                sip: Ipv4Addr::LOCALHOST,
                dip: Ipv4Addr::LOCALHOST,
                sport: 47192,
                dport: 80,
                l4proto: 2
            }
        );
        assert_eq!(v6("00000000000000000000000001000000"), Some(Ipv6Addr::LOCALHOST));
        let unix = "Num       RefCount Protocol Flags    Type St Inode Path\nffff8881: 00000002 00000000 00010000 0001 01 777 /run/x.sock\n";
        assert_eq!(
            parse_unix_table(unix),
            vec![(
                777,
                FdDetails::UnixSocket {
                    source: 0xffff8881,
                    dest: 0,
                    name: "/run/x.sock".into()
                }
            )]
        );
    }

    #[test]
    fn fd_kinds() {
        let s = Sockets::default();
        let f = classify(3, "/etc/passwd", 0o2000000, 9, &s);
        assert_eq!(f.fd_type(), FdType::FileV2);
        assert_eq!(f.name(), Some("/etc/passwd"));
        assert_eq!(classify(4, "pipe:[123]", 0, 0, &s).ino, 123);
        assert_eq!(
            classify(5, "anon_inode:[eventpoll]", 0, 0, &s).fd_type(),
            FdType::Eventpoll
        );
        assert_eq!(classify(6, "/tmp", 0o200000, 0, &s).fd_type(), FdType::Directory);
        assert_eq!(classify(7, "socket:[99]", 0, 0, &s).fd_type(), FdType::Unsupported);
        assert_eq!(
            classify(8, "anon_inode:[something]", 0, 0, &s).details,
            FdDetails::Unknown
        );
    }

    #[test]
    fn scanning_this_machine_finds_this_process() {
        let snap = scan_host();
        let me = std::process::id() as u64;
        let t = snap.threads.iter().find(|t| t.tid == me).expect("this process");
        assert_eq!(t.pid, me);
        assert!(!t.exepath.is_empty());
        assert!(snap.fds.iter().any(|(tid, _)| *tid == me));
        assert!(snap.users.iter().any(|u| u.uid == 0));
    }
}
