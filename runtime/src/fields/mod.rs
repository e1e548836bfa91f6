//! Field extraction: the values of rule fields (`proc.name`, `fd.name`,
//! `evt.arg.flags`...) for one event, from the event's parameters and the
//! [`Tracker`](crate::state::Tracker) state, with Falco's value formats.
//!
//! A [`FieldCtx`] is handed to the evaluation callback of
//! [`Tracker::on_event`](crate::state::Tracker::on_event); it implements
//! [`FieldSource`], dispatching on the field's catalogue name (not on the
//! per-program field id). Values are `Value::Str` for text, `Value::Int` for
//! every integer type, `Value::Bool`, `Value::Ip` for addresses (so CIDR
//! comparisons work), `Value::Bytes` for buffers and `Value::List` for
//! multi-valued fields; `None` where Falco has no value (`<NA>` / `null`).
//!
//! Two deliberate value choices: `evt.time.iso8601` is the timestamp as a
//! number (that is how Falco puts it in JSON `output_fields`), and times of
//! day are UTC.

mod borrowed;
mod evt;
mod fd;
pub mod kinds;
pub mod names;
mod proc;
pub mod render;
mod resolved;
pub mod time;

use std::sync::OnceLock;

use falcorc_compiler::eval::interp::set_str;
use falcorc_compiler::eval::{FieldSource, Value};
use falcorc_compiler::ir::{FieldId, FieldSpec};
use falcorc_compiler::sema::catalog::FIELDS;

use crate::event::Event;
use crate::state::fd::Fd;
use crate::state::meta::{ParamView, ef, info};
use crate::state::thread::Thread;
use crate::state::{FastMap, Outcome, Tracker};
use kinds::F;
#[cfg(feature = "jit")]
pub(crate) use resolved::Ahead;
pub use resolved::{Bound, Resolved};

/// One event as rules see it: the event (with its enter parameters folded
/// in) and a read-only view of the state right after its constructive
/// updates.
pub struct FieldCtx<'a> {
    tracker: &'a Tracker,
    ev: Event<'a>,
    code: u16,
    params: &'a ParamView<'a>,
    thread: Option<&'a Thread>,
    fd: Option<&'a Fd>,
    fd_num: Option<i64>,
    /// An fd-related event (creates, uses or destroys one) with a thread and an fd
    /// number: the condition under which `fd.*` fields have values at all.
    fd_event: bool,
    name_changed: bool,
    latency: Option<u64>,
    open_flags: Option<u32>,
}

impl<'a> FieldCtx<'a> {
    pub(crate) fn new(
        tracker: &'a Tracker,
        ev: &Event<'a>,
        code: u16,
        params: &'a ParamView<'a>,
        out: &Outcome,
    ) -> FieldCtx<'a> {
        let thread = out.thread.and_then(|tid| tracker.thread(tid));
        let fd = match (thread, out.fd_num) {
            (Some(t), Some(n)) if n >= 0 => tracker.fd_of(t, n),
            _ => None,
        };
        let fd_event = thread.is_some()
            && out.fd_num.is_some()
            && info(code).flags & (ef::CREATES_FD | ef::USES_FD | ef::DESTROYS_FD) != 0;
        FieldCtx {
            tracker,
            ev: *ev,
            code,
            params,
            thread,
            fd,
            fd_num: out.fd_num,
            fd_event,
            name_changed: out.name_changed,
            latency: out.latency,
            open_flags: out.open_flags,
        }
    }

    /// Timestamp (ns since the epoch).
    pub fn ts(&self) -> u64 {
        self.ev.ts
    }

    /// The code rules are dispatched on: the code of the event's current
    /// layout (old event versions map to the version live drivers emit;
    /// rule event-type sets contain every version anyway).
    pub fn code(&self) -> u16 {
        self.code
    }

    /// Sequence number (`evt.num`).
    pub fn num(&self) -> u64 {
        self.ev.num
    }

    /// Thread id of the event.
    pub fn tid(&self) -> u64 {
        self.ev.tid
    }

    /// The event as read (original code and parameters).
    pub fn event(&self) -> &Event<'a> {
        &self.ev
    }

    /// The parameters in the current layout, enter values folded in.
    pub fn params(&self) -> &'a ParamView<'a> {
        self.params
    }

    /// The event's thread entry, if it has one.
    pub fn thread(&self) -> Option<&'a Thread> {
        self.thread
    }

    /// The fd the event refers to, if it is in the table.
    pub fn fd(&self) -> Option<&'a Fd> {
        self.fd
    }

    /// The fd number the event refers to (for fd-related events).
    pub fn fd_num(&self) -> Option<i64> {
        self.fd_num
    }

    /// Whether `fd.*` fields can have a value on this event (see `fd_event`).
    pub(crate) fn is_fd_event(&self) -> bool {
        self.fd_event
    }

    /// The state the context reads from.
    pub fn tracker(&self) -> &'a Tracker {
        self.tracker
    }

    /// The value of field `spec` for this event.
    pub fn value(&self, spec: &FieldSpec) -> Option<Value> {
        self.value_of(kind(spec.name)?, spec)
    }

    /// The value of field `spec`, whose kind is `f`.
    fn value_of(&self, f: F, spec: &FieldSpec) -> Option<Value> {
        match spec.name.as_bytes().first() {
            Some(b'e' | b's') => self.evt_field(f, spec),
            Some(b'f') => self.fd_field(f, spec),
            Some(b'u') if f == F::UtilCnt => self.evt_field(f, spec),
            _ => self.proc_field(f, spec),
        }
    }
}

impl FieldSource for FieldCtx<'_> {
    fn field(&self, _id: FieldId, spec: &FieldSpec) -> Option<Value> {
        self.value(spec)
    }

    fn field_into(&self, _id: FieldId, spec: &FieldSpec, slot: &mut Value) -> bool {
        kind(spec.name).is_some_and(|f| self.extract(f, spec, slot))
    }
}

impl FieldCtx<'_> {
    /// Store the value of field `spec`, of kind `f`, in `slot` (reusing its buffer
    /// when the value can be borrowed); whether there is one.
    fn extract(&self, f: F, spec: &FieldSpec, slot: &mut Value) -> bool {
        if let Some(text) = self.borrowed_str(f, spec) {
            return text.is_some_and(|t| {
                set_str(slot, t);
                true
            });
        }
        match self.value_of(f, spec) {
            Some(v) => {
                store(slot, v);
                true
            }
            None => false,
        }
    }
}

/// `*slot = v`, with numbers and booleans written over a slot of the same kind in
/// place: the slots of the engine's cache keep their variant from event to event,
/// and dropping the old value first cost a call per extraction.
#[inline]
fn store(slot: &mut Value, v: Value) {
    // `ManuallyDrop`: a number or boolean holds nothing to free, and the generic drop
    // of `v` the compiler otherwise emits after the match is a call of its own.
    let v = std::mem::ManuallyDrop::new(v);
    match (&mut *slot, &*v) {
        (Value::Int(old), Value::Int(new)) => *old = *new,
        (Value::Bool(old), Value::Bool(new)) => *old = *new,
        _ => *slot = std::mem::ManuallyDrop::into_inner(v),
    }
}

/// The field named `name`: a lookup by the address of the catalogue's
/// static name (what compiled field specs carry), falling back to the text.
pub fn kind(name: &str) -> Option<F> {
    static BY_PTR: OnceLock<FastMap<(usize, usize), F>> = OnceLock::new();
    let map = BY_PTR.get_or_init(|| {
        FIELDS
            .iter()
            .filter_map(|d| kinds::by_name(d.name).map(|k| ((d.name.as_ptr() as usize, d.name.len()), k)))
            .collect()
    });
    match map.get(&(name.as_ptr() as usize, name.len())) {
        Some(k) => Some(*k),
        None => kinds::by_name(name),
    }
}

/// `Some(Value::Str(..))`.
pub(crate) fn s(v: impl Into<String>) -> Option<Value> {
    Some(Value::Str(v.into()))
}

/// `Some(Value::Int(..))`.
pub(crate) fn int(v: impl Into<i128>) -> Option<Value> {
    Some(Value::Int(v.into()))
}

/// `Some(Value::Bool(..))`.
pub(crate) fn boolean(v: bool) -> Option<Value> {
    Some(Value::Bool(v))
}
