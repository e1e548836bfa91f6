//! Compiler diagnostics of one file, with the `falcorc explain` text of their codes.

use crate::snapshot::Snapshot;
use falcorc_compiler::diag::{Code, Diagnostic, Severity};
use falcorc_compiler::span::{FileId, FileSpan};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diag {
    pub span: FileSpan,
    pub severity: Severity,
    pub code: &'static str,
    /// The message, then the help on its own line.
    pub message: String,
    /// Secondary labels (e.g. "first defined here").
    pub related: Vec<(FileSpan, String)>,
}

pub fn of_file(snap: &Snapshot, file: FileId) -> Vec<Diag> {
    snap.analysis
        .diagnostics
        .iter()
        .filter(|d| d.primary.file == file)
        .map(convert)
        .collect()
}

fn convert(d: &Diagnostic) -> Diag {
    let mut message = d.message.clone();
    if !d.primary_label.is_empty() && d.primary_label != d.message {
        message = format!("{message}: {}", d.primary_label);
    }
    if let Some(h) = &d.help {
        message = format!("{message}\nhelp: {h}");
    }
    Diag {
        span: d.primary,
        severity: d.severity,
        code: d.code.name(),
        message,
        related: d.labels.iter().map(|l| (l.span, l.message.clone())).collect(),
    }
}

/// `falcorc explain CODE` as Markdown.
pub fn explain(code: Code) -> String {
    let d = code.doc();
    let origin = if code.is_falco() {
        "a Falco load result code"
    } else {
        "a falcorc code"
    };
    format!(
        "**{}** ({}, {origin})\n\n**What** {}\n\n**Why** {}\n\n**Example**\n```yaml\n{}\n```\n**Instead** {}",
        code.name(),
        code.default_severity().as_str(),
        d.what,
        d.why,
        d.example,
        d.instead
    )
}
