//! Protocol messages -> the server's data: document events, positions, settings.

use crate::ide::FilePos;
use crate::line_index::LineCol;
use crate::snapshot::Snapshot;
use crate::state::TextChange;
use crate::uri;
use falcorc_compiler::span::{FileId, Span};
use lsp_server::Notification;
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _,
};
use lsp_types::{InitializeParams, Position, Range, TextDocumentPositionParams, Uri};
use std::path::PathBuf;

/// What the server needs from `initialize`.
pub struct Init {
    pub root: Option<PathBuf>,
    /// `initializationOptions.rules`: the load order, overriding `falcorc.toml`.
    pub rules: Option<Vec<PathBuf>>,
}

#[allow(deprecated)] // `root_uri` is still what most clients send.
pub fn initialize(params: serde_json::Value) -> Result<Init, String> {
    let p: InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("bad initialize params: {}", super::brief::serde(&e)))?;
    let root = p
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.as_str().to_string())
        .or_else(|| p.root_uri.as_ref().map(|u| u.as_str().to_string()))
        .and_then(|u| uri::to_path(&u));
    Ok(Init {
        root,
        rules: rules_setting(p.initialization_options.as_ref()),
    })
}

/// `{"rules": ["a.yaml", ...]}`, also accepted under a `falcorc` section.
fn rules_setting(v: Option<&serde_json::Value>) -> Option<Vec<PathBuf>> {
    let v = v?;
    let v = v.get("falcorc").unwrap_or(v);
    let rules = v.get("rules")?.as_array()?;
    Some(rules.iter().filter_map(|r| r.as_str().map(PathBuf::from)).collect())
}

/// A document or workspace event for the main loop.
#[derive(Debug)]
pub enum DocEvent {
    Open {
        key: String,
        text: String,
    },
    Change {
        key: String,
        changes: Vec<TextChange>,
    },
    Close {
        key: String,
    },
    /// Saved, or files changed on disk: re-read the workspace.
    DiskChanged,
    Settings {
        rules: Option<Vec<PathBuf>>,
    },
}

pub fn notification(n: Notification) -> Result<Option<DocEvent>, String> {
    let bad = |e: serde_json::Error| format!("bad {} params: {}", n.method, super::brief::serde(&e));
    Ok(Some(match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params.clone()).map_err(bad)?;
            DocEvent::Open {
                key: key(&p.text_document.uri),
                text: p.text_document.text,
            }
        }
        DidChangeTextDocument::METHOD => {
            let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params.clone()).map_err(bad)?;
            let changes = p
                .content_changes
                .into_iter()
                .map(|c| TextChange {
                    range: c.range.map(|r| (line_col(r.start), line_col(r.end))),
                    text: c.text,
                })
                .collect();
            DocEvent::Change {
                key: key(&p.text_document.uri),
                changes,
            }
        }
        DidCloseTextDocument::METHOD => {
            let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params.clone()).map_err(bad)?;
            DocEvent::Close {
                key: key(&p.text_document.uri),
            }
        }
        DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => DocEvent::DiskChanged,
        DidChangeConfiguration::METHOD => {
            let p: lsp_types::DidChangeConfigurationParams = serde_json::from_value(n.params.clone()).map_err(bad)?;
            DocEvent::Settings {
                rules: rules_setting(Some(&p.settings)),
            }
        }
        _ => return Ok(None),
    }))
}

pub fn key(u: &Uri) -> String {
    uri::key(u.as_str())
}

pub fn line_col(p: Position) -> LineCol {
    LineCol {
        line: p.line,
        col: p.character,
    }
}

pub fn file(snap: &Snapshot, u: &Uri) -> Option<FileId> {
    snap.file_id(&key(u))
}

pub fn offset(snap: &Snapshot, file: FileId, p: Position) -> u32 {
    snap.line_index(file)
        .map_or(0, |l| l.offset(snap.text(file), line_col(p)))
}

pub fn position(snap: &Snapshot, p: &TextDocumentPositionParams) -> Option<FilePos> {
    let file = file(snap, &p.text_document.uri)?;
    Some(FilePos {
        file,
        offset: offset(snap, file, p.position),
    })
}

pub fn range(snap: &Snapshot, file: FileId, r: Range) -> Span {
    let a = offset(snap, file, r.start);
    Span::new(a, offset(snap, file, r.end).max(a))
}
