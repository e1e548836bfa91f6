//! The events the probe can produce: x86_64 syscall number -> exit event code, and
//! which of them the state tracker needs whatever the rules say.
//!
//! Mirrors the `switch` in `probe/falcorc.bpf.c`; the tests check every code against the
//! event table (exists, is a current exit event of the syscall's name).

use crate::wire::{
    PATH_PREFIXES, PATH_SUBSTRINGS, PATH_SUFFIXES, PATH_TEXT, PathSubstring, PathTable, PathText, SLOT_PROCEXIT,
    SYSCALL_SLOTS,
};
use falcorc_runtime::needs::{FailedOpens, Limits, Needs, PathTest};

/// One syscall the probe handles.
#[derive(Clone, Copy, Debug)]
pub struct Syscall {
    pub nr: u32,
    pub name: &'static str,
    /// The exit event the probe sends.
    pub code: u16,
    /// Kept on for state tracking (threads, fds, cwd, users) even when no rule uses it.
    pub state: bool,
}

const fn s(nr: u32, name: &'static str, code: u16, state: bool) -> Syscall {
    Syscall { nr, name, code, state }
}

pub const SYSCALLS: &[Syscall] = &[
    s(2, "open", 3, true),
    s(257, "openat", 307, true),
    s(437, "openat2", 327, true),
    s(85, "creat", 59, true),
    s(3, "close", 5, true),
    s(32, "dup", 367, true),
    s(33, "dup2", 363, true),
    s(292, "dup3", 365, true),
    s(87, "unlink", 301, false),
    s(263, "unlinkat", 303, false),
    s(84, "rmdir", 279, false),
    s(83, "mkdir", 277, false),
    s(258, "mkdirat", 305, false),
    s(82, "rename", 175, false),
    s(264, "renameat", 177, false),
    s(316, "renameat2", 319, false),
    s(88, "symlink", 179, false),
    s(266, "symlinkat", 181, false),
    s(86, "link", 309, false),
    s(265, "linkat", 311, false),
    s(90, "chmod", 315, false),
    s(91, "fchmod", 317, false),
    s(268, "fchmodat", 313, false),
    s(80, "chdir", 95, true),
    s(81, "fchdir", 97, true),
    s(161, "chroot", 267, true),
    s(165, "mount", 257, false),
    s(319, "memfd_create", 405, true),
    s(175, "init_module", 411, false),
    s(313, "finit_module", 413, false),
    s(321, "bpf", 369, false),
    s(41, "socket", 19, true),
    s(42, "connect", 23, true),
    s(49, "bind", 21, true),
    s(50, "listen", 25, true),
    s(43, "accept", 247, true),
    s(288, "accept4", 389, true),
    s(44, "sendto", 31, false),
    s(46, "sendmsg", 49, false),
    s(45, "recvfrom", 35, false),
    s(47, "recvmsg", 53, false),
    s(56, "clone", 223, true),
    s(57, "fork", 225, true),
    s(58, "vfork", 227, true),
    s(435, "clone3", 335, true),
    s(59, "execve", 293, true),
    s(322, "execveat", 331, true),
    s(105, "setuid", 199, true),
    s(106, "setgid", 201, true),
    s(117, "setresuid", 193, true),
    s(119, "setresgid", 195, true),
    s(113, "setreuid", 427, true),
    s(114, "setregid", 429, true),
    s(101, "ptrace", 169, false),
    s(308, "setns", 241, false),
    s(272, "unshare", 285, false),
    // Creates a descriptor the fd table must know (type `u`).
    s(323, "userfaultfd", 321, true),
    // The tracker keeps each thread's capabilities current with it.
    s(126, "capset", 353, true),
];

/// close's syscall number, whose records may be sent without their time.
const CLOSE_NR: u32 = 3;

/// The procexit event (from `sched_process_exit`).
pub const PROCEXIT_CODE: u16 = 186;

/// What the probe sends: which exit events, and which of their costly parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Filter map slots to switch on (see [`filter_slots`]).
    pub slots: Vec<u32>,
    /// What the loaded rules can observe of the parts the probe may leave out.
    pub needs: Needs,
}

impl Filter {
    /// Everything: what a capture must hold (`falcorc record`).
    pub fn everything() -> Filter {
        Filter {
            slots: filter_slots(true, |_| true),
            needs: Needs::ALL,
        }
    }

    /// What both filters send (while two rulesets overlap during a reload).
    pub fn union(&self, other: &Filter) -> Filter {
        let mut slots = self.slots.clone();
        slots.extend(other.slots.iter().copied().filter(|s| !self.slots.contains(s)));
        Filter {
            slots,
            needs: self.needs.union(&other.needs),
        }
    }

    /// Whether `other` sends something this filter does not.
    pub fn widened_by(&self, other: &Filter) -> bool {
        other.slots.iter().any(|s| !self.slots.contains(s)) || self.needs.union(&other.needs) != self.needs
    }

    /// The value of each slot of the probe's `interesting` map: 0 (not sent) or 1 (sent)
    /// plus 2 when opens carry their file information, 4 when failed opens go through the
    /// path table, and 8 on close's slot when closes are sent without their time.
    pub fn map_values(&self) -> Vec<u8> {
        let mut values = vec![0u8; SYSCALL_SLOTS as usize];
        let on = 1
            | if self.needs.open_file_info { 2 } else { 0 }
            | if matches!(self.failed_opens(), FailedOpens::Paths(_)) {
                4
            } else {
                0
            };
        for &slot in &self.slots {
            if let Some(v) = values.get_mut(slot as usize) {
                *v = on;
                if slot == CLOSE_NR && !self.needs.close_time {
                    *v |= 8;
                }
            }
        }
        values
    }
}

/// What to send: every state syscall plus those whose exit event `wants` accepts.
/// Returns the filter slots to switch on (syscall numbers, plus [`SLOT_PROCEXIT`]).
/// The failed-open prefilter's table limits (wire.h).
pub const PATH_LIMITS: Limits = Limits {
    prefixes: PATH_PREFIXES,
    suffixes: PATH_SUFFIXES,
    contains: PATH_SUBSTRINGS,
    len: PATH_TEXT,
};

impl Filter {
    /// The failed opens the probe sends, as its table can hold them.
    pub fn failed_opens(&self) -> FailedOpens {
        self.needs.failed_opens.within(PATH_LIMITS)
    }

    /// The `path_table` map's value (all zero, unused, when every failed open is sent).
    pub fn path_table(&self) -> PathTable {
        let mut t = PathTable::default();
        let FailedOpens::Paths(tests) = self.failed_opens() else {
            return t;
        };
        for test in &tests {
            match test {
                PathTest::Prefix(s) if (t.prefixes as usize) < PATH_PREFIXES => {
                    t.prefix[t.prefixes as usize] = path_text(s.as_bytes(), false);
                    t.prefixes += 1;
                }
                PathTest::Suffix(s) if (t.suffixes as usize) < PATH_SUFFIXES => {
                    t.suffix[t.suffixes as usize] = path_text(s.as_bytes(), true);
                    t.suffixes += 1;
                }
                PathTest::Contains(s) if (t.substrings as usize) < PATH_SUBSTRINGS && !s.is_empty() => {
                    let b = s.as_bytes();
                    t.substring[t.substrings as usize] = PathSubstring {
                        first: u64::from_le_bytes([b[0]; 8]),
                        last: u64::from_le_bytes([b[b.len() - 1]; 8]),
                        len: b.len() as u64,
                    };
                    t.substrings += 1;
                }
                // `within` keeps the counts and lengths to the table's.
                _ => unreachable!("a test beyond the table's limits: {test:?}"),
            }
        }
        t
    }
}

/// A prefix (from byte 0) or a suffix (ending at byte 31) as words and masks.
fn path_text(b: &[u8], suffix: bool) -> PathText {
    let mut text = [0u8; PATH_TEXT];
    let mut mask = [0u8; PATH_TEXT];
    let at = if suffix { PATH_TEXT - b.len() } else { 0 };
    text[at..at + b.len()].copy_from_slice(b);
    mask[at..at + b.len()].fill(0xff);
    let words =
        |a: &[u8; PATH_TEXT]| std::array::from_fn(|i| u64::from_le_bytes(a[8 * i..8 * i + 8].try_into().unwrap()));
    PathText {
        text: words(&text),
        mask: words(&mask),
    }
}

pub fn filter_slots(all: bool, wants: impl Fn(u16) -> bool) -> Vec<u32> {
    let mut out: Vec<u32> = SYSCALLS
        .iter()
        .filter(|s| all || s.state || wants(s.code))
        .map(|s| s.nr)
        .collect();
    out.push(SLOT_PROCEXIT);
    out
}

/// Event names of the rules' event types that the probe cannot produce (for a warning).
pub fn unsupported(wants: impl Fn(u16) -> bool) -> Vec<&'static str> {
    use falcorc_runtime::event::event_def;
    let mut names: Vec<&'static str> = (0..u16::MAX)
        .map_while(|c| event_def(c).map(|d| (c, d)))
        .filter(|(c, d)| wants(*c) && !d.old && *c != PROCEXIT_CODE && !SYSCALLS.iter().any(|s| s.code == *c))
        .map(|(_, d)| d.name)
        .filter(|n| !SYSCALLS.iter().any(|s| s.name == *n))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use falcorc_runtime::event::event_def;

    #[test]
    fn codes_are_current_exit_events_of_their_syscall() {
        for s in SYSCALLS {
            let d = event_def(s.code).unwrap_or_else(|| panic!("{} has no event {}", s.name, s.code));
            assert_eq!(d.name, s.name, "code {}", s.code);
            assert_eq!(format!("{:?}", d.dir), "Exit", "{}", s.name);
            assert!(!d.old && !d.unused, "{} uses an old layout", s.name);
        }
        let p = event_def(PROCEXIT_CODE).expect("procexit");
        assert_eq!(p.name, "procexit");
    }

    #[test]
    fn numbers_and_codes_are_unique_and_fit_the_filter_map() {
        let mut nrs: Vec<u32> = SYSCALLS.iter().map(|s| s.nr).collect();
        nrs.sort_unstable();
        nrs.dedup();
        assert_eq!(nrs.len(), SYSCALLS.len());
        assert!(nrs.iter().all(|&n| n < SLOT_PROCEXIT));
    }

    #[test]
    fn the_filter_keeps_state_syscalls_and_wanted_ones() {
        let slots = filter_slots(false, |c| c == 169);
        assert!(slots.contains(&101), "ptrace is wanted");
        assert!(slots.contains(&59), "execve is state");
        assert!(!slots.contains(&87), "unlink is neither");
        assert!(slots.contains(&SLOT_PROCEXIT));
        assert_eq!(filter_slots(true, |_| false).len(), SYSCALLS.len() + 1);
    }

    #[test]
    fn unsupported_names_event_types_without_a_handler() {
        let (read_x, sendto_x) = (7, 31);
        assert_eq!(unsupported(|c| c == read_x || c == sendto_x), vec!["read"]);
        assert!(unsupported(|c| c == 169).is_empty());
    }

    #[test]
    fn closes_go_without_their_time_only_when_no_rule_can_observe_it() {
        let close = SYSCALLS.iter().find(|s| s.name == "close").expect("close");
        assert_eq!(close.nr, CLOSE_NR);
        let mut needs = Needs::ALL;
        needs.close_time = false;
        let f = Filter {
            slots: vec![CLOSE_NR, 257],
            needs,
        };
        let v = f.map_values();
        assert_eq!(v[CLOSE_NR as usize] & 8, 8);
        assert_eq!(v[257] & 8, 0, "only closes");
        // Timed when either ruleset of a reload needs it, and in a recording.
        assert_eq!(f.union(&Filter::everything()).map_values()[CLOSE_NR as usize] & 8, 0);
        assert_eq!(Filter::everything().map_values()[CLOSE_NR as usize] & 8, 0);
        assert!(f.widened_by(&Filter::everything()));
    }

    #[test]
    fn path_table_holds_each_test_as_the_probe_reads_it() {
        use falcorc_runtime::needs::{FailedOpens, PathTest};
        let mut needs = Needs::ALL;
        needs.failed_opens = FailedOpens::Paths(vec![
            PathTest::Prefix("/etc/".into()),
            PathTest::Suffix("/.bashrc".into()),
            PathTest::Contains("../".into()),
        ]);
        let f = Filter {
            slots: vec![257],
            needs,
        };
        assert_eq!(f.map_values()[257], 1 | 2 | 4);
        let t = f.path_table();
        assert_eq!((t.prefixes, t.suffixes, t.substrings), (1, 1, 1));
        // Little-endian words: the prefix from byte 0, the suffix ending at byte 31.
        assert_eq!(t.prefix[0].text[0], u64::from_le_bytes(*b"/etc/\0\0\0"));
        assert_eq!(t.prefix[0].mask, [0xff_ffff_ffff, 0, 0, 0]);
        assert_eq!(t.suffix[0].text[3], u64::from_le_bytes(*b"/.bashrc"));
        assert_eq!(t.suffix[0].mask, [0, 0, 0, u64::MAX]);
        assert_eq!(t.substring[0].first, u64::from_le_bytes([b'.'; 8]));
        assert_eq!(t.substring[0].last, u64::from_le_bytes([b'/'; 8]));
        assert_eq!(t.substring[0].len, 3);
        // Every failed open sent: no table, no bit.
        let all = Filter::everything();
        assert_eq!(all.path_table(), PathTable::default());
        assert!(all.map_values().iter().all(|v| v & 4 == 0));
    }

    #[test]
    fn the_probe_source_handles_every_listed_syscall() {
        let src = include_str!("../probe/falcorc.bpf.c");
        for s in SYSCALLS {
            let case = format!("case {}: ", s.nr);
            // close is handled before the switch, on a path of its own.
            if s.nr == 3 {
                assert!(
                    src.contains("if (nr == 3) {") && src.contains(&format!("rec_begin(&r, {}, 2)", s.code)),
                    "close's own path"
                );
                continue;
            }
            let line = src.lines().find(|l| l.trim_start().starts_with(&case));
            let line = line.unwrap_or_else(|| panic!("no `{case}` for {}", s.name));
            let code = s.code.to_string();
            // The code is the handler's first argument, the one its open variant passes, or
            // the recv handler's choice of two.
            let recv = |flag: u8| line.contains(&format!("falcorc_recv({flag})")) && src.contains("? 53 : 35");
            assert!(
                line.contains(&format!("({code},"))
                    || src.contains(&format!("falcorc_clone({code},"))
                    || (line.contains(&format!("falcorc_{}(", s.name))
                        && src.contains(&format!(", {code}, want, ret,")))
                    || (s.code == 35 && recv(0))
                    || (s.code == 53 && recv(1)),
                "{}: {line}",
                s.name
            );
        }
    }
}
