//! The symbol index editors need: every list, macro and rule item as written (name, keys,
//! spans), every reference to a list or macro (in conditions, list items and exception
//! values), and the classified tokens of each condition and output.
//!
//! The analysis works on rewritten text (lists substituted, macros expanded), where a list
//! name no longer exists; the index instead parses each condition as written, with the same
//! parser, and resolves names against the definitions of the whole [`Analysis`]. As in
//! Falco's loader, a name that is a list is a list (substitution runs before macros).

use crate::analysis::Analysis;
use crate::sema::output::{self, OutputPart};
use crate::sema::typeck::Env;
use crate::span::{FileId, FileSpan, Span};
use crate::syntax::condition::{self, ast::*};
use crate::syntax::yaml::{self, Node, NodeKind, Scalar};
use std::collections::HashSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    List,
    Macro,
    Rule,
}

impl ItemKind {
    pub fn key(self) -> &'static str {
        match self {
            ItemKind::List => "list",
            ItemKind::Macro => "macro",
            ItemKind::Rule => "rule",
        }
    }
}

/// One `key: value` entry of an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEntry {
    pub key: String,
    pub key_span: Span,
    /// The value node (for an empty value, the point right after the key).
    pub value_span: Span,
}

/// A list, macro or rule item as written (a definition, an append or an override).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    pub name: String,
    pub name_span: FileSpan,
    /// The whole item mapping.
    pub span: FileSpan,
    pub keys: Vec<KeyEntry>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Field,
    Operator(Op),
    /// `and`, `or`, `not`, and list modifiers (`oneof`, ...).
    Keyword,
    Macro,
    List,
    Transformer,
    /// A literal value; `field` of the token says which field it is compared with.
    Value,
    Number,
}

/// A classified piece of a condition, an output or an exception `fields` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: FileSpan,
    pub text: String,
    /// For values: the field on the left of the check (`evt.type` for `open` in `evt.type = open`).
    pub field: Option<String>,
}

/// A use of a list or macro name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub kind: ItemKind,
    pub name: String,
    pub span: FileSpan,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    pub items: Vec<Item>,
    pub references: Vec<Reference>,
    /// Sorted by file and start.
    pub tokens: Vec<Token>,
}

impl Index {
    /// The token covering `offset` of `file` (a token ending at `offset` counts, so a cursor
    /// right after a word still finds it).
    pub fn token_at(&self, file: FileId, offset: u32) -> Option<&Token> {
        let i = self
            .tokens
            .partition_point(|t| (t.span.file, t.span.span.start) <= (file, offset));
        self.tokens[..i]
            .iter()
            .rev()
            .take_while(|t| t.span.file == file)
            .find(|t| t.span.span.start <= offset && offset <= t.span.span.end)
    }

    /// The item whose mapping covers `offset` of `file`.
    pub fn item_at(&self, file: FileId, offset: u32) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.span.file == file && i.span.span.start <= offset && offset <= i.span.span.end)
    }

    /// Items named `name` of `kind`, in load order (the first is the definition).
    pub fn items_named(&self, kind: ItemKind, name: &str) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.kind == kind && i.name == name)
    }

    /// Every occurrence of a name: item names first (load order), then references.
    pub fn occurrences(&self, kind: ItemKind, name: &str) -> Vec<FileSpan> {
        let mut out: Vec<FileSpan> = self.items_named(kind, name).map(|i| i.name_span).collect();
        out.extend(
            self.references
                .iter()
                .filter(|r| r.kind == kind && r.name == name)
                .map(|r| r.span),
        );
        out
    }
}

/// Build the index of the files of `analysis`.
pub fn build(analysis: &Analysis, env: &Env) -> Index {
    let lists: HashSet<&str> = analysis.lists.iter().map(|l| l.name.as_str()).collect();
    let mut b = Builder {
        out: Index::default(),
        lists,
        env,
        file: FileId(0),
    };
    for (i, f) in analysis.files.iter().enumerate() {
        b.file = FileId(i as u32);
        let (docs, _) = yaml::parse(&f.text, &Default::default());
        for d in &docs {
            for item in d.root.as_ref().and_then(Node::as_seq).unwrap_or_default() {
                b.item(item);
            }
        }
    }
    b.out
        .tokens
        .sort_by_key(|t| (t.span.file, t.span.span.start, t.span.span.end));
    b.out
}

struct Builder<'a> {
    out: Index,
    lists: HashSet<&'a str>,
    env: &'a Env,
    file: FileId,
}

impl Builder<'_> {
    fn fs(&self, span: Span) -> FileSpan {
        FileSpan { file: self.file, span }
    }

    fn item(&mut self, node: &Node) {
        let Some(entries) = node.as_map() else { return };
        let kind = [ItemKind::List, ItemKind::Macro, ItemKind::Rule]
            .into_iter()
            .find(|k| node.get(k.key()).is_some());
        let keys = entries
            .iter()
            .filter_map(|e| {
                let k = e.key.as_scalar()?;
                let value_span = if e.value.is_null() && e.value.span.is_empty() {
                    Span::empty(e.key.span.end + 1)
                } else {
                    e.value.span
                };
                Some(KeyEntry {
                    key: k.value.clone(),
                    key_span: e.key.span,
                    value_span,
                })
            })
            .collect();
        let Some(kind) = kind else { return };
        let Some(name_node) = node.get(kind.key()).map(|e| &e.value) else {
            return;
        };
        let name = name_node.as_scalar().map_or(String::new(), |s| s.value.clone());
        self.out.items.push(Item {
            kind,
            name,
            name_span: self.fs(name_node.span),
            span: self.fs(node.span),
            keys,
        });
        for e in entries {
            let Some(k) = e.key.as_scalar() else { continue };
            match (kind, k.value.as_str()) {
                (ItemKind::List, "items") => self.list_items(&e.value),
                (ItemKind::Macro | ItemKind::Rule, "condition") => {
                    if let Some(s) = e.value.as_scalar() {
                        self.condition(s);
                    }
                }
                (ItemKind::Rule, "output") => {
                    if let Some(s) = e.value.as_scalar() {
                        self.output(s);
                    }
                }
                (ItemKind::Rule, "exceptions") => self.exceptions(&e.value),
                _ => {}
            }
        }
    }

    fn list_items(&mut self, node: &Node) {
        for it in node.as_seq().unwrap_or_default() {
            if let Some(s) = it.as_scalar()
                && self.lists.contains(s.value.as_str())
            {
                self.reference(ItemKind::List, &s.value, it.span);
            }
        }
    }

    fn exceptions(&mut self, node: &Node) {
        for ex in node.as_seq().unwrap_or_default() {
            if let Some(fields) = ex.get("fields").map(|e| &e.value) {
                let one = std::slice::from_ref(fields);
                for f in fields.as_seq().unwrap_or(one) {
                    if let Some(s) = f.as_scalar() {
                        self.token(TokenKind::Field, f.span, &s.value, None);
                    }
                }
            }
            if let Some(values) = ex.get("values").map(|e| &e.value) {
                self.exception_values(values, 0);
            }
        }
    }

    /// List names anywhere in `values` (Falco substitutes them into the expanded condition).
    fn exception_values(&mut self, node: &Node, depth: usize) {
        match &node.kind {
            NodeKind::Scalar(s) if self.lists.contains(s.value.as_str()) => {
                self.reference(ItemKind::List, &s.value, node.span);
            }
            NodeKind::Seq(xs) if depth < 4 => xs.iter().for_each(|x| self.exception_values(x, depth + 1)),
            _ => {}
        }
    }

    fn output(&mut self, s: &Scalar) {
        let (parts, _) = output::parse(&s.value, self.env);
        for p in parts {
            if let OutputPart::Field { field, .. } = p {
                let span = s.file_span(field.name_span.range());
                self.token(TokenKind::Field, span, &field.name, None);
            }
        }
    }

    fn condition(&mut self, s: &Scalar) {
        let parsed = condition::parse(&s.value);
        let Some(mut e) = parsed.expr else { return };
        e.map_spans(&mut |sp| s.file_span(sp.range()));
        let before = self.out.tokens.len();
        self.expr(&e);
        self.keywords(s, before);
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::And(xs, _) | Expr::Or(xs, _) => xs.iter().for_each(|x| self.expr(x)),
            Expr::Not(x, _) => self.expr(x),
            Expr::Macro(n) => self.name(n.span, &n.text, None),
            Expr::Check(c) => self.check(c),
            Expr::Error(_) => {}
        }
    }

    fn check(&mut self, c: &Check) {
        self.operand(&c.lhs);
        self.token(TokenKind::Operator(c.op), c.op_span, c.op.text(), None);
        let field = match &c.lhs {
            Operand::Field(f) => Some(f.name.as_str()),
            Operand::Transform(_) => None,
        };
        self.rhs(&c.rhs, field);
    }

    fn rhs(&mut self, r: &Rhs, field: Option<&str>) {
        match r {
            Rhs::None => {}
            Rhs::Value(v) => self.value(v, field),
            Rhs::List(vs, _) => vs.iter().for_each(|v| self.value(v, field)),
            Rhs::Modified {
                modifier,
                modifier_span,
                list,
            } => {
                self.token(TokenKind::Keyword, *modifier_span, modifier.name(), None);
                self.rhs(list, field);
            }
            Rhs::Operand(o) => self.operand(o),
        }
    }

    fn value(&mut self, v: &Value, field: Option<&str>) {
        // Only lists are substituted inside values; a macro name there is just text.
        if v.quote.is_none() && self.lists.contains(v.text.as_str()) {
            self.name(v.span, &v.text, field);
            return;
        }
        let kind = if v.quote.is_none() && crate::sema::literal::decimal(&v.text).is_some() {
            TokenKind::Number
        } else {
            TokenKind::Value
        };
        self.token(kind, v.span, &v.text, field);
    }

    fn operand(&mut self, o: &Operand) {
        match o {
            Operand::Field(f) => self.token(TokenKind::Field, f.name_span, &f.name, None),
            Operand::Transform(t) => self.transform(t),
        }
    }

    fn transform(&mut self, t: &Transform) {
        self.token(TokenKind::Transformer, t.name_span, t.kind.name(), None);
        for a in &t.args {
            self.targ(a);
        }
    }

    fn targ(&mut self, a: &TArg) {
        match a {
            TArg::Field(f) => self.token(TokenKind::Field, f.name_span, &f.name, None),
            TArg::Transform(t) => self.transform(t),
            TArg::Str(v) => self.token(TokenKind::Value, v.span, &v.text, None),
            TArg::Num(v) => self.token(TokenKind::Number, v.span, &v.text, None),
            TArg::List(xs, _) => xs.iter().for_each(|x| self.targ(x)),
        }
    }

    /// A bare name: a list if one is defined (substitution comes first), else a macro.
    fn name(&mut self, span: Span, text: &str, field: Option<&str>) {
        let kind = if self.lists.contains(text) {
            ItemKind::List
        } else {
            ItemKind::Macro
        };
        let tk = match kind {
            ItemKind::List => TokenKind::List,
            _ => TokenKind::Macro,
        };
        self.token(tk, span, text, field);
        self.reference(kind, text, span);
    }

    /// `and`/`or`/`not` words of the condition: the words outside every other token.
    fn keywords(&mut self, s: &Scalar, first: usize) {
        let mut taken: Vec<Span> = self.out.tokens[first..].iter().map(|t| t.span.span).collect();
        taken.sort_by_key(|t| t.start);
        let bytes = s.value.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
                i += 1;
            }
            let word = &s.value[start..i];
            if matches!(word, "and" | "or" | "not") && (start == 0 || !bytes[start - 1].is_ascii_alphanumeric()) {
                let span = s.file_span(start..i);
                let inside = taken.iter().any(|t| t.start <= span.start && span.end <= t.end);
                if !inside {
                    self.token(TokenKind::Keyword, span, word, None);
                }
            }
        }
    }

    fn token(&mut self, kind: TokenKind, span: Span, text: &str, field: Option<&str>) {
        if span.is_empty() {
            return;
        }
        let t = Token {
            kind,
            span: self.fs(span),
            text: text.to_string(),
            field: field.map(str::to_string),
        };
        self.out.tokens.push(t);
    }

    fn reference(&mut self, kind: ItemKind, name: &str, span: Span) {
        let r = Reference {
            kind,
            name: name.to_string(),
            span: self.fs(span),
        };
        self.out.references.push(r);
    }
}

#[cfg(test)]
mod tests;
