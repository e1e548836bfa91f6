//! `fd.*`, `fs.path.*` and `fdlist.*`.

use std::net::IpAddr;

use falcorc_compiler::eval::Value;
use falcorc_compiler::ir::FieldSpec;

use super::kinds::F;
use super::{FieldCtx, boolean, int, s};
use crate::event::Param;
use crate::state::fd::{Fd, FdType, Role, Sock, l4};
use crate::state::path;

/// `fd.nameraw` keeps the path as given, except for doubled separators.
fn squash_slashes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = false;
    for c in s.chars() {
        if c == '/' && prev {
            continue;
        }
        prev = c == '/';
        out.push(c);
    }
    out
}

fn ip(a: IpAddr) -> Option<Value> {
    Some(Value::Ip(a))
}

/// Client and server ends of an IP socket (None unless its role is known).
fn ends(f: &Fd) -> Option<(IpAddr, u16, IpAddr, u16)> {
    if f.role == Role::None || !f.is_ip_socket() {
        return None;
    }
    match f.sock {
        Sock::Ip {
            sip, sport, dip, dport, ..
        } => Some((sip, sport, dip, dport)),
        _ => None,
    }
}

fn is_address_field(f: F) -> bool {
    matches!(f, F::FdIp | F::FdNet | F::FdCip | F::FdCnet | F::FdSip | F::FdSnet)
}

/// The addresses of address field `f` (see `is_address_field`) for `fd`, into `out`:
/// both ends of a connection or a server's own for `fd.ip`/`fd.net`, the client's or
/// the server's end for the others. How many.
fn addresses(f: F, fd: &Fd, out: &mut [IpAddr; 2]) -> usize {
    let mut one = |a: Option<IpAddr>| {
        a.map_or(0, |a| {
            out[0] = a;
            1
        })
    };
    match f {
        F::FdIp | F::FdNet => match fd.sock {
            Sock::Ip { sip, dip, .. } if fd.is_ip_socket() => {
                *out = [sip, dip];
                2
            }
            Sock::Server { ip: a, .. } => one(Some(a)),
            _ => 0,
        },
        F::FdCip | F::FdCnet => one(ends(fd).map(|(a, ..)| a)),
        _ => one(match (ends(fd), fd.sock, fd.role) {
            (Some((_, _, d, _)), ..) => Some(d),
            (None, Sock::Server { ip: a, .. }, r) if r != Role::None => Some(a),
            _ => None,
        }),
    }
}

impl FieldCtx<'_> {
    /// The addresses of `fd.ip`/`fd.net`, `fd.cip`/`fd.cnet` and `fd.sip`/`fd.snet`
    /// written into `out` without building a value: how many (0: none), as `fd_field`
    /// gives them. `None` for other fields.
    pub(crate) fn lend_ips(&self, f: F, out: &mut [IpAddr; 2]) -> Option<usize> {
        if !is_address_field(f) {
            return None;
        }
        Some(match (self.is_fd_event(), self.thread, self.fd_num, self.fd) {
            (true, Some(_), Some(_), Some(fd)) => addresses(f, fd, out),
            _ => 0,
        })
    }

    /// The name of the fd a failed (or untracked) fd-creating event refers
    /// to, taken from the event's own parameters (libsinsp's
    /// `extract_fdname_from_creator`); `raw` asks for the path as given.
    fn creator_name(&self, raw: bool) -> Option<String> {
        if !self
            .params
            .def()
            .is_some_and(|d| d.dir == falcorc_compiler::sema::catalog::events::Dir::Exit)
        {
            return None;
        }
        let name = self.params.def()?.name;
        Some(match name {
            "open" | "creat" | "accept" | "accept4" => self.render_param(1).map(|r| r.best()).unwrap_or_default(),
            "openat" | "openat2" => {
                let path = self.params.text(2).map(|t| t.into_owned()).unwrap_or_default();
                if raw {
                    path
                } else {
                    let dirfd = self.params.int(1).unwrap_or(-100);
                    let base = match self.thread {
                        _ if path.starts_with('/') => ".".to_string(),
                        None => "<UNKNOWN>".to_string(),
                        Some(t) if dirfd == -100 => self.tracker.cwd_of(t).to_string(),
                        Some(t) => match self.tracker.fd_of(t, dirfd) {
                            None => "<UNKNOWN>".to_string(),
                            Some(f) if f.name.is_empty() || f.name.ends_with('/') => f.name.clone(),
                            Some(f) => format!("{}/", f.name),
                        },
                    };
                    path::join(&base, &path)
                }
            }
            "open_by_handle_at" => self.params.text(3).map(|t| t.into_owned()).unwrap_or_default(),
            _ => String::new(),
        })
    }

    /// `fd.typechar` of an event whose fd is not in the table.
    fn creator_typechar(&self) -> char {
        match self.params.def().map_or("", |d| d.name) {
            "open" | "openat" | "openat2" | "creat" => 'f',
            "socket" | "accept" | "accept4" => '4',
            "pipe" | "pipe2" => 'p',
            "eventfd" | "eventfd2" => 'e',
            "signalfd" | "signalfd4" => 's',
            "timerfd_create" => 't',
            "inotify_init" | "inotify_init1" => 'i',
            _ => 'o',
        }
    }

    fn is_local(&self, a: IpAddr) -> bool {
        self.tracker.ifaces().is_local(a)
    }

    /// (local ip, local port, remote ip, remote port) of an IP socket.
    fn local_remote(&self, f: &Fd) -> Option<(IpAddr, u16, IpAddr, u16)> {
        let (sip, sport, dip, dport) = ends(f)?;
        if self.is_local(sip) {
            Some((sip, sport, dip, dport))
        } else {
            Some((dip, dport, sip, sport))
        }
    }

    /// The path parameters of a filesystem event: (name, source, target)
    /// parameter names and the dirfd each is relative to.
    fn fs_path(&self, which: u8, raw: bool) -> Option<Value> {
        let ev = self.params.def()?.name;
        // (path param, dirfd param) for name (0), source (1), target (2).
        let pick: Option<(&str, Option<&str>)> = match (ev, which) {
            ("mkdir" | "rmdir" | "unlink" | "chown" | "lchown" | "mknod" | "umount" | "umount2", 0) => {
                Some(("path", None))
            }
            ("mkdirat" | "mknodat", 0) => Some(("path", Some("dirfd"))),
            ("unlinkat", 0) => Some(("name", Some("dirfd"))),
            ("open" | "creat", 0) => Some(("name", None)),
            ("openat" | "openat2", 0) => Some(("name", Some("dirfd"))),
            ("chmod", 0) => Some(("filename", None)),
            ("fchmodat", 0) => Some(("filename", Some("dirfd"))),
            ("fchownat", 0) => Some(("pathname", Some("dirfd"))),
            ("rename" | "link", 1) => Some(("oldpath", None)),
            ("rename" | "link", 2) => Some(("newpath", None)),
            ("renameat" | "renameat2", 1) => Some(("oldpath", Some("olddirfd"))),
            ("renameat" | "renameat2", 2) => Some(("newpath", Some("newdirfd"))),
            ("linkat", 1) => Some(("oldpath", Some("olddir"))),
            ("linkat", 2) => Some(("newpath", Some("newdir"))),
            ("symlink", 1) | ("symlinkat", 1) => Some(("target", None)),
            ("symlink", 2) => Some(("linkpath", None)),
            ("symlinkat", 2) => Some(("linkpath", Some("linkdirfd"))),
            _ => None,
        };
        let (pname, dirname) = pick?;
        let path = self.params.text(self.params.index(pname)?)?.into_owned();
        if raw {
            return s(path);
        }
        let t = self.thread?;
        let base = if path.starts_with('/') {
            String::new()
        } else {
            match dirname
                .and_then(|d| self.params.index(d))
                .and_then(|i| self.params.int(i))
            {
                None | Some(-100) => self.tracker.cwd_of(t).to_string(),
                Some(fd) => match self.tracker.fd_of(t, fd) {
                    Some(f) => format!("{}/", f.name.trim_end_matches('/')),
                    None => return None,
                },
            }
        };
        s(path::join(&base, &path))
    }

    fn fdlist(&self, f: F) -> Option<Value> {
        let i = self.params.index("fds")?;
        let Some(Param::FdList(list)) = self.params.get(i) else {
            return None;
        };
        let t = self.thread?;
        let mut items = Vec::new();
        for (fd, _) in list.iter() {
            let entry = self.tracker.fd_of(t, fd);
            let item = match f {
                F::FdlistNums => Some(fd.to_string()),
                F::FdlistNames => entry.map(|e| e.name.clone()),
                F::FdlistCips => entry.and_then(ends).map(|(a, ..)| a.to_string()),
                F::FdlistSips => entry.and_then(|e| match (ends(e), e.sock) {
                    (Some((_, _, d, _)), _) => Some(d.to_string()),
                    (None, Sock::Server { ip, .. }) => Some(ip.to_string()),
                    _ => None,
                }),
                F::FdlistCports => entry.and_then(ends).map(|(_, p, ..)| p.to_string()),
                F::FdlistSports => entry.and_then(|e| match (ends(e), e.sock) {
                    (Some((_, _, _, p)), _) => Some(p.to_string()),
                    (None, Sock::Server { port, .. }) => Some(port.to_string()),
                    _ => None,
                }),
                _ => None,
            };
            if let Some(item) = item.filter(|s| !s.is_empty()) {
                items.push(item);
            }
        }
        s(items.join(","))
    }

    pub(super) fn fd_field(&self, f: F, spec: &FieldSpec) -> Option<Value> {
        match f {
            F::FsPathName => return self.fs_path(0, false),
            F::FsPathNameraw => return self.fs_path(0, true),
            F::FsPathSource => return self.fs_path(1, false),
            F::FsPathSourceraw => return self.fs_path(1, true),
            F::FsPathTarget => return self.fs_path(2, false),
            F::FsPathTargetraw => return self.fs_path(2, true),
            F::FdlistNums | F::FdlistNames | F::FdlistCips | F::FdlistSips | F::FdlistCports | F::FdlistSports => {
                return self.fdlist(f);
            }
            _ => {}
        }
        if !self.is_fd_event() {
            return None;
        }
        let t = self.thread?;
        let num = self.fd_num?;
        if f == F::FdTypes {
            let mut out: Vec<Value> = Vec::new();
            let owner = self.tracker.fd_owner(t).and_then(|o| self.tracker.thread(o))?;
            match &spec.arg {
                Some(n) => {
                    let e = owner.fds.get(n.parse().ok()?)?;
                    out.push(Value::Str(e.type_name()?.to_string()));
                }
                None => {
                    let mut entries: Vec<(i64, &Fd)> = owner.fds.iter().collect();
                    entries.sort_by_key(|(n, _)| *n);
                    for (_, e) in entries {
                        if let Some(name) = e.type_name()
                            && !out.iter().any(|v| matches!(v, Value::Str(x) if x == name))
                        {
                            out.push(Value::Str(name.to_string()));
                        }
                    }
                }
            }
            return Some(Value::List(out));
        }
        let Some(fd) = self.fd else {
            // No entry: a few fields still come from the event itself.
            return match f {
                F::FdNum => int(num),
                F::FdName => self.creator_name(false).map(Value::Str),
                F::FdContainername => self
                    .creator_name(false)
                    .map(|n| Value::Str(format!("{}:{n}", t.container_id))),
                F::FdDirectory | F::FdContainerdirectory => self.creator_name(false).map(|n| {
                    let dir = path::directory(&n).to_string();
                    Value::Str(if f == F::FdContainerdirectory {
                        format!("{}:{dir}", t.container_id)
                    } else {
                        dir
                    })
                }),
                F::FdTypechar => s(self.creator_typechar().to_string()),
                F::FdNameraw => self.creator_name(true).map(|n| Value::Str(squash_slashes(&n))),
                F::FdUid => s(format!("{}{num}", t.tid)),
                _ => None,
            };
        };
        match f {
            F::FdNum => int(num),
            F::FdType => s(fd.type_name()?),
            F::FdTypechar => s(fd.type_char_str()),
            F::FdName => s(fd.name.clone()),
            F::FdContainername => s(format!("{}:{}", t.container_id, fd.name)),
            F::FdDirectory | F::FdContainerdirectory => {
                let dir = match fd.kind {
                    FdType::Directory => fd.name.as_str(),
                    _ if fd.is_file() => path::directory(&fd.name),
                    _ => return None,
                };
                if f == F::FdContainerdirectory {
                    s(format!("{}:{dir}", t.container_id))
                } else {
                    s(dir)
                }
            }
            F::FdFilename => {
                if fd.is_file() {
                    s(path::filename(&fd.name))
                } else {
                    None
                }
            }
            F::FdNameraw => s(squash_slashes(fd.name_raw())),
            f if is_address_field(f) => {
                let mut out = [IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED); 2];
                match addresses(f, fd, &mut out) {
                    2 => Some(Value::List(vec![Value::Ip(out[0]), Value::Ip(out[1])])),
                    1 => ip(out[0]),
                    _ => None,
                }
            }
            F::FdPort | F::FdProto => {
                let ports = match fd.sock {
                    Sock::Ip { sport, dport, .. } if fd.is_ip_socket() => vec![sport, dport],
                    Sock::Server { port, .. } => vec![port],
                    _ => return None,
                };
                Some(Value::List(
                    ports
                        .into_iter()
                        .map(|p| {
                            if f == F::FdPort {
                                Value::Int(i128::from(p))
                            } else {
                                Value::Str(p.to_string())
                            }
                        })
                        .collect(),
                ))
            }
            F::FdLip | F::FdLnet => self.local_remote(fd).and_then(|(a, ..)| ip(a)),
            F::FdRip | F::FdRnet => self.local_remote(fd).and_then(|(_, _, a, _)| ip(a)),
            F::FdCport => ends(fd).and_then(|(_, p, ..)| int(p)),
            F::FdSport => match (fd.sock, fd.kind) {
                (Sock::Server { port, .. }, FdType::Ipv4ServSock | FdType::Ipv6ServSock) => int(port),
                _ => ends(fd).and_then(|(_, _, _, p)| int(p)),
            },
            F::FdLport => self.local_remote(fd).and_then(|(_, p, ..)| int(p)),
            F::FdRport => self.local_remote(fd).and_then(|(_, _, _, p)| int(p)),
            F::FdCproto => ends(fd).map(|(_, p, ..)| Value::Str(p.to_string())),
            F::FdSproto => match (fd.sock, fd.kind) {
                (Sock::Server { .. }, FdType::Ipv4ServSock | FdType::Ipv6ServSock) => s(""),
                _ => ends(fd).map(|(_, _, _, p)| Value::Str(p.to_string())),
            },
            F::FdLproto => self.local_remote(fd).map(|(_, p, ..)| Value::Str(p.to_string())),
            F::FdRproto => self.local_remote(fd).map(|(_, _, _, p)| Value::Str(p.to_string())),
            F::FdL4proto => s(match fd.l4proto() {
                l4::TCP => "tcp",
                l4::UDP => "udp",
                l4::ICMP => "icmp",
                l4::RAW => "raw",
                _ => "<NA>",
            }),
            F::FdSockfamily => match fd.kind {
                FdType::Ipv4Sock | FdType::Ipv6Sock | FdType::Ipv4ServSock | FdType::Ipv6ServSock => s("ip"),
                FdType::UnixSock => s("unix"),
                _ => None,
            },
            F::FdIsServer => boolean(match (fd.kind, fd.sock) {
                (FdType::Ipv4ServSock | FdType::Ipv6ServSock, _) => true,
                (FdType::Ipv4Sock | FdType::Ipv6Sock, Sock::Ip { dip, .. }) => self.is_local(dip),
                _ => false,
            }),
            F::FdUid => s(format!("{}{num}", t.tid)),
            F::FdConnected => boolean(fd.connected),
            F::FdNameChanged => boolean(self.name_changed),
            F::FdCipName | F::FdSipName | F::FdLipName | F::FdRipName => None,
            F::FdDev => int(fd.dev),
            F::FdDevMajor => int((fd.dev & 0xfff00) >> 8),
            F::FdDevMinor => int((fd.dev & 0xff) | ((fd.dev >> 12) & 0xfff00)),
            F::FdIno => int(fd.ino),
            F::FdIsUpperLayer => boolean(fd.upper_layer),
            F::FdIsLowerLayer => boolean(fd.lower_layer),
            _ => None,
        }
    }
}
