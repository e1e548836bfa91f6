//! GitLab Code Quality: a JSON array of issues that GitLab shows in merge requests.

use super::super::Severity;
use super::{Locator, Report};
use serde::Serialize;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

pub fn report(r: &Report) -> String {
    let loc = Locator::new(r.files);
    let issues: Vec<Issue> = r
        .diagnostics
        .iter()
        .map(|d| {
            let path = loc.file(d.primary).unwrap_or("falcorc.toml");
            let (begin, end) = loc.position(d.primary).map_or((1, 1), |p| (p.line, p.end_line));
            let description = super::full_message(d);
            // Stable across runs and unique per finding: what, where, and the message.
            let fingerprint = fnv(&format!("{}\u{0}{path}\u{0}{begin}\u{0}{description}", d.code.name()));
            Issue {
                description,
                check_name: d.code.name(),
                fingerprint: format!("{fingerprint:016x}"),
                severity: match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                location: IssueLocation {
                    path,
                    lines: Lines { begin, end },
                },
            }
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_default()
}

/// FNV-1a, 64 bits.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
