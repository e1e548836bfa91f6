//! What a ruleset can read of the parameters a live source may leave out: the probe sends
//! each costly part of an event only when some loaded rule could observe it (issue 18's
//! parameter masks). Every test here over-approximates: a rule that might read a part needs
//! it, and a field this module does not know is assumed to read everything.
//!
//! The one part today is an open's file information (`dev`, `ino`, and the `O_F_CREATED`,
//! `O_F_UPPER_LAYER` and `O_F_LOWER_LAYER` bits of `flags`), which costs the probe four
//! kernel reads per successful open: the fd slot, the file and inode heads, the super block.
//!
//! Besides parts of events, whole events: the failed opens no rule can match
//! ([`failed_opens`]), which the probe drops in the kernel.
//!
//! And one part of a record's header: the time of a close, when no rule sees close events
//! and none reads a time relative to another event (`evt.deltatime`, `evt.reltime`). The
//! tracker never stores a close's time, and reads a time of 0 as "none" (it neither starts
//! the capture's clock nor becomes the previous event's time), so such a close may come
//! without one; the clock read it saves is a large part of a record's cost in the probe.

pub mod failed_opens;

pub use failed_opens::{FailedOpens, Limits, PathTest};

use crate::event::event_def;
use falcorc_compiler::ir::{Cmp, CmpOp, Const, FieldSpec, Operand, Program, Rhs, Rule};
use falcorc_compiler::sema::output::OutputPart;

/// The parts of events that the rules of a program can observe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needs {
    /// The file information of open events (see the module documentation).
    pub open_file_info: bool,
    /// The failed opens the rules can match.
    pub failed_opens: FailedOpens,
    /// Whether close events must carry their time (see the module documentation).
    pub close_time: bool,
}

impl Needs {
    /// Everything: what a capture must hold (`falcorc record`, `--all-events`).
    pub const ALL: Needs = Needs {
        open_file_info: true,
        failed_opens: FailedOpens::All,
        close_time: true,
    };

    /// What either needs (two rulesets at once, during a reload).
    pub fn union(&self, other: &Needs) -> Needs {
        Needs {
            open_file_info: self.open_file_info || other.open_file_info,
            failed_opens: self.failed_opens.union(&other.failed_opens),
            close_time: self.close_time || other.close_time,
        }
    }
}

/// Events whose exit carries file information (`dev`, `ino`, `O_F_*` flag bits).
pub const OPEN_EVENTS: &[&str] = &["open", "openat", "openat2", "creat", "open_by_handle_at"];

/// Fields that read an fd's file information on any event, since the fd table keeps what
/// the open said.
const FD_FILE_INFO: &[&str] = &[
    "fd.dev",
    "fd.dev.major",
    "fd.dev.minor",
    "fd.ino",
    "fd.is_upper_layer",
    "fd.is_lower_layer",
];

/// Parameters of open events that hold file information.
const FILE_INFO_PARAMS: &[&str] = &["dev", "ino", "flags", "creat_flags"];

/// Names of the `O_F_*` bits that file information adds to `flags` as text.
const FILE_INFO_FLAGS: &[&str] = &["O_F_CREATED", "O_F_UPPER_LAYER", "O_F_LOWER_LAYER"];

/// The parts of events that `program`'s rules (conditions and outputs, enabled or not: a
/// rule can be enabled later) can observe.
pub fn of_program(program: &Program) -> Needs {
    let open_file_info = program.rules.iter().any(|r| {
        let sees_opens = sees(r, is_open_event);
        let mut need = false;
        r.cond
            .each_cmp(&mut |cmp| need |= cmp_needs_file_info(program, cmp, sees_opens));
        need || r.output.iter().any(|p| output_needs_file_info(p, sees_opens))
    });
    Needs {
        open_file_info,
        failed_opens: failed_opens::of_program(program),
        close_time: close_time(program),
    }
}

/// Whether a rule of `program` (enabled or not) can observe the time of a close: it sees
/// close events (or every event), or it reads a time measured from another event, which a
/// close without a time would move.
fn close_time(program: &Program) -> bool {
    program.rules.iter().any(|r| {
        let sees_closes = sees(r, |c| event_def(c).is_some_and(|d| d.name == "close"));
        let mut relative = false;
        r.cond.each_cmp(&mut |cmp| {
            cmp.each_field(&mut |id| {
                relative |= program
                    .fields
                    .get(id.0 as usize)
                    .is_some_and(|s| name_reads_other_times(&full_name(s)));
            })
        });
        sees_closes || relative || r.output.iter().any(|p| output_reads(p, name_reads_other_times))
    })
}

/// `name` as written (with any suffix): whether it is a time measured from another event,
/// or a field this module does not know (assumed to read anything).
fn name_reads_other_times(name: &str) -> bool {
    // A parameter by name is the event's own.
    let param = name.starts_with("evt.arg.") || name.starts_with("evt.rawarg.");
    name.starts_with("evt.reltime")
        || name.starts_with("evt.deltatime")
        || (!param && crate::fields::kind(name).is_none())
}

fn full_name(spec: &FieldSpec) -> String {
    match &spec.suffix {
        Some(s) => format!("{}.{s}", spec.name),
        None => spec.name.to_string(),
    }
}

/// Whether an output part may show a field `reads` accepts.
fn output_reads(part: &OutputPart, reads: impl Fn(&str) -> bool) -> bool {
    match part {
        OutputPart::Literal(_) => false,
        OutputPart::Field { field, .. } => reads(&field.name),
        // Kept as text until the runtime renders it: any field named in it counts.
        OutputPart::Transform { text, .. } => text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .filter(|w| w.contains('.'))
            .any(reads),
    }
}

/// Whether rule `r` can be evaluated on an event whose code `is` accepts (a rule without
/// event types sees every event).
fn sees(r: &Rule, is: impl Fn(u16) -> bool) -> bool {
    r.evttypes.as_ref().is_none_or(|codes| codes.iter().any(|&c| is(c)))
}

fn is_open_event(code: u16) -> bool {
    event_def(code).is_some_and(|d| OPEN_EVENTS.contains(&d.name))
}

fn cmp_needs_file_info(program: &Program, cmp: &Cmp, sees_opens: bool) -> bool {
    // `evt.arg.flags contains X` alone, with X a text that cannot meet the O_F_* names,
    // decides the same with or without them.
    if let Operand::Field(id) = &cmp.lhs
        && let Some(spec) = program.fields.get(id.0 as usize)
        && is_flags_text(spec)
        && let (CmpOp::Contains, Rhs::Const(Const::Str(x))) = (cmp.op, &cmp.rhs)
        && flags_contains_ignores_file_info(x)
    {
        return false;
    }
    let mut need = false;
    cmp.each_field(&mut |id| {
        need |= program
            .fields
            .get(id.0 as usize)
            .is_some_and(|s| field_needs_file_info(s, sees_opens));
    });
    need
}

/// Whether `flags contains x` is the same for a flags text with and without the `O_F_*`
/// names: `x` joins no two names (no `|`) and is part of none of the `O_F_*` names.
fn flags_contains_ignores_file_info(x: &str) -> bool {
    !x.is_empty() && !x.contains('|') && !FILE_INFO_FLAGS.iter().any(|n| n.contains(x))
}

fn is_flags_text(spec: &FieldSpec) -> bool {
    spec.name == "evt.arg" && spec.suffix.as_deref() == Some("flags") && spec.arg.is_none()
}

fn field_needs_file_info(spec: &FieldSpec, sees_opens: bool) -> bool {
    name_needs_file_info(&full_name(spec), sees_opens)
}

/// `name` as written (with any suffix): whether reading it may show file information.
fn name_needs_file_info(name: &str, sees_opens: bool) -> bool {
    if FD_FILE_INFO.contains(&name) {
        return true;
    }
    if !sees_opens {
        return false;
    }
    // A parameter by name: only those that carry file information.
    if let Some(param) = name
        .strip_prefix("evt.arg.")
        .or_else(|| name.strip_prefix("evt.rawarg."))
    {
        return FILE_INFO_PARAMS.contains(&param);
    }
    // The created bit, every parameter as text, or one by index.
    name == "evt.is_open_create"
        || name == "evt.args"
        || name == "evt.info"
        || name.starts_with("evt.arg")
        || name.starts_with("evt.rawarg")
        // Fields this module has no entry for (plugins, future fields): assume they read
        // everything.
        || crate::fields::kind(name).is_none()
}

fn output_needs_file_info(part: &OutputPart, sees_opens: bool) -> bool {
    output_reads(part, |name| name_needs_file_info(name, sees_opens))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_tests_that_cannot_meet_the_file_info_names() {
        for safe in ["O_TRUNC", "O_WRONLY", "O_CREAT", "TRUNC", "O_APPEND"] {
            assert!(flags_contains_ignores_file_info(safe), "{safe}");
        }
        // Part of a file information name, across two names, or empty (always true, but
        // so is the conservative answer).
        for unsafe_ in [
            "O_F_CREATED",
            "CREATED",
            "LAYER",
            "O_F",
            "_",
            "O",
            "O_TRUNC|O_F_CREATED",
            "",
        ] {
            assert!(!flags_contains_ignores_file_info(unsafe_), "{unsafe_}");
        }
    }

    #[test]
    fn times_relative_to_other_events_need_the_time_of_closes() {
        for name in [
            "evt.deltatime",
            "evt.deltatime.s",
            "evt.reltime",
            "evt.reltime.ns",
            "plugin.field",
        ] {
            assert!(name_reads_other_times(name), "{name}");
        }
        for name in [
            "evt.time",
            "evt.rawtime",
            "evt.arg.flags",
            "evt.rawarg.res",
            "proc.name",
            "fd.name",
        ] {
            assert!(!name_reads_other_times(name), "{name}");
        }
    }

    #[test]
    fn fd_file_info_fields_need_it_on_every_event_type() {
        assert!(name_needs_file_info("fd.ino", false));
        assert!(name_needs_file_info("fd.is_upper_layer", false));
        assert!(!name_needs_file_info("fd.name", true));
        assert!(!name_needs_file_info("evt.arg.flags", false));
        assert!(name_needs_file_info("evt.arg.flags", true));
        assert!(name_needs_file_info("evt.is_open_create", true));
        assert!(!name_needs_file_info("evt.is_open_read", true));
        assert!(name_needs_file_info("plugin.field", true));
        assert!(name_needs_file_info("evt.rawarg.ino", true));
        assert!(!name_needs_file_info("evt.arg.name", true));
        assert!(name_needs_file_info("evt.arg", true)); // by index
    }
}
