//! Differential test of the cranelift back end against the reference interpreter:
//! random typed conditions (every operator, nesting, transformers, shared memoised
//! comparisons) over random events (missing values, values of unexpected kinds,
//! lists, wide integers), in buckets of several rules, with first and all matching.

use falcorc_compiler::eval::jit::{Jit, JitOptions};
use falcorc_compiler::eval::{FieldCache, FieldSource, Value, eval};
use falcorc_compiler::ir::{Cmp, CmpOp, Cond, Const, ConstSet, FieldId, FieldSpec, Operand, Rhs};
use falcorc_compiler::sema::catalog::FieldType;
use falcorc_compiler::syntax::condition::ast::{Modifier, TransformerKind};
use proptest::prelude::*;
use std::sync::Arc;

/// Field ids of the table below, by shape.
const STR_FIELDS: [u32; 2] = [0, 1];
const INT_FIELDS: [u32; 2] = [2, 3];
const LIST_FIELD: u32 = 4;
const IP_FIELD: u32 = 5;
const BOOL_FIELD: u32 = 6;

fn spec(name: &'static str, ty: FieldType, list: bool) -> FieldSpec {
    FieldSpec {
        name,
        suffix: None,
        arg: None,
        ty,
        list,
    }
}

fn table() -> Vec<FieldSpec> {
    vec![
        spec("proc.name", FieldType::Charbuf, false),
        spec("fd.name", FieldType::Charbuf, false),
        spec("proc.pid", FieldType::Int64, false),
        spec("fd.num", FieldType::Int64, false),
        spec("fd.types", FieldType::Charbuf, true),
        spec("fd.sip", FieldType::IpAddr, false),
        spec("evt.is_open_read", FieldType::Bool, false),
    ]
}

/// Strings that exercise every inline width (0–16 bytes and longer), case, and
/// prefixes/suffixes of one another.
const WORDS: &[&str] = &[
    "",
    "a",
    "ab",
    "abc",
    "sh",
    "bash",
    "BaSh",
    "nc",
    "ncat",
    "/etc",
    "/etc/",
    "/etc/shadow",
    "/etc/passwd",
    "/usr/bin/python3",
    "/usr/bin/python3.11",
    "/var/run/docker.sock",
    "/proc/self/environ-and-more",
    "é",
    "ab\u{e9}",
];

const INTS: &[i128] = &[0, 1, -1, 2, 7, 80, 443, 65535, i64::MAX as i128, i64::MIN as i128];

#[derive(Debug)]
struct Event(Vec<Option<Value>>);

impl FieldSource for Event {
    fn field(&self, id: FieldId, _spec: &FieldSpec) -> Option<Value> {
        self.0.get(id.0 as usize).cloned().flatten()
    }
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS).prop_map(str::to_string)
}

fn int() -> impl Strategy<Value = i128> {
    prop_oneof![4 => prop::sample::select(INTS), 1 => Just(i128::from(u64::MAX)), 1 => -5i128..5]
}

fn str_value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        6 => word().prop_map(|s| Some(Value::Str(s))),
        1 => Just(None),
        // A source may hand back another kind than the field's type: native code
        // must leave it to the interpreter.
        1 => int().prop_map(|n| Some(Value::Int(n))),
        1 => prop::collection::vec(word().prop_map(Value::Str), 0..3).prop_map(|xs| Some(Value::List(xs))),
    ]
}

fn int_value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        6 => int().prop_map(|n| Some(Value::Int(n))),
        1 => Just(None),
        1 => word().prop_map(|s| Some(Value::Str(s))),
        1 => Just(Some(Value::Double(2.5))),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    (
        str_value(),
        str_value(),
        int_value(),
        int_value(),
        prop::option::of(prop::collection::vec(word().prop_map(Value::Str), 0..4).prop_map(Value::List)),
        // One address (a server's own), or both ends of a connection (several values).
        prop::option::of(prop_oneof![
            ip_addr().prop_map(Value::Ip),
            (ip_addr(), ip_addr()).prop_map(|(a, b)| Value::List(vec![Value::Ip(a), Value::Ip(b)])),
        ]),
        prop_oneof![4 => any::<bool>().prop_map(|b| Some(Value::Bool(b))), 1 => Just(None), 1 => Just(Some(Value::Int(1)))],
    )
        .prop_map(|(a, b, c, d, e, f, g)| Event(vec![a, b, c, d, e, f, g]))
}

fn ip_addr() -> impl Strategy<Value = std::net::IpAddr> {
    prop::sample::select(&["10.0.0.1", "192.168.1.7", "127.0.0.1", "0.0.0.0", "::1"][..])
        .prop_map(|a| a.parse().expect("address"))
}

/// An address or a network, as rules write them.
fn ip_const() -> impl Strategy<Value = Const> {
    prop::sample::select(
        &[
            "10.0.0.0/8",
            "::1/128",
            "127.0.0.0/8",
            "0.0.0.0",
            "192.168.1.7",
            "172.16.0.0/12",
        ][..],
    )
    .prop_map(|net| match net.split_once('/') {
        Some((a, p)) => Const::Ip {
            addr: a.parse().expect("ip"),
            prefix: p.parse().ok(),
        },
        None => Const::Ip {
            addr: net.parse().expect("ip"),
            prefix: None,
        },
    })
}

fn str_const() -> impl Strategy<Value = Const> {
    word().prop_map(Const::Str)
}

fn int_const() -> impl Strategy<Value = Const> {
    int().prop_map(Const::Int)
}

fn field(ids: &'static [u32]) -> impl Strategy<Value = Operand> {
    prop::sample::select(ids).prop_map(|i| Operand::Field(FieldId(i)))
}

const STR_OPS: &[CmpOp] = &[
    CmpOp::Eq,
    CmpOp::Ne,
    CmpOp::Contains,
    CmpOp::IContains,
    CmpOp::BContains,
    CmpOp::StartsWith,
    CmpOp::BStartsWith,
    CmpOp::EndsWith,
    CmpOp::Glob,
    CmpOp::IGlob,
    CmpOp::Lt,
    CmpOp::Ge,
];

const INT_OPS: &[CmpOp] = &[CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge];

fn cmp(lhs: Operand, op: CmpOp, rhs: Rhs) -> Cond {
    Cond::Cmp(Box::new(Cmp {
        lhs,
        op,
        rhs,
        memo: None,
    }))
}

fn transformed() -> impl Strategy<Value = Operand> {
    (
        prop::sample::select(
            &[
                TransformerKind::ToLower,
                TransformerKind::ToUpper,
                TransformerKind::Basename,
            ][..],
        ),
        field(&STR_FIELDS),
    )
        .prop_map(|(kind, f)| Operand::Transform {
            kind,
            args: vec![f],
            key: None,
        })
}

fn comparison() -> impl Strategy<Value = Cond> {
    let all_fields: &'static [u32] = &[0, 1, 2, 3, 4, 5, 6];
    prop_oneof![
        4 => (field(&STR_FIELDS), prop::sample::select(STR_OPS), str_const())
            .prop_map(|(l, op, k)| cmp(l, op, Rhs::Const(k))),
        3 => (field(&INT_FIELDS), prop::sample::select(INT_OPS), int_const())
            .prop_map(|(l, op, k)| cmp(l, op, Rhs::Const(k))),
        2 => (field(all_fields), prop::collection::vec(str_const(), 0..12))
            .prop_map(|(l, ks)| cmp(l, CmpOp::In, Rhs::Set(ConstSet::new(ks)))),
        1 => (field(&[0, 4]), prop::collection::vec(str_const(), 1..4))
            .prop_map(|(l, ks)| cmp(l, CmpOp::Intersects, Rhs::Set(ConstSet::new(ks)))),
        2 => (field(&INT_FIELDS), prop::collection::vec(int_const(), 0..20))
            .prop_map(|(l, ks)| cmp(l, CmpOp::In, Rhs::Set(ConstSet::new(ks)))),
        1 => field(all_fields).prop_map(|l| cmp(l, CmpOp::Exists, Rhs::None)),
        1 => (field(&STR_FIELDS), prop::collection::vec(str_const(), 1..4))
            .prop_map(|(l, ks)| cmp(l, CmpOp::PMatch, Rhs::Set(ConstSet::new(ks)))),
        1 => (field(&STR_FIELDS), prop::sample::select(&["^/etc/", "sh$", "a.c"][..]))
            .prop_map(|(l, r)| cmp(l, CmpOp::Regex, Rhs::Const(Const::Regex(Box::new(regex::Regex::new(r).expect("regex")))))),
        1 => (
            field(&STR_FIELDS),
            prop::sample::select(&[Modifier::OneOf, Modifier::AllOf][..]),
            prop::collection::vec(str_const(), 0..3),
        )
            .prop_map(|(l, m, ks)| cmp(l, CmpOp::StartsWith, Rhs::Modified(m, ks))),
        1 => (transformed(), prop::sample::select(STR_OPS), str_const())
            .prop_map(|(l, op, k)| cmp(l, op, Rhs::Const(k))),
        1 => (field(&STR_FIELDS), field(&STR_FIELDS)).prop_map(|(l, r)| cmp(l, CmpOp::Eq, Rhs::Operand(r))),
        2 => (Just(Operand::Field(FieldId(IP_FIELD))), prop::sample::select(&[CmpOp::Eq, CmpOp::Ne][..]), ip_const())
            .prop_map(|(l, op, k)| cmp(l, op, Rhs::Const(k))),
        1 => (
            Just(Operand::Field(FieldId(IP_FIELD))),
            prop::sample::select(&[CmpOp::In, CmpOp::Intersects][..]),
            prop::collection::vec(ip_const(), 0..3),
        )
            .prop_map(|(l, op, ks)| cmp(l, op, Rhs::Set(ConstSet::new(ks)))),
        1 => (Just(Operand::Field(FieldId(BOOL_FIELD))), prop::sample::select(&[CmpOp::Eq, CmpOp::Ne][..]), any::<bool>())
            .prop_map(|(l, op, b)| cmp(l, op, Rhs::Const(Const::Bool(b)))),
        1 => (Just(Operand::Field(FieldId(LIST_FIELD))), str_const()).prop_map(|(l, k)| cmp(l, CmpOp::Ne, Rhs::Const(k))),
    ]
}

fn condition() -> impl Strategy<Value = Cond> {
    let leaf = prop_oneof![8 => comparison(), 1 => any::<bool>().prop_map(Cond::Const)];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Cond::And),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Cond::Or),
            inner.prop_map(|c| Cond::Not(Box::new(c))),
        ]
    })
}

/// Give every comparison a memo slot shared with its structural twins (what the
/// runtime's numbering does for macros used by several rules).
fn number(rules: &mut [Cond]) -> usize {
    let mut seen: Vec<String> = Vec::new();
    fn visit(c: &mut Cond, seen: &mut Vec<String>) {
        match c {
            Cond::And(xs) | Cond::Or(xs) => xs.iter_mut().for_each(|x| visit(x, seen)),
            Cond::Not(x) => visit(x, seen),
            Cond::Const(_) => {}
            Cond::Cmp(c) => {
                let key = format!("{:?}", (&c.lhs, c.op, &c.rhs));
                let slot = seen.iter().position(|k| *k == key).unwrap_or_else(|| {
                    seen.push(key);
                    seen.len() - 1
                });
                c.memo = Some(slot as u32);
            }
        }
    }
    for r in rules.iter_mut() {
        visit(r, &mut seen);
    }
    seen.len()
}

fn run_both(rules: Vec<Cond>, events: &[Event], memo: bool, first: bool, reorder: bool) {
    let fields = table();
    let mut rules = rules;
    let slots = if memo { number(&mut rules) } else { 0 };
    let expected: Vec<Vec<usize>> = events
        .iter()
        .map(|ev| {
            let all = rules
                .iter()
                .enumerate()
                .filter(|(_, r)| eval(r, &fields, ev))
                .map(|(i, _)| i);
            if first { all.take(1).collect() } else { all.collect() }
        })
        .collect();
    let bucket: Vec<(u32, Arc<Cond>)> = rules
        .into_iter()
        .enumerate()
        .map(|(i, c)| (i as u32, Arc::new(c)))
        .collect();
    let opts = JitOptions {
        first,
        reorder,
        verify: true,
        per_rule: true,
        poison_rule: None,
    };
    let n = bucket.len();
    // Two codes share the bucket: the second reuses the first's functions.
    let jit = Jit::compile(Arc::new(vec![bucket.clone(), bucket]), &[None, Some(0)], &fields, &opts).expect("compiles");
    let mut cache = FieldCache::new(fields.len(), slots);
    for (ev, want) in events.iter().zip(&expected) {
        for code in [0, 1] {
            cache.next_event();
            let mut got = Vec::new();
            jit.run(code, &fields, &mut cache, ev, &mut got);
            assert_eq!(&got, want, "code {code}");
            // The same rules one function each (as the rule-cost profiler runs them),
            // sharing the event's field values and memoised comparisons: the same matches.
            assert!(jit.has_rule_functions(code));
            cache.next_event();
            let mut one_by_one = Vec::new();
            for pos in 0..n {
                jit.run_rule(code, pos, &fields, &mut cache, ev, &mut one_by_one);
                if first && !one_by_one.is_empty() {
                    break;
                }
            }
            assert_eq!(&one_by_one, want, "code {code}, rule by rule");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Substring search against haystacks of every length around the inline search's
    /// limits (fewer than eight starts, a last word overlapping the one before, longer
    /// than the inline limit), needles of 1 to 17 bytes, matches anywhere.
    #[test]
    fn jit_contains_equals_the_interpreter(
        hays in prop::collection::vec("[ab/.]{0,80}", 1..8),
        needles in prop::collection::vec("[ab/.]{1,17}", 1..4),
    ) {
        let rules = needles
            .into_iter()
            .map(|k| cmp(Operand::Field(FieldId(1)), CmpOp::Contains, Rhs::Const(Const::Str(k))))
            .collect();
        let events: Vec<Event> = hays
            .into_iter()
            .map(|h| Event(vec![None, Some(Value::Str(h)), None, None, None, None, None]))
            .collect();
        run_both(rules, &events, false, false, false);
    }

    #[test]
    fn jit_equals_interpreter(
        rules in prop::collection::vec(condition(), 1..5),
        events in prop::collection::vec(event(), 1..6),
        memo in any::<bool>(),
        first in any::<bool>(),
        reorder in any::<bool>(),
    ) {
        run_both(rules, &events, memo, first, reorder);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A bucket too large for one native function is cut between rules into several,
    /// run in order on one context: the same matches as the interpreter, first match
    /// included (a later piece must not run after an earlier one matched).
    #[test]
    fn large_buckets_cut_into_pieces_equal_the_interpreter(
        rules in prop::collection::vec(condition(), 150..200),
        events in prop::collection::vec(event(), 1..4),
        memo in any::<bool>(),
        first in any::<bool>(),
    ) {
        let mut comparisons = 0;
        rules.iter().for_each(|r| r.each_cmp(&mut |_| comparisons += 1));
        let bucket: Vec<(u32, Arc<Cond>)> =
            rules.iter().enumerate().map(|(i, c)| (i as u32, Arc::new(c.clone()))).collect();
        let opts = JitOptions { first, ..JitOptions::default() };
        let jit = Jit::compile(Arc::new(vec![bucket]), &[None], &table(), &opts).expect("compiles");
        prop_assert!(comparisons > 128 && jit.stats().functions > 1, "{} comparisons", comparisons);
        run_both(rules, &events, memo, first, false);
    }
}

#[test]
fn a_ruleset_that_fails_to_compile_names_the_rule() {
    let fields = table();
    let ok = cmp(
        Operand::Field(FieldId(0)),
        CmpOp::Eq,
        Rhs::Const(Const::Str("sh".into())),
    );
    let bucket = vec![(3, Arc::new(ok.clone())), (7, Arc::new(ok))];
    let opts = JitOptions {
        poison_rule: Some(7),
        ..JitOptions::default()
    };
    let err = Jit::compile(Arc::new(vec![bucket]), &[], &fields, &opts)
        .err()
        .expect("the poisoned rule fails");
    assert_eq!(err.rule, Some(7));
    assert!(!err.message.is_empty());
}

#[test]
fn every_width_of_inline_string_comparison() {
    // Lengths 0..=40 straddle every load width and the helper call beyond 16 bytes.
    let text: String = (0..40).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let mut events = Vec::new();
    for n in 0..=text.len() {
        let v = Some(Value::Str(text[..n].to_string()));
        let mut flipped = text[..n].to_string().into_bytes();
        if let Some(b) = flipped.get_mut(n / 2) {
            *b = b'Z';
        }
        let w = Some(Value::Str(String::from_utf8(flipped).expect("ascii")));
        events.push(Event(vec![v, w, None, None, None, None, None]));
    }
    let mut rules = Vec::new();
    for n in [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33] {
        let k = &text[..n];
        for op in [
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::StartsWith,
            CmpOp::EndsWith,
            CmpOp::Contains,
        ] {
            for f in STR_FIELDS {
                rules.push(cmp(
                    Operand::Field(FieldId(f)),
                    op,
                    Rhs::Const(Const::Str(k.to_string())),
                ));
            }
        }
        rules.push(cmp(
            Operand::Field(FieldId(0)),
            CmpOp::EndsWith,
            Rhs::Const(Const::Str(text[text.len() - n..].to_string())),
        ));
    }
    run_both(rules, &events, false, false, true);
}
