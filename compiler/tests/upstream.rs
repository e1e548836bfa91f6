//! Falco's stable ruleset loads cleanly, with the counts and event types Falco gets.
//! Reads ../shared/falco-upstream/falco_rules.yaml (or $FALCORC_SHARED/falco-upstream/...).

use falcorc_compiler::{Options, SourceFile, analyze};
use std::path::PathBuf;

fn shared() -> PathBuf {
    std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

fn load() -> Option<falcorc_compiler::Analysis> {
    load_with(&Options::default())
}

fn load_with(opts: &Options) -> Option<falcorc_compiler::Analysis> {
    let path = shared().join("falco-upstream/falco_rules.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipping: {} not found (set FALCORC_SHARED)", path.display());
        return None;
    };
    Some(analyze(
        vec![SourceFile {
            name: "falco_rules.yaml".into(),
            text,
        }],
        opts,
    ))
}

/// What falcorc's checks, at their default levels, find in Falco's stable rules: each
/// one verified and explained in docs/LINT.md ("Findings in Falco's own rules").
const EXPECTED_FINDINGS: &[(&str, &str)] = &[
    ("output-field-unavailable", "Remove Bulk Data from Disk"),
    ("output-field-unavailable", "Execution from /dev/shm"),
];

#[test]
fn stable_ruleset_loads_without_problems() {
    let Some(a) = load() else { return };
    let problems: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code.check().is_none())
        .map(|d| format!("{}: {}", d.code.name(), d.message))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let findings: Vec<(&str, &str)> = a
        .diagnostics
        .iter()
        .filter(|d| d.code.check().is_some())
        .map(|d| (d.code.name(), d.item.as_ref().map_or("", |i| i.name.as_str())))
        .collect();
    assert_eq!(findings, EXPECTED_FINDINGS);
    assert_eq!((a.rules.len(), a.macros.len(), a.lists.len()), (25, 87, 49));
    assert_eq!(a.runnable_rules().count(), 25);
    assert_eq!(a.program.rules.len(), 25, "every rule lowers to the IR");
    assert!(a.schema_ok);
    assert_eq!(
        a.required_engine_version.map(|v| v.to_string()).as_deref(),
        Some("0.57.0")
    );
}

#[test]
fn stable_ruleset_event_types() {
    let Some(a) = load() else { return };
    let exec = "execve,execveat";
    let open = "open,openat,openat2";
    let expected: &[(&str, &str)] = &[
        ("Directory traversal monitored file read", open),
        ("Read sensitive file trusted after startup", open),
        ("Read sensitive file untrusted", open),
        ("Run shell untrusted", exec),
        ("System user interactive", exec),
        ("Terminal shell in container", exec),
        ("Contact K8S API Server From Container", "connect"),
        ("Netcat Remote Code Execution in Container", exec),
        ("Search Private Keys or Passwords", exec),
        ("Clear Log Activities", open),
        ("Remove Bulk Data from Disk", exec),
        ("Create Symlink Over Sensitive Files", "symlink,symlinkat"),
        ("Create Hardlink Over Sensitive Files", "link,linkat"),
        ("Packet socket created in container", "socket"),
        (
            "Redirect STDOUT/STDIN to Network Connection in Container",
            "dup,dup2,dup3",
        ),
        ("Linux Kernel Module Injection Detected", "init_module,finit_module"),
        ("Debugfs Launched in Privileged Container", exec),
        ("Detect release_agent File Container Escapes", open),
        ("PTRACE attached to process", "ptrace"),
        ("PTRACE anti-debug attempt", "ptrace"),
        ("Find AWS Credentials", exec),
        ("Execution from /dev/shm", exec),
        ("Drop and execute new binary in container", exec),
        ("Disallowed SSH Connection Non Standard Port", "connect,sendto,sendmsg"),
        ("Fileless execution via memfd_create", exec),
    ];
    assert_eq!(a.rules.len(), expected.len());
    for (name, want) in expected {
        let r = a
            .rules
            .iter()
            .find(|r| r.name == *name)
            .unwrap_or_else(|| panic!("rule {name} missing"));
        let set = r.evttypes.as_ref().expect("syscall rule has an event set");
        let got = set.names().join(",");
        let mut got_sorted: Vec<_> = got.split(',').collect();
        let mut want_sorted: Vec<_> = want.split(',').collect();
        got_sorted.sort();
        want_sorted.sort();
        assert_eq!(got_sorted, want_sorted, "event types of {name}");
        // A name matches every code of that name: all versions, enter and exit.
        for n in want.split(',') {
            for c in falcorc_compiler::sema::catalog::event_codes(n).unwrap_or_default() {
                assert!(set.contains(c), "{name}: code {c} of {n} missing");
            }
        }
    }
    let execve = falcorc_compiler::sema::catalog::event_codes("execve").unwrap_or_default();
    assert_eq!(execve.len(), 16);
}

/// `exit_after` (what the CLI sets) only leaves memory to the process exit: every check on,
/// the findings, rules, macros and lists are those of a normal analysis.
#[test]
fn leaving_memory_to_the_exit_changes_no_result() {
    let run = |exit_after: bool| {
        let mut opts = Options {
            exit_after,
            lower: false,
            ..Options::default()
        };
        // `--select all`.
        opts.lint.set(
            falcorc_compiler::lint::Selector::All,
            falcorc_compiler::lint::Level::Warn,
        );
        let a = load_with(&opts)?;
        let findings: Vec<String> = a.diagnostics.iter().map(|d| format!("{d:?}")).collect();
        let rules: Vec<String> = a
            .rules
            .iter()
            .map(|r| format!("{:?} {:?}", r.name, r.evttypes))
            .collect();
        Some((findings, rules, a.macros.len(), a.lists.len()))
    };
    let Some(kept) = run(false) else { return };
    assert!(kept.0.len() > 50, "{} findings with every check on", kept.0.len());
    assert_eq!(run(true), Some(kept));
}
