//! Comparisons shared by several rules of one event-code bucket (macros such as
//! `open_read` or `sensitive_files` put the same tests in many rules) get a memo
//! slot, so each is evaluated once per event; the first rule to reach it pays.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use falcorc_compiler::ir::{Cmp, Cond, Const, Operand, Rhs};

/// Numbers the comparisons that occur more than once in a bucket; returns the
/// number of memo slots used. Buckets refer to `conds` by position, and one condition
/// serves every bucket whose event codes share its facts, so a comparison gets one
/// slot wherever it occurs: sound, since equal comparisons give equal results on one
/// event and an event only ever runs one bucket (a slot in a bucket where the test
/// occurs once only costs the memo's check).
pub(super) fn number_shared(buckets: &[Vec<(u32, usize)>], conds: &mut [Cond]) -> usize {
    // Identities in visiting order, per condition (hashing big sets is the expensive
    // part: once per condition, not once per bucket).
    let mut ids: Vec<Option<Vec<u128>>> = vec![None; conds.len()];
    let mut shared: HashSet<u128> = HashSet::new();
    for bucket in buckets.iter().filter(|b| b.len() > 1) {
        let mut counts: HashMap<u128, usize> = HashMap::new();
        for &(_, id) in bucket {
            for &k in ids[id].get_or_insert_with(|| identities(&conds[id])).iter() {
                *counts.entry(k).or_default() += 1;
            }
        }
        shared.extend(counts.into_iter().filter(|(_, n)| *n > 1).map(|(k, _)| k));
    }
    let mut slots: HashMap<u128, u32> = HashMap::new();
    for id in 0..conds.len() {
        let Some(order) = ids[id].take() else { continue };
        let mut order = order.into_iter();
        visit(&mut conds[id], &mut |c| {
            let Some(k) = order.next() else { return };
            if shared.contains(&k) {
                let next = slots.len() as u32;
                c.memo = Some(*slots.entry(k).or_insert(next));
            }
        });
    }
    slots.len()
}

/// Structural identity of a whole bucket (rule indices and condition trees, memo
/// slots aside): buckets with equal identities evaluate the same way on any event.
#[cfg(feature = "jit")]
pub(super) fn bucket_identity(bucket: &[(u32, Arc<Cond>)]) -> u128 {
    hash128(|h| {
        h.write_usize(bucket.len());
        for (rule, cond) in bucket {
            h.write_u32(*rule);
            feed_cond(cond, h);
        }
    })
}

/// 128 bits from two independently keyed hashes of what `feed` writes.
fn hash128(feed: impl Fn(&mut DefaultHasher)) -> u128 {
    let mut a = DefaultHasher::new();
    let mut b = DefaultHasher::new();
    b.write_u8(0x5a);
    feed(&mut a);
    feed(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

#[cfg(feature = "jit")]
fn feed_cond(c: &Cond, h: &mut impl Hasher) {
    match c {
        Cond::And(xs) | Cond::Or(xs) => {
            h.write_u8(if matches!(c, Cond::And(_)) { 0 } else { 1 });
            h.write_usize(xs.len());
            xs.iter().for_each(|x| feed_cond(x, h));
        }
        Cond::Not(x) => {
            h.write_u8(2);
            feed_cond(x, h);
        }
        Cond::Const(v) => {
            h.write_u8(3);
            v.hash(h);
        }
        Cond::Cmp(c) => {
            h.write_u8(4);
            feed_cmp(c, h);
        }
    }
}

/// Structural identity of a comparison (field ids, operator, constants with a set's
/// items in order): 128 bits from two independently keyed hashes, so distinct
/// comparisons never share a slot in practice (a collision needs ~2^64 of them).
fn identity(c: &Cmp) -> u128 {
    hash128(|h| feed_cmp(c, h))
}

fn feed_cmp(c: &Cmp, h: &mut impl Hasher) {
    feed_operand(&c.lhs, h);
    c.op.hash(h);
    match &c.rhs {
        Rhs::None => h.write_u8(0),
        Rhs::Const(k) => {
            h.write_u8(1);
            feed_const(k, h);
        }
        Rhs::Set(set) => {
            h.write_u8(2);
            feed_consts(&set.items, h);
        }
        Rhs::Modified(m, items) => {
            h.write_u8(3);
            m.hash(h);
            feed_consts(items, h);
        }
        Rhs::Operand(o) => {
            h.write_u8(4);
            feed_operand(o, h);
        }
    }
}

fn feed_operand(o: &Operand, h: &mut impl Hasher) {
    match o {
        Operand::Field(id) => {
            h.write_u8(0);
            h.write_u32(id.0);
        }
        Operand::Transform { kind, args, key } => {
            h.write_u8(1);
            kind.hash(h);
            key.hash(h);
            h.write_usize(args.len());
            args.iter().for_each(|a| feed_operand(a, h));
        }
        Operand::Const(k) => {
            h.write_u8(2);
            feed_const(k, h);
        }
        Operand::List(xs) => {
            h.write_u8(3);
            h.write_usize(xs.len());
            xs.iter().for_each(|x| feed_operand(x, h));
        }
    }
}

fn feed_consts(items: &[Const], h: &mut impl Hasher) {
    h.write_usize(items.len());
    items.iter().for_each(|k| feed_const(k, h));
}

fn feed_const(k: &Const, h: &mut impl Hasher) {
    match k {
        Const::Str(s) => {
            h.write_u8(0);
            s.hash(h);
        }
        Const::Int(n) => {
            h.write_u8(1);
            n.hash(h);
        }
        Const::Double(d) => {
            h.write_u8(2);
            h.write_u64(d.to_bits());
        }
        Const::Bool(b) => {
            h.write_u8(3);
            b.hash(h);
        }
        Const::Ip { addr, prefix } => {
            h.write_u8(4);
            addr.hash(h);
            prefix.hash(h);
        }
        Const::Bytes(b) => {
            h.write_u8(5);
            b.hash(h);
        }
        Const::Regex(r) => {
            h.write_u8(6);
            r.as_str().hash(h);
        }
    }
}

/// The identities of `cond`'s comparisons, in the order [`visit`] meets them.
fn identities(cond: &Cond) -> Vec<u128> {
    let mut v = Vec::new();
    cond.each_cmp(&mut |c| v.push(identity(c)));
    v
}

fn visit(cond: &mut Cond, f: &mut impl FnMut(&mut Cmp)) {
    match cond {
        Cond::And(xs) | Cond::Or(xs) => xs.iter_mut().for_each(|x| visit(x, f)),
        Cond::Not(x) => visit(x, f),
        Cond::Const(_) => {}
        Cond::Cmp(c) => f(c),
    }
}
