//! File descriptor entries and per-process fd tables.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::FastMap;
pub use crate::scap::FdType;

/// Which end of a connection the owning process is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Role {
    /// Not known yet.
    #[default]
    None,
    /// The process initiated the connection.
    Client,
    /// The process accepted (or listens for) the connection.
    Server,
}

/// Layer-4 protocol codes (`scap_l4_proto`).
pub mod l4 {
    /// Unknown.
    pub const UNKNOWN: u8 = 0;
    /// Not applicable.
    pub const NA: u8 = 1;
    /// TCP.
    pub const TCP: u8 = 2;
    /// UDP.
    pub const UDP: u8 = 3;
    /// ICMP.
    pub const ICMP: u8 = 4;
    /// Raw IP.
    pub const RAW: u8 = 5;
}

/// Socket addressing of an fd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sock {
    /// Not a socket, or nothing known.
    None,
    /// An IP socket (connected or not): `sip:sport` is the client side and
    /// `dip:dport` the server side once the role is known.
    Ip {
        /// Source (client) address.
        sip: IpAddr,
        /// Source port.
        sport: u16,
        /// Destination (server) address.
        dip: IpAddr,
        /// Destination port.
        dport: u16,
        /// Layer-4 protocol (`l4::*`).
        l4: u8,
    },
    /// A listening (bound) IP socket.
    Server {
        /// Bound address.
        ip: IpAddr,
        /// Bound port.
        port: u16,
        /// Layer-4 protocol.
        l4: u8,
    },
    /// A unix-domain socket: kernel addresses of both ends.
    Unix {
        /// This end.
        src: u64,
        /// The peer.
        dst: u64,
    },
}

/// The unspecified address of a family (`0.0.0.0` or `::`).
pub fn any_addr(v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    }
}

/// One open file descriptor.
#[derive(Clone, Debug, PartialEq)]
pub struct Fd {
    /// Type.
    pub kind: FdType,
    /// Name (`fd.name`): normalized path, connection tuple, ...
    pub name: String,
    /// Path as passed to the syscall (`fd.nameraw` once repeated slashes are
    /// squashed): written through [`Fd::set_name_raw`], which keeps `raw_squashed`.
    name_raw: String,
    /// `name_raw` has no repeated slash, so it is `fd.nameraw` as it is (known when
    /// it is written, not searched for on every event that reads the field).
    raw_squashed: bool,
    /// Open flags (PPM_O_*).
    pub open_flags: u32,
    /// Device number.
    pub dev: u32,
    /// Inode number.
    pub ino: u64,
    /// Socket addressing.
    pub sock: Sock,
    /// Client/server role of a socket.
    pub role: Role,
    /// The socket is known to be connected.
    pub connected: bool,
    /// The file lives in an overlayfs upper layer.
    pub upper_layer: bool,
    /// The file lives in an overlayfs lower layer.
    pub lower_layer: bool,
}

impl Fd {
    /// The path as passed to the syscall.
    pub fn name_raw(&self) -> &str {
        &self.name_raw
    }

    /// `name_raw` when it has no repeated slash (it is then `fd.nameraw` as it is).
    pub fn name_raw_squashed(&self) -> Option<&str> {
        self.raw_squashed.then_some(self.name_raw.as_str())
    }

    /// Set the path as passed to the syscall; `plain`: the caller knows it is in
    /// normal form (no repeated slash), so it is not searched.
    pub fn set_name_raw(&mut self, raw: &str, plain: bool) {
        self.name_raw.clear();
        self.name_raw.push_str(raw);
        self.raw_squashed = plain || !has_double_slash(raw);
    }

    /// An entry of type `kind` with everything else empty.
    pub fn new(kind: FdType) -> Fd {
        Fd {
            kind,
            name: String::new(),
            name_raw: String::new(),
            raw_squashed: true,
            open_flags: 0,
            dev: 0,
            ino: 0,
            sock: Sock::None,
            role: Role::None,
            connected: false,
            upper_layer: false,
            lower_layer: false,
        }
    }

    /// Whether this is a regular file (old or new scap encoding).
    pub fn is_file(&self) -> bool {
        matches!(self.kind, FdType::File | FdType::FileV2)
    }

    /// Whether this is an IPv4/IPv6 socket (not a listening one).
    pub fn is_ip_socket(&self) -> bool {
        matches!(self.kind, FdType::Ipv4Sock | FdType::Ipv6Sock)
    }

    /// The raw layer-4 protocol stored for an IP socket.
    pub fn raw_l4(&self) -> u8 {
        match self.sock {
            Sock::Ip { l4, .. } | Sock::Server { l4, .. } => l4,
            _ => l4::UNKNOWN,
        }
    }

    /// The protocol as Falco reports it: unknown until the socket has a
    /// role, except for raw sockets (`get_l4proto`).
    pub fn l4proto(&self) -> u8 {
        match self.kind {
            FdType::Ipv4Sock | FdType::Ipv6Sock => {
                let raw = self.raw_l4();
                if raw == l4::RAW {
                    l4::RAW
                } else if self.role == Role::None {
                    l4::NA
                } else {
                    raw
                }
            }
            FdType::Ipv4ServSock | FdType::Ipv6ServSock => self.raw_l4(),
            _ => l4::NA,
        }
    }

    /// `fd.type`.
    pub fn type_name(&self) -> Option<&'static str> {
        Some(match self.kind {
            FdType::File | FdType::FileV2 => "file",
            FdType::Directory => "directory",
            FdType::Ipv4Sock | FdType::Ipv4ServSock => "ipv4",
            FdType::Ipv6Sock | FdType::Ipv6ServSock => "ipv6",
            FdType::Fifo => "pipe",
            FdType::UnixSock => "unix",
            FdType::Event => "event",
            FdType::Signalfd => "signalfd",
            FdType::Eventpoll => "eventpoll",
            FdType::Inotify => "inotify",
            FdType::Timerfd => "timerfd",
            FdType::Netlink => "netlink",
            FdType::Bpf => "bpf",
            FdType::Userfaultfd => "userfaultfd",
            FdType::IoUring => "io_uring",
            FdType::Memfd => "memfd",
            FdType::Pidfd => "pidfd",
            FdType::Unknown | FdType::Unsupported => return None,
        })
    }

    /// `fd.typechar`, as text (what rules compare it with).
    pub fn type_char_str(&self) -> &'static str {
        match self.kind {
            FdType::File | FdType::FileV2 => "f",
            FdType::Directory => "d",
            FdType::Ipv4Sock | FdType::Ipv4ServSock => "4",
            FdType::Ipv6Sock | FdType::Ipv6ServSock => "6",
            FdType::Fifo => "p",
            FdType::UnixSock => "u",
            FdType::Event => "e",
            FdType::Signalfd => "s",
            FdType::Eventpoll => "l",
            FdType::Inotify => "i",
            FdType::Timerfd => "t",
            FdType::Netlink => "n",
            FdType::Bpf => "b",
            FdType::Userfaultfd => "u",
            FdType::IoUring => "r",
            FdType::Memfd => "m",
            FdType::Pidfd => "P",
            FdType::Unknown => "o",
            FdType::Unsupported => "X",
        }
    }

    /// `fd.typechar`.
    pub fn type_char(&self) -> char {
        self.type_char_str().chars().next().unwrap_or('o')
    }

    /// Approximate heap bytes held by the entry.
    pub fn heap_bytes(&self) -> usize {
        self.name.capacity() + self.name_raw.capacity()
    }
}

/// Most fds tracked per process; more are not recorded (libsinsp uses the
/// same limit).
pub const MAX_FDS_PER_PROCESS: usize = 4096;

/// Where an fd goes in its table (see [`FdTable::slot`]).
pub enum Slot<'a> {
    /// The fd has an entry.
    Occupied(&'a mut Fd),
    /// The fd has no entry and there is room for one.
    Vacant(std::collections::hash_map::VacantEntry<'a, i64, Fd>),
    /// The fd has no entry and the table is full.
    Full,
}

/// The fds of one process.
#[derive(Clone, Debug, Default)]
pub struct FdTable {
    map: FastMap<i64, Fd>,
}

impl FdTable {
    /// The entry for `fd`.
    pub fn get(&self, fd: i64) -> Option<&Fd> {
        self.map.get(&fd)
    }

    /// The entry for `fd`, mutably.
    pub fn get_mut(&mut self, fd: i64) -> Option<&mut Fd> {
        self.map.get_mut(&fd)
    }

    /// The place of `fd`: its entry, room for it, or `Full` when the table is full
    /// (one hash lookup for a caller that fills an entry either way).
    pub fn slot(&mut self, fd: i64) -> Slot<'_> {
        let full = self.map.len() >= MAX_FDS_PER_PROCESS;
        match self.map.entry(fd) {
            std::collections::hash_map::Entry::Occupied(e) => Slot::Occupied(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(_) if full => Slot::Full,
            std::collections::hash_map::Entry::Vacant(e) => Slot::Vacant(e),
        }
    }

    /// Adds or replaces `fd`. Returns false when the table is full.
    pub fn insert(&mut self, fd: i64, entry: Fd) -> bool {
        if self.map.len() >= MAX_FDS_PER_PROCESS && !self.map.contains_key(&fd) {
            return false;
        }
        self.map.insert(fd, entry);
        true
    }

    /// Removes `fd`.
    pub fn remove(&mut self, fd: i64) -> Option<Fd> {
        self.map.remove(&fd)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// All entries (unordered).
    pub fn iter(&self) -> impl Iterator<Item = (i64, &Fd)> {
        self.map.iter().map(|(k, v)| (*k, v))
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.map.clear();
    }
}

/// `s` has two slashes in a row.
fn has_double_slash(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(b'/', b).any(|i| b.get(i + 1) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::{Fd, FdType};

    #[test]
    fn the_raw_name_is_lent_as_it_is_only_without_repeated_slashes() {
        let mut fd = Fd::new(FdType::FileV2);
        assert_eq!(fd.name_raw_squashed(), Some(""));
        for (raw, squashed) in [("/etc//passwd", false), ("a/b", true), ("//", false), ("/x/", true)] {
            fd.set_name_raw(raw, false);
            assert_eq!(fd.name_raw(), raw);
            assert_eq!(fd.name_raw_squashed(), squashed.then_some(raw), "{raw}");
        }
        // A caller that knows the path is in normal form skips the search.
        fd.set_name_raw("/etc/passwd", true);
        assert_eq!(fd.name_raw_squashed(), Some("/etc/passwd"));
    }
}
