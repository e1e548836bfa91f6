//! Hover: fields (type, argument, docs), operators and keywords, macros and lists (their
//! definition and expansion), rules (summary with the evt.type set), and the explanation of
//! the diagnostics under the cursor.

use super::{FilePos, docs, symbol_at};
use crate::ide::diagnostics::explain;
use crate::snapshot::Snapshot;
use falcorc_compiler::index::{ItemKind, TokenKind};
use falcorc_compiler::sema::catalog::{self, FieldDef};
use falcorc_compiler::sema::typeck::resolve_field_name;
use falcorc_compiler::span::FileSpan;
use std::fmt::Write;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub markdown: String,
    pub span: FileSpan,
}

pub fn hover(snap: &Snapshot, pos: FilePos) -> Option<Hover> {
    let mut h = token_hover(snap, pos).or_else(|| symbol_hover(snap, pos));
    // Explain the codes of diagnostics under the cursor.
    let mut seen = Vec::new();
    for d in &snap.analysis.diagnostics {
        let s = d.primary;
        if s.file == pos.file && s.span.start <= pos.offset && pos.offset <= s.span.end && !seen.contains(&d.code) {
            seen.push(d.code);
            let text = explain(d.code);
            match &mut h {
                Some(h) => {
                    h.markdown.push_str("\n\n---\n\n");
                    h.markdown.push_str(&text);
                }
                None => {
                    h = Some(Hover {
                        markdown: text,
                        span: s,
                    })
                }
            }
        }
    }
    h
}

fn token_hover(snap: &Snapshot, pos: FilePos) -> Option<Hover> {
    let t = snap.index().token_at(pos.file, pos.offset)?;
    let markdown = match t.kind {
        TokenKind::Field => field_doc(resolve_field_name(&t.text)?, &t.text),
        TokenKind::Operator(op) => docs::operator(op).to_string(),
        TokenKind::Keyword => docs::keyword(&t.text)?.to_string(),
        TokenKind::Transformer => docs::transformer(&t.text)?.to_string(),
        TokenKind::Macro | TokenKind::List => return None,
        TokenKind::Value | TokenKind::Number => event_doc(t.field.as_deref()?, &t.text)?,
    };
    Some(Hover { markdown, span: t.span })
}

fn symbol_hover(snap: &Snapshot, pos: FilePos) -> Option<Hover> {
    let (kind, name, span) = symbol_at(snap, pos)?;
    let a = &snap.analysis;
    let markdown = match kind {
        ItemKind::Macro => {
            let m = a.macros.iter().find(|m| m.name == name)?;
            format!("**macro** `{name}`\n```\n{}\n```", m.condition.trim())
        }
        ItemKind::List => {
            let l = a.lists.iter().find(|l| l.name == name)?;
            let mut s = format!(
                "**list** `{name}` ({} items)\n```\n{}\n```",
                l.items.len(),
                l.items.join(", ")
            );
            // Items that name other lists expand one level, as Falco does.
            for it in &l.items {
                if let Some(inner) = a.lists.iter().find(|x| &x.name == it) {
                    let _ = write!(s, "\n`{it}` expands to: {}", inner.items.join(", "));
                }
            }
            s
        }
        ItemKind::Rule => rule_doc(snap, &name)?,
    };
    Some(Hover { markdown, span })
}

fn field_doc(def: &FieldDef, written: &str) -> String {
    let mut s = format!("**{}** `{}`\n\n{}", def.name, def.ty.short_name(), def.doc);
    if written != def.name {
        let _ = write!(s, "\n\nwritten as `{written}`");
    }
    if def.arg.takes_brackets() {
        let req = if def.arg.is_required() { "required" } else { "optional" };
        let _ = write!(s, "\n\nargument: {req}, e.g. `{}[...]`", def.name);
    }
    if def.has(catalog::flags::DEPRECATED) {
        s.push_str("\n\n*deprecated*");
    }
    let _ = write!(s, "\n\nclass: {}", def.class.title());
    s
}

/// An `evt.type` value: which event codes it stands for.
fn event_doc(field: &str, value: &str) -> Option<String> {
    if field != "evt.type" {
        return None;
    }
    let codes = catalog::event_codes(value)?;
    let generic = if catalog::is_generic_syscall(value) {
        " (no event of its own: reported through the generic `syscall` events)"
    } else {
        ""
    };
    let codes: Vec<String> = codes.iter().map(u16::to_string).collect();
    Some(format!(
        "**event** `{value}`{generic}\n\nevent codes: {}",
        codes.join(", ")
    ))
}

fn rule_doc(snap: &Snapshot, name: &str) -> Option<String> {
    let r = snap.analysis.rules.iter().find(|r| r.name == name)?;
    let mut s = format!("**rule** `{name}` — {}", r.priority.name());
    if !r.enabled {
        s.push_str(" (disabled)");
    }
    let _ = write!(s, "\n\n{}", r.desc.trim());
    if r.source != "syscall" {
        let _ = write!(s, "\n\nsource: {}", r.source);
    }
    if !r.tags.is_empty() {
        let tags: Vec<&str> = r.tags.iter().map(String::as_str).collect();
        let _ = write!(s, "\n\ntags: {}", tags.join(", "));
    }
    match (&r.evttypes, &r.skipped) {
        (_, Some(why)) => {
            let _ = write!(s, "\n\nnot loaded: {why}");
        }
        (Some(set), None) => {
            let names = set.names();
            let shown: Vec<&str> = names.iter().take(40).copied().collect();
            let more = if names.len() > 40 {
                format!(" and {} more", names.len() - 40)
            } else {
                String::new()
            };
            let _ = write!(s, "\n\nevt.type ({}): {}{more}", names.len(), shown.join(", "));
        }
        (None, None) => {}
    }
    let _ = write!(s, "\n```\n{}\n```", r.condition.trim());
    if let Some(p) = &snap.profile {
        let _ = write!(s, "\n\n{}", p.hover(name));
    }
    Some(s)
}
