//! The state updates of each event, modelled on libsinsp's parser.

use std::borrow::Cow;
use std::net::IpAddr;

use falcorc_compiler::sema::catalog::FieldType;

use super::container::{self, Container};
use super::fd::{Fd, FdType, Role, Slot, Sock, any_addr, l4};
use super::meta::{CodeInfo, Op, ParamView, ef};
use super::net::{self, ip_kind, is_v4_mapped, mapped_v4};
use super::thread::{Thread, capped, capped_list, capped_str, cl, cwd_of};
use super::{MAX_CONTAINERS, MAX_TOTAL_FDS, MAX_USERS, Outcome, Tracker, User, path};
use crate::event::{Event, Param, SockAddr, SockTuple, lossy};
use falcorc_compiler::raw_text::escape;

/// A clone child entry younger than this is the one its caller created.
const CLONE_STALE_NS: u64 = 2_000_000_000;
/// `-EINPROGRESS`: a non-blocking connect still counts as a connection.
const EINPROGRESS: i64 = -115;
/// `AT_FDCWD` as the driver encodes it.
const AT_FDCWD: i64 = -100;

/// PPM open flags the tracker uses.
mod oflag {
    pub const DIRECTORY: u32 = 1 << 10;
    pub const UPPER_LAYER: u32 = 1 << 15;
    pub const LOWER_LAYER: u32 = 1 << 16;
}

fn str_of(p: Option<Param<'_>>) -> String {
    match p {
        Some(Param::Str(b) | Param::Bytes(b)) => capped(&lossy(b)),
        _ => String::new(),
    }
}

/// A process's text (executable, name, arguments, environment): bytes that are not UTF-8
/// are kept, as libsinsp keeps them (see `falcorc_compiler::raw_text`).
fn proc_str_of(p: Option<Param<'_>>) -> String {
    match p {
        Some(Param::Str(b) | Param::Bytes(b)) => capped(&escape(b)),
        _ => String::new(),
    }
}

fn list_of<'a>(p: Option<Param<'a>>) -> Vec<String> {
    match p.and_then(|p| p.as_str_list()) {
        Some(l) => capped_list(l.iter()),
        None => Vec::new(),
    }
}

/// The text form of a socket address, as libsinsp names bound sockets.
fn sockaddr_text(a: &SockAddr<'_>) -> String {
    match a {
        SockAddr::V4(s) => format!("{}:{}", s.ip(), s.port()),
        SockAddr::V6(s) => format!("{}:{}", s.ip(), s.port()),
        SockAddr::Unix(p) => String::from_utf8_lossy(p).into_owned(),
        SockAddr::Other { family, .. } => format!("family {family}"),
    }
}

/// The text form of a socket tuple.
pub(crate) fn tuple_text(t: &SockTuple<'_>) -> String {
    match t {
        SockTuple::V4 { src, dst } => format!("{}:{}->{}:{}", src.ip(), src.port(), dst.ip(), dst.port()),
        SockTuple::V6 { src, dst } => {
            if is_v4_mapped(src.ip()) && is_v4_mapped(dst.ip()) {
                format!(
                    "{}:{}->{}:{}",
                    mapped_v4(src.ip()),
                    src.port(),
                    mapped_v4(dst.ip()),
                    dst.port()
                )
            } else {
                format!("{}:{}->{}:{}", src.ip(), src.port(), dst.ip(), dst.port())
            }
        }
        SockTuple::Unix { src, dst, path } => format!("{src:x}->{dst:x} {}", String::from_utf8_lossy(path)),
        SockTuple::Other { family, .. } => format!("family {family}"),
    }
}

/// Sets the ends of an IP socket from a tuple (libsinsp's
/// `set_ipv*_addresses_and_ports`); false when nothing changed, including
/// when the tuple is the current one in either direction.
fn set_ends(f: &mut Fd, sip: IpAddr, sport: u16, dip: IpAddr, dport: u16, overwrite_dest: bool) -> bool {
    let v6 = sip.is_ipv6();
    let (osip, osport, odip, odport, ol4) = match f.sock {
        Sock::Ip {
            sip,
            sport,
            dip,
            dport,
            l4,
        } if sip.is_ipv6() == v6 => (sip, sport, dip, dport, l4),
        Sock::Ip { l4, .. } | Sock::Server { l4, .. } => (any_addr(v6), 0, any_addr(v6), 0, l4),
        _ => (any_addr(v6), 0, any_addr(v6), 0, l4::UNKNOWN),
    };
    if (sip == osip && sport == osport && dip == odip && dport == odport)
        || (dip == osip && dport == osport && sip == odip && sport == odport)
    {
        return false;
    }
    let mut changed = false;
    let (mut nsip, mut nsport, mut ndip, mut ndport) = (osip, osport, odip, odport);
    if nsip != sip {
        nsip = sip;
        changed = true;
    }
    if nsport != sport {
        nsport = sport;
        changed = true;
    }
    if ndip.is_unspecified() || (overwrite_dest && ndip != dip) {
        ndip = dip;
        changed = true;
    }
    if ndport == 0 || (overwrite_dest && ndport != dport) {
        ndport = dport;
        changed = true;
    }
    f.sock = Sock::Ip {
        sip: nsip,
        sport: nsport,
        dip: ndip,
        dport: ndport,
        l4: ol4,
    };
    changed
}

fn swap_ends(f: &mut Fd) {
    if let Sock::Ip {
        sip,
        sport,
        dip,
        dport,
        l4,
    } = f.sock
    {
        f.sock = Sock::Ip {
            sip: dip,
            sport: dport,
            dip: sip,
            dport: sport,
            l4,
        };
    }
}

/// A new socket fd for `socket(domain, type, proto)`.
fn new_socket(domain: u32, ty: u32, proto: u32) -> Fd {
    const SOCK_STREAM: u32 = 1;
    const SOCK_DGRAM: u32 = 2;
    const SOCK_RAW: u32 = 3;
    match domain {
        1 => {
            let mut f = Fd::new(FdType::UnixSock);
            f.sock = Sock::Unix { src: 0, dst: 0 };
            f
        }
        2 | 10 => {
            let v6 = domain == 10;
            let proto4 = match proto {
                6 if ty == SOCK_RAW => l4::RAW,
                6 => l4::TCP,
                17 if ty == SOCK_RAW => l4::RAW,
                17 => l4::UDP,
                0 if ty & 0xff == SOCK_STREAM => l4::TCP,
                0 if ty & 0xff == SOCK_DGRAM => l4::UDP,
                1 if ty == SOCK_RAW => l4::RAW,
                1 => l4::ICMP,
                255 => l4::RAW,
                _ => l4::UNKNOWN,
            };
            let mut f = Fd::new(ip_kind(v6));
            f.sock = Sock::Ip {
                sip: any_addr(v6),
                sport: 0,
                dip: any_addr(v6),
                dport: 0,
                l4: proto4,
            };
            f
        }
        16 => Fd::new(FdType::Netlink),
        _ => Fd::new(FdType::Unknown),
    }
}

impl Tracker {
    /// The constructive step of one exit (or unpaired) event.
    pub(super) fn apply(&mut self, ev: &Event<'_>, info: &CodeInfo, p: &ParamView<'_>) -> Outcome {
        let name = p.def().map_or_else(|| ev.name(), |d| d.name);
        let mut out = Outcome::default();
        match info.op {
            Op::Container => {
                self.on_container(p);
                return out;
            }
            Op::UserTable => {
                self.on_user_event(name, p);
                return out;
            }
            Op::Plugin => return out,
            _ => {}
        }
        out.thread = self.resolve_thread(ev, info);
        let tid = ev.tid as i64;
        if out.thread.is_some() && info.flags & (ef::CREATES_FD | ef::USES_FD | ef::DESTROYS_FD) != 0 {
            out.fd_num = Some(info.fd_param.and_then(|i| p.int(usize::from(i))).unwrap_or(-1));
        }
        match info.op {
            Op::Clone => self.on_clone(ev, name, p, &mut out),
            _ if out.thread.is_none() => {}
            Op::Execve => self.on_execve(ev, tid, p),
            Op::Open => self.on_open(tid, name, p, &mut out),
            Op::Socket => {
                if let Some(fd) = p.int(0).filter(|&fd| fd >= 0) {
                    let f = new_socket(
                        p.uint(1).unwrap_or(0) as u32,
                        p.uint(2).unwrap_or(0) as u32,
                        p.uint(3).unwrap_or(0) as u32,
                    );
                    self.add_fd(tid, fd, f);
                    out.fd_num = Some(fd);
                }
            }
            Op::Bind => self.on_bind(tid, p, &mut out),
            Op::Connect => self.on_connect(tid, p, &mut out),
            Op::Accept => self.on_accept(tid, p, &mut out),
            Op::Close => {
                // One owner lookup: the table that has the fd is the one to remove it from.
                if p.int(0).is_some_and(|r| r >= 0)
                    && let Some(fd) = out.fd_num
                    && let Some(t) = self.threads.get(&tid)
                    && let Some(owner) = self.fd_owner(t)
                    && (if owner == tid {
                        Some(t)
                    } else {
                        self.threads.get(&owner)
                    })
                    .is_some_and(|o| o.fds.get(fd).is_some())
                {
                    out.close = Some((owner, fd));
                }
            }
            Op::Pipe if p.int(0).is_some_and(|r| r >= 0) => {
                let (fd1, fd2) = (p.int(1).unwrap_or(-1), p.int(2).unwrap_or(-1));
                let mut f = Fd::new(FdType::Fifo);
                f.ino = p.uint(3).unwrap_or(0);
                f.open_flags = if name == "pipe2" {
                    p.uint(4).unwrap_or(0) as u32
                } else {
                    0
                };
                self.add_fd(tid, fd1, f.clone());
                self.add_fd(tid, fd2, f);
                out.fd_num = Some(fd2);
            }
            Op::Socketpair => {
                let (fd1, fd2) = (p.int(1).unwrap_or(-1), p.int(2).unwrap_or(-1));
                if p.int(0).is_some_and(|r| r >= 0) && fd1 != fd2 {
                    let mut f = Fd::new(FdType::UnixSock);
                    f.sock = Sock::Unix {
                        src: p.uint(3).unwrap_or(0),
                        dst: p.uint(4).unwrap_or(0),
                    };
                    self.add_fd(tid, fd1, f.clone());
                    self.add_fd(tid, fd2, f);
                    out.fd_num = Some(fd2);
                }
            }
            Op::NewFd(kind) => self.single_fd(tid, p, kind, &mut out),
            Op::Memfd => {
                if let Some(fd) = p.int(0).filter(|&fd| fd >= 0) {
                    let mut f = Fd::new(FdType::Memfd);
                    f.name = capped(&format!("memfd:{}", str_of(p.get(1))));
                    f.open_flags = p.uint(2).unwrap_or(0) as u32;
                    self.add_fd(tid, fd, f);
                    out.fd_num = Some(fd);
                }
            }
            Op::Dup => {
                let (res, old) = (p.int(0).unwrap_or(-1), p.int(1).unwrap_or(-1));
                self.copy_fd(tid, old, res, &mut out);
            }
            Op::Fcntl => {
                // F_DUPFD and F_DUPFD_CLOEXEC create a copy.
                if matches!(p.uint(2), Some(1 | 26)) {
                    let (res, old) = (p.int(0).unwrap_or(-1), p.int(1).unwrap_or(-1));
                    self.copy_fd(tid, old, res, &mut out);
                }
            }
            Op::Chdir if p.int(0).is_some_and(|r| r >= 0) => {
                let dir = str_of(p.get(1));
                self.update_cwd(tid, &dir);
            }
            Op::Fchdir => {
                if p.int(0).is_some_and(|r| r >= 0)
                    && let Some(name) = out.fd_num.and_then(|fd| self.fd(tid, fd)).map(|f| f.name.clone())
                {
                    self.update_cwd(tid, &name);
                }
            }
            Op::Chroot if p.int(0).is_some_and(|r| r >= 0) => {
                let dir = str_of(p.get(1));
                if let Some(t) = self.threads.get_mut(&tid) {
                    t.root = capped(&path::join(&t.root, &dir));
                }
            }
            Op::SetId => {
                let idx = if matches!(name, "setuid" | "setgid") { 1 } else { 2 };
                if p.int(0).is_some_and(|r| r >= 0)
                    && let Some(id) = p.uint(idx).map(|v| v as u32).filter(|&v| v != u32::MAX)
                    && let Some(t) = self.threads.get_mut(&tid)
                {
                    if name.contains("uid") {
                        t.uid = id;
                    } else {
                        t.gid = id;
                    }
                }
            }
            Op::Capset => {
                if p.int(0).is_some_and(|r| r >= 0)
                    && let Some(t) = self.threads.get_mut(&tid)
                {
                    t.cap_inheritable = p.uint(1).unwrap_or(t.cap_inheritable);
                    t.cap_permitted = p.uint(2).unwrap_or(t.cap_permitted);
                    t.cap_effective = p.uint(3).unwrap_or(t.cap_effective);
                }
            }
            Op::Setsid => {
                if let Some(sid) = p.int(0).filter(|&r| r >= 0)
                    && let Some(t) = self.threads.get_mut(&tid)
                {
                    t.sid = sid;
                }
            }
            Op::Read => {
                self.on_read(tid, name, p, &mut out);
            }
            Op::Write => {
                self.on_write(tid, name, p, &mut out);
            }
            Op::Procexit => {
                out.exit = true;
                out.reaper = p.int(4).unwrap_or(0);
            }
            _ => {}
        }
        out
    }

    /// The thread an event belongs to, creating the `<NA>` placeholder
    /// libsinsp makes for unknown tids (except for events that must not).
    fn resolve_thread(&mut self, ev: &Event<'_>, info: &CodeInfo) -> Option<i64> {
        let tid = ev.tid as i64;
        if tid < 0 {
            return None;
        }
        if self.threads.contains_key(&tid) {
            return Some(tid);
        }
        if find_only(info) {
            return None;
        }
        self.ensure_thread(tid).then_some(tid)
    }

    /// The thread of `ev` when it is unknown and the event would make a `<NA>` stand-in
    /// for it: where libsinsp, live, reads /proc for the thread (`can_query_os_for_thread_info`).
    pub fn unknown_thread(&self, ev: &Event<'_>) -> Option<i64> {
        let info = super::meta::info(ev.code);
        let tid = ev.tid as i64;
        let skipped = info.paired_enter || matches!(info.op, Op::Container | Op::UserTable | Op::Plugin);
        (!skipped && tid >= 0 && !self.threads.contains_key(&tid) && !find_only(info)).then_some(tid)
    }

    /// Makes sure thread `tid` exists (as a placeholder if unknown).
    fn ensure_thread(&mut self, tid: i64) -> bool {
        if tid < 0 {
            return false;
        }
        if self.threads.contains_key(&tid) {
            return true;
        }
        let ok = self.insert_thread(Thread::placeholder(tid));
        if ok {
            self.stats.placeholders += 1;
        }
        ok
    }

    /// Changes the pid of `tid`, keeping the thread-group counts right.
    fn set_pid(&mut self, tid: i64, pid: i64) {
        let Some(t) = self.threads.get(&tid) else { return };
        if t.pid == pid {
            return;
        }
        self.unlink_from_group(tid);
        if let Some(t) = self.threads.get_mut(&tid) {
            t.pid = pid;
        }
        if pid >= 0
            && pid != tid
            && let Some(m) = self.threads.get_mut(&pid).filter(|m| m.is_main())
        {
            m.live_threads += 1;
        }
    }

    fn single_fd(&mut self, tid: i64, p: &ParamView<'_>, kind: FdType, out: &mut Outcome) {
        if let Some(fd) = p.int(0).filter(|&fd| fd >= 0) {
            self.add_fd(tid, fd, Fd::new(kind));
            out.fd_num = Some(fd);
        }
    }

    fn copy_fd(&mut self, tid: i64, old: i64, new: i64, out: &mut Outcome) {
        if new < 0 {
            return;
        }
        let Some(entry) = self.fd(tid, old).cloned() else {
            return;
        };
        if new == old {
            return;
        }
        self.add_fd(tid, new, entry);
        out.fd_num = Some(new);
    }

    fn update_cwd(&mut self, tid: i64, dir: &str) {
        let Some(t) = self.threads.get(&tid) else { return };
        let Some(main) = self.main_of(t).map(|m| m.tid) else {
            return;
        };
        if let Some(m) = self.threads.get_mut(&main) {
            m.cwd = cwd_of(&m.cwd, dir);
        }
    }

    fn on_clone(&mut self, ev: &Event<'_>, name: &str, p: &ParamView<'_>, out: &mut Outcome) {
        let Some(res) = p.int(0) else {
            return;
        };
        let tid = ev.tid as i64;
        if res < 0 {
            return;
        }
        if res == 0 {
            self.clone_child(ev, tid, p, out);
        } else {
            self.clone_caller(ev, name, tid, res, p, out);
        }
    }

    /// The fields a clone child takes from its clone exit event.
    fn fill_child(&self, child: &mut Thread, ev: &Event<'_>, p: &ParamView<'_>) {
        child.exe = proc_str_of(p.get(1));
        child.args = list_of(p.get(2));
        child.comm = match p.get(13) {
            Some(Param::Str(b)) if !b.is_empty() => capped(&escape(b)),
            _ => child.exe.clone(),
        };
        child.fdlimit = p.int(7).unwrap_or(0);
        if !p.is_empty_at(12) {
            child.pfmajor = p.uint(8).unwrap_or(0);
            child.pfminor = p.uint(9).unwrap_or(0);
            child.vmsize_kb = p.uint(10).unwrap_or(0) as u32;
            child.vmrss_kb = p.uint(11).unwrap_or(0) as u32;
            child.vmswap_kb = p.uint(12).unwrap_or(0) as u32;
        }
        child.uid = p.uint(16).unwrap_or(0) as u32;
        child.gid = p.uint(17).unwrap_or(0) as u32;
        if let Some(l) = p.get(14).filter(|x| *x != Param::Empty).and_then(|x| x.as_str_list()) {
            child.set_cgroups(l.iter());
        }
        child.clone_ts = ev.ts;
        child.pidns_init_start_ts = self.boot_ts;
    }

    /// Copies what a new process or thread inherits from `from`.
    fn inherit(child: &mut Thread, from: &Thread) {
        // A clone event without cgroups (falcorc's probe leaves them to be read from /proc,
        // which a short-lived child may already have left): the kernel starts a child in
        // its parent's cgroups, so the container is the parent's. Drivers that send
        // cgroups are unaffected.
        if child.cgroups.is_empty() {
            child.cgroups = from.cgroups.clone();
            child.container_id = from.container_id.clone();
        }
        child.exepath = from.exepath.clone();
        child.exe_writable = from.exe_writable;
        child.exe_upper_layer = from.exe_upper_layer;
        child.exe_lower_layer = from.exe_lower_layer;
        child.exe_from_memfd = from.exe_from_memfd;
        child.root = from.root.clone();
        child.sid = from.sid;
        child.vpgid = from.vpgid;
        child.pgid = from.pgid;
        child.tty = from.tty;
        child.loginuid = from.loginuid;
        child.cap_permitted = from.cap_permitted;
        child.cap_inheritable = from.cap_inheritable;
        child.cap_effective = from.cap_effective;
        child.exe_ino = from.exe_ino;
        child.exe_ino_ctime = from.exe_ino_ctime;
        child.exe_ino_mtime = from.exe_ino_mtime;
        child.exe_ino_ctime_duration_clone_ts = from.exe_ino_ctime_duration_clone_ts;
    }

    /// The fd table a new process starts with: a copy of `from`'s (dropped
    /// when it would exceed the global fd limit).
    fn copied_fds(&self, from: &Thread) -> super::fd::FdTable {
        let Some(owner) = self.fd_owner(from) else {
            return Default::default();
        };
        let Some(src) = self.threads.get(&owner) else {
            return Default::default();
        };
        if self.total_fds + src.fds.len() > MAX_TOTAL_FDS {
            return Default::default();
        }
        src.fds.clone()
    }

    fn clone_caller(
        &mut self,
        ev: &Event<'_>,
        name: &str,
        tid: i64,
        child_tid: i64,
        p: &ParamView<'_>,
        out: &mut Outcome,
    ) {
        if !self.ensure_thread(tid) {
            return;
        }
        out.thread = Some(tid);
        let flags = p.uint(15).unwrap_or(0) as u32;
        let Some(valid_caller) = self.threads.get(&tid).map(|t| !t.is_invalid()) else {
            return;
        };
        if !valid_caller {
            let pid = p.int(4).unwrap_or(-1);
            self.set_pid(tid, pid);
            let Some(t) = self.threads.get_mut(&tid) else { return };
            t.ptid = p.int(5).unwrap_or(-1);
            if p.is_empty_at(19) {
                t.vtid = tid;
                t.vpid = -1;
            } else {
                t.vtid = p.int(18).unwrap_or(-1);
                t.vpid = p.int(19).unwrap_or(-1);
            }
        }
        let Some(caller_vtid) = self.threads.get(&tid).map(|t| t.vtid) else {
            return;
        };
        if flags & (cl::CHILD_IN_PIDNS | cl::CLONE_NEWPID | cl::CLONE_PARENT) != 0 || tid != caller_vtid {
            return;
        }
        if flags & cl::CLONE_VFORK != 0 || name == "vfork" {
            return;
        }
        if let Some(existing) = self.threads.get(&child_tid) {
            if existing.flags & cl::CLONE_INVERTED != 0 {
                return;
            }
            self.remove_thread(child_tid);
            if self.threads.contains_key(&child_tid) {
                return;
            }
        }
        let mut child = Thread::blank(child_tid);
        child.flags = flags;
        let Some(caller) = self.threads.get(&tid) else {
            return;
        };
        if flags & cl::CLONE_THREAD == 0 {
            if valid_caller {
                child.fds = self.copied_fds(caller);
                child.cwd = self.cwd_of(caller).to_string();
                child.env = caller.env.clone();
            }
            child.pid = child_tid;
            child.ptid = tid;
        } else {
            child.pid = caller.pid;
            child.ptid = caller.ptid;
            child.flags |= cl::CLONE_FILES;
            child.lastexec_ts = caller.lastexec_ts;
        }
        child.vtid = child_tid;
        child.vpid = child.pid;
        self.fill_child(&mut child, ev, p);
        if valid_caller {
            Self::inherit(&mut child, caller);
        } else {
            let (exe, comm, args) = (child.exe.clone(), child.comm.clone(), child.args.clone());
            if let Some(c) = self.threads.get_mut(&tid) {
                c.exe = exe;
                c.comm = comm;
                c.args = args;
            }
        }
        self.insert_thread(child);
    }

    fn clone_child(&mut self, ev: &Event<'_>, tid: i64, p: &ParamView<'_>, out: &mut Outcome) {
        if let Some(t) = self.threads.get(&tid)
            && t.clone_ts != 0
        {
            if ev.ts.saturating_sub(t.clone_ts) < CLONE_STALE_NS {
                out.thread = Some(tid);
                return;
            }
            self.remove_thread(tid);
        }
        let mut child = Thread::blank(tid);
        child.pid = p.int(4).unwrap_or(-1);
        child.ptid = p.int(5).unwrap_or(-1);
        if p.is_empty_at(19) {
            child.vtid = tid;
            child.vpid = -1;
        } else {
            child.vtid = p.int(18).unwrap_or(-1);
            child.vpid = p.int(19).unwrap_or(-1);
        }
        child.flags = p.uint(15).unwrap_or(0) as u32 | cl::CLONE_INVERTED;
        let leader = child.flags & cl::CLONE_THREAD == 0;
        let lookup = if leader { child.ptid } else { child.pid };
        if !leader {
            child.flags |= cl::CLONE_FILES;
        }
        if lookup == tid || !self.ensure_thread(lookup) {
            return;
        }
        let Some(valid_lookup) = self.threads.get(&lookup).map(|t| !t.is_invalid()) else {
            return;
        };
        if !valid_lookup && !leader {
            self.set_pid(lookup, child.pid);
            let Some(l) = self.threads.get_mut(&lookup) else { return };
            l.ptid = child.ptid;
            l.vpid = child.vpid;
            l.vtid = l.vpid;
        }
        self.fill_child(&mut child, ev, p);
        if valid_lookup {
            let Some(l) = self.threads.get(&lookup) else {
                return;
            };
            Self::inherit(&mut child, l);
            if leader {
                child.fds = self.copied_fds(l);
                child.cwd = self.cwd_of(l).to_string();
                child.env = l.env.clone();
            } else {
                child.lastexec_ts = l.lastexec_ts;
            }
        } else if !leader {
            let (exe, comm, args) = (child.exe.clone(), child.comm.clone(), child.args.clone());
            if let Some(l) = self.threads.get_mut(&lookup) {
                l.exe = exe;
                l.comm = comm;
                l.args = args;
            }
        }
        let in_ns = child.flags & (cl::CHILD_IN_PIDNS | cl::CLONE_NEWPID) != 0 || child.tid != child.vtid;
        if in_ns {
            if let Some(ts) = p.uint(20).filter(|_| !p.is_empty_at(20)) {
                child.pidns_init_start_ts = ts.saturating_add(self.boot_ts);
            }
        } else {
            child.pidns_init_start_ts = self.boot_ts;
        }
        if self.insert_thread(child) {
            out.thread = Some(tid);
        }
    }

    fn on_execve(&mut self, ev: &Event<'_>, tid: i64, p: &ParamView<'_>) {
        if p.int(0).is_none_or(|r| r < 0) {
            return;
        }
        let Some(pid) = p.int(4) else { return };
        self.set_pid(tid, pid);
        let exepath_from_enter = if p.is_empty_at(27) {
            match p.get(30) {
                Some(Param::Str(b)) if !b.is_empty() => {
                    let name = escape(b);
                    Some(if name == "<NA>" {
                        name.into_owned()
                    } else {
                        let cwd = self.threads.get(&tid).map_or("", |t| self.cwd_of(t));
                        path::join(cwd, &name)
                    })
                }
                _ => None,
            }
        } else {
            None
        };
        let Some(t) = self.threads.get_mut(&tid) else { return };
        t.dead = false;
        t.exe = proc_str_of(p.get(1));
        t.lastexec_ts = ev.ts;
        t.comm = match p.get(13) {
            Some(Param::Str(b)) if !b.is_empty() => capped(&escape(b)),
            _ => t.exe.clone(),
        };
        t.args = list_of(p.get(2));
        if t.is_invalid() || t.ptid < 0 {
            t.ptid = p.int(5).unwrap_or(-1);
            if t.flags & cl::CHILD_IN_PIDNS == 0 {
                t.vtid = t.tid;
                t.vpid = t.pid;
            }
        }
        t.fdlimit = p.int(7).unwrap_or(t.fdlimit);
        if !p.is_empty_at(12) {
            t.pfmajor = p.uint(8).unwrap_or(0);
            t.pfminor = p.uint(9).unwrap_or(0);
            t.vmsize_kb = p.uint(10).unwrap_or(0) as u32;
            t.vmrss_kb = p.uint(11).unwrap_or(0) as u32;
            t.vmswap_kb = p.uint(12).unwrap_or(0) as u32;
        }
        if !p.is_empty_at(15) {
            t.env = list_of(p.get(15));
        }
        if let Some(l) = p.get(14).filter(|x| *x != Param::Empty).and_then(|x| x.as_str_list()) {
            t.set_cgroups(l.iter());
        }
        if let Some(tty) = p.uint(16).filter(|_| !p.is_empty_at(16)) {
            t.tty = tty as u32;
        }
        if !p.is_empty_at(27) {
            t.exepath = proc_str_of(p.get(27));
        } else if let Some(exepath) = exepath_from_enter {
            t.exepath = capped(&exepath);
        }
        if !p.is_empty_at(17) {
            t.vpgid = p.int(17).unwrap_or(t.vpgid);
        }
        if !p.is_empty_at(18) {
            t.loginuid = p.uint(18).unwrap_or(u64::from(u32::MAX)) as u32;
        }
        if let Some(flags) = p.uint(19).filter(|_| !p.is_empty_at(19)) {
            t.exe_writable = flags & 1 != 0;
            t.exe_upper_layer = flags & 2 != 0;
            t.exe_from_memfd = flags & 4 != 0;
            t.exe_lower_layer = flags & 8 != 0;
        }
        if !p.is_empty_at(22) {
            t.cap_inheritable = p.uint(20).unwrap_or(0);
            t.cap_permitted = p.uint(21).unwrap_or(0);
            t.cap_effective = p.uint(22).unwrap_or(0);
        }
        if !p.is_empty_at(25) {
            t.exe_ino = p.uint(23).unwrap_or(0);
            t.exe_ino_ctime = p.uint(24).unwrap_or(0);
            t.exe_ino_mtime = p.uint(25).unwrap_or(0);
            if t.clone_ts != 0 {
                t.exe_ino_ctime_duration_clone_ts = t.clone_ts.wrapping_sub(t.exe_ino_ctime);
            }
            if t.pidns_init_start_ts != 0 && t.exe_ino_ctime > t.pidns_init_start_ts {
                t.exe_ino_ctime_duration_pidns_start = t.exe_ino_ctime - t.pidns_init_start_ts;
            }
        }
        if !p.is_empty_at(26) {
            t.uid = p.uint(26).unwrap_or(0) as u32;
        }
        t.pgid = if p.is_empty_at(28) { -1 } else { p.int(28).unwrap_or(-1) };
        if !p.is_empty_at(29) {
            t.gid = p.uint(29).unwrap_or(0) as u32;
        }
        let keep = t.flags & (cl::PIPE_SRC | cl::PIPE_DST | cl::IS_MAIN_THREAD | cl::CLONE_INVERTED);
        t.flags = cl::ACTIVE | cl::NAME_CHANGED | keep;
        // The other threads of the process end with the exec.
        if t.is_main() && t.live_threads > 0 {
            let pid = t.pid;
            let others: Vec<i64> = self
                .threads
                .values()
                .filter(|o| o.pid == pid && o.tid != tid && !o.is_main())
                .map(|o| o.tid)
                .collect();
            for o in others {
                self.remove_thread(o);
            }
        }
    }

    /// Directory an `*at` path is relative to (libsinsp's `parse_dirfd`).
    /// The directory a relative `openat` path starts from; `None` when the path is
    /// absolute (so no base string is built for the common case).
    fn dirfd_base(&self, tid: i64, name: &str, dirfd: i64) -> Option<String> {
        if name.starts_with('/') {
            return None;
        }
        let Some(t) = self.threads.get(&tid) else {
            return Some("<UNKNOWN>".into());
        };
        if dirfd == AT_FDCWD {
            return Some(self.cwd_of(t).to_string());
        }
        Some(match self.fd_of(t, dirfd) {
            None => "<UNKNOWN>".into(),
            Some(f) if f.name.is_empty() || f.name.ends_with('/') => f.name.clone(),
            Some(f) => format!("{}/", f.name),
        })
    }

    /// The path an open passes (`fd.nameraw`) and the file it names (`fd.name`): the
    /// path decoded and resolved against the working directory or directory fd.
    fn open_names<'p>(&self, tid: i64, name: &str, path_idx: usize, p: &ParamView<'p>) -> (Cow<'p, str>, Cow<'p, str>) {
        let raw_name = match p.get(path_idx) {
            Some(Param::Str(b)) => lossy(b),
            _ if matches!(name, "openat" | "openat2") => "<NA>".into(),
            _ => "".into(),
        };
        let base = match name {
            "open" | "creat" => self.threads.get(&tid).map(|t| self.cwd_of(t).to_string()),
            // The directory fd matters only for a relative path.
            "openat" | "openat2" if !raw_name.starts_with('/') => {
                p.int(1).and_then(|dirfd| self.dirfd_base(tid, &raw_name, dirfd))
            }
            _ => None,
        };
        let full = match path::join_cow(base.as_deref().unwrap_or(""), &raw_name) {
            Cow::Borrowed(_) => raw_name.clone(),
            Cow::Owned(s) => Cow::Owned(s),
        };
        (raw_name, full)
    }

    fn on_open(&mut self, tid: i64, name: &str, p: &ParamView<'_>, out: &mut Outcome) {
        let fd = p.int(0).unwrap_or(-1);
        let (path_idx, flags, dev_idx) = match name {
            "open" => (1, p.uint(2).unwrap_or(0) as u32, 4),
            "creat" => (1, 0, 3),
            "openat" => (2, p.uint(3).unwrap_or(0) as u32, 5),
            "openat2" => (2, p.uint(3).unwrap_or(0) as u32, 6),
            _ => (3, p.uint(2).unwrap_or(0) as u32, 4),
        };
        // `creat` is not an open event for `evt.is_open_*` (it has no flags parameter).
        out.open_flags = (name != "creat").then_some(flags);
        if fd < 0 {
            return;
        }
        let plain = match p.ty(path_idx) {
            Some(FieldType::Charbuf | FieldType::Fspath | FieldType::Fsrelpath) => {
                p.raw(path_idx).and_then(path::plain_absolute)
            }
            _ => None,
        };
        let (raw_name, full) = match plain {
            // An absolute path in normal form names the file as it is.
            Some(text) => (Cow::Borrowed(text), Cow::Borrowed(text)),
            None => self.open_names(tid, name, path_idx, p),
        };
        let kind = if flags & oflag::DIRECTORY != 0 {
            FdType::Directory
        } else {
            FdType::FileV2
        };
        let (dev, ino) = if p.is_empty_at(dev_idx) {
            (0, 0)
        } else {
            (p.uint(dev_idx).unwrap_or(0) as u32, p.uint(dev_idx + 1).unwrap_or(0))
        };
        // Every field set in place, the string buffers kept: fd numbers are reused all
        // the time, and a new entry takes the buffers of a closed one (`spare_fds`).
        let fill = |f: &mut Fd| {
            f.name.clear();
            f.name.push_str(capped_str(&full));
            f.set_name_raw(capped_str(&raw_name), plain.is_some());
            f.kind = kind;
            f.open_flags = flags;
            f.dev = dev;
            f.ino = ino;
            f.sock = Sock::None;
            f.role = Role::None;
            f.connected = false;
            f.upper_layer = flags & oflag::UPPER_LAYER != 0;
            f.lower_layer = flags & oflag::LOWER_LAYER != 0;
        };
        out.name_changed = !full.is_empty();
        out.fd_num = Some(fd);
        // One lookup of the fd table for both cases (existing entry or new one).
        let Some(owner) = self.threads.get(&tid).and_then(|t| self.fd_owner(t)) else {
            return;
        };
        let full_total = self.total_fds >= MAX_TOTAL_FDS;
        let Some(table) = self.threads.get_mut(&owner).map(|t| &mut t.fds) else {
            return;
        };
        match table.slot(fd) {
            Slot::Occupied(existing) => fill(existing),
            Slot::Vacant(v) if !full_total => {
                let mut f = self.spare_fds.pop().unwrap_or_else(|| Fd::new(kind));
                fill(&mut f);
                v.insert(f);
                self.total_fds += 1;
            }
            Slot::Vacant(_) | Slot::Full => self.stats.dropped_fds += 1,
        }
    }

    fn event_fd_mut(&mut self, tid: i64, fd: i64) -> Option<&mut Fd> {
        let owner = self.fd_owner(self.threads.get(&tid)?)?;
        self.threads.get_mut(&owner)?.fds.get_mut(fd)
    }

    fn on_bind(&mut self, tid: i64, p: &ParamView<'_>, out: &mut Outcome) {
        let Some(fd) = out.fd_num else { return };
        if p.int(0).is_none_or(|r| r < 0) {
            return;
        }
        let Some(Param::SockAddr(addr)) = p.get(1) else { return };
        let Some(f) = self.event_fd_mut(tid, fd) else { return };
        let l4 = f.raw_l4();
        match addr {
            SockAddr::V4(a) if a.port() > 0 => {
                f.kind = FdType::Ipv4ServSock;
                f.sock = Sock::Server {
                    ip: (*a.ip()).into(),
                    port: a.port(),
                    l4,
                };
                f.role = Role::Server;
            }
            SockAddr::V6(a) if a.port() > 0 => {
                if is_v4_mapped(a.ip()) {
                    f.kind = FdType::Ipv4ServSock;
                    f.sock = Sock::Server {
                        ip: mapped_v4(a.ip()).into(),
                        port: a.port(),
                        l4,
                    };
                } else {
                    f.kind = FdType::Ipv6ServSock;
                    f.sock = Sock::Server {
                        ip: (*a.ip()).into(),
                        port: a.port(),
                        l4,
                    };
                }
                f.role = Role::Server;
            }
            _ => {}
        }
        let name = capped(&sockaddr_text(&addr));
        out.name_changed = f.name != name;
        f.name = name;
    }

    fn on_connect(&mut self, tid: i64, p: &ParamView<'_>, out: &mut Outcome) {
        let Some(fd) = out.fd_num else { return };
        let res = p.int(0).unwrap_or(0);
        if res < 0 && res != EINPROGRESS {
            return;
        }
        let Some(f) = self.event_fd_mut(tid, fd) else { return };
        f.connected = true;
        let tuple = match p.get(1) {
            Some(Param::SockTuple(t)) => t,
            _ => {
                // No tuple: the destination comes from the address.
                if let Some(Param::SockAddr(a)) = p.get(3) {
                    let (v6, ip, port) = match a {
                        SockAddr::V4(s) => (false, IpAddr::from(*s.ip()), s.port()),
                        SockAddr::V6(s) if is_v4_mapped(s.ip()) => (false, mapped_v4(s.ip()).into(), s.port()),
                        SockAddr::V6(s) => (true, IpAddr::from(*s.ip()), s.port()),
                        other => {
                            f.name = capped(&sockaddr_text(&other));
                            return;
                        }
                    };
                    let (sip, sport, l4) = match f.sock {
                        Sock::Ip { sip, sport, l4, .. } if sip.is_ipv6() == v6 => (sip, sport, l4),
                        _ => (any_addr(v6), 0, f.raw_l4()),
                    };
                    f.kind = ip_kind(v6);
                    f.sock = Sock::Ip {
                        sip,
                        sport,
                        dip: ip,
                        dport: port,
                        l4,
                    };
                }
                return;
            }
        };
        let changed = match tuple {
            SockTuple::V4 { src, dst } => {
                f.kind = FdType::Ipv4Sock;
                set_ends(f, (*src.ip()).into(), src.port(), (*dst.ip()).into(), dst.port(), true)
            }
            SockTuple::V6 { src, dst } => {
                let (kind, sip, dip) = net::v6_ends(src.ip(), dst.ip());
                f.kind = kind.unwrap_or(FdType::Ipv6Sock);
                set_ends(f, sip, src.port(), dip, dst.port(), true)
            }
            SockTuple::Unix { src, dst, path } => {
                if f.kind != FdType::UnixSock {
                    return;
                }
                f.sock = Sock::Unix { src, dst };
                f.name = capped(&format!("{src:x}->{dst:x} {}", String::from_utf8_lossy(path)));
                if f.role == Role::None {
                    f.role = Role::Client;
                }
                out.name_changed = true;
                return;
            }
            SockTuple::Other { .. } => return,
        };
        if changed && f.role == Role::Server && f.raw_l4() == l4::UDP {
            swap_ends(f);
        }
        out.name_changed = net::set_socket_name(&mut f.name, &f.sock);
        if f.role == Role::None {
            f.role = Role::Client;
        }
    }

    fn on_accept(&mut self, tid: i64, p: &ParamView<'_>, out: &mut Outcome) {
        let Some(fd) = p.int(0).filter(|&fd| fd >= 0) else {
            return;
        };
        out.fd_num = Some(fd);
        let Some(Param::SockTuple(tuple)) = p.get(1) else {
            return;
        };
        let mut f = match tuple {
            SockTuple::V4 { src, dst } => {
                let mut f = Fd::new(FdType::Ipv4Sock);
                f.sock = Sock::Ip {
                    sip: (*src.ip()).into(),
                    sport: src.port(),
                    dip: (*dst.ip()).into(),
                    dport: dst.port(),
                    l4: l4::TCP,
                };
                f
            }
            SockTuple::V6 { src, dst } => {
                let mapped = is_v4_mapped(src.ip()) && is_v4_mapped(dst.ip());
                let mut f = Fd::new(ip_kind(!mapped));
                f.sock = if mapped {
                    Sock::Ip {
                        sip: mapped_v4(src.ip()).into(),
                        sport: src.port(),
                        dip: mapped_v4(dst.ip()).into(),
                        dport: dst.port(),
                        l4: l4::TCP,
                    }
                } else {
                    Sock::Ip {
                        sip: (*src.ip()).into(),
                        sport: src.port(),
                        dip: (*dst.ip()).into(),
                        dport: dst.port(),
                        l4: l4::TCP,
                    }
                };
                f
            }
            SockTuple::Unix { src, dst, .. } => {
                let mut f = Fd::new(FdType::UnixSock);
                f.sock = Sock::Unix { src, dst };
                f
            }
            SockTuple::Other { .. } => return,
        };
        f.name = capped(&tuple_text(&tuple));
        f.role = Role::Server;
        f.connected = true;
        out.name_changed = true;
        self.add_fd(tid, fd, f);
    }

    /// Whether thread `tid`'s process has an IPv4 socket connected to, or
    /// listening on, `port`.
    fn bound_to_port(&self, tid: i64, port: u16) -> bool {
        let Some(t) = self.threads.get(&tid) else { return false };
        let Some(owner) = self.fd_owner(t).and_then(|o| self.threads.get(&o)) else {
            return false;
        };
        owner.fds.iter().any(|(_, f)| match (f.kind, f.sock) {
            (FdType::Ipv4Sock, Sock::Ip { dport, .. }) => dport == port,
            (FdType::Ipv4ServSock, Sock::Server { port: p, .. }) => p == port,
            _ => false,
        })
    }

    fn uses_client_port(&self, tid: i64, port: u16) -> bool {
        let Some(t) = self.threads.get(&tid) else { return false };
        let Some(owner) = self.fd_owner(t).and_then(|o| self.threads.get(&o)) else {
            return false;
        };
        owner
            .fds
            .iter()
            .any(|(_, f)| matches!((f.kind, f.sock), (FdType::Ipv4Sock, Sock::Ip { sport, .. }) if sport == port))
    }

    /// Updates a datagram socket from the tuple of a send/receive event
    /// (libsinsp's `update_fd` and what follows it). True when the fd changed.
    fn update_from_tuple(&mut self, tid: i64, fd: i64, raw: &[u8], incoming: bool, out: &mut Outcome) {
        if raw.is_empty() {
            return;
        }
        let Some(tuple) = SockTuple::parse(raw) else { return };
        let ifaces = self.ifaces.clone();
        let Some(f) = self.event_fd_mut(tid, fd) else { return };
        match tuple {
            SockTuple::V4 { src, dst } => {
                if let Sock::Server { l4, .. } = f.sock
                    && f.kind == FdType::Ipv4ServSock
                {
                    f.sock = Sock::Ip {
                        sip: any_addr(false),
                        sport: 0,
                        dip: any_addr(false),
                        dport: 0,
                        l4,
                    };
                }
                f.kind = FdType::Ipv4Sock;
                if !set_ends(f, (*src.ip()).into(), src.port(), (*dst.ip()).into(), dst.port(), false) {
                    return;
                }
            }
            SockTuple::V6 { src, dst } => {
                let (kind, sip, dip) = net::v6_ends(src.ip(), dst.ip());
                if let Some(k) = kind {
                    f.kind = k;
                }
                if !set_ends(f, sip, src.port(), dip, dst.port(), false) {
                    return;
                }
            }
            SockTuple::Unix { src, dst, .. } => {
                f.kind = FdType::UnixSock;
                f.sock = Sock::Unix { src, dst };
                let name = capped(&tuple_text(&tuple));
                out.name_changed = f.name != name;
                f.name = name;
                return;
            }
            SockTuple::Other { .. } => return,
        }
        if let Sock::Ip {
            sip,
            sport,
            dip,
            dport,
            l4: proto,
        } = f.sock
            && proto == l4::UNKNOWN
        {
            f.sock = Sock::Ip {
                sip,
                sport,
                dip,
                dport,
                l4: l4::UDP,
            };
        }
        ifaces.patch(f);
        if !f.is_ip_socket() {
            return;
        }
        let (sport, dport) = match f.sock {
            Sock::Ip { sport, dport, .. } => (sport, dport),
            _ => (0, 0),
        };
        if f.role == Role::None {
            // The process owns the port: server (when it also uses the port
            // as a client port, guess from the direction of the first I/O).
            let server = self.bound_to_port(tid, dport) && (incoming || !self.uses_client_port(tid, sport));
            let role = if server { Role::Server } else { Role::Client };
            if let Some(f) = self.event_fd_mut(tid, fd) {
                f.role = role;
            }
        }
        let Some(f) = self.event_fd_mut(tid, fd) else { return };
        if (incoming && f.role == Role::Client) || (!incoming && f.role == Role::Server) {
            swap_ends(f);
        }
        out.name_changed = net::set_socket_name(&mut f.name, &f.sock);
    }

    fn on_read(&mut self, tid: i64, name: &str, p: &ParamView<'_>, out: &mut Outcome) {
        let Some(fd) = out.fd_num else { return };
        if name == "recvmmsg" && p.is_empty_at(0) {
            return;
        }
        if p.int(0).is_none_or(|r| r < 0) {
            return;
        }
        let Some(f) = self.event_fd_mut(tid, fd) else { return };
        if f.is_ip_socket() {
            f.connected = true;
        }
        let tuple_idx = match name {
            "recvfrom" => 2,
            "recvmsg" => 3,
            "recv" | "recvmmsg" => 4,
            _ => return,
        };
        if f.name.is_empty() || !(f.is_ip_socket() && f.raw_l4() == l4::TCP) {
            let raw = p.raw(tuple_idx).unwrap_or_default();
            self.update_from_tuple(tid, fd, raw, true, out);
        }
    }

    fn on_write(&mut self, tid: i64, name: &str, p: &ParamView<'_>, out: &mut Outcome) {
        let Some(fd) = out.fd_num else { return };
        if name == "sendmmsg" && p.is_empty_at(0) {
            return;
        }
        let sending = matches!(name, "send" | "sendto" | "sendmsg");
        if sending && self.fd(tid, fd).is_none() && p.int(0).is_some_and(|r| r >= 0) && fd >= 0 {
            // A send on an fd opened before the capture: assume UDP.
            match p.raw(4).and_then(|r| r.first()) {
                Some(2) => {
                    self.add_fd(tid, fd, new_socket(2, 2, 17));
                }
                Some(10) => {
                    self.add_fd(tid, fd, new_socket(10, 2, 17));
                }
                _ => {}
            }
        }
        if p.int(0).is_none_or(|r| r < 0) {
            return;
        }
        let Some(f) = self.event_fd_mut(tid, fd) else { return };
        if f.is_ip_socket() {
            f.connected = true;
        }
        if (sending || name == "sendmmsg") && (f.name.is_empty() || !(f.is_ip_socket() && f.raw_l4() == l4::TCP)) {
            let raw = p.raw(4).unwrap_or_default();
            self.update_from_tuple(tid, fd, raw, false, out);
        }
    }

    fn on_container(&mut self, p: &ParamView<'_>) {
        let c = match p.len() {
            1 => {
                let Some(Param::Str(b)) = p.get(0) else { return };
                let Some(c) = container::parse_json(&String::from_utf8_lossy(b)) else {
                    return;
                };
                c
            }
            _ => {
                let id = str_of(p.get(0));
                if id.is_empty() {
                    return;
                }
                let image = str_of(p.get(3));
                let (repo, tag) = match image.rsplit_once(':') {
                    Some((r, t)) if !t.contains('/') => (r.to_string(), t.to_string()),
                    _ => (image.clone(), String::new()),
                };
                Container {
                    id: id.chars().take(12).collect(),
                    full_id: id,
                    name: str_of(p.get(2)),
                    image,
                    image_repository: repo,
                    image_tag: tag,
                    ..Container::default()
                }
            }
        };
        if self.containers.len() < MAX_CONTAINERS || self.containers.contains_key(&c.id) {
            self.containers.insert(c.id.clone(), c);
        }
    }

    fn on_user_event(&mut self, name: &str, p: &ParamView<'_>) {
        match name {
            "useradded" | "userdeleted" => {
                if !str_of(p.get(5)).is_empty() {
                    return;
                }
                let Some(uid) = p.uint(0).map(|v| v as u32) else { return };
                if name == "userdeleted" {
                    self.users.remove(&uid);
                } else if self.users.len() < MAX_USERS || self.users.contains_key(&uid) {
                    self.users.insert(
                        uid,
                        User {
                            name: str_of(p.get(2)),
                            homedir: str_of(p.get(3)),
                            shell: str_of(p.get(4)),
                            gid: p.uint(1).unwrap_or(0) as u32,
                        },
                    );
                }
            }
            _ => {
                if !str_of(p.get(2)).is_empty() {
                    return;
                }
                let Some(gid) = p.uint(0).map(|v| v as u32) else { return };
                if name == "groupdeleted" {
                    self.groups.remove(&gid);
                } else if self.groups.len() < MAX_USERS || self.groups.contains_key(&gid) {
                    self.groups.insert(gid, str_of(p.get(1)));
                }
            }
        }
    }
}

/// Events that only look their thread up, never creating it: clone and fork exits (the
/// child's own event introduces it), procexit (the task is gone), context switches and the
/// events libsinsp does not reset for.
fn find_only(info: &CodeInfo) -> bool {
    info.flags & ef::SKIP_RESET != 0
        || matches!(info.op, Op::Clone | Op::Procexit)
        || crate::event::event_def(info.current).is_some_and(|d| d.name == "switch")
}
