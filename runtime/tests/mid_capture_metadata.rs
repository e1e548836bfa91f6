//! Replays of small hand-written captures: a process list written between events (as
//! long recordings do) reaches the state tracker, so later events of that process see its
//! name; and a replay that checks one engine against another reports where they differ.

use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::{Options, SourceFile, analyze};
use falcorc_runtime::engine::{Engine, EngineOptions, RuleMatching};
use falcorc_runtime::output::Outputs;
use falcorc_runtime::replay::{replay, replay_compared};
use falcorc_runtime::scap::{ScapReader, ScapWriter, ThreadInfo};

fn close_event(w: &mut ScapWriter<Vec<u8>>, ts: u64, tid: u64) {
    // close exit (code 5): res, fd.
    w.write_event(ts, tid, 5, 0, &[&0i64.to_le_bytes(), &3i64.to_le_bytes()])
        .unwrap();
}

fn thread(tid: u64, comm: &str) -> ThreadInfo {
    ThreadInfo {
        tid,
        pid: tid,
        comm: comm.into(),
        exe: comm.into(),
        ..ThreadInfo::default()
    }
}

fn program(rules: &str) -> falcorc_compiler::ir::Program {
    let an = analyze(
        vec![SourceFile {
            name: "r.yaml".into(),
            text: rules.into(),
        }],
        &Options::default(),
    );
    assert_eq!(an.errors(), 0);
    an.program
}

#[test]
fn late_process_list_updates_the_tracker() {
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    w.write_threads(&[thread(10, "early")]).unwrap();
    close_event(&mut w, 1_000, 10);
    close_event(&mut w, 2_000, 20); // tid 20 is not known yet
    w.write_threads(&[thread(20, "late")]).unwrap();
    close_event(&mut w, 3_000, 20); // the first event after the block sees it
    close_event(&mut w, 4_000, 20);
    let bytes = w.finish().unwrap();

    let rules = "- rule: named\n  desc: d\n  condition: evt.type = close and proc.name in (early, late)\n  output: \"%proc.name\"\n  priority: INFO\n";
    let program = program(rules);
    let outputs = Outputs::new(&program, Env::default());
    let engine = Engine::new(
        program,
        &EngineOptions {
            matching: RuleMatching::All,
            ..EngineOptions::default()
        },
    );
    let mut reader = ScapReader::new(std::io::Cursor::new(bytes)).unwrap();
    let mut alerts = Vec::new();
    let (stats, err) = replay(&mut reader, &engine, &outputs, "h", &mut |a| alerts.push(a), |_| {});
    assert!(err.is_none());
    assert_eq!(stats.events, 4);
    let seen: Vec<(u64, String)> = alerts.iter().map(|a| (a.ts, a.message.clone())).collect();
    assert_eq!(
        seen,
        [
            (1_000, "early".to_string()),
            (3_000, "late".to_string()),
            (4_000, "late".to_string())
        ]
    );
}

/// `replay_compared` notices when the second engine matches other rules (here: a second
/// engine with the rule deselected) and keeps the alerts of the first.
#[test]
fn a_second_engine_that_disagrees_is_reported() {
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    w.write_threads(&[thread(10, "early")]).unwrap();
    for ts in 1..=3 {
        close_event(&mut w, ts * 1000, 10);
    }
    let bytes = w.finish().unwrap();
    let rules = "- rule: named\n  desc: d\n  condition: evt.type = close and proc.name = early\n  output: \"%proc.name\"\n  priority: INFO\n";
    let program = program(rules);
    let outputs = Outputs::new(&program, Env::default());
    let same = Engine::new(program.clone(), &EngineOptions::default());
    let without = Engine::new(
        program.clone(),
        &EngineOptions {
            selectors: vec![falcorc_runtime::engine::Selector::DisableRule("named".into())],
            ..EngineOptions::default()
        },
    );
    let engine = Engine::new(program, &EngineOptions::default());
    let run = |other: &Engine| {
        let mut reader = ScapReader::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let mut alerts = 0;
        let (stats, err) = replay_compared(
            &mut reader,
            &engine,
            Some(other),
            &outputs,
            "h",
            &mut |_| alerts += 1,
            |_| {},
        );
        assert!(err.is_none());
        (stats, alerts)
    };
    let (stats, alerts) = run(&same);
    assert_eq!((stats.compared, stats.differences, alerts), (3, 0, 3));
    assert!(stats.first_difference.is_none());
    let (stats, alerts) = run(&without);
    assert_eq!((stats.compared, stats.differences, alerts), (3, 3, 3));
    let (num, ours, theirs) = stats.first_difference.unwrap();
    assert_eq!((ours, theirs), (vec![0], vec![]));
    assert!(num > 0);
}

/// A later process list does not bring back a descriptor the start-up fd list named and the
/// stream has closed since: only the new block's entries are taken in.
#[test]
fn a_late_block_does_not_reopen_a_closed_fd() {
    use falcorc_runtime::scap::{FdDetails, FdInfo};
    let read_event = |w: &mut ScapWriter<Vec<u8>>, ts: u64, tid: u64| {
        // read exit (code 7): res, data, fd, size.
        w.write_event(
            ts,
            tid,
            7,
            0,
            &[&1i64.to_le_bytes(), b"x", &3i64.to_le_bytes(), &1u32.to_le_bytes()],
        )
        .unwrap();
    };
    let file = FdInfo {
        fd: 3,
        ino: 0,
        details: FdDetails::File {
            open_flags: 1,
            name: "/etc/a".into(),
            dev: 0,
        },
    };
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    w.write_threads(&[thread(10, "early")]).unwrap();
    w.write_fd_table(&[(10, file)]).unwrap();
    read_event(&mut w, 1_000, 10); // fd 3 is /etc/a
    close_event(&mut w, 2_000, 10); // closes fd 3
    w.write_threads(&[thread(20, "late")]).unwrap();
    read_event(&mut w, 3_000, 10); // fd 3 is unknown now
    let bytes = w.finish().unwrap();

    let rules = "- rule: named\n  desc: d\n  condition: evt.type = read and fd.name = /etc/a\n  output: \"%fd.name\"\n  priority: INFO\n";
    let program = program(rules);
    let outputs = Outputs::new(&program, Env::default());
    let engine = Engine::new(program, &EngineOptions::default());
    let mut reader = ScapReader::new(std::io::Cursor::new(bytes)).unwrap();
    let mut alerts = Vec::new();
    let (stats, err) = replay(&mut reader, &engine, &outputs, "h", &mut |a| alerts.push(a.ts), |_| {});
    assert!(err.is_none());
    assert_eq!(stats.events, 3);
    assert_eq!(alerts, [1_000]);
}
