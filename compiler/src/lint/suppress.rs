//! Inline suppressions: a YAML comment naming checks (or Falco warning codes) and a reason.
//!
//! ```yaml
//! # falcorc: ignore[proc-name-too-long] matched by exepath in the next rule
//! - rule: Unexpected daemon
//!   ...
//!   condition: proc.name = x   # falcorc: ignore[undefined-list] x_files is a real name
//! ```
//!
//! A comment on its own line applies to the next line that is not a comment; a comment
//! after content applies to its own line. When that line starts an item (`- rule: ...`),
//! it applies to the whole item. A suppression that silences nothing, names an unknown
//! check, or gives no reason is itself a finding.

use super::checks::{suppression_without_reason, unused_suppression};
use super::{CheckId, Config, Context, Level};
use crate::diag::{Applicability, Code, Diagnostic, Fix, Severity};
use crate::lines::LineIndex;
use crate::span::{FileId, FileSpan, Span};

const MARKER: &str = "falcorc:";

/// One `# falcorc: ignore[...] reason` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub file: FileId,
    /// From `#` to the end of the line.
    pub comment: Span,
    /// Each name with its span, as written.
    pub names: Vec<(String, Span)>,
    pub reason: String,
    /// The bytes whose diagnostics it silences (by primary position).
    pub scope: Span,
}

/// Every suppression comment of the files of `cx`.
pub fn parse(cx: &Context) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (i, f) in cx.files.iter().enumerate() {
        if !f.text.contains(MARKER) {
            continue;
        }
        let file = FileId(i as u32);
        let lines = LineIndex::new(&f.text);
        let mut scalars = Vec::new();
        for root in cx.docs.get(i).into_iter().flatten().filter_map(|d| d.root.as_ref()) {
            root.leaf_spans(&mut scalars);
        }
        let item_starts: Vec<(u32, Span)> = cx
            .items
            .iter()
            .filter(|w| w.file == file)
            .map(|w| (lines.line_col_chars(&f.text, w.node.span.start).0 - 1, w.node.span))
            .collect();
        for line in 0..lines.line_count() as u32 {
            let start = lines.line_start(line, &f.text) as usize;
            let end = lines.line_start(line + 1, &f.text) as usize;
            let text = f.text.get(start..end).unwrap_or("");
            let Some(s) = parse_comment(text, start, &scalars) else {
                continue;
            };
            let own_line = text[..(s.comment.start as usize - start)].trim().is_empty();
            let target = if own_line {
                next_content_line(&f.text, &lines, line + 1)
            } else {
                Some(line)
            };
            let scope = match target {
                None => Span::empty(s.comment.start),
                Some(t) => match item_starts.iter().find(|(l, _)| *l == t) {
                    Some((_, item)) => Span::new(lines.line_start(t, &f.text), item.end),
                    None => Span::new(lines.line_start(t, &f.text), lines.line_start(t + 1, &f.text)),
                },
            };
            out.push(Suppression { file, scope, ..s });
        }
    }
    out
}

/// Silence the diagnostics suppressions cover, then report the suppressions themselves.
pub(super) fn apply(cx: &Context, config: &Config, diags: &mut Vec<Diagnostic>) -> usize {
    let sups = parse(cx);
    if sups.is_empty() {
        return 0;
    }
    let before = diags.len();
    let mut used: Vec<Vec<bool>> = sups.iter().map(|s| vec![false; s.names.len()]).collect();
    diags.retain(|d| {
        // Falco's errors stay: Falco refuses such a file whatever the comment says.
        if d.code.check().is_none() && d.code.default_severity() == Severity::Error {
            return true;
        }
        let mut keep = true;
        for (s, u) in sups.iter().zip(&mut used) {
            if s.file != d.primary.file
                || !(s.scope.start <= d.primary.span.start && d.primary.span.start < s.scope.end.max(s.scope.start + 1))
            {
                continue;
            }
            for (j, (name, _)) in s.names.iter().enumerate() {
                if Code::from_name(name) == Some(d.code) {
                    u[j] = true;
                    keep = false;
                }
            }
        }
        keep
    });
    let silenced = before - diags.len();
    let unused_level = config.level_of_check(CheckId::UnusedSuppression);
    let reason_level = config.level_of_check(CheckId::SuppressionWithoutReason);
    for (s, u) in sups.iter().zip(&used) {
        if reason_level != Level::Allow && s.reason.is_empty() {
            let mut d = Diagnostic::new(
                Code::Check(CheckId::SuppressionWithoutReason),
                FileSpan {
                    file: s.file,
                    span: s.comment,
                },
                "this suppression gives no reason",
            )
            .help(suppression_without_reason::HELP);
            d.severity = reason_level.severity().unwrap_or(Severity::Warning);
            diags.push(d);
        }
        if unused_level == Level::Allow {
            continue;
        }
        for (j, (name, span)) in s.names.iter().enumerate() {
            let problem = match Code::from_name(name) {
                None => {
                    let names = CheckId::ALL
                        .iter()
                        .map(|c| c.meta().name)
                        .chain(Code::ALL.iter().map(|c| c.name()));
                    let hint = crate::sema::decode::suggest(name, names);
                    Some((format!("'{name}' is not a check or warning code"), hint))
                }
                Some(c) if c.check().is_none() && c.default_severity() == Severity::Error => Some((
                    format!("{} is an error Falco reports; it cannot be suppressed", c.name()),
                    None,
                )),
                // A check that did not run cannot have been silenced: not unused.
                Some(c) if config.level_of(c) == Level::Allow => None,
                Some(c) if !u[j] => Some((
                    format!("nothing here reports {}: this suppression is unused", c.name()),
                    None,
                )),
                Some(_) => None,
            };
            let Some((message, hint)) = problem else { continue };
            let at = FileSpan {
                file: s.file,
                span: *span,
            };
            let mut d =
                Diagnostic::new(Code::Check(CheckId::UnusedSuppression), at, message).help(unused_suppression::HELP);
            if let Some(h) = hint {
                d = d.did_you_mean(h);
            } else {
                d = d.with_fix(remove_name(cx, s, j));
            }
            d.severity = unused_level.severity().unwrap_or(Severity::Warning);
            diags.push(d);
        }
    }
    diags.sort_by_key(|d| (d.primary.file, d.primary.span.start));
    silenced
}

/// The fix for an unused name: drop the name, or the whole comment when it is the only one.
fn remove_name(cx: &Context, s: &Suppression, j: usize) -> Fix {
    let fs = |span| FileSpan { file: s.file, span };
    if s.names.len() == 1 {
        // The comment and the blanks before it; a comment alone on its line goes with its line.
        let text = cx.file_text(s.file);
        let line_start = text[..s.comment.start as usize].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[line_start..s.comment.start as usize];
        let span = if before.trim().is_empty() {
            let end = text[s.comment.end as usize..]
                .find('\n')
                .map_or(text.len(), |i| s.comment.end as usize + i + 1);
            Span::new(line_start as u32, end as u32)
        } else {
            Span::new((line_start + before.trim_end().len()) as u32, s.comment.end)
        };
        return Fix::delete("remove the unused suppression", fs(span), Applicability::Safe);
    }
    // Drop the name and the separator next to it.
    let (_, span) = &s.names[j];
    let span = if j + 1 < s.names.len() {
        Span::new(span.start, s.names[j + 1].1.start)
    } else {
        Span::new(s.names[j - 1].1.end, span.end)
    };
    Fix::delete("remove the unused name", fs(span), Applicability::Safe)
}

/// A suppression comment on one line (`text` starts at byte `base` of the file).
fn parse_comment(text: &str, base: usize, scalars: &[(usize, usize)]) -> Option<Suppression> {
    let mut search = 0;
    while let Some(i) = text[search..].find('#') {
        let hash = search + i;
        search = hash + 1;
        let starts_comment = hash == 0 || text[..hash].ends_with([' ', '\t']);
        let abs = base + hash;
        if !starts_comment || scalars.iter().any(|&(s, e)| s <= abs && abs < e) {
            continue;
        }
        let body = text[hash + 1..].trim_start();
        let rest = body.strip_prefix(MARKER)?.trim_start();
        let inner = rest.strip_prefix("ignore")?.trim_start().strip_prefix('[')?;
        let close = inner.find(']')?;
        // `inner` is a slice of `text`: its offset is a pointer difference.
        let inner_at = base + (inner.as_ptr() as usize - text.as_ptr() as usize);
        let mut names = Vec::new();
        let mut at = 0;
        for part in inner[..close].split(',') {
            let trimmed = part.trim();
            if !trimmed.is_empty() {
                let off = at + (part.len() - part.trim_start().len());
                let s = (inner_at + off) as u32;
                names.push((trimmed.to_string(), Span::new(s, s + trimmed.len() as u32)));
            }
            at += part.len() + 1;
        }
        let line_end = text.trim_end_matches(['\n', '\r']).len();
        let reason = inner[close + 1..].trim().to_string();
        return Some(Suppression {
            file: FileId(0),
            comment: Span::new(abs as u32, (base + line_end) as u32),
            names,
            reason,
            scope: Span::empty(0),
        });
    }
    None
}

/// The first line from `line` on that has content other than a comment.
fn next_content_line(text: &str, lines: &LineIndex, mut line: u32) -> Option<u32> {
    while (line as usize) < lines.line_count() {
        let s = lines.line_start(line, text) as usize;
        let e = lines.line_start(line + 1, text) as usize;
        let t = text.get(s..e).unwrap_or("").trim();
        if !t.is_empty() && !t.starts_with('#') {
            return Some(line);
        }
        line += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::lint::CheckId;
    use crate::{Options, SourceFile, analyze};

    fn codes(text: &str) -> (Vec<String>, usize) {
        let a = analyze(
            vec![SourceFile {
                name: "r.yaml".into(),
                text: text.into(),
            }],
            &Options::default(),
        );
        (
            a.diagnostics.iter().map(|d| d.code.name().to_string()).collect(),
            a.suppressed,
        )
    }

    const RULE: &str = "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name in (bash, sh, bash)\n  output: o %proc.name\n  priority: INFO\n";

    #[test]
    fn above_an_item_covers_the_item() {
        let text = format!("# falcorc: ignore[duplicate-in-value] generated list\n{RULE}");
        assert_eq!(codes(&text), (vec![], 1));
    }

    #[test]
    fn at_the_end_of_a_line_covers_that_line_only() {
        let on_line = RULE.replace(
            "sh, bash)\n",
            "sh, bash)   # falcorc: ignore[duplicate-in-value] generated\n",
        );
        assert_eq!(codes(&on_line), (vec![], 1));
        let elsewhere = RULE.replace(
            "  output: o %proc.name\n",
            "  output: o %proc.name  # falcorc: ignore[duplicate-in-value] x\n",
        );
        let (c, n) = codes(&elsewhere);
        assert_eq!(n, 0);
        assert_eq!(c, ["duplicate-in-value", "unused-suppression"]);
    }

    #[test]
    fn several_names_unknown_names_and_missing_reasons() {
        let text = format!("# falcorc: ignore[duplicate-in-value, mixed-and-orr, LOAD_UNUSED_LIST]\n{RULE}");
        let (c, n) = codes(&text);
        assert_eq!(n, 1);
        assert_eq!(
            c,
            ["suppression-without-reason", "unused-suppression", "unused-suppression"]
        );
    }

    #[test]
    fn falco_errors_cannot_be_suppressed() {
        let text = "# falcorc: ignore[LOAD_ERR_YAML_VALIDATE] no\n- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: LOUD\n";
        let (c, n) = codes(text);
        assert_eq!(n, 0);
        assert!(c.contains(&"LOAD_ERR_YAML_VALIDATE".to_string()), "{c:?}");
        assert!(
            c.contains(&Code::Check(CheckId::UnusedSuppression).name().to_string()),
            "{c:?}"
        );
    }

    #[test]
    fn a_hash_inside_a_scalar_is_not_a_comment() {
        // In a folded condition the text is the condition's, not a YAML comment.
        let text = "- rule: r\n  desc: \"# falcorc: ignore[duplicate-in-value] not a comment\"\n  condition: evt.type = execve and proc.name in (bash, sh, bash)\n  output: o %proc.name\n  priority: INFO\n";
        let (c, n) = codes(text);
        assert_eq!((c, n), (vec!["duplicate-in-value".to_string()], 0));
    }
}
