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

/// Fds below this number may live in a table's dense part (see [`FdTable`]).
const DENSE_FDS: usize = 1024;

/// Where an fd goes in its table (see [`FdTable::slot`]).
pub enum Slot<'a> {
    /// The fd has an entry.
    Occupied(&'a mut Fd),
    /// The fd has no entry and there is room for one.
    Vacant(Vacant<'a>),
    /// The fd has no entry and the table is full.
    Full,
}

/// Room for an fd's entry in its table (from [`FdTable::slot`]).
pub struct Vacant<'a> {
    table: &'a mut FdTable,
    fd: i64,
}

impl Vacant<'_> {
    /// Puts the entry in its place.
    pub fn insert(self, entry: Fd) {
        self.table.put(self.fd, entry);
    }
}

/// The fds of one process.
///
/// The kernel hands out the lowest free number, so a process's fds are small and
/// dense: they live in a vector indexed by number (one bounds check per lookup,
/// where a hash table hashed, probed and compared). A number far beyond the others
/// (`dup2(fd, 1000)`) goes to a hash table instead, so that the vector never grows
/// much past twice the number of entries; like a hash table, it keeps its room when
/// entries go.
#[derive(Clone, Debug, Default)]
pub struct FdTable {
    dense: Vec<Option<Fd>>,
    sparse: FastMap<i64, Fd>,
    len: usize,
}

impl FdTable {
    /// The dense index of `fd`, when it has one.
    #[inline]
    fn dense_index(&self, fd: i64) -> Option<usize> {
        usize::try_from(fd).ok().filter(|&i| i < self.dense.len())
    }

    /// The entry for `fd`.
    #[inline]
    pub fn get(&self, fd: i64) -> Option<&Fd> {
        match self.dense_index(fd) {
            Some(i) => self.dense[i].as_ref(),
            None if self.sparse.is_empty() => None,
            None => self.sparse.get(&fd),
        }
    }

    /// The entry for `fd`, mutably.
    #[inline]
    pub fn get_mut(&mut self, fd: i64) -> Option<&mut Fd> {
        match self.dense_index(fd) {
            Some(i) => self.dense[i].as_mut(),
            None if self.sparse.is_empty() => None,
            None => self.sparse.get_mut(&fd),
        }
    }

    /// The place of `fd`: its entry, room for it, or `Full` when the table is full
    /// (one lookup for a caller that fills an entry either way).
    pub fn slot(&mut self, fd: i64) -> Slot<'_> {
        // Tested, then borrowed: the borrow checker cannot see that a borrow returned
        // from one arm is over in the other.
        match self.dense_index(fd) {
            Some(i) if self.dense[i].is_some() => return self.dense[i].as_mut().map_or(Slot::Full, Slot::Occupied),
            None if self.sparse.contains_key(&fd) => {
                return self.sparse.get_mut(&fd).map_or(Slot::Full, Slot::Occupied);
            }
            _ => {}
        }
        if self.len >= MAX_FDS_PER_PROCESS {
            return Slot::Full;
        }
        Slot::Vacant(Vacant { table: self, fd })
    }

    /// Adds or replaces `fd`. Returns false when the table is full.
    pub fn insert(&mut self, fd: i64, entry: Fd) -> bool {
        match self.slot(fd) {
            Slot::Occupied(e) => *e = entry,
            Slot::Vacant(v) => v.insert(entry),
            Slot::Full => return false,
        }
        true
    }

    /// Adds `fd`, which has no entry.
    fn put(&mut self, fd: i64, entry: Fd) {
        self.len += 1;
        if let Some(i) = self.dense_index(fd) {
            self.dense[i] = Some(entry);
            return;
        }
        // Dense while the vector stays within twice the entries (and a little).
        let room = (2 * self.len + 16).min(DENSE_FDS);
        match usize::try_from(fd).ok().filter(|&i| i < room) {
            Some(i) => {
                // Doubling, within the room: a table that keeps far fds in the hash
                // table moves them over a few times, not once per new fd.
                let grown = (i + 1).max((2 * self.dense.len()).min(room));
                self.dense.resize_with(grown, || None);
                self.dense[i] = Some(entry);
                // Entries the grown vector now covers move into it.
                if !self.sparse.is_empty() {
                    let moved: Vec<i64> = self
                        .sparse
                        .keys()
                        .copied()
                        .filter(|&n| self.dense_index(n).is_some())
                        .collect();
                    for n in moved {
                        self.dense[n as usize] = self.sparse.remove(&n);
                    }
                }
            }
            None => {
                self.sparse.insert(fd, entry);
            }
        }
    }

    /// Removes `fd`.
    pub fn remove(&mut self, fd: i64) -> Option<Fd> {
        let gone = match self.dense_index(fd) {
            Some(i) => self.dense[i].take(),
            None => self.sparse.remove(&fd),
        };
        if gone.is_some() {
            self.len -= 1;
        }
        gone
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// All entries (unordered).
    pub fn iter(&self) -> impl Iterator<Item = (i64, &Fd)> {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((i as i64, f.as_ref()?)));
        dense.chain(self.sparse.iter().map(|(k, v)| (*k, v)))
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.dense.clear();
        self.sparse.clear();
        self.len = 0;
    }

    /// Bytes held beyond the entries' own strings (for memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.dense.capacity() * std::mem::size_of::<Option<Fd>>()
            + self.sparse.capacity() * (std::mem::size_of::<(i64, Fd)>() + 1)
    }
}

/// `s` has two slashes in a row.
fn has_double_slash(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(b'/', b).any(|i| b.get(i + 1) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::{Fd, FdTable, FdType, MAX_FDS_PER_PROCESS, Slot};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn named(n: &str) -> Fd {
        let mut f = Fd::new(FdType::FileV2);
        f.name = n.into();
        f
    }

    #[derive(Clone, Debug)]
    enum Op {
        Insert(i64),
        Fill(i64),
        Remove(i64),
    }

    /// Fd numbers as processes use them: mostly small, some far off, a few negative.
    fn fd() -> impl Strategy<Value = i64> {
        prop_oneof![6 => 0i64..40, 2 => 0i64..2100, 1 => any::<i64>(), 1 => -3i64..0]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            fd().prop_map(Op::Insert),
            fd().prop_map(Op::Fill),
            fd().prop_map(Op::Remove)
        ]
    }

    proptest! {
        /// The table answers as an ordered map of the same operations does.
        #[test]
        fn the_table_is_a_map(ops in proptest::collection::vec(op(), 0..400)) {
            let mut table = FdTable::default();
            let mut model: BTreeMap<i64, String> = BTreeMap::new();
            for (step, op) in ops.iter().enumerate() {
                let name = step.to_string();
                match *op {
                    Op::Insert(n) => {
                        prop_assert!(table.insert(n, named(&name)));
                        model.insert(n, name);
                    }
                    Op::Fill(n) => match table.slot(n) {
                        Slot::Occupied(f) => {
                            prop_assert!(model.contains_key(&n));
                            f.name = name.clone();
                            model.insert(n, name);
                        }
                        Slot::Vacant(v) => {
                            prop_assert!(!model.contains_key(&n));
                            v.insert(named(&name));
                            model.insert(n, name);
                        }
                        Slot::Full => prop_assert!(false, "not full"),
                    },
                    Op::Remove(n) => {
                        prop_assert_eq!(table.remove(n).map(|f| f.name), model.remove(&n));
                    }
                }
                prop_assert_eq!(table.len(), model.len());
                let probe = match *op { Op::Insert(n) | Op::Fill(n) | Op::Remove(n) => n };
                for n in [probe, probe.wrapping_add(1), 0, 1023, 1024] {
                    prop_assert_eq!(table.get(n).map(|f| f.name.as_str()), model.get(&n).map(String::as_str));
                }
            }
            let mut all: Vec<(i64, String)> = table.iter().map(|(n, f)| (n, f.name.clone())).collect();
            all.sort();
            prop_assert_eq!(all, model.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_full_table_takes_no_new_fd_but_replaces_its_own() {
        let mut table = FdTable::default();
        for n in 0..MAX_FDS_PER_PROCESS as i64 {
            assert!(table.insert(n * 3, named("x")));
        }
        assert!(!table.insert(1, named("y")));
        assert!(matches!(table.slot(1), Slot::Full));
        assert!(table.insert(3, named("z")));
        assert_eq!(table.get(3).map(|f| f.name.as_str()), Some("z"));
        assert_eq!(table.len(), MAX_FDS_PER_PROCESS);
    }

    #[test]
    fn a_far_fd_does_not_grow_the_dense_part() {
        let mut table = FdTable::default();
        table.insert(1000, named("far"));
        assert!(table.dense.is_empty());
        assert_eq!(table.sparse.len(), 1);
        // The vector grows with the fds below it, never past twice the entries and a
        // little, and takes the far one in once it covers it.
        for n in 0..700 {
            table.insert(n, named("near"));
            assert!(table.dense.len() <= 2 * table.len() + 16, "{n}");
            assert_eq!(table.get(1000).map(|f| f.name.as_str()), Some("far"));
        }
        assert!(table.dense.len() > 1000);
        assert!(table.sparse.is_empty());
        assert_eq!(table.len(), 701);
    }

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
