//! The reference interpreter: evaluates an IR condition against field values supplied
//! by a [`FieldSource`]. A field without a value makes every check on it false except
//! `exists` (which is false too, so `not … exists` is true), as in libsinsp.

use super::cache::SlotView;
use super::{glob, transform};
use crate::ir::{Cmp, CmpOp, Cond, Const, ConstSet, FieldId, FieldSpec, Operand, Rhs};
use crate::sema::catalog;
use crate::syntax::condition::ast::Modifier;
use std::net::IpAddr;

/// A field value as extracted from an event.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Int(i128),
    Double(f64),
    Bool(bool),
    Ip(IpAddr),
    Bytes(Vec<u8>),
    List(Vec<Value>),
}

impl Value {
    /// The value as text (as a transformer or output sees it).
    pub fn to_text(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            Value::Double(d) => d.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Ip(ip) => ip.to_string(),
            Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Value::List(xs) => xs.iter().map(Value::to_text).collect::<Vec<_>>().join(","),
        }
    }
}

/// Supplies field values for the event being evaluated.
pub trait FieldSource {
    /// The value of `spec` (numbered `id` in the program); `None` when the event has none.
    fn field(&self, id: FieldId, spec: &FieldSpec) -> Option<Value>;

    /// Store the value in `slot` and say whether there is one. A source that can
    /// borrow its strings overrides this to copy them into the slot's existing
    /// buffer: a cache that keeps its slots across events then allocates nothing.
    fn field_into(&self, id: FieldId, spec: &FieldSpec, slot: &mut Value) -> bool {
        match self.field(id, spec) {
            Some(v) => {
                *slot = v;
                true
            }
            None => false,
        }
    }

    /// The value of `spec` lent without copying, for sources that keep it in their
    /// state: `None` when this source has no such path for the field (callers use
    /// [`FieldSource::field_into`]), `Some(None)` when the event has no value. What
    /// it lends must equal what `field_into` stores.
    fn lend(&self, _id: FieldId, _spec: &FieldSpec) -> Option<Option<Lent<'_>>> {
        None
    }

    /// [`FieldSource::lend`] written straight into the view native code reads (kind,
    /// bytes, number; the caller stamps the generation): whether the source lent it.
    /// Sources override it only to save building the intermediate value.
    fn lend_view(&self, id: FieldId, spec: &FieldSpec, view: &mut SlotView) -> bool {
        view.take_lent(self.lend(id, spec))
    }

    /// The addresses of an address field (`fd.ip`, `fd.snet`...) written into `out`
    /// without building a value: how many (0: none on this event; 2: both ends of a
    /// connection, which match as several values do), or `None` when the value is not
    /// one or two addresses. Sources override it to skip the value altogether.
    fn lend_ips(&self, id: FieldId, spec: &FieldSpec, out: &mut [IpAddr; 2]) -> Option<usize> {
        ips_of(self.field(id, spec), out)
    }
}

/// [`FieldSource::lend_ips`] from the field's value.
pub fn ips_of(value: Option<Value>, out: &mut [IpAddr; 2]) -> Option<usize> {
    match value {
        None => Some(0),
        Some(Value::Ip(a)) => {
            out[0] = a;
            Some(1)
        }
        Some(Value::List(xs)) => match xs.as_slice() {
            [Value::Ip(a), Value::Ip(b)] => {
                *out = [*a, *b];
                Some(2)
            }
            _ => None,
        },
        Some(_) => None,
    }
}

/// The verdict of `c` (a field against constants) on an address field given by its
/// addresses, as [`FieldSource::lend_ips`] lends them: what the general comparison gives
/// on the value they stand for (one address, or the two ends as several values), without
/// building that value in the common cases.
pub fn ips_against_consts(c: &Cmp, ips: &[IpAddr]) -> bool {
    match ips {
        [] => false,
        [a] => against_consts(c, None, &Value::Ip(*a)),
        many => {
            let any = |f: &dyn Fn(&Value) -> bool| many.iter().any(|a| f(&Value::Ip(*a)));
            match &c.rhs {
                _ if c.op == CmpOp::Exists => true,
                // The arms of `against_consts` for several values.
                Rhs::Const(k) if c.op == CmpOp::Ne => !any(&|v| eq(v, k)),
                Rhs::Const(k) => any(&|v| compare(v, c.op, k)),
                Rhs::Set(set) if matches!(c.op, CmpOp::In | CmpOp::Intersects) => any(&|v| member(v, set)),
                _ => against_consts(c, None, &Value::List(many.iter().map(|a| Value::Ip(*a)).collect())),
            }
        }
    }
}

/// A field value lent for the current event without building a [`Value`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lent<'s> {
    /// A string borrowed from the source's state.
    Str(&'s str),
    Int(i64),
    Bool(bool),
}

/// Store `text` in `slot`, reusing the slot's string buffer when it has one.
pub fn set_str(slot: &mut Value, text: &str) {
    match slot {
        Value::Str(buf) => {
            buf.clear();
            buf.push_str(text);
        }
        other => *other = Value::Str(text.to_owned()),
    }
}

/// Borrowed access to the field values of the event being evaluated: what the
/// evaluator reads through. A per-event cache ([`super::cache::Cached`]) lends
/// its slots; [`Direct`] extracts on every read.
pub trait Fields {
    /// The value of `spec` (numbered `id` in the program); `None` when the event has none.
    fn get(&mut self, id: FieldId, spec: &FieldSpec) -> Option<&Value>;

    /// The result of memoised comparison `slot` on this event, if known.
    fn recall(&mut self, _slot: u32) -> Option<bool> {
        None
    }

    /// Record the result of memoised comparison `slot` for this event.
    fn remember(&mut self, _slot: u32, _result: bool) {}
}

/// A [`FieldSource`] read without a cache.
pub struct Direct<'a> {
    src: &'a dyn FieldSource,
    last: Option<Value>,
}

impl<'a> Direct<'a> {
    pub fn new(src: &'a dyn FieldSource) -> Direct<'a> {
        Direct { src, last: None }
    }
}

impl Fields for Direct<'_> {
    fn get(&mut self, id: FieldId, spec: &FieldSpec) -> Option<&Value> {
        self.last = self.src.field(id, spec);
        self.last.as_ref()
    }
}

/// Evaluate `cond` with the program's field table `fields`.
pub fn eval(cond: &Cond, fields: &[FieldSpec], src: &dyn FieldSource) -> bool {
    eval_fields(cond, fields, &mut Direct::new(src))
}

/// Evaluate `cond`, reading field values through `acc` (monomorphised per accessor,
/// so a cache's lookups inline into the comparisons).
pub fn eval_fields<A: Fields + ?Sized>(cond: &Cond, fields: &[FieldSpec], acc: &mut A) -> bool {
    match cond {
        Cond::And(xs) => xs.iter().all(|x| eval_fields(x, fields, acc)),
        Cond::Or(xs) => xs.iter().any(|x| eval_fields(x, fields, acc)),
        Cond::Not(x) => !eval_fields(x, fields, acc),
        Cond::Const(b) => *b,
        Cond::Cmp(c) => match c.memo {
            None => cmp(c, fields, acc),
            Some(slot) => {
                if let Some(known) = acc.recall(slot) {
                    return known;
                }
                let result = cmp(c, fields, acc);
                acc.remember(slot, result);
                result
            }
        },
    }
}

/// The value of an operand (field, transformer, constant) for the current event.
pub fn operand(o: &Operand, fields: &[FieldSpec], src: &dyn FieldSource) -> Option<Value> {
    operand_of(o, fields, &mut Direct::new(src))
}

fn operand_of<A: Fields + ?Sized>(o: &Operand, fields: &[FieldSpec], acc: &mut A) -> Option<Value> {
    match o {
        Operand::Field(id) => acc.get(*id, fields.get(id.0 as usize)?).cloned(),
        Operand::Const(c) => Some(const_value(c)),
        Operand::List(xs) => Some(Value::List(
            xs.iter().filter_map(|x| operand_of(x, fields, acc)).collect(),
        )),
        Operand::Transform { kind, args, key } => {
            let vals = args.iter().map(|a| operand_of(a, fields, acc)).collect();
            transform::apply(*kind, vals, key.as_deref())
        }
    }
}

fn const_value(c: &Const) -> Value {
    match c {
        Const::Str(s) => Value::Str(s.clone()),
        Const::Int(n) => Value::Int(*n),
        Const::Double(d) => Value::Double(*d),
        Const::Bool(b) => Value::Bool(*b),
        Const::Ip { addr, .. } => Value::Ip(*addr),
        Const::Bytes(b) => Value::Bytes(b.clone()),
        Const::Regex(r) => Value::Str(r.as_str().to_string()),
    }
}

/// A value on the right of a field-to-field comparison, as a constant.
fn value_const(v: &Value) -> Option<Const> {
    Some(match v {
        Value::Str(s) => Const::Str(s.clone()),
        Value::Int(n) => Const::Int(*n),
        Value::Double(d) => Const::Double(*d),
        Value::Bool(b) => Const::Bool(*b),
        Value::Ip(ip) => Const::Ip {
            addr: *ip,
            prefix: None,
        },
        Value::Bytes(b) => Const::Bytes(b.clone()),
        Value::List(xs) => return xs.first().and_then(value_const),
    })
}

/// Evaluate one comparison.
pub fn eval_cmp(c: &Cmp, fields: &[FieldSpec], src: &dyn FieldSource) -> bool {
    cmp(c, fields, &mut Direct::new(src))
}

/// Evaluate one comparison, reading fields through `acc`.
pub fn eval_cmp_fields<A: Fields + ?Sized>(c: &Cmp, fields: &[FieldSpec], acc: &mut A) -> bool {
    cmp(c, fields, acc)
}

fn cmp<A: Fields + ?Sized>(c: &Cmp, fields: &[FieldSpec], acc: &mut A) -> bool {
    match (&c.lhs, &c.rhs) {
        // The common case: a field against constants. Borrow the value.
        (Operand::Field(id), rhs) if !matches!(rhs, Rhs::Operand(_)) => {
            let Some(spec) = fields.get(id.0 as usize) else {
                return false;
            };
            acc.get(*id, spec).is_some_and(|lhs| against_consts(c, Some(spec), lhs))
        }
        _ => {
            let Some(lhs) = operand_of(&c.lhs, fields, acc) else {
                return false;
            };
            if let Rhs::Operand(o) = &c.rhs {
                if c.op == CmpOp::Exists {
                    return true;
                }
                let Some(rv) = operand_of(o, fields, acc) else {
                    return false;
                };
                if let Value::List(rs) = &rv {
                    // Both sides are lists (the loader allows no other mix): the right
                    // one's values are the set, as constants would be.
                    let set = ConstSet::new(rs.iter().filter_map(value_const).collect());
                    return set_op(&lhs, c.op, &set);
                }
                let Some(k) = value_const(&rv) else { return false };
                return scalar_or_any(&lhs, |v| compare(v, c.op, &k));
            }
            // A transformer's list result is a list value (the fields that stand for
            // several values at once take no transformer).
            against_consts(c, None, &lhs)
        }
    }
}

/// A present left-hand value against the constant right-hand side.
fn against_consts(c: &Cmp, spec: Option<&FieldSpec>, lhs: &Value) -> bool {
    if c.op == CmpOp::Exists {
        return true;
    }
    let list_field = spec.is_none_or(|s| s.list);
    // Two kinds of multi-valued left-hand sides: list fields (`fd.types`), where `in`
    // means every value is in the set; and fields that stand for several values at
    // once (`proc.aname` without a level, `fd.ip` for both ends), which match when any
    // value does. `!=` differs between them in libsinsp: both ends of a connection must
    // differ (`compare_ip`), while one ancestor that differs is enough (`compare_full_*`).
    let multi = matches!(lhs, Value::List(_));
    match &c.rhs {
        Rhs::None | Rhs::Operand(_) => false,
        Rhs::Const(k) if c.op == CmpOp::Ne && multi && !spec.is_some_and(|s| catalog::is_ancestry(s.name)) => {
            !scalar_or_any(lhs, |v| eq(v, k))
        }
        Rhs::Const(k) => scalar_or_any(lhs, |v| compare(v, c.op, k)),
        Rhs::Set(set) if multi && !list_field && matches!(c.op, CmpOp::In | CmpOp::Intersects) => {
            scalar_or_any(lhs, |v| member(v, set))
        }
        Rhs::Set(set) => set_op(lhs, c.op, set),
        Rhs::Modified(m, set) => {
            let test = |k: &Const| scalar_or_any(lhs, |v| compare(v, c.op, k));
            match m {
                Modifier::OneOf | Modifier::AnyOf => set.iter().any(test),
                Modifier::AllOf => !set.is_empty() && set.iter().all(test),
            }
        }
    }
}

/// Multi-valued left-hand sides match when any value does.
fn scalar_or_any(v: &Value, f: impl Fn(&Value) -> bool) -> bool {
    match v {
        Value::List(xs) => xs.iter().any(f),
        v => f(v),
    }
}

/// Is `v` equal to one of the set's constants?
fn member(v: &Value, set: &ConstSet) -> bool {
    match (v, &set.strings) {
        (Value::Str(s), Some(strings)) => strings.contains(s),
        _ => set.items.iter().any(|k| eq(v, k)),
    }
}

fn set_op(lhs: &Value, op: CmpOp, set: &ConstSet) -> bool {
    let member = |v: &Value| member(v, set);
    match op {
        CmpOp::In => match lhs {
            // Every value in the set: libsinsp loops over the values, so an empty list (an
            // fd event of a thread with no descriptor) is in any set.
            Value::List(xs) => xs.iter().all(member),
            v => member(v),
        },
        CmpOp::Intersects => match lhs {
            Value::List(xs) => xs.iter().any(member),
            v => member(v),
        },
        CmpOp::PMatch => scalar_or_any(lhs, |v| {
            let path = v.to_text();
            set.items
                .iter()
                .any(|k| matches!(k, Const::Str(e) if glob::path_prefix(e, &path)))
        }),
        // String operators with a literal list (exception expansion).
        op => set.items.iter().any(|k| scalar_or_any(lhs, |v| compare(v, op, k))),
    }
}

fn eq(v: &Value, k: &Const) -> bool {
    match (v, k) {
        (Value::Str(a), Const::Str(b)) => a == b,
        (Value::Int(a), Const::Int(b)) => a == b,
        (Value::Double(a), Const::Double(b)) => a == b,
        (Value::Double(a), Const::Int(b)) => *a == *b as f64,
        (Value::Bool(a), Const::Bool(b)) => a == b,
        (Value::Ip(a), Const::Ip { addr, prefix }) => match prefix {
            None => a == addr,
            Some(p) => in_network(*a, *addr, *p),
        },
        (Value::Bytes(a), Const::Bytes(b)) => a == b,
        (Value::Bytes(a), Const::Str(b)) => a == b.as_bytes(),
        (Value::Str(a), Const::Bytes(b)) => a.as_bytes() == b.as_slice(),
        (v, Const::Str(b)) => v.to_text() == *b,
        _ => false,
    }
}

/// Is `ip` inside `net/prefix`? Addresses of different families never are.
pub fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let p = u32::from(prefix.min(32));
            let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let p = u32::from(prefix.min(128));
            let mask = if p == 0 { 0 } else { u128::MAX << (128 - p) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn bytes_of(v: &Value) -> Option<std::borrow::Cow<'_, [u8]>> {
    match v {
        Value::Str(s) => Some(s.as_bytes().into()),
        Value::Bytes(b) => Some(b.as_slice().into()),
        Value::List(_) => None,
        v => Some(v.to_text().into_bytes().into()),
    }
}

fn k_bytes(k: &Const) -> Option<&[u8]> {
    match k {
        Const::Str(s) => Some(s.as_bytes()),
        Const::Bytes(b) => Some(b),
        _ => None,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn compare(v: &Value, op: CmpOp, k: &Const) -> bool {
    use std::cmp::Ordering;
    match op {
        CmpOp::Exists => true,
        CmpOp::Eq => eq(v, k),
        CmpOp::Ne => !eq(v, k),
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
            let ord = match (v, k) {
                (Value::Int(a), Const::Int(b)) => a.cmp(b),
                (Value::Double(a), Const::Double(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
                (Value::Double(a), Const::Int(b)) => a.partial_cmp(&(*b as f64)).unwrap_or(Ordering::Equal),
                (Value::Int(a), Const::Double(b)) => (*a as f64).partial_cmp(b).unwrap_or(Ordering::Equal),
                (Value::Str(a), Const::Str(b)) => a.as_str().cmp(b.as_str()),
                (Value::Str(a), Const::Int(b)) => a.as_str().cmp(b.to_string().as_str()),
                _ => return false,
            };
            match op {
                CmpOp::Lt => ord == Ordering::Less,
                CmpOp::Le => ord != Ordering::Greater,
                CmpOp::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }
        }
        CmpOp::Regex => match (v, k) {
            // libsinsp matches the value with invalid UTF-8 replaced (a process's raw bytes).
            (v, Const::Regex(r)) => r.is_match(&crate::raw_text::to_lossy(&v.to_text())),
            _ => false,
        },
        _ => {
            let (Some(hay), Some(needle)) = (bytes_of(v), k_bytes(k)) else {
                return false;
            };
            match op {
                CmpOp::Contains | CmpOp::BContains => contains(&hay, needle),
                CmpOp::IContains => contains(&hay.to_ascii_lowercase(), &needle.to_ascii_lowercase()),
                CmpOp::StartsWith | CmpOp::BStartsWith => hay.starts_with(needle),
                CmpOp::EndsWith => hay.ends_with(needle),
                CmpOp::Glob => glob::matches(&String::from_utf8_lossy(needle), &String::from_utf8_lossy(&hay)),
                CmpOp::IGlob => glob::matches(
                    &String::from_utf8_lossy(needle).to_ascii_lowercase(),
                    &String::from_utf8_lossy(&hay).to_ascii_lowercase(),
                ),
                CmpOp::In | CmpOp::Intersects => eq(v, k),
                CmpOp::PMatch => glob::path_prefix(&String::from_utf8_lossy(needle), &String::from_utf8_lossy(&hay)),
                _ => false,
            }
        }
    }
}
