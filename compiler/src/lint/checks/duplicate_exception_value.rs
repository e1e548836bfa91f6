//! An exception listing the same value (tuple) twice.

use crate::diag::Applicability;
use crate::hash::FastMap as HashMap;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::items::{ExcAtom, ExcValue};
use crate::span::FileSpan;

pub const META: Meta = Meta {
    name: "duplicate-exception-value",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "An exception lists the same value twice",
    what: "Reports an entry of an exception's `values` equal to an earlier entry of the same exception, counting values added by appends.",
    why: "The repetition changes nothing, so a different value was probably meant: an exception that was supposed to cover a second process or path does not.",
    bad: "- rule: Write below etc\n  desc: A file below /etc was opened for writing\n  condition: evt.type = openat and evt.is_open_write = true and fd.name startswith /etc/\n  output: Write below etc (file=%fd.name proc=%proc.name)\n  priority: ERROR\n  exceptions:\n    - name: known_writers\n      fields: [proc.name, fd.name]\n      values:\n        - [dpkg, /etc/passwd]\n        - [dpkg, /etc/passwd]\n",
    good: "- rule: Write below etc\n  desc: A file below /etc was opened for writing\n  condition: evt.type = openat and evt.is_open_write = true and fd.name startswith /etc/\n  output: Write below etc (file=%fd.name proc=%proc.name)\n  priority: ERROR\n  exceptions:\n    - name: known_writers\n      fields: [proc.name, fd.name]\n      values:\n        - [dpkg, /etc/passwd]\n        - [dpkg, /etc/group]\n",
    fix: Some(Applicability::Safe),
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for r in &cx.col.rules {
        for ex in &r.exceptions {
            let mut seen: HashMap<String, FileSpan> = HashMap::default();
            let mut prev: Option<FileSpan> = None;
            for v in &ex.values {
                let (key, span) = match v {
                    ExcValue::Scalar(s) => (s.value.clone(), s.file_span()),
                    ExcValue::Tuple(atoms, span) => (atoms.iter().map(atom).collect::<Vec<_>>().join("\u{1}"), *span),
                };
                if let Some(&first) = seen.get(&key) {
                    let mut d = out
                        .diag(span, format!("exception '{}' already has this value", ex.name.value))
                        .primary_label("repeated")
                        .label(first, "first occurrence")
                        .in_item("rule", &r.name.value);
                    if let Some(p) = prev
                        && let Some(fix) = super::delete_entry(cx, p, span, "remove the repeated value")
                    {
                        d = d.with_fix(fix);
                    }
                    out.emit(d);
                } else {
                    seen.insert(key, span);
                }
                prev = Some(span);
            }
        }
    }
}

fn atom(a: &ExcAtom) -> String {
    match a {
        ExcAtom::Scalar(s) => s.value.clone(),
        ExcAtom::List(xs, _) => format!(
            "({})",
            xs.iter().map(|x| x.value.as_str()).collect::<Vec<_>>().join(",")
        ),
    }
}
