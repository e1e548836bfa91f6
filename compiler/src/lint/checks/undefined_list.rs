//! A value in `in (...)` that looks like a list name but names no list.

use crate::diag::Applicability;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::decode::suggest;

pub const META: Meta = Meta {
    name: "undefined-list",
    category: Category::Correctness,
    default: Level::Warn,
    summary: "A value in a list operator looks like a list name, but no such list is defined",
    what: "Reports an unquoted value inside `in (...)`, `intersects (...)` or `pmatch (...)` that is spelled like a list name (close to a defined list, or ending in `_binaries`, `_files`, `_dirs` and the like) while no list by that name exists.",
    why: "Falco substitutes defined lists into conditions as text; a name that matches no list stays in the condition as a literal string. A misspelled `shell_binaires` is then compared as the process name \"shell_binaires\", the rule loads without a word and never matches what the list holds.",
    bad: "- list: shell_binaries\n  items: [bash, sh, zsh]\n\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (shell_binaires)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- list: shell_binaries\n  items: [bash, sh, zsh]\n\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (shell_binaries)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: Some(Applicability::Unsafe),
};

/// Endings that Falco rulesets use for list names and that real values rarely have.
const LIST_SUFFIXES: &[&str] = &[
    "_binaries",
    "_bins",
    "_procs",
    "_processes",
    "_files",
    "_dirs",
    "_directories",
    "_paths",
    "_images",
    "_repositories",
    "_ports",
    "_users",
    "_names",
    "_list",
    "_containers",
    "_cmdlines",
];

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    let lists: Vec<&str> = cx.col.lists.iter().map(|l| l.name.value.as_str()).collect();
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        super::each_check(cond, &mut |c| {
            if !c.op.is_list() {
                return;
            }
            for v in super::rhs_values(&c.rhs) {
                let name = v.text.as_str();
                if v.quote.is_some() || !is_identifier(name) || cx.is_list(name) {
                    continue;
                }
                let close = suggest(name, lists.iter().copied()).filter(|s| *s != name);
                let suffixed = LIST_SUFFIXES.iter().any(|s| name.len() > s.len() && name.ends_with(s));
                if close.is_none() && !suffixed {
                    continue;
                }
                let d = out
                    .diag(
                        w.at(v.span),
                        format!("no list named '{name}' is defined: it is compared as a literal string"),
                    )
                    .primary_label("not a list: this text is the value compared")
                    .in_item(w.kind.key(), w.name);
                let d = match close {
                    Some(s) => d.did_you_mean(s),
                    None => d.help(format!(
                        "define `- list: {name}` before this item, or quote the value if it is meant literally"
                    )),
                };
                out.emit(d);
            }
        });
    }
}

/// A word that lexes as a list name: letters, digits and underscores, with an underscore
/// (list names are snake_case; a plain word is more likely a real value).
fn is_identifier(s: &str) -> bool {
    s.contains('_')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
