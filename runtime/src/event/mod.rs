//! The event model: one syscall or meta event as the runtime sees it.
//!
//! An [`Event`] is a small `Copy` view: header fields plus the raw parameter
//! lengths and data, borrowed from whatever buffer the event came from (the
//! capture reader's block buffer, a ring buffer). Parameters are decoded on
//! demand with the type the event table gives them, so unread parameters
//! cost nothing.
//!
//! Old captures contain older layouts of some events. For a given event code
//! newer layouts only ever append parameters, so an old record simply has
//! fewer of them; accessors by index or name treat a missing parameter like
//! an absent one (`None`).

mod lists;
mod net;
mod param;
mod record;
mod syscalls;
mod table;

use falcorc_compiler::sema::catalog::events::{Dir, EventDef};

pub use lists::{FdList, StrList};
pub use net::{AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, SockAddr, SockTuple};
pub use param::{Param, decode, fixed_width};
pub use record::{EventError, EventErrorKind, HEADER_LEN_V1, HEADER_LEN_V2, parse_record};
pub(crate) use record::{RecordLayout, parse_layout, parse_v2_fast};
pub use syscalls::{SYSCALL_NAMES, syscall_code, syscall_name};
pub use table::{GENERIC_E, GENERIC_X, event_def, has_large_payload};

/// `bytes` as text, invalid UTF-8 replaced: `String::from_utf8_lossy` with the
/// validation first, which checks ASCII a word at a time where the lossy decoder goes
/// byte by byte (paths and names are almost always valid).
#[inline]
pub fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// One event, borrowing its parameter bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// Sequence number, 1-based (`evt.num`).
    pub num: u64,
    /// Timestamp, ns since the epoch.
    pub ts: u64,
    /// Thread that produced the event.
    pub tid: u64,
    /// Event type code (index into the event table).
    pub code: u16,
    /// CPU the event was recorded on.
    pub cpu: u16,
    /// Block flags (EVF blocks only; 0 otherwise).
    pub flags: u32,
    /// Parameter lengths, `nparams` × u16 (× u32 when `wide`), little-endian.
    lens: &'a [u8],
    wide: bool,
    /// Parameter values, concatenated; exactly as long as the lengths add up to.
    data: &'a [u8],
}

impl<'a> Event<'a> {
    /// Number of parameters present.
    pub fn nparams(&self) -> usize {
        self.lens.len() / self.len_width()
    }

    fn len_width(&self) -> usize {
        if self.wide { 4 } else { 2 }
    }

    fn param_len(&self, i: usize) -> usize {
        let at = i * self.len_width();
        if self.wide {
            u32::from_le_bytes([self.lens[at], self.lens[at + 1], self.lens[at + 2], self.lens[at + 3]]) as usize
        } else {
            usize::from(u16::from_le_bytes([self.lens[at], self.lens[at + 1]]))
        }
    }

    /// Raw bytes of parameter `i`.
    pub fn param_raw(&self, i: usize) -> Option<&'a [u8]> {
        if i >= self.nparams() {
            return None;
        }
        let start: usize = (0..i).map(|j| self.param_len(j)).sum();
        self.data.get(start..start + self.param_len(i))
    }

    /// Raw bytes of every parameter, in order.
    pub fn params_raw(&self) -> ParamsRaw<'a> {
        ParamsRaw {
            lens: self.lens,
            width: self.len_width(),
            data: self.data,
        }
    }

    /// Parameter `i`, decoded with the type the event table gives it.
    /// Parameters the table does not describe decode as [`Param::Bytes`].
    pub fn param(&self, i: usize) -> Option<Param<'a>> {
        let raw = self.param_raw(i)?;
        Some(match self.event_def().and_then(|d| d.params.get(i)) {
            Some(def) => decode(def.ty, raw),
            None if raw.is_empty() => Param::Empty,
            None => Param::Bytes(raw),
        })
    }

    /// Index of the parameter called `name` in this event's layout.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.event_def()?.params.iter().position(|p| p.name == name)
    }

    /// The parameter called `name`, if this event has it.
    pub fn param_by_name(&self, name: &str) -> Option<Param<'a>> {
        self.param(self.param_index(name)?)
    }

    /// The event table entry for this event's code.
    pub fn event_def(&self) -> Option<&'static EventDef> {
        event_def(self.code)
    }

    /// The event name from the table (`syscall` for generic events; see
    /// [`Event::type_name`]), or `unknown` for codes outside the table.
    pub fn name(&self) -> &'static str {
        self.event_def().map_or("unknown", |d| d.name)
    }

    /// Direction; codes outside the table follow the even = enter convention.
    pub fn dir(&self) -> Dir {
        match self.event_def() {
            Some(d) => d.dir,
            None if self.code.is_multiple_of(2) => Dir::Enter,
            None => Dir::Exit,
        }
    }

    /// Whether this is a generic `syscall` event (codes 0 and 1).
    pub fn is_generic(&self) -> bool {
        matches!(self.code, GENERIC_E | GENERIC_X)
    }

    /// The portable syscall code of a generic event (its `ID` parameter).
    pub fn syscall_id(&self) -> Option<u16> {
        if !self.is_generic() {
            return None;
        }
        match self.param(0)? {
            Param::SyscallId(id) => Some(id),
            _ => None,
        }
    }

    /// The syscall name of a generic event (e.g. `madvise`).
    pub fn syscall_name(&self) -> Option<&'static str> {
        syscall_name(self.syscall_id()?)
    }

    /// What `evt.type` shows: the syscall name for generic events, the
    /// event name otherwise.
    pub fn type_name(&self) -> &'static str {
        self.syscall_name().unwrap_or_else(|| self.name())
    }

    /// Whether parameter lengths are u32 (large-payload events).
    pub fn has_wide_lengths(&self) -> bool {
        self.wide
    }

    /// Total size of the parameter values.
    pub fn data_len(&self) -> usize {
        self.data.len()
    }

    /// Copies the event into an [`OwnedEvent`].
    pub fn to_owned_event(&self) -> OwnedEvent {
        OwnedEvent {
            num: self.num,
            ts: self.ts,
            tid: self.tid,
            code: self.code,
            cpu: self.cpu,
            flags: self.flags,
            params: self.params_raw().map(<[u8]>::to_vec).collect(),
        }
    }
}

/// The iterator of [`Event::params_raw`]. It walks the lengths and splits the data as it
/// goes: every event's parameters are split once per event by the state tracker, and
/// indexing by position (with its bounds checks and running sum) cost several times more.
#[derive(Clone, Debug)]
pub struct ParamsRaw<'a> {
    lens: &'a [u8],
    width: usize,
    data: &'a [u8],
}

impl<'a> Iterator for ParamsRaw<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = match (self.width, self.lens) {
            (2, [a, b, rest @ ..]) => (usize::from(u16::from_le_bytes([*a, *b])), rest),
            (4, [a, b, c, d, rest @ ..]) => (u32::from_le_bytes([*a, *b, *c, *d]) as usize, rest),
            _ => return None,
        };
        self.lens = rest;
        // Lengths past the data (never for a parsed record, whose lengths add up
        // to its data) give empty parameters.
        Some(match self.data.split_at_checked(len) {
            Some((head, tail)) => {
                self.data = tail;
                head
            }
            None => {
                self.data = &[];
                &[]
            }
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.lens.len() / self.width;
        (n, Some(n))
    }
}

impl ExactSizeIterator for ParamsRaw<'_> {}

/// An event that owns its parameters (for buffering, tests and building
/// events by hand).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnedEvent {
    /// Sequence number.
    pub num: u64,
    /// Timestamp, ns since the epoch.
    pub ts: u64,
    /// Thread id.
    pub tid: u64,
    /// Event type code.
    pub code: u16,
    /// CPU.
    pub cpu: u16,
    /// Block flags.
    pub flags: u32,
    /// Raw parameter values.
    pub params: Vec<Vec<u8>>,
}

impl OwnedEvent {
    /// Serialises the event as a v2 record (`ppm_evt_hdr` with parameter
    /// count, lengths, data), the layout drivers produce. Fails if a
    /// parameter is too long for the event type's length width.
    pub fn to_record(&self) -> Result<Vec<u8>, String> {
        let params: Vec<&[u8]> = self.params.iter().map(Vec::as_slice).collect();
        encode_record(self.ts, self.tid, self.code, &params)
    }
}

/// Serialises a v2 event record from its parts.
pub fn encode_record(ts: u64, tid: u64, code: u16, params: &[&[u8]]) -> Result<Vec<u8>, String> {
    let wide = has_large_payload(code);
    let width = if wide { 4 } else { 2 };
    let data: usize = params.iter().map(|p| p.len()).sum();
    let len = HEADER_LEN_V2 + width * params.len() + data;
    let len32 = u32::try_from(len).map_err(|_| format!("event of {len} bytes is too long"))?;
    let nparams = u32::try_from(params.len()).map_err(|_| "too many parameters".to_string())?;
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&ts.to_le_bytes());
    out.extend_from_slice(&tid.to_le_bytes());
    out.extend_from_slice(&len32.to_le_bytes());
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&nparams.to_le_bytes());
    for (i, p) in params.iter().enumerate() {
        if wide {
            let n = u32::try_from(p.len()).map_err(|_| format!("parameter {i} is too long"))?;
            out.extend_from_slice(&n.to_le_bytes());
        } else {
            let n = u16::try_from(p.len())
                .map_err(|_| format!("parameter {i} of event type {code} is {} bytes, over 65535", p.len()))?;
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    for p in params {
        out.extend_from_slice(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(code: u16, params: &[&[u8]]) -> Vec<u8> {
        encode_record(1_000, 42, code, params).unwrap()
    }

    #[test]
    fn v2_record_round_trip() {
        let fd = 3i64.to_le_bytes();
        let flags = 1u32.to_le_bytes();
        let mode = 0u32.to_le_bytes();
        let raw = record(2, &[b"/etc/passwd\0", &flags, &mode]);
        let (ev, len) = parse_record(&raw, true).unwrap();
        assert_eq!(len, raw.len());
        assert_eq!((ev.ts, ev.tid, ev.code, ev.nparams()), (1_000, 42, 2, 3));
        assert_eq!(ev.name(), "open");
        assert_eq!(ev.dir(), Dir::Enter);
        assert_eq!(ev.param_by_name("name"), Some(Param::Str(b"/etc/passwd")));
        assert_eq!(ev.param_by_name("flags"), Some(Param::Flags32(1)));
        assert_eq!(ev.param_by_name("fd"), None);
        assert_eq!(ev.param(3), None);
        let raw = record(3, &[&fd]);
        let (ev, _) = parse_record(&raw, true).unwrap();
        assert_eq!(ev.param(0), Some(Param::Fd(3)));
        // Older layout: the exit carries only `fd`, so `name` is absent.
        assert_eq!(ev.param_by_name("name"), None);
    }

    #[test]
    fn generic_event_resolves_syscall() {
        let raw = record(1, &[&139u16.to_le_bytes(), &28u16.to_le_bytes()]);
        let (ev, _) = parse_record(&raw, true).unwrap();
        assert!(ev.is_generic());
        assert_eq!(ev.name(), "syscall");
        assert_eq!(ev.syscall_name(), Some("madvise"));
        assert_eq!(ev.type_name(), "madvise");
    }

    #[test]
    fn v1_record_infers_count() {
        // open exit (code 3) with 4 of its 6 parameters, v1 header.
        let v2 = record(
            3,
            &[
                &5i64.to_le_bytes(),
                b"/tmp/x\0",
                &1u32.to_le_bytes(),
                &0u32.to_le_bytes(),
            ],
        );
        let mut v1 = v2[..22].to_vec();
        v1.extend_from_slice(&v2[26..]);
        let len = (v1.len() as u32).to_le_bytes();
        v1[16..20].copy_from_slice(&len);
        let (ev, _) = parse_record(&v1, false).unwrap();
        assert_eq!(ev.nparams(), 4);
        assert_eq!(ev.param_by_name("name"), Some(Param::Str(b"/tmp/x")));
    }

    #[test]
    fn v1_notification_length_slack() {
        // Old notification events (280) claim 3 bytes more than they hold.
        let v2 = record(280, &[b"id\0", b"desc\0"]);
        let mut v1 = v2[..22].to_vec();
        v1.extend_from_slice(&v2[26..]);
        let len = (v1.len() as u32 + 3).to_le_bytes();
        v1[16..20].copy_from_slice(&len);
        v1.extend([0, 0, 0]);
        let (ev, _) = parse_record(&v1, false).unwrap();
        assert_eq!(ev.nparams(), 2);
        assert_eq!(ev.param_by_name("desc"), Some(Param::Str(b"desc")));
    }

    #[test]
    fn bad_records_are_errors() {
        let raw = record(3, &[&5i64.to_le_bytes()]);
        assert!(parse_record(&raw[..20], true).is_err());
        let mut bad = raw.clone();
        bad[26] = 9; // length of param 0 no longer matches the data
        assert!(parse_record(&bad, true).is_err());
        let mut bad = raw.clone();
        bad[22..26].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse_record(&bad, true).is_err());
        let mut v1 = raw[..22].to_vec();
        v1[20..22].copy_from_slice(&60_000u16.to_le_bytes());
        v1[16..20].copy_from_slice(&22u32.to_le_bytes());
        let err = parse_record(&v1, false).unwrap_err();
        assert_eq!(err.kind, EventErrorKind::UnknownType(60_000));
    }

    #[test]
    fn owned_event_round_trip() {
        let raw = record(5, &[&0i64.to_le_bytes(), &3i64.to_le_bytes()]);
        let (ev, _) = parse_record(&raw, true).unwrap();
        let owned = ev.to_owned_event();
        assert_eq!(owned.to_record().unwrap(), raw);
    }
}
