//! Network interfaces of the machine and the socket-address logic that
//! depends on them: which addresses are local, and how libsinsp patches an
//! incomplete tuple (an unbound UDP socket reports 0.0.0.0 as its source).

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::fd::{Fd, FdType, Sock};
use crate::scap::Interfaces;

/// The machine's interface addresses.
#[derive(Clone, Debug, Default)]
pub struct Ifaces {
    v4: Vec<(Ipv4Addr, Ipv4Addr)>,
    v6: Vec<Ipv6Addr>,
}

/// Most interface addresses kept.
const MAX_IFACES: usize = 1024;

impl Ifaces {
    /// From a capture's interface list.
    pub fn from_capture(list: &Interfaces) -> Ifaces {
        Ifaces {
            v4: list.v4.iter().take(MAX_IFACES).map(|i| (i.addr, i.netmask)).collect(),
            v6: list.v6.iter().take(MAX_IFACES).map(|i| i.addr).collect(),
        }
    }

    /// Adds an IPv4 interface.
    pub fn add_v4(&mut self, addr: Ipv4Addr, netmask: Ipv4Addr) {
        if self.v4.len() < MAX_IFACES {
            self.v4.push((addr, netmask));
        }
    }

    /// Adds an IPv6 interface.
    pub fn add_v6(&mut self, addr: Ipv6Addr) {
        if self.v6.len() < MAX_IFACES {
            self.v6.push(addr);
        }
    }

    /// Whether `addr` is one of this machine's IPv4 addresses.
    pub fn is_local_v4(&self, addr: Ipv4Addr) -> bool {
        self.v4.iter().any(|(a, _)| *a == addr)
    }

    /// Whether `addr` shares the 64-bit prefix of one of this machine's IPv6
    /// addresses (so `::` counts as local through `::1`, as in libsinsp).
    pub fn is_local_v6(&self, addr: Ipv6Addr) -> bool {
        self.v6.iter().any(|a| a.octets()[..8] == addr.octets()[..8])
    }

    /// Whether `addr` is local (either family).
    pub fn is_local(&self, addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(a) => self.is_local_v4(a),
            IpAddr::V6(a) => self.is_local_v6(a),
        }
    }

    /// The local address that would talk to `dst`: `dst` itself if local,
    /// else an interface on the same subnet, else the first non-loopback one.
    fn infer_v4(&self, dst: Ipv4Addr) -> Ipv4Addr {
        if let Some((a, _)) = self.v4.iter().find(|(a, _)| *a == dst) {
            return *a;
        }
        let d = u32::from(dst);
        if let Some((a, _)) = self
            .v4
            .iter()
            .find(|(a, m)| u32::from(*a) & u32::from(*m) == d & u32::from(*m))
        {
            return *a;
        }
        self.v4
            .iter()
            .find(|(a, _)| *a != Ipv4Addr::LOCALHOST)
            .map_or(Ipv4Addr::UNSPECIFIED, |(a, _)| *a)
    }

    fn infer_v6(&self, dst: Ipv6Addr) -> Ipv6Addr {
        if let Some(a) = self.v6.iter().find(|a| **a == dst) {
            return *a;
        }
        if let Some(a) = self.v6.iter().find(|a| a.octets()[..8] == dst.octets()[..8]) {
            return *a;
        }
        self.v6
            .iter()
            .find(|a| **a != Ipv6Addr::LOCALHOST)
            .copied()
            .unwrap_or(Ipv6Addr::UNSPECIFIED)
    }

    /// Fills in the missing local address of an IP socket whose tuple has an
    /// unspecified end (libsinsp's `update_fd`).
    pub fn patch(&self, fd: &mut Fd) {
        if !fd.is_ip_socket() {
            return;
        }
        let Sock::Ip {
            sip,
            sport,
            dip,
            dport,
            l4,
        } = fd.sock
        else {
            return;
        };
        let (sip, dip) = match (sip, dip) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                if !s.is_unspecified() && !d.is_unspecified() {
                    return;
                }
                if s.is_unspecified() {
                    let n = self.infer_v4(d);
                    if n == d && sport == dport {
                        return;
                    }
                    (IpAddr::V4(n), dip)
                } else {
                    let n = self.infer_v4(s);
                    if n == s && sport == dport {
                        return;
                    }
                    (sip, IpAddr::V4(n))
                }
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                if !s.is_unspecified() && !d.is_unspecified() {
                    return;
                }
                if s.is_unspecified() {
                    let n = self.infer_v6(d);
                    if n == d && sport == dport {
                        return;
                    }
                    (IpAddr::V6(n), dip)
                } else {
                    let n = self.infer_v6(s);
                    if n == s && sport == dport {
                        return;
                    }
                    (sip, IpAddr::V6(n))
                }
            }
            _ => return,
        };
        fd.sock = Sock::Ip {
            sip,
            sport,
            dip,
            dport,
            l4,
        };
    }
}

/// `a:p` with IPv6 addresses unbracketed, as libsinsp prints them.
pub fn push_addr(out: &mut String, ip: IpAddr, port: u16) {
    match ip {
        // Every connect names its socket: digits by hand, not through `fmt`.
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                push_decimal(out, u32::from(octet));
            }
        }
        IpAddr::V6(_) => {
            let _ = write!(out, "{ip}");
        }
    }
    out.push(':');
    push_decimal(out, u32::from(port));
}

fn push_decimal(out: &mut String, n: u32) {
    for &d in decimal(n, &mut [0; 10]) {
        out.push(char::from(d));
    }
}

/// The decimal digits of `n`, written at the end of `digits`.
fn decimal(mut n: u32, digits: &mut [u8; 10]) -> &[u8] {
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[i..]
}

/// The name libsinsp gives a socket: `sip:sport->dip:dport` for IP sockets,
/// `ip:port` for listening ones, `src->dst path` (hex pointers) for unix ones.
pub fn socket_name(sock: &Sock, unix_path: &str) -> String {
    let mut out = String::with_capacity(48);
    match *sock {
        Sock::Ip {
            sip, sport, dip, dport, ..
        } => {
            push_addr(&mut out, sip, sport);
            out.push_str("->");
            push_addr(&mut out, dip, dport);
        }
        Sock::Server { ip, port, .. } => push_addr(&mut out, ip, port),
        Sock::Unix { src, dst } => {
            let _ = write!(out, "{src:x}->{dst:x} {unix_path}");
        }
        Sock::None => {}
    }
    out
}

/// Sets `name` to the name of `sock` ([`socket_name`]) and says whether it changed. An
/// IPv4 pair, what nearly every connect and accept names, is written on the stack and
/// copied into `name`'s own buffer only when it differs: no allocation per connection.
pub fn set_socket_name(name: &mut String, sock: &Sock) -> bool {
    let Sock::Ip {
        sip: IpAddr::V4(sip),
        sport,
        dip: IpAddr::V4(dip),
        dport,
        ..
    } = *sock
    else {
        let new = socket_name(sock, "");
        let changed = *name != new;
        *name = new;
        return changed;
    };
    // 255.255.255.255:65535->255.255.255.255:65535 is 43 bytes.
    let mut buf = Ascii::<48>::default();
    for (k, (ip, port)) in [(sip, sport), (dip, dport)].into_iter().enumerate() {
        if k == 1 {
            buf.put(b"->");
        }
        for (j, octet) in ip.octets().into_iter().enumerate() {
            if j > 0 {
                buf.put(b".");
            }
            buf.decimal(u16::from(octet));
        }
        buf.put(b":");
        buf.decimal(port);
    }
    let (buf, n) = (buf.bytes, buf.len);
    let new = &buf[..n];
    if name.as_bytes() == new {
        return false;
    }
    name.clear();
    name.push_str(std::str::from_utf8(new).unwrap_or_default());
    true
}

/// A short ASCII text built on the stack.
struct Ascii<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Default for Ascii<N> {
    fn default() -> Self {
        Ascii { bytes: [0; N], len: 0 }
    }
}

impl<const N: usize> Ascii<N> {
    fn put(&mut self, text: &[u8]) {
        if let Some(to) = self.bytes.get_mut(self.len..self.len + text.len()) {
            to.copy_from_slice(text);
            self.len += text.len();
        }
    }

    fn decimal(&mut self, v: u16) {
        self.put(decimal(u32::from(v), &mut [0; 10]));
    }
}

/// Whether an IPv6 address is IPv4-mapped (`::ffff:a.b.c.d`) or all zero,
/// the two forms libsinsp treats as IPv4.
pub fn is_v4_mapped(a: &Ipv6Addr) -> bool {
    let o = a.octets();
    o[..10].iter().all(|&b| b == 0) && ((o[10] == 0xff && o[11] == 0xff) || o[10..].iter().all(|&b| b == 0))
}

/// The IPv4 address inside an IPv4-mapped IPv6 address.
pub fn mapped_v4(a: &Ipv6Addr) -> Ipv4Addr {
    let o = a.octets();
    Ipv4Addr::new(o[12], o[13], o[14], o[15])
}

/// The two ends of an IPv6 socket pair as the tracker keeps them: a pair of IPv4-mapped
/// addresses is an IPv4 socket. Returns the IPv4 type for such a pair, `None` otherwise.
pub fn v6_ends(sip: &Ipv6Addr, dip: &Ipv6Addr) -> (Option<FdType>, IpAddr, IpAddr) {
    if is_v4_mapped(sip) && is_v4_mapped(dip) {
        (Some(FdType::Ipv4Sock), mapped_v4(sip).into(), mapped_v4(dip).into())
    } else {
        (None, (*sip).into(), (*dip).into())
    }
}

/// The fd type of an IP socket of family `v6`.
pub fn ip_kind(v6: bool) -> FdType {
    if v6 { FdType::Ipv6Sock } else { FdType::Ipv4Sock }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written digits agree with `Display` for every address and port.
        #[test]
        fn push_addr_matches_display(a in any::<u32>(), port in any::<u16>(), v6 in any::<u128>(), use_v6 in any::<bool>()) {
            let ip: IpAddr = if use_v6 { Ipv6Addr::from(v6).into() } else { Ipv4Addr::from(a).into() };
            let mut out = String::new();
            push_addr(&mut out, ip, port);
            prop_assert_eq!(out, format!("{ip}:{port}"));
        }

        /// Written in place, the name is the one `socket_name` gives, and "changed" is
        /// whether it differs from the name before.
        #[test]
        fn set_socket_name_is_socket_name(
            a in any::<u32>(), b in any::<u32>(), v6 in any::<u128>(), pa in any::<u16>(), pb in any::<u16>(),
            use_v6 in any::<bool>(), same in any::<bool>(), before in ".{0,8}",
        ) {
            let dip: IpAddr = if use_v6 { Ipv6Addr::from(v6).into() } else { Ipv4Addr::from(b).into() };
            let sock = Sock::Ip { sip: Ipv4Addr::from(a).into(), sport: pa, dip, dport: pb, l4: 6 };
            let want = socket_name(&sock, "");
            let mut name = if same { want.clone() } else { before };
            let was = name.clone();
            let changed = set_socket_name(&mut name, &sock);
            prop_assert_eq!(&name, &want);
            prop_assert_eq!(changed, was != want);
        }
    }
}
