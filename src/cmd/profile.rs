//! `falcorc profile -r RULES... CAPTURE...`: what each rule costs. The captures are replayed
//! as `replay` runs them (the baseline, twice: the faster counts), then once with every rule
//! of every event evaluated on its own and timed (`engine::costs` on every event, per event type). Rows are
//! sorted by total time; the profile states its own overhead (the second run's time over
//! the first's) so the absolute figures can be read for what they are. Each row also carries
//! the static estimate of `falcorc_compiler::cost` (what the `costly-rule` check uses), so
//! the model can be checked against the measure.

use super::engine::{Format, load, to_stderr};
use super::replay::hostname;
use super::selection::Selection;
use super::{EXIT_OK, EXIT_USAGE, load_files};
use falcorc_compiler::cost::{self, Estimate};
use falcorc_compiler::ir::{FieldId, FieldSpec};
use falcorc_compiler::{Options, analyze};
use falcorc_runtime::engine::Engine;
use falcorc_runtime::engine::costs::RuleCost;
use falcorc_runtime::event::event_def;
use falcorc_runtime::output::Outputs;
use falcorc_runtime::replay::replay;
use falcorc_runtime::scap::ScapReader;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ProfileFormat {
    Table,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Rules files or directories, loaded in order (`@default`: the embedded ruleset).
    #[arg(short = 'r', long = "rules", num_args = 1, required = true)]
    rules: Vec<PathBuf>,
    /// Captures to replay (.scap, gzip or plain).
    #[arg(required = true)]
    captures: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    format: ProfileFormat,
    /// Show only the costliest N rules (table).
    #[arg(long, value_name = "N")]
    top: Option<usize>,
    #[command(flatten)]
    selection: Selection,
}

/// One rule's line of the profile.
struct Row {
    rule: String,
    cost: RuleCost,
    matches: u64,
    by_event_type: Vec<(String, RuleCost)>,
    unique_fields: Vec<String>,
    estimate: Option<Estimate>,
}

pub fn run(a: Args, selectors: Vec<falcorc_runtime::engine::Selector>) -> u8 {
    let files = match load_files(&a.rules) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("falcorc: {e}");
            return EXIT_USAGE;
        }
    };
    let build = |timed: bool| {
        let mut selection = a.selection.clone();
        selection.rule_costs = timed.then_some(1);
        selection.rule_costs_by_event_type = timed;
        load(
            files.clone(),
            selectors.clone(),
            &selection,
            Format::Text,
            "; nothing profiled",
            &mut to_stderr,
        )
    };
    let ((plain, outputs), (timed, _)) = match (build(false), build(true)) {
        (Ok(p), Ok(t)) => (p, t),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let host = hostname(None);
    let mut totals = (Duration::ZERO, Duration::ZERO);
    let mut events = 0u64;
    let mut matches = vec![0u64; timed.program.rules.len()];
    for cap in &a.captures {
        // The baseline twice (the faster counts: the first also warms the file cache and
        // the allocator), then the timed run once (its counts must be exact).
        let mut baseline = Duration::MAX;
        for _ in 0..2 {
            match replay_one(cap, &plain, &outputs, &host) {
                Ok((took, _)) => baseline = baseline.min(took),
                Err(e) => {
                    eprintln!("falcorc: {}: {e}", cap.display());
                    return EXIT_USAGE;
                }
            }
        }
        totals.0 += baseline;
        match replay_one(cap, &timed, &outputs, &host) {
            Ok((took, stats)) => {
                totals.1 += took;
                events += stats.events;
                for (m, n) in matches.iter_mut().zip(&stats.alerts) {
                    *m += n;
                }
            }
            Err(e) => {
                eprintln!("falcorc: {}: {e}", cap.display());
                return EXIT_USAGE;
            }
        }
    }
    let mut rows = rows(&timed, &matches);
    // The static estimates, from the same files (loading takes milliseconds).
    let opts = Options {
        lint: falcorc_compiler::lint::Config::none(),
        ..falcorc_compiler::fs::host_options()
    };
    let an = analyze(files, &opts);
    let estimates: BTreeMap<&str, Estimate> = an
        .rules
        .iter()
        .filter_map(|r| Some((r.name.as_str(), cost::estimate(r)?)))
        .collect();
    for r in &mut rows {
        r.estimate = estimates.get(r.rule.as_str()).cloned();
    }
    let overhead = totals.1.as_secs_f64() / totals.0.as_secs_f64().max(1e-9);
    match a.format {
        ProfileFormat::Table => print_table(&rows, a.top, &timed, events, totals, overhead),
        ProfileFormat::Json => print_json(&rows, &timed, events, totals, overhead),
    }
    EXIT_OK
}

/// One capture through `engine`: the replay's wall time and statistics.
fn replay_one(
    cap: &std::path::Path,
    engine: &Engine,
    outputs: &Outputs,
    host: &str,
) -> Result<(Duration, falcorc_runtime::replay::Stats), String> {
    let mut reader = ScapReader::open(cap).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let (stats, err) = replay(&mut reader, engine, outputs, host, &mut |_| {}, |_| {});
    let took = start.elapsed();
    match err {
        Some(e) => Err(e.to_string()),
        None => Ok((took, stats)),
    }
}

fn rows(engine: &Engine, matches: &[u64]) -> Vec<Row> {
    let program = &engine.program;
    let totals = engine.rule_costs().map(|(_, t)| t).unwrap_or_default();
    let by_code = engine.rule_costs_by_event_type().unwrap_or_default();
    // Which rules read each field: a field only one rule reads is that rule's own cost.
    let fields_of: Vec<BTreeSet<FieldId>> = program
        .rules
        .iter()
        .map(|r| {
            let mut set = BTreeSet::new();
            r.cond.each_cmp(&mut |c| {
                c.each_field(&mut |id| {
                    set.insert(id);
                })
            });
            set
        })
        .collect();
    let mut readers: BTreeMap<FieldId, usize> = BTreeMap::new();
    for (i, set) in fields_of.iter().enumerate() {
        if totals.get(i).is_some_and(|c| c.evaluations > 0) {
            for f in set {
                *readers.entry(*f).or_default() += 1;
            }
        }
    }
    let mut rows: Vec<Row> = totals
        .iter()
        .enumerate()
        .filter(|(_, c)| c.evaluations > 0)
        .map(|(i, c)| {
            let mut by: Vec<(String, RuleCost)> = by_code
                .get(i)
                .map(|v| {
                    v.iter()
                        .map(|(code, c)| {
                            (
                                event_def(*code).map_or_else(|| code.to_string(), |d| d.name.to_string()),
                                *c,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            // Versions of an event (open, open_x) share a name: one entry each.
            by.sort_by(|a, b| a.0.cmp(&b.0));
            by.dedup_by(|b, a| {
                if a.0 == b.0 {
                    a.1.evaluations += b.1.evaluations;
                    a.1.seconds += b.1.seconds;
                    true
                } else {
                    false
                }
            });
            by.sort_by(|a, b| b.1.seconds.total_cmp(&a.1.seconds));
            Row {
                rule: program.rules[i].name.clone(),
                cost: *c,
                matches: matches.get(i).copied().unwrap_or(0),
                by_event_type: by,
                unique_fields: fields_of[i]
                    .iter()
                    .filter(|f| readers.get(f) == Some(&1))
                    .map(|f| field_name(&program.fields[f.0 as usize]))
                    .collect(),
                estimate: None,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.cost
            .seconds
            .total_cmp(&a.cost.seconds)
            .then_with(|| a.rule.cmp(&b.rule))
    });
    rows
}

fn field_name(f: &FieldSpec) -> String {
    let mut s = f.name.to_string();
    if let Some(x) = &f.suffix {
        s.push('.');
        s.push_str(x);
    }
    if let Some(a) = &f.arg {
        s.push_str(&format!("[{a}]"));
    }
    s
}

fn ns_per_eval(c: &RuleCost) -> f64 {
    c.seconds * 1e9 / c.evaluations.max(1) as f64
}

fn print_table(
    rows: &[Row],
    top: Option<usize>,
    engine: &Engine,
    events: u64,
    totals: (Duration, Duration),
    overhead: f64,
) {
    let all = rows.iter().fold(0.0, |sum, r| sum + r.cost.seconds);
    println!(
        "{:<48} {:>11} {:>8} {:>10} {:>8} {:>6} {:>9}  event types (share of its time)",
        "rule", "evaluations", "matches", "total ms", "ns/eval", "share", "estimated"
    );
    for r in rows.iter().take(top.unwrap_or(usize::MAX)) {
        let types: Vec<String> = r
            .by_event_type
            .iter()
            .take(4)
            .map(|(name, c)| format!("{name} {:.0}%", 100.0 * c.seconds / r.cost.seconds.max(1e-12)))
            .collect();
        let mut name = r.rule.clone();
        if name.chars().count() > 48 {
            name = name.chars().take(47).collect::<String>() + "…";
        }
        let estimated = r
            .estimate
            .as_ref()
            .map_or("-".to_string(), |e| format!("{:.0}", e.per_eval));
        println!(
            "{name:<48} {:>11} {:>8} {:>10.3} {:>8.1} {:>5.1}% {estimated:>9}  {}",
            r.cost.evaluations,
            r.matches,
            r.cost.seconds * 1e3,
            ns_per_eval(&r.cost),
            100.0 * r.cost.seconds / all.max(1e-12),
            types.join(", ")
        );
        if !r.unique_fields.is_empty() {
            println!("{:<48} fields no other rule reads: {}", "", r.unique_fields.join(", "));
        }
    }
    println!(
        "\n{} rules evaluated on {events} events ({} engine); rule time {:.3} ms in all",
        rows.len(),
        engine.backend(),
        all * 1e3
    );
    let short = if totals.0 < Duration::from_millis(50) {
        " (the captures replay in under 50 ms: start-up noise dominates this ratio)"
    } else {
        ""
    };
    println!(
        "estimated: falcorc's static estimate of ns per evaluation (the costly-rule check's model)\n\
         profile overhead: replay took {:.1} ms timed rule by rule vs {:.1} ms as `replay` runs it ({overhead:.2}x){short}; \
         each rule's time has the clock's own cost removed",
        totals.1.as_secs_f64() * 1e3,
        totals.0.as_secs_f64() * 1e3
    );
}

fn print_json(rows: &[Row], engine: &Engine, events: u64, totals: (Duration, Duration), overhead: f64) {
    let rules: Vec<_> = rows
        .iter()
        .map(|r| {
            let by: serde_json::Map<String, serde_json::Value> = r
                .by_event_type
                .iter()
                .map(|(name, c)| {
                    (
                        name.clone(),
                        json!({"evaluations": c.evaluations, "total_ns": (c.seconds * 1e9).round() as u64}),
                    )
                })
                .collect();
            json!({
                "rule": r.rule,
                "evaluations": r.cost.evaluations,
                "matches": r.matches,
                "total_ns": (r.cost.seconds * 1e9).round() as u64,
                "ns_per_eval": (ns_per_eval(&r.cost) * 10.0).round() / 10.0,
                "by_event_type": by,
                "unique_fields": r.unique_fields,
                "estimated": r.estimate.as_ref().map(|e| json!({
                    "ns_per_eval": (e.per_eval * 10.0).round() / 10.0,
                    "evals_per_1000_events": (e.evals_per_1000 * 100.0).round() / 100.0,
                    "ns_per_1000_events": (e.per_1000_events() * 10.0).round() / 10.0,
                })),
            })
        })
        .collect();
    let doc = json!({
        "engine": engine.backend().to_string(),
        "events": events,
        "replay_ns": totals.0.as_nanos() as u64,
        "profiled_replay_ns": totals.1.as_nanos() as u64,
        "overhead": (overhead * 100.0).round() / 100.0,
        "rules": rules,
    });
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}
