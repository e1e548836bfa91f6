//! An `override` or `append` that leaves the item as it was.

use crate::hash::FastMap as HashMap;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::yaml::{Node, NodeKind};

pub const META: Meta = Meta {
    name: "override-no-change",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "An `override` or `append` leaves the item unchanged",
    what: "Reports an `override: {KEY: replace}` whose value equals the value the item already has, and an append (`override: {KEY: append}` or `append: true`) of an empty value.",
    why: "Such an entry does nothing, yet reads as if it customised the rule. It usually means the override was written against an older version of the base rules, or the intended change was lost.",
    bad: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n\n- rule: Shell started\n  priority: NOTICE\n  override:\n    priority: replace\n",
    good: "- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name = bash\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n\n- rule: Shell started\n  priority: WARNING\n  override:\n    priority: replace\n",
    fix: None,
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    let mut current: HashMap<(crate::index::ItemKind, &str), HashMap<&str, String>> = HashMap::default();
    for w in &cx.items {
        let entries = w.node.as_map().unwrap_or_default();
        let values = || {
            entries
                .iter()
                .filter_map(|e| Some((e.key.as_scalar()?.value.as_str(), canonical(&e.value)?)))
        };
        if !w.modifies {
            current.insert((w.kind, w.name), values().collect());
            continue;
        }
        let modes: Vec<(&str, &str, &Node)> = match w.get("override") {
            Some(o) => o
                .as_map()
                .unwrap_or_default()
                .iter()
                .filter_map(|e| {
                    Some((
                        e.key.as_scalar()?.value.as_str(),
                        e.value.as_scalar()?.value.as_str(),
                        &e.value,
                    ))
                })
                .collect(),
            // `append: true`: every other key is appended.
            None => entries
                .iter()
                .filter_map(|e| {
                    let k = e.key.as_scalar()?.value.as_str();
                    (!matches!(k, "rule" | "macro" | "list" | "append")).then_some((k, "append", &e.key))
                })
                .collect(),
        };
        let Some(known) = current.get_mut(&(w.kind, w.name)) else {
            continue;
        };
        for (key, mode, at) in modes {
            let Some(node) = w.get(key) else { continue };
            let Some(value) = canonical(node) else { continue };
            let unchanged = match mode {
                "replace" => known.get(key) == Some(&value),
                "append" => value.trim().is_empty(),
                _ => false,
            };
            if unchanged {
                let what = if mode == "replace" {
                    format!("'{key}' is replaced with the value it already has")
                } else {
                    format!("'{key}' is appended with an empty value")
                };
                let d = out
                    .diag(w.at(node.span), format!("{what}: this {mode} changes nothing"))
                    .primary_label("no change")
                    .label(w.at(at.span), format!("{mode} requested here"))
                    .in_item(w.kind.key(), w.name)
                    .help("remove the entry, or give the value that was meant");
                out.emit(d);
            }
            match mode {
                "replace" => {
                    known.insert(key, value);
                }
                "append" => {
                    let joined = known.get(key).cloned().unwrap_or_default() + "\u{1}" + &value;
                    known.insert(key, joined);
                }
                _ => {}
            }
        }
    }
}

/// A comparable form of a value: scalars by text, sequences by their items.
fn canonical(n: &Node) -> Option<String> {
    let mut out = String::new();
    canonical_into(n, &mut out).then_some(out)
}

/// [`canonical`] written into `out`, one buffer for a whole sequence; false for a map.
fn canonical_into(n: &Node, out: &mut String) -> bool {
    match &n.kind {
        NodeKind::Null => true,
        NodeKind::Scalar(s) => {
            out.push_str(&s.value);
            true
        }
        NodeKind::Seq(xs) => xs.iter().enumerate().all(|(i, x)| {
            if i > 0 {
                out.push('\u{1}');
            }
            canonical_into(x, out)
        }),
        NodeKind::Map(_) => false,
    }
}
