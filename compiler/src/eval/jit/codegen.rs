//! Cranelift code for one event-code bucket: every rule of the bucket in load order,
//! each condition as branches (`and`/`or` short-circuit), each comparison as planned
//! in [`super::plan`]. Fields are read from the shared cache's slots, filled on first
//! use in the event; shared comparisons go through the cache's memo slots.

use super::helpers::{self, CTX_GENERATION, CTX_MEMO, CTX_SLOTS};
use super::plan::{Plan, StrOp, plan};
use crate::eval::cache::{Slot, SlotView, kind};
use crate::ir::{Cmp, Cond, FieldId, FieldSpec};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{AbiParam, Block, InstBuilder, MemFlagsData, SigRef, Signature, Value, types};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::FunctionBuilder;
use std::mem::{offset_of, size_of};
use std::sync::Arc;

const I64: types::Type = types::I64;
const I32: types::Type = types::I32;

const SLOT_SIZE: i64 = size_of::<Slot>() as i64;
const VIEW: i32 = offset_of!(Slot, view) as i32;
const GEN: i32 = VIEW + offset_of!(SlotView, generation) as i32;
const KIND: i32 = VIEW + offset_of!(SlotView, kind) as i32;
const PTR: i32 = VIEW + offset_of!(SlotView, ptr) as i32;
const LEN: i32 = VIEW + offset_of!(SlotView, len) as i32;
const INT: i32 = VIEW + offset_of!(SlotView, int) as i32;

/// Data that compiled code points to and that must live as long as it. Each item
/// is boxed so its address survives the vector growing.
#[derive(Default)]
#[allow(clippy::vec_box)]
pub(super) struct Keep {
    pub substrings: Vec<Box<helpers::Substring>>,
    pub folded: Vec<Box<Vec<u8>>>,
}

/// Counts of how comparisons were compiled.
#[derive(Clone, Copy, Debug, Default)]
pub struct CodeStats {
    /// Comparisons compiled to inline machine code.
    pub inline: usize,
    /// Comparisons that call a specialised helper (substring search, set lookup,
    /// addresses).
    pub helper: usize,
    /// Comparisons that call the interpreter.
    pub fallback: usize,
    /// `or`s with two or more substring/prefix/suffix tests of one field: the shape a
    /// multi-pattern automaton would replace (counted to decide whether one pays).
    pub multi_pattern_ors: usize,
    /// The most such tests in one of them.
    pub multi_pattern_max: usize,
}

#[derive(Clone, Copy)]
pub(super) struct Options {
    /// Stop after the first matching rule.
    pub first: bool,
    /// Put cheap tests first in `and`/`or`.
    pub reorder: bool,
    /// Emit an ill-typed instruction for this rule (tests the fallback path).
    pub poison_rule: Option<u32>,
}

/// Helper signatures imported into the function.
struct Sigs {
    fill: SigRef,
    fallback: SigRef,
    emit: SigRef,
    /// (ptr, ptr, len) -> u32: bytes_eq, in_set, contains, icontains.
    three: SigRef,
}

pub(super) struct Gen<'f, 'p> {
    b: FunctionBuilder<'f>,
    ctx: Value,
    slots: Value,
    memo: Value,
    generation: Value,
    sigs: Sigs,
    fields: &'p [FieldSpec],
    keep: &'p mut Keep,
    stats: &'p mut CodeStats,
    opts: Options,
    /// Fields whose slots the code reads, in the order of their first read.
    reads: Vec<FieldId>,
}

/// The signature of a compiled bucket: `fn(ctx: *mut Ctx)`.
pub(super) fn bucket_signature(call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(I64));
    sig
}

fn signature(call_conv: CallConv, params: &[types::Type], ret: Option<types::Type>) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.extend(params.iter().map(|t| AbiParam::new(*t)));
    sig.returns.extend(ret.map(AbiParam::new));
    sig
}

fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Loads from a string's bytes: in bounds (lengths are checked first) but unaligned.
fn bytes() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

impl<'f, 'p> Gen<'f, 'p> {
    /// Emit the bucket `rules` into the function `b` builds.
    pub(super) fn bucket(
        mut b: FunctionBuilder<'f>,
        call_conv: CallConv,
        rules: &[(u32, Arc<Cond>)],
        fields: &'p [FieldSpec],
        keep: &'p mut Keep,
        stats: &'p mut CodeStats,
        opts: Options,
    ) -> (FunctionBuilder<'f>, Vec<FieldId>) {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let ctx = b.block_params(entry)[0];
        let slots = b.ins().load(I64, trusted(), ctx, CTX_SLOTS);
        let memo = b.ins().load(I64, trusted(), ctx, CTX_MEMO);
        let generation = b.ins().load(I32, trusted(), ctx, CTX_GENERATION);
        let sigs = Sigs {
            fill: b.import_signature(signature(call_conv, &[I64, I32], None)),
            fallback: b.import_signature(signature(call_conv, &[I64, I64], Some(I32))),
            emit: b.import_signature(signature(call_conv, &[I64, I32], None)),
            three: b.import_signature(signature(call_conv, &[I64, I64, I64], Some(I32))),
        };
        let mut g = Gen {
            b,
            ctx,
            slots,
            memo,
            generation,
            sigs,
            fields,
            keep,
            stats,
            opts,
            reads: Vec::new(),
        };
        for (rule, cond) in rules {
            let matched = g.b.create_block();
            let next = g.b.create_block();
            if g.opts.poison_rule == Some(*rule) {
                // Adding an i32 to an i64 is ill-typed: the verifier rejects it.
                g.b.ins().iadd(g.generation, g.slots);
            }
            g.cond(cond, matched, next);
            g.b.switch_to_block(matched);
            let rule_v = g.b.ins().iconst(I32, i64::from(*rule));
            g.call(g.sigs.emit, helpers::emit as *const () as usize, &[g.ctx, rule_v]);
            if g.opts.first {
                g.b.ins().return_(&[]);
            } else {
                g.b.ins().jump(next, &[]);
            }
            g.b.switch_to_block(next);
        }
        g.b.ins().return_(&[]);
        g.b.seal_all_blocks();
        (g.b, g.reads)
    }

    fn call(&mut self, sig: SigRef, addr: usize, args: &[Value]) -> Option<Value> {
        let callee = self.b.ins().iconst(I64, addr as i64);
        let inst = self.b.ins().call_indirect(sig, callee, args);
        self.b.inst_results(inst).first().copied()
    }

    fn branch(&mut self, cond: Value, t: Block, f: Block) {
        self.b.ins().brif(cond, t, &[], f, &[]);
    }

    /// Branch to `t` when `c` holds on the event, else to `f`.
    fn cond(&mut self, c: &Cond, t: Block, f: Block) {
        match c {
            Cond::Const(true) => {
                self.b.ins().jump(t, &[]);
            }
            Cond::Const(false) => {
                self.b.ins().jump(f, &[]);
            }
            Cond::Not(x) => self.cond(x, f, t),
            Cond::And(xs) | Cond::Or(xs) => {
                let is_and = matches!(c, Cond::And(_));
                if !is_and {
                    self.count_multi_pattern(xs);
                }
                let order = self.order(xs);
                let last = order.len().saturating_sub(1);
                for (i, x) in order.into_iter().enumerate() {
                    if i == last {
                        self.cond(x, t, f);
                    } else {
                        let next = self.b.create_block();
                        if is_and {
                            self.cond(x, next, f);
                        } else {
                            self.cond(x, t, next);
                        }
                        self.b.switch_to_block(next);
                    }
                }
                if xs.is_empty() {
                    self.b.ins().jump(if is_and { t } else { f }, &[]);
                }
            }
            Cond::Cmp(cmp) => self.cmp(cmp, t, f),
        }
    }

    /// The operands of an `and`/`or`, cheapest first when reordering is on (conditions
    /// have no side effects and a missing value is just false, so order is free).
    fn order<'c>(&self, xs: &'c [Cond]) -> Vec<&'c Cond> {
        let mut v: Vec<&Cond> = xs.iter().collect();
        if self.opts.reorder {
            v.sort_by_key(|x| cost(x, self.fields));
        }
        v
    }

    fn count_multi_pattern(&mut self, xs: &[Cond]) {
        let mut per_field: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
        for x in xs {
            if let Cond::Cmp(c) = x
                && let Plan::Str { field, op, .. } = plan(c, self.fields)
                && matches!(op, StrOp::Contains | StrOp::StartsWith | StrOp::EndsWith)
            {
                *per_field.entry(field.0).or_default() += 1;
            }
        }
        for n in per_field.into_values().filter(|n| *n >= 2) {
            self.stats.multi_pattern_ors += 1;
            self.stats.multi_pattern_max = self.stats.multi_pattern_max.max(n);
        }
    }

    fn cmp(&mut self, c: &Cmp, t: Block, f: Block) {
        let p = plan(c, self.fields);
        let Some(slot) = c.memo.filter(|_| p.worth_memo()) else {
            return self.plan(c, &p, t, f);
        };
        let addr = self.b.ins().iadd_imm_s(self.memo, i64::from(slot) * 8);
        let seen = self.b.ins().load(I32, trusted(), addr, 0);
        let known = self.b.ins().icmp(IntCC::Equal, seen, self.generation);
        let (hit, miss) = (self.b.create_block(), self.b.create_block());
        self.branch(known, hit, miss);
        self.b.switch_to_block(hit);
        let r = self.b.ins().load(I32, trusted(), addr, 4);
        self.branch(r, t, f);
        self.b.switch_to_block(miss);
        let (st, sf) = (self.b.create_block(), self.b.create_block());
        self.plan(c, &p, st, sf);
        for (block, result, target) in [(st, 1, t), (sf, 0, f)] {
            self.b.switch_to_block(block);
            let r = self.b.ins().iconst(I32, result);
            self.b.ins().store(trusted(), self.generation, addr, 0);
            self.b.ins().store(trusted(), r, addr, 4);
            self.b.ins().jump(target, &[]);
        }
    }

    fn fallback(&mut self, c: &Cmp, t: Block, f: Block) {
        self.cmp_helper(helpers::fallback as *const () as usize, c, t, f);
    }

    /// A call of `helper(ctx, cmp)` (the signature of `helpers::fallback`), branching on
    /// its verdict.
    fn cmp_helper(&mut self, helper: usize, c: &Cmp, t: Block, f: Block) {
        let cmp = self.b.ins().iconst(I64, c as *const Cmp as i64);
        let r = self.call(self.sigs.fallback, helper, &[self.ctx, cmp]);
        if let Some(r) = r {
            self.branch(r, t, f);
        }
    }

    /// The address of field `id`'s slot, filled for this event, and its kind.
    fn field(&mut self, id: FieldId) -> (Value, Value) {
        if !self.reads.contains(&id) {
            self.reads.push(id);
        }
        let addr = self.b.ins().iadd_imm_s(self.slots, i64::from(id.0) * SLOT_SIZE);
        let seen = self.b.ins().load(I32, trusted(), addr, GEN);
        let stale = self.b.ins().icmp(IntCC::NotEqual, seen, self.generation);
        let (fill, ready) = (self.b.create_block(), self.b.create_block());
        self.branch(stale, fill, ready);
        self.b.switch_to_block(fill);
        let idv = self.b.ins().iconst(I32, i64::from(id.0));
        self.call(self.sigs.fill, helpers::fill as *const () as usize, &[self.ctx, idv]);
        self.b.ins().jump(ready, &[]);
        self.b.switch_to_block(ready);
        let k = self.b.ins().load(I32, trusted(), addr, KIND);
        (addr, k)
    }

    /// Continue in a new block when the slot holds `want`; a missing value is false
    /// and any other kind goes to the interpreter.
    fn expect_kind(&mut self, c: &Cmp, k: Value, want: u32, t: Block, f: Block) {
        let (ok, other, odd) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let is = self.b.ins().icmp_imm_u(IntCC::Equal, k, i64::from(want));
        self.branch(is, ok, other);
        self.b.switch_to_block(other);
        let absent = self.b.ins().icmp_imm_u(IntCC::Equal, k, i64::from(kind::ABSENT));
        self.branch(absent, f, odd);
        self.b.switch_to_block(odd);
        self.fallback(c, t, f);
        self.b.switch_to_block(ok);
    }

    fn plan(&mut self, c: &Cmp, p: &Plan<'_>, t: Block, f: Block) {
        match *p {
            Plan::Fallback => {
                self.stats.fallback += 1;
                self.fallback(c, t, f);
            }
            Plan::Ips => {
                self.stats.helper += 1;
                self.cmp_helper(helpers::ips as *const () as usize, c, t, f);
            }
            Plan::Exists(id) => {
                self.stats.inline += 1;
                let (_, k) = self.field(id);
                let present = self.b.ins().icmp_imm_u(IntCC::NotEqual, k, i64::from(kind::ABSENT));
                self.branch(present, t, f);
            }
            Plan::Scalar { field, kind, cc, value } => {
                self.stats.inline += 1;
                let (addr, k) = self.field(field);
                self.expect_kind(c, k, kind, t, f);
                let v = self.b.ins().load(I64, trusted(), addr, INT);
                let r = self.b.ins().icmp_imm_s(cc, v, value);
                self.branch(r, t, f);
            }
            Plan::IntSet { field, ref values } => {
                self.stats.inline += 1;
                let (addr, k) = self.field(field);
                self.expect_kind(c, k, kind::INT, t, f);
                let v = self.b.ins().load(I64, trusted(), addr, INT);
                let mut any = self.b.ins().iconst(types::I8, 0);
                for n in values {
                    let e = self.b.ins().icmp_imm_s(IntCC::Equal, v, *n);
                    any = self.b.ins().bor(any, e);
                }
                self.branch(any, t, f);
            }
            Plan::Str { field, op, text } => {
                match op {
                    StrOp::Contains | StrOp::IContains => self.stats.helper += 1,
                    _ if text.len() > 16 => self.stats.helper += 1,
                    _ => self.stats.inline += 1,
                }
                let (addr, k) = self.field(field);
                self.expect_kind(c, k, kind::STR, t, f);
                let ptr = self.b.ins().load(I64, trusted(), addr, PTR);
                let len = self.b.ins().load(I64, trusted(), addr, LEN);
                let n = text.len() as i64;
                match op {
                    StrOp::Eq | StrOp::Ne => {
                        let (yes, no) = if op == StrOp::Eq { (t, f) } else { (f, t) };
                        let same_len = self.b.ins().icmp_imm_u(IntCC::Equal, len, n);
                        let body = self.b.create_block();
                        self.branch(same_len, body, no);
                        self.b.switch_to_block(body);
                        let r = self.bytes_equal(ptr, text);
                        self.branch(r, yes, no);
                    }
                    StrOp::StartsWith | StrOp::EndsWith => {
                        let long_enough = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, len, n);
                        let body = self.b.create_block();
                        self.branch(long_enough, body, f);
                        self.b.switch_to_block(body);
                        let at = if op == StrOp::StartsWith {
                            ptr
                        } else {
                            let end = self.b.ins().iadd(ptr, len);
                            self.b.ins().iadd_imm_s(end, -n)
                        };
                        let r = self.bytes_equal(at, text);
                        self.branch(r, t, f);
                    }
                    StrOp::Contains => {
                        let sub = Box::new(helpers::Substring::new(text));
                        let fp = self.b.ins().iconst(I64, &*sub as *const helpers::Substring as i64);
                        let rare = sub.rare();
                        self.keep.substrings.push(sub);
                        let call = self.b.create_block();
                        if (1..=16).contains(&text.len()) {
                            self.contains_inline(ptr, len, text, rare, call, t, f);
                        } else {
                            self.b.ins().jump(call, &[]);
                        }
                        self.b.switch_to_block(call);
                        let r = self.call(
                            self.sigs.three,
                            helpers::contains as *const () as usize,
                            &[fp, ptr, len],
                        );
                        self.branch_on(r, t, f);
                    }
                    StrOp::IContains => {
                        let folded = Box::new(text.to_ascii_lowercase());
                        let np = self.b.ins().iconst(I64, &*folded as *const Vec<u8> as i64);
                        self.keep.folded.push(folded);
                        let r = self.call(
                            self.sigs.three,
                            helpers::icontains as *const () as usize,
                            &[np, ptr, len],
                        );
                        self.branch_on(r, t, f);
                    }
                }
            }
            Plan::StrFew { field, ref members } => {
                self.stats.inline += 1;
                let (addr, k) = self.field(field);
                self.expect_kind(c, k, kind::STR, t, f);
                let ptr = self.b.ins().load(I64, trusted(), addr, PTR);
                let len = self.b.ins().load(I64, trusted(), addr, LEN);
                for m in members {
                    let (body, next) = (self.b.create_block(), self.b.create_block());
                    let same_len = self.b.ins().icmp_imm_u(IntCC::Equal, len, m.len() as i64);
                    self.branch(same_len, body, next);
                    self.b.switch_to_block(body);
                    let r = self.bytes_equal(ptr, m);
                    self.branch(r, t, next);
                    self.b.switch_to_block(next);
                }
                self.b.ins().jump(f, &[]);
            }
            Plan::StrSet { field, strings } => {
                self.stats.helper += 1;
                let (addr, k) = self.field(field);
                self.expect_kind(c, k, kind::STR, t, f);
                let ptr = self.b.ins().load(I64, trusted(), addr, PTR);
                let len = self.b.ins().load(I64, trusted(), addr, LEN);
                // Reject by length before hashing: bit n of the mask is set when some
                // member is n bytes long (63: 63 or longer).
                let mut mask = 0u64;
                for s in strings {
                    mask |= 1 << s.len().min(63);
                }
                let cap = self.b.ins().iconst(I64, 63);
                let shift = self.b.ins().umin(len, cap);
                let m = self.b.ins().iconst(I64, mask as i64);
                let bit = self.b.ins().ushr(m, shift);
                let bit = self.b.ins().band_imm_u(bit, 1);
                let body = self.b.create_block();
                self.branch(bit, body, f);
                self.b.switch_to_block(body);
                let sp = self.b.ins().iconst(I64, strings as *const _ as i64);
                let r = self.call(self.sigs.three, helpers::in_set as *const () as usize, &[sp, ptr, len]);
                self.branch_on(r, t, f);
            }
        }
    }

    /// `contains` of a needle of 1 to 16 bytes, inline, as `helpers::Substring`
    /// searches a short haystack: eight candidate starts at a time, a word of the
    /// haystack compared with the needle's rare byte in every lane, each flagged
    /// lane checked with [`Gen::bytes_equal`]; the last word ends at the last start
    /// and its lanes already seen are masked off. Haystacks longer than
    /// `SHORT_HAYSTACK`, or with fewer than eight starts, go to `call` (the helper).
    #[allow(clippy::too_many_arguments)]
    fn contains_inline(
        &mut self,
        ptr: Value,
        len: Value,
        needle: &[u8],
        (rare, rare_at): (u8, usize),
        call: Block,
        t: Block,
        f: Block,
    ) {
        const LO: i64 = 0x0101_0101_0101_0101;
        const HI: i64 = 0x8080_8080_8080_8080_u64 as i64;
        let n = needle.len() as i64;
        let b = &mut self.b;
        // Fewer than eight starts (len < n + 7) or a long haystack: the helper.
        let (short, body) = (b.create_block(), b.create_block());
        let enough = b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, len, n + 7);
        b.ins().brif(enough, short, &[], call, &[]);
        b.switch_to_block(short);
        let long = b
            .ins()
            .icmp_imm_u(IntCC::UnsignedGreaterThan, len, helpers::SHORT_HAYSTACK as i64);
        b.ins().brif(long, call, &[], body, &[]);
        b.switch_to_block(body);
        let starts = b.ins().iadd_imm_s(len, 1 - n);
        let base = b.ins().iadd_imm_s(ptr, rare_at as i64);
        let wide = b.ins().iconst(I64, LO.wrapping_mul(i64::from(rare)));
        let last = b.ins().iadd_imm_s(starts, -8);
        // word(s): the candidate flags for starts s..s+8.
        let word = |b: &mut FunctionBuilder<'_>, s: Value| {
            let at = b.ins().iadd(base, s);
            let w = b.ins().load(I64, bytes(), at, 0);
            let x = b.ins().bxor(w, wide);
            let lo = b.ins().iadd_imm_s(x, -LO);
            let nx = b.ins().bnot(x);
            let m = b.ins().band(lo, nx);
            b.ins().band_imm_u(m, HI)
        };
        // Blocks: head(s) loads a full word; check(s, hits, tail) walks its flags;
        // next(s) moves on; the tail word is checked with tail = 1.
        let head = b.create_block();
        b.append_block_param(head, I64);
        let check = b.create_block();
        for ty in [I64, I64, types::I8] {
            b.append_block_param(check, ty);
        }
        let cand = b.create_block();
        for ty in [I64, I64, types::I8] {
            b.append_block_param(cand, ty);
        }
        let next = b.create_block();
        b.append_block_param(next, I64);
        let tail = b.create_block();
        b.append_block_param(tail, I64);
        let zero = b.ins().iconst(I64, 0);
        b.ins().jump(head, &[zero.into()]);

        b.switch_to_block(head);
        let s = b.block_params(head)[0];
        let hits = word(b, s);
        let no = b.ins().iconst(types::I8, 0);
        b.ins().jump(check, &[s.into(), hits.into(), no.into()]);

        b.switch_to_block(check);
        let (s, hits, is_tail) = {
            let p = b.block_params(check);
            (p[0], p[1], p[2])
        };
        let (none, some) = (b.create_block(), b.create_block());
        b.ins().brif(hits, some, &[], none, &[]);
        b.switch_to_block(some);
        b.ins().jump(cand, &[s.into(), hits.into(), is_tail.into()]);
        b.switch_to_block(none);
        b.ins().brif(is_tail, f, &[], next, &[s.into()]);

        b.switch_to_block(next);
        let s = b.block_params(next)[0];
        let s8 = b.ins().iadd_imm_s(s, 8);
        let end = b.ins().iadd_imm_s(s, 16);
        let full = b.ins().icmp(IntCC::UnsignedLessThanOrEqual, end, starts);
        b.ins().brif(full, head, &[s8.into()], tail, &[s8.into()]);

        b.switch_to_block(tail);
        let s = b.block_params(tail)[0];
        let more = b.create_block();
        let left = b.ins().icmp(IntCC::UnsignedLessThan, s, starts);
        b.ins().brif(left, more, &[], f, &[]);
        b.switch_to_block(more);
        let hits = word(b, last);
        // Lanes below s - last were seen in the previous word.
        let seen = b.ins().isub(s, last);
        let bits = b.ins().ishl_imm_u(seen, 3);
        let ones = b.ins().iconst(I64, -1);
        let mask = b.ins().ishl(ones, bits);
        let hits = b.ins().band(hits, mask);
        let yes = b.ins().iconst(types::I8, 1);
        b.ins().jump(check, &[last.into(), hits.into(), yes.into()]);

        b.switch_to_block(cand);
        let (s, hits, is_tail) = {
            let p = self.b.block_params(cand);
            (p[0], p[1], p[2])
        };
        let lane = self.b.ins().ctz(hits);
        let lane = self.b.ins().ushr_imm_u(lane, 3);
        let i = self.b.ins().iadd(s, lane);
        let at = self.b.ins().iadd(ptr, i);
        let eq = self.bytes_equal(at, needle);
        let rest = self.b.ins().iadd_imm_s(hits, -1);
        let rest = self.b.ins().band(hits, rest);
        let miss = self.b.create_block();
        self.b.ins().brif(eq, t, &[], miss, &[]);
        self.b.switch_to_block(miss);
        self.b.ins().jump(check, &[s.into(), rest.into(), is_tail.into()]);
    }

    fn branch_on(&mut self, r: Option<Value>, t: Block, f: Block) {
        if let Some(r) = r {
            self.branch(r, t, f);
        }
    }

    /// Whether the bytes at `at` equal `text` (the caller checked they are in
    /// bounds). Up to 16 bytes: two overlapping loads of one width compared with
    /// constants; longer: a helper call.
    fn bytes_equal(&mut self, at: Value, text: &[u8]) -> Value {
        let n = text.len();
        let word = |bytes: &[u8]| -> i64 {
            let mut w = [0u8; 8];
            w[..bytes.len()].copy_from_slice(bytes);
            i64::from_le_bytes(w)
        };
        let (ty, width) = match n {
            0 => return self.b.ins().iconst(types::I8, 1),
            1 => (types::I8, 1),
            2..=3 => (types::I16, 2),
            4..=7 => (I32, 4),
            8..=16 => (I64, 8),
            _ => {
                let k = self.b.ins().iconst(I64, text.as_ptr() as i64);
                let len = self.b.ins().iconst(I64, n as i64);
                let r = self.call(self.sigs.three, helpers::bytes_eq as *const () as usize, &[at, k, len]);
                return r.unwrap_or_else(|| self.b.ins().iconst(I32, 0));
            }
        };
        let head = self.b.ins().load(ty, bytes(), at, 0);
        let head_eq = self.b.ins().icmp_imm_u(IntCC::Equal, head, word(&text[..width]));
        if n == width {
            return head_eq;
        }
        let tail = self.b.ins().load(ty, bytes(), at, (n - width) as i32);
        let tail_eq = self.b.ins().icmp_imm_u(IntCC::Equal, tail, word(&text[n - width..]));
        self.b.ins().band(head_eq, tail_eq)
    }
}

/// A rough cost of evaluating `c`, for ordering.
fn cost(c: &Cond, fields: &[FieldSpec]) -> u32 {
    match c {
        Cond::Const(_) => 0,
        Cond::Not(x) => cost(x, fields),
        Cond::And(xs) | Cond::Or(xs) => xs.iter().map(|x| cost(x, fields)).sum(),
        Cond::Cmp(c) => plan(c, fields).cost(c),
    }
}
