//! `proc.name in (bash, sh, bash)`.

use crate::diag::Applicability;
use crate::hash::FastMap as HashMap;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::ast::Rhs;

pub const META: Meta = Meta {
    name: "duplicate-in-value",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "A parenthesised value list repeats a value",
    what: "Reports a value written twice in the same `(...)` list of `in`, `intersects`, `pmatch` or a `oneof`/`anyof`/`allof` modifier.",
    why: "The repetition changes nothing, so it usually hides a mistake: a different value was meant.",
    bad: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (bash, sh, bash)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (bash, sh, zsh)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: Some(Applicability::Safe),
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        super::each_check(cond, &mut |c| {
            let values = match &c.rhs {
                Rhs::List(vs, _) => vs,
                Rhs::Modified { list, .. } => match &**list {
                    Rhs::List(vs, _) => vs,
                    _ => return,
                },
                _ => return,
            };
            let mut seen = HashMap::default();
            for (i, v) in values.iter().enumerate() {
                let span = w.at(v.span);
                let Some(&first) = seen.get(v.text.as_str()) else {
                    seen.insert(v.text.as_str(), span);
                    continue;
                };
                let mut d = out
                    .diag(span, format!("'{}' is already in this list", v.text))
                    .primary_label("repeated")
                    .label(first, "first occurrence")
                    .in_item(w.kind.key(), w.name);
                if let Some(fix) = super::delete_entry(cx, w.at(values[i - 1].span), span, "remove the repeated value")
                {
                    d = d.with_fix(fix);
                }
                out.emit(d);
            }
        });
    }
}
