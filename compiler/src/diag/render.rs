//! Renderers: the only place that knows about ariadne and the JSON shape. They take
//! the analysed files and diagnostics and produce text.

use super::{Diagnostic, Severity};
use crate::analysis::SourceFile;
use crate::span::line_col;
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};
use serde::Serialize;

/// Human-readable report of one diagnostic, with the source snippet.
pub fn human(files: &[SourceFile], d: &Diagnostic, color: bool) -> String {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let file_name = |i: u32| {
        files
            .get(i as usize)
            .map_or("<unknown>", |f| f.name.as_str())
            .to_string()
    };
    let clamp = |fid: u32, r: std::ops::Range<usize>| {
        let len = files.get(fid as usize).map_or(0, |f| f.text.len());
        let s = r.start.min(len);
        s..r.end.clamp(s, len)
    };
    let main = (
        file_name(d.primary.file.0),
        clamp(d.primary.file.0, d.primary.span.range()),
    );
    let mut message = d.message.clone();
    if let Some(item) = &d.item
        && !item.name.is_empty()
    {
        message = format!("{message} ({} '{}')", item.kind, item.name);
    }
    let primary_msg = if d.primary_label.is_empty() {
        d.message.clone()
    } else {
        d.primary_label.clone()
    };
    let primary_color = if d.severity == Severity::Error {
        Color::Red
    } else {
        Color::Yellow
    };
    let mut b = Report::build(kind, main)
        .with_config(Config::default().with_index_type(IndexType::Byte).with_color(color))
        .with_code(d.code.name())
        .with_message(message);
    // ariadne starts a new snippet group when a label precedes the previous one, so
    // add the labels in file order.
    let mut labels = vec![(d.primary, primary_msg, primary_color)];
    labels.extend(d.labels.iter().map(|l| (l.span, l.message.clone(), Color::Blue)));
    labels.sort_by_key(|(s, _, _)| (s.file, s.span.start));
    for (s, msg, c) in labels {
        b = b.with_label(
            Label::new((file_name(s.file.0), clamp(s.file.0, s.span.range())))
                .with_message(msg)
                .with_color(c),
        );
    }
    if let Some(h) = &d.help {
        b = b.with_help(h);
    }
    let cache = ariadne::sources(files.iter().map(|f| (f.name.clone(), f.text.clone())));
    let mut out = Vec::new();
    if b.finish().write(cache, &mut out).is_err() {
        return format!("{}: {}\n", d.code.name(), d.message);
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Serialize)]
pub struct JsonLocation {
    pub file: String,
    /// Byte offsets in the file.
    pub start: u32,
    pub end: u32,
    /// 1-based line and column (characters) of `start`.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Serialize)]
pub struct JsonLabel {
    pub location: JsonLocation,
    pub message: String,
}

#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: &'static str,
    pub falco_code: bool,
    pub message: String,
    pub location: JsonLocation,
    pub labels: Vec<JsonLabel>,
    pub help: Option<String>,
    pub item_kind: Option<&'static str>,
    pub item_name: Option<String>,
}

pub fn location(files: &[SourceFile], fs: crate::span::FileSpan) -> JsonLocation {
    let (name, text) = files
        .get(fs.file.0 as usize)
        .map_or(("<unknown>", ""), |f| (f.name.as_str(), f.text.as_str()));
    let (line, column) = line_col(text, fs.span.start);
    let (end_line, end_column) = line_col(text, fs.span.end);
    JsonLocation {
        file: name.to_string(),
        start: fs.span.start,
        end: fs.span.end,
        line,
        column,
        end_line,
        end_column,
    }
}

pub fn json(files: &[SourceFile], d: &Diagnostic) -> JsonDiagnostic {
    JsonDiagnostic {
        code: d.code.name(),
        severity: d.severity.as_str(),
        falco_code: d.code.is_falco(),
        message: d.message.clone(),
        location: location(files, d.primary),
        labels: d
            .labels
            .iter()
            .map(|l| JsonLabel {
                location: location(files, l.span),
                message: l.message.clone(),
            })
            .collect(),
        help: d.help.clone(),
        item_kind: d.item.as_ref().map(|i| i.kind),
        item_name: d.item.as_ref().map(|i| i.name.clone()),
    }
}
