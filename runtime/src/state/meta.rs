//! Facts about event codes that the tracker and the field extractors need
//! besides the shared event table: which events create, use or destroy a
//! file descriptor, the numeric print format of parameters, the current
//! layout each (possibly old) code is read as, and [`ParamView`], an exit
//! event's parameters in that layout with the gaps filled from its enter
//! event.

use std::mem::MaybeUninit;
use std::sync::OnceLock;

use falcorc_compiler::sema::catalog::FieldType;
pub use falcorc_compiler::sema::catalog::event_flags::{self, ef};
use falcorc_compiler::sema::catalog::events::{Dir, EVENT_COUNT, EVENTS, EventDef};

use crate::event::{Event, Param, decode, event_def};

/// Largest parameter count of any event layout.
pub const MAX_PARAMS: usize = 32;

// Integer parameters not printed in decimal: (code, parameter index, format)
// with b'H' hexadecimal, b'O' octal, b'P' zero-padded decimal. Sorted.
static NUM_FMT: [(u16, u8, u8); 79] = [
    (2, 2, b'O'),
    (3, 3, b'O'),
    (3, 4, b'H'),
    (11, 0, b'H'),
    (43, 3, b'H'),
    (43, 4, b'H'),
    (56, 0, b'H'),
    (58, 1, b'O'),
    (59, 2, b'O'),
    (59, 3, b'H'),
    (62, 1, b'H'),
    (63, 2, b'H'),
    (64, 0, b'H'),
    (65, 1, b'H'),
    (90, 1, b'H'),
    (98, 1, b'H'),
    (102, 3, b'O'),
    (126, 1, b'H'),
    (126, 2, b'H'),
    (127, 2, b'H'),
    (127, 3, b'H'),
    (136, 1, b'H'),
    (137, 2, b'H'),
    (138, 0, b'H'),
    (139, 1, b'H'),
    (151, 3, b'H'),
    (158, 0, b'H'),
    (159, 0, b'H'),
    (159, 4, b'H'),
    (160, 0, b'H'),
    (161, 4, b'H'),
    (162, 0, b'H'),
    (163, 4, b'H'),
    (164, 0, b'H'),
    (165, 4, b'H'),
    (170, 1, b'H'),
    (170, 2, b'H'),
    (171, 2, b'H'),
    (171, 3, b'H'),
    (248, 0, b'H'),
    (262, 0, b'H'),
    (263, 1, b'H'),
    (276, 0, b'H'),
    (277, 2, b'H'),
    (290, 0, b'H'),
    (290, 1, b'H'),
    (293, 20, b'H'),
    (293, 21, b'H'),
    (293, 22, b'H'),
    (298, 1, b'H'),
    (299, 2, b'H'),
    (305, 3, b'H'),
    (306, 3, b'O'),
    (307, 4, b'O'),
    (307, 5, b'H'),
    (326, 3, b'O'),
    (327, 4, b'O'),
    (327, 6, b'H'),
    (328, 0, b'H'),
    (329, 1, b'H'),
    (331, 20, b'H'),
    (331, 21, b'H'),
    (331, 22, b'H'),
    (337, 4, b'H'),
    (343, 3, b'H'),
    (345, 1, b'H'),
    (347, 1, b'H'),
    (353, 1, b'H'),
    (353, 2, b'H'),
    (353, 3, b'H'),
    (371, 1, b'H'),
    (388, 0, b'H'),
    (389, 5, b'H'),
    (398, 1, b'H'),
    (399, 3, b'H'),
    (407, 3, b'H'),
    (430, 13, b'H'),
    (430, 14, b'H'),
    (430, 15, b'H'),
];

/// How a numeric parameter is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumFmt {
    /// Decimal.
    Dec,
    /// Upper-case hexadecimal without prefix.
    Hex,
    /// Octal with a leading `0`.
    Oct,
    /// Decimal padded to 9 digits.
    Padded,
}

/// The print format of parameter `idx` of event code `code`.
pub fn num_fmt(code: u16, idx: usize) -> NumFmt {
    match NUM_FMT.binary_search_by(|&(c, i, _)| (c, usize::from(i)).cmp(&(code, idx))) {
        Ok(at) => match NUM_FMT[at].2 {
            b'H' => NumFmt::Hex,
            b'O' => NumFmt::Oct,
            _ => NumFmt::Padded,
        },
        Err(_) => NumFmt::Dec,
    }
}

/// What the tracker needs to know about one event code.
#[derive(Clone, Debug)]
pub struct CodeInfo {
    /// `ef::*` bits of the layout the event is read as.
    pub flags: u8,
    /// Code of the layout the event is read as (the current version of an
    /// old event; the code itself otherwise).
    pub current: u16,
    /// An enter event whose exit carries the result: stored, folded into
    /// the exit, never evaluated on its own.
    pub paired_enter: bool,
    /// Index, in the current layout, of the file descriptor a `USES_FD`
    /// event acts on.
    pub fd_param: Option<u8>,
    /// The state update the event calls for.
    pub op: Op,
}

/// The state update an event calls for (by event name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Nothing.
    None,
    /// Container metadata.
    Container,
    /// User or group table change.
    UserTable,
    /// Plugin or async event (no thread).
    Plugin,
    /// clone, clone3, fork, vfork.
    Clone,
    /// execve, execveat.
    Execve,
    /// open, openat, openat2, creat, open_by_handle_at.
    Open,
    /// socket.
    Socket,
    /// bind.
    Bind,
    /// connect.
    Connect,
    /// accept, accept4.
    Accept,
    /// close.
    Close,
    /// pipe, pipe2.
    Pipe,
    /// socketpair.
    Socketpair,
    /// An event whose result is a new fd of a fixed type.
    NewFd(crate::scap::FdType),
    /// memfd_create.
    Memfd,
    /// dup, dup2, dup3.
    Dup,
    /// fcntl.
    Fcntl,
    /// chdir, getcwd.
    Chdir,
    /// fchdir.
    Fchdir,
    /// chroot.
    Chroot,
    /// The setuid and setgid families.
    SetId,
    /// capset.
    Capset,
    /// setsid.
    Setsid,
    /// Reads (with an optional source tuple).
    Read,
    /// Writes (with an optional destination tuple).
    Write,
    /// procexit.
    Procexit,
}

fn op_of(name: &str) -> Op {
    use crate::scap::FdType;
    match name {
        "container" => Op::Container,
        "useradded" | "userdeleted" | "groupadded" | "groupdeleted" => Op::UserTable,
        "pluginevent" | "asyncevent" => Op::Plugin,
        "clone" | "clone3" | "fork" | "vfork" => Op::Clone,
        "execve" | "execveat" => Op::Execve,
        "open" | "openat" | "openat2" | "creat" | "open_by_handle_at" => Op::Open,
        "socket" => Op::Socket,
        "bind" => Op::Bind,
        "connect" => Op::Connect,
        "accept" | "accept4" => Op::Accept,
        "close" => Op::Close,
        "pipe" | "pipe2" => Op::Pipe,
        "socketpair" => Op::Socketpair,
        "eventfd" | "eventfd2" => Op::NewFd(FdType::Event),
        "signalfd" | "signalfd4" => Op::NewFd(FdType::Signalfd),
        "timerfd_create" => Op::NewFd(FdType::Timerfd),
        "inotify_init" | "inotify_init1" => Op::NewFd(FdType::Inotify),
        "bpf" => Op::NewFd(FdType::Bpf),
        "userfaultfd" => Op::NewFd(FdType::Userfaultfd),
        "io_uring_setup" => Op::NewFd(FdType::IoUring),
        "epoll_create" | "epoll_create1" => Op::NewFd(FdType::Eventpoll),
        "pidfd_open" => Op::NewFd(FdType::Pidfd),
        "memfd_create" => Op::Memfd,
        "dup" | "dup2" | "dup3" => Op::Dup,
        "fcntl" => Op::Fcntl,
        "chdir" | "getcwd" => Op::Chdir,
        "fchdir" => Op::Fchdir,
        "chroot" => Op::Chroot,
        "setuid" | "setreuid" | "setresuid" | "setgid" | "setregid" | "setresgid" => Op::SetId,
        "capset" => Op::Capset,
        "setsid" => Op::Setsid,
        "read" | "readv" | "pread" | "preadv" | "recv" | "recvfrom" | "recvmsg" | "recvmmsg" => Op::Read,
        "write" | "writev" | "pwrite" | "pwritev" | "send" | "sendto" | "sendmsg" | "sendmmsg" => Op::Write,
        "procexit" => Op::Procexit,
        _ => Op::None,
    }
}

const UNKNOWN_CODE: CodeInfo = CodeInfo {
    flags: 0,
    current: u16::MAX,
    paired_enter: false,
    fd_param: None,
    op: Op::None,
};

fn build_infos() -> Vec<CodeInfo> {
    let mut out = Vec::with_capacity(EVENT_COUNT);
    for def in EVENTS.iter() {
        let code = def.code;
        // Old layouts are read as the newest live layout with the same name
        // and direction.
        let current = if def.old {
            EVENTS
                .iter()
                .filter(|d| !d.old && !d.unused && d.name == def.name && d.dir == def.dir)
                .map(|d| d.code)
                .next_back()
                .unwrap_or(code)
        } else {
            code
        };
        let cur_def = &EVENTS[usize::from(current)];
        let flags = event_flags::flags(current);
        let paired_enter = def.dir == Dir::Enter
            && EVENTS
                .get(usize::from(code) + 1)
                .is_some_and(|x| !x.unused && x.dir == Dir::Exit && x.name == def.name);
        let fd_param = if flags & ef::USES_FD != 0 {
            cur_def
                .params
                .iter()
                .position(|p| matches!(p.ty, FieldType::Fd | FieldType::Fd32) && p.name != "res")
                .map(|i| i as u8)
        } else {
            None
        };
        out.push(CodeInfo {
            flags,
            current,
            paired_enter,
            fd_param,
            op: op_of(cur_def.name),
        });
    }
    out
}

/// Facts about event code `code` (codes outside the table get no flags).
pub fn info(code: u16) -> &'static CodeInfo {
    static INFOS: OnceLock<Vec<CodeInfo>> = OnceLock::new();
    INFOS
        .get_or_init(build_infos)
        .get(usize::from(code))
        .unwrap_or(&UNKNOWN_CODE)
}

/// A copy of an enter event kept until its exit arrives.
#[derive(Clone, Debug, Default)]
pub struct StoredEnter {
    /// Event code.
    pub code: u16,
    /// Timestamp.
    pub ts: u64,
    data: Vec<u8>,
    ends: Vec<u32>,
}

/// Enter events larger than this are not kept (their exit then stands alone).
pub const MAX_STORED_ENTER: usize = 16 * 1024;

impl StoredEnter {
    /// Copies `ev` into this buffer, reusing its allocations. Returns false
    /// (and keeps nothing) when the event is too large to keep.
    pub fn fill(&mut self, ev: &Event<'_>) -> bool {
        self.data.clear();
        self.ends.clear();
        if ev.data_len() > MAX_STORED_ENTER {
            return false;
        }
        self.code = ev.code;
        self.ts = ev.ts;
        for p in ev.params_raw().take(MAX_PARAMS) {
            self.data.extend_from_slice(p);
            self.ends.push(self.data.len() as u32);
        }
        true
    }

    /// Raw bytes of parameter `i`.
    pub fn param(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.data.get(start..end)
    }

    /// Raw bytes of the parameter called `name` in the enter layout.
    pub fn param_named(&self, name: &str) -> Option<&[u8]> {
        let def = event_def(self.code)?;
        self.param(def.params.iter().position(|p| p.name == name)?)
    }

    /// Bytes held (for memory accounting).
    pub fn capacity(&self) -> usize {
        self.data.capacity() + 4 * self.ends.capacity()
    }
}

/// The parameters of an event in the layout of its current version, with
/// parameters the event itself lacks (old captures) or left empty taken from
/// the matching enter event by name, the way libscap's converter folds old
/// enter/exit pairs. Missing parameters are empty (length 0).
#[derive(Clone, Copy)]
pub struct ParamView<'a> {
    def: Option<&'static EventDef>,
    /// The parameters; an empty slice stands for a missing one. Only the first `len`
    /// slots are ever written or read: a view is made for every event, and zeroing
    /// all 32 slots first cost more than filling the few an event has.
    raw: [MaybeUninit<&'a [u8]>; MAX_PARAMS],
    /// Slots written (the invariant every read relies on: `raw[..len]` is initialised).
    len: usize,
}

impl<'a> ParamView<'a> {
    /// A view with no parameters, to [`fill`](Self::fill).
    #[inline]
    pub fn empty() -> ParamView<'a> {
        ParamView {
            def: None,
            raw: [MaybeUninit::uninit(); MAX_PARAMS],
            len: 0,
        }
    }

    /// The view of `ev`, read as layout `current`, filling gaps from `enter`, written
    /// into an [`empty`](Self::empty) view: the view is a few hundred bytes, and filling
    /// it where it lives saves copying it out.
    #[inline]
    pub fn fill(&mut self, ev: &Event<'a>, current: u16, enter: Option<&'a StoredEnter>) {
        let cur = event_def(current);
        let view = self;
        view.len = 0;
        view.def = cur.or_else(|| ev.event_def());
        if let Some(cur) = cur.filter(|_| ev.code == current && enter.is_some()) {
            // A current-layout exit event with its enter part: own parameters in
            // place, the empty ones taken from the enter event by name.
            let len = cur.params.len().min(MAX_PARAMS);
            let mut own = ev.params_raw();
            for (slot, def) in view.raw[..len].iter_mut().zip(cur.params) {
                let mine = own.next().unwrap_or_default();
                slot.write(if mine.is_empty() {
                    enter.and_then(|e| e.param_named(def.name)).unwrap_or_default()
                } else {
                    mine
                });
            }
            view.len = len;
            return;
        }
        let Some(cur) = cur.filter(|_| ev.code != current || enter.is_some()) else {
            // The common case: a current-layout event without an enter part.
            let mut n = 0;
            for (slot, p) in view.raw.iter_mut().zip(ev.params_raw()) {
                slot.write(p);
                n += 1;
            }
            let len = cur.map_or(n, |c| c.params.len().min(MAX_PARAMS));
            // Parameters the event lacks (an older, shorter layout) are empty.
            for slot in view.raw.get_mut(n..len).unwrap_or_default() {
                slot.write(&[]);
            }
            view.len = len;
            return;
        };
        let mut own: [&'a [u8]; MAX_PARAMS] = [&[]; MAX_PARAMS];
        let mut own_len = 0;
        for p in ev.params_raw().take(MAX_PARAMS) {
            own[own_len] = p;
            own_len += 1;
        }
        let own_def = ev.event_def();
        let len = cur.params.len().min(MAX_PARAMS);
        for (i, slot) in view.raw.iter_mut().enumerate().take(len) {
            let name = cur.params[i].name;
            let j = if ev.code == current {
                Some(i)
            } else {
                own_def.and_then(|d| d.params.iter().position(|p| p.name == name))
            };
            let mine = j.filter(|&j| j < own_len).map_or(&[][..], |j| own[j]);
            slot.write(if mine.is_empty() {
                enter.and_then(|e| e.param_named(name)).unwrap_or_default()
            } else {
                mine
            });
        }
        view.len = len;
    }

    /// The layout the view follows.
    pub fn def(&self) -> Option<&'static EventDef> {
        self.def
    }

    /// Number of parameters of the layout.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the layout has no parameters.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Name of parameter `i` (empty for layouts the table does not know).
    pub fn name(&self, i: usize) -> &'static str {
        self.def.and_then(|d| d.params.get(i)).map_or("", |p| p.name)
    }

    /// Wire type of parameter `i`.
    pub fn ty(&self, i: usize) -> Option<FieldType> {
        self.def.and_then(|d| d.params.get(i)).map(|p| p.ty)
    }

    /// Raw bytes of parameter `i` (empty when missing).
    pub fn raw(&self, i: usize) -> Option<&'a [u8]> {
        // SAFETY: `fill` writes every slot below `len` before it sets `len`.
        (i < self.len).then(|| unsafe { self.raw[i].assume_init() })
    }

    /// Parameter `i`, decoded.
    pub fn get(&self, i: usize) -> Option<Param<'a>> {
        let raw = self.raw(i)?;
        Some(match self.ty(i) {
            Some(ty) => decode(ty, raw),
            None if raw.is_empty() => Param::Empty,
            None => Param::Bytes(raw),
        })
    }

    /// Index of the parameter called `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.def?.params.iter().take(self.len).position(|p| p.name == name)
    }

    /// The parameter called `name`, decoded.
    pub fn by_name(&self, name: &str) -> Option<Param<'a>> {
        self.get(self.index(name)?)
    }

    /// Parameter `i` as a signed integer (None when missing or not numeric).
    pub fn int(&self, i: usize) -> Option<i64> {
        int_of(self.ty(i), self.raw(i)?)
    }

    /// Parameter `i` as an unsigned integer (negative values wrap, as in C).
    pub fn uint(&self, i: usize) -> Option<u64> {
        self.int(i).map(|v| v as u64)
    }

    /// Parameter `i` as a (lossily decoded) string; None when missing or empty.
    pub fn text(&self, i: usize) -> Option<std::borrow::Cow<'a, str>> {
        match self.get(i)? {
            Param::Str(b) | Param::Bytes(b) if !b.is_empty() => Some(String::from_utf8_lossy(b)),
            _ => None,
        }
    }

    /// Whether parameter `i` is missing or empty.
    pub fn is_empty_at(&self, i: usize) -> bool {
        self.raw(i).is_none_or(<[u8]>::is_empty)
    }
}

/// A parameter of type `ty` as a signed integer: what `decode(ty, raw).as_i64()`
/// gives, with the common widths read directly (state tracking reads several
/// integers per event).
fn int_of(ty: Option<FieldType>, raw: &[u8]) -> Option<i64> {
    use FieldType as T;
    let ty = ty?;
    match (ty, raw.len()) {
        (T::Int64 | T::Errno | T::Fd | T::Pid, 8) => Some(i64::from_le_bytes(raw.try_into().ok()?)),
        (T::Uint64 | T::Reltime | T::Abstime, 8) => Some(u64::from_le_bytes(raw.try_into().ok()?) as i64),
        (T::Int32 | T::Fd32 | T::Pid32, 4) => Some(i32::from_le_bytes(raw.try_into().ok()?).into()),
        (T::Uint32 | T::Flags32 | T::EnumFlags32 | T::Uid | T::Gid | T::Mode | T::Sigset, 4) => {
            Some(u32::from_le_bytes(raw.try_into().ok()?).into())
        }
        _ => decode(ty, raw).as_i64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn int_fast_path_agrees(raw in proptest::collection::vec(any::<u8>(), 0..10), which in any::<usize>()) {
            // Every parameter type that occurs in the event table.
            let types: Vec<FieldType> = EVENTS.iter().flat_map(|e| e.params.iter().map(|p| p.ty)).collect();
            let ty = types[which % types.len()];
            prop_assert_eq!(int_of(Some(ty), &raw), decode(ty, &raw).as_i64());
        }
    }
}
