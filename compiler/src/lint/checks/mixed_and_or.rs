//! `a or b and c` without parentheses.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::span::Span;
use crate::syntax::condition::ast::Expr;

pub const META: Meta = Meta {
    name: "mixed-and-or",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "`and` and `or` are mixed without parentheses",
    what: "Reports an `and` group written directly inside an `or` without parentheses, such as `a or b and c`.",
    why: "`and` binds tighter than `or`, so `proc.name = sh or proc.name = bash and user.name = root` alerts for every `sh`, whoever runs it. Authors who mean `(a or b) and c` write this often, and reviewers read it the way it was meant, not the way Falco parses it.",
    bad: "- rule: Root shell\n  desc: A shell run by root\n  condition: evt.type = execve and (proc.name = sh or proc.name = bash and user.name = root)\n  output: Root shell (proc=%proc.name user=%user.name)\n  priority: NOTICE\n",
    good: "- rule: Root shell\n  desc: A shell run by root\n  condition: evt.type = execve and (proc.name = sh or proc.name = bash) and user.name = root\n  output: Root shell (proc=%proc.name user=%user.name)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        let text = cx.file_text(w.file);
        cond.walk(&mut |e| {
            let Expr::Or(xs, _) = e else { return };
            for x in xs {
                let Expr::And(_, span) = x else { continue };
                if parenthesized(text, *span) {
                    continue;
                }
                let d = out
                    .diag(
                        w.at(*span),
                        "`and` binds tighter than `or`: this part is grouped on its own",
                    )
                    .primary_label("read as one group: (... and ...)")
                    .in_item(w.kind.key(), w.name)
                    .help("add parentheses to say which grouping is meant");
                out.emit(d);
            }
        });
    }
}

/// True if the group spanning `span` is written inside its own parentheses: either the span
/// is `( ... )` with matching ends, or a `(` right before it closes right after it. (A group
/// that merely starts with a parenthesised operand, `(b) and c`, is not.)
fn parenthesized(text: &str, span: Span) -> bool {
    let bytes = text.as_bytes();
    let (start, end) = (span.start as usize, (span.end as usize).min(bytes.len()));
    if start >= end {
        return false;
    }
    if bytes[start] == b'(' && closing(bytes, start) == Some(end - 1) {
        return true;
    }
    let before = bytes[..start].iter().rposition(|b| !b.is_ascii_whitespace());
    let after = bytes[end..]
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| end + i);
    match (before, after) {
        (Some(b), Some(a)) => bytes[b] == b'(' && bytes[a] == b')' && closing(bytes, b) == Some(a),
        _ => false,
    }
}

/// The index of the `)` matching the `(` at `open`, skipping quoted text.
fn closing(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = open;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grouped(text: &str, group: &str) -> bool {
        let start = text.find(group).unwrap() as u32;
        parenthesized(text, Span::new(start, start + group.len() as u32))
    }

    #[test]
    fn own_parentheses_only() {
        assert!(grouped("a or (b and c)", "b and c"));
        assert!(grouped("a or ( b and c )", "b and c"));
        assert!(grouped("a or (b and c)", "(b and c)"));
        assert!(!grouped("a or (b) and c", "(b) and c"));
        assert!(!grouped("(a or b and c)", "b and c"));
        assert!(!grouped("a or (b) and (c)", "(b) and (c)"));
        assert!(grouped("x or (p = \"(\" and c)", "p = \"(\" and c"));
    }
}
