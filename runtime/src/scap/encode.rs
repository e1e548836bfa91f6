//! Serialisation of metadata entries in the current block versions
//! (MI, PL_V9, FDL_V2, IL_V2, UL_V2) — the inverse of `metadata`.
//!
//! Each function appends one entry (or one block body) to a byte vector;
//! the writer adds the block framing.

use falcorc_compiler::raw_text::to_bytes;
use std::io;

use super::types::{
    FdDetails, FdInfo, FdType, GroupInfo, Ipv4Interface, Ipv6Interface, MachineInfo, ThreadInfo, UserInfo,
};

fn too_long(what: &str, len: usize, max: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{what} is {len} bytes, over the limit of {max}"),
    )
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// u16 length + bytes.
fn put_str16(out: &mut Vec<u8>, s: &[u8], what: &str) -> io::Result<()> {
    let len = u16::try_from(s.len()).map_err(|_| too_long(what, s.len(), usize::from(u16::MAX)))?;
    put_u16(out, len);
    out.extend_from_slice(s);
    Ok(())
}

/// u16 length + items, each followed by a NUL. Process text (`raw`) goes back to the bytes
/// it was read from (see `falcorc_compiler::raw_text`).
fn put_list16(out: &mut Vec<u8>, items: &[String], what: &str, raw: bool) -> io::Result<()> {
    let mut joined = Vec::new();
    for item in items {
        if raw {
            joined.extend_from_slice(&to_bytes(item));
        } else {
            joined.extend_from_slice(item.as_bytes());
        }
        joined.push(0);
    }
    put_str16(out, &joined, what)
}

/// Appends an entry whose u32 length prefix counts itself when `inclusive`.
fn with_len(out: &mut Vec<u8>, inclusive: bool, f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> io::Result<()> {
    let at = out.len();
    put_u32(out, 0);
    f(out)?;
    let mut len = out.len() - at;
    if !inclusive {
        len -= 4;
    }
    let len = u32::try_from(len).map_err(|_| too_long("entry", len, u32::MAX as usize))?;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

pub(crate) fn section_header(out: &mut Vec<u8>) {
    put_u32(out, super::blocks::BYTE_ORDER_MAGIC);
    put_u16(out, 1);
    put_u16(out, 2);
    put_i64(out, -1);
}

pub(crate) fn machine_info(out: &mut Vec<u8>, m: &MachineInfo) {
    put_u32(out, m.num_cpus);
    put_u64(out, m.memory_size_bytes);
    put_u64(out, m.max_pid);
    let mut host = [0u8; 128];
    let name = m.hostname.as_bytes();
    let n = name.len().min(127);
    host[..n].copy_from_slice(&name[..n]);
    out.extend_from_slice(&host);
    put_u64(out, m.boot_ts_epoch);
    put_u64(out, m.flags);
    put_u64(out, m.reserved3);
    put_u64(out, m.reserved4);
}

pub(crate) fn thread_v9(out: &mut Vec<u8>, t: &ThreadInfo) -> io::Result<()> {
    with_len(out, true, |o| {
        put_u64(o, t.tid);
        put_u64(o, t.pid);
        put_u64(o, t.ptid);
        put_i64(o, t.sid);
        put_i64(o, t.vpgid);
        put_str16(o, &to_bytes(&t.comm), "comm")?;
        put_str16(o, &to_bytes(&t.exe), "exe")?;
        put_str16(o, &to_bytes(&t.exepath), "exepath")?;
        put_list16(o, &t.args, "args", true)?;
        put_str16(o, t.cwd.as_bytes(), "cwd")?;
        put_u64(o, t.fdlimit);
        put_u32(o, t.flags);
        put_u32(o, t.uid);
        put_u32(o, t.gid);
        put_u32(o, t.vmsize_kb);
        put_u32(o, t.vmrss_kb);
        put_u32(o, t.vmswap_kb);
        put_u64(o, t.pfmajor);
        put_u64(o, t.pfminor);
        put_list16(o, &t.env, "env", true)?;
        put_i64(o, t.vtid);
        put_i64(o, t.vpid);
        put_list16(o, &t.cgroups, "cgroups", false)?;
        put_str16(o, t.root.as_bytes(), "root")?;
        put_u64(o, t.pidns_init_start_ts);
        put_u32(o, t.tty);
        put_u32(o, t.loginuid);
        o.push(u8::from(t.exe_writable));
        put_u64(o, t.cap_inheritable);
        put_u64(o, t.cap_permitted);
        put_u64(o, t.cap_effective);
        o.push(u8::from(t.exe_upper_layer));
        put_u64(o, t.exe_ino);
        put_u64(o, t.exe_ino_ctime);
        put_u64(o, t.exe_ino_mtime);
        o.push(u8::from(t.exe_from_memfd));
        o.push(u8::from(t.exe_lower_layer));
        put_i64(o, t.pgid);
        Ok(())
    })
}

pub(crate) fn fd_v2(out: &mut Vec<u8>, f: &FdInfo) -> io::Result<()> {
    with_len(out, true, |o| {
        put_i64(o, f.fd);
        put_u64(o, f.ino);
        o.push(f.fd_type().code());
        match &f.details {
            FdDetails::Unknown => {}
            FdDetails::Ipv4Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                o.extend_from_slice(&sip.octets());
                o.extend_from_slice(&dip.octets());
                put_u16(o, *sport);
                put_u16(o, *dport);
                o.push(*l4proto);
            }
            FdDetails::Ipv6Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                o.extend_from_slice(&sip.octets());
                o.extend_from_slice(&dip.octets());
                put_u16(o, *sport);
                put_u16(o, *dport);
                o.push(*l4proto);
            }
            FdDetails::Ipv4ServerSocket { ip, port, l4proto } => {
                o.extend_from_slice(&ip.octets());
                put_u16(o, *port);
                o.push(*l4proto);
            }
            FdDetails::Ipv6ServerSocket { ip, port, l4proto } => {
                o.extend_from_slice(&ip.octets());
                put_u16(o, *port);
                o.push(*l4proto);
            }
            FdDetails::UnixSocket { source, dest, name } => {
                put_u64(o, *source);
                put_u64(o, *dest);
                put_str16(o, name.as_bytes(), "unix socket name")?;
            }
            FdDetails::File { open_flags, name, dev } => {
                put_u32(o, *open_flags);
                put_str16(o, name.as_bytes(), "file name")?;
                put_u32(o, *dev);
            }
            FdDetails::Named { fd_type, name } => {
                if matches!(
                    fd_type,
                    FdType::Unknown
                        | FdType::Ipv4Sock
                        | FdType::Ipv6Sock
                        | FdType::Ipv4ServSock
                        | FdType::Ipv6ServSock
                        | FdType::UnixSock
                        | FdType::FileV2
                ) {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("fd {}: type {fd_type:?} needs its own details, not just a name", f.fd),
                    ));
                }
                put_str16(o, name.as_bytes(), "fd name")?
            }
        }
        Ok(())
    })
}

fn iface_name(name: &str) -> io::Result<u16> {
    u16::try_from(name.len()).map_err(|_| too_long("interface name", name.len(), usize::from(u16::MAX)))
}

pub(crate) fn interface_v4(out: &mut Vec<u8>, i: &Ipv4Interface) -> io::Result<()> {
    let addrs = [&i.addr.octets()[..], &i.netmask.octets(), &i.bcast.octets()];
    interface(out, (1, 3), &i.name, addrs, i.linkspeed)
}

pub(crate) fn interface_v6(out: &mut Vec<u8>, i: &Ipv6Interface) -> io::Result<()> {
    let addrs = [&i.addr.octets()[..], &i.netmask.octets(), &i.bcast.octets()];
    interface(out, (2, 4), &i.name, addrs, i.linkspeed)
}

/// One interface entry; `kinds` is the type code with and without a link speed.
fn interface(
    out: &mut Vec<u8>,
    kinds: (u16, u16),
    name: &str,
    addrs: [&[u8]; 3],
    linkspeed: Option<u64>,
) -> io::Result<()> {
    with_len(out, false, |o| {
        put_u16(o, if linkspeed.is_some() { kinds.0 } else { kinds.1 });
        put_u16(o, iface_name(name)?);
        for a in addrs {
            o.extend_from_slice(a);
        }
        if let Some(speed) = linkspeed {
            put_u64(o, speed);
        }
        o.extend_from_slice(name.as_bytes());
        Ok(())
    })
}

/// libscap keeps user and group strings in 256-byte buffers.
const MAX_CREDENTIAL_STR: usize = 255;

fn credential(out: &mut Vec<u8>, s: &str, what: &str) -> io::Result<()> {
    if s.len() > MAX_CREDENTIAL_STR {
        return Err(too_long(what, s.len(), MAX_CREDENTIAL_STR));
    }
    put_str16(out, s.as_bytes(), what)
}

pub(crate) fn user_v2(out: &mut Vec<u8>, u: &UserInfo) -> io::Result<()> {
    with_len(out, true, |o| {
        o.push(0);
        put_u32(o, u.uid);
        put_u32(o, u.gid);
        credential(o, &u.name, "user name")?;
        credential(o, &u.homedir, "home directory")?;
        credential(o, &u.shell, "shell")
    })
}

pub(crate) fn group_v2(out: &mut Vec<u8>, g: &GroupInfo) -> io::Result<()> {
    with_len(out, true, |o| {
        o.push(1);
        put_u32(o, g.gid);
        credential(o, &g.name, "group name")
    })
}
