//! The server's mutable state, owned by the main thread: open documents, the workspace's
//! rules files, and the newest [`Snapshot`]. Edits apply at once; analyses run elsewhere
//! (see `analyzer`), and generations tell which text a snapshot is of.

use crate::line_index::LineCol;
use crate::snapshot::Snapshot;
use crate::{analyzer, text_edit, uri, workspace};
use falcorc_compiler::fs;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// One change of a `didChange`: a replaced range (None: the whole text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextChange {
    pub range: Option<(LineCol, LineCol)>,
    pub text: String,
}

pub struct State {
    root: Option<PathBuf>,
    /// Load order from the editor's settings (overrides `falcorc.toml`).
    settings_rules: Option<Vec<PathBuf>>,
    /// Workspace rules files in load order: (key, text on disk).
    disk: Vec<(String, String)>,
    /// Open documents by key.
    open: BTreeMap<String, String>,
    /// The newest analysis that arrived (perhaps of older text than the documents').
    snapshot: Arc<Snapshot>,
    /// Replaced snapshots, to be freed off the main thread (freeing an analysis takes time).
    retired: Vec<Arc<Snapshot>>,
    /// Every change of the ruleset's inputs makes a new generation.
    generation: u64,
    /// The generation of the newest analysis started, of `snapshot`, and last published.
    started: u64,
    snapshot_gen: u64,
    published_gen: u64,
    /// The generation of each document's last change, and of the last reload from disk
    /// (which may change any file): a request waits for a snapshot that has them.
    changed: HashMap<String, u64>,
    reloaded: u64,
    /// Keys that were last published with diagnostics (to clear them later).
    published: HashSet<String>,
    /// Problems with the configuration, shown to the user once.
    pub config_error: Option<String>,
    /// Analysis options from `falcorc.toml` (check levels, engine and plugin versions).
    options: falcorc_compiler::Options,
    /// The measured profile `falcorc.toml` names (`profile`), read with the configuration.
    profile: Option<Arc<crate::ide::profile::Profile>>,
}

impl State {
    pub fn new(root: Option<PathBuf>, settings_rules: Option<Vec<PathBuf>>) -> State {
        let mut s = State {
            root,
            settings_rules,
            disk: Vec::new(),
            open: BTreeMap::new(),
            snapshot: Arc::new(Snapshot::new(Vec::new())),
            retired: Vec::new(),
            generation: 0,
            started: 0,
            snapshot_gen: 0,
            published_gen: 0,
            changed: HashMap::new(),
            reloaded: 0,
            published: HashSet::new(),
            config_error: None,
            options: falcorc_compiler::fs::host_options(),
            profile: None,
        };
        s.reload_disk();
        s
    }

    /// A new generation; `key` is the document that changed (None: any may have).
    fn touch(&mut self, key: Option<&str>) {
        self.generation += 1;
        match key {
            Some(k) => {
                self.changed.insert(k.to_string(), self.generation);
            }
            None => self.reloaded = self.generation,
        }
    }

    /// Re-read the workspace's rules files (start, configuration or file changes). Files
    /// are read through the compiler's bounded reader: a FIFO, a device or a huge file is
    /// reported, never waited on or read without end.
    pub fn reload_disk(&mut self) {
        self.disk.clear();
        self.config_error = None;
        self.touch(None);
        let Some(root) = self.root.clone() else { return };
        let mut config = workspace::read_config(&root).unwrap_or_else(|e| {
            self.config_error = Some(e);
            None
        });
        self.options = config.as_ref().map_or_else(Default::default, |c| c.options());
        self.options.services = fs::host_services();
        // Diagnostics, types and docs: nothing runs the rules, so they are not lowered.
        self.options.lower = false;
        self.profile = None;
        if let Some(name) = config.as_ref().and_then(|c| c.profile.as_deref()) {
            let read = fs::read_text(&root.join(name), fs::MAX_TEXT_BYTES).map_err(|e| e.to_string());
            match read.and_then(|text| crate::ide::profile::parse(&text, name)) {
                Ok(p) => self.profile = Some(Arc::new(p)),
                Err(e) => self.config_error = Some(format!("falcorc.toml: profile: {e}")),
            }
        }
        // The editor's load order wins over the project file's; its other settings stay.
        if let Some(rules) = &self.settings_rules {
            let mut c = config.unwrap_or_default();
            c.rules = rules.iter().map(|p| p.display().to_string()).collect();
            config = Some(c);
        }
        for p in workspace::rules_files(&root, config.as_ref()) {
            match fs::read_text(&p, fs::MAX_TEXT_BYTES) {
                Ok(text) => self.disk.push((uri::from_path(&p), text)),
                Err(e) => self.config_error = Some(e.to_string()),
            }
        }
    }

    /// Use the editor's load order (instead of `falcorc.toml`).
    pub fn set_rules(&mut self, rules: Option<Vec<std::path::PathBuf>>) {
        self.settings_rules = rules;
        self.reload_disk();
    }

    pub fn open(&mut self, key: String, text: String) {
        self.touch(Some(&key));
        self.open.insert(key, text);
    }

    pub fn close(&mut self, key: &str) {
        self.open.remove(key);
        // A workspace file goes back to its text on disk (kept as it was if unreadable now).
        if let Some(entry) = self.disk.iter_mut().find(|(k, _)| k == key)
            && let Some(path) = uri::to_path(key)
        {
            match fs::read_text(&path, fs::MAX_TEXT_BYTES) {
                Ok(text) => entry.1 = text,
                Err(e) => eprintln!("falcorc lsp: {e}"),
            }
        }
        self.touch(Some(key));
    }

    /// Apply incremental (or full) changes to an open document, in order.
    pub fn change(&mut self, key: &str, changes: Vec<TextChange>) -> Result<(), String> {
        let Some(text) = self.open.get_mut(key) else {
            return Err(format!("didChange for a document that is not open: {key}"));
        };
        for c in changes {
            match c.range {
                None => *text = c.text,
                Some((start, end)) => text_edit::replace(text, start, end, &c.text),
            }
        }
        self.touch(Some(key));
        Ok(())
    }

    pub fn text_of(&self, key: &str) -> Option<&str> {
        self.open
            .get(key)
            .or_else(|| self.disk.iter().find(|(k, _)| k == key).map(|(_, t)| t))
            .map(String::as_str)
    }

    /// The files of the ruleset, in load order: workspace files (open text wins), then open
    /// rules documents from elsewhere.
    fn files(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .disk
            .iter()
            .map(|(k, t)| (k.clone(), self.open.get(k).unwrap_or(t).clone()))
            .collect();
        for (k, t) in &self.open {
            if out.iter().any(|(o, _)| o == k) {
                continue;
            }
            let named = uri::to_path(k).is_some_and(|p| workspace::has_rules_name(&p));
            if named || workspace::is_rules_text(t) {
                out.push((k.clone(), t.clone()));
            }
        }
        out
    }

    /// What to analyse next, if the newest text is not analysed or being analysed yet.
    pub fn analysis_input(&mut self) -> Option<analyzer::Input> {
        if self.started == self.generation {
            return None;
        }
        self.started = self.generation;
        Some(analyzer::Input {
            generation: self.generation,
            files: self.files(),
            options: self.options.clone(),
            profile: self.profile.clone(),
        })
    }

    /// Take an analysis result; true if it is of the newest text (a stale one still serves
    /// requests if it is newer than the current snapshot, but is never published).
    pub fn install(&mut self, generation: u64, snapshot: Arc<Snapshot>) -> bool {
        if generation > self.snapshot_gen {
            self.retired.push(std::mem::replace(&mut self.snapshot, snapshot));
            self.snapshot_gen = generation;
        } else {
            self.retired.push(snapshot);
        }
        generation == self.generation
    }

    /// The newest analysis, and the generation it is of.
    pub fn snapshot(&self) -> (Arc<Snapshot>, u64) {
        (self.snapshot.clone(), self.snapshot_gen)
    }

    /// The generation a snapshot must have to answer about `key` (None: about anything).
    pub fn needed_for(&self, key: Option<&str>) -> u64 {
        match key {
            Some(k) => self.changed.get(k).copied().unwrap_or(0).max(self.reloaded),
            None => self.generation,
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn take_retired(&mut self) -> Vec<Arc<Snapshot>> {
        std::mem::take(&mut self.retired)
    }

    /// True when the snapshot is of the newest text and its diagnostics are not out yet.
    pub fn needs_publish(&self) -> bool {
        self.snapshot_gen == self.generation && self.published_gen < self.snapshot_gen
    }

    /// Keys to publish for the current snapshot: every loaded file, plus files that had
    /// diagnostics before and are gone now (published empty, to clear them).
    pub fn publish_keys(&mut self) -> (Arc<Snapshot>, Vec<String>) {
        let snap = self.snapshot.clone();
        self.published_gen = self.snapshot_gen;
        let now: HashSet<String> = snap.keys.iter().cloned().collect();
        let mut keys: Vec<String> = snap.keys.clone();
        keys.extend(self.published.iter().filter(|k| !now.contains(*k)).cloned());
        self.published = now;
        (snap, keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Analyse the newest text here, as the analysis thread would.
    fn analysed(s: &mut State) -> Arc<Snapshot> {
        if let Some(input) = s.analysis_input() {
            let snap = Arc::new(Snapshot::with_options(input.files, &input.options));
            assert!(s.install(input.generation, snap));
        }
        s.snapshot().0
    }

    fn lc(line: u32, col: u32) -> LineCol {
        LineCol { line, col }
    }

    #[test]
    fn incremental_changes_apply_in_order_with_utf16_columns() {
        let mut s = State::new(None, None);
        let k = "file:///w/x_rules.yaml".to_string();
        s.open(k.clone(), "- macro: é_m\n  condition: proc.name = a\n".into());
        let changes = vec![
            // Replace `a` (line 1, col 25..26) by `bash`.
            TextChange {
                range: Some((lc(1, 25), lc(1, 26))),
                text: "bash".into(),
            },
            // Then insert after `é` (1 UTF-16 unit) on line 0.
            TextChange {
                range: Some((lc(0, 10), lc(0, 10))),
                text: "X".into(),
            },
        ];
        s.change(&k, changes).unwrap();
        assert_eq!(s.text_of(&k).unwrap(), "- macro: éX_m\n  condition: proc.name = bash\n");
        assert!(s.change("file:///nope", vec![]).is_err());
        let snap = analysed(&mut s);
        assert_eq!(snap.keys, std::slice::from_ref(&k));
        // Not a rules file, not a rules name: ignored.
        s.open("file:///w/ci.yaml".into(), "on: push\n".into());
        assert_eq!(analysed(&mut s).keys, [k]);
    }

    #[test]
    fn a_stale_analysis_serves_requests_but_is_not_published() {
        let mut s = State::new(None, None);
        let (a, b) = (
            "file:///w/a_rules.yaml".to_string(),
            "file:///w/b_rules.yaml".to_string(),
        );
        s.open(a.clone(), "- list: a\n  items: []\n".into());
        s.open(b.clone(), "- list: b\n  items: []\n".into());
        let first = s.analysis_input().unwrap();
        assert!(s.analysis_input().is_none(), "one analysis per generation");
        // An edit while the analysis runs: its result is stale on arrival.
        s.change(
            &a,
            vec![TextChange {
                range: None,
                text: "- list: a2\n  items: []\n".into(),
            }],
        )
        .unwrap();
        let snap = Arc::new(Snapshot::with_options(first.files, &first.options));
        assert!(!s.install(first.generation, snap));
        assert!(!s.needs_publish());
        // It has b's latest text, not a's.
        assert!(s.needed_for(Some(&b)) <= s.snapshot().1);
        assert!(s.needed_for(Some(&a)) > s.snapshot().1);
        assert!(s.needed_for(None) > s.snapshot().1);
        // The next analysis starts from the newest text and is published.
        analysed(&mut s);
        assert!(s.needs_publish());
        let (snap, keys) = s.publish_keys();
        assert_eq!(keys, [a.clone(), b]);
        assert!(snap.text(snap.file_id(&a).unwrap()).contains("a2"));
        assert!(!s.needs_publish());
    }
}
