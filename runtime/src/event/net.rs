//! Decoding of socket addresses (PT_SOCKADDR) and connection tuples
//! (PT_SOCKTUPLE) as the driver packs them: a family byte (PPM_AF_*) then
//! addresses in network order and ports in host (little-endian) order.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

/// PPM_AF_UNSPEC.
pub const AF_UNSPEC: u8 = 0;
/// PPM_AF_UNIX / PPM_AF_LOCAL.
pub const AF_UNIX: u8 = 1;
/// PPM_AF_INET.
pub const AF_INET: u8 = 2;
/// PPM_AF_INET6.
pub const AF_INET6: u8 = 10;

/// A decoded PT_SOCKADDR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockAddr<'a> {
    /// Unix-domain path (without the terminating NUL).
    Unix(&'a [u8]),
    /// IPv4 address and port.
    V4(SocketAddrV4),
    /// IPv6 address and port.
    V6(SocketAddrV6),
    /// Any other family, undecoded.
    Other {
        /// PPM_AF_* family.
        family: u8,
        /// Bytes after the family.
        data: &'a [u8],
    },
}

/// A decoded PT_SOCKTUPLE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockTuple<'a> {
    /// IPv4 source and destination.
    V4 {
        /// Source.
        src: SocketAddrV4,
        /// Destination.
        dst: SocketAddrV4,
    },
    /// IPv6 source and destination.
    V6 {
        /// Source.
        src: SocketAddrV6,
        /// Destination.
        dst: SocketAddrV6,
    },
    /// Unix-domain socket pair.
    Unix {
        /// Kernel address of the source socket.
        src: u64,
        /// Kernel address of the destination socket.
        dst: u64,
        /// Path (without the terminating NUL).
        path: &'a [u8],
    },
    /// Any other family, undecoded.
    Other {
        /// PPM_AF_* family.
        family: u8,
        /// Bytes after the family.
        data: &'a [u8],
    },
}

/// Bytes up to the first NUL.
pub(crate) fn c_str(b: &[u8]) -> &[u8] {
    // memchr: every path and name parameter goes through here.
    match memchr::memchr(0, b) {
        Some(end) => &b[..end],
        None => b,
    }
}

fn v4(b: &[u8]) -> SocketAddrV4 {
    let ip: [u8; 4] = b[..4].try_into().unwrap_or_default();
    SocketAddrV4::new(Ipv4Addr::from(ip), u16::from_le_bytes([b[4], b[5]]))
}

fn v6(b: &[u8]) -> SocketAddrV6 {
    let ip: [u8; 16] = b[..16].try_into().unwrap_or_default();
    SocketAddrV6::new(Ipv6Addr::from(ip), u16::from_le_bytes([b[16], b[17]]), 0, 0)
}

fn u64_at(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().unwrap_or_default())
}

impl<'a> SockAddr<'a> {
    /// Decodes a socket address; `None` when the size does not fit the family.
    pub fn parse(raw: &'a [u8]) -> Option<Self> {
        let (&family, data) = raw.split_first()?;
        match family {
            AF_INET if data.len() == 6 => Some(SockAddr::V4(v4(data))),
            AF_INET6 if data.len() == 18 => Some(SockAddr::V6(v6(data))),
            AF_INET | AF_INET6 => None,
            AF_UNIX => Some(SockAddr::Unix(c_str(data))),
            _ => Some(SockAddr::Other { family, data }),
        }
    }
}

impl<'a> SockTuple<'a> {
    /// Decodes a socket tuple; `None` when the size does not fit the family.
    pub fn parse(raw: &'a [u8]) -> Option<Self> {
        let (&family, data) = raw.split_first()?;
        match family {
            AF_INET if data.len() == 12 => Some(SockTuple::V4 {
                src: v4(&data[..6]),
                dst: v4(&data[6..]),
            }),
            AF_INET6 if data.len() == 36 => Some(SockTuple::V6 {
                src: v6(&data[..18]),
                dst: v6(&data[18..]),
            }),
            AF_UNIX if data.len() >= 16 => Some(SockTuple::Unix {
                src: u64_at(data),
                dst: u64_at(&data[8..]),
                path: c_str(&data[16..]),
            }),
            AF_INET | AF_INET6 | AF_UNIX => None,
            _ => Some(SockTuple::Other { family, data }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_tuple_from_events_md() {
        // 127.0.0.1:47192 -> 127.0.0.1:80
        let raw = [2, 127, 0, 0, 1, 0x58, 0xb8, 127, 0, 0, 1, 0x50, 0x00];
        let t = SockTuple::parse(&raw).unwrap();
        assert_eq!(
            t,
            SockTuple::V4 {
                src: "127.0.0.1:47192".parse().unwrap(),
                dst: "127.0.0.1:80".parse().unwrap()
            }
        );
        assert_eq!(SockTuple::parse(&raw[..12]), None);
    }

    #[test]
    fn sockaddr_families() {
        assert_eq!(
            SockAddr::parse(&[2, 10, 0, 0, 1, 0x35, 0]),
            Some(SockAddr::V4("10.0.0.1:53".parse().unwrap()))
        );
        assert_eq!(
            SockAddr::parse(b"\x01/run/x.sock\0"),
            Some(SockAddr::Unix(b"/run/x.sock"))
        );
        assert_eq!(
            SockAddr::parse(&[16, 1, 2]),
            Some(SockAddr::Other {
                family: 16,
                data: &[1, 2]
            })
        );
        assert_eq!(SockAddr::parse(&[]), None);
        assert_eq!(SockAddr::parse(&[10, 1]), None);
        let mut raw = vec![10];
        raw.extend_from_slice(&"::1".parse::<Ipv6Addr>().unwrap().octets());
        raw.extend_from_slice(&443u16.to_le_bytes());
        assert_eq!(SockAddr::parse(&raw), Some(SockAddr::V6("[::1]:443".parse().unwrap())));
    }

    #[test]
    fn unix_tuple() {
        let mut raw = vec![1];
        raw.extend_from_slice(&5u64.to_le_bytes());
        raw.extend_from_slice(&6u64.to_le_bytes());
        raw.extend_from_slice(b"@sock\0");
        assert_eq!(
            SockTuple::parse(&raw),
            Some(SockTuple::Unix {
                src: 5,
                dst: 6,
                path: b"@sock"
            })
        );
    }
}
