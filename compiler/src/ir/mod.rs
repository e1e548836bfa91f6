//! The typed IR: what back ends (the reference interpreter, the runtime, the JIT)
//! consume. Fields are resolved and numbered once per program, constants are typed by
//! the field they are compared with, regexes are compiled and lists are flattened.

mod lower;

pub use lower::{lower, lower_condition, lower_operand, typed_const};

use crate::sema::catalog::FieldType;
use crate::sema::items::Priority;
use crate::sema::output::OutputPart;
use crate::syntax::condition::ast::{Modifier, TransformerKind};
use std::net::IpAddr;
use std::sync::Arc;

/// Index into [`Program::fields`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u32);

/// One distinct field reference (name + suffix + argument) used by the program.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    /// Catalogue name (`evt.arg`, `proc.aname`).
    pub name: &'static str,
    /// Dotted suffix without the dot (`flags` of `evt.arg.flags`).
    pub suffix: Option<String>,
    /// Bracket argument (`2` of `proc.aname[2]`).
    pub arg: Option<String>,
    pub ty: FieldType,
    /// Multi-valued (e.g. `fd.types`, `proc.aname` without argument in filters).
    pub list: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub fields: Vec<FieldSpec>,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub name: String,
    pub priority: Priority,
    pub source: String,
    pub enabled: bool,
    pub tags: Vec<String>,
    /// Event codes the rule can match; `None` for non-syscall sources.
    pub evttypes: Option<Vec<u16>>,
    pub cond: Cond,
    pub output: Vec<OutputPart>,
}

/// Rules indexed by event code: each bucket holds `(rule index, condition)` pairs in
/// the order they are evaluated; a condition is shared by the buckets of every event
/// code it was specialised for alike.
pub type Buckets = Vec<Vec<(u32, Arc<Cond>)>>;

#[derive(Clone, Debug)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Const(bool),
    Cmp(Box<Cmp>),
}

impl Cond {
    /// Every comparison of the condition, in order.
    pub fn each_cmp<'a>(&'a self, f: &mut impl FnMut(&'a Cmp)) {
        match self {
            Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| c.each_cmp(f)),
            Cond::Not(c) => c.each_cmp(f),
            Cond::Const(_) => {}
            Cond::Cmp(cmp) => f(cmp),
        }
    }
}

impl Cmp {
    /// Every field the comparison reads, on either side and inside transformers.
    pub fn each_field(&self, f: &mut impl FnMut(FieldId)) {
        self.lhs.each_field(f);
        if let Rhs::Operand(o) = &self.rhs {
            o.each_field(f);
        }
    }
}

impl Operand {
    /// Every field the operand reads, inside transformers and lists included.
    pub fn each_field(&self, f: &mut impl FnMut(FieldId)) {
        match self {
            Operand::Field(id) => f(*id),
            Operand::Transform { args, .. } | Operand::List(args) => args.iter().for_each(|a| a.each_field(f)),
            Operand::Const(_) => {}
        }
    }
}

#[derive(Clone, Debug)]
pub struct Cmp {
    pub lhs: Operand,
    pub op: CmpOp,
    pub rhs: Rhs,
    /// Slot of this comparison's result in a per-event memo: a back end that sees the
    /// same comparison in several rules (through a shared macro) numbers it so that
    /// it is evaluated once per event. `None` from lowering.
    pub memo: Option<u32>,
}

/// Comparison operators after desugaring (`==` is `Eq`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Exists,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    IContains,
    BContains,
    StartsWith,
    BStartsWith,
    EndsWith,
    Glob,
    IGlob,
    Regex,
    In,
    Intersects,
    PMatch,
}

#[derive(Clone, Debug)]
pub enum Operand {
    Field(FieldId),
    /// A transformer applied to its arguments; `key` is a trailing `[arg]` (getopt).
    Transform {
        kind: TransformerKind,
        args: Vec<Operand>,
        key: Option<String>,
    },
    Const(Const),
    List(Vec<Operand>),
}

#[derive(Clone, Debug)]
pub enum Rhs {
    None,
    Const(Const),
    /// The values of `in`, `intersects` and `pmatch`.
    Set(ConstSet),
    /// `op oneof/anyof/allof (…)`.
    Modified(Modifier, Vec<Const>),
    /// Field-to-field comparison.
    Operand(Operand),
}

/// The constants of a list, with a hash set for fast membership when they are all
/// strings (rules often test one value against dozens of names). Shared, not copied,
/// when a condition is cloned: a back end specialises each rule once per event type,
/// and every copy tests the same lists.
#[derive(Clone, Debug)]
pub struct ConstSet {
    pub items: Arc<[Const]>,
    pub strings: Option<Arc<std::collections::HashSet<String, FnvBuild>>>,
}

pub use crate::hash::{Fnv, FnvBuild};

impl ConstSet {
    pub fn new(items: Vec<Const>) -> ConstSet {
        let strings = items
            .iter()
            .map(|c| if let Const::Str(s) = c { Some(s.clone()) } else { None })
            .collect::<Option<_>>()
            .map(Arc::new);
        ConstSet {
            items: items.into(),
            strings,
        }
    }
}

/// A constant, typed by what it is compared with.
#[derive(Clone, Debug)]
pub enum Const {
    Str(String),
    Int(i128),
    Double(f64),
    Bool(bool),
    /// An address, or a network when `prefix` is set.
    Ip {
        addr: IpAddr,
        prefix: Option<u8>,
    },
    Bytes(Vec<u8>),
    Regex(Box<regex::Regex>),
}
