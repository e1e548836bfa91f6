//! Decoding of the metadata blocks: section header, machine info, process
//! list (all nine versions), fd list, interface list and user list.
//!
//! Each function takes a [`Cursor`] over one block body (padding included)
//! and returns owned values. Entries of the newer block versions carry their
//! own length; fields beyond what this reader knows are skipped, and optional
//! trailing fields are read only when the entry has room for them, as libscap
//! does.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::blocks::BYTE_ORDER_MAGIC;
use super::cursor::{Cursor, text};
use super::error::{ScapError, ScapErrorKind};
use super::types::{
    FdDetails, FdInfo, FdType, GroupInfo, Interfaces, Ipv4Interface, Ipv6Interface, MachineInfo, SectionHeader,
    ThreadInfo, UserInfo,
};

/// Entries are read until fewer than this many bytes are left (the rest is padding).
const MIN_ENTRY: usize = 4;

pub(crate) fn section_header(c: &mut Cursor<'_>) -> Result<SectionHeader, ScapError> {
    let at = c.offset();
    let magic = c.u32("byte-order magic")?;
    if magic != BYTE_ORDER_MAGIC {
        let msg = if magic.swap_bytes() == BYTE_ORDER_MAGIC {
            "big-endian captures are not supported".to_string()
        } else {
            format!("bad byte-order magic {magic:#010x}")
        };
        return Err(ScapError::new(at, ScapErrorKind::NotACapture(msg)));
    }
    let major = c.u16("major version")?;
    let minor = c.u16("minor version")?;
    if major > 1 {
        return Err(ScapError::new(
            at + 4,
            ScapErrorKind::UnsupportedVersion { major, minor },
        ));
    }
    let section_length = c.i64("section length")?;
    // pcapng options may follow; nothing in them matters to us.
    Ok(SectionHeader {
        major,
        minor,
        section_length,
    })
}

pub(crate) fn machine_info(c: &mut Cursor<'_>) -> Result<MachineInfo, ScapError> {
    let num_cpus = c.u32("num_cpus")?;
    let memory_size_bytes = c.u64("memory size")?;
    let max_pid = c.u64("max pid")?;
    let hostname = text(c.bytes(128, "hostname")?);
    Ok(MachineInfo {
        num_cpus,
        memory_size_bytes,
        max_pid,
        hostname,
        boot_ts_epoch: c.opt_u64().unwrap_or(0),
        flags: c.opt_u64().unwrap_or(0),
        reserved3: c.opt_u64().unwrap_or(0),
        reserved4: c.opt_u64().unwrap_or(0),
    })
}

/// Process list block of version `version` (1..=9).
pub(crate) fn threads(c: &mut Cursor<'_>, version: u8) -> Result<Vec<ThreadInfo>, ScapError> {
    let mut out = Vec::new();
    while c.remaining() >= MIN_ENTRY {
        if version >= 9 {
            let len = entry_len(c, 4, "process entry")?;
            let mut e = c.sub(len - 4, "process entry")?;
            let mut t = thread_fields(&mut e, version)?;
            thread_tail(&mut e, &mut t);
            out.push(t);
        } else {
            out.push(thread_fields(c, version)?);
        }
    }
    Ok(out)
}

/// Reads a u32 entry length that counts `own` bytes of its own prefix.
fn entry_len(c: &mut Cursor<'_>, own: usize, what: &str) -> Result<usize, ScapError> {
    let at = c.clone();
    let len = c.u32(what)? as usize;
    if len < own {
        return Err(at.error(format!("{what} length {len} is smaller than its own header")));
    }
    if len - own > c.remaining() {
        return Err(at.error(format!(
            "{what} length {len} runs past the end of the block ({} bytes left)",
            c.remaining() + own
        )));
    }
    Ok(len)
}

/// The fields every version has, up to `root` (V5+).
fn thread_fields(c: &mut Cursor<'_>, v: u8) -> Result<ThreadInfo, ScapError> {
    let mut t = ThreadInfo {
        tid: c.u64("tid")?,
        pid: c.u64("pid")?,
        ptid: c.u64("ptid")?,
        ..ThreadInfo::default()
    };
    if v >= 6 {
        t.sid = c.i64("sid")?;
    }
    if v >= 8 {
        t.vpgid = c.i64("vpgid")?;
    }
    t.comm = c.proc_str16("comm")?;
    t.exe = c.proc_str16("exe")?;
    if v >= 7 {
        t.exepath = c.proc_str16("exepath")?;
    }
    t.args = c.proc_list16("args")?;
    t.cwd = c.str16("cwd")?;
    t.fdlimit = c.u64("fdlimit")?;
    t.flags = c.u32("flags")?;
    t.uid = c.u32("uid")?;
    t.gid = c.u32("gid")?;
    if v >= 2 {
        t.vmsize_kb = c.u32("vmsize")?;
        t.vmrss_kb = c.u32("vmrss")?;
        t.vmswap_kb = c.u32("vmswap")?;
        t.pfmajor = c.u64("pfmajor")?;
        t.pfminor = c.u64("pfminor")?;
    }
    if v >= 3 {
        t.env = c.proc_list16("env")?;
    }
    if v >= 4 {
        t.vtid = c.i64("vtid")?;
        t.vpid = c.i64("vpid")?;
        t.cgroups = c.list16("cgroups")?;
    }
    if v >= 5 {
        t.root = c.str16("root")?;
    }
    Ok(t)
}

/// Bytes that a V9 entry written before libs 0.10 can have after `root`
/// (loginuid, exe_writable and three capability sets): such writers did not
/// emit `pidns_init_start_ts` and `tty` first.
const PRE_0_10_TAIL: usize = 4 + 1 + 3 * 8;

/// Optional V9 fields after `root`, each read only if the entry has room.
fn thread_tail(c: &mut Cursor<'_>, t: &mut ThreadInfo) {
    if c.remaining() > PRE_0_10_TAIL {
        t.pidns_init_start_ts = c.opt_u64().unwrap_or(0);
        t.tty = c.opt_u32().unwrap_or(0);
    }
    t.loginuid = c.opt_u32().unwrap_or(u32::MAX);
    t.exe_writable = c.opt_u8().is_some_and(|b| b != 0);
    t.cap_inheritable = c.opt_u64().unwrap_or(0);
    t.cap_permitted = c.opt_u64().unwrap_or(0);
    t.cap_effective = c.opt_u64().unwrap_or(0);
    t.exe_upper_layer = c.opt_u8().is_some_and(|b| b != 0);
    t.exe_ino = c.opt_u64().unwrap_or(0);
    t.exe_ino_ctime = c.opt_u64().unwrap_or(0);
    t.exe_ino_mtime = c.opt_u64().unwrap_or(0);
    t.exe_from_memfd = c.opt_u8().is_some_and(|b| b != 0);
    t.exe_lower_layer = c.opt_u8().is_some_and(|b| b != 0);
    t.pgid = c.opt_u64().map_or(-1, |v| v as i64);
}

/// Fd list block: the owning thread id and its descriptors.
pub(crate) fn fds(c: &mut Cursor<'_>, v2: bool) -> Result<(u64, Vec<FdInfo>), ScapError> {
    let tid = c.u64("fd list thread id")?;
    let mut out = Vec::new();
    while c.remaining() >= MIN_ENTRY {
        if v2 {
            let len = entry_len(c, 4, "fd entry")?;
            let mut e = c.sub(len - 4, "fd entry")?;
            out.push(fd_entry(&mut e, true)?);
        } else {
            out.push(fd_entry(c, false)?);
        }
    }
    Ok((tid, out))
}

fn ipv4(c: &mut Cursor<'_>, what: &str) -> Result<Ipv4Addr, ScapError> {
    Ok(Ipv4Addr::from(c.array::<4>(what)?))
}

fn ipv6(c: &mut Cursor<'_>, what: &str) -> Result<Ipv6Addr, ScapError> {
    Ok(Ipv6Addr::from(c.array::<16>(what)?))
}

fn fd_entry(c: &mut Cursor<'_>, v2: bool) -> Result<FdInfo, ScapError> {
    let fd = c.i64("fd")?;
    let ino = c.u64("inode")?;
    let type_at = c.clone();
    let code = c.u8("fd type")?;
    let details = match FdType::from_code(code) {
        Some(FdType::Unknown) => FdDetails::Unknown,
        Some(FdType::Ipv4Sock) => FdDetails::Ipv4Socket {
            sip: ipv4(c, "source ip")?,
            dip: ipv4(c, "destination ip")?,
            sport: c.u16("source port")?,
            dport: c.u16("destination port")?,
            l4proto: c.u8("l4 protocol")?,
        },
        Some(FdType::Ipv6Sock) => FdDetails::Ipv6Socket {
            sip: ipv6(c, "source ip")?,
            dip: ipv6(c, "destination ip")?,
            sport: c.u16("source port")?,
            dport: c.u16("destination port")?,
            l4proto: c.u8("l4 protocol")?,
        },
        Some(FdType::Ipv4ServSock) => FdDetails::Ipv4ServerSocket {
            ip: ipv4(c, "ip")?,
            port: c.u16("port")?,
            l4proto: c.u8("l4 protocol")?,
        },
        Some(FdType::Ipv6ServSock) => FdDetails::Ipv6ServerSocket {
            ip: ipv6(c, "ip")?,
            port: c.u16("port")?,
            l4proto: c.u8("l4 protocol")?,
        },
        Some(FdType::UnixSock) => FdDetails::UnixSocket {
            source: c.u64("unix source")?,
            dest: c.u64("unix destination")?,
            name: c.str16("unix socket name")?,
        },
        Some(FdType::FileV2) => FdDetails::File {
            open_flags: c.u32("open flags")?,
            name: c.str16("file name")?,
            // Only FDL_V2 entries may carry the device; old ones end at the name.
            dev: if v2 { c.opt_u32().unwrap_or(0) } else { 0 },
        },
        Some(fd_type) => FdDetails::Named {
            fd_type,
            name: c.str16("fd name")?,
        },
        // With an entry length the payload can be skipped; without one it cannot.
        None if v2 => FdDetails::Named {
            fd_type: FdType::Unsupported,
            name: format!("unknown-type:[{code}]"),
        },
        None => return Err(type_at.error(format!("unknown fd type {code} in a version 1 fd list"))),
    };
    Ok(FdInfo { fd, ino, details })
}

/// Interface list block; appends to `out`.
pub(crate) fn interfaces(c: &mut Cursor<'_>, v2: bool, out: &mut Interfaces) -> Result<(), ScapError> {
    while c.remaining() >= MIN_ENTRY {
        if v2 {
            // The IL_V2 entry length does not count its own four bytes.
            let len = entry_len(c, 0, "interface entry")?;
            let mut e = c.sub(len, "interface entry")?;
            interface(&mut e, true, out)?;
        } else {
            interface(c, false, out)?;
        }
    }
    Ok(())
}

fn interface(c: &mut Cursor<'_>, v2: bool, out: &mut Interfaces) -> Result<(), ScapError> {
    let type_at = c.clone();
    let ty = c.u16("interface type")?;
    let namelen = usize::from(c.u16("interface name length")?);
    match ty {
        1 | 3 => {
            let addr = ipv4(c, "interface address")?;
            let netmask = ipv4(c, "interface netmask")?;
            let bcast = ipv4(c, "interface broadcast")?;
            let linkspeed = if ty == 1 { Some(c.u64("link speed")?) } else { None };
            let name = text(c.bytes(namelen, "interface name")?);
            out.v4.push(Ipv4Interface {
                name,
                addr,
                netmask,
                bcast,
                linkspeed,
            });
        }
        2 | 4 => {
            let addr = ipv6(c, "interface address")?;
            let netmask = ipv6(c, "interface netmask")?;
            let bcast = ipv6(c, "interface broadcast")?;
            let linkspeed = if ty == 2 { Some(c.u64("link speed")?) } else { None };
            let name = text(c.bytes(namelen, "interface name")?);
            out.v6.push(Ipv6Interface {
                name,
                addr,
                netmask,
                bcast,
                linkspeed,
            });
        }
        // A version 2 entry of an unknown type is skipped by its length.
        _ if v2 => {}
        _ => return Err(type_at.error(format!("unknown interface type {ty}"))),
    }
    Ok(())
}

/// User list block; appends to `users` and `groups`.
pub(crate) fn users(
    c: &mut Cursor<'_>,
    v2: bool,
    users: &mut Vec<UserInfo>,
    groups: &mut Vec<GroupInfo>,
) -> Result<(), ScapError> {
    while c.remaining() >= MIN_ENTRY {
        if v2 {
            let len = entry_len(c, 4, "user entry")?;
            let mut e = c.sub(len - 4, "user entry")?;
            user_entry(&mut e, true, users, groups)?;
        } else {
            user_entry(c, false, users, groups)?;
        }
    }
    Ok(())
}

fn user_entry(
    c: &mut Cursor<'_>,
    v2: bool,
    users: &mut Vec<UserInfo>,
    groups: &mut Vec<GroupInfo>,
) -> Result<(), ScapError> {
    let type_at = c.clone();
    match c.u8("user entry type")? {
        0 => users.push(UserInfo {
            uid: c.u32("uid")?,
            gid: c.u32("gid")?,
            name: c.str16("user name")?,
            homedir: c.str16("home directory")?,
            shell: c.str16("shell")?,
        }),
        1 => groups.push(GroupInfo {
            gid: c.u32("gid")?,
            name: c.str16("group name")?,
        }),
        _ if v2 => {}
        other => return Err(type_at.error(format!("unknown user entry type {other}"))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds one process entry of `version` the way that version's writer laid it out.
    fn entry(version: u8) -> Vec<u8> {
        let mut b = Vec::new();
        let s16 = |b: &mut Vec<u8>, s: &[u8]| {
            b.extend_from_slice(&(s.len() as u16).to_le_bytes());
            b.extend_from_slice(s);
        };
        b.extend_from_slice(&10u64.to_le_bytes()); // tid
        b.extend_from_slice(&11u64.to_le_bytes()); // pid
        b.extend_from_slice(&12u64.to_le_bytes()); // ptid
        if version >= 6 {
            b.extend_from_slice(&13i64.to_le_bytes()); // sid
        }
        if version >= 8 {
            b.extend_from_slice(&14i64.to_le_bytes()); // vpgid
        }
        s16(&mut b, b"comm");
        s16(&mut b, b"exe");
        if version >= 7 {
            s16(&mut b, b"/usr/bin/exe");
        }
        s16(&mut b, b"a\0b\0");
        s16(&mut b, b"/cwd");
        b.extend_from_slice(&1024u64.to_le_bytes());
        b.extend_from_slice(&5u32.to_le_bytes()); // flags
        b.extend_from_slice(&1000u32.to_le_bytes()); // uid
        b.extend_from_slice(&1001u32.to_le_bytes()); // gid
        if version >= 2 {
            for v in [20u32, 21, 22] {
                b.extend_from_slice(&v.to_le_bytes());
            }
            b.extend_from_slice(&23u64.to_le_bytes());
            b.extend_from_slice(&24u64.to_le_bytes());
        }
        if version >= 3 {
            s16(&mut b, b"K=V\0");
        }
        if version >= 4 {
            b.extend_from_slice(&30i64.to_le_bytes());
            b.extend_from_slice(&31i64.to_le_bytes());
            s16(&mut b, b"cpu=/x\0");
        }
        if version >= 5 {
            s16(&mut b, b"/root");
        }
        b
    }

    fn parse(version: u8, body: &[u8]) -> Vec<ThreadInfo> {
        threads(&mut Cursor::new(body, 0, "process list block"), version).unwrap()
    }

    #[test]
    fn every_process_list_version() {
        for version in 1..=8 {
            let mut body = entry(version);
            body.extend(entry(version));
            body.extend([0, 0, 0]); // padding
            let ts = parse(version, &body);
            assert_eq!(ts.len(), 2, "version {version}");
            let t = &ts[0];
            assert_eq!((t.tid, t.pid, t.ptid), (10, 11, 12));
            assert_eq!(
                (t.comm.as_str(), t.exe.as_str(), t.cwd.as_str()),
                ("comm", "exe", "/cwd")
            );
            assert_eq!(t.args, ["a", "b"]);
            assert_eq!((t.fdlimit, t.flags, t.uid, t.gid), (1024, 5, 1000, 1001));
            assert_eq!(t.sid, if version >= 6 { 13 } else { -1 }, "version {version}");
            assert_eq!(t.vpgid, if version >= 8 { 14 } else { -1 });
            assert_eq!(t.exepath, if version >= 7 { "/usr/bin/exe" } else { "" });
            assert_eq!(t.vmswap_kb, if version >= 2 { 22 } else { 0 });
            assert_eq!(t.pfminor, if version >= 2 { 24 } else { 0 });
            assert_eq!(t.env, if version >= 3 { vec!["K=V".to_string()] } else { vec![] });
            assert_eq!(t.vpid, if version >= 4 { 31 } else { -1 });
            assert_eq!(
                t.cgroups,
                if version >= 4 {
                    vec!["cpu=/x".to_string()]
                } else {
                    vec![]
                }
            );
            assert_eq!(t.root, if version >= 5 { "/root" } else { "" });
            assert_eq!((t.loginuid, t.pgid), (u32::MAX, -1));
        }
    }

    fn v9(tail: &[u8]) -> ThreadInfo {
        let mut e = entry(8);
        e.extend_from_slice(tail);
        let mut body = ((e.len() + 4) as u32).to_le_bytes().to_vec();
        body.extend(e);
        parse(9, &body).remove(0)
    }

    #[test]
    fn v9_tails() {
        // Written before libs 0.10: loginuid, exe_writable and capabilities only.
        let mut old = 77u32.to_le_bytes().to_vec();
        old.push(1);
        for cap in [1u64, 2, 3] {
            old.extend_from_slice(&cap.to_le_bytes());
        }
        let t = v9(&old);
        assert_eq!((t.loginuid, t.exe_writable, t.cap_effective, t.tty), (77, true, 3, 0));
        // Only a loginuid.
        assert_eq!(v9(&5u32.to_le_bytes()).loginuid, 5);
        // Nothing after root: defaults.
        assert_eq!(v9(&[]).loginuid, u32::MAX);
        // The full current tail, then bytes from a future version.
        let mut new = Vec::new();
        new.extend_from_slice(&99u64.to_le_bytes()); // pidns_init_start_ts
        new.extend_from_slice(&34816u32.to_le_bytes()); // tty
        new.extend_from_slice(&1000u32.to_le_bytes()); // loginuid
        new.push(0);
        for cap in [4u64, 5, 6] {
            new.extend_from_slice(&cap.to_le_bytes());
        }
        new.push(1); // upper layer
        for v in [7u64, 8, 9] {
            new.extend_from_slice(&v.to_le_bytes());
        }
        new.extend([1, 1]); // memfd, lower layer
        new.extend_from_slice(&42i64.to_le_bytes()); // pgid
        new.extend([0xEE; 9]); // unknown future fields
        let t = v9(&new);
        assert_eq!((t.pidns_init_start_ts, t.tty, t.loginuid), (99, 34816, 1000));
        assert_eq!((t.cap_inheritable, t.cap_permitted, t.cap_effective), (4, 5, 6));
        assert!(t.exe_upper_layer && t.exe_from_memfd && t.exe_lower_layer && !t.exe_writable);
        assert_eq!((t.exe_ino, t.exe_ino_ctime, t.exe_ino_mtime, t.pgid), (7, 8, 9, 42));
    }

    #[test]
    fn v9_entry_length_is_checked() {
        let mut body = 3u32.to_le_bytes().to_vec();
        body.extend([0; 8]);
        assert!(threads(&mut Cursor::new(&body, 0, "pl"), 9).is_err());
        let mut body = 500u32.to_le_bytes().to_vec();
        body.extend(entry(8));
        let e = threads(&mut Cursor::new(&body, 100, "pl"), 9).unwrap_err();
        assert_eq!(e.offset, 100);
    }

    #[test]
    fn fd_list_v1_and_v2() {
        // v1: tid, then a FILE entry and an IPv4 server socket.
        let mut body = 7u64.to_le_bytes().to_vec();
        body.extend_from_slice(&3i64.to_le_bytes());
        body.extend_from_slice(&9u64.to_le_bytes());
        body.push(1);
        body.extend_from_slice(&4u16.to_le_bytes());
        body.extend_from_slice(b"/tmp");
        body.extend_from_slice(&4i64.to_le_bytes());
        body.extend_from_slice(&10u64.to_le_bytes());
        body.push(5);
        body.extend_from_slice(&[127, 0, 0, 1]);
        body.extend_from_slice(&8080u16.to_le_bytes());
        body.push(2);
        let (tid, fds) = fds(&mut Cursor::new(&body, 0, "fdl"), false).unwrap();
        assert_eq!(tid, 7);
        assert_eq!(
            fds[0].details,
            FdDetails::Named {
                fd_type: FdType::File,
                name: "/tmp".into()
            }
        );
        assert_eq!(
            fds[1].details,
            FdDetails::Ipv4ServerSocket {
                ip: Ipv4Addr::LOCALHOST,
                port: 8080,
                l4proto: 2
            }
        );
        // An unknown type cannot be skipped in v1 ...
        let mut bad = 7u64.to_le_bytes().to_vec();
        bad.extend_from_slice(&3i64.to_le_bytes());
        bad.extend_from_slice(&9u64.to_le_bytes());
        bad.push(99);
        assert!(super::fds(&mut Cursor::new(&bad, 0, "fdl"), false).is_err());
        // ... but is kept as "unsupported" in v2, where the entry length allows skipping it.
        let mut v2 = 7u64.to_le_bytes().to_vec();
        v2.extend_from_slice(&(4u32 + 8 + 8 + 1 + 5).to_le_bytes());
        v2.extend_from_slice(&3i64.to_le_bytes());
        v2.extend_from_slice(&9u64.to_le_bytes());
        v2.push(99);
        v2.extend([1, 2, 3, 4, 5]);
        let (_, fds) = super::fds(&mut Cursor::new(&v2, 0, "fdl"), true).unwrap();
        assert_eq!(
            fds[0].details,
            FdDetails::Named {
                fd_type: FdType::Unsupported,
                name: "unknown-type:[99]".into()
            }
        );
    }

    #[test]
    fn interfaces_without_link_speed_and_v1_users() {
        let mut body = Vec::new();
        body.extend_from_slice(&3u16.to_le_bytes());
        body.extend_from_slice(&2u16.to_le_bytes());
        body.extend_from_slice(&[10, 0, 0, 1, 255, 0, 0, 0, 10, 255, 255, 255]);
        body.extend_from_slice(b"e0");
        let mut out = Interfaces::default();
        interfaces(&mut Cursor::new(&body, 0, "il"), false, &mut out).unwrap();
        assert_eq!(out.v4[0].linkspeed, None);
        assert_eq!(out.v4[0].bcast, Ipv4Addr::new(10, 255, 255, 255));

        let mut body = vec![1];
        body.extend_from_slice(&5u32.to_le_bytes());
        body.extend_from_slice(&3u16.to_le_bytes());
        body.extend_from_slice(b"adm");
        let (mut u, mut g) = (Vec::new(), Vec::new());
        users(&mut Cursor::new(&body, 0, "ul"), false, &mut u, &mut g).unwrap();
        assert_eq!((u.len(), g[0].gid, g[0].name.as_str()), (0, 5, "adm"));
    }
}
