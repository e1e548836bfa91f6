//! `a and b and a`: the same comparison twice in one group.

use crate::hash::FastMap as HashMap;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::{ast::Expr, print};

pub const META: Meta = Meta {
    name: "duplicate-comparison",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "The same comparison or macro appears twice in one `and`/`or` group",
    what: "Reports a comparison or macro reference that repeats an earlier operand of the same `and` or `or` group, compared by meaning (spacing and quoting do not matter).",
    why: "The repetition changes nothing, so it is usually a copy-paste mistake where a different field or value was meant: `fd.name startswith /etc or fd.name startswith /etc` was meant to cover a second directory.",
    bad: "- rule: Write below etc or root\n  desc: A file below /etc or /root was opened for writing\n  condition: evt.type = openat and evt.is_open_write = true and (fd.name startswith /etc/ or fd.name startswith /etc/)\n  output: Write (file=%fd.name)\n  priority: ERROR\n",
    good: "- rule: Write below etc or root\n  desc: A file below /etc or /root was opened for writing\n  condition: evt.type = openat and evt.is_open_write = true and (fd.name startswith /etc/ or fd.name startswith /root/)\n  output: Write (file=%fd.name)\n  priority: ERROR\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    // One map and one text buffer for every group: operands are compared by their
    // canonical text, printed into the buffer and copied only when first seen.
    let mut seen: HashMap<String, usize> = HashMap::default();
    let mut text = String::new();
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        cond.walk(&mut |e| {
            let (Expr::And(xs, _) | Expr::Or(xs, _)) = e else {
                return;
            };
            let word = if matches!(e, Expr::And(..)) { "and" } else { "or" };
            seen.clear();
            for (i, x) in xs.iter().enumerate() {
                if !matches!(x, Expr::Check(_) | Expr::Macro(_)) {
                    continue;
                }
                text.clear();
                print::write(&mut text, x);
                match seen.get(text.as_str()) {
                    None => {
                        seen.insert(text.clone(), i);
                    }
                    Some(&first) => {
                        let d = out
                            .diag(
                                w.at(x.span()),
                                format!("this repeats an earlier operand of the same `{word}`"),
                            )
                            .primary_label("repeated")
                            .label(w.at(xs[first].span()), "first occurrence")
                            .in_item(w.kind.key(), w.name)
                            .help("remove it, or fix the field or value that was meant");
                        out.emit(d);
                    }
                }
            }
        });
    }
}
