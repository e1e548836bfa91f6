//! The one way falcorc reads a file it was pointed at (feature `fs`; the rest of the
//! compiler does no IO). Hostile paths are the point: `/dev/zero`, a FIFO named
//! `rules.yaml`, a symlink to either, a file that grows while it is read, a directory
//! symlink loop. So: only regular files (checked on the opened descriptor, after
//! symlinks are resolved), opened without blocking, read with the size limit enforced
//! while reading; directory walks skip everything but regular files and directories and
//! never enter a directory twice.

use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest rules file, fixture or project file: the YAML loader's own limit, so that a
/// file the reader accepts is never refused by the loader for its size.
pub const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;

/// Deepest directory nesting a walk enters (a cap for pathological trees; loops are
/// caught by identity, not by depth).
pub const MAX_WALK_DEPTH: usize = 64;

/// Why a file could not be read. `Display` names the file.
#[derive(Debug)]
pub struct ReadError {
    pub path: PathBuf,
    pub kind: ReadErrorKind,
}

#[derive(Debug)]
pub enum ReadErrorKind {
    /// Opening, inspecting or reading failed.
    Io(std::io::Error),
    /// A device, FIFO, socket or directory: reading it could block or never end.
    NotRegular(&'static str),
    /// More bytes than the limit (found while reading: the size on disk may lie).
    TooLarge { limit: u64 },
    /// Not UTF-8; `valid_up_to` is the offset of the first bad byte.
    NotUtf8 { valid_up_to: usize },
}

impl ReadError {
    /// What went wrong, without the path (for reports that name the file already).
    pub fn reason(&self) -> String {
        match &self.kind {
            ReadErrorKind::Io(e) => e.to_string(),
            ReadErrorKind::NotRegular(what) => format!("it is a {what}, not a regular file"),
            ReadErrorKind::TooLarge { limit } => format!("it is larger than the {limit} byte limit"),
            ReadErrorKind::NotUtf8 { valid_up_to } => format!("it is not valid UTF-8 (byte {valid_up_to})"),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.reason())
    }
}

impl std::error::Error for ReadError {}

/// Read a regular file of at most `limit` bytes.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let err = |kind| ReadError {
        path: path.to_path_buf(),
        kind,
    };
    let file = open_nonblocking(path).map_err(|e| err(ReadErrorKind::Io(e)))?;
    let meta = file.metadata().map_err(|e| err(ReadErrorKind::Io(e)))?;
    if let Some(what) = not_regular(&meta.file_type()) {
        return Err(err(ReadErrorKind::NotRegular(what)));
    }
    if meta.len() > limit {
        return Err(err(ReadErrorKind::TooLarge { limit }));
    }
    // The size is a hint only (procfs says 0, a file may grow): the limit holds anyway.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| err(ReadErrorKind::Io(e)))?;
    if bytes.len() as u64 > limit {
        return Err(err(ReadErrorKind::TooLarge { limit }));
    }
    Ok(bytes)
}

/// Read a regular UTF-8 text file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|e| ReadError {
        path: path.to_path_buf(),
        kind: ReadErrorKind::NotUtf8 {
            valid_up_to: e.utf8_error().valid_up_to(),
        },
    })
}

/// Read at most `limit` bytes from a stream (standard input); `Err(None)` when it is longer.
pub fn read_stream(r: impl Read, limit: u64) -> Result<Vec<u8>, Option<std::io::Error>> {
    let mut bytes = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(Some)?;
    if bytes.len() as u64 > limit {
        return Err(None);
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. It does
    // not change reads of regular files, the only kind read after the check below.
    const O_NONBLOCK: i32 = 0o4000;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// What a non-regular file is, for the error message.
fn not_regular(t: &std::fs::FileType) -> Option<&'static str> {
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("FIFO");
        }
        if t.is_socket() {
            return Some("socket");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("device");
        }
    }
    Some("special file")
}

/// Whether `path` (symlinks followed) is a regular file.
pub fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// The result of a directory walk.
#[derive(Debug, Default)]
pub struct Walk {
    /// Regular files accepted by the filter, sorted by path.
    pub files: Vec<PathBuf>,
    /// Directories that could not be read, and what was skipped and why (a symlink loop,
    /// a FIFO with a matching name): reported, never fatal.
    pub problems: Vec<WalkProblem>,
    /// Why `root` itself could not be read (also among the problems), for callers to
    /// whom an unreadable root is an error rather than a note.
    pub root_error: Option<String>,
}

/// A path a walk skipped, and why. `Display`: `PATH: REASON`.
#[derive(Debug)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for WalkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

/// Options of [`walk`].
pub struct WalkOptions<'a> {
    /// Which regular files to keep (called with the path of each).
    pub keep: &'a dyn Fn(&Path) -> bool,
    /// Which directories to enter below the root (hidden and build folders, say).
    pub enter: &'a dyn Fn(&Path) -> bool,
    pub max_depth: usize,
    /// Stop after this many files (a workspace full of YAML must not stall an editor).
    pub max_files: usize,
}

/// `*.yaml` or `*.yml`.
pub fn is_yaml(p: &Path) -> bool {
    p.extension().is_some_and(|x| x == "yaml" || x == "yml")
}

/// A rule fixture of `falcorc test` (`*.test.yaml`), not a rules file.
pub fn is_fixture(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".test.yaml") || n.ends_with(".test.yml"))
}

/// The rules files of a directory as a rules path names them (CLI, fixtures' `rules:`): its
/// `*.yaml`/`*.yml` in name order, not the `*.test.yaml` fixtures, not its subdirectories
/// (as Falco's `-r DIR`). Entries that are not regular files (a FIFO named `x.yaml`) are
/// problems of their own.
pub fn rules_files_in(dir: &Path) -> Walk {
    walk(
        dir,
        &WalkOptions {
            keep: &|p| is_yaml(p) && !is_fixture(p),
            enter: &|_| false,
            max_depth: 0,
            max_files: usize::MAX,
        },
    )
}

/// Regular files under `root` (symlinks followed, each directory entered once).
pub fn walk(root: &Path, opts: &WalkOptions<'_>) -> Walk {
    let mut out = Walk::default();
    let mut seen = HashSet::new();
    walk_dir(root, 0, opts, &mut seen, &mut out);
    out.files.sort();
    out
}

fn walk_dir(dir: &Path, depth: usize, opts: &WalkOptions<'_>, seen: &mut HashSet<(u64, u64)>, out: &mut Walk) {
    match std::fs::metadata(dir) {
        Ok(m) => {
            if !seen.insert(identity(&m)) {
                out.problems.push(WalkProblem {
                    path: dir.to_path_buf(),
                    reason: "skipped, a directory already visited (a symlink loop?)".into(),
                });
                return;
            }
        }
        Err(e) => {
            if depth == 0 {
                out.root_error = Some(e.to_string());
            }
            out.problems.push(WalkProblem {
                path: dir.to_path_buf(),
                reason: format!("cannot read this directory: {e}"),
            });
            return;
        }
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            if depth == 0 {
                out.root_error = Some(e.to_string());
            }
            out.problems.push(WalkProblem {
                path: dir.to_path_buf(),
                reason: format!("cannot read this directory: {e}"),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if out.files.len() >= opts.max_files {
            return;
        }
        let Ok(meta) = std::fs::metadata(&p) else {
            continue; // A dangling symlink: nothing to read.
        };
        if meta.is_dir() {
            if depth < opts.max_depth && (opts.enter)(&p) {
                walk_dir(&p, depth + 1, opts, seen, out);
            }
        } else if (opts.keep)(&p) {
            match not_regular(&meta.file_type()) {
                None => out.files.push(p),
                Some(what) => out.problems.push(WalkProblem {
                    reason: format!("skipped, a {what}, not a regular file"),
                    path: p,
                }),
            }
        }
    }
}

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> (u64, u64) {
    // Without inode numbers, depth is the only bound.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    (0, NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// [`Options::default`](crate::Options) with the host's services database: what every
/// command that loads a user's rules starts from.
pub fn host_options() -> crate::Options {
    crate::Options {
        services: host_services(),
        ..crate::Options::default()
    }
}

/// Where the C library's `getservbyname` reads services from.
pub const SERVICES_PATH: &str = "/etc/services";

/// The host's services database, read once per process and only when a port value names a
/// service: port fields resolve service names in it as Falco does on the same host. A
/// missing or unreadable file resolves nothing (Falco then refuses the name too).
pub fn host_services() -> &'static crate::sema::services::Services {
    static HOST: crate::sema::services::Services = crate::sema::services::Services::lazy(|| {
        read_text(Path::new(SERVICES_PATH), MAX_TEXT_BYTES).unwrap_or_default()
    });
    &HOST
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("falcorc-fs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn devices_are_refused_without_reading() {
        let e = read_bytes(Path::new("/dev/zero"), MAX_TEXT_BYTES).unwrap_err();
        assert!(matches!(e.kind, ReadErrorKind::NotRegular("device")), "{e}");
        assert_eq!(
            e.to_string(),
            "cannot read /dev/zero: it is a device, not a regular file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let d = tmp("fifo");
        let fifo = d.join("rules.yaml");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let e = read_text(&fifo, MAX_TEXT_BYTES).unwrap_err();
        assert!(matches!(e.kind, ReadErrorKind::NotRegular("FIFO")), "{e}");
        let link = d.join("link.yaml");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        assert!(matches!(
            read_text(&link, MAX_TEXT_BYTES).unwrap_err().kind,
            ReadErrorKind::NotRegular("FIFO")
        ));
        // A walk names it and goes on.
        std::fs::write(d.join("a.yaml"), "- list: a\n  items: []\n").unwrap();
        let w = walk(
            &d,
            &WalkOptions {
                keep: &|p| p.extension().is_some_and(|x| x == "yaml"),
                enter: &|_| true,
                max_depth: 8,
                max_files: 100,
            },
        );
        assert_eq!(w.files, vec![d.join("a.yaml")]);
        assert_eq!(w.problems.len(), 2, "{:?}", w.problems);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn the_limit_holds_while_reading() {
        let d = tmp("limit");
        let f = d.join("big.yaml");
        std::fs::write(&f, vec![b'a'; 101]).unwrap();
        assert!(matches!(
            read_bytes(&f, 100).unwrap_err().kind,
            ReadErrorKind::TooLarge { limit: 100 }
        ));
        assert_eq!(read_bytes(&f, 101).unwrap().len(), 101);
        // procfs files say they are empty; the limit still applies to what is read.
        let e = read_bytes(Path::new("/proc/self/maps"), 10).unwrap_err();
        assert!(matches!(e.kind, ReadErrorKind::TooLarge { limit: 10 }), "{e}");
        std::fs::write(&f, b"ok\xff").unwrap();
        assert!(matches!(
            read_text(&f, 100).unwrap_err().kind,
            ReadErrorKind::NotUtf8 { valid_up_to: 2 }
        ));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_walk_enters_each_directory_once() {
        let d = tmp("loop");
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::write(d.join("a/b/r.yaml"), "").unwrap();
        std::os::unix::fs::symlink(&d, d.join("a/b/up")).unwrap();
        std::os::unix::fs::symlink(d.join("a"), d.join("a2")).unwrap();
        let w = walk(
            &d,
            &WalkOptions {
                keep: &|_| true,
                enter: &|_| true,
                max_depth: MAX_WALK_DEPTH,
                max_files: 100,
            },
        );
        assert_eq!(w.files, vec![d.join("a/b/r.yaml")]);
        assert_eq!(w.problems.len(), 2, "{:?}", w.problems);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
