//! How each comparison is compiled: inline machine code for the shapes rules use
//! most (a scalar field against a string or integer constant, a string set), a call
//! to a specialised helper for substring search, set membership and addresses, and a call to
//! the interpreter's own comparison for everything else (transformers, lists,
//! addresses, regexes, globs, field-to-field), so no operator is ever unsupported.

use crate::eval::cache::kind;
use crate::ir::{Cmp, CmpOp, Const, FieldId, FieldSpec, FnvBuild, Operand, Rhs};
use crate::sema::catalog::FieldType;
use cranelift_codegen::ir::condcodes::IntCC;
use std::collections::HashSet;

/// The compiled form of one comparison.
#[derive(Debug)]
pub(super) enum Plan<'c> {
    /// `field exists`: the slot is present.
    Exists(FieldId),
    /// A string field against one string constant.
    Str { field: FieldId, op: StrOp, text: &'c [u8] },
    /// A string field against a few strings (`in`, `intersects`): compared inline
    /// one by one, shortest first, each behind a length check.
    StrFew { field: FieldId, members: Vec<&'c [u8]> },
    /// A string field against a set of strings (`in`, `intersects`).
    StrSet {
        field: FieldId,
        strings: &'c HashSet<String, FnvBuild>,
    },
    /// An integer (`kind::INT`) or boolean (`kind::BOOL`, 0 or 1) field against a
    /// constant of its kind, compared as signed 64-bit words.
    Scalar {
        field: FieldId,
        kind: u32,
        cc: IntCC,
        value: i64,
    },
    /// An integer field against a set of integers.
    IntSet { field: FieldId, values: Vec<i64> },
    /// An address field (`fd.ip`, `fd.snet`...) against constants: a helper that reads
    /// the addresses without building the field's value.
    Ips,
    /// The interpreter's comparison, called from native code.
    Fallback,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StrOp {
    Eq,
    Ne,
    StartsWith,
    EndsWith,
    Contains,
    /// Case-insensitive: the text is folded to lower case at compile time.
    IContains,
}

/// The plan for `c`. Inline plans apply only to scalar fields; at run time a value
/// of another kind than the plan expects (a list, a wide integer) still goes to the
/// interpreter.
pub(super) fn plan<'c>(c: &'c Cmp, fields: &[FieldSpec]) -> Plan<'c> {
    let Operand::Field(id) = c.lhs else {
        return Plan::Fallback;
    };
    let Some(spec) = fields.get(id.0 as usize) else {
        return Plan::Fallback;
    };
    if spec.list {
        return Plan::Fallback;
    }
    if matches!(spec.ty, FieldType::IpAddr | FieldType::IpNet) && !matches!(c.rhs, Rhs::None | Rhs::Operand(_)) {
        return Plan::Ips;
    }
    let field = id;
    match (&c.rhs, c.op) {
        (Rhs::None, CmpOp::Exists) => Plan::Exists(field),
        (Rhs::Const(Const::Str(k)), op) => {
            let op = match op {
                CmpOp::Eq => StrOp::Eq,
                CmpOp::Ne => StrOp::Ne,
                CmpOp::StartsWith | CmpOp::BStartsWith => StrOp::StartsWith,
                CmpOp::EndsWith => StrOp::EndsWith,
                CmpOp::Contains | CmpOp::BContains => StrOp::Contains,
                CmpOp::IContains => StrOp::IContains,
                _ => return Plan::Fallback,
            };
            Plan::Str {
                field,
                op,
                text: k.as_bytes(),
            }
        }
        (Rhs::Const(Const::Bool(value)), CmpOp::Eq | CmpOp::Ne) => Plan::Scalar {
            field,
            kind: kind::BOOL,
            cc: int_cc(c.op).unwrap_or(IntCC::Equal),
            value: i64::from(*value),
        },
        (Rhs::Const(Const::Int(k)), op) => match (i64::try_from(*k), int_cc(op)) {
            (Ok(value), Some(cc)) => Plan::Scalar {
                field,
                kind: kind::INT,
                cc,
                value,
            },
            _ => Plan::Fallback,
        },
        (Rhs::Set(set), CmpOp::In | CmpOp::Intersects) if !set.items.is_empty() => {
            if let Some(strings) = &set.strings {
                if strings.len() <= FEW_STRINGS {
                    let mut members: Vec<&[u8]> = strings.iter().map(|m| m.as_bytes()).collect();
                    members.sort_unstable_by_key(|m| (m.len(), *m));
                    return Plan::StrFew { field, members };
                }
                return Plan::StrSet { field, strings };
            }
            let ints: Option<Vec<i64>> = set
                .items
                .iter()
                .map(|k| match k {
                    Const::Int(n) => i64::try_from(*n).ok(),
                    _ => None,
                })
                .collect();
            match ints {
                Some(values) if values.len() <= 16 => Plan::IntSet { field, values },
                _ => Plan::Fallback,
            }
        }
        _ => Plan::Fallback,
    }
}

/// Sets of up to this many strings are compared inline: a length check and one or
/// two word compares per member cost less than hashing the value (measured on the
/// stable rules' `sensitive_file_names` and directory sets, docs/PERFORMANCE.md).
const FEW_STRINGS: usize = 8;

/// The signed integer condition of an ordering or equality operator.
fn int_cc(op: CmpOp) -> Option<IntCC> {
    Some(match op {
        CmpOp::Eq => IntCC::Equal,
        CmpOp::Ne => IntCC::NotEqual,
        CmpOp::Lt => IntCC::SignedLessThan,
        CmpOp::Le => IntCC::SignedLessThanOrEqual,
        CmpOp::Gt => IntCC::SignedGreaterThan,
        CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
        _ => return None,
    })
}

impl Plan<'_> {
    /// A rough cost, for putting cheap tests first in `and`/`or`.
    pub(super) fn cost(&self, c: &Cmp) -> u32 {
        match self {
            Plan::Exists(_) => 1,
            Plan::Scalar { .. } => 2,
            Plan::IntSet { values, .. } => 2 + values.len() as u32 / 4,
            Plan::Str { op, text, .. } => match op {
                StrOp::Eq | StrOp::Ne | StrOp::StartsWith | StrOp::EndsWith if text.len() <= 16 => 3,
                StrOp::Eq | StrOp::Ne | StrOp::StartsWith | StrOp::EndsWith => 4,
                StrOp::Contains => 8,
                StrOp::IContains => 12,
            },
            Plan::StrFew { members, .. } => 3 + members.len() as u32 / 2,
            Plan::StrSet { .. } => 5,
            Plan::Ips => 6,
            Plan::Fallback => match c.op {
                CmpOp::Regex | CmpOp::Glob | CmpOp::IGlob | CmpOp::PMatch => 40,
                _ if matches!(c.lhs, Operand::Transform { .. }) => 40,
                _ => 20,
            },
        }
    }

    /// Whether remembering the result across rules costs more than recomputing it.
    pub(super) fn worth_memo(&self) -> bool {
        !matches!(self, Plan::Exists(_) | Plan::Scalar { .. })
    }
}
