//! Parameters the probe leaves empty but /proc still knows when the event is read: the
//! resolved executable path of execve (`trusted_exepath`) when the probe's dentry walk could
//! not tell it (a path deeper or longer than it writes), and the cgroups of execve and clone
//! events (container ids come from them) on kernels before 5.17, where the probe cannot walk
//! them (it needs bpf_loop). /proc is read when the event is, not when it happened: a task
//! that has exited or moved since shows where it is now, so the kernel's answer is preferred.
//!
//! The event is rebuilt with them before it reaches the tracker or a recording, so a live
//! session and the replay of its recording still see the same bytes. A process that is
//! already gone keeps its empty parameters (the tracker then falls back, as for captures
//! without them).

use crate::procscan::parse_cgroups;
use falcorc_runtime::event::{Event, encode_record, event_def};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::OnceLock;

/// Parameter indices in the execve/clone exit layouts (event table).
const CGROUPS: usize = 14;
const TRUSTED_EXEPATH: usize = 27;

const OTHER: u8 = 0;
const CLONE: u8 = 1;
const EXEC: u8 = 2;

/// Whether events of type `code` are execs, clones or neither: a table made once from the
/// event table's names, since every event read live asks (comparing names cost two string
/// comparisons per event).
fn kind(code: u16) -> u8 {
    static KINDS: OnceLock<Box<[u8]>> = OnceLock::new();
    let kinds = KINDS.get_or_init(|| {
        (0..=u16::MAX)
            .map_while(event_def)
            .map(|d| match d.name {
                "execve" | "execveat" => EXEC,
                "clone" | "clone3" | "fork" | "vfork" => CLONE,
                _ => OTHER,
            })
            .collect()
    });
    kinds.get(usize::from(code)).copied().unwrap_or(OTHER)
}

/// The event's record with the missing parameters filled in, when it needs any and /proc
/// has them.
pub fn enrich(ev: &Event<'_>, proc: &Path) -> Option<Vec<u8>> {
    let kind = kind(ev.code);
    let is_exec = kind == EXEC;
    if kind == OTHER || ev.param(0).and_then(|p| p.as_i64()).is_none_or(|r| r < 0) {
        return None;
    }
    let mut params: Vec<Vec<u8>> = ev.params_raw().map(<[u8]>::to_vec).collect();
    let dir = proc.join(ev.tid.to_string());
    let mut changed = false;
    if params.get(CGROUPS).is_some_and(Vec::is_empty)
        && let Ok(text) = std::fs::read_to_string(dir.join("cgroup"))
        && !exiting(&dir)
    {
        let mut list = Vec::new();
        for item in parse_cgroups(&text) {
            list.extend_from_slice(item.as_bytes());
            list.push(0);
        }
        params[CGROUPS] = list;
        changed = true;
    }
    if is_exec
        && params.get(TRUSTED_EXEPATH).is_some_and(Vec::is_empty)
        && let Ok(exe) = std::fs::read_link(dir.join("exe"))
    {
        // The bytes as the kernel has them: process text keeps what is not UTF-8.
        let mut p = exe.as_os_str().as_bytes().to_vec();
        p.push(0);
        params[TRUSTED_EXEPATH] = p;
        changed = true;
    }
    if !changed {
        return None;
    }
    let refs: Vec<&[u8]> = params.iter().map(Vec::as_slice).collect();
    encode_record(ev.ts, ev.tid, ev.code, &refs).ok()
}

/// The kernel's flag of a task in `do_exit` (`PF_EXITING`).
const PF_EXITING: u64 = 0x4;

/// Whether the task is exiting or gone, read after its cgroups: an exiting task is moved to
/// the root cgroups before it becomes a zombie, so what /proc showed is not where it ran (the
/// tracker then keeps the cgroups the task inherited from its parent).
fn exiting(dir: &Path) -> bool {
    let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
        return true;
    };
    // `pid (comm) state ppid pgrp session tty_nr tpgid flags ...`: comm may hold spaces
    // and parentheses, so fields are counted after the last `)`.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return true;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first().copied().unwrap_or("X");
    let flags = fields.get(6).and_then(|f| f.parse::<u64>().ok()).unwrap_or(PF_EXITING);
    matches!(state, "Z" | "X" | "x") || flags & PF_EXITING != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use falcorc_runtime::event::parse_record;

    #[test]
    fn the_kind_table_follows_the_event_names() {
        let mut execs = 0;
        for code in 0..=u16::MAX {
            let want = match event_def(code).map(|d| d.name) {
                Some("execve" | "execveat") => EXEC,
                Some("clone" | "clone3" | "fork" | "vfork") => CLONE,
                _ => OTHER,
            };
            assert_eq!(kind(code), want, "code {code}");
            execs += usize::from(want == EXEC);
        }
        assert!(execs >= 4, "{execs} exec event types");
    }

    fn execve_exit(tid: u64, res: i64) -> Vec<u8> {
        let res = res.to_le_bytes();
        let mut params: Vec<&[u8]> = vec![b""; 31];
        params[0] = &res;
        params[1] = b"cat\0";
        encode_record(5, tid, 293, &params).expect("record")
    }

    #[test]
    fn fills_cgroups_and_exepath_from_proc() {
        let root = std::env::temp_dir().join(format!("falcorc-enrich-{}", std::process::id()));
        let dir = root.join("4242");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("cgroup"), "0::/docker/abc\n").expect("cgroup");
        std::fs::write(dir.join("stat"), "4242 (c a)t) R 1 4242 4242 0 -1 4194560 0 0\n").expect("stat");
        let _ = std::fs::remove_file(dir.join("exe"));
        std::os::unix::fs::symlink("/usr/bin/cat", dir.join("exe")).expect("exe link");
        let rec = execve_exit(4242, 0);
        let (ev, _) = parse_record(&rec, true).expect("parses");
        let out = enrich(&ev, &root).expect("enriched");
        let (ev2, _) = parse_record(&out, true).expect("still parses");
        assert_eq!(ev2.param_raw(CGROUPS), Some(&b"cpu=/docker/abc\0"[..]));
        assert_eq!(ev2.param_raw(TRUSTED_EXEPATH), Some(&b"/usr/bin/cat\0"[..]));
        assert_eq!(
            (ev2.ts, ev2.tid, ev2.code, ev2.param_raw(1)),
            (5, 4242, 293, Some(&b"cat\0"[..]))
        );

        // An exiting task shows the root cgroups: they are not used (the exe link still is).
        std::fs::write(dir.join("stat"), "4242 (cat) R 1 4242 4242 0 -1 4194564 0 0\n").expect("stat");
        let (ev, _) = parse_record(&rec, true).expect("parses");
        let out = enrich(&ev, &root).expect("exe path still filled");
        let (ev3, _) = parse_record(&out, true).expect("parses");
        assert_eq!(ev3.param_raw(CGROUPS), Some(&b""[..]), "cgroups of an exiting task");
        std::fs::write(dir.join("stat"), "4242 (cat) Z 1 4242 4242 0 -1 4194560 0 0\n").expect("stat");
        let (ev, _) = parse_record(&rec, true).expect("parses");
        let out = enrich(&ev, &root).expect("exe path still filled");
        let (ev4, _) = parse_record(&out, true).expect("parses");
        assert_eq!(ev4.param_raw(CGROUPS), Some(&b""[..]), "cgroups of a zombie");

        let gone = execve_exit(4243, 0);
        let (ev, _) = parse_record(&gone, true).expect("parses");
        assert_eq!(enrich(&ev, &root), None, "a process that is gone keeps its event");
        let failed = execve_exit(4242, -2);
        let (ev, _) = parse_record(&failed, true).expect("parses");
        assert_eq!(enrich(&ev, &root), None, "a failed execve changes nothing");
        let _ = std::fs::remove_dir_all(&root);
    }
}
