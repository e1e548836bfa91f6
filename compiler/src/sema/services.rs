//! The services database that a port value which is not a number is looked up in.
//!
//! libsinsp resolves `fd.sport = http` with `getservbyname(name, NULL)` on the host that loads
//! the rules: the first entry of `/etc/services`, any protocol, whose name or one of whose
//! aliases is exactly `name` (case matters). So a rule loads in Falco only where the host knows
//! the name, with the port that host gives it. falcorc reads the same file at its edges (CLI,
//! language server, runtime: see `fs::host_services`) and the compiler stays pure: it only
//! looks names up in the table it is given. An empty table resolves nothing.

use std::collections::HashMap;

#[derive(Debug, Default, Clone)]
pub struct Services {
    ports: std::sync::OnceLock<HashMap<String, u16>>,
    /// Where the table comes from the first time a name is looked up (the host's file, read
    /// by the caller's IO layer): most rules files name no service, and then nothing is read.
    load: Option<fn() -> String>,
}

static NONE: Services = Services::lazy(String::new);

impl Services {
    /// The table that resolves nothing (no services database).
    pub fn none() -> &'static Services {
        &NONE
    }

    /// A table read from `load`'s text when it is first needed.
    pub const fn lazy(load: fn() -> String) -> Services {
        Services {
            ports: std::sync::OnceLock::new(),
            load: Some(load),
        }
    }

    /// Read `/etc/services` text: `name port/protocol [alias...] [# comment]` per line. Lines
    /// that do not have that shape are skipped, as the C library skips them; the first entry
    /// for a name wins.
    pub fn parse(text: &str) -> Services {
        Services {
            ports: std::sync::OnceLock::from(table(text)),
            load: None,
        }
    }

    fn ports(&self) -> &HashMap<String, u16> {
        self.ports
            .get_or_init(|| self.load.map(|load| table(&load())).unwrap_or_default())
    }

    /// The port of a service name, as `getservbyname(name, NULL)` gives it.
    pub fn port(&self, name: &str) -> Option<u16> {
        self.ports().get(name).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.ports().is_empty()
    }
}

fn table(text: &str) -> HashMap<String, u16> {
    let mut ports = HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_ascii_whitespace();
        let (Some(name), Some(port_proto)) = (words.next(), words.next()) else {
            continue;
        };
        let Some((port, proto)) = port_proto.split_once('/') else {
            continue;
        };
        let Ok(port) = port.parse::<u16>() else {
            continue;
        };
        if proto.is_empty() {
            continue;
        }
        for n in std::iter::once(name).chain(words) {
            ports.entry(n.to_string()).or_insert(port);
        }
    }
    ports
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# Network services, Internet style
tcpmux\t\t1/tcp\t\t\t\t# TCP port service multiplexer
http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP
https\t\t443/tcp\t\t\t\t# http protocol over TLS/SSL
https\t\t443/udp
domain\t\t53/udp
kerberos\t88/tcp\t\tkerberos5 krb5 kerberos-sec
odd\t\t99
wrong\t\tport/tcp
later\t\t8080/tcp\thttp
";

    #[test]
    fn names_and_aliases_resolve_first_entry_wins() {
        let s = Services::parse(SAMPLE);
        assert_eq!(s.port("http"), Some(80));
        assert_eq!(s.port("www"), Some(80));
        assert_eq!(s.port("krb5"), Some(88));
        assert_eq!(s.port("domain"), Some(53), "any protocol, not only tcp");
        assert_eq!(s.port("later"), Some(8080));
    }

    #[test]
    fn malformed_lines_and_case_do_not_resolve() {
        let s = Services::parse(SAMPLE);
        assert_eq!(s.port("odd"), None);
        assert_eq!(s.port("wrong"), None);
        assert_eq!(s.port("HTTP"), None, "names are case-sensitive");
        assert_eq!(s.port("TCP"), None, "comments are not names");
        assert!(Services::none().port("http").is_none());
    }
}
