//! The metadata a capture carries besides events: section header, machine,
//! process snapshot, open file descriptors, network interfaces, users and
//! groups.
//!
//! These are plain owned values. The reader fills them from whichever block
//! version the file uses (missing fields get libscap's defaults) and the
//! writer serialises them in the current block versions, so a value read and
//! written again compares equal.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Section header block contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionHeader {
    /// Major format version (only 1 exists).
    pub major: u16,
    /// Minor format version (0, 1 or 2).
    pub minor: u16,
    /// Section length; -1 when unused (always, in practice).
    pub section_length: i64,
}

/// Machine info block contents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MachineInfo {
    /// Number of CPUs.
    pub num_cpus: u32,
    /// Physical memory in bytes.
    pub memory_size_bytes: u64,
    /// Highest pid (`/proc/sys/kernel/pid_max`).
    pub max_pid: u64,
    /// Host name (at most 127 bytes on the wire).
    pub hostname: String,
    /// Boot time, ns since the epoch.
    pub boot_ts_epoch: u64,
    /// Machine flags.
    pub flags: u64,
    /// Reserved.
    pub reserved3: u64,
    /// Reserved.
    pub reserved4: u64,
}

/// One thread of the process snapshot (process list block entry).
///
/// Fields that older block versions lack hold the defaults libscap uses:
/// -1 for `sid`, `vpgid`, `pgid`, `vtid`, `vpid`; `u32::MAX` for `loginuid`;
/// zero or empty otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadInfo {
    /// Thread id.
    pub tid: u64,
    /// Process id (thread group id).
    pub pid: u64,
    /// Parent thread id.
    pub ptid: u64,
    /// Session id.
    pub sid: i64,
    /// Process group id as seen in the thread's pid namespace.
    pub vpgid: i64,
    /// Process group id.
    pub pgid: i64,
    /// Command name (`proc.name`).
    pub comm: String,
    /// argv\[0\] (`proc.exe`).
    pub exe: String,
    /// Full executable path (`proc.exepath`).
    pub exepath: String,
    /// argv\[1..\].
    pub args: Vec<String>,
    /// Working directory.
    pub cwd: String,
    /// Open-file limit.
    pub fdlimit: u64,
    /// Thread flags (PPM_CL_*).
    pub flags: u32,
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
    /// Virtual memory size, KiB.
    pub vmsize_kb: u32,
    /// Resident set size, KiB.
    pub vmrss_kb: u32,
    /// Swapped memory, KiB.
    pub vmswap_kb: u32,
    /// Major page faults.
    pub pfmajor: u64,
    /// Minor page faults.
    pub pfminor: u64,
    /// Environment, `NAME=value` items.
    pub env: Vec<String>,
    /// Thread id inside its pid namespace.
    pub vtid: i64,
    /// Process id inside its pid namespace.
    pub vpid: i64,
    /// Cgroups as `subsystem=path` items.
    pub cgroups: Vec<String>,
    /// Root directory.
    pub root: String,
    /// Start time of the pid namespace's init process.
    pub pidns_init_start_ts: u64,
    /// Controlling terminal.
    pub tty: u32,
    /// Login uid (`u32::MAX` when unset).
    pub loginuid: u32,
    /// The executable is writable by the thread's user.
    pub exe_writable: bool,
    /// Inheritable capabilities.
    pub cap_inheritable: u64,
    /// Permitted capabilities.
    pub cap_permitted: u64,
    /// Effective capabilities.
    pub cap_effective: u64,
    /// The executable lives in an overlayfs upper layer.
    pub exe_upper_layer: bool,
    /// Inode number of the executable.
    pub exe_ino: u64,
    /// ctime of the executable's inode.
    pub exe_ino_ctime: u64,
    /// mtime of the executable's inode.
    pub exe_ino_mtime: u64,
    /// The executable is a memfd.
    pub exe_from_memfd: bool,
    /// The executable lives in an overlayfs lower layer.
    pub exe_lower_layer: bool,
}

impl Default for ThreadInfo {
    fn default() -> Self {
        ThreadInfo {
            tid: 0,
            pid: 0,
            ptid: 0,
            sid: -1,
            vpgid: -1,
            pgid: -1,
            comm: String::new(),
            exe: String::new(),
            exepath: String::new(),
            args: Vec::new(),
            cwd: String::new(),
            fdlimit: 0,
            flags: 0,
            uid: 0,
            gid: 0,
            vmsize_kb: 0,
            vmrss_kb: 0,
            vmswap_kb: 0,
            pfmajor: 0,
            pfminor: 0,
            env: Vec::new(),
            vtid: -1,
            vpid: -1,
            cgroups: Vec::new(),
            root: String::new(),
            pidns_init_start_ts: 0,
            tty: 0,
            loginuid: u32::MAX,
            exe_writable: false,
            cap_inheritable: 0,
            cap_permitted: 0,
            cap_effective: 0,
            exe_upper_layer: false,
            exe_ino: 0,
            exe_ino_ctime: 0,
            exe_ino_mtime: 0,
            exe_from_memfd: false,
            exe_lower_layer: false,
        }
    }
}

/// File descriptor type codes (`scap_fd_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum FdType {
    Unknown = 0,
    File = 1,
    Directory = 2,
    Ipv4Sock = 3,
    Ipv6Sock = 4,
    Ipv4ServSock = 5,
    Ipv6ServSock = 6,
    Fifo = 7,
    UnixSock = 8,
    Event = 9,
    Unsupported = 10,
    Signalfd = 11,
    Eventpoll = 12,
    Inotify = 13,
    Timerfd = 14,
    Netlink = 15,
    FileV2 = 16,
    Bpf = 17,
    Userfaultfd = 18,
    IoUring = 19,
    Memfd = 20,
    Pidfd = 21,
}

impl FdType {
    /// The type with wire code `code`, if known.
    pub fn from_code(code: u8) -> Option<FdType> {
        use FdType::*;
        const ALL: [FdType; 22] = [
            Unknown,
            File,
            Directory,
            Ipv4Sock,
            Ipv6Sock,
            Ipv4ServSock,
            Ipv6ServSock,
            Fifo,
            UnixSock,
            Event,
            Unsupported,
            Signalfd,
            Eventpoll,
            Inotify,
            Timerfd,
            Netlink,
            FileV2,
            Bpf,
            Userfaultfd,
            IoUring,
            Memfd,
            Pidfd,
        ];
        ALL.get(usize::from(code)).copied()
    }

    /// Wire code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// One open file descriptor of a thread (fd list block entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdInfo {
    /// Descriptor number.
    pub fd: i64,
    /// Inode number.
    pub ino: u64,
    /// Type-specific data.
    pub details: FdDetails,
}

/// Type-specific part of an [`FdInfo`]. IP addresses are in their natural
/// order; ports are host-order numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FdDetails {
    /// `UNKNOWN`: nothing more is known.
    Unknown,
    /// Connected IPv4 socket.
    Ipv4Socket {
        /// Source address.
        sip: Ipv4Addr,
        /// Destination address.
        dip: Ipv4Addr,
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// Layer-4 protocol (0 unknown, 1 raw IP, 2 TCP, 3 UDP, 4 ICMP).
        l4proto: u8,
    },
    /// Connected IPv6 socket.
    Ipv6Socket {
        /// Source address.
        sip: Ipv6Addr,
        /// Destination address.
        dip: Ipv6Addr,
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// Layer-4 protocol.
        l4proto: u8,
    },
    /// Listening IPv4 socket.
    Ipv4ServerSocket {
        /// Bound address.
        ip: Ipv4Addr,
        /// Bound port.
        port: u16,
        /// Layer-4 protocol.
        l4proto: u8,
    },
    /// Listening IPv6 socket.
    Ipv6ServerSocket {
        /// Bound address.
        ip: Ipv6Addr,
        /// Bound port.
        port: u16,
        /// Layer-4 protocol.
        l4proto: u8,
    },
    /// Unix-domain socket.
    UnixSocket {
        /// Kernel address of this end.
        source: u64,
        /// Kernel address of the peer.
        dest: u64,
        /// Socket path.
        name: String,
    },
    /// Regular file in the `FILE_V2` form.
    File {
        /// Open flags (PPM_O_*).
        open_flags: u32,
        /// Path.
        name: String,
        /// Device number (0 when the entry has none).
        dev: u32,
    },
    /// Every other type: a type code and a name.
    Named {
        /// The type.
        fd_type: FdType,
        /// Name (path, `pipe:[123]`, `anon_inode:[eventpoll]`, ...).
        name: String,
    },
}

impl FdInfo {
    /// The wire type of this descriptor.
    pub fn fd_type(&self) -> FdType {
        match &self.details {
            FdDetails::Unknown => FdType::Unknown,
            FdDetails::Ipv4Socket { .. } => FdType::Ipv4Sock,
            FdDetails::Ipv6Socket { .. } => FdType::Ipv6Sock,
            FdDetails::Ipv4ServerSocket { .. } => FdType::Ipv4ServSock,
            FdDetails::Ipv6ServerSocket { .. } => FdType::Ipv6ServSock,
            FdDetails::UnixSocket { .. } => FdType::UnixSock,
            FdDetails::File { .. } => FdType::FileV2,
            FdDetails::Named { fd_type, .. } => *fd_type,
        }
    }

    /// The name of a file-like or unix-socket descriptor.
    pub fn name(&self) -> Option<&str> {
        match &self.details {
            FdDetails::UnixSocket { name, .. } | FdDetails::File { name, .. } | FdDetails::Named { name, .. } => {
                Some(name)
            }
            _ => None,
        }
    }
}

/// An IPv4 interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv4Interface {
    /// Interface name.
    pub name: String,
    /// Address.
    pub addr: Ipv4Addr,
    /// Netmask.
    pub netmask: Ipv4Addr,
    /// Broadcast address.
    pub bcast: Ipv4Addr,
    /// Link speed, when the entry has one.
    pub linkspeed: Option<u64>,
}

/// An IPv6 interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv6Interface {
    /// Interface name.
    pub name: String,
    /// Address.
    pub addr: Ipv6Addr,
    /// Netmask.
    pub netmask: Ipv6Addr,
    /// Broadcast address.
    pub bcast: Ipv6Addr,
    /// Link speed, when the entry has one.
    pub linkspeed: Option<u64>,
}

/// Interface list block contents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interfaces {
    /// IPv4 interfaces, in file order.
    pub v4: Vec<Ipv4Interface>,
    /// IPv6 interfaces, in file order.
    pub v6: Vec<Ipv6Interface>,
}

/// A user of the user list block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Login name.
    pub name: String,
    /// Home directory.
    pub homedir: String,
    /// Login shell.
    pub shell: String,
}

/// A group of the user list block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupInfo {
    /// Group id.
    pub gid: u32,
    /// Group name.
    pub name: String,
}
