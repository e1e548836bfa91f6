//! Helpers shared by the integration tests: locating the shared capture
//! fixtures and reading whole captures into owned values.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

use falcorc_runtime::event::OwnedEvent;
use falcorc_runtime::scap::{
    FdInfo, GroupInfo, Interfaces, MachineInfo, ScapError, ScapReader, SectionHeader, ThreadInfo, UserInfo,
};

/// The shared data directory: `$FALCORC_SHARED`, or `../../shared` from the crate.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("FALCORC_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

/// Path of capture `name`, or `None` (with a note) when the fixtures are absent.
pub fn capture(name: &str) -> Option<PathBuf> {
    let path = shared_dir().join("captures").join(name);
    if path.is_file() {
        Some(path)
    } else {
        println!(
            "note: {} not found; skipping (set FALCORC_SHARED to the shared data directory)",
            path.display()
        );
        None
    }
}

/// Every capture of the fixture set that is present.
pub const CAPTURES: [&str; 6] = [
    "falco_cat_write.scap",
    "falco_open-multiple-files.scap",
    "falco_syscall.scap",
    "falco_ping_sendto.scap",
    "libs_curl_google.scap",
    "libs_sample.scap",
];

/// Everything a capture holds, owned.
#[derive(Debug, PartialEq)]
pub struct Capture {
    pub header: SectionHeader,
    pub compressed: bool,
    pub machine: Option<MachineInfo>,
    pub threads: Vec<ThreadInfo>,
    pub fds: Vec<(u64, FdInfo)>,
    pub users: Vec<UserInfo>,
    pub groups: Vec<GroupInfo>,
    pub interfaces: Interfaces,
    pub events: Vec<OwnedEvent>,
}

/// Reads a whole capture from any reader.
pub fn read_capture<R: Read>(r: R) -> Result<Capture, ScapError> {
    let mut reader = ScapReader::new(r)?;
    let mut events = Vec::new();
    while let Some(ev) = reader.next_event()? {
        events.push(ev.to_owned_event());
    }
    Ok(Capture {
        header: *reader.header(),
        compressed: reader.is_compressed(),
        machine: reader.machine().cloned(),
        threads: reader.threads().to_vec(),
        fds: reader.fds().to_vec(),
        users: reader.users().to_vec(),
        groups: reader.groups().to_vec(),
        interfaces: reader.interfaces().clone(),
        events,
    })
}

/// Reads a whole capture file.
pub fn read_file(path: &Path) -> Capture {
    let reader = std::fs::File::open(path).unwrap();
    read_capture(reader).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The decompressed bytes of a capture file.
pub fn decompressed(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

/// The alerts of `rules` (a rules file's text, which must load without errors) on the
/// capture `bytes`, every rule matching, replayed by the interpreter and by the JIT, which
/// must agree.
pub fn alerts_on_both_backends(rules: &str, bytes: &[u8]) -> Vec<falcorc_runtime::output::Alert> {
    use falcorc_compiler::sema::typeck::Env;
    use falcorc_compiler::{Options, SourceFile, analyze};
    use falcorc_runtime::engine::{Backend, Engine, EngineOptions, RuleMatching};
    use falcorc_runtime::output::Outputs;
    let an = analyze(
        vec![SourceFile {
            name: "r.yaml".into(),
            text: rules.to_string(),
        }],
        &Options::default(),
    );
    assert_eq!(an.errors(), 0, "{:?}", an.diagnostics);
    let outputs = Outputs::new(&an.program, Env::default());
    let mut found: Option<Vec<falcorc_runtime::output::Alert>> = None;
    for backend in [Backend::Interp, Backend::Jit] {
        let engine = Engine::new(
            an.program.clone(),
            &EngineOptions {
                matching: RuleMatching::All,
                backend,
                ..EngineOptions::default()
            },
        );
        let mut reader = ScapReader::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut got = Vec::new();
        let (_, err) =
            falcorc_runtime::replay::replay(&mut reader, &engine, &outputs, "h", &mut |a| got.push(a), |_| {});
        assert!(err.is_none(), "{err:?}");
        if let Some(prev) = &found {
            let key = |a: &falcorc_runtime::output::Alert| (a.rule.to_string(), a.message.clone());
            assert_eq!(
                got.iter().map(key).collect::<Vec<_>>(),
                prev.iter().map(key).collect::<Vec<_>>(),
                "the JIT and the interpreter agree"
            );
        }
        found = Some(got);
    }
    found.unwrap_or_default()
}
