//! `falcorc profile`: per-rule cost from a replay that times every rule on every event.
//! The counts must be exact (evaluations, matches as `replay` reports them), the times
//! consistent (per event type adding up, sorted by total), the ranking right when one rule
//! is obviously costlier, and both engines must work.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn falcorc(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(args)
        .output()
        .expect("falcorc runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A synthetic capture of 200,000 events (execs, opens, reads and writes, connects).
fn workload(dir: &std::path::Path) -> PathBuf {
    let bytes = falcorc_runtime::synth::workload(Vec::new(), 200_000, false).expect("workload");
    let p = dir.join("workload.scap");
    std::fs::write(&p, bytes).unwrap();
    p
}

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("falcorc-cli-profile-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Two rules on the same events: one with a single integer comparison, one with two hundred
/// substring searches over the command line (none found): the second must cost more, by a
/// margin that timer noise on a loaded machine does not close.
const RULES: &str = "\
- rule: cheap
  desc: one integer comparison
  condition: evt.type in (open, openat) and proc.pid = 1
  output: cheap
  priority: INFO
- rule: costly
  desc: two hundred substring searches
  condition: evt.type in (open, openat) and (COSTLY)
  output: costly %proc.cmdline
  priority: INFO
- rule: writes
  desc: matches the workload's writes
  condition: evt.type = write and fd.num >= 0
  output: write %fd.name
  priority: INFO
";

fn rules(dir: &std::path::Path) -> PathBuf {
    let costly: Vec<String> = (0..200).map(|i| format!("proc.cmdline contains zq{i}x")).collect();
    let p = dir.join("rules.yaml");
    std::fs::write(&p, RULES.replace("COSTLY", &costly.join(" or "))).unwrap();
    p
}

#[test]
fn profile_counts_exactly_ranks_by_cost_and_works_on_both_engines() {
    let d = dir("rank");
    let (cap, r) = (workload(&d), rules(&d));
    let (cap, r) = (cap.to_str().unwrap(), r.to_str().unwrap());
    // What replay reports, to compare matches with.
    let (code, out, err) = falcorc(&["replay", "-r", r, cap, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let replayed = |rule: &str| {
        out.lines()
            .filter(|l| serde_json::from_str::<Value>(l).is_ok_and(|v| v["rule"] == rule))
            .count() as u64
    };
    for engine in ["jit", "interp"] {
        let (code, out, err) = falcorc(&["profile", "-r", r, cap, "--format", "json", "--engine", engine]);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(v["engine"], engine);
        assert_eq!(v["events"], 200_000);
        assert!(v["overhead"].as_f64().unwrap() > 0.0);
        let rows = v["rules"].as_array().unwrap();
        let row = |name: &str| {
            rows.iter()
                .find(|x| x["rule"] == name)
                .unwrap_or_else(|| panic!("{name}: {out}"))
        };
        // Sorted by total time, the costly rule first.
        let totals: Vec<u64> = rows.iter().map(|x| x["total_ns"].as_u64().unwrap()).collect();
        assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
        assert_eq!(rows[0]["rule"], "costly", "{engine}: {out}");
        assert!(
            row("costly")["ns_per_eval"].as_f64().unwrap() > 3.0 * row("cheap")["ns_per_eval"].as_f64().unwrap(),
            "{engine}: {out}"
        );
        // Exact counts: the cheap and costly rules run on every open, the write rule on
        // every write; matches are replay's.
        assert_eq!(row("cheap")["evaluations"], row("costly")["evaluations"]);
        assert!(row("cheap")["evaluations"].as_u64().unwrap() > 1000);
        for name in ["cheap", "costly", "writes"] {
            assert_eq!(row(name)["matches"].as_u64().unwrap(), replayed(name), "{name}");
            let by = row(name)["by_event_type"].as_object().unwrap();
            let evals: u64 = by.values().map(|e| e["evaluations"].as_u64().unwrap()).sum();
            assert_eq!(evals, row(name)["evaluations"].as_u64().unwrap(), "{name}: {by:?}");
        }
        assert!(row("writes")["matches"].as_u64().unwrap() > 0);
        assert_eq!(
            row("writes")["by_event_type"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["write"]
        );
        // A field only the costly rule reads is its own cost.
        assert!(
            row("costly")["unique_fields"]
                .as_array()
                .unwrap()
                .contains(&Value::from("proc.cmdline")),
            "{out}"
        );
    }
    let (code, table, _) = falcorc(&["profile", "-r", r, cap, "--top", "1"]);
    assert_eq!(code, 0);
    assert!(table.lines().nth(1).is_some_and(|l| l.starts_with("costly")), "{table}");
    assert!(!table.contains("\ncheap "), "--top 1 shows one rule: {table}");
    assert!(table.contains("profile overhead:"), "{table}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn profile_errors_are_usage_errors() {
    let d = dir("errors");
    let r = rules(&d);
    let (code, _, err) = falcorc(&["profile", "-r", r.to_str().unwrap(), "/nonexistent.scap"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent.scap"), "{err}");
    std::fs::write(
        &r,
        "- rule: x\n  desc: d\n  condition: proc.name = = a\n  output: o\n  priority: INFO\n",
    )
    .unwrap();
    let (code, _, err) = falcorc(&["profile", "-r", r.to_str().unwrap(), "/nonexistent.scap"]);
    assert_eq!(code, 1);
    assert!(err.contains("nothing profiled"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

/// Spearman's rank correlation (ties share their mean rank).
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    fn ranks(xs: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..xs.len()).collect();
        order.sort_by(|&i, &j| xs[i].total_cmp(&xs[j]));
        let mut r = vec![0.0; xs.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j + 1 < order.len() && xs[order[j + 1]] == xs[order[i]] {
                j += 1;
            }
            for k in i..=j {
                r[order[k]] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        r
    }
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// The static estimate (the `costly-rule` check's model) ranks Falco's stable rules as the
/// measured profile does on the synthetic workload: by total cost, and by cost per
/// evaluation. docs/PERFORMANCE.md states the coefficients of a release build; a debug
/// build's measure is noisier, hence the margins.
#[test]
fn the_static_estimate_ranks_falcos_rules_like_the_profile() {
    let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/falco-upstream/falco_rules.yaml");
    let rules = std::env::var_os("FALCORC_SHARED")
        .map(|s| PathBuf::from(s).join("falco-upstream/falco_rules.yaml"))
        .unwrap_or(rules);
    if !rules.exists() {
        println!("skipping: {} not found (set FALCORC_SHARED)", rules.display());
        return;
    }
    let d = dir("estimate");
    let cap = workload(&d);
    let (code, out, err) = falcorc(&[
        "profile",
        "-r",
        rules.to_str().unwrap(),
        cap.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v["rules"].as_array().unwrap();
    assert!(rows.len() >= 15, "{out}");
    let col = |f: &dyn Fn(&Value) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let measured_total = col(&|r| r["total_ns"].as_f64().unwrap());
    let measured_each = col(&|r| r["ns_per_eval"].as_f64().unwrap());
    let estimated_total = col(&|r| r["estimated"]["ns_per_1000_events"].as_f64().unwrap());
    let estimated_each = col(&|r| r["estimated"]["ns_per_eval"].as_f64().unwrap());
    let total = spearman(&measured_total, &estimated_total);
    let each = spearman(&measured_each, &estimated_each);
    println!("rank correlation: total {total:.2}, per evaluation {each:.2}");
    assert!(total >= 0.8, "total: {total:.2}\n{out}");
    assert!(each >= 0.4, "per evaluation: {each:.2}\n{out}");
    let _ = std::fs::remove_dir_all(&d);
}
