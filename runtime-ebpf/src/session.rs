//! A live session: the attached probe plus the start-up snapshot, producing parsed
//! events. The snapshot reaches the tracker through an in-memory capture written with
//! the same writer `falcorc record` uses, so a live session and the replay of its
//! recording start from identical state.

use crate::enrich::enrich;
use crate::probe::{LoadError, Probe, ProbeOptions};
use crate::procscan::{Snapshot, scan_host};
use crate::wire::Counters;
use falcorc_runtime::event::{Event, parse_record};
use falcorc_runtime::scap::{Interfaces, Ipv4Interface, Ipv6Interface, ScapReader, ScapWriter};
use falcorc_runtime::state::Tracker;
use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::time::Duration;

/// How long a poll waits for the probe: it wakes the reader only once a batch of records
/// is waiting, so this bounds the delay of a lone event (an alert) between kernel and rules.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

pub struct Session {
    probe: Probe,
    pub snapshot: Snapshot,
    pub interfaces: Interfaces,
    /// Events handed out (`evt.num` of the last one).
    pub events: u64,
    /// Records that did not parse (never expected: counted, not fatal).
    pub malformed: u64,
}

impl Session {
    /// Attaches the probe, then scans /proc: a process that starts during the scan is
    /// either in the snapshot or in the event stream.
    pub fn start(opts: &ProbeOptions) -> Result<Session, LoadError> {
        let probe = Probe::start(opts)?;
        Ok(Session {
            probe,
            snapshot: scan_host(),
            interfaces: interfaces(),
            events: 0,
            malformed: 0,
        })
    }

    /// Writes the snapshot as capture metadata (machine, interfaces, users, threads, fds).
    pub fn write_metadata<W: Write>(&self, w: &mut ScapWriter<W>) -> io::Result<()> {
        let s = &self.snapshot;
        w.write_machine_info(&s.machine)?;
        w.write_interfaces(&self.interfaces)?;
        w.write_users(&s.users, &s.groups)?;
        w.write_threads(&s.threads)?;
        w.write_fd_table(&s.fds)
    }

    /// A tracker seeded from the snapshot, read back from an in-memory capture.
    pub fn tracker(&self) -> io::Result<Tracker> {
        let mut w = ScapWriter::new(Vec::new())?;
        self.write_metadata(&mut w)?;
        let bytes = w.finish()?;
        let reader = ScapReader::new(io::Cursor::new(bytes)).map_err(|e| io::Error::other(e.to_string()))?;
        Ok(Tracker::from_capture(&reader))
    }

    /// Hands the waiting events to `f`, waiting up to `timeout` when there is none; at
    /// most [`crate::probe::POLL_BUDGET`] of them under a flood ([`Probe::poll`]).
    pub fn poll(&mut self, timeout: Duration, mut f: impl FnMut(&Event<'_>)) -> usize {
        let Session {
            probe,
            events,
            malformed,
            ..
        } = self;
        let proc = Path::new("/proc");
        probe.poll(timeout, |bytes| match parse_record(bytes, true) {
            Ok((mut ev, _)) => {
                *events += 1;
                ev.num = *events;
                match enrich(&ev, proc) {
                    Some(rec) => match parse_record(&rec, true) {
                        Ok((mut full, _)) => {
                            full.num = ev.num;
                            f(&full);
                        }
                        Err(_) => f(&ev),
                    },
                    None => f(&ev),
                }
            }
            Err(_) => *malformed += 1,
        })
    }

    pub fn counters(&self) -> Counters {
        self.probe.counters()
    }

    /// [`Probe::exit_times`].
    pub fn exit_times(&self) -> Vec<(u32, crate::wire::ExitTime)> {
        self.probe.exit_times()
    }

    /// [`Probe::set_filter`]: the event types sent from now on.
    pub fn set_filter(&mut self, filter: &crate::syscalls::Filter) -> Result<(), String> {
        self.probe.set_filter(filter)
    }

    /// Now, on the clock of the events' `ts`.
    pub fn now_ns(&self) -> u64 {
        self.probe.now_ns()
    }
}

/// This machine's network interfaces (for `fd.lip`, `fd.rip` and friends).
pub fn interfaces() -> Interfaces {
    let mut out = Interfaces::default();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs allocates a list we only read and then free with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return out;
    }
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list getifaddrs returned, not yet freed.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
            continue;
        }
        // SAFETY: a NUL-terminated name owned by the list.
        let name = unsafe { std::ffi::CStr::from_ptr(ifa.ifa_name) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: sa_family is valid for any sockaddr; the cast matches the family.
        match i32::from(unsafe { (*ifa.ifa_addr).sa_family }) {
            libc::AF_INET => {
                let v4 = |p: *const libc::sockaddr| {
                    if p.is_null() {
                        return Ipv4Addr::UNSPECIFIED;
                    }
                    // SAFETY: an AF_INET entry's addresses are sockaddr_in.
                    let sin = unsafe { &*(p as *const libc::sockaddr_in) };
                    Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))
                };
                out.v4.push(Ipv4Interface {
                    name,
                    addr: v4(ifa.ifa_addr),
                    netmask: v4(ifa.ifa_netmask),
                    bcast: v4(ifa.ifa_ifu),
                    linkspeed: None,
                });
            }
            libc::AF_INET6 => {
                let v6 = |p: *const libc::sockaddr| {
                    if p.is_null() {
                        return Ipv6Addr::UNSPECIFIED;
                    }
                    // SAFETY: an AF_INET6 entry's addresses are sockaddr_in6.
                    let sin6 = unsafe { &*(p as *const libc::sockaddr_in6) };
                    Ipv6Addr::from(sin6.sin6_addr.s6_addr)
                };
                out.v6.push(Ipv6Interface {
                    name,
                    addr: v6(ifa.ifa_addr),
                    netmask: v6(ifa.ifa_netmask),
                    bcast: Ipv6Addr::UNSPECIFIED,
                    linkspeed: None,
                });
            }
            _ => {}
        }
    }
    // SAFETY: the list from getifaddrs, freed once.
    unsafe { libc::freeifaddrs(head) };
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_is_listed() {
        let i = super::interfaces();
        assert!(i.v4.iter().any(|x| x.addr.is_loopback()), "{i:?}");
    }
}
