//! Vocabulary shared by the field and event catalogues: value types, field
//! classes, argument forms and field flags.

/// Value type of a field or event parameter, mirroring the libscap `PT_*`
/// parameter types.
///
/// The first group of variants occurs in the field catalogue; the rest exist
/// for completeness and for typing event parameters (e.g. `evt.rawarg.NAME`,
/// whose type is the type of the named parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    // --- types used by fields ---
    /// Absolute time, nanoseconds since the Unix epoch (u64).
    Abstime,
    /// Boolean.
    Bool,
    /// Raw byte buffer.
    Bytebuf,
    /// NUL-terminated string.
    Charbuf,
    /// 64-bit float.
    Double,
    /// Dynamic: the concrete type depends on the argument (`evt.rawarg`).
    Dyn,
    /// Signed 16-bit integer.
    Int16,
    /// Signed 32-bit integer.
    Int32,
    /// Signed 64-bit integer.
    Int64,
    /// IPv4 or IPv6 address.
    IpAddr,
    /// IPv4 or IPv6 network (CIDR).
    IpNet,
    /// TCP/UDP port (u16).
    Port,
    /// Relative time / duration in nanoseconds (u64).
    Reltime,
    /// Unsigned 32-bit integer.
    Uint32,
    /// Unsigned 64-bit integer.
    Uint64,
    // --- other PT_ types ---
    /// Signed 8-bit integer.
    Int8,
    /// Unsigned 8-bit integer.
    Uint8,
    /// Unsigned 16-bit integer.
    Uint16,
    /// Filesystem path (string).
    Fspath,
    /// Filesystem path relative to a dirfd parameter (string).
    Fsrelpath,
    /// IPv4 address.
    Ipv4Addr,
    /// IPv6 address.
    Ipv6Addr,
    /// IPv4 network (CIDR).
    Ipv4Net,
    /// IPv6 network (CIDR).
    Ipv6Net,
    /// Syscall result: negative errno on failure (i64).
    Errno,
    /// File descriptor (i64).
    Fd,
    /// Process/thread id (i64).
    Pid,
    /// File mode bits (u32).
    Mode,
    /// 8-bit flag set.
    Flags8,
    /// 16-bit flag set.
    Flags16,
    /// 32-bit flag set.
    Flags32,
    /// User id (u32).
    Uid,
    /// Group id (u32).
    Gid,
    /// Signal number (u8).
    Sigtype,
    /// ppm syscall code (u16).
    Syscallid,
    /// Layer-4 protocol (u8).
    L4Proto,
    /// Socket family (u8).
    SockFamily,
    /// 8-bit enumerated value.
    EnumFlags8,
    /// 16-bit enumerated value.
    EnumFlags16,
    /// 32-bit enumerated value.
    EnumFlags32,
    // --- event-parameter-only types ---
    /// 32-bit file descriptor.
    Fd32,
    /// 32-bit pid.
    Pid32,
    /// Socket address.
    SockAddr,
    /// Socket connection tuple.
    SockTuple,
    /// List of file descriptors (poll).
    FdList,
    /// Array of strings.
    CharbufArray,
    /// Array of string pairs.
    CharbufPairArray,
    /// Signal set (u32).
    Sigset,
}

impl FieldType {
    /// Every variant, in declaration order.
    pub const ALL: &'static [FieldType] = &[
        FieldType::Abstime,
        FieldType::Bool,
        FieldType::Bytebuf,
        FieldType::Charbuf,
        FieldType::Double,
        FieldType::Dyn,
        FieldType::Int16,
        FieldType::Int32,
        FieldType::Int64,
        FieldType::IpAddr,
        FieldType::IpNet,
        FieldType::Port,
        FieldType::Reltime,
        FieldType::Uint32,
        FieldType::Uint64,
        FieldType::Int8,
        FieldType::Uint8,
        FieldType::Uint16,
        FieldType::Fspath,
        FieldType::Fsrelpath,
        FieldType::Ipv4Addr,
        FieldType::Ipv6Addr,
        FieldType::Ipv4Net,
        FieldType::Ipv6Net,
        FieldType::Errno,
        FieldType::Fd,
        FieldType::Pid,
        FieldType::Mode,
        FieldType::Flags8,
        FieldType::Flags16,
        FieldType::Flags32,
        FieldType::Uid,
        FieldType::Gid,
        FieldType::Sigtype,
        FieldType::Syscallid,
        FieldType::L4Proto,
        FieldType::SockFamily,
        FieldType::EnumFlags8,
        FieldType::EnumFlags16,
        FieldType::EnumFlags32,
        FieldType::Fd32,
        FieldType::Pid32,
        FieldType::SockAddr,
        FieldType::SockTuple,
        FieldType::FdList,
        FieldType::CharbufArray,
        FieldType::CharbufPairArray,
        FieldType::Sigset,
    ];

    /// The libscap constant name, e.g. `"PT_CHARBUF"`.
    pub fn pt_name(self) -> &'static str {
        match self {
            FieldType::Abstime => "PT_ABSTIME",
            FieldType::Bool => "PT_BOOL",
            FieldType::Bytebuf => "PT_BYTEBUF",
            FieldType::Charbuf => "PT_CHARBUF",
            FieldType::Double => "PT_DOUBLE",
            FieldType::Dyn => "PT_DYN",
            FieldType::Int16 => "PT_INT16",
            FieldType::Int32 => "PT_INT32",
            FieldType::Int64 => "PT_INT64",
            FieldType::IpAddr => "PT_IPADDR",
            FieldType::IpNet => "PT_IPNET",
            FieldType::Port => "PT_PORT",
            FieldType::Reltime => "PT_RELTIME",
            FieldType::Uint32 => "PT_UINT32",
            FieldType::Uint64 => "PT_UINT64",
            FieldType::Int8 => "PT_INT8",
            FieldType::Uint8 => "PT_UINT8",
            FieldType::Uint16 => "PT_UINT16",
            FieldType::Fspath => "PT_FSPATH",
            FieldType::Fsrelpath => "PT_FSRELPATH",
            FieldType::Ipv4Addr => "PT_IPV4ADDR",
            FieldType::Ipv6Addr => "PT_IPV6ADDR",
            FieldType::Ipv4Net => "PT_IPV4NET",
            FieldType::Ipv6Net => "PT_IPV6NET",
            FieldType::Errno => "PT_ERRNO",
            FieldType::Fd => "PT_FD",
            FieldType::Pid => "PT_PID",
            FieldType::Mode => "PT_MODE",
            FieldType::Flags8 => "PT_FLAGS8",
            FieldType::Flags16 => "PT_FLAGS16",
            FieldType::Flags32 => "PT_FLAGS32",
            FieldType::Uid => "PT_UID",
            FieldType::Gid => "PT_GID",
            FieldType::Sigtype => "PT_SIGTYPE",
            FieldType::Syscallid => "PT_SYSCALLID",
            FieldType::L4Proto => "PT_L4PROTO",
            FieldType::SockFamily => "PT_SOCKFAMILY",
            FieldType::EnumFlags8 => "PT_ENUMFLAGS8",
            FieldType::EnumFlags16 => "PT_ENUMFLAGS16",
            FieldType::EnumFlags32 => "PT_ENUMFLAGS32",
            FieldType::Fd32 => "PT_FD32",
            FieldType::Pid32 => "PT_PID32",
            FieldType::SockAddr => "PT_SOCKADDR",
            FieldType::SockTuple => "PT_SOCKTUPLE",
            FieldType::FdList => "PT_FDLIST",
            FieldType::CharbufArray => "PT_CHARBUFARRAY",
            FieldType::CharbufPairArray => "PT_CHARBUF_PAIR_ARRAY",
            FieldType::Sigset => "PT_SIGSET",
        }
    }

    /// Inverse of [`FieldType::pt_name`].
    pub fn from_pt_name(name: &str) -> Option<FieldType> {
        FieldType::ALL.iter().copied().find(|t| t.pt_name() == name)
    }

    /// Short lowercase name for diagnostics, e.g. `"string"`, `"uint64"`.
    pub fn short_name(self) -> &'static str {
        match self {
            FieldType::Abstime => "abstime",
            FieldType::Bool => "bool",
            FieldType::Bytebuf => "bytebuf",
            FieldType::Charbuf => "string",
            FieldType::Double => "double",
            FieldType::Dyn => "dynamic",
            FieldType::Int16 => "int16",
            FieldType::Int32 => "int32",
            FieldType::Int64 => "int64",
            FieldType::IpAddr => "ipaddr",
            FieldType::IpNet => "ipnet",
            FieldType::Port => "port",
            FieldType::Reltime => "reltime",
            FieldType::Uint32 => "uint32",
            FieldType::Uint64 => "uint64",
            FieldType::Int8 => "int8",
            FieldType::Uint8 => "uint8",
            FieldType::Uint16 => "uint16",
            FieldType::Fspath => "fspath",
            FieldType::Fsrelpath => "fsrelpath",
            FieldType::Ipv4Addr => "ipv4addr",
            FieldType::Ipv6Addr => "ipv6addr",
            FieldType::Ipv4Net => "ipv4net",
            FieldType::Ipv6Net => "ipv6net",
            FieldType::Errno => "errno",
            FieldType::Fd => "fd",
            FieldType::Pid => "pid",
            FieldType::Mode => "mode",
            FieldType::Flags8 => "flags8",
            FieldType::Flags16 => "flags16",
            FieldType::Flags32 => "flags32",
            FieldType::Uid => "uid",
            FieldType::Gid => "gid",
            FieldType::Sigtype => "sigtype",
            FieldType::Syscallid => "syscallid",
            FieldType::L4Proto => "l4proto",
            FieldType::SockFamily => "sockfamily",
            FieldType::EnumFlags8 => "enumflags8",
            FieldType::EnumFlags16 => "enumflags16",
            FieldType::EnumFlags32 => "enumflags32",
            FieldType::Fd32 => "fd32",
            FieldType::Pid32 => "pid32",
            FieldType::SockAddr => "sockaddr",
            FieldType::SockTuple => "socktuple",
            FieldType::FdList => "fdlist",
            FieldType::CharbufArray => "stringarray",
            FieldType::CharbufPairArray => "stringpairarray",
            FieldType::Sigset => "sigset",
        }
    }

    /// Types that libsinsp compares numerically (`= != < <= > >= in intersects exists`).
    ///
    /// Follows libsinsp's `flt_is_comparable` list exactly; `Uid`, `Gid`,
    /// `Fd32`, `Pid32`, `Sigset`, `L4Proto` and `SockFamily` are integers on
    /// the wire but are not part of that list.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Int8
                | FieldType::Int16
                | FieldType::Int32
                | FieldType::Int64
                | FieldType::Uint8
                | FieldType::Uint16
                | FieldType::Uint32
                | FieldType::Uint64
                | FieldType::Errno
                | FieldType::Fd
                | FieldType::Pid
                | FieldType::Syscallid
                | FieldType::Sigtype
                | FieldType::Reltime
                | FieldType::Abstime
                | FieldType::Port
                | FieldType::Flags8
                | FieldType::Flags16
                | FieldType::Flags32
                | FieldType::EnumFlags8
                | FieldType::EnumFlags16
                | FieldType::EnumFlags32
                | FieldType::Mode
                | FieldType::Double
        )
    }

    /// String types: `PT_CHARBUF`, `PT_FSPATH`, `PT_FSRELPATH`.
    pub fn is_string(self) -> bool {
        matches!(self, FieldType::Charbuf | FieldType::Fspath | FieldType::Fsrelpath)
    }

    /// IP address and network types (generic, v4 and v6).
    pub fn is_ip(self) -> bool {
        matches!(
            self,
            FieldType::IpAddr
                | FieldType::IpNet
                | FieldType::Ipv4Addr
                | FieldType::Ipv6Addr
                | FieldType::Ipv4Net
                | FieldType::Ipv6Net
        )
    }
}

/// Field class (filter-check family). Declaration order is the libsinsp
/// lookup order: a field token is resolved against the first class that has
/// a matching name prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldClass {
    /// `evt.*` fields available for every event source.
    Evt,
    /// `evt.*` / `syscall.*` fields specific to syscall events.
    EvtSyscall,
    /// `proc.*` and `thread.*`.
    Process,
    /// `user.*`.
    User,
    /// `group.*`.
    Group,
    /// `fd.*`.
    Fd,
    /// `fs.path.*`.
    FsPath,
    /// `util.*`.
    Util,
    /// `fdlist.*` (poll events).
    FdList,
    /// `container.*`, `k8s.*`, `proc.is_container_*` from the container plugin.
    Container,
}

impl FieldClass {
    /// All classes in lookup order.
    pub const ALL: &'static [FieldClass] = &[
        FieldClass::Evt,
        FieldClass::EvtSyscall,
        FieldClass::Process,
        FieldClass::User,
        FieldClass::Group,
        FieldClass::Fd,
        FieldClass::FsPath,
        FieldClass::Util,
        FieldClass::FdList,
        FieldClass::Container,
    ];

    /// Human-readable class title.
    pub fn title(self) -> &'static str {
        match self {
            FieldClass::Evt => "evt (generic)",
            FieldClass::EvtSyscall => "evt (syscall)",
            FieldClass::Process => "process",
            FieldClass::User => "user",
            FieldClass::Group => "group",
            FieldClass::Fd => "fd",
            FieldClass::FsPath => "fs.path",
            FieldClass::Util => "util",
            FieldClass::FdList => "fdlist",
            FieldClass::Container => "container",
        }
    }

    /// Position in the lookup order (0 = tried first).
    pub fn lookup_rank(self) -> usize {
        self as usize
    }

    /// True for classes that come from the container plugin rather than libsinsp.
    pub fn is_plugin(self) -> bool {
        self == FieldClass::Container
    }
}

/// Argument form a field accepts after its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// No argument of any kind.
    None,
    /// Bracketed integer `[N]`, e.g. `proc.args[1]`, `fd.types[0]`.
    Index {
        /// Whether the argument is mandatory.
        required: bool,
    },
    /// Bracketed free-form key `[KEY]`, e.g. `container.label[app]`.
    Key {
        /// Whether the argument is mandatory.
        required: bool,
    },
    /// `[N]` (all digits) or `[KEY]`, e.g. `proc.env[HOME]`, `container.mount.dest[/var/run/*]`.
    IndexOrKey {
        /// Whether the argument is mandatory.
        required: bool,
    },
    /// Optional `[N]` ancestor level (0 = self, 1 = parent, ...); without it,
    /// in filters, any ancestor matches (`proc.aname`, `proc.apid`, ...).
    Ancestor,
    /// Required: dotted parameter name `.NAME` or bracketed index `[N]` (`evt.arg`).
    EvtArg,
    /// Required dotted parameter name `.NAME` only; `[N]` is rejected (`evt.rawarg`).
    RawArg,
    /// Required dotted event name or event code: `.NAME` / `.NUMBER` (`evt.type.is`).
    TypeIs,
    /// Required dotted cgroup subsystem `.SUBSYSTEM` (`thread.cgroup`).
    CgroupSubsys,
    /// Bare, `.src` or `.dst` (`evt.abspath`).
    AbsPath,
    /// Required bracketed integer timestamp `[N]` (`evt.around`).
    Around,
}

impl ArgKind {
    /// Whether the field may be followed by a dotted suffix (part of the token).
    pub fn takes_dotted_suffix(self) -> bool {
        matches!(
            self,
            ArgKind::EvtArg | ArgKind::RawArg | ArgKind::TypeIs | ArgKind::CgroupSubsys | ArgKind::AbsPath
        )
    }

    /// Whether the field may be followed by a bracketed `[...]` argument.
    pub fn takes_brackets(self) -> bool {
        matches!(
            self,
            ArgKind::Index { .. }
                | ArgKind::Key { .. }
                | ArgKind::IndexOrKey { .. }
                | ArgKind::Ancestor
                | ArgKind::EvtArg
                | ArgKind::Around
        )
    }

    /// Whether some argument (dotted or bracketed) is mandatory.
    pub fn is_required(self) -> bool {
        match self {
            ArgKind::None | ArgKind::Ancestor | ArgKind::AbsPath => false,
            ArgKind::Index { required } | ArgKind::Key { required } | ArgKind::IndexOrKey { required } => required,
            ArgKind::EvtArg | ArgKind::RawArg | ArgKind::TypeIs | ArgKind::CgroupSubsys | ArgKind::Around => true,
        }
    }
}

/// Field flags (bit set stored in `FieldDef::flags`).
pub mod flags {
    /// Usable in filters only, not in outputs.
    pub const FILTER_ONLY: u16 = 1 << 0;
    /// Usable in outputs only.
    pub const PRINT_ONLY: u16 = 1 << 1;
    /// Hidden from field listings.
    pub const TABLE_ONLY: u16 = 1 << 2;
    /// Deprecated (Falco may warn).
    pub const DEPRECATED: u16 = 1 << 3;
    /// Not allowed on either side of a field-to-field comparison.
    pub const NO_RHS: u16 = 1 << 4;
    /// Cannot be wrapped in a transformer.
    pub const NO_TRANSFORMER: u16 = 1 << 5;
    /// Extracted value pointer is not stable across extractions.
    pub const NO_PTR_STABILITY: u16 = 1 << 6;
    /// Multi-valued (list) field.
    pub const LIST: u16 = 1 << 7;
    /// An argument is required.
    pub const ARG_REQ: u16 = 1 << 8;
    /// An argument is allowed but optional.
    pub const ARG_OPT: u16 = 1 << 9;
    /// Suggested for inclusion in outputs (container plugin).
    pub const FORMAT_SUGGESTED: u16 = 1 << 10;
    /// Deprecated and never produces a value ("DEPRECATED(always empty)").
    pub const ALWAYS_EMPTY: u16 = 1 << 11;
}
