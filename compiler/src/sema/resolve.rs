//! Macro resolution: parse every macro and rule condition (after list substitution),
//! substitute macro references by AST (with Falco's visibility rule for macros
//! referencing macros), detect loops, and report undefined macros.

use super::text::SrcText;
use crate::diag::{Code, Diagnostic};
use crate::hash::FastMap as HashMap;
use crate::span::{FileSpan, SourceMap, Span};
use crate::syntax::condition::{
    self,
    ast::{Expr, Name},
};

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

/// What the expansion of a macro (or a rule condition) would be, computed without
/// building it: expansions are shared, so checking every macro costs time linear in
/// the source, not in the sum of every macro's expanded size.
#[derive(Clone, Copy, Debug, Default)]
struct Shape {
    /// Condition nodes after expansion (saturating).
    nodes: usize,
    /// Nesting depth after expansion (a leaf is 1).
    depth: usize,
    /// A limit was hit inside (reported once); users become errors silently.
    poisoned: bool,
}

pub struct MacroTable<'a> {
    pub names: HashMap<&'a str, usize>,
    pub index: Vec<u32>,
    pub visibility: Vec<u32>,
    pub asts: Vec<Option<&'a Expr>>,
    pub item_names: Vec<&'a str>,
    /// Which macros are referenced (for `used`).
    pub used: Vec<bool>,
    shapes: Vec<Shape>,
    /// 0: not measured, 1: being measured (a reference now is a loop), 2: measured.
    state: Vec<u8>,
    /// Macros being measured, innermost last (bounds the recursion).
    depth: usize,
}

/// Limits that keep hostile macro definitions from exhausting time, memory or stack.
pub const MAX_MACRO_DEPTH: usize = 64;
pub const MAX_EXPANSION_NODES: usize = 200_000;
/// How deep a rule's expanded condition may nest, so that every later pass (lowering, the
/// JIT, the interpreter) can recurse over it on a 2 MiB thread stack, even in a debug
/// build. The parser lets `and`/`or` groups be written about 170 deep; expansion may
/// nest further, to this bound.
pub const MAX_EXPANDED_DEPTH: usize = 500;

/// Where a reference to a macro leads.
enum Target {
    /// A visible, measured macro.
    Macro(usize),
    /// Undefined: the reference becomes an error node.
    Error,
    /// A loop or too deep: whatever uses it becomes an error (building it would not end).
    Poison,
}

impl<'a> MacroTable<'a> {
    pub fn new(
        names: Vec<&'a str>,
        index: Vec<u32>,
        visibility: Vec<u32>,
        asts: Vec<Option<&'a Expr>>,
    ) -> MacroTable<'a> {
        let n = names.len();
        MacroTable {
            names: names.iter().enumerate().map(|(i, n)| (*n, i)).collect(),
            item_names: names,
            index,
            visibility,
            asts,
            used: vec![false; n],
            shapes: vec![Shape::default(); n],
            state: vec![0; n],
            depth: 0,
        }
    }

    /// Measure every macro: reports loops, undefined references and limits inside
    /// macros, once each, where the reference is written.
    pub fn expand_all(&mut self, smap: &SourceMap, diags: &mut Vec<Diagnostic>) {
        for i in 0..self.asts.len() {
            self.measure_macro(i, smap, diags);
        }
    }

    fn measure_macro(&mut self, i: usize, smap: &SourceMap, diags: &mut Vec<Diagnostic>) {
        if self.state[i] != 0 {
            return;
        }
        self.state[i] = 1;
        self.depth += 1;
        let shape = match self.asts[i] {
            Some(a) => self.measure(a, Some(self.visibility[i]), ("macro", self.item_names[i]), smap, diags),
            None => Shape {
                nodes: 1,
                depth: 1,
                poisoned: false,
            },
        };
        self.depth -= 1;
        self.shapes[i] = shape;
        self.state[i] = 2;
    }

    /// Expand the macros of a rule condition (all macros are visible to rules). A
    /// condition whose expansion breaks a limit becomes an error node, reported once.
    pub fn expand_rule(
        &mut self,
        e: &Expr,
        item: (&'static str, &str),
        smap: &SourceMap,
        diags: &mut Vec<Diagnostic>,
    ) -> Expr {
        let shape = self.measure(e, None, item, smap, diags);
        if shape.poisoned {
            return Expr::Error(e.span());
        }
        self.build(e, None)
    }

    /// Resolve one reference written in `item` (visibility: only macros defined
    /// before it, None for rules), reporting what is wrong with it.
    fn resolve(
        &mut self,
        n: &Name,
        visibility: Option<u32>,
        item: (&'static str, &str),
        smap: &SourceMap,
        diags: &mut Vec<Diagnostic>,
    ) -> Target {
        let error =
            |msg: String| Diagnostic::new(Code::LoadErrValidate, smap.to_file(n.span), msg).in_item(item.0, item.1);
        let found = self.names.get(n.text.as_str()).copied();
        match found {
            Some(j) if visibility.is_none_or(|v| self.index[j] < v) => {
                self.used[j] = true;
                if self.state[j] == 1 {
                    diags.push(error(format!("reference loop in macro '{}'", n.text)));
                    return Target::Poison;
                }
                if self.state[j] == 0 {
                    if self.depth >= MAX_MACRO_DEPTH {
                        let msg = format!("macro '{}' is nested more than {MAX_MACRO_DEPTH} macros deep", n.text);
                        diags.push(error(msg));
                        return Target::Poison;
                    }
                    self.measure_macro(j, smap, diags);
                }
                Target::Macro(j)
            }
            other => {
                let mut d = error(format!("Undefined macro '{}' used in filter.", n.text));
                if other.is_some() {
                    d = d.help(format!(
                        "macro '{}' is defined after this macro; a macro can only use macros defined before it",
                        n.text
                    ));
                } else if let Some(s) = super::decode::suggest(&n.text, self.item_names.iter().copied()) {
                    d = d.did_you_mean(s);
                }
                diags.push(d);
                Target::Error
            }
        }
    }

    /// The shape of `e` once expanded; reports bad references and the first limit hit.
    fn measure(
        &mut self,
        e: &Expr,
        visibility: Option<u32>,
        item: (&'static str, &str),
        smap: &SourceMap,
        diags: &mut Vec<Diagnostic>,
    ) -> Shape {
        // Explicit stack: (node, nesting depth of the node).
        let mut todo = vec![(e, 1usize)];
        let mut out = Shape::default();
        let mut over = false;
        while let Some((x, d)) = todo.pop() {
            let (nodes, depth) = match x {
                Expr::And(xs, _) | Expr::Or(xs, _) => {
                    // Reversed: references are met in source order, as they are reported.
                    todo.extend(xs.iter().rev().map(|x| (x, d + 1)));
                    (1, d)
                }
                Expr::Not(x, _) => {
                    todo.push((x, d + 1));
                    (1, d)
                }
                Expr::Macro(n) => match self.resolve(n, visibility, item, smap, diags) {
                    Target::Macro(j) => {
                        let s = self.shapes[j];
                        out.poisoned |= s.poisoned;
                        if !over && !s.poisoned {
                            let nodes = out.nodes.saturating_add(s.nodes);
                            let depth = d - 1 + s.depth;
                            let msg = if nodes > MAX_EXPANSION_NODES {
                                Some(format!(
                                    "expanding macro '{}' exceeds {MAX_EXPANSION_NODES} condition nodes",
                                    n.text
                                ))
                            } else if visibility.is_none() && depth > MAX_EXPANDED_DEPTH {
                                // Only where a rule uses it: Falco loads deep macros no rule uses.
                                Some(format!(
                                    "expanding macro '{}' nests the condition more than {MAX_EXPANDED_DEPTH} levels deep",
                                    n.text
                                ))
                            } else {
                                None
                            };
                            if let Some(msg) = msg {
                                diags.push(
                                    Diagnostic::new(Code::LoadErrValidate, smap.to_file(n.span), msg)
                                        .in_item(item.0, item.1),
                                );
                                over = true;
                            }
                        }
                        (s.nodes, d - 1 + s.depth)
                    }
                    Target::Error => (1, d),
                    Target::Poison => {
                        out.poisoned = true;
                        (1, d)
                    }
                },
                Expr::Check(_) | Expr::Error(_) => (1, d),
            };
            out.nodes = out.nodes.saturating_add(nodes);
            out.depth = out.depth.max(depth);
        }
        out.poisoned |= over;
        out
    }

    /// Build the expansion of `e`, whose references were all measured: macros that
    /// failed become error nodes (their errors were reported where they are written).
    /// Plain loops, no iterator adapters: one small frame per level of nesting.
    fn build(&self, e: &Expr, visibility: Option<u32>) -> Expr {
        match e {
            Expr::And(xs, s) | Expr::Or(xs, s) => {
                let mut out = Vec::with_capacity(xs.len());
                for x in xs {
                    out.push(self.build(x, visibility));
                }
                if matches!(e, Expr::And(..)) {
                    Expr::And(out, *s)
                } else {
                    Expr::Or(out, *s)
                }
            }
            Expr::Not(x, s) => Expr::Not(Box::new(self.build(x, visibility)), *s),
            Expr::Macro(n) => match self.names.get(n.text.as_str()).copied() {
                Some(j)
                    if visibility.is_none_or(|v| self.index[j] < v)
                        && self.state[j] == 2
                        && !self.shapes[j].poisoned =>
                {
                    match self.asts[j] {
                        Some(a) => self.build(a, Some(self.visibility[j])),
                        None => Expr::Error(n.span),
                    }
                }
                _ => Expr::Error(n.span),
            },
            other => other.clone(),
        }
    }
}
