//! Field extraction against the real Falco 0.44.1 outputs in
//! `captures/expected/*.json`: every alert's `output_fields`, recomputed on
//! the event the alert was raised on, must print exactly as Falco printed it.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use falcorc_compiler::ir::{FieldSpec, lower_condition};
use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::syntax::condition::parse;
use falcorc_runtime::output::alert::json_of;
use falcorc_runtime::scap::ScapReader;
use falcorc_runtime::state::Tracker;
use serde_json::Value as Json;

/// The capture each expected-output file was produced from.
fn capture_of(file: &str) -> Option<&'static str> {
    let stem = file.split("__").next()?;
    Some(match stem {
        "cat_write" => "falco_cat_write.scap",
        "open-multiple-files" => "falco_open-multiple-files.scap",
        "syscall" => "falco_syscall.scap",
        "ping_sendto" => "falco_ping_sendto.scap",
        "curl_google" => "libs_curl_google.scap",
        "sample" => "libs_sample.scap",
        _ => return None,
    })
}

/// The field reference an output key names, resolved like a condition's.
fn spec_of(key: &str) -> FieldSpec {
    let parsed = parse(&format!("{key} exists"));
    assert!(parsed.errors.is_empty(), "{key}: {:?}", parsed.errors);
    let expr = parsed.expr.expect("a condition");
    let (_, fields) = lower_condition(&expr, Env::default()).unwrap_or_else(|| panic!("{key} does not resolve"));
    fields.into_iter().next().expect("one field")
}

struct Alert {
    file: String,
    index: usize,
    fields: BTreeMap<String, Json>,
}

/// `time` of an alert as nanoseconds (from the ISO-8601 `time` key).
fn alert_ts(alert: &Json) -> u64 {
    if let Some(n) = alert["output_fields"]["evt.time.iso8601"].as_u64() {
        return n;
    }
    panic!("alert without a numeric evt.time.iso8601: {alert}");
}

#[test]
fn expected_output_fields_match() {
    let dir = common::shared_dir().join("captures/expected");
    if !dir.is_dir() {
        println!("note: {} not found; skipping", dir.display());
        return;
    }
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    // 21 JSON files today (one more expectation is Falco's text output).
    assert!(files.len() >= 21, "only {} expected-output files", files.len());

    // Alerts by capture, then by timestamp.
    let mut by_capture: BTreeMap<&str, HashMap<u64, Vec<Alert>>> = BTreeMap::new();
    let mut total = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let capture = capture_of(&name).unwrap_or_else(|| panic!("no capture for {name}"));
        let text = std::fs::read_to_string(path).unwrap();
        for (index, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
            let alert: Json = serde_json::from_str(line).unwrap();
            let fields: BTreeMap<String, Json> = alert["output_fields"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            total += 1;
            by_capture
                .entry(capture)
                .or_default()
                .entry(alert_ts(&alert))
                .or_default()
                .push(Alert {
                    file: name.clone(),
                    index,
                    fields,
                });
        }
        by_capture.entry(capture).or_default();
    }

    let mut specs: HashMap<String, FieldSpec> = HashMap::new();
    let mut mismatches = Vec::new();
    let mut checked_alerts = 0;
    let mut checked_fields = 0;
    for (capture, alerts) in &by_capture {
        let Some(path) = common::capture(capture) else { return };
        let mut reader = ScapReader::open(Path::new(&path)).unwrap();
        let mut tracker = Tracker::from_capture(&reader);
        tracker.set_hostname("test-falco-hostname");
        let mut seen: HashMap<u64, usize> = HashMap::new();
        while let Some(ev) = reader.next_event().unwrap() {
            tracker.on_event(&ev, |ctx| {
                let Some(list) = alerts.get(&ctx.ts()) else { return };
                // Several evaluated events may share a timestamp: use the first.
                let n = seen.entry(ctx.ts()).or_default();
                *n += 1;
                if *n > 1 {
                    return;
                }
                for alert in list {
                    checked_alerts += 1;
                    for (key, want) in &alert.fields {
                        let spec = specs.entry(key.clone()).or_insert_with(|| spec_of(key));
                        let got = json_of(ctx.value(spec).as_ref());
                        checked_fields += 1;
                        if &got != want {
                            mismatches.push(format!(
                                "{} alert #{} (evt.num {}, {}): {key}: got {got}, want {want}",
                                alert.file,
                                alert.index,
                                ctx.num(),
                                ctx.event().type_name()
                            ));
                        }
                    }
                }
            });
        }
        for ts in alerts.keys() {
            if !seen.contains_key(ts) {
                for a in &alerts[ts] {
                    mismatches.push(format!("{} alert #{}: no evaluated event at ts {ts}", a.file, a.index));
                }
            }
        }
    }
    for m in &mismatches {
        println!("MISMATCH {m}");
    }
    println!(
        "{checked_alerts} of {total} alerts checked, {checked_fields} fields compared, {} mismatches",
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} field mismatches (see output)",
        mismatches.len()
    );
    assert_eq!(checked_alerts, total);
}
