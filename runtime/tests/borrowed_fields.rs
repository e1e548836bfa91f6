//! The borrowing fast paths of field extraction (`FieldCtx::field_into` for the hot
//! string fields, and the values the engine lends to native code without building
//! them) must give exactly what the general extractors give, on every event of the
//! real captures and of the synthetic benchmark workload, including events whose
//! thread or fd is unknown.

mod common;

use std::io::Cursor;
use std::path::Path;

use falcorc_compiler::eval::cache::SlotView;
use falcorc_compiler::eval::interp::ips_of;
use falcorc_compiler::eval::{FieldSource, Lent, Value};
use falcorc_compiler::ir::{FieldId, FieldSpec, lower_condition};
use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::syntax::condition::parse;
use falcorc_runtime::fields::Resolved;
use falcorc_runtime::scap::ScapReader;
use falcorc_runtime::state::Tracker;
use std::net::{IpAddr, Ipv4Addr};

const FIELDS: [&str; 26] = [
    "proc.name",
    "proc.exe",
    "proc.exepath",
    "proc.pname",
    "container.id",
    "evt.type",
    "fd.name",
    "fd.typechar",
    "fd.directory",
    "fd.filename",
    "fd.num",
    "evt.is_open_read",
    "evt.is_open_write",
    "fd.nameraw",
    "proc.aname[0]",
    "proc.aname[2]",
    "proc.aname[4]",
    "proc.aname[40]",
    // Not on the fast path: the general path through `field_into`.
    "proc.cmdline",
    // Addresses, lent as such (`lend_ips`); `fd.lip` by the general path.
    "fd.ip",
    "fd.net",
    "fd.sip",
    "fd.snet",
    "fd.cip",
    "fd.cnet",
    "fd.lip",
];

fn specs() -> Vec<FieldSpec> {
    FIELDS
        .iter()
        .map(|key| {
            let expr = parse(&format!("{key} exists")).expr.expect("a condition");
            let (_, fields) = lower_condition(&expr, Env::default()).expect("resolves");
            fields.into_iter().next().expect("one field")
        })
        .collect()
}

/// Replays a capture and compares both paths on every evaluated event; returns the
/// number of comparisons.
fn compare<R: std::io::Read>(mut reader: ScapReader<R>, specs: &[FieldSpec]) -> usize {
    let mut tracker = Tracker::from_capture(&reader);
    let resolved = Resolved::new(specs);
    // One slot per field, kept across events, as the engine's cache keeps them.
    let mut slots: Vec<Value> = vec![Value::Str("stale".into()); specs.len()];
    let mut checked = 0;
    let mut aheads = 0;
    while let Some(ev) = reader.next_event().expect("readable capture") {
        tracker.on_event(&ev, |ctx| {
            for (i, spec) in specs.iter().enumerate() {
                let want = ctx.value(spec);
                let present = ctx.field_into(FieldId(i as u32), spec, &mut slots[i]);
                let got = present.then(|| slots[i].clone());
                assert_eq!(
                    got,
                    want,
                    "{} on evt.num {} ({})",
                    spec.name,
                    ctx.num(),
                    ctx.event().type_name()
                );
                let bound = resolved.bind(ctx);
                let id = FieldId(i as u32);
                let lent = bound.lend(id, spec);
                if let Some(lent) = lent {
                    let lent = lent.map(|l| match l {
                        Lent::Str(s) => Value::Str(s.to_string()),
                        Lent::Int(n) => Value::Int(n.into()),
                        Lent::Bool(b) => Value::Bool(b),
                    });
                    assert_eq!(lent, want, "lent {} on evt.num {}", spec.name, ctx.num());
                }
                // What native code reads: the same as `lend` gives, through the field's
                // own lender.
                let mut view = SlotView::default();
                let mut expected = SlotView::default();
                let lent_view = bound.lend_view(id, spec, &mut view);
                assert_eq!(lent_view, expected.take_lent(lent), "{} lent to a view", spec.name);
                if lent_view {
                    assert_eq!(view, expected, "{} view on evt.num {}", spec.name, ctx.num());
                }
                // What the engine writes before native code runs, for the fields it
                // describes ahead: the same again.
                let mut ahead = SlotView::default();
                if let Some(lent_ahead) = resolved.lend_ahead(ctx, id, &mut ahead) {
                    assert_eq!(
                        lent_ahead,
                        lent_view,
                        "{} lent ahead on evt.num {}",
                        spec.name,
                        ctx.num()
                    );
                    if lent_ahead {
                        assert_eq!(ahead, view, "{} ahead view on evt.num {}", spec.name, ctx.num());
                    }
                    aheads += 1;
                }
                let mut ips = [IpAddr::V4(Ipv4Addr::UNSPECIFIED); 2];
                if let Some(n) = bound.lend_ips(id, spec, &mut ips) {
                    let mut from_value = [IpAddr::V4(Ipv4Addr::UNSPECIFIED); 2];
                    let m = ips_of(want.clone(), &mut from_value);
                    assert_eq!(Some(n), m, "{} addresses on evt.num {}", spec.name, ctx.num());
                    assert_eq!(ips[..n], from_value[..n], "{} on evt.num {}", spec.name, ctx.num());
                }
                checked += 1;
            }
        });
    }
    assert!(checked == 0 || aheads > 0, "no field was described ahead");
    checked
}

#[test]
fn fast_path_equals_general_path_on_real_captures() {
    let specs = specs();
    for name in common::CAPTURES {
        let Some(path) = common::capture(name) else { return };
        let checked = compare(ScapReader::open(Path::new(&path)).unwrap(), &specs);
        assert!(checked > 0, "{name}: no event evaluated");
    }
}

#[test]
fn fast_path_equals_general_path_on_the_synthetic_workload() {
    let bytes = falcorc_runtime::synth::workload(Vec::new(), 20_000, false).unwrap();
    let checked = compare(ScapReader::new(Cursor::new(bytes)).unwrap(), &specs());
    assert!(checked >= 20_000 * FIELDS.len());
}
