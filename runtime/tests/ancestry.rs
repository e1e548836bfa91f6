//! The ancestor fields as libsinsp reads them (`sinsp_filtercheck_thread.cpp`): without a
//! level, a condition compares every ancestor (the process itself excluded) and is true as
//! soon as one matches, `!=` included; an output extracts the process's own value (its loop
//! over `-1` levels never runs). `proc.aenv[N]` compares like `proc.aenv` in a condition
//! (its index is read only when extracting), and `proc.aenv[NAME]` is the nearest ancestor's
//! value of NAME.

mod common;

use falcorc_runtime::scap::{ScapWriter, ThreadInfo};

fn process(tid: u64, ptid: u64, comm: &str, env: &[&str]) -> ThreadInfo {
    ThreadInfo {
        tid,
        pid: tid,
        ptid,
        comm: comm.into(),
        exe: comm.into(),
        env: env.iter().map(|e| e.to_string()).collect(),
        ..ThreadInfo::default()
    }
}

/// Which rules match one `close` of `cat` (child of `bash`, child of `init`), and the
/// output of each match.
fn matches(conditions: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    w.write_threads(&[
        process(1, 0, "init", &["INIT=1"]),
        process(100, 1, "bash", &["FOO=1", "SHELL=/bin/bash"]),
        process(200, 100, "cat", &["CAT=1"]),
    ])
    .unwrap();
    // close exit (code 5): res, fd.
    w.write_event(1_000, 200, 5, 0, &[&0i64.to_le_bytes(), &3i64.to_le_bytes()])
        .unwrap();
    let bytes = w.finish().unwrap();
    let rules: String = conditions
        .iter()
        .map(|(cond, output)| {
            format!("- rule: '{cond}'\n  desc: d\n  condition: evt.type = close and {cond}\n  output: '{output}'\n  priority: INFO\n")
        })
        .collect();
    common::alerts_on_both_backends(&rules, &bytes)
        .into_iter()
        .map(|a| (a.rule.to_string(), a.message))
        .collect()
}

#[test]
fn ancestors_without_a_level_compare_every_ancestor() {
    let got = matches(&[
        ("proc.aname = bash", "%proc.aname"),
        ("proc.aname = cat", "self"),
        // One ancestor that is not bash (init) is enough.
        ("proc.aname != bash", "ne"),
        ("proc.apid = 1", "%proc.apid"),
        ("proc.aname[1] = bash", "%proc.aname[1] %proc.aname[2]"),
    ]);
    let want = [
        ("proc.aname = bash", "cat"),
        ("proc.aname != bash", "ne"),
        ("proc.apid = 1", "200"),
        ("proc.aname[1] = bash", "bash init"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
}

#[test]
fn aenv_compares_the_ancestors_and_extracts_by_level_or_name() {
    let got = matches(&[
        ("proc.aenv contains \"FOO=1\"", "%proc.aenv"),
        ("proc.aenv contains \"CAT=1\"", "self"),
        // The index is not read in a condition: any ancestor.
        ("proc.aenv[7] contains \"INIT=1\"", "%proc.aenv[1]"),
        ("proc.aenv[SHELL] = /bin/bash", "%proc.aenv[SHELL] %proc.aenv[INIT]"),
        ("proc.aenv[CAT] = 1", "self"),
    ]);
    let want = [
        ("proc.aenv contains \"FOO=1\"", "CAT=1"),
        ("proc.aenv[7] contains \"INIT=1\"", "FOO=1 SHELL=/bin/bash"),
        ("proc.aenv[SHELL] = /bin/bash", "/bin/bash 1"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
}
