//! The terminal format: ariadne reports with the source snippet, the caret on the exact
//! token. [`human_batch`] shares one source cache across a run, so printing N
//! diagnostics costs O(N), not O(N × file size).

use super::super::{Diagnostic, Severity};
use super::single_line;
use super::window::{self, CharCounts, MAX_MESSAGE_CHARS, clip};
use crate::analysis::SourceFile;
use crate::hash::FastMap as HashMap;
use crate::lines::LineIndex;
use ariadne::{Cache, Color, Config, IndexType, Label, Report, ReportKind};
use std::cell::OnceCell;

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
    // ariadne's source cache indexes every file (a few instructions per byte): built only
    // when a report takes ariadne's path.
    let mut cache = None;
    let make = || ariadne::sources(files.iter().map(|f| (f.name.clone(), f.text.as_str())));
    let lazy: Vec<Lazy> = files.iter().map(|_| Lazy::default()).collect();
    for d in diags {
        emit(render(files, d, color, &mut cache, &make, &lazy));
    }
}

/// A file's indexes, built on first need: lines only to see whether a label sits on a very
/// long line, character counts only for columns on such a line.
#[derive(Default)]
struct Lazy {
    lines: OnceCell<LineIndex>,
    chars: OnceCell<CharCounts>,
    newline_only: OnceCell<bool>,
}

impl Lazy {
    fn lines(&self, text: &str) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(text))
    }

    fn chars(&self, text: &str) -> &CharCounts {
        self.chars.get_or_init(|| CharCounts::new(text))
    }

    fn newline_only(&self, text: &str) -> bool {
        *self.newline_only.get_or_init(|| single_line::newline_only(text))
    }
}

fn render<C: Cache<String>>(
    files: &[SourceFile],
    d: &Diagnostic,
    color: bool,
    cache: &mut Option<C>,
    make: &impl Fn() -> C,
    lazy: &[Lazy],
) -> String {
    if files.get(d.primary.file.0 as usize).is_none() {
        // Not about a file (a usage error): one line.
        let message = clip(&d.message, MAX_MESSAGE_CHARS);
        return format!("falcorc: {}[{}]: {message}\n", d.severity.as_str(), d.code.name());
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
    let labels: Vec<(u32, std::ops::Range<usize>, String, Color)> = labels
        .into_iter()
        .map(|(s, m, c)| (s.file.0, clamp(s.file.0, s.span.range()), m, c))
        .collect();
    // Very long lines are quoted as a window around the labels.
    let mut windows = HashMap::default();
    for &(fid, _, _, _) in &labels {
        if windows.contains_key(&fid) {
            continue;
        }
        let text = files[fid as usize].text.as_str();
        let idx = lazy[fid as usize].lines(text);
        let spans: Vec<_> = labels.iter().filter(|l| l.0 == fid).map(|l| l.1.clone()).collect();
        windows.insert(fid, window::window(text, idx, &spans));
    }
    let map = |fid: u32, r: std::ops::Range<usize>| match &windows[&fid] {
        Some(w) => {
            let text = files[fid as usize].text.as_str();
            let idx = lazy[fid as usize].lines(text);
            w.map(text, idx, r.start)..w.map(text, idx, r.end)
        }
        None => r,
    };
    let (pfid, prange) = (d.primary.file.0, clamp(d.primary.file.0, d.primary.span.range()));
    if !color && labels.len() == 1 && windows.values().all(Option::is_none) {
        let f = &files[pfid as usize];
        if lazy[pfid as usize].newline_only(&f.text) {
            let idx = lazy[pfid as usize].lines(&f.text);
            let line = idx.line_of(prange.start as u32);
            let label = clip(&labels[0].2, MAX_MESSAGE_CHARS);
            let help = d.help.as_deref().map(|h| clip(h, MAX_MESSAGE_CHARS));
            let parts = single_line::Parts {
                code: d.code.name(),
                error: d.severity == Severity::Error,
                message: &message,
                file_name: &f.name,
                text: &f.text,
                span: prange.clone(),
                label: &label,
                help: help.as_deref(),
            };
            let line_start = idx.line_start(line, &f.text) as usize;
            let line_end = idx.line_start(line + 1, &f.text) as usize;
            if let Some(out) = single_line::render(&parts, line as usize, line_start, line_end) {
                return out;
            }
        }
    }
    let mut b = Report::build(kind, (file_name(pfid), map(pfid, prange.clone())))
        .with_config(Config::default().with_index_type(IndexType::Byte).with_color(color))
        .with_code(d.code.name())
        .with_message(&message);
    for (fid, range, msg, c) in &labels {
        b = b.with_label(
            Label::new((file_name(*fid), map(*fid, range.clone())))
                .with_message(clip(msg, MAX_MESSAGE_CHARS))
                .with_color(*c),
        );
    }
    if let Some(h) = &d.help {
        b = b.with_help(clip(h, MAX_MESSAGE_CHARS));
    }
    let mut out = Vec::new();
    let written = if windows.values().all(Option::is_none) {
        b.finish().write(cache.get_or_insert_with(make), &mut out)
    } else {
        let mut local = ariadne::sources(windows.iter().map(|(fid, w)| {
            let f = &files[*fid as usize];
            (f.name.clone(), w.as_ref().map_or(f.text.as_str(), |w| w.text.as_str()))
        }));
        b.finish().write(&mut local, &mut out)
    };
    if written.is_err() {
        return format!("{}: {}\n", d.code.name(), message);
    }
    let mut out = String::from_utf8_lossy(&out).into_owned();
    // A window shifts columns; each file's header (`file:line:col`, at the primary label
    // in its file, else at its first label) gives the column in the file.
    for (&fid, w) in &windows {
        let Some(w) = w else { continue };
        let at = if fid == pfid {
            prange.start
        } else {
            labels.iter().find(|l| l.0 == fid).map_or(0, |l| l.1.start)
        };
        let text = files[fid as usize].text.as_str();
        let idx = lazy[fid as usize].lines(text);
        let line = idx.line_of(at as u32);
        let shown = w.map(text, idx, at);
        let shown_col = window::column(&w.text, shown);
        let file_col = lazy[fid as usize]
            .chars(text)
            .column(text, idx.line_start(line, text) as usize, at);
        let name = &files[fid as usize].name;
        let (from, to) = (
            format!(" {name}:{}:{shown_col} ", line + 1),
            format!(" {name}:{}:{file_col} ", line + 1),
        );
        if let Some(l) = out.lines().find(|l| l.contains('─') && l.contains(&from)) {
            let fixed = l.replacen(&from, &to, 1);
            out = out.replacen(l, &fixed, 1);
        }
    }
    out
}
