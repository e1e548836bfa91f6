//! Static catalogues of the `syscall` event source: fields, value types and
//! driver events, plus the lookups the semantic checker needs.

pub mod event_flags;
pub mod events;
pub mod fields;
pub mod types;

pub use events::{Dir, EVENT_COUNT, EVENTS, EventDef, GENERIC_SYSCALLS, ParamDef};
pub use fields::{FIELDS, FieldDef};
pub use types::{ArgKind, FieldClass, FieldType, flags};

use crate::hash::FnvBuild;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Field indices by name. A hash table: most names share a long prefix (`proc.`, `fd.`),
/// which made each comparison of a binary search long, and a rules file looks names up
/// thousands of times.
static FIELD_INDEX: LazyLock<HashMap<&'static str, u16, FnvBuild>> =
    LazyLock::new(|| FIELDS.iter().enumerate().map(|(i, f)| (f.name, i as u16)).collect());

/// Event codes sorted by event name (stable, so codes stay ascending per name).
static EVENT_INDEX: LazyLock<Vec<(&'static str, u16)>> = LazyLock::new(|| {
    let mut v: Vec<(&'static str, u16)> = EVENTS.iter().map(|e| (e.name, e.code)).collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
});

/// Exact field lookup by full name (no argument, no suffix).
pub fn field(name: &str) -> Option<&'static FieldDef> {
    FIELD_INDEX.get(name).map(|&i| &FIELDS[i as usize])
}

/// The fields that, written without a level, stand for every ancestor of the process:
/// libsinsp compares each ancestor (`compare_full_*`) and extracts the process's own value
/// for an output.
pub fn is_ancestry(name: &str) -> bool {
    name == "proc.aenv" || field(name).is_some_and(|d| d.arg == ArgKind::Ancestor)
}

/// Resolve a field token (name possibly followed by a dotted suffix, without any
/// `[arg]`) like libsinsp: classes are tried in lookup order; within the first
/// class that has a candidate, the longest table name that equals the token or is
/// a prefix of it ending at a `.` boundary wins. Returns the definition and the
/// unconsumed suffix (starting with `.`, or empty).
///
/// `"evt.arg.flags"` gives `(evt.arg, ".flags")`. A non-empty suffix is only
/// legal for fields whose [`ArgKind::takes_dotted_suffix`] is true; the caller
/// must report the field as nonexistent otherwise.
pub fn lookup(token: &str) -> Option<(&'static FieldDef, &str)> {
    let mut best: Option<&'static FieldDef> = None;
    let mut best_len = 0usize;
    // Candidates: the whole token, then every prefix ending right before a '.'.
    let mut end = token.len();
    loop {
        let cand = &token[..end];
        if let Some(def) = field(cand) {
            let better = match best {
                None => true,
                // Earlier class wins; within a class the longer name (seen first) wins.
                Some(b) => def.class < b.class,
            };
            if better {
                best = Some(def);
                best_len = end;
            }
        }
        match cand.rfind('.') {
            Some(dot) if dot > 0 => end = dot,
            _ => break,
        }
    }
    best.map(|d| (d, &token[best_len..]))
}

/// All event codes matched by an `evt.type` value: every code whose event name
/// equals `name` (all versions, both directions); for a syscall without an event
/// of its own (see [`GENERIC_SYSCALLS`]) the codes of the generic `syscall`
/// events. `None` for unknown names.
pub fn event_codes(name: &str) -> Option<Vec<u16>> {
    let idx = &*EVENT_INDEX;
    let start = idx.partition_point(|(n, _)| *n < name);
    let codes: Vec<u16> = idx[start..]
        .iter()
        .take_while(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .collect();
    if !codes.is_empty() {
        return Some(codes);
    }
    if is_generic_syscall(name) {
        return event_codes("syscall");
    }
    None
}

/// True if `name` is a syscall reported only through the generic `syscall` events.
pub fn is_generic_syscall(name: &str) -> bool {
    GENERIC_SYSCALLS.binary_search(&name).is_ok()
}

/// Event definition by code.
pub fn event(code: u16) -> Option<&'static EventDef> {
    EVENTS.get(code as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn field_table_shape() {
        assert_eq!(FIELDS.len(), 294);
        let names: HashSet<&str> = FIELDS.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), FIELDS.len(), "field names must be unique");
        // Classes appear in lookup order.
        assert!(FIELDS.windows(2).all(|w| w[0].class <= w[1].class));
        for f in FIELDS {
            assert!(!f.doc.is_empty() && !f.doc.contains('\n'), "{}", f.name);
            assert!(std::ptr::eq(field(f.name).unwrap(), f));
        }
    }

    #[test]
    fn lookup_resolves_suffixes() {
        let (d, rest) = lookup("evt.arg.flags").unwrap();
        assert_eq!(d.name, "evt.arg");
        assert_eq!(rest, ".flags");
        assert_eq!(d.arg, ArgKind::EvtArg);

        let (d, rest) = lookup("evt.args").unwrap();
        assert_eq!((d.name, rest), ("evt.args", ""));
        let (d, rest) = lookup("evt.type.is.open").unwrap();
        assert_eq!((d.name, rest), ("evt.type.is", ".open"));
        let (d, rest) = lookup("evt.type").unwrap();
        assert_eq!((d.name, rest), ("evt.type", ""));
        let (d, rest) = lookup("thread.cgroup.cpuacct").unwrap();
        assert_eq!((d.name, rest), ("thread.cgroup", ".cpuacct"));
        let (d, rest) = lookup("thread.cgroups").unwrap();
        assert_eq!((d.name, rest), ("thread.cgroups", ""));
        let (d, rest) = lookup("evt.rawarg.res").unwrap();
        assert_eq!((d.name, rest), ("evt.rawarg", ".res"));
        let (d, rest) = lookup("evt.abspath.dst").unwrap();
        assert_eq!((d.name, rest), ("evt.abspath", ".dst"));
        let (d, rest) = lookup("proc.exe_ino.ctime").unwrap();
        assert_eq!((d.name, rest), ("proc.exe_ino.ctime", ""));
        // Suffix on a field that takes none: caller rejects it.
        let (d, rest) = lookup("proc.name.foo").unwrap();
        assert_eq!((d.name, rest), ("proc.name", ".foo"));
        assert!(!d.arg.takes_dotted_suffix());

        assert!(lookup("proc.namex").is_none());
        assert!(lookup("nosuch.field").is_none());
        assert!(lookup("").is_none());
        assert!(field("evt.arg.flags").is_none());
    }

    #[test]
    fn argument_kinds() {
        assert_eq!(field("proc.aname").unwrap().arg, ArgKind::Ancestor);
        assert_eq!(field("proc.apid").unwrap().arg, ArgKind::Ancestor);
        assert_eq!(field("proc.env").unwrap().arg, ArgKind::IndexOrKey { required: false });
        assert_eq!(
            field("container.mount.dest").unwrap().arg,
            ArgKind::IndexOrKey { required: true }
        );
        assert_eq!(field("k8s.pod.label").unwrap().arg, ArgKind::Key { required: true });
        assert_eq!(field("evt.rawarg").unwrap().arg, ArgKind::RawArg);
        assert_eq!(field("evt.around").unwrap().arg, ArgKind::Around);
        assert_eq!(field("proc.name").unwrap().arg, ArgKind::None);
        let fdtypes = field("fd.types").unwrap();
        assert!(fdtypes.has(flags::LIST | flags::ARG_OPT));
        let hc = field("container.healthcheck").unwrap();
        assert!(hc.has(flags::DEPRECATED) && hc.has(flags::ALWAYS_EMPTY));
        assert_eq!(field("fd.sip").unwrap().ty, FieldType::IpAddr);
        assert!(FieldType::IpNet.is_ip() && !FieldType::IpNet.is_numeric());
        assert!(FieldType::Fspath.is_string());
        assert_eq!(FieldType::Charbuf.short_name(), "string");
        for t in FieldType::ALL {
            assert_eq!(FieldType::from_pt_name(t.pt_name()), Some(*t));
        }
    }

    #[test]
    fn event_table_shape() {
        assert_eq!(EVENTS.len(), 454);
        assert_eq!(EVENT_COUNT, EVENTS.len());
        for (i, e) in EVENTS.iter().enumerate() {
            assert_eq!(e.code as usize, i);
        }
        assert_eq!(event(0).unwrap().name, "syscall");
        assert_eq!(event(3).unwrap().dir, Dir::Exit);
    }

    #[test]
    fn event_code_sets() {
        assert_eq!(event_codes("execve").unwrap().len(), 16);
        assert_eq!(event_codes("open").unwrap(), vec![2, 3]);
        assert_eq!(event_codes("syscall").unwrap(), vec![0, 1]);
        // madvise has no event of its own: it arrives as a generic syscall event.
        assert!(is_generic_syscall("madvise"));
        assert_eq!(event_codes("madvise").unwrap(), vec![0, 1]);
        // mlock has dedicated events in this table, so it is not generic.
        assert!(!is_generic_syscall("mlock"));
        assert_eq!(event_codes("mlock").unwrap(), vec![344, 345]);
        assert!(event_codes("no_such_syscall").is_none());
    }

    #[test]
    fn generic_syscalls_are_sorted_and_disjoint_from_events() {
        assert!(GENERIC_SYSCALLS.windows(2).all(|w| w[0] < w[1]));
        for g in GENERIC_SYSCALLS {
            assert!(EVENTS.iter().all(|e| e.name != *g), "{g} has an event");
        }
        for name in ["open", "execve", "read", "connect"] {
            assert!(!is_generic_syscall(name));
        }
        for name in ["getpid", "sched_yield", "pread64"] {
            assert!(is_generic_syscall(name));
        }
    }

    #[test]
    fn rawarg_param_types() {
        assert_eq!(events::param_type("res"), Some(FieldType::Errno));
        assert_eq!(events::param_type("name"), Some(FieldType::Fspath));
        assert!(events::param_type("no_such_param").is_none());
    }
}
