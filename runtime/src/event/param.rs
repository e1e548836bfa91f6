//! Typed event parameters.
//!
//! The event table gives every parameter a wire type (PT_*); [`decode`] turns
//! the raw bytes into a [`Param`] of that type without copying. A parameter of
//! length zero means "not available" and decodes as [`Param::Empty`]; bytes
//! whose size cannot be of the declared type decode as [`Param::Malformed`].

use std::net::{Ipv4Addr, Ipv6Addr};

use falcorc_compiler::sema::catalog::FieldType;

use super::lists::{FdList, StrList};
use super::net::{SockAddr, SockTuple, c_str};

/// A decoded parameter value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Param<'a> {
    /// Zero-length parameter: the value was not available.
    Empty,
    /// PT_INT8.
    Int8(i8),
    /// PT_INT16.
    Int16(i16),
    /// PT_INT32.
    Int32(i32),
    /// PT_INT64.
    Int64(i64),
    /// PT_UINT8.
    Uint8(u8),
    /// PT_UINT16.
    Uint16(u16),
    /// PT_UINT32.
    Uint32(u32),
    /// PT_UINT64.
    Uint64(u64),
    /// PT_CHARBUF, PT_FSPATH, PT_FSRELPATH: the bytes before the first NUL.
    Str(&'a [u8]),
    /// PT_BYTEBUF and types without a richer decoding.
    Bytes(&'a [u8]),
    /// PT_ERRNO: a syscall result, negative errno on failure.
    Errno(i64),
    /// PT_FD.
    Fd(i64),
    /// PT_PID.
    Pid(i64),
    /// PT_SOCKADDR.
    SockAddr(SockAddr<'a>),
    /// PT_SOCKTUPLE.
    SockTuple(SockTuple<'a>),
    /// PT_FDLIST.
    FdList(FdList<'a>),
    /// PT_SYSCALLID: a portable syscall code.
    SyscallId(u16),
    /// PT_SIGTYPE: a signal number.
    SigType(u8),
    /// PT_RELTIME: nanoseconds.
    RelTime(u64),
    /// PT_ABSTIME: nanoseconds since the epoch.
    AbsTime(u64),
    /// PT_PORT.
    Port(u16),
    /// PT_L4PROTO.
    L4Proto(u8),
    /// PT_SOCKFAMILY.
    SockFamily(u8),
    /// PT_BOOL.
    Bool(bool),
    /// PT_IPV4ADDR (or a 4-byte PT_IPADDR).
    Ipv4Addr(Ipv4Addr),
    /// PT_IPV6ADDR (or a 16-byte PT_IPADDR).
    Ipv6Addr(Ipv6Addr),
    /// PT_DYN: a selector and a value whose type depends on it.
    Dyn {
        /// Selector (e.g. PPM_SOCKOPT_IDX_*).
        index: u8,
        /// The value bytes.
        value: &'a [u8],
    },
    /// PT_FLAGS8.
    Flags8(u8),
    /// PT_FLAGS16.
    Flags16(u16),
    /// PT_FLAGS32.
    Flags32(u32),
    /// PT_ENUMFLAGS8.
    EnumFlags8(u8),
    /// PT_ENUMFLAGS16.
    EnumFlags16(u16),
    /// PT_ENUMFLAGS32.
    EnumFlags32(u32),
    /// PT_UID (`u32::MAX` = none).
    Uid(u32),
    /// PT_GID (`u32::MAX` = none).
    Gid(u32),
    /// PT_MODE.
    Mode(u32),
    /// PT_SIGSET.
    SigSet(u32),
    /// PT_DOUBLE.
    Double(f64),
    /// PT_FD32.
    Fd32(i32),
    /// PT_PID32.
    Pid32(i32),
    /// PT_CHARBUFARRAY: NUL-separated strings.
    CharbufArray(StrList<'a>),
    /// PT_CHARBUF_PAIR_ARRAY: NUL-separated strings, alternately key and value.
    CharbufPairArray(StrList<'a>),
    /// The size does not fit the declared type; the raw bytes.
    Malformed(&'a [u8]),
}

fn fixed<const N: usize>(raw: &[u8]) -> Option<[u8; N]> {
    raw.try_into().ok()
}

/// Decodes `raw` as a parameter of wire type `ty`.
pub fn decode(ty: FieldType, raw: &[u8]) -> Param<'_> {
    use FieldType as T;
    if raw.is_empty() {
        return Param::Empty;
    }
    let p = match ty {
        T::Int8 => fixed::<1>(raw).map(|b| Param::Int8(i8::from_le_bytes(b))),
        T::Int16 => fixed(raw).map(|b| Param::Int16(i16::from_le_bytes(b))),
        T::Int32 => fixed(raw).map(|b| Param::Int32(i32::from_le_bytes(b))),
        T::Int64 => fixed(raw).map(|b| Param::Int64(i64::from_le_bytes(b))),
        T::Uint8 => fixed::<1>(raw).map(|b| Param::Uint8(b[0])),
        T::Uint16 => fixed(raw).map(|b| Param::Uint16(u16::from_le_bytes(b))),
        T::Uint32 => fixed(raw).map(|b| Param::Uint32(u32::from_le_bytes(b))),
        T::Uint64 => fixed(raw).map(|b| Param::Uint64(u64::from_le_bytes(b))),
        T::Charbuf | T::Fspath | T::Fsrelpath => Some(Param::Str(c_str(raw))),
        T::Bytebuf | T::IpNet | T::Ipv4Net | T::Ipv6Net => Some(Param::Bytes(raw)),
        T::Errno => fixed(raw).map(|b| Param::Errno(i64::from_le_bytes(b))),
        T::Fd => fixed(raw).map(|b| Param::Fd(i64::from_le_bytes(b))),
        T::Pid => fixed(raw).map(|b| Param::Pid(i64::from_le_bytes(b))),
        T::SockAddr => SockAddr::parse(raw).map(Param::SockAddr),
        T::SockTuple => SockTuple::parse(raw).map(Param::SockTuple),
        T::FdList => FdList::parse(raw).map(Param::FdList),
        T::Syscallid => fixed(raw).map(|b| Param::SyscallId(u16::from_le_bytes(b))),
        T::Sigtype => fixed::<1>(raw).map(|b| Param::SigType(b[0])),
        T::Reltime => fixed(raw).map(|b| Param::RelTime(u64::from_le_bytes(b))),
        T::Abstime => fixed(raw).map(|b| Param::AbsTime(u64::from_le_bytes(b))),
        T::Port => fixed(raw).map(|b| Param::Port(u16::from_le_bytes(b))),
        T::L4Proto => fixed::<1>(raw).map(|b| Param::L4Proto(b[0])),
        T::SockFamily => fixed::<1>(raw).map(|b| Param::SockFamily(b[0])),
        T::Bool => fixed(raw).map(|b| Param::Bool(u32::from_le_bytes(b) != 0)),
        T::Ipv4Addr => fixed::<4>(raw).map(|b| Param::Ipv4Addr(b.into())),
        T::Ipv6Addr => fixed::<16>(raw).map(|b| Param::Ipv6Addr(b.into())),
        T::IpAddr => match raw.len() {
            4 => fixed::<4>(raw).map(|b| Param::Ipv4Addr(b.into())),
            16 => fixed::<16>(raw).map(|b| Param::Ipv6Addr(b.into())),
            _ => None,
        },
        T::Dyn => raw.split_first().map(|(&index, value)| Param::Dyn { index, value }),
        T::Flags8 => fixed::<1>(raw).map(|b| Param::Flags8(b[0])),
        T::Flags16 => fixed(raw).map(|b| Param::Flags16(u16::from_le_bytes(b))),
        T::Flags32 => fixed(raw).map(|b| Param::Flags32(u32::from_le_bytes(b))),
        T::EnumFlags8 => fixed::<1>(raw).map(|b| Param::EnumFlags8(b[0])),
        T::EnumFlags16 => fixed(raw).map(|b| Param::EnumFlags16(u16::from_le_bytes(b))),
        T::EnumFlags32 => fixed(raw).map(|b| Param::EnumFlags32(u32::from_le_bytes(b))),
        T::Uid => fixed(raw).map(|b| Param::Uid(u32::from_le_bytes(b))),
        T::Gid => fixed(raw).map(|b| Param::Gid(u32::from_le_bytes(b))),
        T::Mode => fixed(raw).map(|b| Param::Mode(u32::from_le_bytes(b))),
        T::Sigset => fixed(raw).map(|b| Param::SigSet(u32::from_le_bytes(b))),
        T::Double => fixed(raw).map(|b| Param::Double(f64::from_le_bytes(b))),
        T::Fd32 => fixed(raw).map(|b| Param::Fd32(i32::from_le_bytes(b))),
        T::Pid32 => fixed(raw).map(|b| Param::Pid32(i32::from_le_bytes(b))),
        T::CharbufArray => Some(Param::CharbufArray(StrList::new(raw))),
        T::CharbufPairArray => Some(Param::CharbufPairArray(StrList::new(raw))),
    };
    p.unwrap_or(Param::Malformed(raw))
}

impl<'a> Param<'a> {
    /// The value as a signed integer, for every integer-like variant.
    pub fn as_i64(&self) -> Option<i64> {
        Some(match *self {
            Param::Int8(v) => v.into(),
            Param::Int16(v) => v.into(),
            Param::Int32(v) | Param::Fd32(v) | Param::Pid32(v) => v.into(),
            Param::Int64(v) | Param::Errno(v) | Param::Fd(v) | Param::Pid(v) => v,
            Param::Uint8(v)
            | Param::SigType(v)
            | Param::L4Proto(v)
            | Param::SockFamily(v)
            | Param::Flags8(v)
            | Param::EnumFlags8(v) => v.into(),
            Param::Uint16(v) | Param::SyscallId(v) | Param::Port(v) | Param::Flags16(v) | Param::EnumFlags16(v) => {
                v.into()
            }
            Param::Uint32(v)
            | Param::Flags32(v)
            | Param::EnumFlags32(v)
            | Param::Uid(v)
            | Param::Gid(v)
            | Param::Mode(v)
            | Param::SigSet(v) => v.into(),
            Param::Uint64(v) | Param::RelTime(v) | Param::AbsTime(v) => v as i64,
            Param::Bool(v) => v.into(),
            _ => return None,
        })
    }

    /// The value as an unsigned integer (negative values wrap, as in C).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Param::Uint64(v) | Param::RelTime(v) | Param::AbsTime(v) => Some(v),
            _ => self.as_i64().map(|v| v as u64),
        }
    }

    /// The bytes of a string-like or buffer parameter (`Empty` gives `[]`).
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Param::Empty => Some(&[]),
            Param::Str(b) | Param::Bytes(b) => Some(b),
            Param::CharbufArray(l) | Param::CharbufPairArray(l) => Some(l.raw()),
            _ => None,
        }
    }

    /// The value of a string parameter, if it is valid UTF-8.
    pub fn as_str(&self) -> Option<&'a str> {
        self.as_bytes().and_then(|b| std::str::from_utf8(b).ok())
    }

    /// A NUL-separated list view of a buffer or array parameter (execve
    /// `args`, `env`, `cgroups` are PT_BYTEBUF lists on the wire).
    pub fn as_str_list(&self) -> Option<StrList<'a>> {
        match *self {
            Param::CharbufArray(l) | Param::CharbufPairArray(l) => Some(l),
            Param::Empty => Some(StrList::new(&[])),
            Param::Bytes(b) | Param::Str(b) => Some(StrList::new(b)),
            _ => None,
        }
    }
}

/// Size on the wire of a fixed-size parameter type (integers, flags, ids); `None` for
/// variable-size ones (strings, buffers, addresses, lists).
pub fn fixed_width(ty: FieldType) -> Option<usize> {
    use FieldType as T;
    Some(match ty {
        T::Int8 | T::Uint8 | T::Flags8 | T::EnumFlags8 | T::Sigtype | T::L4Proto | T::SockFamily => 1,
        T::Int16 | T::Uint16 | T::Flags16 | T::EnumFlags16 | T::Syscallid | T::Port => 2,
        T::Int32
        | T::Uint32
        | T::Flags32
        | T::EnumFlags32
        | T::Uid
        | T::Gid
        | T::Mode
        | T::Sigset
        | T::Bool
        | T::Fd32
        | T::Pid32 => 4,
        T::Int64 | T::Uint64 | T::Errno | T::Fd | T::Pid | T::Reltime | T::Abstime => 8,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use FieldType as T;

    #[test]
    fn integers_by_width() {
        assert_eq!(decode(T::Errno, &(-2i64).to_le_bytes()), Param::Errno(-2));
        assert_eq!(decode(T::Fd, &3i64.to_le_bytes()), Param::Fd(3));
        assert_eq!(decode(T::Uint32, &7u32.to_le_bytes()), Param::Uint32(7));
        assert_eq!(decode(T::Int8, &[0xff]), Param::Int8(-1));
        assert_eq!(decode(T::Uint16, &[1]), Param::Malformed(&[1]));
        assert_eq!(decode(T::Uint64, &[]), Param::Empty);
        assert_eq!(decode(T::Bool, &1u32.to_le_bytes()), Param::Bool(true));
        assert_eq!(decode(T::Double, &1.5f64.to_le_bytes()), Param::Double(1.5));
        assert_eq!(decode(T::Errno, &(-2i64).to_le_bytes()).as_i64(), Some(-2));
        assert_eq!(decode(T::Flags32, &[1, 0, 0, 0]).as_u64(), Some(1));
    }

    #[test]
    fn strings_stop_at_nul() {
        assert_eq!(decode(T::Fspath, b"/etc/passwd\0"), Param::Str(b"/etc/passwd"));
        assert_eq!(decode(T::Charbuf, b"abc"), Param::Str(b"abc"));
        assert_eq!(decode(T::Charbuf, b"\0").as_str(), Some(""));
        assert_eq!(
            decode(T::Bytebuf, b"a\0b\0").as_str_list().unwrap().to_strings(),
            ["a", "b"]
        );
    }

    #[test]
    fn dyn_and_addresses() {
        assert_eq!(
            decode(T::Dyn, &[2, 9, 0, 0, 0]),
            Param::Dyn {
                index: 2,
                value: &[9, 0, 0, 0]
            }
        );
        assert_eq!(
            decode(T::Ipv4Addr, &[10, 0, 0, 1]),
            Param::Ipv4Addr(Ipv4Addr::new(10, 0, 0, 1))
        );
        assert_eq!(decode(T::IpAddr, &[1, 2, 3]), Param::Malformed(&[1, 2, 3]));
    }
}
