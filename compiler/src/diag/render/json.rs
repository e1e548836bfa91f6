//! The JSON format (schema version 1, documented in docs/LINT.md): a header with counts,
//! then every diagnostic with its code, severity, exact byte offsets and line/column,
//! labels, help and fix. Also what IO and usage errors are reported as.

use super::super::Diagnostic;
use super::{Locator, Report};
use serde::Serialize;

/// Bumped when a field changes meaning or disappears (adding a field keeps the version).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct JsonLocation {
    pub file: String,
    /// Byte offsets in the file.
    pub start: u32,
    pub end: u32,
    /// 1-based line and column (characters) of `start` and of `end`.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Serialize)]
pub struct JsonLabel {
    pub location: Option<JsonLocation>,
    pub message: String,
}

#[derive(Serialize)]
pub struct JsonEdit {
    pub location: Option<JsonLocation>,
    pub replacement: String,
}

#[derive(Serialize)]
pub struct JsonFix {
    pub message: String,
    /// `safe` (applied by `lint --fix`) or `unsafe` (offered only).
    pub applicability: &'static str,
    pub edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: &'static str,
    /// True for Falco's own codes (`LOAD_*`).
    pub falco_code: bool,
    /// A check's category (`correctness`, ...); absent for loader codes.
    pub category: Option<&'static str>,
    pub message: String,
    /// Absent for errors that concern no file (usage errors).
    pub location: Option<JsonLocation>,
    pub labels: Vec<JsonLabel>,
    pub help: Option<String>,
    pub item_kind: Option<&'static str>,
    pub item_name: Option<String>,
    pub fix: Option<JsonFix>,
}

#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub tool: JsonTool<'a>,
    pub files: Vec<&'a str>,
    pub ok: bool,
    pub errors: usize,
    pub warnings: usize,
    pub suppressed: usize,
    pub schema_validation: &'static str,
    pub rules: usize,
    pub macros: usize,
    pub lists: usize,
    pub diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Serialize)]
pub struct JsonTool<'a> {
    pub name: &'static str,
    pub version: &'a str,
}

pub fn location(loc: &Locator, fs: crate::span::FileSpan) -> Option<JsonLocation> {
    let p = loc.position(fs)?;
    Some(JsonLocation {
        file: loc.file(fs)?.to_string(),
        start: fs.span.start,
        end: fs.span.end,
        line: p.line,
        column: p.column,
        end_line: p.end_line,
        end_column: p.end_column,
    })
}

pub fn json(loc: &Locator, d: &Diagnostic) -> JsonDiagnostic {
    JsonDiagnostic {
        code: d.code.name(),
        severity: d.severity.as_str(),
        falco_code: d.code.is_falco(),
        category: d.code.check().map(|c| c.meta().category.name()),
        message: super::window::clip(&d.message, super::window::MAX_MESSAGE_CHARS).into_owned(),
        location: location(loc, d.primary),
        labels: d
            .labels
            .iter()
            .map(|l| JsonLabel {
                location: location(loc, l.span),
                message: l.message.clone(),
            })
            .collect(),
        help: d.help.clone(),
        item_kind: d.item.as_ref().map(|i| i.kind),
        item_name: d.item.as_ref().map(|i| i.name.clone()),
        fix: d.fix.as_ref().map(|f| JsonFix {
            message: f.message.clone(),
            applicability: f.applicability.as_str(),
            edits: f
                .edits
                .iter()
                .map(|e| JsonEdit {
                    location: location(loc, e.span),
                    replacement: e.replacement.clone(),
                })
                .collect(),
        }),
    }
}

/// The whole report as pretty-printed JSON.
pub fn report(r: &Report) -> String {
    let loc = Locator::new(r.files);
    let errors = r.errors();
    let out = JsonReport {
        version: SCHEMA_VERSION,
        tool: JsonTool {
            name: "falcorc",
            version: r.tool_version,
        },
        files: r.files.iter().map(|f| f.name.as_str()).collect(),
        ok: errors == 0,
        errors,
        warnings: r.warnings(),
        suppressed: r.summary.suppressed,
        schema_validation: if r.summary.schema_ok { "ok" } else { "failed" },
        rules: r.summary.rules,
        macros: r.summary.macros,
        lists: r.summary.lists,
        diagnostics: r.diagnostics.iter().map(|d| json(&loc, d)).collect(),
    };
    serde_json::to_string_pretty(&out).unwrap_or_default()
}
