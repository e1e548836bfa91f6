//! The state tracker: threads, their file descriptors, users, groups,
//! containers and network interfaces, kept up to date from the event stream
//! the way libsinsp does, so that rule fields can be resolved per event.
//!
//! [`Tracker::on_event`] takes events in capture order. Enter events that
//! have an exit counterpart are only remembered (per thread) and folded into
//! their exit, whose parameters are then read in the event's current layout
//! (see [`meta::ParamView`]). Each exit event (and each event that has no
//! direction pair, such as `procexit` or meta events) is processed in three
//! steps: the constructive state updates (new threads, new fds, new names),
//! the caller's evaluation with a [`FieldCtx`], then the destructive updates
//! (fd close, thread exit), so rules on `close` still see the fd and rules on
//! `procexit` still see the process.
//!
//! Memory is bounded: at most [`MAX_THREADS`] threads, [`fd::MAX_FDS_PER_PROCESS`]
//! fds per process and [`MAX_TOTAL_FDS`] fds overall, [`MAX_PENDING`] stored
//! enter events of at most [`meta::MAX_STORED_ENTER`] bytes, [`MAX_USERS`]
//! users and groups, [`MAX_CONTAINERS`] containers, and string attributes are
//! capped (see [`thread::MAX_LIST_BYTES`]). Past a limit new entries are not
//! recorded; their events still evaluate, with missing values.

pub mod container;
pub mod fd;
pub mod meta;
pub mod net;
mod parse;
pub mod path;
pub mod thread;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::event::Event;
use crate::fields::FieldCtx;
use crate::scap::{FdDetails, FdInfo, ScapReader};
use container::Container;
use fd::{Fd, FdTable, FdType, Role, Sock};
use meta::{ParamView, StoredEnter};
use net::Ifaces;
use thread::{Thread, cl};

pub(crate) use parse::tuple_text as parse_tuple_text;

/// Most threads tracked.
pub const MAX_THREADS: usize = 131_072;
/// Most fds tracked over all processes.
pub const MAX_TOTAL_FDS: usize = 1 << 20;
/// Most enter events waiting for their exit.
pub const MAX_PENDING: usize = 65_536;
/// Most users, and most groups.
pub const MAX_USERS: usize = 65_536;
/// Most containers with metadata.
pub const MAX_CONTAINERS: usize = 4096;
/// Most closed fd entries kept for reuse.
const MAX_SPARE_FDS: usize = 64;

/// A multiplicative hasher for integer keys (thread ids, fds): much cheaper
/// than SipHash and good enough for ids.
#[derive(Clone, Copy, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A hash map keyed by ids.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A user of the user table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Home directory.
    pub homedir: String,
    /// Login shell.
    pub shell: String,
    /// Primary group.
    pub gid: u32,
}

/// What processing one event produced, for the field context and the
/// destructive step.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outcome {
    /// Tid of the event's thread entry, when it has one.
    pub thread: Option<i64>,
    /// The fd the event refers to (`fd.num`), for events that create, use
    /// or destroy one and have a thread.
    pub fd_num: Option<i64>,
    /// The event renamed its fd.
    pub name_changed: bool,
    /// `(fd table owner, fd)` to remove after evaluation.
    pub close: Option<(i64, i64)>,
    /// The thread exits after evaluation.
    pub exit: bool,
    /// The exiting thread's `reaper_tid` parameter (0 when the driver gave none).
    pub reaper: i64,
    /// Latency from the enter event, when there was one.
    pub latency: Option<u64>,
    /// The flags of an open-family event as the open step read them (`evt.is_open_*`
    /// then need no second decoding); `None` when that step did not run.
    pub open_flags: Option<u32>,
}

/// Counters for statistics and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events seen.
    pub events: u64,
    /// Events evaluated (exit and unpaired events).
    pub evaluated: u64,
    /// Threads not recorded because the table was full.
    pub dropped_threads: u64,
    /// Fds not recorded because a table was full.
    pub dropped_fds: u64,
    /// Placeholder threads created for unknown tids.
    pub placeholders: u64,
}

/// Process, fd, user and container state built from a capture's metadata
/// and the event stream.
#[derive(Debug)]
pub struct Tracker {
    threads: FastMap<i64, Thread>,
    pending: FastMap<u64, StoredEnter>,
    spare: Vec<StoredEnter>,
    /// Entries of closed fds, for opens to refill instead of allocating names.
    spare_fds: Vec<Fd>,
    users: FastMap<u32, User>,
    groups: FastMap<u32, String>,
    containers: HashMap<String, Container>,
    ifaces: Ifaces,
    hostname: String,
    boot_ts: u64,
    total_fds: usize,
    first_ts: Option<u64>,
    prev_ts: Option<u64>,
    counter: std::cell::Cell<u64>,
    stats: Stats,
    /// This tracker among all of the process's, and how many threads it has removed: see
    /// [`Tracker::thread_stamp`].
    id: u64,
    removed_threads: u64,
}

/// Ids of trackers, distinct for the process's lifetime.
static TRACKER_IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Default for Tracker {
    fn default() -> Self {
        Tracker::new()
    }
}

impl Tracker {
    /// Empty state (for hand-written events).
    pub fn new() -> Tracker {
        Tracker {
            threads: FastMap::default(),
            pending: FastMap::default(),
            spare: Vec::new(),
            spare_fds: Vec::new(),
            users: FastMap::default(),
            groups: FastMap::default(),
            containers: HashMap::new(),
            ifaces: Ifaces::default(),
            hostname: String::new(),
            boot_ts: 0,
            total_fds: 0,
            first_ts: None,
            prev_ts: None,
            counter: std::cell::Cell::new(0),
            stats: Stats::default(),
            id: TRACKER_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            removed_threads: 0,
        }
    }

    /// State seeded from a capture's metadata: the process list becomes the
    /// thread table, fd lists the fd tables, plus users, groups, network
    /// interfaces and the machine's host name.
    pub fn from_capture<R: std::io::Read>(reader: &ScapReader<R>) -> Tracker {
        let mut t = Tracker::new();
        if let Some(m) = reader.machine() {
            t.hostname = m.hostname.clone();
            t.boot_ts = m.boot_ts_epoch;
        }
        t.ifaces = Ifaces::from_capture(reader.interfaces());
        for u in reader.users().iter().take(MAX_USERS) {
            t.users.insert(
                u.uid,
                User {
                    name: u.name.clone(),
                    homedir: u.homedir.clone(),
                    shell: u.shell.clone(),
                    gid: u.gid,
                },
            );
        }
        for g in reader.groups().iter().take(MAX_USERS) {
            t.groups.insert(g.gid, g.name.clone());
        }
        for info in reader.threads() {
            if t.threads.len() >= MAX_THREADS {
                t.stats.dropped_threads += 1;
                continue;
            }
            let th = Thread::from_snapshot(info);
            t.threads.insert(th.tid, th);
        }
        for (tid, info) in reader.fds() {
            t.add_snapshot_fd(*tid as i64, info);
        }
        t.fix_snapshot_sockets();
        t.count_thread_groups();
        t
    }

    /// Sets the host name reported by `evt.hostname`.
    /// Take in metadata blocks that appeared after the first event, from block `since` on:
    /// threads, fds, users and groups the tracker does not know yet. What it already tracks
    /// is newer than a snapshot and is kept; what an earlier block listed and the stream
    /// has closed since stays closed.
    pub fn refresh_from<R: std::io::Read>(&mut self, reader: &ScapReader<R>, since: u64) {
        for u in reader.users() {
            if self.users.len() < MAX_USERS && !self.users.contains_key(&u.uid) {
                let user = User {
                    name: u.name.clone(),
                    homedir: u.homedir.clone(),
                    shell: u.shell.clone(),
                    gid: u.gid,
                };
                self.users.insert(u.uid, user);
            }
        }
        for g in reader.groups() {
            if self.groups.len() < MAX_USERS && !self.groups.contains_key(&g.gid) {
                self.groups.insert(g.gid, g.name.clone());
            }
        }
        self.adopt(reader.threads_since(since), reader.fds_since(since));
    }

    /// Take in threads and fds learnt after the start (a capture's later metadata blocks, or
    /// /proc read for a thread the live stream never introduced): unknown threads and the
    /// `<NA>` stand-ins made for earlier events are replaced; what is tracked already is
    /// newer than such a snapshot and is kept.
    pub fn adopt<'t>(
        &mut self,
        threads: impl IntoIterator<Item = &'t crate::scap::ThreadInfo>,
        fds: impl IntoIterator<Item = &'t (u64, crate::scap::FdInfo)>,
    ) {
        let mut added = false;
        for info in threads {
            let th = Thread::from_snapshot(info);
            let replace = match self.threads.get(&th.tid) {
                None => self.threads.len() < MAX_THREADS,
                Some(old) => old.is_invalid(),
            };
            if replace {
                self.threads.insert(th.tid, th);
                added = true;
            }
        }
        for (tid, info) in fds {
            if self.fd(*tid as i64, info.fd).is_none() {
                self.add_snapshot_fd(*tid as i64, info);
            }
        }
        if added {
            self.count_thread_groups();
        }
    }

    pub fn set_hostname(&mut self, name: impl Into<String>) {
        self.hostname = name.into();
    }

    /// The host name reported by `evt.hostname`.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    /// Adds an IPv4 interface address (for hand-made state).
    pub fn add_interface_v4(&mut self, addr: std::net::Ipv4Addr, netmask: std::net::Ipv4Addr) {
        self.ifaces.add_v4(addr, netmask);
    }

    /// Adds an IPv6 interface address (for hand-made state).
    pub fn add_interface_v6(&mut self, addr: std::net::Ipv6Addr) {
        self.ifaces.add_v6(addr);
    }

    /// Adds or replaces a user (for hand-made state).
    pub fn add_user(&mut self, uid: u32, user: User) {
        if self.users.len() < MAX_USERS || self.users.contains_key(&uid) {
            self.users.insert(uid, user);
        }
    }

    /// Adds or replaces a group (for hand-made state).
    pub fn add_group(&mut self, gid: u32, name: impl Into<String>) {
        if self.groups.len() < MAX_USERS || self.groups.contains_key(&gid) {
            self.groups.insert(gid, name.into());
        }
    }

    /// Number of tracked threads.
    pub fn threads(&self) -> usize {
        self.threads.len()
    }

    /// Number of tracked fds over all processes.
    pub fn fds(&self) -> usize {
        self.total_fds
    }

    /// Number of enter events waiting for their exit.
    pub fn pending_enters(&self) -> usize {
        self.pending.len()
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The thread `tid`.
    pub fn thread(&self, tid: i64) -> Option<&Thread> {
        self.threads.get(&tid)
    }

    /// Changes whenever a thread leaves this tracker's table (and differs between
    /// trackers): a thread found in the table is still there while the stamp is the same,
    /// which lets a caller that asks for every event skip the lookup (threads are only ever
    /// added in between).
    pub fn thread_stamp(&self) -> (u64, u64) {
        (self.id, self.removed_threads)
    }

    /// The fd `fd` as seen by thread `tid` (through its process's table).
    pub fn fd(&self, tid: i64, fd: i64) -> Option<&Fd> {
        let t = self.threads.get(&tid)?;
        self.fd_of(t, fd)
    }

    /// Number of fds of the table thread `tid` uses.
    pub fn fd_count(&self, tid: i64) -> usize {
        self.threads
            .get(&tid)
            .and_then(|t| self.fd_owner(t))
            .and_then(|o| self.threads.get(&o))
            .map_or(0, |t| t.fds.len())
    }

    /// Metadata of container `id`, when a meta event provided it.
    pub fn container(&self, id: &str) -> Option<&Container> {
        self.containers.get(id)
    }

    /// The user with `uid`.
    pub fn user(&self, uid: u32) -> Option<&User> {
        self.users.get(&uid)
    }

    /// The name of group `gid`.
    pub fn group(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }

    /// Approximate heap bytes held by the state (for the memory bound tests).
    pub fn heap_bytes(&self) -> usize {
        let threads: usize = self
            .threads
            .values()
            .map(|t| {
                t.heap_bytes() + t.fds.heap_bytes() + t.fds.iter().map(|(_, f)| f.heap_bytes()).sum::<usize>() + 512
            })
            .sum();
        let pending: usize = self.pending.values().map(StoredEnter::capacity).sum();
        let spare: usize = self.spare_fds.iter().map(|f| f.heap_bytes() + 64).sum();
        threads + pending + spare
    }

    pub(crate) fn ifaces(&self) -> &Ifaces {
        &self.ifaces
    }

    pub(crate) fn first_ts(&self) -> Option<u64> {
        self.first_ts
    }

    pub(crate) fn prev_ts(&self) -> Option<u64> {
        self.prev_ts
    }

    pub(crate) fn next_count(&self) -> u64 {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        n
    }

    /// Feeds one event in capture order: enter events are stored; exit and
    /// unpaired events get the constructive updates, then `eval` with the
    /// field context, then the destructive updates.
    pub fn on_event(&mut self, ev: &Event<'_>, eval: impl FnMut(&FieldCtx<'_>)) {
        self.on_event_if(ev, |_| true, eval);
    }

    /// [`on_event`](Self::on_event), calling `eval` only for events whose current
    /// code `wanted` accepts (state is updated for every event; the field context is
    /// not even built for the others).
    // Inlined into the replay loop whatever the size of the caller's closures: as a
    // call of its own it cost ~60 instructions per event (arguments, the outcome and
    // the parameter view passed through memory).
    #[inline(always)]
    pub fn on_event_if(&mut self, ev: &Event<'_>, wanted: impl Fn(u16) -> bool, mut eval: impl FnMut(&FieldCtx<'_>)) {
        self.stats.events += 1;
        let info = meta::info(ev.code);
        if info.paired_enter {
            self.store_enter(ev);
            return;
        }
        if self.first_ts.is_none() && ev.ts != 0 {
            self.first_ts = Some(ev.ts);
        }
        // Most events have no stored enter event, and most change nothing after
        // evaluation: both checked here, before any call.
        let enter = if self.pending.is_empty() {
            None
        } else {
            self.take_enter(ev)
        };
        let current = if info.current == u16::MAX {
            ev.code
        } else {
            info.current
        };
        let mut params = ParamView::empty();
        params.fill(ev, current, enter.as_ref());
        let mut out = self.apply(ev, info, &params);
        out.latency = enter.as_ref().map(|e| ev.ts.saturating_sub(e.ts));
        self.stats.evaluated += 1;
        if wanted(current) {
            let ctx = FieldCtx::new(self, ev, current, &params, &out);
            eval(&ctx);
        }
        if out.close.is_some() || out.exit {
            self.finish(&out);
        }
        if let Some(e) = enter {
            self.recycle(e);
        }
        if ev.ts != 0 {
            self.prev_ts = Some(ev.ts);
        }
    }

    fn store_enter(&mut self, ev: &Event<'_>) {
        if !self.pending.contains_key(&ev.tid) && self.pending.len() >= MAX_PENDING {
            return;
        }
        let mut slot = self
            .pending
            .remove(&ev.tid)
            .unwrap_or_else(|| self.spare.pop().unwrap_or_default());
        if slot.fill(ev) {
            self.pending.insert(ev.tid, slot);
        } else {
            self.recycle(slot);
        }
    }

    /// The stored enter event of `ev`'s thread, if it is `ev`'s own.
    fn take_enter(&mut self, ev: &Event<'_>) -> Option<StoredEnter> {
        let e = self.pending.remove(&ev.tid)?;
        let own = e.code.checked_add(1) == Some(ev.code)
            || (ev.name() == "execve" && crate::event::event_def(e.code).is_some_and(|d| d.name == "execveat"));
        if own {
            Some(e)
        } else {
            self.recycle(e);
            None
        }
    }

    fn recycle(&mut self, e: StoredEnter) {
        if self.spare.len() < 64 {
            self.spare.push(e);
        }
    }

    /// The main thread of `t`'s process.
    pub(crate) fn main_of<'a>(&'a self, t: &'a Thread) -> Option<&'a Thread> {
        if t.is_main() {
            return Some(t);
        }
        if t.pid < 0 {
            return None;
        }
        self.threads.get(&t.pid).filter(|m| m.is_main())
    }

    /// Tid of the thread whose fd table `t` uses.
    pub(crate) fn fd_owner(&self, t: &Thread) -> Option<i64> {
        if t.flags & cl::CLONE_FILES == 0 {
            Some(t.tid)
        } else {
            self.main_of(t).map(|m| m.tid)
        }
    }

    /// Fd `fd` of `t`'s process.
    pub(crate) fn fd_of<'a>(&'a self, t: &'a Thread, fd: i64) -> Option<&'a Fd> {
        let owner = self.fd_owner(t)?;
        if owner == t.tid {
            t.fds.get(fd)
        } else {
            self.threads.get(&owner)?.fds.get(fd)
        }
    }

    /// The working directory of `t` (kept by its main thread).
    pub(crate) fn cwd_of<'a>(&'a self, t: &'a Thread) -> &'a str {
        self.main_of(t).map_or("./", |m| m.cwd.as_str())
    }

    /// The parent of `t` (the thread its ptid names).
    pub(crate) fn parent_of(&self, t: &Thread) -> Option<&Thread> {
        self.threads.get(&t.ptid)
    }

    fn fd_table_mut(&mut self, tid: i64) -> Option<&mut FdTable> {
        let owner = self.fd_owner(self.threads.get(&tid)?)?;
        self.threads.get_mut(&owner).map(|t| &mut t.fds)
    }

    /// Adds `entry` as fd `fd` of thread `tid`'s process.
    pub(crate) fn add_fd(&mut self, tid: i64, fd: i64, entry: Fd) -> bool {
        let full = self.total_fds >= MAX_TOTAL_FDS;
        let Some(table) = self.fd_table_mut(tid) else {
            return false;
        };
        let existed = table.get(fd).is_some();
        if full && !existed {
            self.stats.dropped_fds += 1;
            return false;
        }
        if table.insert(fd, entry) {
            if !existed {
                self.total_fds += 1;
            }
            true
        } else {
            self.stats.dropped_fds += 1;
            false
        }
    }

    /// Removes fd `fd` from the table owned by thread `owner`.
    pub(crate) fn remove_fd(&mut self, owner: i64, fd: i64) {
        if let Some(t) = self.threads.get_mut(&owner)
            && let Some(f) = t.fds.remove(fd)
        {
            self.total_fds -= 1;
            // Kept for the next open, which reuses its string buffers.
            if self.spare_fds.len() < MAX_SPARE_FDS {
                self.spare_fds.push(f);
            }
        }
    }

    /// Inserts a thread (replacing one with the same tid). Returns false
    /// when the table is full.
    pub(crate) fn insert_thread(&mut self, t: Thread) -> bool {
        let tid = t.tid;
        if let Some(old) = self.threads.get(&tid) {
            let n = old.fds.len();
            self.total_fds -= n;
            self.unlink_from_group(tid);
        } else if self.threads.len() >= MAX_THREADS {
            self.stats.dropped_threads += 1;
            return false;
        }
        self.total_fds += t.fds.len();
        let joins = !t.is_main() && t.pid >= 0;
        let pid = t.pid;
        self.threads.insert(tid, t);
        if joins && let Some(m) = self.threads.get_mut(&pid).filter(|m| m.is_main()) {
            m.live_threads += 1;
        }
        true
    }

    /// Removes thread `tid` (a main thread whose process still has threads
    /// is kept, marked dead, until the last one goes).
    pub(crate) fn remove_thread(&mut self, tid: i64) {
        let Some(t) = self.threads.get(&tid) else {
            return;
        };
        if t.is_main() && t.live_threads > 0 {
            if let Some(t) = self.threads.get_mut(&tid) {
                t.dead = true;
            }
            return;
        }
        self.unlink_from_group(tid);
        if let Some(t) = self.threads.remove(&tid) {
            self.total_fds -= t.fds.len();
            self.removed_threads += 1;
        }
        if let Some(e) = self.pending.remove(&(tid as u64)) {
            self.recycle(e);
        }
    }

    /// Drops `tid` from its main thread's count of live threads, removing a
    /// dead main thread that has no threads left.
    fn unlink_from_group(&mut self, tid: i64) {
        let Some(t) = self.threads.get(&tid) else {
            return;
        };
        if t.is_main() || t.pid < 0 {
            return;
        }
        let pid = t.pid;
        let mut remove_main = false;
        if let Some(m) = self.threads.get_mut(&pid).filter(|m| m.is_main()) {
            m.live_threads = m.live_threads.saturating_sub(1);
            remove_main = m.dead && m.live_threads == 0;
        }
        if remove_main && let Some(m) = self.threads.remove(&pid) {
            self.total_fds -= m.fds.len();
            self.removed_threads += 1;
        }
    }

    fn count_thread_groups(&mut self) {
        let members: Vec<i64> = self
            .threads
            .values()
            .filter(|t| !t.is_main() && t.pid >= 0)
            .map(|t| t.pid)
            .collect();
        for pid in members {
            if let Some(m) = self.threads.get_mut(&pid).filter(|m| m.is_main()) {
                m.live_threads += 1;
            }
        }
    }

    /// Adds one fd of the capture's fd lists, as libsinsp's
    /// `add_fd_from_scap` does.
    fn add_snapshot_fd(&mut self, tid: i64, info: &FdInfo) {
        if !self.threads.contains_key(&tid) {
            return;
        }
        let mut f = Fd::new(info.fd_type());
        f.ino = info.ino;
        match &info.details {
            FdDetails::Ipv4Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                f.sock = Sock::Ip {
                    sip: (*sip).into(),
                    sport: *sport,
                    dip: (*dip).into(),
                    dport: *dport,
                    l4: *l4proto,
                };
                f.connected = *l4proto == fd::l4::TCP;
                self.ifaces.patch(&mut f);
                f.name = net::socket_name(&f.sock, "");
            }
            FdDetails::Ipv6Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                let (kind, sip, dip) = net::v6_ends(sip, dip);
                f.sock = Sock::Ip {
                    sip,
                    sport: *sport,
                    dip,
                    dport: *dport,
                    l4: *l4proto,
                };
                if let Some(k) = kind {
                    f.kind = k;
                    self.ifaces.patch(&mut f);
                }
                f.connected = *l4proto == fd::l4::TCP;
                f.name = net::socket_name(&f.sock, "");
            }
            FdDetails::Ipv4ServerSocket { ip, port, l4proto } => {
                f.sock = Sock::Server {
                    ip: (*ip).into(),
                    port: *port,
                    l4: *l4proto,
                };
                f.name = net::socket_name(&f.sock, "");
            }
            FdDetails::Ipv6ServerSocket { ip, port, l4proto } => {
                f.sock = Sock::Server {
                    ip: (*ip).into(),
                    port: *port,
                    l4: *l4proto,
                };
                f.name = net::socket_name(&f.sock, "");
            }
            FdDetails::UnixSocket { source, dest, name } => {
                f.sock = Sock::Unix {
                    src: *source,
                    dst: *dest,
                };
                f.name = thread::capped(name);
                f.role = if name.is_empty() { Role::Client } else { Role::Server };
            }
            FdDetails::File { open_flags, name, dev } => {
                f.open_flags = *open_flags;
                f.name = thread::capped(name);
                f.dev = *dev;
            }
            FdDetails::Named { name, .. } => f.name = thread::capped(name),
            FdDetails::Unknown => {}
        }
        // Snapshot entries go straight into the thread's own table.
        if self.total_fds >= MAX_TOTAL_FDS {
            self.stats.dropped_fds += 1;
            return;
        }
        if let Some(t) = self.threads.get_mut(&tid) {
            let existed = t.fds.get(info.fd).is_some();
            if t.fds.insert(info.fd, f) {
                if !existed {
                    self.total_fds += 1;
                }
            } else {
                self.stats.dropped_fds += 1;
            }
        }
    }

    /// IPv4 sockets read from /proc list the local end first; libsinsp
    /// turns those whose local port some process listens on into server
    /// sockets (swapping the ends) and marks the others as clients.
    fn fix_snapshot_sockets(&mut self) {
        let mut server_ports = std::collections::HashSet::new();
        for t in self.threads.values() {
            for (_, f) in t.fds.iter() {
                if let (FdType::Ipv4ServSock, Sock::Server { port, .. }) = (f.kind, f.sock) {
                    server_ports.insert(port);
                }
            }
        }
        for t in self.threads.values_mut() {
            let fds: Vec<i64> = t
                .fds
                .iter()
                .filter(|(_, f)| f.kind == FdType::Ipv4Sock)
                .map(|(n, _)| n)
                .collect();
            for n in fds {
                let Some(f) = t.fds.get_mut(n) else { continue };
                let Sock::Ip {
                    sip,
                    sport,
                    dip,
                    dport,
                    l4,
                } = f.sock
                else {
                    continue;
                };
                if server_ports.contains(&sport) {
                    f.sock = Sock::Ip {
                        sip: dip,
                        sport: dport,
                        dip: sip,
                        dport: sport,
                        l4,
                    };
                    f.name = net::socket_name(&f.sock, "");
                    f.role = Role::Server;
                } else {
                    f.role = Role::Client;
                }
            }
        }
    }

    /// The destructive step, after evaluation.
    fn finish(&mut self, out: &Outcome) {
        if let Some((owner, fd)) = out.close {
            self.remove_fd(owner, fd);
        }
        if out.exit
            && let Some(tid) = out.thread
        {
            self.reparent_children(tid, out.reaper);
            self.remove_thread(tid);
        }
    }

    /// The children of exiting thread `tid` get a new parent, so `proc.pname` and
    /// `proc.aname` of processes that outlive their parent keep naming a live
    /// process: the reaper the kernel reported; else another live thread of the
    /// same process (Linux hands children to a sibling thread); else init (tid 1)
    /// when known; else none (-1).
    fn reparent_children(&mut self, tid: i64, reaper: i64) {
        let Some(t) = self.threads.get(&tid) else {
            return;
        };
        if t.is_main() && t.live_threads > 0 {
            // The process lives on in its other threads, and parent lookups go
            // through the main thread, which stays in the table until they end.
            return;
        }
        let sibling = (t.pid != tid && t.pid >= 0)
            .then_some(t.pid)
            .filter(|pid| self.threads.get(pid).is_some_and(|m| !m.dead));
        let new_parent = if reaper > 0 && reaper != tid {
            reaper
        } else if let Some(main) = sibling {
            main
        } else if tid != 1 && self.threads.contains_key(&1) {
            1
        } else {
            -1
        };
        for child in self.threads.values_mut() {
            if child.ptid == tid && child.tid != tid {
                child.ptid = new_parent;
            }
        }
    }
}

#[cfg(test)]
mod stamp_tests {
    use super::*;

    #[test]
    fn the_thread_stamp_changes_when_a_thread_leaves_and_differs_between_trackers() {
        let mut t = Tracker::new();
        assert_ne!(t.thread_stamp(), Tracker::new().thread_stamp());
        let empty = t.thread_stamp();
        assert!(t.insert_thread(Thread::placeholder(42)));
        assert!(t.insert_thread(Thread::placeholder(43)));
        // Threads coming in leave it as it was: a thread seen known stays known.
        assert_eq!(t.thread_stamp(), empty);
        t.remove_thread(42);
        assert!(t.thread(42).is_none());
        let after = t.thread_stamp();
        assert_ne!(after, empty);
        // Asking to remove a thread that is not there changes nothing.
        t.remove_thread(42);
        assert_eq!(t.thread_stamp(), after);
    }
}
