//! Field kinds resolved once per program: the engine numbers its fields, so the
//! extractor of each is looked up when the engine is built instead of by name on
//! every extraction.

use super::{F, FieldCtx, kind};
use falcorc_compiler::eval::{FieldSource, Value};
use falcorc_compiler::ir::{FieldId, FieldSpec};

/// The kind of each field of a program, by field id.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    kinds: Vec<Option<F>>,
}

impl Resolved {
    pub fn new(fields: &[FieldSpec]) -> Resolved {
        Resolved {
            kinds: fields.iter().map(|s| kind(s.name)).collect(),
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
    fn kind_of(&self, id: FieldId, spec: &FieldSpec) -> Option<F> {
        match self.resolved.kinds.get(id.0 as usize) {
            Some(k) => *k,
            None => kind(spec.name),
        }
    }
}

impl FieldSource for Bound<'_, '_> {
    fn field(&self, id: FieldId, spec: &FieldSpec) -> Option<Value> {
        self.ctx.value_of(self.kind_of(id, spec)?, spec)
    }

    fn field_into(&self, id: FieldId, spec: &FieldSpec, slot: &mut Value) -> bool {
        self.kind_of(id, spec).is_some_and(|f| self.ctx.extract(f, spec, slot))
    }
}
