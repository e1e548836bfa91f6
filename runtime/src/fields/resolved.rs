//! Field kinds resolved once per program: the engine numbers its fields, so the
//! extractor of each is looked up when the engine is built instead of by name on
//! every extraction; and the fields the tracker holds as they are printed (names,
//! paths, fd numbers, open flags) are lent to native code without building a value.

use super::{F, FieldCtx, kind};
use falcorc_compiler::eval::cache::SlotView;
use falcorc_compiler::eval::interp::ips_of;
use falcorc_compiler::eval::{FieldSource, Lent, Value};
use falcorc_compiler::ir::{FieldId, FieldSpec};
use std::net::IpAddr;

/// How one program field is read: through the general extractors, or lent
/// straight from the event and the state (one arm per field, no name dispatch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// Through `field_into` only.
    Extract,
    /// A string kept as printed (`FieldCtx::lend_str`): process names and paths,
    /// `container.id`, `evt.type`, the `fd.*` names.
    Str(F),
    FdNum,
    /// `evt.is_open_read` / `evt.is_open_write`: the flag bit tested.
    OpenFlag(u32),
    /// `proc.aname[n]`: an ancestor's name.
    Ancestor(usize),
}

/// Writes one field's lent value into a slot view; `false`: not lent on this event
/// (the general extraction decides). One function per field kind, chosen when the
/// engine is built, so native code's fill reaches the field's own code through one
/// indirect call instead of matching the path and then the field on every event.
type LendFn = for<'c, 'a> fn(&'c FieldCtx<'a>, &mut SlotView) -> bool;

/// The kind of each field of a program, by field id.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    kinds: Vec<Option<(F, Path)>>,
    lenders: Vec<Option<LendFn>>,
}

/// The lender of a string field `F` (the same arms as `FieldCtx::lend_str`, with the
/// field fixed at compile time).
fn lend_str_as<const K: u8>(ctx: &FieldCtx<'_>, view: &mut SlotView) -> bool {
    view.take_lent(ctx.lend_str(str_field(K)).map(|t| t.map(Lent::Str)))
}

/// The string fields with a lender of their own, numbered for `lend_str_as`.
const STR_FIELDS: [F; 11] = [
    F::ProcName,
    F::ProcExe,
    F::ProcExepath,
    F::ProcPname,
    F::ContainerId,
    F::EvtType,
    F::FdName,
    F::FdTypechar,
    F::FdDirectory,
    F::FdFilename,
    F::FdNameraw,
];

#[inline(always)]
const fn str_field(k: u8) -> F {
    STR_FIELDS[k as usize]
}

fn str_lender(f: F) -> Option<LendFn> {
    let k = STR_FIELDS.iter().position(|&g| g == f)?;
    const TABLE: [LendFn; 11] = [
        lend_str_as::<0>,
        lend_str_as::<1>,
        lend_str_as::<2>,
        lend_str_as::<3>,
        lend_str_as::<4>,
        lend_str_as::<5>,
        lend_str_as::<6>,
        lend_str_as::<7>,
        lend_str_as::<8>,
        lend_str_as::<9>,
        lend_str_as::<10>,
    ];
    Some(TABLE[k])
}

#[inline(always)]
fn lend_fd_num(ctx: &FieldCtx<'_>, view: &mut SlotView) -> bool {
    view.set_lent(ctx.is_fd_event().then(|| ctx.fd_num().map(Lent::Int)).flatten());
    true
}

#[inline(always)]
fn lend_open_flag<const BIT: u32>(ctx: &FieldCtx<'_>, view: &mut SlotView) -> bool {
    view.set_lent(Some(Lent::Bool(
        ctx.open_event_flags().is_some_and(|flags| flags & BIT != 0),
    )));
    true
}

/// A field described before native code runs ([`Resolved::ahead`]): one arm per
/// field, each the arm of `FieldCtx::lend_str` or of the lender above with the field
/// fixed, so the loop over a code's fields is a jump table, not a call per field.
/// Kept apart from the lender table of the lazy path: one enum serving both (its
/// whole match in `lend_view`, or a table of functions over it) measured 2–4 % more
/// instructions in rule evaluation (docs/PERFORMANCE.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ahead {
    ProcName,
    ProcExe,
    ProcExepath,
    ContainerId,
    FdName,
    FdTypechar,
    /// A scan of the name for its last `/`, but the stable rules read it on nearly
    /// every open of a file: a lazy fill costs more than the scan.
    FdDirectory,
    FdNum,
    OpenRead,
    OpenWrite,
}

impl Ahead {
    /// Describe the field in `view`; `false`: not lent (the general path decides).
    #[inline(always)]
    pub(crate) fn lend(self, ctx: &FieldCtx<'_>, view: &mut SlotView) -> bool {
        let s = |f: F, view: &mut SlotView| view.take_lent(ctx.lend_str(f).map(|t| t.map(Lent::Str)));
        match self {
            Ahead::ProcName => s(F::ProcName, view),
            Ahead::ProcExe => s(F::ProcExe, view),
            Ahead::ProcExepath => s(F::ProcExepath, view),
            Ahead::ContainerId => s(F::ContainerId, view),
            Ahead::FdName => s(F::FdName, view),
            Ahead::FdTypechar => s(F::FdTypechar, view),
            Ahead::FdDirectory => s(F::FdDirectory, view),
            Ahead::FdNum => lend_fd_num(ctx, view),
            Ahead::OpenRead => lend_open_flag::<O_RDONLY>(ctx, view),
            Ahead::OpenWrite => lend_open_flag::<O_WRONLY>(ctx, view),
        }
    }
}

impl Path {
    /// The field's own lender, where one function serves every field of the kind.
    fn lender(self) -> Option<LendFn> {
        match self {
            Path::Str(f) => str_lender(f),
            Path::FdNum => Some(lend_fd_num),
            Path::OpenFlag(O_RDONLY) => Some(lend_open_flag::<O_RDONLY>),
            Path::OpenFlag(O_WRONLY) => Some(lend_open_flag::<O_WRONLY>),
            Path::OpenFlag(_) | Path::Extract | Path::Ancestor(_) => None,
        }
    }
}

const O_RDONLY: u32 = 1;
const O_WRONLY: u32 = 2;

impl Resolved {
    pub fn new(fields: &[FieldSpec]) -> Resolved {
        let path = |f: F, spec: &FieldSpec| {
            if let (F::ProcAname, Some(n), None) = (f, &spec.arg, &spec.suffix) {
                return n.parse().map_or(Path::Extract, Path::Ancestor);
            }
            if spec.suffix.is_some() || spec.arg.is_some() {
                return Path::Extract;
            }
            match f {
                F::ProcName
                | F::ProcExe
                | F::ProcExepath
                | F::ProcPname
                | F::ContainerId
                | F::EvtType
                | F::FdName
                | F::FdTypechar
                | F::FdDirectory
                | F::FdFilename
                | F::FdNameraw => Path::Str(f),
                F::FdNum => Path::FdNum,
                F::EvtIsOpenRead => Path::OpenFlag(O_RDONLY),
                F::EvtIsOpenWrite => Path::OpenFlag(O_WRONLY),
                _ => Path::Extract,
            }
        };
        let kinds: Vec<Option<(F, Path)>> = fields.iter().map(|s| kind(s.name).map(|f| (f, path(f, s)))).collect();
        let lenders = kinds.iter().map(|k| k.and_then(|(_, p)| p.lender())).collect();
        Resolved { kinds, lenders }
    }

    /// How field `id` is described ahead of native code, when that costs a few loads
    /// (a string the thread or fd entry holds as printed, the fd number, an open
    /// flag, a file's directory): worth doing for every event of a code whose native
    /// code reads the field. The rest stay lazy: a table lookup (the parent's name,
    /// ancestors), a value built, or fields the stable rules read on few events of
    /// the code (`fd.filename`, `fd.nameraw`: measured, docs/PERFORMANCE.md).
    pub(crate) fn ahead(&self, id: FieldId) -> Option<Ahead> {
        Some(match (*self.kinds.get(id.0 as usize)?)?.1 {
            Path::Str(F::ProcName) => Ahead::ProcName,
            Path::Str(F::ProcExe) => Ahead::ProcExe,
            Path::Str(F::ProcExepath) => Ahead::ProcExepath,
            Path::Str(F::ContainerId) => Ahead::ContainerId,
            Path::Str(F::FdName) => Ahead::FdName,
            Path::Str(F::FdTypechar) => Ahead::FdTypechar,
            Path::Str(F::FdDirectory) => Ahead::FdDirectory,
            Path::FdNum => Ahead::FdNum,
            Path::OpenFlag(O_RDONLY) => Ahead::OpenRead,
            Path::OpenFlag(O_WRONLY) => Ahead::OpenWrite,
            _ => return None,
        })
    }

    /// What the engine writes into field `id`'s view before native code runs, when the
    /// field is described ahead (`None` when it is not): whether it lent a value.
    /// Must agree with [`FieldSource::lend_view`] (tests hold it to that).
    pub fn lend_ahead(&self, ctx: &FieldCtx<'_>, id: FieldId, view: &mut SlotView) -> Option<bool> {
        self.ahead(id).map(|how| how.lend(ctx, view))
    }

    /// The event's fields, read through the resolved kinds.
    pub fn bind<'c, 'a>(&'c self, ctx: &'c FieldCtx<'a>) -> Bound<'c, 'a> {
        Bound { ctx, resolved: self }
    }
}

/// A [`FieldCtx`] whose program field ids come with their kinds; ids outside the
/// program (output fields) are looked up by name as before.
pub struct Bound<'c, 'a> {
    ctx: &'c FieldCtx<'a>,
    resolved: &'c Resolved,
}

impl Bound<'_, '_> {
    #[inline]
    fn resolve(&self, id: FieldId, spec: &FieldSpec) -> Option<(F, Path)> {
        match self.resolved.kinds.get(id.0 as usize) {
            Some(k) => *k,
            None => kind(spec.name).map(|f| (f, Path::Extract)),
        }
    }
}

impl FieldSource for Bound<'_, '_> {
    fn field(&self, id: FieldId, spec: &FieldSpec) -> Option<Value> {
        self.ctx.value_of(self.resolve(id, spec)?.0, spec)
    }

    fn field_into(&self, id: FieldId, spec: &FieldSpec, slot: &mut Value) -> bool {
        self.resolve(id, spec)
            .is_some_and(|(f, _)| self.ctx.extract(f, spec, slot))
    }

    fn lend(&self, id: FieldId, spec: &FieldSpec) -> Option<Option<Lent<'_>>> {
        self.lent(id, spec)
    }

    fn lend_ips(&self, id: FieldId, spec: &FieldSpec, out: &mut [IpAddr; 2]) -> Option<usize> {
        match self.resolve(id, spec) {
            Some((f, _)) if spec.arg.is_none() && spec.suffix.is_none() => self.ctx.lend_ips(f, out),
            _ => None,
        }
        .or_else(|| ips_of(self.field(id, spec), out))
    }

    fn lend_view(&self, id: FieldId, spec: &FieldSpec, view: &mut SlotView) -> bool {
        if let Some(Some(lend)) = self.resolved.lenders.get(id.0 as usize) {
            return lend(self.ctx, view);
        }
        // The same arms as `lend`, inlined so the value goes straight into the view.
        view.take_lent(self.lent(id, spec))
    }
}

impl Bound<'_, '_> {
    #[inline(always)]
    fn lent(&self, id: FieldId, spec: &FieldSpec) -> Option<Option<Lent<'_>>> {
        let ctx = self.ctx;
        match self.resolve(id, spec)?.1 {
            Path::Extract => None,
            Path::Str(f) => ctx.lend_str(f).map(|text| text.map(Lent::Str)),
            // What `fd_field` gives for `fd.num`.
            Path::FdNum => Some(ctx.is_fd_event().then(|| ctx.fd_num().map(Lent::Int)).flatten()),
            Path::OpenFlag(bit) => Some(Some(Lent::Bool(
                ctx.open_event_flags().is_some_and(|flags| flags & bit != 0),
            ))),
            Path::Ancestor(n) => Some(ctx.lend_ancestor_name(n).map(Lent::Str)),
        }
    }
}
