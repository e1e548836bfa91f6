//! GitHub Actions workflow commands: one `::error`/`::warning` line per diagnostic, which
//! GitHub shows as an annotation on the pull request's diff.

use super::super::Severity;
use super::{Locator, Report};
use std::fmt::Write;

pub fn report(r: &Report) -> String {
    let loc = Locator::new(r.files);
    let mut out = String::new();
    for d in r.diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let (Some(file), Some(p)) = (loc.file(d.primary), loc.position(d.primary)) {
            props.push(format!("file={}", property(file)));
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.column));
            props.push(format!("endLine={}", p.end_line));
            props.push(format!("endColumn={}", p.end_column));
        }
        props.push(format!("title={}", property(&format!("falcorc {}", d.code.name()))));
        let mut msg = super::full_message(d);
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        let _ = writeln!(out, "::{level} {}::{}", props.join(","), data(&msg));
    }
    out
}

/// Escape a message (the part after `::`).
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value (also `:` and `,`, which delimit properties).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
