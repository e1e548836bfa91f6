//! Completion. The context comes from the item and key at the cursor (from the index), and,
//! inside a condition, from the tokens before the cursor: a check start offers fields and
//! macros, a field offers the operators its type supports, a list operator offers lists
//! (and event names for `evt.type`), a finished check offers `and`/`or`.

use super::{FilePos, docs};
use crate::snapshot::Snapshot;
use falcorc_compiler::index::{Index, Item, ItemKind};
use falcorc_compiler::sema::catalog::{self, flags};
use falcorc_compiler::sema::collect::{LIST_KEYS, MACRO_KEYS, RULE_KEYS};
use falcorc_compiler::sema::items::Priority;
use falcorc_compiler::sema::typeck::{op_supported, resolve_field_name};
use falcorc_compiler::span::{FileId, FileSpan, Span};
use falcorc_compiler::syntax::condition::ast::{Modifier, Op};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    Field,
    Macro,
    List,
    Operator,
    Keyword,
    Event,
    Key,
    Value,
}

impl CompKind {
    pub const ALL: [CompKind; 8] = [
        CompKind::Field,
        CompKind::Macro,
        CompKind::List,
        CompKind::Operator,
        CompKind::Keyword,
        CompKind::Event,
        CompKind::Key,
        CompKind::Value,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompKind,
    pub detail: Option<String>,
    /// Text inserted in place of `replace` (the word being typed).
    pub insert: String,
    pub replace: FileSpan,
}

/// The documentation of a completion item, sent when the editor resolves it (documentation
/// of ~300 fields in every list would triple the time to answer).
pub fn documentation(snap: &Snapshot, kind: CompKind, label: &str) -> Option<String> {
    let a = &snap.analysis;
    match kind {
        CompKind::Field => catalog::field(label).map(|f| f.doc.to_string()),
        CompKind::Macro => a
            .macros
            .iter()
            .find(|m| m.name == label)
            .map(|m| format!("```\n{}\n```", m.condition.trim())),
        CompKind::List => a.lists.iter().find(|l| l.name == label).map(|l| l.items.join(", ")),
        CompKind::Operator => Op::from_text(label).map(|op| docs::operator(op).to_string()),
        CompKind::Keyword => docs::keyword(label).map(str::to_string),
        CompKind::Key => Some(docs::key(label).to_string()).filter(|d| !d.is_empty()),
        CompKind::Event | CompKind::Value => None,
    }
}

pub fn complete(snap: &Snapshot, pos: FilePos) -> Vec<Completion> {
    let text = snap.text(pos.file);
    let mut off = (pos.offset as usize).min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let word_start = text[..off]
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let line_start = text[..word_start].rfind('\n').map_or(0, |i| i + 1);
    let before_word = &text[line_start..word_start];
    let mut out = Out {
        items: Vec::new(),
        replace: FileSpan {
            file: pos.file,
            span: Span::new(word_start as u32, off as u32),
        },
    };
    let ctx = Ctx {
        snap,
        file: pos.file,
        text,
        word_start,
        before_word,
    };
    ctx.complete(&mut out);
    out.items
}

struct Out {
    items: Vec<Completion>,
    replace: FileSpan,
}

impl Out {
    fn push(&mut self, label: &str, kind: CompKind, detail: Option<String>, insert: String) {
        self.items.push(Completion {
            label: label.to_string(),
            kind,
            detail,
            insert,
            replace: self.replace,
        });
    }

    fn simple(&mut self, label: &str, kind: CompKind) {
        self.push(label, kind, None, label.to_string());
    }
}

struct Ctx<'a> {
    snap: &'a Snapshot,
    file: FileId,
    text: &'a str,
    word_start: usize,
    before_word: &'a str,
}

impl Ctx<'_> {
    fn complete(&self, out: &mut Out) {
        let idx = self.snap.index();
        let trimmed = self.before_word.trim_start();
        // `- ` at the start of a line: a new top-level item.
        if (trimmed == "- " || trimmed == "-") && self.before_word.starts_with('-') {
            const KINDS: [&str; 5] = [
                "rule",
                "macro",
                "list",
                "required_engine_version",
                "required_plugin_versions",
            ];
            for k in KINDS {
                out.push(k, CompKind::Key, None, format!("{k}: "));
            }
            return;
        }
        let item = enclosing_item(idx, self.file, self.word_start as u32);
        let col = self.before_word.len();
        if let Some(item) = item {
            let key_col = item.keys.first().map(|k| self.column(k.key_span.start as usize));
            let at_key = trimmed.is_empty() && key_col == Some(col);
            if at_key {
                return self.keys(item, out);
            }
            if let Some(k) = item
                .keys
                .iter()
                .rev()
                .find(|k| (k.key_span.start as usize) < self.word_start)
            {
                let value_start = if k.value_span.is_empty() {
                    k.key_span.end as usize + 1
                } else {
                    k.value_span.start as usize
                };
                return self.value(item, &k.key, value_start.min(self.word_start), out);
            }
        }
        self.textual(out);
    }

    /// The YAML around the cursor does not parse (yet): read the item kind and the key from
    /// the lines themselves, as they are typed.
    fn textual(&self, out: &mut Out) {
        let trimmed = self.before_word.trim_start();
        let indent = self.before_word.len() - trimmed.len();
        let line_start = self.word_start - self.before_word.len();
        if let Some((key, rest)) = trimmed.trim_start_matches("- ").split_once(':') {
            return self.value_of_key(key.trim(), self.word_start - rest.len(), out);
        }
        if !trimmed.is_empty() && trimmed != "- " {
            return;
        }
        let mut governing: Option<(&str, usize)> = None;
        let mut seen: Vec<&str> = Vec::new();
        // Walk the lines above, keeping `at` at the start of each (the text is split on `\n`, so
        // a CRLF line keeps its `\r`, which `trim` removes from keys).
        let mut at = line_start.saturating_sub(1);
        for line in self.text[..at].split('\n').rev() {
            at -= line.len();
            let line_at = at;
            at = at.saturating_sub(1);
            let t = line.trim_start();
            let ind = line.len() - t.len();
            let key = t.trim_start_matches("- ").split_once(':').map(|(k, _)| k.trim());
            if let Some(k) = key
                && ind < indent
                && governing.is_none()
                && !t.is_empty()
            {
                governing = Some((k, line_at + line.find(':').map_or(0, |c| c + 1)));
            }
            if let Some(k) = key {
                seen.push(k);
            }
            if !t.starts_with("- ") || ind != 0 {
                continue;
            }
            let kind = [ItemKind::List, ItemKind::Macro, ItemKind::Rule]
                .into_iter()
                .find(|k| key == Some(k.key()));
            if let Some(kind) = kind
                && indent == ind + 2
            {
                return self.keys_of(kind, &seen, out);
            }
            break;
        }
        if let Some((key, value_start)) = governing {
            self.value_of_key(key, value_start, out);
        }
    }

    /// Column (in bytes) of `offset` on its line.
    fn column(&self, offset: usize) -> usize {
        offset - self.text[..offset].rfind('\n').map_or(0, |i| i + 1)
    }

    fn keys(&self, item: &Item, out: &mut Out) {
        let present: Vec<&str> = item.keys.iter().map(|k| k.key.as_str()).collect();
        self.keys_of(item.kind, &present, out);
    }

    /// The keys of an item kind that `present` does not have yet.
    fn keys_of(&self, kind: ItemKind, present: &[&str], out: &mut Out) {
        let all: &[&str] = match kind {
            ItemKind::List => LIST_KEYS,
            ItemKind::Macro => MACRO_KEYS,
            ItemKind::Rule => RULE_KEYS,
        };
        for k in all.iter().filter(|k| !present.contains(k)) {
            out.push(k, CompKind::Key, None, format!("{k}: "));
        }
    }

    fn value(&self, item: &Item, key: &str, value_start: usize, out: &mut Out) {
        if key == "items" && item.kind == ItemKind::List {
            return self.lists(out);
        }
        self.value_of_key(key, value_start, out);
    }

    fn value_of_key(&self, key: &str, value_start: usize, out: &mut Out) {
        let a = &self.snap.analysis;
        match key {
            "condition" => {
                let prefix = self.text.get(value_start..self.word_start).unwrap_or("");
                self.condition(condition_text(prefix), out);
            }
            "output" if self.text[..self.word_start].ends_with('%') => self.fields(out),
            "priority" => {
                for p in Priority::ALL {
                    out.simple(&p.name().to_ascii_uppercase(), CompKind::Value);
                }
            }
            "source" => out.simple("syscall", CompKind::Value),
            "enabled" | "capture" | "warn_evttypes" | "skip-if-unknown-filter" | "append" => {
                out.simple("true", CompKind::Value);
                out.simple("false", CompKind::Value);
            }
            "tags" => {
                let tags: BTreeSet<&str> = a.rules.iter().flat_map(|r| r.tags.iter().map(String::as_str)).collect();
                for t in tags {
                    out.simple(t, CompKind::Value);
                }
            }
            _ => {}
        }
    }

    fn condition(&self, prefix: &str, out: &mut Out) {
        match condition_context(prefix) {
            CondCtx::CheckStart => {
                self.fields(out);
                self.macros(out);
                out.simple("not", CompKind::Keyword);
            }
            CondCtx::Operators(field) => {
                let Some(def) = resolve_field_name(&field) else { return };
                let list = def.has(flags::LIST);
                for op in Op::ALL {
                    if op_supported(def.ty, list, op) {
                        let label = op.text();
                        out.push(
                            label,
                            CompKind::Operator,
                            Some(format!("{} {label}", def.ty.short_name())),
                            label.to_string(),
                        );
                    }
                }
            }
            CondCtx::Value(field) | CondCtx::ListValue(field) if field == "evt.type" => {
                self.events(out);
                self.lists(out);
            }
            CondCtx::ListValue(_) => self.lists(out),
            CondCtx::Value(_) => {}
            CondCtx::Connective => {
                out.simple("and", CompKind::Keyword);
                out.simple("or", CompKind::Keyword);
            }
        }
    }

    fn fields(&self, out: &mut Out) {
        for f in catalog::FIELDS {
            if f.has(flags::TABLE_ONLY)
                || (f.class == catalog::FieldClass::Container && !self.snap.env.container_plugin)
            {
                continue;
            }
            out.push(
                f.name,
                CompKind::Field,
                Some(f.ty.short_name().to_string()),
                f.name.to_string(),
            );
        }
    }

    fn macros(&self, out: &mut Out) {
        for m in &self.snap.analysis.macros {
            out.push(&m.name, CompKind::Macro, Some("macro".into()), m.name.clone());
        }
    }

    fn lists(&self, out: &mut Out) {
        for l in &self.snap.analysis.lists {
            out.push(
                &l.name,
                CompKind::List,
                Some(format!("list ({} items)", l.items.len())),
                l.name.clone(),
            );
        }
    }

    fn events(&self, out: &mut Out) {
        let names: BTreeSet<&str> = catalog::EVENTS
            .iter()
            .filter(|e| !e.unused && !e.old)
            .map(|e| e.name)
            .chain(catalog::GENERIC_SYSCALLS.iter().copied())
            .collect();
        for n in names {
            out.simple(n, CompKind::Event);
        }
    }
}

/// The condition text itself: after the header line of a block scalar (`condition: >-`), or
/// inside the quotes of a quoted one.
fn condition_text(prefix: &str) -> &str {
    let t = prefix.trim_start();
    if t.starts_with(['>', '|']) {
        return t.split_once('\n').map_or("", |(_, rest)| rest);
    }
    t.strip_prefix(['"', '\'']).unwrap_or(t)
}

/// The last item of `file` starting at or before `offset` (a block mapping's span ends at its
/// last value, so the cursor on a fresh line after it still belongs to it).
fn enclosing_item(idx: &Index, file: FileId, offset: u32) -> Option<&Item> {
    idx.items
        .iter()
        .filter(|i| i.span.file == file && i.span.span.start <= offset)
        .max_by_key(|i| i.span.span.start)
}

#[derive(Debug, PartialEq, Eq)]
enum CondCtx {
    CheckStart,
    Operators(String),
    /// After a scalar operator of this field.
    Value(String),
    /// Inside the parentheses of a list operator of this field.
    ListValue(String),
    Connective,
}

#[derive(Debug, PartialEq, Eq)]
enum Tok<'a> {
    Word(&'a str),
    Open,
    Close,
    Comma,
    Str,
}

/// Split condition text into words, operators, parentheses, commas and quoted strings.
fn lex(s: &str) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'(' => out.push(Tok::Open),
            b')' => out.push(Tok::Close),
            b',' => out.push(Tok::Comma),
            b'"' | b'\'' => {
                let close = s[i + 1..].find(c as char).map_or(b.len(), |j| i + 1 + j);
                out.push(Tok::Str);
                i = close + 1;
                continue;
            }
            b'=' | b'!' | b'<' | b'>' => {
                let end = i + s[i..]
                    .bytes()
                    .take_while(|x| matches!(x, b'=' | b'!' | b'<' | b'>'))
                    .count();
                out.push(Tok::Word(&s[i..end]));
                i = end;
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => {
                let end = i + s[i..]
                    .bytes()
                    .take_while(|x| !x.is_ascii_whitespace() && !b"(),\"'=!<>".contains(x))
                    .count();
                out.push(Tok::Word(&s[i..end]));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn is_op(w: &str) -> Option<Op> {
    Op::from_text(w)
}

fn field_name(w: &str) -> Option<String> {
    let base = w.split_once('[').map_or(w, |(b, _)| b);
    resolve_field_name(base).map(|_| base.to_string())
}

fn condition_context(prefix: &str) -> CondCtx {
    let toks = lex(prefix);
    // Open parentheses: Some(field) for the list of a list operator (or a modifier).
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut last_field: Option<String> = None;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Open => {
                let prev = i.checked_sub(1).map(|j| &toks[j]);
                let list_paren = matches!(prev, Some(Tok::Word(w))
                    if is_op(w).is_some_and(Op::is_list) || Modifier::from_name(w).is_some() || is_op(w).is_some());
                stack.push(if list_paren {
                    last_field.clone().or(Some(String::new()))
                } else {
                    None
                });
            }
            Tok::Close => {
                stack.pop();
            }
            Tok::Word(w) => {
                let after_op = i
                    .checked_sub(1)
                    .is_some_and(|j| matches!(&toks[j], Tok::Word(p) if is_op(p).is_some()));
                if !after_op && let Some(f) = field_name(w) {
                    last_field = Some(f);
                }
            }
            _ => {}
        }
    }
    if let Some(Some(field)) = stack.last() {
        return match toks.last() {
            Some(Tok::Open | Tok::Comma) => CondCtx::ListValue(field.clone()),
            _ => CondCtx::Connective,
        };
    }
    let n = toks.len();
    match toks.last() {
        None | Some(Tok::Open) => CondCtx::CheckStart,
        Some(Tok::Word(w)) if matches!(*w, "and" | "or" | "not") => CondCtx::CheckStart,
        Some(Tok::Word(w)) if is_op(w).is_some() => {
            let field = last_field.unwrap_or_default();
            if is_op(w).is_some_and(Op::is_list) {
                CondCtx::Value(String::new())
            } else {
                CondCtx::Value(field)
            }
        }
        Some(Tok::Word(w)) => {
            let prev_is_op = n >= 2 && matches!(&toks[n - 2], Tok::Word(p) if is_op(p).is_some());
            match field_name(w) {
                Some(f) if !prev_is_op => CondCtx::Operators(f),
                _ => CondCtx::Connective,
            }
        }
        Some(Tok::Close | Tok::Str | Tok::Comma) => CondCtx::Connective,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_contexts() {
        use CondCtx::*;
        let cases = [
            ("", CheckStart),
            ("evt.type = open and ", CheckStart),
            ("not (", CheckStart),
            ("proc.name ", Operators("proc.name".into())),
            ("proc.aname[2] ", Operators("proc.aname".into())),
            ("evt.type = ", Value("evt.type".into())),
            ("evt.type in (open, ", ListValue("evt.type".into())),
            ("proc.name in (", ListValue("proc.name".into())),
            ("proc.name startswith oneof (", ListValue("proc.name".into())),
            ("proc.name in (a, b) ", Connective),
            ("proc.name = bash ", Connective),
            ("proc.name = proc.pname ", Connective),
            ("(proc.name=\"x y\" ", Connective),
            ("my_macro ", Connective),
        ];
        for (prefix, want) in cases {
            assert_eq!(condition_context(prefix), want, "{prefix:?}");
        }
    }
}
