//! Symbolic names Falco shows for numbers: errno codes, signals, capability
//! bits and the flag/enum tables event parameters are rendered with.
//!
//! The tables list `(name, value)` pairs in the order libsinsp walks them,
//! because that order decides how a combined flag value is spelled
//! (`O_RDONLY|O_CLOEXEC`). Values are the driver's portable (PPM) encodings,
//! not the kernel's.

/// Name of a (positive) errno value, e.g. `2` → `ENOENT`.
pub fn errno_name(errno: i64) -> Option<&'static str> {
    Some(match errno {
        1 => "EPERM",
        2 => "ENOENT",
        3 => "ESRCH",
        4 => "EINTR",
        5 => "EIO",
        6 => "ENXIO",
        7 => "E2BIG",
        8 => "ENOEXEC",
        9 => "EBADF",
        10 => "ECHILD",
        11 => "EAGAIN",
        12 => "ENOMEM",
        13 => "EACCES",
        14 => "EFAULT",
        15 => "ENOTBLK",
        16 => "EBUSY",
        17 => "EEXIST",
        18 => "EXDEV",
        19 => "ENODEV",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        23 => "ENFILE",
        24 => "EMFILE",
        25 => "ENOTTY",
        26 => "ETXTBSY",
        27 => "EFBIG",
        28 => "ENOSPC",
        29 => "ESPIPE",
        30 => "EROFS",
        31 => "EMLINK",
        32 => "EPIPE",
        33 => "EDOM",
        34 => "ERANGE",
        35 => "EDEADLK",
        36 => "ENAMETOOLONG",
        37 => "ENOLCK",
        38 => "ENOSYS",
        39 => "ENOTEMPTY",
        40 => "ELOOP",
        42 => "ENOMSG",
        43 => "EIDRM",
        44 => "ECHRNG",
        45 => "EL2NSYNC",
        46 => "EL3HLT",
        47 => "EL3RST",
        48 => "ELNRNG",
        49 => "EUNATCH",
        50 => "ENOCSI",
        51 => "EL2HLT",
        52 => "EBADE",
        53 => "EBADR",
        54 => "EXFULL",
        55 => "ENOANO",
        56 => "EBADRQC",
        57 => "EBADSLT",
        59 => "EBFONT",
        60 => "ENOSTR",
        61 => "ENODATA",
        62 => "ETIME",
        63 => "ENOSR",
        64 => "ENONET",
        65 => "ENOPKG",
        66 => "EREMOTE",
        67 => "ENOLINK",
        68 => "EADV",
        69 => "ESRMNT",
        70 => "ECOMM",
        71 => "EPROTO",
        72 => "EMULTIHOP",
        73 => "EDOTDOT",
        74 => "EBADMSG",
        75 => "EOVERFLOW",
        76 => "ENOTUNIQ",
        77 => "EBADFD",
        78 => "EREMCHG",
        79 => "ELIBACC",
        80 => "ELIBBAD",
        81 => "ELIBSCN",
        82 => "ELIBMAX",
        83 => "ELIBEXEC",
        84 => "EILSEQ",
        85 => "ERESTART",
        86 => "ESTRPIPE",
        87 => "EUSERS",
        88 => "ENOTSOCK",
        89 => "EDESTADDRREQ",
        90 => "EMSGSIZE",
        91 => "EPROTOTYPE",
        92 => "ENOPROTOOPT",
        93 => "EPROTONOSUPPORT",
        94 => "ESOCKTNOSUPPORT",
        95 => "EOPNOTSUPP",
        96 => "EPFNOSUPPORT",
        97 => "EAFNOSUPPORT",
        98 => "EADDRINUSE",
        99 => "EADDRNOTAVAIL",
        100 => "ENETDOWN",
        101 => "ENETUNREACH",
        102 => "ENETRESET",
        103 => "ECONNABORTED",
        104 => "ECONNRESET",
        105 => "ENOBUFS",
        106 => "EISCONN",
        107 => "ENOTCONN",
        108 => "ESHUTDOWN",
        109 => "ETOOMANYREFS",
        110 => "ETIMEDOUT",
        111 => "ECONNREFUSED",
        112 => "EHOSTDOWN",
        113 => "EHOSTUNREACH",
        114 => "EALREADY",
        115 => "EINPROGRESS",
        116 => "ESTALE",
        117 => "EUCLEAN",
        118 => "ENOTNAM",
        119 => "ENAVAIL",
        120 => "EISNAM",
        121 => "EREMOTEIO",
        122 => "EDQUOT",
        123 => "ENOMEDIUM",
        124 => "EMEDIUMTYPE",
        125 => "ECANCELED",
        126 => "ENOKEY",
        127 => "EKEYEXPIRED",
        128 => "EKEYREVOKED",
        129 => "EKEYREJECTED",
        130 => "EOWNERDEAD",
        131 => "ENOTRECOVERABLE",
        132 => "ERFKILL",
        133 => "EHWPOISON",
        512 => "ERESTARTSYS",
        513 => "ERESTARTNOINTR",
        514 => "ERESTARTNOHAND",
        515 => "ENOIOCTLCMD",
        516 => "ERESTART_RESTARTBLOCK",
        521 => "EBADHANDLE",
        522 => "ENOTSYNC",
        523 => "EBADCOOKIE",
        524 => "ENOTSUPP",
        525 => "ETOOSMALL",
        526 => "ESERVERFAULT",
        527 => "EBADTYPE",
        528 => "EJUKEBOX",
        529 => "EIOCBQUEUED",
        _ => return None,
    })
}

/// Name of a signal number, e.g. `9` → `SIGKILL`.
pub fn signal_name(sig: u8) -> Option<&'static str> {
    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    NAMES.get(usize::from(sig).checked_sub(1)?).copied()
}

/// Linux capability names by bit number.
pub const CAPABILITIES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// A capability set as Falco prints it: the names of the set bits, separated
/// by spaces (empty for no capabilities).
pub fn caps_text(caps: u64) -> String {
    let mut out = String::new();
    for (bit, name) in CAPABILITIES.iter().enumerate() {
        if caps & (1u64 << bit) != 0 {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(name);
        }
    }
    out
}

/// A table of symbolic names for a flag or enum parameter.
pub type Names = &'static [(&'static str, u32)];

/// Open flags (`open`, `openat`, `openat2`, `pipe2`, `dup3`...).
pub const FILE_FLAGS: Names = &[
    ("O_LARGEFILE", 1 << 11),
    ("O_DIRECTORY", 1 << 10),
    ("O_DIRECT", 1 << 9),
    ("O_TRUNC", 1 << 8),
    ("O_SYNC", 1 << 7),
    ("O_NONBLOCK", 1 << 6),
    ("O_EXCL", 1 << 5),
    ("O_DSYNC", 1 << 4),
    ("O_APPEND", 1 << 3),
    ("O_CREAT", 1 << 2),
    ("O_RDWR", 3),
    ("O_WRONLY", 1 << 1),
    ("O_RDONLY", 1),
    ("O_CLOEXEC", 1 << 12),
    ("O_NONE", 0),
    ("O_TMPFILE", 1 << 13),
    ("O_F_CREATED", 1 << 14),
];

/// Socket address families (`socket`, `socketpair` `domain`).
pub const SOCKET_FAMILIES: Names = &[
    ("AF_NFC", 39),
    ("AF_ALG", 38),
    ("AF_CAIF", 37),
    ("AF_IEEE802154", 36),
    ("AF_PHONET", 35),
    ("AF_ISDN", 34),
    ("AF_RXRPC", 33),
    ("AF_IUCV", 32),
    ("AF_BLUETOOTH", 31),
    ("AF_TIPC", 30),
    ("AF_CAN", 29),
    ("AF_LLC", 26),
    ("AF_WANPIPE", 25),
    ("AF_PPPOX", 24),
    ("AF_IRDA", 23),
    ("AF_SNA", 22),
    ("AF_RDS", 21),
    ("AF_ATMSVC", 20),
    ("AF_ECONET", 19),
    ("AF_ASH", 18),
    ("AF_PACKET", 17),
    ("AF_ROUTE", 16),
    ("AF_NETLINK", 16),
    ("AF_KEY", 15),
    ("AF_SECURITY", 14),
    ("AF_NETBEUI", 13),
    ("AF_DECnet", 12),
    ("AF_ROSE", 11),
    ("AF_INET6", 10),
    ("AF_X25", 9),
    ("AF_ATMPVC", 8),
    ("AF_BRIDGE", 7),
    ("AF_NETROM", 6),
    ("AF_APPLETALK", 5),
    ("AF_IPX", 4),
    ("AF_AX25", 3),
    ("AF_INET", 2),
    ("AF_LOCAL", 1),
    ("AF_UNIX", 1),
    ("AF_UNSPEC", 0),
];

/// Clone flags (`clone`, `fork`, `vfork`, `clone3`, `unshare`, `setns`).
pub const CLONE_FLAGS: Names = &[
    ("CLONE_FILES", 1 << 0),
    ("CLONE_FS", 1 << 1),
    ("CLONE_IO", 1 << 2),
    ("CLONE_NEWIPC", 1 << 3),
    ("CLONE_NEWNET", 1 << 4),
    ("CLONE_NEWNS", 1 << 5),
    ("CLONE_NEWPID", 1 << 6),
    ("CLONE_NEWUTS", 1 << 7),
    ("CLONE_PARENT", 1 << 8),
    ("CLONE_PARENT_SETTID", 1 << 9),
    ("CLONE_PTRACE", 1 << 10),
    ("CLONE_SIGHAND", 1 << 11),
    ("CLONE_SYSVSEM", 1 << 12),
    ("CLONE_THREAD", 1 << 13),
    ("CLONE_UNTRACED", 1 << 14),
    ("CLONE_VM", 1 << 15),
    ("CLONE_INVERTED", 1 << 16),
    ("NAME_CHANGED", 1 << 17),
    ("CLOSED", 1 << 18),
    ("CLONE_NEWUSER", 1 << 20),
    ("CLONE_CHILD_CLEARTID", 1 << 23),
    ("CLONE_CHILD_SETTID", 1 << 24),
    ("CLONE_SETTLS", 1 << 25),
    ("CLONE_STOPPED", 1 << 26),
    ("CLONE_VFORK", 1 << 27),
    ("CLONE_NEWCGROUP", 1 << 28),
];

/// `ptrace` requests (an enum).
pub const PTRACE_REQUESTS: Names = &[
    ("PTRACE_SINGLEBLOCK", 38),
    ("PTRACE_SYSEMU_SINGLESTEP", 37),
    ("PTRACE_SYSEMU", 36),
    ("PTRACE_ARCH_PRCTL", 35),
    ("PTRACE_SET_THREAD_AREA", 34),
    ("PTRACE_GET_THREAD_AREA", 33),
    ("PTRACE_OLDSETOPTIONS", 32),
    ("PTRACE_SETFPXREGS", 31),
    ("PTRACE_GETFPXREGS", 30),
    ("PTRACE_SETFPREGS", 29),
    ("PTRACE_GETFPREGS", 28),
    ("PTRACE_SETREGS", 27),
    ("PTRACE_GETREGS", 26),
    ("PTRACE_SETSIGMASK", 25),
    ("PTRACE_GETSIGMASK", 24),
    ("PTRACE_PEEKSIGINFO", 23),
    ("PTRACE_LISTEN", 22),
    ("PTRACE_INTERRUPT", 21),
    ("PTRACE_SEIZE", 20),
    ("PTRACE_SETREGSET", 19),
    ("PTRACE_GETREGSET", 18),
    ("PTRACE_SETSIGINFO", 17),
    ("PTRACE_GETSIGINFO", 16),
    ("PTRACE_GETEVENTMSG", 15),
    ("PTRACE_SETOPTIONS", 14),
    ("PTRACE_SYSCALL", 13),
    ("PTRACE_DETACH", 12),
    ("PTRACE_ATTACH", 11),
    ("PTRACE_SINGLESTEP", 10),
    ("PTRACE_KILL", 9),
    ("PTRACE_CONT", 8),
    ("PTRACE_POKEUSR", 7),
    ("PTRACE_POKEDATA", 6),
    ("PTRACE_POKETEXT", 5),
    ("PTRACE_PEEKUSR", 4),
    ("PTRACE_PEEKDATA", 3),
    ("PTRACE_PEEKTEXT", 2),
    ("PTRACE_TRACEME", 1),
    ("PTRACE_UNKNOWN", 0),
];

/// `bpf` commands (`cmd`): the kernel's `enum bpf_cmd`, listed from the highest value so the
/// exact one is found first.
pub const BPF_COMMANDS: Names = &[
    ("BPF_PROG_BIND_MAP", 35),
    ("BPF_LINK_DETACH", 34),
    ("BPF_ITER_CREATE", 33),
    ("BPF_ENABLE_STATS", 32),
    ("BPF_LINK_GET_NEXT_ID", 31),
    ("BPF_LINK_GET_FD_BY_ID", 30),
    ("BPF_LINK_UPDATE", 29),
    ("BPF_LINK_CREATE", 28),
    ("BPF_MAP_DELETE_BATCH", 27),
    ("BPF_MAP_UPDATE_BATCH", 26),
    ("BPF_MAP_LOOKUP_AND_DELETE_BATCH", 25),
    ("BPF_MAP_LOOKUP_BATCH", 24),
    ("BPF_BTF_GET_NEXT_ID", 23),
    ("BPF_MAP_FREEZE", 22),
    ("BPF_MAP_LOOKUP_AND_DELETE_ELEM", 21),
    ("BPF_TASK_FD_QUERY", 20),
    ("BPF_BTF_GET_FD_BY_ID", 19),
    ("BPF_BTF_LOAD", 18),
    ("BPF_RAW_TRACEPOINT_OPEN", 17),
    ("BPF_PROG_QUERY", 16),
    ("BPF_OBJ_GET_INFO_BY_FD", 15),
    ("BPF_MAP_GET_FD_BY_ID", 14),
    ("BPF_PROG_GET_FD_BY_ID", 13),
    ("BPF_MAP_GET_NEXT_ID", 12),
    ("BPF_PROG_GET_NEXT_ID", 11),
    ("BPF_PROG_TEST_RUN", 10),
    ("BPF_PROG_DETACH", 9),
    ("BPF_PROG_ATTACH", 8),
    ("BPF_OBJ_GET", 7),
    ("BPF_OBJ_PIN", 6),
    ("BPF_PROG_LOAD", 5),
    ("BPF_MAP_GET_NEXT_KEY", 4),
    ("BPF_MAP_DELETE_ELEM", 3),
    ("BPF_MAP_UPDATE_ELEM", 2),
    ("BPF_MAP_LOOKUP_ELEM", 1),
    ("BPF_MAP_CREATE", 0),
];

/// Memory protection (`mmap`, `mprotect` `prot`).
pub const PROT_FLAGS: Names = &[
    ("PROT_READ", 1 << 0),
    ("PROT_WRITE", 1 << 1),
    ("PROT_EXEC", 1 << 2),
    ("PROT_SEM", 1 << 3),
    ("PROT_GROWSDOWN", 1 << 4),
    ("PROT_GROWSUP", 1 << 5),
    ("PROT_SAO", 1 << 6),
    ("PROT_NONE", 0),
];

/// `mmap` flags.
pub const MMAP_FLAGS: Names = &[
    ("MAP_SHARED", 1 << 0),
    ("MAP_PRIVATE", 1 << 1),
    ("MAP_FIXED", 1 << 2),
    ("MAP_ANONYMOUS", 1 << 3),
    ("MAP_32BIT", 1 << 4),
    ("MAP_RENAME", 1 << 5),
    ("MAP_NORESERVE", 1 << 6),
    ("MAP_POPULATE", 1 << 7),
    ("MAP_NONBLOCK", 1 << 8),
    ("MAP_GROWSDOWN", 1 << 9),
    ("MAP_DENYWRITE", 1 << 10),
    ("MAP_EXECUTABLE", 1 << 11),
    ("MAP_INHERIT", 1 << 12),
    ("MAP_FILE", 1 << 13),
    ("MAP_LOCKED", 1 << 14),
];

/// `fcntl` commands (an enum).
pub const FCNTL_COMMANDS: Names = &[
    ("F_GETPIPE_SZ", 29),
    ("F_SETPIPE_SZ", 28),
    ("F_NOTIFY", 27),
    ("F_DUPFD_CLOEXEC", 26),
    ("F_CANCELLK", 25),
    ("F_GETLEASE", 24),
    ("F_SETLEASE", 23),
    ("F_GETOWN_EX", 22),
    ("F_SETOWN_EX", 21),
    ("F_GETSIG", 15),
    ("F_SETSIG", 13),
    ("F_GETOWN", 12),
    ("F_SETOWN", 10),
    ("F_SETLKW", 9),
    ("F_SETLK", 8),
    ("F_GETLK", 6),
    ("F_SETFL", 5),
    ("F_GETFL", 4),
    ("F_SETFD", 3),
    ("F_GETFD", 2),
    ("F_DUPFD", 1),
    ("F_OFD_GETLK", 30),
    ("F_OFD_SETLK", 31),
    ("F_OFD_SETLKW", 32),
    ("UNKNOWN", 0),
];

/// `shutdown` how (an enum).
pub const SHUTDOWN_HOW: Names = &[("SHUT_RDWR", 2), ("SHUT_WR", 1), ("SHUT_RD", 0)];

/// `lseek` whence (an enum).
pub const LSEEK_WHENCE: Names = &[("SEEK_END", 2), ("SEEK_CUR", 1), ("SEEK_SET", 0)];

/// `unlinkat` flags.
pub const UNLINKAT_FLAGS: Names = &[("AT_REMOVEDIR", 0x200)];

/// `linkat` flags.
pub const LINKAT_FLAGS: Names = &[("AT_SYMLINK_FOLLOW", 0x400), ("AT_EMPTY_PATH", 0x1000)];

/// `access` mode.
pub const ACCESS_FLAGS: Names = &[("F_OK", 0), ("R_OK", 1 << 2), ("W_OK", 1 << 1), ("X_OK", 1 << 0)];

/// `execve` / `execveat` executable flags.
pub const EXECVE_FLAGS: Names = &[
    ("EXE_WRITABLE", 1 << 0),
    ("EXE_UPPER_LAYER", 1 << 1),
    ("EXE_FROM_MEMFD", 1 << 2),
    ("EXE_LOWER_LAYER", 1 << 3),
];

/// `memfd_create` flags.
pub const MEMFD_FLAGS: Names = &[
    ("MFD_CLOEXEC", 1 << 0),
    ("MFD_ALLOW_SEALING", 1 << 1),
    ("MFD_HUGETLB", 1 << 2),
];

/// `renameat2` flags.
pub const RENAMEAT2_FLAGS: Names = &[
    ("RENAME_NOREPLACE", 1 << 0),
    ("RENAME_EXCHANGE", 1 << 1),
    ("RENAME_WHITEOUT", 1 << 2),
];

/// `epoll_create1` flags.
pub const EPOLL_CREATE1_FLAGS: Names = &[("EPOLL_CLOEXEC", 1 << 0)];

/// `umount2` flags.
pub const UMOUNT_FLAGS: Names = &[
    ("FORCE", 1 << 0),
    ("DETACH", 1 << 1),
    ("EXPIRE", 1 << 2),
    ("NOFOLLOW", 1 << 3),
];

/// `mount` flags.
pub const MOUNT_FLAGS: Names = &[
    ("RDONLY", 1 << 0),
    ("NOSUID", 1 << 1),
    ("NODEV", 1 << 2),
    ("NOEXEC", 1 << 3),
    ("SYNCHRONOUS", 1 << 4),
    ("REMOUNT", 1 << 5),
    ("MANDLOCK", 1 << 6),
    ("DIRSYNC", 1 << 7),
    ("NOATIME", 1 << 10),
    ("NODIRATIME", 1 << 11),
    ("BIND", 1 << 12),
    ("MOVE", 1 << 13),
    ("REC", 1 << 14),
    ("SILENT", 1 << 15),
    ("POSIXACL", 1 << 16),
    ("UNBINDABLE", 1 << 17),
    ("PRIVATE", 1 << 18),
    ("SLAVE", 1 << 19),
    ("SHARED", 1 << 20),
    ("RELATIME", 1 << 21),
    ("KERNMOUNT", 1 << 22),
    ("I_VERSION", 1 << 23),
    ("STRICTATIME", 1 << 24),
    ("LAZYTIME", 1 << 25),
    ("NOSEC", 1 << 28),
    ("BORN", 1 << 29),
    ("ACTIVE", 1 << 30),
    ("NOUSER", 1 << 31),
];

/// File mode bits (PT_MODE parameters of `chmod`, `fchmod`, `fchmodat`, `mknod`).
pub const MODE_BITS: Names = &[
    ("S_IXOTH", 1 << 0),
    ("S_IWOTH", 1 << 1),
    ("S_IROTH", 1 << 2),
    ("S_IXGRP", 1 << 3),
    ("S_IWGRP", 1 << 4),
    ("S_IRGRP", 1 << 5),
    ("S_IXUSR", 1 << 6),
    ("S_IWUSR", 1 << 7),
    ("S_IRUSR", 1 << 8),
    ("S_ISVTX", 1 << 9),
    ("S_ISGID", 1 << 10),
    ("S_ISUID", 1 << 11),
];

/// The name table used to render parameter `param` of event `event`, if any.
pub fn table_for(event: &str, param: &str) -> Option<Names> {
    Some(match (event, param) {
        ("open" | "openat" | "openat2" | "open_by_handle_at" | "pipe2" | "dup3", "flags") => FILE_FLAGS,
        ("socket" | "socketpair", "domain") => SOCKET_FAMILIES,
        ("clone" | "clone3" | "fork" | "vfork" | "unshare", "flags") | ("setns", "nstype") => CLONE_FLAGS,
        ("ptrace", "request") => PTRACE_REQUESTS,
        ("bpf", "cmd") => BPF_COMMANDS,
        ("mmap" | "mmap2" | "mprotect", "prot") => PROT_FLAGS,
        ("mmap" | "mmap2", "flags") => MMAP_FLAGS,
        ("fcntl", "cmd") => FCNTL_COMMANDS,
        ("shutdown", "how") => SHUTDOWN_HOW,
        ("lseek" | "llseek", "whence") => LSEEK_WHENCE,
        ("unlinkat", "flags") => UNLINKAT_FLAGS,
        ("linkat", "flags") => LINKAT_FLAGS,
        ("access", "mode") => ACCESS_FLAGS,
        ("execve" | "execveat", "flags") => EXECVE_FLAGS,
        ("memfd_create", "flags") => MEMFD_FLAGS,
        ("renameat2", "flags") => RENAMEAT2_FLAGS,
        ("epoll_create1", "flags") => EPOLL_CREATE1_FLAGS,
        ("umount2", "flags") => UMOUNT_FLAGS,
        ("mount", "flags") => MOUNT_FLAGS,
        ("chmod" | "fchmod" | "fchmodat" | "mknod" | "mknodat", "mode") => MODE_BITS,
        _ => return None,
    })
}

/// Spells a bitmask with `names`, the way libsinsp does: walk the table in
/// order, take every entry whose bits are all set (clearing them so that
/// aliases are not repeated) and stop at an exact match of the whole value.
/// `0` only matches a zero-valued entry. Empty when nothing matches.
pub fn flags_text(names: Names, value: u32) -> String {
    let mut out = String::new();
    let mut rest = value;
    for &(name, bits) in names {
        let hit = if bits == 0 {
            value == 0
        } else {
            rest != 0 && rest & bits == bits
        };
        if hit {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            rest &= !bits;
            if bits == value {
                break;
            }
        }
    }
    out
}

/// Spells an enum value: every entry equal to it, joined by `|` (several
/// names can share a value, like `AF_LOCAL` and `AF_UNIX`).
pub fn enum_text(names: Names, value: u32) -> String {
    let mut out = String::new();
    for &(name, v) in names {
        if v == value {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
        }
    }
    out
}

/// Spells a file mode: the set permission bits in table order, then, if an
/// entry equals the whole value, that entry (libsinsp's mode rendering).
pub fn mode_text(names: Names, value: u32) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut exact = None;
    for &(name, bits) in names {
        if bits == value {
            exact = Some(name);
            break;
        }
        let hit = (bits == 0 && value == 0) || (bits != 0 && rest != 0 && rest & bits == bits);
        if hit {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            rest &= !bits;
        }
    }
    if let Some(name) = exact {
        if !out.is_empty() {
            out.push('|');
        }
        out.push_str(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags_spelling() {
        assert_eq!(flags_text(FILE_FLAGS, 1), "O_RDONLY");
        assert_eq!(flags_text(BPF_COMMANDS, 5), "BPF_PROG_LOAD");
        assert_eq!(flags_text(BPF_COMMANDS, 0), "BPF_MAP_CREATE");
        assert_eq!(flags_text(BPF_COMMANDS, 28), "BPF_LINK_CREATE");
        assert_eq!(flags_text(FILE_FLAGS, 4097), "O_RDONLY|O_CLOEXEC");
        assert_eq!(flags_text(FILE_FLAGS, 3 | (1 << 8)), "O_TRUNC|O_RDWR");
        assert_eq!(flags_text(FILE_FLAGS, 0), "O_NONE");
        assert_eq!(enum_text(SOCKET_FAMILIES, 1), "AF_LOCAL|AF_UNIX");
        assert_eq!(enum_text(SOCKET_FAMILIES, 17), "AF_PACKET");
        assert_eq!(
            mode_text(MODE_BITS, 0o755),
            "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR"
        );
        assert_eq!(caps_text(0b101), "CAP_CHOWN CAP_DAC_READ_SEARCH");
        assert_eq!(errno_name(2), Some("ENOENT"));
        assert_eq!(signal_name(9), Some("SIGKILL"));
    }
}
