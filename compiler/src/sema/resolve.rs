//! Macro resolution: parse every macro and rule condition (after list substitution),
//! substitute macro references by AST (with Falco's visibility rule for macros
//! referencing macros), detect loops, and report undefined macros.

use super::text::SrcText;
use crate::diag::{Code, Diagnostic};
use crate::span::{FileSpan, SourceMap, Span};
use crate::syntax::condition::{self, ast::Expr};
use std::collections::HashMap;

/// A parsed condition with global spans.
#[derive(Clone, Debug)]
pub struct ParsedCond {
    pub text: String,
    pub ast: Option<Expr>,
    pub has_errors: bool,
}

impl ParsedCond {
    /// Mark the condition as failed (its error was reported elsewhere).
    pub fn poison(&mut self, span: Span) {
        self.ast = Some(Expr::Error(span));
        self.has_errors = true;
    }
}

/// Parse `text`, mapping spans to global coordinates; parse errors become diagnostics.
pub fn parse_cond(
    text: &SrcText,
    fallback: FileSpan,
    smap: &SourceMap,
    item: (&'static str, &str),
    diags: &mut Vec<Diagnostic>,
) -> ParsedCond {
    let parsed = condition::parse(&text.text);
    let map = |s: Span| smap.to_global(text.map(s, fallback));
    for e in &parsed.errors {
        let fs = smap.to_file(map(e.span));
        let d = Diagnostic::new(Code::LoadErrCompileCondition, fs, e.message.clone()).in_item(item.0, item.1);
        let d = match condition::hints::hint(&text.text, e) {
            Some(condition::hints::Hint::DidYouMean(s)) => d.did_you_mean(s),
            Some(condition::hints::Hint::Help(h)) => d.help(h),
            None => d,
        };
        diags.push(d);
    }
    let mut ast = parsed.expr;
    if let Some(a) = &mut ast {
        a.map_spans(&mut |s| map(s));
    }
    ParsedCond {
        text: text.text.clone(),
        ast,
        has_errors: !parsed.errors.is_empty(),
    }
}

pub struct MacroTable<'a> {
    pub names: HashMap<&'a str, usize>,
    pub index: Vec<u32>,
    pub visibility: Vec<u32>,
    pub asts: Vec<Option<Expr>>,
    pub item_names: Vec<&'a str>,
    /// Expanded ASTs, computed on demand.
    expanded: Vec<Option<Expr>>,
    state: Vec<u8>,
    /// Which macros reference which (for `used`).
    pub used: Vec<bool>,
    /// Node count of each expanded macro.
    sizes: Vec<usize>,
    /// Nodes inserted so far in the current expansion, and the macro nesting depth.
    budget: usize,
    depth: usize,
    /// Macros whose expansion failed a limit, and whether the current one uses one.
    poisoned: Vec<bool>,
    tainted: bool,
}

/// Limits that keep hostile macro definitions from exhausting time, memory or stack.
pub const MAX_MACRO_DEPTH: usize = 64;
pub const MAX_EXPANSION_NODES: usize = 200_000;

fn node_count(e: &Expr) -> usize {
    let mut n = 0;
    e.walk(&mut |_| n += 1);
    n
}

impl<'a> MacroTable<'a> {
    pub fn new(names: Vec<&'a str>, index: Vec<u32>, visibility: Vec<u32>, asts: Vec<Option<Expr>>) -> MacroTable<'a> {
        let n = names.len();
        MacroTable {
            names: names.iter().enumerate().map(|(i, n)| (*n, i)).collect(),
            item_names: names,
            index,
            visibility,
            asts,
            expanded: vec![None; n],
            state: vec![0; n],
            used: vec![false; n],
            sizes: vec![1; n],
            budget: 0,
            depth: 0,
            poisoned: vec![false; n],
            tainted: false,
        }
    }

    /// Expanded AST of macro `i` (memoised). Errors are reported once, where the
    /// reference is written.
    fn expand_macro(&mut self, i: usize, smap: &SourceMap, diags: &mut Vec<Diagnostic>) -> Option<Expr> {
        if self.state[i] == 2 {
            return self.expanded[i].clone();
        }
        if self.state[i] == 1 {
            return None;
        }
        self.state[i] = 1;
        let ast = self.asts[i].clone();
        let vis = self.visibility[i];
        let name = self.item_names[i];
        let saved_budget = std::mem::take(&mut self.budget);
        let saved_tainted = std::mem::take(&mut self.tainted);
        self.depth += 1;
        let mut out = ast.map(|a| self.subst(a, Some(vis), ("macro", name), smap, diags));
        self.depth -= 1;
        if self.budget > MAX_EXPANSION_NODES || self.tainted {
            // Reported once; macros using this one become error nodes too, silently.
            out = out.map(|e| Expr::Error(e.span()));
            self.poisoned[i] = true;
        }
        self.budget = saved_budget;
        self.tainted = saved_tainted;
        self.sizes[i] = out.as_ref().map_or(1, node_count);
        self.expanded[i] = out.clone();
        self.state[i] = 2;
        out
    }

    /// Expand the macros of a rule condition (all macros are visible to rules).
    pub fn expand_rule(
        &mut self,
        e: Expr,
        item: (&'static str, &str),
        smap: &SourceMap,
        diags: &mut Vec<Diagnostic>,
    ) -> Expr {
        self.budget = 0;
        self.subst(e, None, item, smap, diags)
    }

    /// Substitute macro references in `e`. `visibility`: only macros first defined
    /// before it are visible (None: all, as for rules).
    pub fn subst(
        &mut self,
        e: Expr,
        visibility: Option<u32>,
        item: (&'static str, &str),
        smap: &SourceMap,
        diags: &mut Vec<Diagnostic>,
    ) -> Expr {
        match e {
            Expr::And(xs, s) => Expr::And(
                xs.into_iter()
                    .map(|x| self.subst(x, visibility, item, smap, diags))
                    .collect(),
                s,
            ),
            Expr::Or(xs, s) => Expr::Or(
                xs.into_iter()
                    .map(|x| self.subst(x, visibility, item, smap, diags))
                    .collect(),
                s,
            ),
            Expr::Not(x, s) => Expr::Not(Box::new(self.subst(*x, visibility, item, smap, diags)), s),
            Expr::Macro(n) => {
                let found = self.names.get(n.text.as_str()).copied();
                match found {
                    Some(j) if visibility.is_none_or(|v| self.index[j] < v) => {
                        self.used[j] = true;
                        if self.state[j] == 1 {
                            let d = Diagnostic::new(
                                Code::LoadErrValidate,
                                smap.to_file(n.span),
                                format!("reference loop in macro '{}'", n.text),
                            )
                            .in_item(item.0, item.1);
                            diags.push(d);
                            return Expr::Error(n.span);
                        }
                        if self.depth >= MAX_MACRO_DEPTH {
                            let msg = format!("macro '{}' is nested more than {MAX_MACRO_DEPTH} macros deep", n.text);
                            diags.push(
                                Diagnostic::new(Code::LoadErrValidate, smap.to_file(n.span), msg)
                                    .in_item(item.0, item.1),
                            );
                            return Expr::Error(n.span);
                        }
                        if self.state[j] != 2 {
                            self.expand_macro(j, smap, diags);
                        }
                        if self.poisoned[j] {
                            self.tainted = true;
                            return Expr::Error(n.span);
                        }
                        // Macros that use other macros several times grow exponentially;
                        // bound the size of one expansion like YAML aliases are bounded.
                        self.budget += self.sizes[j];
                        if self.budget > MAX_EXPANSION_NODES {
                            let msg = format!(
                                "expanding macro '{}' exceeds {MAX_EXPANSION_NODES} condition nodes",
                                n.text
                            );
                            diags.push(
                                Diagnostic::new(Code::LoadErrValidate, smap.to_file(n.span), msg)
                                    .in_item(item.0, item.1),
                            );
                            return Expr::Error(n.span);
                        }
                        self.expanded[j].clone().unwrap_or(Expr::Error(n.span))
                    }
                    other => {
                        let mut d = Diagnostic::new(
                            Code::LoadErrValidate,
                            smap.to_file(n.span),
                            format!("Undefined macro '{}' used in filter.", n.text),
                        )
                        .in_item(item.0, item.1);
                        if other.is_some() {
                            d = d.help(format!(
                                "macro '{}' is defined after this macro; a macro can only use macros defined before it",
                                n.text
                            ));
                        } else if let Some(s) = super::decode::suggest(&n.text, self.item_names.iter().copied()) {
                            d = d.did_you_mean(s);
                        }
                        diags.push(d);
                        Expr::Error(n.span)
                    }
                }
            }
            other => other,
        }
    }

    /// Expand every macro (reports loops and undefined references inside macros).
    pub fn expand_all(&mut self, smap: &SourceMap, diags: &mut Vec<Diagnostic>) {
        for i in 0..self.asts.len() {
            self.expand_macro(i, smap, diags);
        }
    }
}
