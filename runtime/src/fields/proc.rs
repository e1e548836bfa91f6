//! `proc.*`, `thread.*`, `user.*`, `group.*`, `container.*` and `k8s.*`.

use falcorc_compiler::eval::Value;
use falcorc_compiler::ir::FieldSpec;

use super::kinds::F;
use super::{FieldCtx, boolean, int, names, s};
use crate::state::thread::{Thread, cl};

/// Which attribute of a process an ancestor field reads.
#[derive(Clone, Copy)]
enum Attr {
    Name,
    Exe,
    Exepath,
    Cmdline,
    Pid,
    Args,
}

fn attr_value(t: &Thread, a: Attr) -> Option<Value> {
    match a {
        Attr::Name => s(t.comm.clone()),
        Attr::Exe => s(t.exe.clone()),
        Attr::Exepath => s(t.exepath.clone()),
        Attr::Cmdline => s(t.cmdline()),
        Attr::Args => s(t.args.join(" ")),
        Attr::Pid => pid_value(t.pid),
    }
}

/// Ids outside the 32-bit range (gVisor sandboxes) are not shown.
fn pid_value(v: i64) -> Option<Value> {
    if (-1..=i64::from(u32::MAX)).contains(&v) {
        int(v)
    } else {
        None
    }
}

/// Bounded depth of an ancestor walk without index (the walk also stops on
/// a loop).
const MAX_ANCESTORS: usize = 1024;

impl<'a> FieldCtx<'a> {
    /// The main thread of the event's process.
    fn main_thread(&self) -> Option<&'a Thread> {
        self.tracker.main_of(self.thread?)
    }

    /// The `n`-th ancestor of the event's process (0 = the process itself),
    /// following parent ids from the main thread. Levels beyond `MAX_ANCESTORS` have no
    /// value: a recorded parent loop must not turn `proc.aname[2000000000]` into two
    /// billion steps per event.
    pub(super) fn ancestor(&self, n: usize) -> Option<&'a Thread> {
        if n > MAX_ANCESTORS {
            return None;
        }
        let mut t = self.main_thread()?;
        for _ in 0..n {
            t = self.tracker.parent_of(t)?;
        }
        Some(t)
    }

    /// Every ancestor of the event's process (parent first), stopping at a
    /// missing entry or a loop.
    fn ancestors(&self) -> Vec<&'a Thread> {
        let mut out: Vec<&'a Thread> = Vec::new();
        let Some(mut t) = self.main_thread() else { return out };
        let start = t.tid;
        while out.len() < MAX_ANCESTORS {
            let Some(p) = self.tracker.parent_of(t) else { break };
            if p.tid == start || out.iter().any(|x| x.tid == p.tid) {
                break;
            }
            out.push(p);
            t = p;
        }
        out
    }

    /// An ancestor field: `[N]` selects one level, no argument lists them
    /// all (for "any ancestor" matching).
    fn ancestor_field(&self, spec: &FieldSpec, a: Attr) -> Option<Value> {
        match &spec.arg {
            Some(n) => attr_value(self.ancestor(n.parse().ok()?)?, a),
            None => {
                self.thread?;
                Some(Value::List(
                    self.ancestors().into_iter().filter_map(|t| attr_value(t, a)).collect(),
                ))
            }
        }
    }

    /// The parent of the event's thread (by its own parent id).
    fn parent(&self) -> Option<&'a Thread> {
        self.tracker.parent_of(self.thread?)
    }

    fn in_pid_namespace(t: &Thread) -> bool {
        t.flags & cl::CHILD_IN_PIDNS != 0 || t.tid != t.vtid
    }

    /// The leader of a session or process group: the thread whose pid is
    /// the id (on the host), else the eldest ancestor sharing the id.
    fn leader(&self, id: i64, key: fn(&Thread) -> i64) -> Option<&'a Thread> {
        let t = self.thread?;
        if !Self::in_pid_namespace(t)
            && let Some(l) = self.tracker.thread(id)
        {
            return Some(l);
        }
        let mut leader = t;
        let mut cur = t;
        let mut seen = 0;
        while let Some(p) = self.tracker.parent_of(cur) {
            seen += 1;
            if key(p) != id || seen > MAX_ANCESTORS || p.tid == t.tid {
                break;
            }
            leader = p;
            cur = p;
        }
        Some(leader)
    }

    fn env_list(&self) -> &'a [String] {
        match self.main_thread() {
            Some(m) => &m.env,
            None => self.thread.map_or(&[], |t| &t.env),
        }
    }

    fn env_value(env: &[String], name: &str) -> String {
        for var in env {
            if var.len() > name.len() + 1 && var.as_bytes()[name.len()] == b'=' && var.starts_with(name) {
                return var[name.len() + 1..].trim_matches(' ').to_string();
            }
        }
        String::new()
    }

    fn user_name(&self, uid: u32) -> String {
        match self.tracker.user(uid) {
            Some(u) => u.name.clone(),
            None if uid == 0 => "root".into(),
            None => "<NA>".into(),
        }
    }

    fn container(&self) -> Option<&'a crate::state::container::Container> {
        let t = self.thread?;
        self.tracker.container(&t.container_id)
    }

    fn std_fd(&self, fd: i64, name: bool) -> Option<Value> {
        let f = self.tracker.fd_of(self.thread?, fd)?;
        if name { s(f.name.clone()) } else { s(f.type_name()?) }
    }

    pub(super) fn proc_field(&self, f: F, spec: &FieldSpec) -> Option<Value> {
        // Fields that do not need the thread entry.
        match f {
            F::ThreadTid => return pid_value(self.ev.tid as i64),
            F::ContainerHealthcheck
            | F::ContainerLivenessProbe
            | F::ContainerReadinessProbe
            | F::ProcIsContainerHealthcheck
            | F::ProcIsContainerLivenessProbe
            | F::ProcIsContainerReadinessProbe
            | F::ContainerMounts
            | F::ContainerMount
            | F::ContainerMountSource
            | F::ContainerMountDest
            | F::ContainerMountMode
            | F::ContainerMountRdwr
            | F::ContainerMountPropagation
            | F::ContainerCniJson
            | F::ContainerHostPid
            | F::ContainerHostNetwork
            | F::ContainerHostIpc => return None,
            _ => {}
        }
        if spec.name.starts_with("k8s.") {
            return None;
        }
        let t = self.thread?;
        match f {
            F::ProcExe => s(t.exe.clone()),
            F::ProcPexe => s(self.parent()?.exe.clone()),
            F::ProcAexe => self.ancestor_field(spec, Attr::Exe),
            F::ProcExepath => s(t.exepath.clone()),
            F::ProcPexepath => s(self.parent()?.exepath.clone()),
            F::ProcAexepath => self.ancestor_field(spec, Attr::Exepath),
            F::ProcName => s(t.comm.clone()),
            F::ProcPname => s(self.parent()?.comm.clone()),
            F::ProcAname => self.ancestor_field(spec, Attr::Name),
            // libsinsp: a negative index is every argument, one past the end the empty string.
            F::ProcArgs => match spec.arg.as_deref().map(str::parse::<i64>) {
                Some(Ok(n)) if n >= 0 => s(usize::try_from(n)
                    .ok()
                    .and_then(|n| t.args.get(n))
                    .cloned()
                    .unwrap_or_default()),
                _ => s(t.args.join(" ")),
            },
            F::ProcAargs => self.ancestor_field(spec, Attr::Args),
            F::ProcCmdline => s(t.cmdline()),
            F::ProcPcmdline => s(self.parent()?.cmdline()),
            F::ProcAcmdline => self.ancestor_field(spec, Attr::Cmdline),
            F::ProcCmdnargs => int(t.args.len() as u64),
            F::ProcCmdlenargs => int(t.args.iter().map(|a| a.len() as u64).sum::<u64>()),
            F::ProcExeline => {
                let mut line = format!("{} ", t.exe);
                line.push_str(&t.args.join(" "));
                s(line)
            }
            F::ProcEnv => {
                let env = self.env_list();
                match spec.arg.as_deref() {
                    Some(name) if !name.bytes().all(|b| b.is_ascii_digit()) => s(Self::env_value(env, name)),
                    _ => s(env.join(" ")),
                }
            }
            F::ProcAenv => {
                let arg = spec.arg.as_deref();
                match arg {
                    // A condition's `proc.aenv` (and `proc.aenv[N]`, lowered to it): every
                    // ancestor's environment, for "any ancestor" matching; outputs ask for
                    // level 0.
                    None => {
                        self.thread?;
                        Some(Value::List(
                            self.ancestors()
                                .into_iter()
                                .map(|t| Value::Str(t.env.join(" ")))
                                .collect(),
                        ))
                    }
                    Some("0") => s(self.env_list().join(" ")),
                    Some(n) if n.bytes().all(|b| b.is_ascii_digit()) => {
                        s(self.ancestor(n.parse().ok()?)?.env.join(" "))
                    }
                    Some(name) => {
                        let mut cur = self.main_thread()?;
                        let mut found = String::new();
                        for _ in 0..20 {
                            let Some(p) = self.tracker.parent_of(cur) else { break };
                            found = Self::env_value(&p.env, name);
                            if !found.is_empty() {
                                break;
                            }
                            cur = p;
                        }
                        s(found)
                    }
                }
            }
            F::ProcCwd => s(self.tracker.cwd_of(t).to_string()),
            F::ProcLoginshellid => {
                let main = self.main_thread()?;
                let mut res = None;
                for p in std::iter::once(main).chain(self.ancestors()) {
                    if p.comm.len() >= 2 && p.comm.ends_with("sh") {
                        res = Some(p.pid);
                    }
                }
                res.and_then(int)
            }
            F::ProcTty => int(t.tty),
            F::ProcPid => pid_value(t.pid),
            F::ProcPpid => pid_value(self.main_thread()?.ptid),
            F::ProcApid => self.ancestor_field(spec, Attr::Pid),
            F::ProcVpid => (t.vpid != -1).then(|| Value::Int(i128::from(t.vpid))),
            F::ProcPvpid => int(self.parent()?.vpid),
            F::ProcSid => int(t.sid),
            F::ProcSname => s(self.leader(t.sid, |x| x.sid)?.comm.clone()),
            F::ProcSidExe => s(self.leader(t.sid, |x| x.sid)?.exe.clone()),
            F::ProcSidExepath => s(self.leader(t.sid, |x| x.sid)?.exepath.clone()),
            F::ProcVpgid => int(t.vpgid),
            F::ProcVpgidName => s(self.leader(t.vpgid, |x| x.vpgid)?.comm.clone()),
            F::ProcVpgidExe => s(self.leader(t.vpgid, |x| x.vpgid)?.exe.clone()),
            F::ProcVpgidExepath => s(self.leader(t.vpgid, |x| x.vpgid)?.exepath.clone()),
            F::ProcPgid => int(t.pgid),
            F::ProcPgidName => s(self.leader(t.pgid, |x| x.pgid)?.comm.clone()),
            F::ProcPgidExe => s(self.leader(t.pgid, |x| x.pgid)?.exe.clone()),
            F::ProcPgidExepath => s(self.leader(t.pgid, |x| x.pgid)?.exepath.clone()),
            F::ProcDuration => (t.clone_ts != 0).then(|| Value::Int(i128::from(self.ev.ts.wrapping_sub(t.clone_ts)))),
            F::ProcPpidDuration => {
                let p = self.parent()?;
                (p.clone_ts != 0).then(|| Value::Int(i128::from(self.ev.ts.wrapping_sub(p.clone_ts))))
            }
            F::ProcPidTs => (t.clone_ts != 0).then(|| Value::Int(i128::from(t.clone_ts))),
            F::ProcPpidTs => int(self.parent()?.clone_ts),
            F::ProcIsExeWritable => boolean(t.exe_writable),
            F::ProcIsExeUpperLayer => boolean(t.exe_upper_layer),
            F::ProcIsExeLowerLayer => boolean(t.exe_lower_layer),
            F::ProcIsExeFromMemfd => boolean(t.exe_from_memfd),
            F::ProcIsSidLeader => boolean(t.sid == t.vpid),
            F::ProcIsVpgidLeader => boolean(t.vpgid == t.vpid),
            F::ProcIsPgidLeader => boolean(t.pgid == t.pid),
            F::ProcExeIno => (t.exe_ino != 0).then(|| Value::Int(i128::from(t.exe_ino))),
            F::ProcExeInoCtime => (t.exe_ino_ctime != 0).then(|| Value::Int(i128::from(t.exe_ino_ctime))),
            F::ProcExeInoMtime => (t.exe_ino_mtime != 0).then(|| Value::Int(i128::from(t.exe_ino_mtime))),
            F::ProcExeInoCtimeDurationProcStart => (t.exe_ino_ctime_duration_clone_ts != 0)
                .then(|| Value::Int(i128::from(t.exe_ino_ctime_duration_clone_ts))),
            F::ProcExeInoCtimeDurationPidnsStart => (t.exe_ino_ctime_duration_pidns_start != 0)
                .then(|| Value::Int(i128::from(t.exe_ino_ctime_duration_pidns_start))),
            F::ProcPidnsInitStartTs => {
                (t.pidns_init_start_ts != 0).then(|| Value::Int(i128::from(t.pidns_init_start_ts)))
            }
            F::ThreadCapPermitted => s(names::caps_text(t.cap_permitted)),
            F::ThreadCapInheritable => s(names::caps_text(t.cap_inheritable)),
            F::ThreadCapEffective => s(names::caps_text(t.cap_effective)),
            F::ProcFdopencount => int(self.main_thread().map_or(0, |m| m.fds.len() as u64)),
            F::ProcFdlimit => int(self.main_thread().map_or(0, |m| m.fdlimit)),
            F::ProcFdusage => {
                let m = self.main_thread();
                let limit = m.map_or(0, |m| m.fdlimit);
                let open = m.map_or(0, |m| m.fds.len());
                Some(Value::Double(if limit > 0 {
                    (open as f64 * 100.0 / limit as f64).min(100.0)
                } else {
                    0.0
                }))
            }
            F::ProcVmsize => int(t.vmsize_kb),
            F::ProcVmrss => int(t.vmrss_kb),
            F::ProcVmswap => int(t.vmswap_kb),
            F::ThreadPfmajor => int(t.pfmajor),
            F::ThreadPfminor => int(t.pfminor),
            F::ThreadIsmain => boolean(t.is_main()),
            F::ThreadVtid => (t.vtid != -1).then(|| Value::Int(i128::from(t.vtid))),
            F::ThreadNametid => s(format!("{}{}", t.comm, self.ev.tid)),
            F::ThreadExectime | F::ThreadTotexectime => int(0),
            F::ThreadCgroups => {
                if t.cgroups.is_empty() {
                    None
                } else {
                    s(t.cgroups
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" "))
                }
            }
            F::ThreadCgroup => {
                let want = spec.suffix.as_deref()?;
                t.cgroups
                    .iter()
                    .find(|(k, _)| k == want)
                    .map(|(_, v)| Value::Str(v.clone()))
            }
            F::ProcNthreads => {
                let m = self.main_thread()?;
                int(u64::from(m.live_threads) + u64::from(!m.dead))
            }
            F::ProcNchilds => int(self.main_thread()?.live_threads),
            F::ThreadCpu | F::ThreadCpuUser | F::ThreadCpuSystem => None,
            F::ThreadVmsize => int(if t.is_main() { t.vmsize_kb } else { 0 }),
            F::ThreadVmrss => int(if t.is_main() { t.vmrss_kb } else { 0 }),
            F::ThreadVmsizeB => int(if t.is_main() { u64::from(t.vmsize_kb) * 1024 } else { 0 }),
            F::ThreadVmrssB => int(if t.is_main() { u64::from(t.vmrss_kb) * 1024 } else { 0 }),
            F::ProcStdinType => self.std_fd(0, false),
            F::ProcStdoutType => self.std_fd(1, false),
            F::ProcStderrType => self.std_fd(2, false),
            F::ProcStdinName => self.std_fd(0, true),
            F::ProcStdoutName => self.std_fd(1, true),
            F::ProcStderrName => self.std_fd(2, true),
            F::UserUid => int(t.uid),
            F::UserName => s(self.user_name(t.uid)),
            F::UserHomedir => s(match self.tracker.user(t.uid) {
                Some(u) => u.homedir.clone(),
                None if t.uid == 0 => "/root".into(),
                None => "<NA>".into(),
            }),
            F::UserShell => s(match self.tracker.user(t.uid) {
                Some(u) => u.shell.clone(),
                None => "<NA>".into(),
            }),
            F::UserLoginuid => int(if t.loginuid == u32::MAX {
                -1
            } else {
                i64::from(t.loginuid)
            }),
            F::UserLoginname => s(self.user_name(t.loginuid)),
            F::GroupGid => int(t.gid),
            F::GroupName => s(match self.tracker.group(t.gid) {
                Some(g) => g.to_string(),
                None if t.gid == 0 => "root".into(),
                None => "<NA>".into(),
            }),
            F::ContainerId => s(t.container_id.clone()),
            F::ContainerFullId => {
                if t.container_id == "host" {
                    s("host")
                } else {
                    self.container()
                        .filter(|c| !c.full_id.is_empty())
                        .map(|c| Value::Str(c.full_id.clone()))
                }
            }
            F::ContainerName => {
                if t.container_id == "host" {
                    s("host")
                } else {
                    self.container().map(|c| Value::Str(c.name.clone()))
                }
            }
            F::ContainerImage => self.container().map(|c| Value::Str(c.image.clone())),
            F::ContainerImageId => self.container().map(|c| Value::Str(c.image_id.clone())),
            F::ContainerType => self.container().map(|c| Value::Str(c.kind.clone())),
            F::ContainerPrivileged => self.container().and_then(|c| c.privileged).map(Value::Bool),
            F::ContainerImageRepository => self.container().map(|c| Value::Str(c.image_repository.clone())),
            F::ContainerImageTag => self.container().map(|c| Value::Str(c.image_tag.clone())),
            F::ContainerImageDigest => self.container().map(|c| Value::Str(c.image_digest.clone())),
            F::ContainerIp => self.container().map(|c| Value::Str(c.ip.clone())),
            F::ContainerLabel => {
                let key = spec.arg.as_deref()?;
                self.container()?
                    .labels
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| Value::Str(v.clone()))
            }
            F::ContainerLabels => self.container().map(|c| {
                Value::Str(
                    c.labels
                        .iter()
                        .map(|(k, v)| format!("{k}:{v}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            }),
            F::ContainerStartTs => {
                if t.container_id == "host" || t.pidns_init_start_ts == 0 {
                    None
                } else {
                    int(t.pidns_init_start_ts)
                }
            }
            F::ContainerDuration => {
                if t.container_id == "host" || t.pidns_init_start_ts == 0 {
                    None
                } else {
                    int(self.ev.ts.saturating_sub(t.pidns_init_start_ts))
                }
            }
            _ => None,
        }
    }
}
