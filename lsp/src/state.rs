//! The server's mutable state, owned by the main thread: open documents, the workspace's
//! rules files, and the current [`Snapshot`], rebuilt after edits.

use crate::line_index::{LineCol, LineIndex};
use crate::snapshot::Snapshot;
use crate::{uri, workspace};
use std::collections::{BTreeMap, HashSet};
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
    snapshot: Arc<Snapshot>,
    /// Replaced snapshots, to be freed off the main thread (freeing an analysis takes time).
    retired: Vec<Arc<Snapshot>>,
    dirty: bool,
    /// Edits whose diagnostics were not published yet (a request may have re-analyzed).
    unpublished: bool,
    /// Keys that were last published with diagnostics (to clear them later).
    published: HashSet<String>,
    /// Problems with the configuration, shown to the user once.
    pub config_error: Option<String>,
    /// Analysis options from `falcorc.toml` (check levels, engine and plugin versions).
    options: falcorc_compiler::Options,
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
            dirty: true,
            unpublished: true,
            published: HashSet::new(),
            config_error: None,
            options: falcorc_compiler::Options::default(),
        };
        s.reload_disk();
        s
    }

    /// Re-read the workspace's rules files (start, configuration or file changes).
    pub fn reload_disk(&mut self) {
        self.disk.clear();
        self.config_error = None;
        let Some(root) = self.root.clone() else { return };
        let mut config = workspace::read_config(&root).unwrap_or_else(|e| {
            self.config_error = Some(e);
            None
        });
        self.options = config.as_ref().map_or_else(Default::default, |c| c.options());
        // The editor's load order wins over the project file's; its other settings stay.
        if let Some(rules) = &self.settings_rules {
            let mut c = config.unwrap_or_default();
            c.rules = rules.iter().map(|p| p.display().to_string()).collect();
            config = Some(c);
        }
        for p in workspace::rules_files(&root, config.as_ref()) {
            match std::fs::read_to_string(&p) {
                Ok(text) => self.disk.push((uri::from_path(&p), text)),
                Err(e) => self.config_error = Some(format!("{}: {e}", p.display())),
            }
        }
        self.dirty = true;
        self.unpublished = true;
    }

    /// Use the editor's load order (instead of `falcorc.toml`).
    pub fn set_rules(&mut self, rules: Option<Vec<std::path::PathBuf>>) {
        self.settings_rules = rules;
        self.reload_disk();
    }

    pub fn open(&mut self, key: String, text: String) {
        self.open.insert(key, text);
        self.dirty = true;
        self.unpublished = true;
    }

    pub fn close(&mut self, key: &str) {
        self.open.remove(key);
        // A workspace file goes back to its text on disk.
        if let Some(entry) = self.disk.iter_mut().find(|(k, _)| k == key)
            && let Some(text) = uri::to_path(key).and_then(|p| std::fs::read_to_string(p).ok())
        {
            entry.1 = text;
        }
        self.dirty = true;
        self.unpublished = true;
    }

    /// Apply incremental (or full) changes to an open document, in order.
    pub fn change(&mut self, key: &str, changes: Vec<TextChange>) -> Result<(), String> {
        let Some(text) = self.open.get_mut(key) else {
            return Err(format!("didChange for a document that is not open: {key}"));
        };
        for c in changes {
            match c.range {
                None => *text = c.text,
                Some((start, end)) => {
                    let lines = LineIndex::new(text);
                    let a = lines.offset(text, start) as usize;
                    let b = (lines.offset(text, end) as usize).max(a);
                    text.replace_range(a..b, &c.text);
                }
            }
        }
        self.dirty = true;
        self.unpublished = true;
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

    /// True when diagnostics of the latest edits were not published yet.
    pub fn needs_publish(&self) -> bool {
        self.unpublished
    }

    /// The current snapshot, re-analyzed if anything changed.
    pub fn snapshot(&mut self) -> Arc<Snapshot> {
        if self.dirty {
            let new = Arc::new(Snapshot::with_options(self.files(), &self.options));
            let old = std::mem::replace(&mut self.snapshot, new);
            self.retired.push(old);
            self.dirty = false;
        }
        self.snapshot.clone()
    }

    pub fn take_retired(&mut self) -> Vec<Arc<Snapshot>> {
        std::mem::take(&mut self.retired)
    }

    /// Keys to publish for the current snapshot: every loaded file, plus files that had
    /// diagnostics before and are gone now (published empty, to clear them).
    pub fn publish_keys(&mut self) -> (Arc<Snapshot>, Vec<String>) {
        let snap = self.snapshot();
        self.unpublished = false;
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
        let snap = s.snapshot();
        assert_eq!(snap.keys, std::slice::from_ref(&k));
        // Not a rules file, not a rules name: ignored.
        s.open("file:///w/ci.yaml".into(), "on: push\n".into());
        assert_eq!(s.snapshot().keys, [k]);
    }
}
