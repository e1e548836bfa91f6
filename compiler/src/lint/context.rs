//! What a check sees: the ruleset as Falco loads it (definitions after append/override,
//! rules with their expanded conditions and event types) and every item as written, with
//! its condition parsed as written (list names still names, macros not expanded), all with
//! exact file spans.

use super::CheckId;
use crate::analysis::{RuleInfo, SourceFile};
use crate::diag::{Code, Diagnostic};
use crate::index::ItemKind;
use crate::sema::collect::Collected;
use crate::sema::items::RuleDef;
use crate::sema::typeck::Env;
use crate::span::{FileId, FileSpan, SourceMap, Span};
use crate::syntax::condition::{self, ast::Expr};
use crate::syntax::yaml::{Document, Node, Scalar};
use std::cell::OnceCell;

/// One list, macro or rule item of a file, as written: a definition, an append or an
/// override.
pub struct Written<'a> {
    pub kind: ItemKind,
    pub name: &'a str,
    pub file: FileId,
    /// The item's mapping.
    pub node: &'a Node,
    /// The value of its `list:`/`macro:`/`rule:` key.
    pub name_node: &'a Node,
    /// `append: true` or an `override:` key: the item changes an earlier definition.
    pub modifies: bool,
    /// The condition as written, parsed on first use (see [`Written::condition`]): loading
    /// for `replay`/`run`/`test` runs no check and so never pays for the second parse.
    condition: OnceCell<Option<Expr>>,
}

impl Written<'_> {
    /// The condition as written, parsed, with file spans: macros and rules with a
    /// `condition` scalar that parses on its own (an appended fragment such as `and x` does
    /// not).
    pub fn condition(&self) -> Option<&Expr> {
        self.condition
            .get_or_init(|| {
                let s = self.scalar("condition")?;
                let parsed = condition::parse(&s.value);
                if !parsed.errors.is_empty() {
                    return None;
                }
                let mut e = parsed.expr?;
                e.map_spans(&mut |sp| s.file_span(sp.range()));
                Some(e)
            })
            .as_ref()
    }

    pub fn name_span(&self) -> FileSpan {
        FileSpan {
            file: self.file,
            span: self.name_node.span,
        }
    }

    pub fn span(&self) -> FileSpan {
        FileSpan {
            file: self.file,
            span: self.node.span,
        }
    }

    /// The value node of key `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.node.get(key).map(|e| &e.value)
    }

    pub fn scalar(&self, key: &str) -> Option<&Scalar> {
        self.get(key)?.as_scalar()
    }

    pub fn at(&self, span: Span) -> FileSpan {
        FileSpan { file: self.file, span }
    }
}

pub struct Context<'a> {
    pub files: &'a [SourceFile],
    pub smap: &'a SourceMap,
    /// The YAML documents of each file that parsed (index = file id).
    pub docs: &'a [Vec<Document>],
    /// Definitions after every append and override, in definition order.
    pub col: &'a Collected,
    /// One per `col.rules`, same order.
    pub rules: &'a [RuleInfo],
    /// Per `col.lists` / `col.macros`: referenced by something.
    pub list_used: &'a [bool],
    pub macro_used: &'a [bool],
    pub env: Env,
    /// Every item of every file, in load order.
    pub items: Vec<Written<'a>>,
}

impl<'a> Context<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        files: &'a [SourceFile],
        smap: &'a SourceMap,
        docs: &'a [Vec<Document>],
        col: &'a Collected,
        rules: &'a [RuleInfo],
        list_used: &'a [bool],
        macro_used: &'a [bool],
        env: Env,
    ) -> Context<'a> {
        let mut items = Vec::new();
        for (i, file_docs) in docs.iter().enumerate() {
            let file = FileId(i as u32);
            for d in file_docs {
                for node in d.root.as_ref().and_then(Node::as_seq).unwrap_or_default() {
                    if let Some(w) = written(node, file) {
                        items.push(w);
                    }
                }
            }
        }
        Context {
            files,
            smap,
            docs,
            col,
            rules,
            list_used,
            macro_used,
            env,
            items,
        }
    }

    /// A global span (of an expanded condition) in file coordinates.
    pub fn file_span(&self, s: Span) -> FileSpan {
        self.smap.to_file(s)
    }

    /// Each rule's definition (after appends) with what the loader made of it.
    pub fn rule_pairs(&self) -> impl Iterator<Item = (&'a RuleDef, &'a RuleInfo)> {
        self.col.rules.iter().zip(self.rules.iter())
    }

    /// The text of a file span.
    pub fn text(&self, fs: FileSpan) -> &'a str {
        self.files
            .get(fs.file.0 as usize)
            .and_then(|f| f.text.get(fs.span.range()))
            .unwrap_or("")
    }

    pub fn file_text(&self, file: FileId) -> &'a str {
        self.files.get(file.0 as usize).map_or("", |f| f.text.as_str())
    }

    pub fn is_list(&self, name: &str) -> bool {
        self.col.list(name).is_some()
    }
}

fn written(node: &Node, file: FileId) -> Option<Written<'_>> {
    let kind = [ItemKind::List, ItemKind::Macro, ItemKind::Rule]
        .into_iter()
        .find(|k| node.get(k.key()).is_some())?;
    let name_node = &node.get(kind.key())?.value;
    let name = name_node.as_scalar().map_or("", |s| s.value.as_str());
    let append = node
        .get("append")
        .and_then(|e| e.value.as_scalar())
        .is_some_and(|s| s.value == "true");
    let modifies = append || node.get("override").is_some();
    Some(Written {
        kind,
        name,
        file,
        node,
        name_node,
        modifies,
        // Lists have no condition; the others parse theirs on first use.
        condition: if kind == ItemKind::List {
            OnceCell::from(None)
        } else {
            OnceCell::new()
        },
    })
}

/// Where a check's findings go.
pub struct Sink<'o> {
    id: CheckId,
    out: &'o mut Vec<Diagnostic>,
}

impl<'o> Sink<'o> {
    pub(crate) fn new(id: CheckId, out: &'o mut Vec<Diagnostic>) -> Sink<'o> {
        Sink { id, out }
    }

    /// A finding of this check at `span`; finish it with the builder methods and [`Sink::emit`].
    pub fn diag(&self, span: FileSpan, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Code::Check(self.id), span, message)
    }

    pub fn emit(&mut self, d: Diagnostic) {
        self.out.push(d);
    }
}
