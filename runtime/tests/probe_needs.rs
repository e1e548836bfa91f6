//! What the probe leaves out for a ruleset (issue 18), proven on every capture: each is
//! replayed twice with each ruleset, as recorded and as the probe sends it, and the alerts
//! must be the same, text and fields. For each part, a ruleset that needs it sees its alerts
//! change without it (so the comparison can fail).
//! - Parameter masks: an open's file information (`dev`, `ino`, the `O_F_*` bits of
//!   `flags`, creat's `creat_flags`) is sent only when a loaded rule can observe it.
//! - The failed-open prefilter: a failed open is sent only when a rule can match it, as
//!   [`FailedOpens::sends`] models the probe's test.
//! - Close times: a close is sent with time 0 (the probe does not read the clock) when no
//!   rule sees closes or reads a time relative to another event.

mod common;

use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::{Options, SourceFile, analyze};
use falcorc_runtime::engine::{Engine, EngineOptions, RuleMatching};
use falcorc_runtime::event::Event;
use falcorc_runtime::needs::{self, FailedOpens};
use falcorc_runtime::output::Outputs;
use falcorc_runtime::replay::replay;
use falcorc_runtime::scap::{ScapReader, ScapWriter};
use std::path::{Path, PathBuf};

const O_F_BITS: u32 = (1 << 14) | (1 << 15) | (1 << 16);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn analyzed(files: Vec<SourceFile>) -> falcorc_compiler::ir::Program {
    let an = analyze(files, &Options::default());
    assert_eq!(an.errors(), 0, "the rules load");
    an.program
}

fn files_of(paths: &[PathBuf]) -> Vec<SourceFile> {
    paths
        .iter()
        .map(|p| SourceFile {
            name: p.display().to_string(),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect()
}

fn default_ruleset() -> Vec<SourceFile> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    files_of(&paths)
}

/// Every capture the tests have: the shared ones, the default ruleset's recordings and the
/// recordings of ordinary work.
fn captures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = common::CAPTURES.iter().filter_map(|c| common::capture(c)).collect();
    for dir in ["rules/tests/recorded", "testdata/benign"] {
        let mut rec: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".scap.gz"))
            .collect();
        rec.sort();
        out.extend(rec);
    }
    out
}

/// What the probe does with one recorded event.
enum Sent {
    As,
    Dropped,
    With(Vec<Vec<u8>>),
    /// As recorded, with time 0.
    Untimed,
}

fn is_open_exit(ev: &Event<'_>) -> bool {
    needs::OPEN_EVENTS.contains(&ev.name()) && ev.dir() == falcorc_compiler::sema::catalog::events::Dir::Exit
}

/// `path` as the probe sends it when `sent` says what becomes of each event; how many
/// events it changed or dropped.
fn as_sent(path: &Path, sent: impl Fn(&Event<'_>) -> Sent) -> (Vec<u8>, usize) {
    let mut r = ScapReader::open(path).unwrap();
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    if let Some(m) = r.machine() {
        w.write_machine_info(m).unwrap();
    }
    w.write_interfaces(r.interfaces()).unwrap();
    w.write_users(r.users(), r.groups()).unwrap();
    w.write_threads(r.threads()).unwrap();
    w.write_fd_table(r.fds()).unwrap();
    let mut seen = r.metadata_blocks();
    let mut changed = 0;
    while let Some((ev, lists)) = r.next_event_with_lists().unwrap() {
        if lists.metadata_blocks() != seen {
            seen = lists.metadata_blocks();
            w.write_threads(lists.threads()).unwrap();
            w.write_fd_table(lists.fds()).unwrap();
        }
        let params = match sent(&ev) {
            Sent::As => {
                w.write(&ev).unwrap();
                continue;
            }
            Sent::Dropped => {
                changed += 1;
                continue;
            }
            Sent::With(params) => (ev.ts, params),
            Sent::Untimed => (0, ev.params_raw().map(<[u8]>::to_vec).collect()),
        };
        let (ts, params) = params;
        let refs: Vec<&[u8]> = params.iter().map(Vec::as_slice).collect();
        if ev.flags != 0 {
            w.write_event_with_flags(ts, ev.tid, ev.code, ev.cpu, ev.flags, &refs)
                .unwrap();
        } else {
            w.write_event(ts, ev.tid, ev.code, ev.cpu, &refs).unwrap();
        }
        changed += 1;
    }
    (w.finish().unwrap(), changed)
}

/// `path` as the probe sends it when opens carry no file information: the same capture,
/// each open event's dev, ino and creat_flags empty and the O_F_* bits of its flags clear.
fn without_file_info(path: &Path) -> (Vec<u8>, usize) {
    as_sent(path, |ev| {
        if !is_open_exit(ev) {
            return Sent::As;
        }
        let mut params: Vec<Vec<u8>> = ev.params_raw().map(<[u8]>::to_vec).collect();
        for name in ["dev", "ino", "creat_flags"] {
            if let Some(i) = ev.param_index(name).filter(|&i| i < params.len()) {
                params[i].clear();
            }
        }
        if let Some(i) = ev
            .param_index("flags")
            .filter(|&i| params.get(i).is_some_and(|p| p.len() == 4))
        {
            let f = u32::from_le_bytes(params[i][..4].try_into().unwrap()) & !O_F_BITS;
            params[i] = f.to_le_bytes().to_vec();
        }
        Sent::With(params)
    })
}

/// A failed open's path as recorded, or None for any other event.
fn failed_open_path<'e>(ev: &'e Event<'_>) -> Option<&'e [u8]> {
    if !is_open_exit(ev) {
        return None;
    }
    let res = ev.params_raw().next()?;
    let failed = res.len() == 8 && i64::from_le_bytes(res.try_into().ok()?) < 0;
    let name = ev.param_index("name").or_else(|| ev.param_index("path"))?;
    failed.then(|| ev.params_raw().nth(name)).flatten()
}

/// `path` without the failed opens that `filter` does not send.
fn without_failed_opens(path: &Path, filter: &FailedOpens) -> (Vec<u8>, usize) {
    as_sent(path, |ev| match failed_open_path(ev) {
        Some(p) if !filter.sends(p) => Sent::Dropped,
        _ => Sent::As,
    })
}

/// `path` with every close sent without its time.
fn without_close_times(path: &Path) -> (Vec<u8>, usize) {
    as_sent(path, |ev| if ev.name() == "close" { Sent::Untimed } else { Sent::As })
}

/// Every alert of `reader`'s events (all matching rules), as JSON lines.
fn alerts<R: std::io::Read>(program: &falcorc_compiler::ir::Program, reader: &mut ScapReader<R>) -> Vec<String> {
    let engine = Engine::new(
        program.clone(),
        &EngineOptions {
            matching: RuleMatching::All,
            ..EngineOptions::default()
        },
    );
    let outputs = Outputs::new(&engine.program, Env::default());
    let mut out = Vec::new();
    let (_, err) = replay(
        reader,
        &engine,
        &outputs,
        "host",
        &mut |a| out.push(a.json().to_string()),
        |_| {},
    );
    assert!(err.is_none(), "{err:?}");
    out
}

/// Alerts of every capture as recorded and as `sent` makes it: (alerts, events changed,
/// the captures whose alerts differ).
fn compare_with(
    program: &falcorc_compiler::ir::Program,
    sent: impl Fn(&Path) -> (Vec<u8>, usize),
) -> (usize, usize, Vec<String>) {
    let (mut alerts_total, mut opens, mut differ) = (0, 0, Vec::new());
    for path in captures() {
        let full = alerts(program, &mut ScapReader::open(&path).unwrap());
        let (bytes, changed) = sent(&path);
        let masked = alerts(program, &mut ScapReader::new(std::io::Cursor::new(bytes)).unwrap());
        alerts_total += full.len();
        opens += changed;
        if full != masked {
            differ.push(path.display().to_string());
        }
    }
    (alerts_total, opens, differ)
}

/// `program`'s alerts on every capture are the same as recorded and as `sent` makes it,
/// which changed at least `min` events of the kind `what` names.
fn assert_same_alerts(
    name: &str,
    what: &str,
    min: usize,
    program: &falcorc_compiler::ir::Program,
    sent: impl Fn(&Path) -> (Vec<u8>, usize),
) {
    let (alerts, changed, differ) = compare_with(program, sent);
    eprintln!("{name}: {changed} {what}, {alerts} alerts the same");
    assert!(
        changed > min && alerts > 10,
        "{name}: {changed} {what}, {alerts} alerts: the comparison saw too little"
    );
    assert!(differ.is_empty(), "{name}: alerts differ ({what}) on {differ:?}");
}

fn compare(program: &falcorc_compiler::ir::Program) -> (usize, usize, Vec<String>) {
    compare_with(program, without_file_info)
}

fn rulesets() -> Vec<(&'static str, falcorc_compiler::ir::Program)> {
    let stable = common::shared_dir().join("falco-upstream/falco_rules.yaml");
    let mut out = vec![("default", analyzed(default_ruleset()))];
    if stable.is_file() {
        out.push(("stable", analyzed(files_of(&[stable]))));
    }
    out
}

fn one_rule(condition: &str, output: &str) -> falcorc_compiler::ir::Program {
    analyzed(vec![SourceFile {
        name: "r.yaml".into(),
        text: format!("- rule: r\n  desc: d\n  condition: {condition}\n  output: \"{output}\"\n  priority: WARNING\n"),
    }])
}

#[test]
fn stable_and_default_rulesets_do_not_observe_file_information() {
    for (name, program) in rulesets() {
        assert!(!needs::of_program(&program).open_file_info, "{name}");
        assert_same_alerts(
            name,
            "opens without file information",
            1000,
            &program,
            without_file_info,
        );
    }
}

#[test]
fn rules_that_read_file_information_need_it_and_see_the_difference() {
    let rules = one_rule;
    let open = "evt.type in (open, openat, openat2) and fd.name != ''";
    let cases = [
        (format!("{open} and fd.ino > 0"), "ino"),
        (format!("{open} and evt.arg.dev exists"), "dev"),
        (open.to_string(), "%evt.arg.flags"),
        (open.to_string(), "%fd.ino"),
        ("evt.type = read and fd.dev > 0".to_string(), "read"),
        (format!("{open} and evt.arg.flags contains CREATED"), "created"),
        (format!("{open} and evt.arg.flags = O_RDONLY"), "exact flags"),
    ];
    for (cond, out) in &cases {
        let p = rules(cond, out);
        assert!(needs::of_program(&p).open_file_info, "{cond} | {out}");
    }
    // The comparison itself can fail: a rule printing the inode number changes.
    let p = rules(open, "%fd.ino");
    let (_, _, differ) = compare(&p);
    assert!(
        !differ.is_empty(),
        "alerts printing fd.ino must differ without file information"
    );
    // And a test that cannot meet the O_F_* names does not need it.
    let p = rules(
        &format!("{open} and evt.arg.flags contains O_TRUNC"),
        "%fd.name %evt.arg.name",
    );
    assert!(!needs::of_program(&p).open_file_info);
}

#[test]
fn failed_opens_no_rule_can_match_are_not_needed() {
    for (name, program) in rulesets() {
        let filter = needs::of_program(&program).failed_opens;
        assert!(matches!(filter, FailedOpens::Paths(_)), "{name}: {filter:?}");
        assert_same_alerts(name, "failed opens not sent", 500, &program, |p| {
            without_failed_opens(p, &filter)
        });
    }
}

#[test]
fn rules_that_match_failed_opens_keep_them_and_see_the_difference() {
    let failed = "evt.type in (open, openat, openat2) and fd.num = -1";
    // The same failed opens, bounded in different ways.
    for cond in [
        format!("{failed} and fd.name startswith /usr/"),
        format!("{failed} and (fd.name endswith .so or fd.nameraw contains lib)"),
        format!("{failed} and fd.directory in (/usr/lib, /etc, /usr/lib/x86_64-linux-gnu)"),
        format!("{failed} and fd.name glob '/usr/*'"),
    ] {
        let p = one_rule(&cond, "%fd.name %evt.res");
        let filter = needs::of_program(&p).failed_opens;
        assert!(
            matches!(&filter, FailedOpens::Paths(t) if !t.is_empty()),
            "{cond}: {filter:?}"
        );
        let (alerts, dropped, differ) = compare_with(&p, |path| without_failed_opens(path, &filter));
        assert!(alerts > 0 && dropped > 0, "{cond}: {alerts} alerts, {dropped} dropped");
        assert!(differ.is_empty(), "{cond}: alerts differ on {differ:?}");
        // Dropping every failed open loses this rule's alerts: the comparison can fail.
        let (_, _, differ) = compare_with(&p, |path| without_failed_opens(path, &FailedOpens::Paths(vec![])));
        assert!(!differ.is_empty(), "{cond}: alerts must differ without any failed open");
    }
    // A rule that can match any failed open needs them all.
    let p = one_rule(&format!("{failed} and proc.name != x"), "%fd.name");
    assert_eq!(needs::of_program(&p).failed_opens, FailedOpens::All);
}

#[test]
fn close_times_are_not_needed_by_the_stable_and_default_rulesets() {
    for (name, program) in rulesets() {
        assert!(!needs::of_program(&program).close_time, "{name}");
        assert_same_alerts(name, "closes without a time", 1000, &program, without_close_times);
    }
}

#[test]
fn rules_that_see_closes_or_relative_times_need_close_times_and_see_the_difference() {
    let open = "evt.type in (open, openat, openat2) and fd.name != ''";
    for (cond, out) in [
        ("evt.type = close", "%evt.time"),
        ("evt.type = close and evt.rawtime > 0", "x"),
        (open, "%evt.deltatime"),
        (open, "%evt.reltime.ns"),
        (&format!("{open} and evt.deltatime < 1000000000"), "x"),
    ] {
        let p = one_rule(cond, out);
        assert!(needs::of_program(&p).close_time, "{cond} | {out}");
    }
    // The comparison can fail: the time since the previous event moves when a close in
    // between has no time, and a close's own time reads 0.
    for (cond, out) in [(open, "%evt.deltatime"), ("evt.type = close", "%evt.rawtime")] {
        let (_, _, differ) = compare_with(&one_rule(cond, out), without_close_times);
        assert!(
            !differ.is_empty(),
            "{cond} | {out}: alerts must differ without close times"
        );
    }
    assert!(!needs::of_program(&one_rule(open, "%evt.time %evt.rawtime %fd.name")).close_time);
}
