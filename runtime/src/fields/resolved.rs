//! Field kinds resolved once per program: the engine numbers its fields, so the
//! extractor of each is looked up when the engine is built instead of by name on
//! every extraction; and the fields the tracker holds as they are printed (names,
//! paths, fd numbers, open flags) are lent to native code without building a value.

use super::{F, FieldCtx, kind};
use falcorc_compiler::eval::{FieldSource, Lent, Value};
use falcorc_compiler::ir::{FieldId, FieldSpec};

/// How one program field is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// Through `field_into` only.
    Extract,
    /// A string borrowed from the state (`FieldCtx::borrowed_str`).
    LendStr,
    /// `fd.num`, `evt.is_open_read`, `evt.is_open_write`: computed without a value.
    LendScalar,
    /// `proc.aname[n]`: an ancestor's name, borrowed.
    LendAncestor(usize),
}

/// The kind of each field of a program, by field id.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    kinds: Vec<Option<(F, Path)>>,
}

impl Resolved {
    pub fn new(fields: &[FieldSpec]) -> Resolved {
        let path = |f: F, spec: &FieldSpec| {
            if let (F::ProcAname, Some(n), None) = (f, &spec.arg, &spec.suffix) {
                return n.parse().map_or(Path::Extract, Path::LendAncestor);
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
                | F::FdNameraw => Path::LendStr,
                F::FdNum | F::EvtIsOpenRead | F::EvtIsOpenWrite => Path::LendScalar,
                _ => Path::Extract,
            }
        };
        Resolved {
            kinds: fields.iter().map(|s| kind(s.name).map(|f| (f, path(f, s)))).collect(),
        }
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
    fn resolve(&self, id: FieldId, spec: &FieldSpec) -> Option<(F, Path)> {
        match self.resolved.kinds.get(id.0 as usize) {
            Some(k) => *k,
            None => kind(spec.name).map(|f| (f, Path::Extract)),
        }
    }

    /// What `fd_field` gives for `fd.num`, and `evt_field` for the open flags.
    fn scalar(&self, f: F) -> Option<Option<Lent<'static>>> {
        const O_RDONLY: u32 = 1;
        const O_WRONLY: u32 = 2;
        let ctx = self.ctx;
        Some(match f {
            F::FdNum => ctx.is_fd_event().then(|| ctx.fd_num().map(Lent::Int)).flatten(),
            F::EvtIsOpenRead | F::EvtIsOpenWrite => {
                let bit = if f == F::EvtIsOpenRead { O_RDONLY } else { O_WRONLY };
                Some(Lent::Bool(ctx.open_flags_fast().is_some_and(|flags| flags & bit != 0)))
            }
            _ => return None,
        })
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
        match self.resolve(id, spec)? {
            (f, Path::LendStr) => self.ctx.lend_str(f).map(|text| text.map(Lent::Str)),
            (f, Path::LendScalar) => self.scalar(f),
            (_, Path::LendAncestor(n)) => Some(self.ctx.lend_ancestor_name(n).map(Lent::Str)),
            (_, Path::Extract) => None,
        }
    }
}
