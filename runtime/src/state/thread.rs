//! Thread (process) entries of the state table.

use super::container;
use super::fd::FdTable;
use super::meta::StoredEnter;
use crate::scap::ThreadInfo;
use falcorc_compiler::raw_text::escape;

/// PPM clone flags the tracker looks at.
pub mod cl {
    /// Child shares the fd table.
    pub const CLONE_FILES: u32 = 1 << 0;
    /// New pid namespace.
    pub const CLONE_NEWPID: u32 = 1 << 6;
    /// Parent of the child is the caller's parent.
    pub const CLONE_PARENT: u32 = 1 << 8;
    /// The child is a thread of the caller's process.
    pub const CLONE_THREAD: u32 = 1 << 13;
    /// The child clone exit arrived before the caller's (libsinsp marker).
    pub const CLONE_INVERTED: u32 = 1 << 16;
    /// The thread name changed (libsinsp marker).
    pub const NAME_CHANGED: u32 = 1 << 17;
    /// Seen active (libsinsp marker).
    pub const ACTIVE: u32 = 1 << 19;
    /// Shell pipe source (libsinsp marker).
    pub const PIPE_SRC: u32 = 1 << 21;
    /// Shell pipe destination (libsinsp marker).
    pub const PIPE_DST: u32 = 1 << 22;
    /// vfork semantics.
    pub const CLONE_VFORK: u32 = 1 << 27;
    /// The child is not in the init pid namespace.
    pub const CHILD_IN_PIDNS: u32 = 1 << 29;
    /// Main thread (libsinsp marker).
    pub const IS_MAIN_THREAD: u32 = 1 << 30;
}

/// Total bytes kept of a list-valued thread attribute (arguments,
/// environment, cgroups), and of one string attribute; the driver truncates
/// at comparable sizes.
pub const MAX_LIST_BYTES: usize = 16 * 1024;
/// See [`MAX_LIST_BYTES`].
pub const MAX_STR_BYTES: usize = 4096;

/// Copies at most `MAX_STR_BYTES` of `s` (cut on a character boundary).
pub fn capped(s: &str) -> String {
    capped_str(s).to_string()
}

/// The first `MAX_STR_BYTES` of `s` (cut on a character boundary), borrowed.
pub fn capped_str(s: &str) -> &str {
    if s.len() <= MAX_STR_BYTES {
        return s;
    }
    let mut end = MAX_STR_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Collects list items until `MAX_LIST_BYTES` bytes are used: raw process text (arguments,
/// environment), kept as `falcorc_compiler::raw_text` escapes.
pub fn capped_list<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Vec<String> {
    let mut used = 0;
    items
        .into_iter()
        .take_while(|b| within_list_cap(&mut used, b.len()))
        .map(|b| escape(b).into_owned())
        .collect()
}

/// [`capped_list`] of items already decoded.
pub fn capped_strings(items: &[String]) -> Vec<String> {
    let mut used = 0;
    items
        .iter()
        .take_while(|s| within_list_cap(&mut used, s.len()))
        .cloned()
        .collect()
}

/// Counts an item of `len` bytes and its separator: whether the list still fits.
fn within_list_cap(used: &mut usize, len: usize) -> bool {
    *used += len + 1;
    *used <= MAX_LIST_BYTES
}

/// One thread.
#[derive(Clone, Debug)]
pub struct Thread {
    /// Thread id.
    pub tid: i64,
    /// Process id (thread group); -1 when unknown.
    pub pid: i64,
    /// Parent thread id; -1 when unknown.
    pub ptid: i64,
    /// Session id.
    pub sid: i64,
    /// Thread id in its pid namespace.
    pub vtid: i64,
    /// Process id in its pid namespace.
    pub vpid: i64,
    /// Process group id in its pid namespace.
    pub vpgid: i64,
    /// Process group id.
    pub pgid: i64,
    /// Command name.
    pub comm: String,
    /// argv\[0\].
    pub exe: String,
    /// Executable path.
    pub exepath: String,
    /// argv\[1..\].
    pub args: Vec<String>,
    /// Environment.
    pub env: Vec<String>,
    /// Working directory (kept on the main thread).
    pub cwd: String,
    /// Root directory.
    pub root: String,
    /// Cgroups as (subsystem, path).
    pub cgroups: Vec<(String, String)>,
    /// Container id derived from the cgroups (`host` outside containers).
    pub container_id: String,
    /// Open-file limit.
    pub fdlimit: i64,
    /// PPM_CL_* flags.
    pub flags: u32,
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
    /// Audit login uid.
    pub loginuid: u32,
    /// Controlling terminal.
    pub tty: u32,
    /// Inheritable capabilities.
    pub cap_inheritable: u64,
    /// Permitted capabilities.
    pub cap_permitted: u64,
    /// Effective capabilities.
    pub cap_effective: u64,
    /// Executable writable by its user.
    pub exe_writable: bool,
    /// Executable in an overlayfs upper layer.
    pub exe_upper_layer: bool,
    /// Executable in an overlayfs lower layer.
    pub exe_lower_layer: bool,
    /// Executable is a memfd.
    pub exe_from_memfd: bool,
    /// Executable inode.
    pub exe_ino: u64,
    /// Executable ctime.
    pub exe_ino_ctime: u64,
    /// Executable mtime.
    pub exe_ino_mtime: u64,
    /// Clone time minus executable ctime.
    pub exe_ino_ctime_duration_clone_ts: u64,
    /// Executable ctime minus pid namespace start.
    pub exe_ino_ctime_duration_pidns_start: u64,
    /// Start of the thread's pid namespace.
    pub pidns_init_start_ts: u64,
    /// Creation time (0 when unknown).
    pub clone_ts: u64,
    /// Last execve time.
    pub lastexec_ts: u64,
    /// Virtual memory, KiB.
    pub vmsize_kb: u32,
    /// Resident memory, KiB.
    pub vmrss_kb: u32,
    /// Swapped memory, KiB.
    pub vmswap_kb: u32,
    /// Major page faults.
    pub pfmajor: u64,
    /// Minor page faults.
    pub pfminor: u64,
    /// Fd table (used by the process's threads through the main thread).
    pub fds: FdTable,
    /// The last enter event, waiting for its exit.
    pub pending: Option<StoredEnter>,
    /// The thread exited but is kept because other threads of its process
    /// still use its fd table.
    pub dead: bool,
    /// Live non-main threads of this (main) thread's process.
    pub live_threads: u32,
}

impl Thread {
    /// An entry with nothing known but the tid.
    pub fn blank(tid: i64) -> Thread {
        Thread {
            tid,
            pid: -1,
            ptid: -1,
            sid: -1,
            vtid: -1,
            vpid: -1,
            vpgid: -1,
            pgid: -1,
            comm: String::new(),
            exe: String::new(),
            exepath: String::new(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: String::new(),
            root: String::new(),
            cgroups: Vec::new(),
            container_id: "host".to_string(),
            fdlimit: 0,
            flags: 0,
            uid: 0,
            gid: 0,
            loginuid: u32::MAX,
            tty: 0,
            cap_inheritable: 0,
            cap_permitted: 0,
            cap_effective: 0,
            exe_writable: false,
            exe_upper_layer: false,
            exe_lower_layer: false,
            exe_from_memfd: false,
            exe_ino: 0,
            exe_ino_ctime: 0,
            exe_ino_mtime: 0,
            exe_ino_ctime_duration_clone_ts: 0,
            exe_ino_ctime_duration_pidns_start: 0,
            pidns_init_start_ts: 0,
            clone_ts: 0,
            lastexec_ts: 0,
            vmsize_kb: 0,
            vmrss_kb: 0,
            vmswap_kb: 0,
            pfmajor: 0,
            pfminor: 0,
            fds: FdTable::default(),
            pending: None,
            dead: false,
            live_threads: 0,
        }
    }

    /// The stand-in libsinsp creates for an event of a thread it has never
    /// seen: name and executable `<NA>`, ids and users unknown.
    pub fn placeholder(tid: i64) -> Thread {
        let mut t = Thread::blank(tid);
        t.comm = "<NA>".to_string();
        t.exe = "<NA>".to_string();
        t.uid = u32::MAX;
        t.gid = u32::MAX;
        t.loginuid = u32::MAX;
        t
    }

    /// A thread of a capture's process snapshot.
    pub fn from_snapshot(t: &ThreadInfo) -> Thread {
        let mut out = Thread::blank(t.tid as i64);
        out.pid = t.pid as i64;
        out.ptid = t.ptid as i64;
        out.sid = t.sid;
        out.vpgid = t.vpgid;
        out.pgid = t.pgid;
        out.comm = capped(&t.comm);
        out.exe = capped(&t.exe);
        out.exepath = capped(&t.exepath);
        out.args = capped_strings(&t.args);
        out.flags = t.flags | cl::ACTIVE;
        if out.tid != out.pid {
            out.flags |= cl::CLONE_THREAD | cl::CLONE_FILES;
        }
        if out.is_main() {
            out.env = capped_strings(&t.env);
            out.cwd = cwd_of("", &t.cwd);
        }
        out.fdlimit = t.fdlimit as i64;
        out.cap_permitted = t.cap_permitted;
        out.cap_effective = t.cap_effective;
        out.cap_inheritable = t.cap_inheritable;
        out.exe_writable = t.exe_writable;
        out.exe_upper_layer = t.exe_upper_layer;
        out.exe_lower_layer = t.exe_lower_layer;
        out.exe_from_memfd = t.exe_from_memfd;
        out.exe_ino = t.exe_ino;
        out.exe_ino_ctime = t.exe_ino_ctime;
        out.exe_ino_mtime = t.exe_ino_mtime;
        out.vmsize_kb = t.vmsize_kb;
        out.vmrss_kb = t.vmrss_kb;
        out.vmswap_kb = t.vmswap_kb;
        out.pfmajor = t.pfmajor;
        out.pfminor = t.pfminor;
        out.vtid = t.vtid;
        out.vpid = t.vpid;
        out.pidns_init_start_ts = t.pidns_init_start_ts;
        out.tty = t.tty;
        out.set_cgroups(t.cgroups.iter().map(|s| s.as_bytes()));
        out.root = capped(&t.root);
        out.gid = t.gid;
        out.uid = t.uid;
        out.loginuid = t.loginuid;
        out
    }

    /// Whether this is its process's main thread.
    pub fn is_main(&self) -> bool {
        self.tid == self.pid
    }

    /// Whether the entry lacks its process identity (a placeholder).
    pub fn is_invalid(&self) -> bool {
        self.tid < 0 || self.pid < 0 || self.ptid < 0
    }

    /// Sets the cgroups from `subsys=path` items and recomputes the
    /// container id.
    pub fn set_cgroups<'a>(&mut self, items: impl IntoIterator<Item = &'a [u8]>) {
        let mut out = Vec::new();
        let mut used = 0;
        for item in items {
            used += item.len();
            if used > MAX_LIST_BYTES {
                break;
            }
            let s = String::from_utf8_lossy(item);
            let Some((subsys, path)) = s.split_once('=') else {
                // libsinsp keeps the previous cgroups on a malformed item.
                return;
            };
            let mut subsys = subsys.replacen("_cgroup", "", 1);
            match subsys.as_str() {
                "perf" => subsys = "perf_event".into(),
                "mem" => subsys = "memory".into(),
                "io" => subsys = "blkio".into(),
                _ => {}
            }
            out.push((subsys, path.to_string()));
        }
        self.container_id = container::id_from_cgroups(out.iter().map(|(_, p)| p.as_str()));
        self.cgroups = out;
    }

    /// `proc.cmdline`: the name followed by the arguments.
    pub fn cmdline(&self) -> String {
        let mut s = String::with_capacity(self.comm.len() + self.args.iter().map(|a| a.len() + 1).sum::<usize>());
        s.push_str(&self.comm);
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        s
    }

    /// Approximate heap bytes held by the entry (not counting fds).
    pub fn heap_bytes(&self) -> usize {
        self.comm.capacity()
            + self.exe.capacity()
            + self.exepath.capacity()
            + self.cwd.capacity()
            + self.root.capacity()
            + self.args.iter().map(String::capacity).sum::<usize>()
            + self.env.iter().map(String::capacity).sum::<usize>()
            + self
                .cgroups
                .iter()
                .map(|(a, b)| a.capacity() + b.capacity())
                .sum::<usize>()
            + self.pending.as_ref().map_or(0, StoredEnter::capacity)
    }
}

/// A new working directory: `path` resolved against `old`, ending with `/`.
pub fn cwd_of(old: &str, path: &str) -> String {
    let mut cwd = super::path::join(old, path);
    if !cwd.ends_with('/') {
        cwd.push('/');
    }
    capped(&cwd)
}
