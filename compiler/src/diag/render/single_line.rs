//! The human report of a diagnostic whose only label is its primary span on one line of
//! plain ASCII, written directly in ariadne's layout (colour off). Almost every finding
//! has that shape, and ariadne formats its reports one character at a time: about
//! 120,000 instructions per report where this takes a few thousand. Anything else (colour,
//! several labels, multi-line spans, tabs, wide or non-ASCII characters on the line,
//! separators other than `\n` in the file) goes to ariadne. `tests/human_single_line.rs`
//! checks the output against ariadne's on generated reports.

use std::fmt::Write;

/// What ariadne's report needs, already clipped as the human renderer clips it.
pub struct Parts<'a> {
    pub code: &'a str,
    pub error: bool,
    pub message: &'a str,
    pub file_name: &'a str,
    pub text: &'a str,
    /// Byte range of the label, clamped to the text.
    pub span: std::ops::Range<usize>,
    pub label: &'a str,
    pub help: Option<&'a str>,
}

/// Whether ariadne splits `text` into lines at `\n` alone: no `\r`, vertical tab, form
/// feed, NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR (ariadne breaks lines at each).
pub fn newline_only(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr3(b'\r', 0x0B, 0x0C, b).is_none()
        && memchr::memmem::find(b, "\u{85}".as_bytes()).is_none()
        && memchr::memmem::find(b, "\u{2028}".as_bytes()).is_none()
        && memchr::memmem::find(b, "\u{2029}".as_bytes()).is_none()
}

/// The report, or `None` when the label is not on one plain line. `line` is the 0-based
/// line of `span.start` and `line_start..line_end` its bytes including the `\n`; the text
/// must split at `\n` alone ([`newline_only`]).
pub fn render(p: &Parts, line: usize, line_start: usize, line_end: usize) -> Option<String> {
    let (start, end) = (p.span.start, p.span.end);
    let text = p.text;
    // ariadne has no empty line after a final `\n`: a span there is on the line before.
    if text.is_empty() || (start == text.len() && text.ends_with('\n')) {
        return None;
    }
    if start < line_start || end > line_end || start > end {
        return None;
    }
    let body = text.get(line_start..line_end)?;
    let body = body.strip_suffix('\n').unwrap_or(body);
    if !body.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return None;
    }
    // Columns: on a plain ASCII line a byte is a character of width one.
    let (s, e) = (start - line_start, end - line_start);
    let line_no = line + 1;
    let width = digits(line_no);
    let mut out = String::with_capacity(256 + body.len() * 3 + p.message.len() + p.label.len());
    let kind = if p.error { "Error" } else { "Warning" };
    let _ = writeln!(out, "[{}] {kind}: {}", p.code, p.message);
    pad(&mut out, ' ', width + 2);
    let _ = writeln!(out, "╭─[ {}:{line_no}:{} ]", p.file_name, s + 1);
    pad(&mut out, ' ', width + 2);
    out.push_str("│\n");
    // The quoted line, trailing blanks trimmed.
    let _ = writeln!(out, " {line_no} │ {}", body.trim_end());
    // The underline with its attachment in the middle, then the arrow to the message.
    let attach = (s + e) / 2;
    let arrow_len = e + 2;
    margin(&mut out, width);
    for col in 0..arrow_len {
        let under = (s..e).contains(&col);
        out.push(match (col == attach, under) {
            (true, true) => '┬',
            (true, false) => '│',
            (false, true) => '─',
            (false, false) => ' ',
        });
    }
    out.push('\n');
    margin(&mut out, width);
    for col in 0..arrow_len {
        out.push(match col.cmp(&attach) {
            std::cmp::Ordering::Less => ' ',
            std::cmp::Ordering::Equal => '╰',
            std::cmp::Ordering::Greater => '─',
        });
    }
    out.push(' ');
    out.push_str(p.label);
    out.push('\n');
    if let Some(help) = p.help {
        margin(&mut out, width);
        out.push('\n');
        for (i, l) in help.lines().enumerate() {
            margin(&mut out, width);
            if i == 0 {
                out.push_str("Help: ");
            } else {
                out.push_str("      ");
            }
            out.push_str(l);
            out.push('\n');
        }
    }
    pad(&mut out, '─', width + 2);
    out.push_str("╯\n");
    Some(out)
}

/// The margin of a row that quotes no source line.
fn margin(out: &mut String, width: usize) {
    pad(out, ' ', width + 2);
    out.push_str("│ ");
}

fn pad(out: &mut String, c: char, n: usize) {
    out.extend(std::iter::repeat_n(c, n));
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}
