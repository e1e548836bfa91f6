//! Numbers, ports and IP literals read as libsinsp reads a filter value, so that a rule loads
//! in falcorc exactly when it loads in Falco, with Falco's message when it does not, and the
//! value compared is the one Falco compares.
//!
//! libsinsp reads an integer with `sscanf("%<width>%c")`: white space first, then an optional
//! sign, decimal digits only (`0x10` and `10 ` are refused), and a negative number for an
//! unsigned type wraps (`-1` is the largest value). A port is a decimal number, or else a
//! service name from the host's services database (see `services.rs`). A network
//! needs its `/bits`; an IPv4 netmask is read as an 8-bit number (`/256` is `/0`).

use super::catalog::FieldType;
use super::services::Services;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What C's `isspace` skips before a number.
const C_SPACE: [char; 6] = [' ', '\t', '\n', '\x0b', '\x0c', '\r'];

/// Width and signedness of the integer libsinsp parses a value of `ty` into.
fn width(ty: FieldType) -> Option<(u32, bool)> {
    use FieldType::*;
    Some(match ty {
        Int8 => (8, true),
        Int16 => (16, true),
        Int32 => (32, true),
        Int64 | Errno | Fd | Pid => (64, true),
        Uint8 | Flags8 | EnumFlags8 | Sigtype => (8, false),
        Uint16 | Flags16 | EnumFlags16 | Syscallid => (16, false),
        Uint32 | Flags32 | EnumFlags32 | Mode | Uid | Gid => (32, false),
        Uint64 | Reltime | Abstime => (64, false),
        _ => return None,
    })
}

/// `sscanf("%d")` grammar: leading C white space, an optional sign, decimal digits, nothing
/// after. Magnitudes past 64 bits are refused.
pub fn decimal(v: &str) -> Option<i128> {
    let t = v.trim_start_matches(C_SPACE);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u128 = digits.parse().ok()?;
    if n > u64::MAX as u128 {
        return None;
    }
    Some(if neg { -(n as i128) } else { n as i128 })
}

/// An integer literal compared with a field of type `ty`: the value libsinsp stores, or its
/// error message.
pub fn number(ty: FieldType, v: &str, services: &Services) -> Result<i128, String> {
    if ty == FieldType::Port {
        return port(v, services);
    }
    let n = decimal(v).ok_or_else(|| format!("{v} is not a valid number"))?;
    let Some((bits, signed)) = width(ty) else {
        return Ok(n);
    };
    // Stored in the type's width: two's complement wrap, as the C casts do.
    let m = n.rem_euclid(1i128 << bits);
    Ok(if signed && m >= 1i128 << (bits - 1) {
        m - (1i128 << bits)
    } else {
        m
    })
}

/// A literal for a double field (`thread.cpu`, ...): libsinsp reads it as a decimal integer, so
/// `thread.cpu <= 1` loads and `thread.cpu = 1.0` does not (libs' filter_compiler tests).
pub fn double(v: &str) -> Result<f64, String> {
    decimal(v)
        .map(|n| n as f64)
        .ok_or_else(|| format!("{v} is not a valid number"))
}

/// A port: decimal digits only (read as an `int`, kept as 16 bits), else a service name from
/// the services database.
fn port(v: &str, services: &Services) -> Result<i128, String> {
    if v.is_empty() {
        return Ok(0);
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        let n: i32 = v.parse().map_err(|_| format!("{v} is not a valid number"))?;
        return Ok(i128::from(n as u16));
    }
    services
        .port(v)
        .map(i128::from)
        .ok_or_else(|| format!("unrecognized protocol {v}"))
}

/// An address or network literal for a field of type `ty`: the address and, for a network,
/// its prefix length; or Falco's message.
pub fn ip(ty: FieldType, v: &str) -> Result<(IpAddr, Option<u8>), String> {
    let v4 = v.contains('.');
    let net = matches!(ty, FieldType::IpNet | FieldType::Ipv4Net | FieldType::Ipv6Net);
    if !net {
        return if v4 {
            v.parse::<Ipv4Addr>()
                .map(|a| (IpAddr::V4(a), None))
                .map_err(|_| format!("unrecognized IPv4 address {v}"))
        } else {
            v.parse::<Ipv6Addr>()
                .map(|a| (IpAddr::V6(a), None))
                .map_err(|_| format!("unrecognized IPv6 address {v}"))
        };
    }
    if v4 {
        let (a, mask) = v
            .split_once('/')
            .ok_or_else(|| format!("unrecognized IP network {v}"))?;
        let addr: Ipv4Addr = a.parse().map_err(|_| format!("unrecognized IP address {v}"))?;
        let bits = number(FieldType::Uint8, mask, Services::none())?;
        if bits > 32 {
            return Err(format!("invalid netmask {mask}"));
        }
        return Ok((IpAddr::V4(addr), Some(bits as u8)));
    }
    let (a, mask) = v.split_once('/').ok_or_else(|| format!("invalid v6 netmask: {v}"))?;
    let addr: Ipv6Addr = a.parse().map_err(|_| format!("unrecognized IPv6 address {v}"))?;
    match decimal(mask) {
        Some(b @ 1..=128) => Ok((IpAddr::V6(addr), Some(b as u8))),
        _ => Err(format!("invalid v6 netmask {mask}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FieldType::{Int16, Int64, IpNet, Port, Uint16, Uint32, Uint64};

    fn number(ty: FieldType, v: &str) -> Result<i128, String> {
        super::number(ty, v, Services::none())
    }

    #[test]
    fn integers_are_decimal_with_a_sign_and_wrap_into_their_width() {
        assert_eq!(number(Int64, "  -42"), Ok(-42));
        assert_eq!(number(Int64, "+7"), Ok(7));
        assert_eq!(number(Uint32, "010"), Ok(10));
        assert_eq!(number(Uint32, "-1"), Ok(u32::MAX as i128));
        assert_eq!(number(Uint16, "70000"), Ok(70000 - 65536));
        assert_eq!(number(Int16, "40000"), Ok(40000 - 65536));
        assert_eq!(number(Uint64, "-1"), Ok(u64::MAX as i128));
        for bad in ["0x10", "10 ", "1e3", "", "- 1", "1.5", "abc"] {
            assert_eq!(
                number(Int64, bad),
                Err(format!("{bad} is not a valid number")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ports_are_digits_or_service_names() {
        assert_eq!(number(Port, "8080"), Ok(8080));
        assert_eq!(number(Port, "65536"), Ok(0));
        assert_eq!(number(Port, ""), Ok(0));
        assert_eq!(number(Port, "http"), Err("unrecognized protocol http".into()));
        assert_eq!(number(Port, "+80"), Err("unrecognized protocol +80".into()));
        assert_eq!(number(Port, "0x50"), Err("unrecognized protocol 0x50".into()));
    }

    #[test]
    fn service_names_resolve_in_the_table_given() {
        let s = Services::parse("http 80/tcp www\nmysql 3306/tcp\n");
        assert_eq!(super::number(Port, "http", &s), Ok(80));
        assert_eq!(super::number(Port, "www", &s), Ok(80));
        assert_eq!(super::number(Port, "mysql", &s), Ok(3306));
        assert_eq!(
            super::number(Port, "Mysql", &s),
            Err("unrecognized protocol Mysql".into())
        );
        // Only port fields read names: elsewhere a name is not a number.
        assert_eq!(
            super::number(Uint16, "http", &s),
            Err("http is not a valid number".into())
        );
    }

    #[test]
    fn addresses_and_networks_take_falcos_forms() {
        assert!(ip(FieldType::IpAddr, "10.0.0.1").is_ok());
        assert!(ip(FieldType::IpAddr, "::1").is_ok());
        assert_eq!(
            ip(FieldType::IpAddr, "300.1.1.1"),
            Err("unrecognized IPv4 address 300.1.1.1".into())
        );
        assert_eq!(
            ip(FieldType::IpAddr, "10.0.0.0/8"),
            Err("unrecognized IPv4 address 10.0.0.0/8".into())
        );
        assert_eq!(
            ip(FieldType::IpAddr, "::ffff:1.2.3.4"),
            Err("unrecognized IPv4 address ::ffff:1.2.3.4".into())
        );
        assert_eq!(ip(IpNet, "10.0.0.0/8").unwrap().1, Some(8));
        assert_eq!(ip(IpNet, "10.0.0.0/256").unwrap().1, Some(0));
        assert_eq!(ip(IpNet, "10.0.0.1"), Err("unrecognized IP network 10.0.0.1".into()));
        assert_eq!(ip(IpNet, "10.0.0.0/33"), Err("invalid netmask 33".into()));
        assert_eq!(ip(IpNet, "10.0.0.0/x"), Err("x is not a valid number".into()));
        assert_eq!(ip(IpNet, "10.0.0/8"), Err("unrecognized IP address 10.0.0/8".into()));
        assert_eq!(ip(IpNet, "::1/128").unwrap().1, Some(128));
        assert_eq!(ip(IpNet, "::1"), Err("invalid v6 netmask: ::1".into()));
        assert_eq!(ip(IpNet, "::1/0"), Err("invalid v6 netmask 0".into()));
        assert_eq!(ip(IpNet, "zz::1/64"), Err("unrecognized IPv6 address zz::1/64".into()));
    }
}
