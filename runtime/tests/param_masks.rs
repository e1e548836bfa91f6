//! The probe's parameter masks (issue 18): an open's file information (`dev`, `ino`, the
//! `O_F_*` bits of `flags`, creat's `creat_flags`) is sent only when a loaded rule can
//! observe it. Here every capture is replayed twice with each ruleset the mask applies to:
//! as recorded, and as the probe sends it without the file information; the alerts must be
//! the same, text and fields. A ruleset that reads the file information needs it, and its
//! alerts do change without it (so this comparison can fail).

mod common;

use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::{Options, SourceFile, analyze};
use falcorc_runtime::engine::{Engine, EngineOptions, RuleMatching};
use falcorc_runtime::needs::{self, Needs};
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

/// Every capture the tests have: the shared ones and the default ruleset's recordings.
fn captures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = common::CAPTURES.iter().filter_map(|c| common::capture(c)).collect();
    let recorded = repo().join("rules/tests/recorded");
    let mut rec: Vec<PathBuf> = std::fs::read_dir(&recorded)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".scap.gz"))
        .collect();
    rec.sort();
    out.extend(rec);
    out
}

/// `path` as the probe sends it when opens carry no file information: the same capture,
/// each open event's dev, ino and creat_flags empty and the O_F_* bits of its flags clear.
fn without_file_info(path: &Path) -> (Vec<u8>, usize) {
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
        let is_open =
            needs::OPEN_EVENTS.contains(&ev.name()) && ev.dir() == falcorc_compiler::sema::catalog::events::Dir::Exit;
        if !is_open {
            w.write(&ev).unwrap();
            continue;
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
        let refs: Vec<&[u8]> = params.iter().map(Vec::as_slice).collect();
        if ev.flags != 0 {
            w.write_event_with_flags(ev.ts, ev.tid, ev.code, ev.cpu, ev.flags, &refs)
                .unwrap();
        } else {
            w.write_event(ev.ts, ev.tid, ev.code, ev.cpu, &refs).unwrap();
        }
        changed += 1;
    }
    (w.finish().unwrap(), changed)
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

fn compare(program: &falcorc_compiler::ir::Program) -> (usize, usize, Vec<String>) {
    let (mut alerts_total, mut opens, mut differ) = (0, 0, Vec::new());
    for path in captures() {
        let full = alerts(program, &mut ScapReader::open(&path).unwrap());
        let (bytes, changed) = without_file_info(&path);
        let masked = alerts(program, &mut ScapReader::new(std::io::Cursor::new(bytes)).unwrap());
        alerts_total += full.len();
        opens += changed;
        if full != masked {
            differ.push(path.display().to_string());
        }
    }
    (alerts_total, opens, differ)
}

#[test]
fn stable_and_default_rulesets_do_not_observe_file_information() {
    let stable = common::shared_dir().join("falco-upstream/falco_rules.yaml");
    let mut rulesets = vec![("default", analyzed(default_ruleset()))];
    if stable.is_file() {
        rulesets.push(("stable", analyzed(files_of(&[stable]))));
    }
    for (name, program) in rulesets {
        assert_eq!(needs::of_program(&program), Needs { open_file_info: false }, "{name}");
        let (alerts, opens, differ) = compare(&program);
        assert!(
            opens > 1000 && alerts > 10,
            "{name}: {opens} opens, {alerts} alerts: the comparison saw too little"
        );
        assert!(
            differ.is_empty(),
            "{name}: alerts differ without file information on {differ:?}"
        );
    }
}

#[test]
fn rules_that_read_file_information_need_it_and_see_the_difference() {
    let rules = |condition: &str, output: &str| {
        analyzed(vec![SourceFile {
            name: "r.yaml".into(),
            text: format!(
                "- rule: r\n  desc: d\n  condition: {condition}\n  output: \"{output}\"\n  priority: WARNING\n"
            ),
        }])
    };
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
    assert_eq!(needs::of_program(&p), Needs { open_file_info: false });
}
