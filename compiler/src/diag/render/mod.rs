//! Renderers: diagnostics to text in every output format `falcorc lint` offers. The only
//! place that knows about ariadne ([`human`]) and the shapes of JSON, SARIF, GitHub
//! annotations, JUnit and GitLab Code Quality. Every renderer is linear in the number of
//! diagnostics: one line index and one source cache per batch.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod single_line;
pub mod window;

pub use human::{human, human_batch};

use super::Diagnostic;
use crate::analysis::SourceFile;
use crate::lines::LineIndex;
use crate::span::FileSpan;

/// Where the pages of `falcorc explain` live on the web, for SARIF `helpUri`s; a
/// deployment that mirrors the docs sets `FALCORC_DOCS_URL` in the CLI.
pub const DOCS_URL: &str = "https://github.com/falcorc/falcorc/blob/main/docs";

/// What a whole lint run produced: the input of every renderer.
pub struct Report<'a> {
    pub files: &'a [SourceFile],
    pub diagnostics: &'a [Diagnostic],
    pub summary: Summary,
    /// falcorc's version, for SARIF's tool driver and JSON.
    pub tool_version: &'a str,
    /// Base URL of the docs (see [`DOCS_URL`]).
    pub docs_url: &'a str,
}

/// Counts for the closing lines and JSON's header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub rules: usize,
    pub macros: usize,
    pub lists: usize,
    pub schema_ok: bool,
    pub suppressed: usize,
}

impl Report<'_> {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// The page explaining `code`: docs/lints/NAME.md for a check, the codes page otherwise.
    pub fn help_uri(&self, code: super::Code) -> String {
        match code.check() {
            Some(c) => format!("{}/lints/{}.md", self.docs_url, c.meta().name),
            None => format!("{}/CODES.md#{}", self.docs_url, code.name().to_ascii_lowercase()),
        }
    }
}

/// Byte offsets to 1-based lines and character columns, one index per file, built once.
pub struct Locator<'a> {
    files: &'a [SourceFile],
    lines: Vec<LineIndex>,
}

/// A resolved position range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl<'a> Locator<'a> {
    pub fn new(files: &'a [SourceFile]) -> Locator<'a> {
        Locator {
            files,
            lines: files.iter().map(|f| LineIndex::new(&f.text)).collect(),
        }
    }

    /// The file's name, or `None` for a span outside every file (a usage error).
    pub fn file(&self, fs: FileSpan) -> Option<&'a str> {
        self.files.get(fs.file.0 as usize).map(|f| f.name.as_str())
    }

    pub fn position(&self, fs: FileSpan) -> Option<Position> {
        let f = self.files.get(fs.file.0 as usize)?;
        let idx = &self.lines[fs.file.0 as usize];
        let (line, column) = idx.line_col_chars(&f.text, fs.span.start);
        let (end_line, end_column) = idx.line_col_chars(&f.text, fs.span.end);
        Some(Position {
            line,
            column,
            end_line,
            end_column,
        })
    }
}

/// The message with the item it belongs to, as the human format prints it (each part
/// clipped: a name or a message can be megabytes long in a hostile file).
pub fn full_message(d: &Diagnostic) -> String {
    use window::{MAX_MESSAGE_CHARS, clip};
    let message = clip(&d.message, MAX_MESSAGE_CHARS);
    match &d.item {
        Some(item) if !item.name.is_empty() => {
            format!("{message} ({} '{}')", item.kind, clip(&item.name, MAX_MESSAGE_CHARS))
        }
        _ => message.into_owned(),
    }
}
