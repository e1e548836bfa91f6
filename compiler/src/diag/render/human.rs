//! The terminal format: ariadne reports with the source snippet, the caret on the exact
//! token. [`human_batch`] shares one source cache across a run, so printing N
//! diagnostics costs O(N), not O(N × file size).

use super::super::{Diagnostic, Severity};
use crate::analysis::SourceFile;
use ariadne::{Cache, Color, Config, IndexType, Label, Report, ReportKind};

type Span = (String, std::ops::Range<usize>);

/// Human-readable report of one diagnostic, with the source snippet.
pub fn human(files: &[SourceFile], d: &Diagnostic, color: bool) -> String {
    let mut out = String::new();
    human_batch(files, std::slice::from_ref(d), color, |s| out.push_str(&s));
    out
}

/// Render every diagnostic in order, handing each report to `emit`.
pub fn human_batch(files: &[SourceFile], diags: &[Diagnostic], color: bool, mut emit: impl FnMut(String)) {
    if diags.is_empty() {
        return; // a clean run pays nothing for the source cache
    }
    let mut cache = ariadne::sources(files.iter().map(|f| (f.name.clone(), f.text.as_str())));
    for d in diags {
        emit(render(files, d, color, &mut cache));
    }
}

fn render(files: &[SourceFile], d: &Diagnostic, color: bool, cache: &mut impl Cache<String>) -> String {
    if files.get(d.primary.file.0 as usize).is_none() {
        // Not about a file (a usage error): one line.
        return format!("falcorc: {}[{}]: {}\n", d.severity.as_str(), d.code.name(), d.message);
    }
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
    let main: Span = (
        file_name(d.primary.file.0),
        clamp(d.primary.file.0, d.primary.span.range()),
    );
    let message = super::full_message(d);
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
    labels.extend(
        d.labels
            .iter()
            .filter(|l| files.get(l.span.file.0 as usize).is_some())
            .map(|l| (l.span, l.message.clone(), Color::Blue)),
    );
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
    let mut out = Vec::new();
    if b.finish().write(cache, &mut out).is_err() {
        return format!("{}: {}\n", d.code.name(), d.message);
    }
    String::from_utf8_lossy(&out).into_owned()
}
