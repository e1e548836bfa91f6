//! `watch_config_files`: notices that the configuration or a rules file changed, by
//! polling their metadata (size, modification time, inode: an editor that saves by
//! renaming a new file over the old one changes the inode). A directory counts with every
//! file below it, so adding or removing a rules file is a change too. A change is
//! reported once it has settled (two looks in a row agree), so a file caught half
//! written is not loaded.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often the files are looked at.
pub const EVERY: Duration = Duration::from_millis(500);

/// Files under one watched directory that are looked at (a safety bound, not a limit a
/// rules directory reaches).
const MAX_FILES: usize = 1000;

/// Directory levels below a watched directory.
const MAX_DEPTH: usize = 4;

/// What the watched paths look like: per path (and per file below a directory), its
/// metadata or that it is missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fingerprint(Vec<(PathBuf, Option<Stamp>)>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    mtime_ns: i128,
    ino: u64,
    dev: u64,
}

impl Fingerprint {
    /// Looks at `paths` now.
    pub fn of(paths: &[PathBuf]) -> Fingerprint {
        let mut out = Vec::new();
        for p in paths {
            look(p, 0, &mut out);
        }
        Fingerprint(out)
    }
}

fn stamp(p: &Path) -> Option<(Stamp, bool)> {
    let m = std::fs::metadata(p).ok()?;
    let s = Stamp {
        len: m.len(),
        mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        ino: m.ino(),
        dev: m.dev(),
    };
    Some((s, m.is_dir()))
}

fn look(p: &Path, depth: usize, out: &mut Vec<(PathBuf, Option<Stamp>)>) {
    let Some((s, dir)) = stamp(p) else {
        out.push((p.to_path_buf(), None));
        return;
    };
    out.push((p.to_path_buf(), Some(s)));
    if !dir || depth >= MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(p) else { return };
    let mut below: Vec<PathBuf> = entries.flatten().map(|e| e.path()).take(MAX_FILES).collect();
    below.sort();
    for b in below {
        look(&b, depth + 1, out);
    }
}

/// The watch over the files of the running configuration and rules.
pub struct Watch {
    paths: Vec<PathBuf>,
    /// What was loaded (or last tried).
    loaded: Fingerprint,
    /// The previous look, to see that a change has settled.
    seen: Fingerprint,
    last: Instant,
}

impl Watch {
    /// Watches `paths`, which looked like `loaded` when they were read.
    pub fn new(paths: Vec<PathBuf>, loaded: Fingerprint) -> Watch {
        Watch {
            paths,
            seen: loaded.clone(),
            loaded,
            last: Instant::now(),
        }
    }

    /// At most every [`EVERY`]: whether the files differ from what was loaded and looked
    /// the same at the previous look. Once it said so, the new look counts as loaded
    /// (the reload it starts reads them), so one change is reported once.
    pub fn changed(&mut self) -> bool {
        if self.last.elapsed() < EVERY {
            return false;
        }
        self.last = Instant::now();
        let now = Fingerprint::of(&self.paths);
        let settled = now == self.seen;
        self.seen = now;
        if settled && self.seen != self.loaded {
            self.loaded = self.seen.clone();
            return true;
        }
        false
    }

    /// A reload starts (of any cause): the files as they are now count as loaded, so a
    /// change it reads is not reported again (whether the reload works or not).
    pub fn mark(&mut self) {
        self.loaded = Fingerprint::of(&self.paths);
        self.seen = self.loaded.clone();
    }

    /// After a reload switched: the paths it read, and how they looked then.
    pub fn reset(&mut self, paths: Vec<PathBuf>, loaded: Fingerprint) {
        *self = Watch::new(paths, loaded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("falcorc-watch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        d
    }

    /// Forces the next look (the interval is not what these tests are about).
    fn look_now(w: &mut Watch) -> bool {
        w.last = Instant::now() - EVERY;
        w.changed()
    }

    #[test]
    fn a_change_is_reported_once_after_it_settled() {
        let d = dir("settle");
        let f = d.join("rules.yaml");
        std::fs::write(&f, "a").expect("write");
        let paths = vec![f.clone()];
        let mut w = Watch::new(paths.clone(), Fingerprint::of(&paths));
        assert!(!look_now(&mut w), "nothing changed");
        std::fs::write(&f, "ab").expect("write");
        assert!(!look_now(&mut w), "first look at the change: not settled yet");
        assert!(look_now(&mut w), "second look agrees: settled");
        assert!(!look_now(&mut w), "reported once");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_file_still_being_written_is_not_reported_until_it_stops() {
        let d = dir("writing");
        let f = d.join("rules.yaml");
        std::fs::write(&f, "a").expect("write");
        let paths = vec![f.clone()];
        let mut w = Watch::new(paths.clone(), Fingerprint::of(&paths));
        for n in 2..6 {
            std::fs::write(&f, "a".repeat(n)).expect("write");
            assert!(!look_now(&mut w), "changing at every look");
        }
        assert!(look_now(&mut w));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn replacing_by_rename_adding_and_removing_files_are_changes() {
        let d = dir("rename");
        let f = d.join("a.yaml");
        std::fs::write(&f, "same").expect("write");
        let paths = vec![d.clone()];
        let mut w = Watch::new(paths.clone(), Fingerprint::of(&paths));
        // Same size, new inode: how editors and `kubectl` ConfigMap updates save.
        let tmp = d.join(".a.yaml.tmp");
        std::fs::write(&tmp, "same").expect("write");
        std::fs::rename(&tmp, &f).expect("rename");
        let _ = look_now(&mut w);
        assert!(look_now(&mut w), "renamed over");
        std::fs::write(d.join("b.yaml"), "x").expect("write");
        let _ = look_now(&mut w);
        assert!(look_now(&mut w), "added");
        std::fs::remove_file(d.join("b.yaml")).expect("remove");
        let _ = look_now(&mut w);
        assert!(look_now(&mut w), "removed");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_change_a_reload_already_read_is_not_reported() {
        let d = dir("mark");
        let f = d.join("rules.yaml");
        std::fs::write(&f, "a").expect("write");
        let paths = vec![f.clone()];
        let mut w = Watch::new(paths.clone(), Fingerprint::of(&paths));
        std::fs::write(&f, "ab").expect("write");
        assert!(!look_now(&mut w), "not settled");
        w.mark(); // SIGHUP: a reload reads the change
        assert!(!look_now(&mut w));
        assert!(!look_now(&mut w));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_missing_file_that_appears_is_a_change() {
        let d = dir("appear");
        let f = d.join("later.yaml");
        let paths = vec![f.clone()];
        let mut w = Watch::new(paths.clone(), Fingerprint::of(&paths));
        assert!(!look_now(&mut w));
        std::fs::write(&f, "x").expect("write");
        let _ = look_now(&mut w);
        assert!(look_now(&mut w));
        let _ = std::fs::remove_dir_all(&d);
    }
}
