//! JUnit XML: one test suite per file, one failing test case per diagnostic (a clean file
//! has one passing case), as CI systems show test reports.

use super::{Locator, Report};
use std::fmt::Write;

pub fn report(r: &Report) -> String {
    let loc = Locator::new(r.files);
    let mut per_file: Vec<Vec<&super::super::Diagnostic>> = vec![Vec::new(); r.files.len()];
    let mut elsewhere = Vec::new();
    for d in r.diagnostics {
        match per_file.get_mut(d.primary.file.0 as usize) {
            Some(v) => v.push(d),
            None => elsewhere.push(d),
        }
    }
    let total: usize = per_file.iter().map(|v| v.len().max(1)).sum::<usize>() + elsewhere.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"falcorc lint\" tests=\"{total}\" failures=\"{}\">",
        r.diagnostics.len()
    );
    let mut suite = |name: &str, diags: &[&super::super::Diagnostic]| {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">",
            escape(name, true),
            diags.len().max(1),
            diags.len()
        );
        if diags.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase name=\"lint\" classname=\"{}\"/>",
                escape(name, true)
            );
        }
        for d in diags {
            let at = loc
                .position(d.primary)
                .map_or(String::new(), |p| format!(" line {} col {}", p.line, p.column));
            let _ = writeln!(
                out,
                "    <testcase name=\"{}{}\" classname=\"{}\">",
                escape(d.code.name(), true),
                escape(&at, true),
                escape(name, true)
            );
            let mut body = super::full_message(d);
            if let Some(h) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(h);
            }
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&d.message, true),
                d.severity.as_str(),
                escape(&body, false)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    };
    for (f, diags) in r.files.iter().zip(&per_file) {
        suite(&f.name, diags);
    }
    if !elsewhere.is_empty() {
        suite("falcorc", &elsewhere);
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escape text for XML 1.0 content or attribute values. Characters XML 1.0 cannot carry
/// at all (most C0 controls) are written as visible `\xNN` text instead. In attributes
/// quotes are escaped too, and tab and line breaks become character references, or
/// parsers would turn them into spaces; content keeps them readable.
pub fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' | '\r' | '\t' if attribute => {
                let _ = write!(out, "&#{};", c as u32);
            }
            '\n' | '\r' | '\t' => out.push(c),
            '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}
