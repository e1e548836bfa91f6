//! List values as Falco prints them in text outputs: `fd.types` (a list field, also with
//! an index) and a transformer over it are written in parentheses, `(file,unix)`, and a
//! string transformer applies to each value (libsinsp's `tostring` of an `EPF_IS_LIST`
//! field; `add_transformer` checks the element type and keeps the list). JSON keeps arrays.

mod common;

use falcorc_runtime::scap::{FdDetails, FdInfo, ScapWriter, ThreadInfo};

/// The alerts (text message, JSON output fields) of one rule on a `read` of fd 3 by a
/// process that holds a file (fd 3) and a unix socket (fd 4).
fn alerts(condition: &str, output: &str) -> Vec<(String, serde_json::Value)> {
    let mut w = ScapWriter::new(Vec::new()).unwrap();
    w.write_threads(&[ThreadInfo {
        tid: 200,
        pid: 200,
        ptid: 1,
        comm: "cat".into(),
        exe: "cat".into(),
        ..ThreadInfo::default()
    }])
    .unwrap();
    w.write_fds(
        200,
        &[
            FdInfo {
                fd: 3,
                ino: 0,
                details: FdDetails::File {
                    open_flags: 1,
                    name: "/etc/passwd".into(),
                    dev: 0,
                },
            },
            FdInfo {
                fd: 4,
                ino: 0,
                details: FdDetails::UnixSocket {
                    source: 1,
                    dest: 2,
                    name: "/run/x.sock".into(),
                },
            },
        ],
    )
    .unwrap();
    // read exit (code 7): res, data, fd, size.
    w.write_event(
        1_000,
        200,
        7,
        0,
        &[&4i64.to_le_bytes(), b"root", &3i64.to_le_bytes(), &4u32.to_le_bytes()],
    )
    .unwrap();
    let bytes = w.finish().unwrap();
    let rules = format!(
        "- rule: r\n  desc: d\n  condition: evt.type = read and {condition}\n  output: '{output}'\n  priority: INFO\n"
    );
    common::alerts_on_both_backends(&rules, &bytes)
        .into_iter()
        .map(|a| (a.message, serde_json::Value::Object(a.fields.into_iter().collect())))
        .collect()
}

#[test]
fn list_values_print_in_parentheses() {
    let got = alerts(
        "fd.types intersects (file)",
        "%fd.types %toupper(fd.types) %fd.types[3] %len(fd.types) %fd.name",
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "(file,unix) (FILE,UNIX) (file) 2 /etc/passwd");
    let fields = &got[0].1;
    assert_eq!(fields["fd.types"], serde_json::json!(["file", "unix"]));
    assert_eq!(fields["fd.types[3]"], serde_json::json!(["file"]));
}

#[test]
fn a_transformed_list_keeps_the_list_operators() {
    assert_eq!(alerts("toupper(fd.types) in (FILE, UNIX)", "x").len(), 1);
    assert_eq!(
        alerts("toupper(fd.types) in (FILE)", "x").len(),
        0,
        "every value must be in the set"
    );
    assert_eq!(alerts("basename(fd.types) intersects (unix)", "x").len(), 1);
    assert_eq!(alerts("fd.types[3] in (file)", "x").len(), 1);
}
