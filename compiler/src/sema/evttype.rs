//! The set of event codes a syscall rule can match, computed from its expanded
//! condition as Falco does: `evt.type` checks give sets, `and` intersects, `or`
//! unites, `not` is pushed to the leaves, other checks are neutral.

use super::catalog::{self, EVENT_COUNT};
use crate::syntax::condition::ast::*;

const WORDS: usize = EVENT_COUNT.div_ceil(64);

/// A set of event codes as a bitmap (on the stack: the walk makes one per check).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvtSet([u64; WORDS]);

impl EvtSet {
    pub fn empty() -> EvtSet {
        EvtSet([0; WORDS])
    }

    pub fn all() -> EvtSet {
        let mut words = [!0u64; WORDS];
        if let Some(last) = words.last_mut()
            && !EVENT_COUNT.is_multiple_of(64)
        {
            *last = (1 << (EVENT_COUNT % 64)) - 1;
        }
        EvtSet(words)
    }

    pub fn insert(&mut self, c: u16) {
        if let Some(w) = self.0.get_mut(c as usize / 64) {
            *w |= 1 << (c % 64);
        }
    }

    pub fn contains(&self, c: u16) -> bool {
        self.0.get(c as usize / 64).is_some_and(|w| w & (1 << (c % 64)) != 0)
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn and(mut self, o: &EvtSet) -> EvtSet {
        self.0.iter_mut().zip(&o.0).for_each(|(a, b)| *a &= b);
        self
    }

    fn or(mut self, o: &EvtSet) -> EvtSet {
        self.0.iter_mut().zip(&o.0).for_each(|(a, b)| *a |= b);
        self
    }

    fn complement(mut self) -> EvtSet {
        let all = EvtSet::all();
        self.0.iter_mut().zip(&all.0).for_each(|(a, m)| *a = !*a & m);
        self
    }

    pub fn codes(&self) -> Vec<u16> {
        let mut out = Vec::with_capacity(self.len());
        for (i, &w) in self.0.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                out.push((i * 64) as u16 + w.trailing_zeros() as u16);
                w &= w - 1;
            }
        }
        out
    }

    /// Event names covered, deduplicated, in code order.
    pub fn names(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for c in self.codes() {
            if let Some(e) = catalog::event(c)
                && !out.contains(&e.name)
            {
                out.push(e.name);
            }
        }
        out
    }
}

/// Event codes matched by `e` (macros must already be expanded).
pub fn of(e: &Expr) -> EvtSet {
    walk(e, false)
}

fn walk(e: &Expr, negated: bool) -> EvtSet {
    match e {
        Expr::And(xs, _) | Expr::Or(xs, _) => {
            // De Morgan: under negation `and` becomes `or`.
            let is_and = matches!(e, Expr::And(..)) != negated;
            let mut it = xs.iter().map(|x| walk(x, negated));
            let first = it.next().unwrap_or_else(EvtSet::all);
            it.fold(first, |acc, s| if is_and { acc.and(&s) } else { acc.or(&s) })
        }
        Expr::Not(x, _) => walk(x, !negated),
        Expr::Check(c) => check(c, negated),
        Expr::Macro(_) | Expr::Error(_) => EvtSet::all(),
    }
}

fn names_set(values: &[&str]) -> EvtSet {
    let mut s = EvtSet::empty();
    for v in values {
        for c in catalog::event_codes(v).unwrap_or_default() {
            s.insert(c);
        }
    }
    s
}

fn check(c: &Check, negated: bool) -> EvtSet {
    let Operand::Field(f) = &c.lhs else {
        return EvtSet::all();
    };
    let values: Vec<&str> = match &c.rhs {
        Rhs::Value(v) => vec![v.text.as_str()],
        Rhs::List(vs, _) => vs.iter().map(|v| v.text.as_str()).collect(),
        _ => return EvtSet::all(),
    };
    if f.name == "evt.num" && f.arg.is_none() {
        // `evt.num = 0`, `< 1`, `in (0)`, `in ()` can never match.
        let never = match c.op {
            Op::Eq | Op::EqEq | Op::In => values.iter().all(|v| *v == "0"),
            Op::Lt => values == ["1"],
            _ => false,
        };
        let never = never || (c.op == Op::In && values.is_empty());
        return if never && !negated {
            EvtSet::empty()
        } else {
            EvtSet::all()
        };
    }
    if (f.name != "evt.type" && f.name != "syscall.type") || f.arg.is_some() {
        return EvtSet::all();
    }
    let set = match c.op {
        Op::Eq | Op::EqEq | Op::In => names_set(&values),
        Op::Ne => names_set(&values).complement(),
        _ => return EvtSet::all(),
    };
    if negated { set.complement() } else { set }
}
