//! `a or b and c` without parentheses.

use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
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
        let Some(cond) = &w.condition else { continue };
        let text = cx.file_text(w.file);
        cond.walk(&mut |e| {
            let Expr::Or(xs, _) = e else { return };
            for x in xs {
                let Expr::And(_, span) = x else { continue };
                if parenthesized(text, span.start as usize) {
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

/// True if the group starting at `start` is written inside parentheses.
fn parenthesized(text: &str, start: usize) -> bool {
    let bytes = text.as_bytes();
    if bytes.get(start) == Some(&b'(') {
        return true;
    }
    let before = bytes[..start.min(bytes.len())]
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace());
    before == Some(&b'(')
}
