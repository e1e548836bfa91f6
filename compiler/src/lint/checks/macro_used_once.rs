//! A macro referenced from one place only.

use crate::hash::FastMap as HashMap;
use crate::index::ItemKind;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::ast::Expr;

pub const META: Meta = Meta {
    name: "macro-used-once",
    category: Category::Style,
    default: Level::Allow,
    summary: "A macro is used by exactly one condition",
    what: "Reports macros referenced from exactly one rule or macro condition across the loaded files.",
    why: "A macro used once adds a name to look up without sharing anything; inlining it keeps the condition readable in one place. Off by default: a well-named macro can document intent, and macros are also extension points that a local rules file may override.",
    bad: "- macro: is_bash\n  condition: proc.name = bash\n\n- rule: Shell started\n  desc: bash was started\n  condition: evt.type = execve and is_bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- rule: Shell started\n  desc: bash was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    let mut uses: HashMap<&str, usize> = HashMap::default();
    for w in &cx.items {
        if let Some(cond) = w.condition() {
            cond.walk(&mut |e| {
                if let Expr::Macro(n) = e {
                    *uses.entry(n.text.as_str()).or_default() += 1;
                }
            });
        }
    }
    for w in &cx.items {
        if w.kind != ItemKind::Macro || w.modifies || uses.get(w.name) != Some(&1) {
            continue;
        }
        let d = out
            .diag(w.name_span(), "this macro is used only once")
            .in_item("macro", w.name)
            .help("inline its condition where it is used, in parentheses");
        out.emit(d);
    }
}
