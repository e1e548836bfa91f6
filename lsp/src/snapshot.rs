//! An immutable view of the workspace: the loaded files, their analysis and (computed on
//! first use) the symbol index. Requests run on snapshots in worker threads while the main
//! thread goes on applying edits to the next state.

use crate::line_index::LineIndex;
use falcorc_compiler::index::{self, Index};
use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::span::FileId;
use falcorc_compiler::{Analysis, Cancel, Options, SourceFile, analyze_cancellable};
use std::sync::OnceLock;

pub struct Snapshot {
    /// Document keys (canonical URIs), by [`FileId`].
    pub keys: Vec<String>,
    pub lines: Vec<LineIndex>,
    pub analysis: Analysis,
    pub env: Env,
    /// The compiler panicked on these files (a bug to report): no analysis is served.
    pub analysis_panicked: bool,
    /// The measured profile `falcorc.toml` names, if any (shown on hover).
    pub profile: Option<std::sync::Arc<crate::ide::profile::Profile>>,
    index: OnceLock<Index>,
}

impl Snapshot {
    /// Analyze `files` (key, text) in load order.
    pub fn new(files: Vec<(String, String)>) -> Snapshot {
        Snapshot::with_options(files, &falcorc_compiler::fs::host_options())
    }

    /// Analyze `files` with the project's options (`falcorc.toml`).
    pub fn with_options(files: Vec<(String, String)>, opts: &Options) -> Snapshot {
        // The default token is never set, so there is always a snapshot.
        Snapshot::cancellable(files, opts, &Cancel::default()).unwrap_or_else(|| Snapshot {
            keys: Vec::new(),
            lines: Vec::new(),
            analysis: Analysis::default(),
            env: opts.env(),
            analysis_panicked: false,
            profile: None,
            index: OnceLock::new(),
        })
    }

    /// [`Snapshot::with_options`], or None once `cancel` is set (newer text is waiting).
    pub fn cancellable(files: Vec<(String, String)>, opts: &Options, cancel: &Cancel) -> Option<Snapshot> {
        let env = opts.env();
        let mut analysis_panicked = false;
        let mut lines: Vec<LineIndex> = files.iter().map(|(_, t)| LineIndex::new(t)).collect();
        let keys: Vec<String> = files.iter().map(|(k, _)| k.clone()).collect();
        let sources: Vec<SourceFile> = files
            .into_iter()
            .map(|(name, text)| SourceFile { name, text })
            .collect();
        // The compiler never panics by contract; if it ever does, serve the files without
        // analysis (and without their text) rather than take the editor's server down.
        let analysis = match std::panic::catch_unwind(|| analyze_cancellable(sources, opts, cancel)) {
            Ok(Ok(a)) => Ok(a),
            Ok(Err(_)) => return None,
            Err(p) => Err(p),
        };
        let analysis = analysis.unwrap_or_else(|_| {
            eprintln!("falcorc lsp: the analysis panicked; serving the files without diagnostics");
            lines = keys.iter().map(|_| LineIndex::new("")).collect();
            analysis_panicked = true;
            Analysis {
                files: keys
                    .iter()
                    .map(|k| SourceFile {
                        name: k.clone(),
                        text: String::new(),
                    })
                    .collect(),
                ..Default::default()
            }
        });
        Some(Snapshot {
            keys,
            lines,
            analysis,
            env,
            analysis_panicked,
            profile: None,
            index: OnceLock::new(),
        })
    }

    pub fn file_id(&self, key: &str) -> Option<FileId> {
        self.keys.iter().position(|k| k == key).map(|i| FileId(i as u32))
    }

    pub fn text(&self, file: FileId) -> &str {
        self.analysis.files.get(file.0 as usize).map_or("", |f| f.text.as_str())
    }

    pub fn line_index(&self, file: FileId) -> Option<&LineIndex> {
        self.lines.get(file.0 as usize)
    }

    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| index::build(&self.analysis, &self.env))
    }
}
