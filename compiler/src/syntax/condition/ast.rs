//! Condition AST. Spans are byte offsets; the parser produces them relative to the
//! condition text it was given, and the loader remaps them into file coordinates
//! (see [`Expr::map_spans`]) before anyone else sees them.

use crate::span::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    And(Vec<Expr>, Span),
    Or(Vec<Expr>, Span),
    Not(Box<Expr>, Span),
    /// A bare identifier in check position: a macro reference.
    Macro(Name),
    Check(Box<Check>),
    /// Text that could not be parsed; an error was already reported for it.
    Error(Span),
}

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub lhs: Operand,
    pub op: Op,
    pub op_span: Span,
    pub rhs: Rhs,
    pub span: Span,
}

/// A field reference such as `proc.aname[2]` or `evt.arg.flags`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRef {
    /// The field token as written, including any dotted suffix (`evt.arg.flags`).
    pub name: String,
    pub name_span: Span,
    pub arg: Option<FieldArg>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldArg {
    /// Unescaped argument text.
    pub value: String,
    pub quoted: bool,
    /// Span of the text between the brackets.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransformerKind {
    Val,
    ToLower,
    ToUpper,
    B64,
    Basename,
    Len,
    Join,
    Concat,
    Getopt,
}

impl TransformerKind {
    pub const ALL: [TransformerKind; 9] = [
        TransformerKind::Val,
        TransformerKind::ToLower,
        TransformerKind::ToUpper,
        TransformerKind::B64,
        TransformerKind::Basename,
        TransformerKind::Len,
        TransformerKind::Join,
        TransformerKind::Concat,
        TransformerKind::Getopt,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TransformerKind::Val => "val",
            TransformerKind::ToLower => "tolower",
            TransformerKind::ToUpper => "toupper",
            TransformerKind::B64 => "b64",
            TransformerKind::Basename => "basename",
            TransformerKind::Len => "len",
            TransformerKind::Join => "join",
            TransformerKind::Concat => "concat",
            TransformerKind::Getopt => "getopt",
        }
    }

    pub fn from_name(name: &str) -> Option<TransformerKind> {
        TransformerKind::ALL.into_iter().find(|t| t.name() == name)
    }

    /// `val` and the transformers of one field (tolower, toupper, b64, basename, len),
    /// which keep the field's identity; join, concat and getopt build a value of their own.
    pub fn takes_one_field(self) -> bool {
        !matches!(
            self,
            TransformerKind::Join | TransformerKind::Concat | TransformerKind::Getopt
        )
    }
}

/// `tolower(proc.name)`, `join("-", (a.b, c.d))`, `getopt(("-t", "x"), "t:")[t]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transform {
    pub kind: TransformerKind,
    pub name_span: Span,
    pub args: Vec<TArg>,
    /// Field-style argument after the closing parenthesis.
    pub arg: Option<FieldArg>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TArg {
    Field(FieldRef),
    Transform(Transform),
    Str(Value),
    Num(Value),
    List(Vec<TArg>, Span),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    Field(FieldRef),
    Transform(Transform),
}

impl Operand {
    pub fn span(&self) -> Span {
        match self {
            Operand::Field(f) => f.span,
            Operand::Transform(t) => t.span,
        }
    }
}

/// A literal value. `text` is unescaped; `quote` records the quote character used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    pub text: String,
    pub quote: Option<char>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Modifier {
    OneOf,
    AnyOf,
    AllOf,
}

impl Modifier {
    pub fn name(self) -> &'static str {
        match self {
            Modifier::OneOf => "oneof",
            Modifier::AnyOf => "anyof",
            Modifier::AllOf => "allof",
        }
    }

    pub fn from_name(s: &str) -> Option<Modifier> {
        match s {
            "oneof" => Some(Modifier::OneOf),
            "anyof" => Some(Modifier::AnyOf),
            "allof" => Some(Modifier::AllOf),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rhs {
    /// `exists` has no right-hand side.
    None,
    Value(Value),
    List(Vec<Value>, Span),
    /// A string operator with a modifier: `startswith oneof (a, b)`. `list` is a
    /// [`Rhs::List`] or a [`Rhs::Value`] holding a bare identifier.
    Modified {
        modifier: Modifier,
        modifier_span: Span,
        list: Box<Rhs>,
    },
    /// `val(field)` or a transformer: a field-to-field comparison.
    Operand(Operand),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Exists,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    EqEq,
    Ne,
    Glob,
    IGlob,
    Contains,
    IContains,
    BContains,
    StartsWith,
    BStartsWith,
    EndsWith,
    Regex,
    In,
    Intersects,
    PMatch,
}

impl Op {
    pub const ALL: [Op; 20] = [
        Op::Exists,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Eq,
        Op::EqEq,
        Op::Ne,
        Op::Glob,
        Op::IGlob,
        Op::Contains,
        Op::IContains,
        Op::BContains,
        Op::StartsWith,
        Op::BStartsWith,
        Op::EndsWith,
        Op::Regex,
        Op::In,
        Op::Intersects,
        Op::PMatch,
    ];

    pub fn text(self) -> &'static str {
        match self {
            Op::Exists => "exists",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "=",
            Op::EqEq => "==",
            Op::Ne => "!=",
            Op::Glob => "glob",
            Op::IGlob => "iglob",
            Op::Contains => "contains",
            Op::IContains => "icontains",
            Op::BContains => "bcontains",
            Op::StartsWith => "startswith",
            Op::BStartsWith => "bstartswith",
            Op::EndsWith => "endswith",
            Op::Regex => "regex",
            Op::In => "in",
            Op::Intersects => "intersects",
            Op::PMatch => "pmatch",
        }
    }

    pub fn from_text(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.text() == s)
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }

    pub fn is_list(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }

    /// String operators accept the `oneof`/`anyof`/`allof` modifiers.
    pub fn is_string(self) -> bool {
        !self.is_numeric() && !self.is_list() && self != Op::Exists
    }

    /// Word operators must be followed by a blank.
    pub fn is_word(self) -> bool {
        self.is_string() && !matches!(self, Op::Eq | Op::EqEq | Op::Ne)
    }
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::And(_, s) | Expr::Or(_, s) | Expr::Not(_, s) | Expr::Error(s) => *s,
            Expr::Macro(n) => n.span,
            Expr::Check(c) => c.span,
        }
    }

    /// Rewrite every span (used to move parser offsets into file coordinates).
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        match self {
            Expr::And(xs, s) | Expr::Or(xs, s) => {
                *s = f(*s);
                xs.iter_mut().for_each(|x| x.map_spans(f));
            }
            Expr::Not(x, s) => {
                *s = f(*s);
                x.map_spans(f);
            }
            Expr::Macro(n) => n.span = f(n.span),
            Expr::Error(s) => *s = f(*s),
            Expr::Check(c) => {
                c.span = f(c.span);
                c.op_span = f(c.op_span);
                c.lhs.map_spans(f);
                c.rhs.map_spans(f);
            }
        }
    }

    /// Visit every check and macro reference, depth first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::And(xs, _) | Expr::Or(xs, _) => xs.iter().for_each(|x| x.walk(f)),
            Expr::Not(x, _) => x.walk(f),
            _ => {}
        }
    }
}

impl Operand {
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        match self {
            Operand::Field(x) => x.map_spans(f),
            Operand::Transform(t) => t.map_spans(f),
        }
    }
}

impl FieldRef {
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        self.name_span = f(self.name_span);
        if let Some(a) = &mut self.arg {
            a.span = f(a.span);
        }
    }
}

impl Transform {
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        self.name_span = f(self.name_span);
        if let Some(a) = &mut self.arg {
            a.span = f(a.span);
        }
        self.args.iter_mut().for_each(|a| a.map_spans(f));
    }
}

impl TArg {
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        match self {
            TArg::Field(x) => x.map_spans(f),
            TArg::Transform(t) => t.map_spans(f),
            TArg::Str(v) | TArg::Num(v) => v.span = f(v.span),
            TArg::List(xs, s) => {
                *s = f(*s);
                xs.iter_mut().for_each(|x| x.map_spans(f));
            }
        }
    }

    pub fn span(&self) -> Span {
        match self {
            TArg::Field(x) => x.span,
            TArg::Transform(t) => t.span,
            TArg::Str(v) | TArg::Num(v) => v.span,
            TArg::List(_, s) => *s,
        }
    }
}

impl Rhs {
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        match self {
            Rhs::None => {}
            Rhs::Value(v) => v.span = f(v.span),
            Rhs::List(vs, s) => {
                *s = f(*s);
                vs.iter_mut().for_each(|v| v.span = f(v.span));
            }
            Rhs::Modified {
                modifier_span, list, ..
            } => {
                *modifier_span = f(*modifier_span);
                list.map_spans(f);
            }
            Rhs::Operand(o) => o.map_spans(f),
        }
    }
}
