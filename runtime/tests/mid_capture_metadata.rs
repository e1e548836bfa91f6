//! A process list written between events (as long recordings do) reaches the state
//! tracker: later events of that process see its name.

use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::{Options, SourceFile, analyze};
use falcorc_runtime::engine::{Engine, EngineOptions, RuleMatching};
use falcorc_runtime::output::Outputs;
use falcorc_runtime::replay::replay;
use falcorc_runtime::scap::{ScapReader, ScapWriter, ThreadInfo};

fn close_event(w: &mut ScapWriter<Vec<u8>>, ts: u64, tid: u64) {
    // close exit (code 5): res, fd.
    w.write_event(ts, tid, 5, 0, &[&0i64.to_le_bytes(), &3i64.to_le_bytes()])
        .unwrap();
}

#[test]
fn late_process_list_updates_the_tracker() {
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    let early = ThreadInfo {
        tid: 10,
        pid: 10,
        comm: "early".into(),
        exe: "early".into(),
        ..ThreadInfo::default()
    };
    w.write_threads(&[early]).unwrap();
    close_event(&mut w, 1_000, 10);
    close_event(&mut w, 2_000, 20); // tid 20 is not known yet
    let late = ThreadInfo {
        tid: 20,
        pid: 20,
        comm: "late".into(),
        exe: "late".into(),
        ..ThreadInfo::default()
    };
    w.write_threads(&[late]).unwrap();
    close_event(&mut w, 3_000, 20); // the first event after the block sees it
    close_event(&mut w, 4_000, 20);
    let bytes = w.finish().unwrap();

    let rules = "- rule: named\n  desc: d\n  condition: evt.type = close and proc.name in (early, late)\n  output: \"%proc.name\"\n  priority: INFO\n";
    let an = analyze(
        vec![SourceFile {
            name: "r.yaml".into(),
            text: rules.into(),
        }],
        &Options::default(),
    );
    assert_eq!(an.errors(), 0);
    let outputs = Outputs::new(&an.program, Env { container_plugin: true });
    let engine = Engine::new(
        an.program,
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
