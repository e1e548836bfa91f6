//! Resilient recursive-descent parser for conditions, shaped after libsinsp's parser so
//! that what it accepts, and the first error message it gives, match Falco. Unlike
//! libsinsp it does not stop at the first error: a failed check is replaced by an
//! [`Expr::Error`] node and parsing resumes at the next `and`/`or`/`)`.

use super::ast::*;
use super::lexer::{self, ArgTok, BareTok, NumTok, OpTok, Word};
use crate::span::Span;

/// libsinsp's default recursion limit is 100; Falco raises it to 1000.
pub const MAX_DEPTH: u32 = 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// Location in the parsed text (not yet in file coordinates).
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Parsed {
    /// `None` only for empty input.
    pub expr: Option<Expr>,
    pub errors: Vec<ParseError>,
}

/// Parse a whole condition.
pub fn parse(src: &str) -> Parsed {
    let mut p = Parser {
        src,
        pos: 0,
        depth: 0,
        last: Span::empty(0),
        errors: Vec::new(),
        parens: 0,
        fatal: false,
    };
    if src.is_empty() {
        p.errors.push(ParseError {
            message: "filter input string is empty".into(),
            span: Span::empty(0),
        });
        return Parsed {
            expr: None,
            errors: p.errors,
        };
    }
    let expr = p.parse_top();
    Parsed {
        expr: Some(expr),
        errors: p.errors,
    }
}

type PResult<T> = Result<T, ParseError>;

struct Parser<'s> {
    src: &'s str,
    pos: usize,
    depth: u32,
    /// Span of the last token lexed (libsinsp's `m_last_token`), for messages.
    last: Span,
    errors: Vec<ParseError>,
    /// Open parentheses around the cursor; recovery stops at their `)`.
    parens: u32,
    /// Set once the depth limit is hit: recovering would only hit it again.
    fatal: bool,
}

const TRANSFORMER_LIST: &str = "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'";

fn sp(a: usize, b: usize) -> Span {
    Span::new(a as u32, b as u32)
}

impl<'s> Parser<'s> {
    fn rest(&self) -> &'s str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    /// An error at the cursor, spanning the next run of non-blank characters.
    fn err_here(&self, message: impl Into<String>) -> ParseError {
        let rest = self.rest().as_bytes();
        let mut len = rest.iter().take_while(|b| !lexer::is_blank(**b)).count().min(40);
        while !self.src.is_char_boundary(self.pos + len) {
            len += 1;
        }
        ParseError {
            message: message.into(),
            span: sp(self.pos, self.pos + len),
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            self.fatal = true;
            return Err(self.err_here(format!("exceeded max depth limit of {MAX_DEPTH}")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn guarded<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        self.enter()?;
        let r = f(self);
        self.leave();
        r
    }

    fn blank(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(lexer::is_blank) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.last = sp(self.pos, self.pos + s.len());
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn take(&mut self, len: usize) -> Span {
        let s = sp(self.pos, self.pos + len);
        self.pos += len;
        self.last = s;
        s
    }

    fn text(&self, s: Span) -> &'s str {
        &self.src[s.range()]
    }

    // ---- expressions -------------------------------------------------------------

    fn parse_top(&mut self) -> Expr {
        let mut parts = vec![self.parse_or_recovering()];
        while self.pos < self.src.len() && !self.fatal {
            let last = self.text(self.last).to_string();
            let e = self.err_here(format!("unexpected token after '{last}', expecting 'or', 'and'"));
            self.errors.push(e);
            let start = self.pos;
            self.skip_to_boundary(false);
            parts.push(Expr::Error(sp(start, self.pos)));
            if self.pos < self.src.len() {
                // At an `and`/`or`: keep parsing what follows it.
                let kw = if self.rest().starts_with("and") { 3 } else { 2 };
                self.take(kw);
                parts.push(self.parse_or_recovering());
            }
        }
        if parts.len() == 1 {
            parts.pop().unwrap_or(Expr::Error(Span::empty(0)))
        } else {
            Expr::And(parts, sp(0, self.src.len()))
        }
    }

    fn parse_or_recovering(&mut self) -> Expr {
        let start = self.pos;
        match self.parse_or() {
            Ok(e) => e,
            Err(e) => {
                self.errors.push(e);
                self.pos = self.src.len();
                Expr::Error(sp(start, self.src.len()))
            }
        }
    }

    /// Skip to the next `and`/`or` (preceded by a blank) or, inside parentheses, to the
    /// `)` that closes the current group. Quoted strings are skipped whole.
    fn skip_to_boundary(&mut self, stop_at_close: bool) {
        let bytes = self.src.as_bytes();
        let mut depth = 0i32;
        while self.pos < bytes.len() {
            let b = bytes[self.pos];
            match b {
                b'"' | b'\'' => {
                    let n = lexer::quoted_len(self.rest()).unwrap_or(1);
                    self.pos += n;
                    continue;
                }
                b'(' => depth += 1,
                b')' => {
                    if depth == 0 && stop_at_close {
                        return;
                    }
                    depth = (depth - 1).max(0);
                }
                _ if depth == 0 && self.pos > 0 && lexer::is_blank(bytes[self.pos - 1]) => {
                    let r = self.rest();
                    let kw = ["and", "or"].into_iter().find(|k| r.starts_with(k));
                    if let Some(k) = kw {
                        let after = r.as_bytes().get(k.len()).copied();
                        if after.is_none_or(|c| lexer::is_blank(c) || c == b'(') {
                            return;
                        }
                    }
                }
                _ => {}
            }
            self.pos += 1;
            while !self.src.is_char_boundary(self.pos) {
                self.pos += 1;
            }
        }
    }

    fn parse_or(&mut self) -> PResult<Expr> {
        self.guarded(|p| {
            let start = p.pos;
            p.blank();
            let mut children = vec![p.parse_and()?];
            p.blank();
            while p.eat("or") {
                let child = if p.blank() {
                    p.parse_and()?
                } else if p.eat("(") {
                    p.parse_embedded_remainder()?
                } else {
                    return Err(p.err_here("expected blank or '(' after 'or'"));
                };
                children.push(child);
                p.blank();
            }
            Ok(if children.len() > 1 {
                Expr::Or(children, sp(start, p.pos))
            } else {
                children.remove(0)
            })
        })
    }

    fn parse_and(&mut self) -> PResult<Expr> {
        self.guarded(|p| {
            let start = p.pos;
            p.blank();
            let mut children = vec![p.parse_not_recovering()?];
            p.blank();
            while p.eat("and") {
                let child = if p.blank() {
                    p.parse_not_recovering()?
                } else if p.eat("(") {
                    p.parse_embedded_remainder()?
                } else {
                    return Err(p.err_here("expected blank or '(' after 'and'"));
                };
                children.push(child);
                p.blank();
            }
            Ok(if children.len() > 1 {
                Expr::And(children, sp(start, p.pos))
            } else {
                children.remove(0)
            })
        })
    }

    /// Parse one `not`-expression; on failure record the error and skip to where the
    /// expression most likely ends, so later checks are still parsed.
    fn parse_not_recovering(&mut self) -> PResult<Expr> {
        let start = self.pos;
        match self.parse_not() {
            Ok(e) => Ok(e),
            Err(e) if self.fatal => Err(e),
            Err(e) => {
                self.errors.push(e);
                self.pos = start;
                self.skip_to_boundary(self.parens > 0);
                Ok(Expr::Error(sp(start, self.pos.max(start))))
            }
        }
    }

    fn parse_not(&mut self) -> PResult<Expr> {
        self.guarded(|p| {
            let start = p.pos;
            p.blank();
            let mut negate = false;
            while p.rest().starts_with("not") && p.src.as_bytes().get(p.pos + 3).is_some_and(|b| lexer::is_space(*b)) {
                p.take(3);
                while p.peek().is_some_and(lexer::is_space) {
                    p.pos += 1;
                }
                negate = !negate;
            }
            let child = if p.eat("not(") {
                negate = !negate;
                p.parse_embedded_remainder()?
            } else {
                p.parse_check()?
            };
            Ok(if negate {
                Expr::Not(Box::new(child), sp(start, p.pos))
            } else {
                child
            })
        })
    }

    fn parse_embedded_remainder(&mut self) -> PResult<Expr> {
        self.guarded(|p| {
            p.parens += 1;
            let r = p.parse_group_body();
            p.parens -= 1;
            r
        })
    }

    fn parse_group_body(&mut self) -> PResult<Expr> {
        self.blank();
        let child = self.parse_or()?;
        self.blank();
        if !self.eat(")") {
            return Err(self.err_here("expected a ')' token"));
        }
        Ok(child)
    }

    fn parse_check(&mut self) -> PResult<Expr> {
        self.guarded(|p| {
            p.blank();
            let start = p.pos;
            if p.eat("(") {
                return p.parse_embedded_remainder();
            }
            match lexer::lex_at::<Word>(p.rest()) {
                Some((Word::FieldName, len)) => {
                    let name = p.take(len);
                    let field = p.parse_field_remainder(name)?;
                    p.parse_condition(Operand::Field(field), start)
                }
                Some((Word::Ident, len)) => {
                    let name = p.text(sp(p.pos, p.pos + len));
                    match TransformerKind::from_name(name) {
                        Some(kind)
                            if kind != TransformerKind::Val && p.src.as_bytes().get(p.pos + len) == Some(&b'(') =>
                        {
                            let name_span = p.take(len);
                            p.take(1);
                            let t = p.parse_transformer_remainder(kind, name_span)?;
                            p.parse_condition(Operand::Transform(t), start)
                        }
                        _ => {
                            let span = p.take(len);
                            Ok(Expr::Macro(Name {
                                text: name.to_string(),
                                span,
                            }))
                        }
                    }
                }
                None => Err(p.err_here("expected a '(' token, a field check, or an identifier")),
            }
        })
    }

    fn parse_field_remainder(&mut self, name: Span) -> PResult<FieldRef> {
        self.guarded(|p| {
            let arg = p.parse_field_arg()?;
            Ok(FieldRef {
                name: p.text(name).to_string(),
                name_span: name,
                arg,
                span: sp(name.start as usize, p.pos),
            })
        })
    }

    /// An optional `[arg]` right after a field or transformer.
    fn parse_field_arg(&mut self) -> PResult<Option<FieldArg>> {
        if !self.eat("[") {
            return Ok(None);
        }
        let arg = if let Some(v) = self.lex_quoted()? {
            FieldArg {
                value: v.text,
                quoted: true,
                span: v.span,
            }
        } else if let Some((_, len)) = lexer::lex_at::<ArgTok>(self.rest()) {
            let span = self.take(len);
            FieldArg {
                value: self.text(span).to_string(),
                quoted: false,
                span,
            }
        } else {
            return Err(self.err_here("expected a valid field argument: a quoted string or a bare string"));
        };
        if !self.eat("]") {
            return Err(self.err_here("expected a ']' token"));
        }
        Ok(Some(arg))
    }

    /// After `name(`: the arguments, `)` and an optional `[arg]`.
    fn parse_transformer_remainder(&mut self, kind: TransformerKind, name_span: Span) -> PResult<Transform> {
        self.guarded(|p| {
            p.blank();
            let mut args = vec![p.parse_targ()?];
            p.blank();
            while p.eat(",") {
                p.blank();
                args.push(p.parse_targ()?);
                p.blank();
            }
            if !p.eat(")") {
                return Err(p.err_here("expected a ')' token closing the transformer"));
            }
            let arg = p.parse_field_arg()?;
            Ok(Transform {
                kind,
                name_span,
                args,
                arg,
                span: sp(name_span.start as usize, p.pos),
            })
        })
    }

    /// A transformer argument: field, nested transformer, quoted string, number or a
    /// parenthesised list of those.
    fn parse_targ(&mut self) -> PResult<TArg> {
        if let Some(t) = self.lex_transformer()? {
            return Ok(TArg::Transform(t));
        }
        if let Some((Word::FieldName, len)) = lexer::lex_at::<Word>(self.rest()) {
            let name = self.take(len);
            return Ok(TArg::Field(self.parse_field_remainder(name)?));
        }
        if let Some(v) = self.lex_quoted()? {
            return Ok(TArg::Str(v));
        }
        if let Some(v) = self.lex_number() {
            return Ok(TArg::Num(v));
        }
        let start = self.pos;
        if self.eat("(") {
            self.blank();
            let mut items = Vec::new();
            if !self.rest().starts_with(')') {
                loop {
                    let item = self.parse_targ()?;
                    if matches!(item, TArg::List(..)) {
                        return Err(ParseError {
                            message: "nested lists are not allowed in transformer arguments".into(),
                            span: item.span(),
                        });
                    }
                    items.push(item);
                    self.blank();
                    if !self.eat(",") {
                        break;
                    }
                    self.blank();
                }
            }
            if !self.eat(")") {
                return Err(self.err_here("expected a ')' token"));
            }
            return Ok(TArg::List(items, sp(start, self.pos)));
        }
        Err(self.err_here(format!(
            "expected a field or a nested valid transformer: {TRANSFORMER_LIST}"
        )))
    }

    /// `tolower(` … at the cursor (not `val(`).
    fn lex_transformer(&mut self) -> PResult<Option<Transform>> {
        let Some((Word::Ident, len)) = lexer::lex_at::<Word>(self.rest()) else {
            return Ok(None);
        };
        let kind = TransformerKind::from_name(&self.rest()[..len]);
        match kind {
            Some(kind) if kind != TransformerKind::Val && self.src.as_bytes().get(self.pos + len) == Some(&b'(') => {
                let name_span = self.take(len);
                self.take(1);
                Ok(Some(self.parse_transformer_remainder(kind, name_span)?))
            }
            _ => Ok(None),
        }
    }

    fn lex_number(&mut self) -> Option<Value> {
        let (_, len) = lexer::lex_at::<NumTok>(self.rest())?;
        let span = self.take(len);
        Some(Value {
            text: self.text(span).to_string(),
            quote: None,
            span,
        })
    }

    fn lex_quoted(&mut self) -> PResult<Option<Value>> {
        let Some(len) = lexer::quoted_len(self.rest()) else {
            return Ok(None);
        };
        let raw = &self.rest()[..len];
        match lexer::unescape(raw) {
            Ok(text) => {
                let quote = raw.chars().next();
                let span = self.take(len);
                Ok(Some(Value { text, quote, span }))
            }
            Err((message, at)) => Err(ParseError {
                message,
                span: sp(self.pos + at, self.pos + at + 2),
            }),
        }
    }

    fn parse_condition(&mut self, lhs: Operand, start: usize) -> PResult<Expr> {
        self.guarded(|p| {
            p.blank();
            let lexed = lexer::lex_at::<OpTok>(p.rest());
            let op = lexed.and_then(|(tok, len)| {
                let op = op_of(tok);
                // Word operators need a blank after them.
                let ok = !op.is_word() || p.src.as_bytes().get(p.pos + len).is_some_and(|b| lexer::is_space(*b));
                ok.then_some((op, len))
            });
            let Some((op, len)) = op else {
                let all = Op::ALL
                    .iter()
                    .map(|o| format!("'{}'", o.text()))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(p.err_here(format!("expected a valid check operator: one of {all}")));
            };
            let op_span = p.take(len);
            let rhs = if op == Op::Exists {
                Rhs::None
            } else if op.is_numeric() {
                p.parse_num_rhs()?
            } else if op.is_string() {
                p.parse_str_rhs()?
            } else {
                p.parse_list_rhs()?
            };
            Ok(Expr::Check(Box::new(Check {
                lhs,
                op,
                op_span,
                rhs,
                span: sp(start, p.pos),
            })))
        })
    }

    fn parse_num_rhs(&mut self) -> PResult<Rhs> {
        self.guarded(|p| {
            p.blank();
            if let Some(o) = p.try_transformer_or_val()? {
                return Ok(Rhs::Operand(o));
            }
            if let Some(v) = p.lex_number() {
                return Ok(Rhs::Value(v));
            }
            Err(p.err_here(format!(
                "expected a number value or a field with a valid transformer: {TRANSFORMER_LIST}"
            )))
        })
    }

    fn parse_str_rhs(&mut self) -> PResult<Rhs> {
        self.guarded(|p| {
            let had_blank = p.blank();
            if had_blank && let Some(rhs) = p.try_modifier()? {
                return Ok(rhs);
            }
            if let Some(o) = p.try_transformer_or_val()? {
                return Ok(Rhs::Operand(o));
            }
            if let Some(v) = p.lex_str_value()? {
                return Ok(Rhs::Value(v));
            }
            Err(p.err_here(format!(
                "expected a string value or a field with a valid transformer: {TRANSFORMER_LIST}"
            )))
        })
    }

    /// `oneof (a, b)` / `anyof list_name` after a string operator. The modifier word
    /// counts only when a blank and then a `(` or an identifier (not a keyword) follow.
    fn try_modifier(&mut self) -> PResult<Option<Rhs>> {
        let Some((Word::Ident, len)) = lexer::lex_at::<Word>(self.rest()) else {
            return Ok(None);
        };
        let Some(modifier) = Modifier::from_name(&self.rest()[..len]) else {
            return Ok(None);
        };
        let after = &self.rest()[len..];
        let blanks = after.bytes().take_while(|b| lexer::is_blank(*b)).count();
        if blanks == 0 {
            return Ok(None);
        }
        let next = &after[blanks..];
        let list_follows = next.starts_with('(')
            || matches!(lexer::lex_at::<Word>(next), Some((Word::Ident, l)) if !matches!(&next[..l], "and" | "or" | "not"));
        if !list_follows {
            return Ok(None);
        }
        let modifier_span = self.take(len);
        self.blank();
        let list = if self.rest().starts_with('(') {
            self.parse_list_literal()?
        } else {
            let Some((Word::Ident, l)) = lexer::lex_at::<Word>(self.rest()) else {
                return Err(self.err_here("expected a list or an identifier"));
            };
            let span = self.take(l);
            Rhs::Value(Value {
                text: self.text(span).to_string(),
                quote: None,
                span,
            })
        };
        Ok(Some(Rhs::Modified {
            modifier,
            modifier_span,
            list: Box::new(list),
        }))
    }

    fn lex_str_value(&mut self) -> PResult<Option<Value>> {
        if let Some(v) = self.lex_quoted()? {
            return Ok(Some(v));
        }
        if let Some((_, len)) = lexer::lex_at::<BareTok>(self.rest()) {
            let span = self.take(len);
            return Ok(Some(Value {
                text: self.text(span).to_string(),
                quote: None,
                span,
            }));
        }
        Ok(None)
    }

    fn parse_list_literal(&mut self) -> PResult<Rhs> {
        let start = self.pos;
        self.take(1); // '('
        self.blank();
        let mut items = Vec::new();
        if let Some(v) = self.lex_str_value()? {
            items.push(v);
            self.blank();
            while self.eat(",") {
                self.blank();
                match self.lex_str_value()? {
                    Some(v) => items.push(v),
                    None => return Err(self.err_here("expected a string value")),
                }
                self.blank();
            }
        }
        if !self.eat(")") {
            return Err(self.err_here("expected a ')' token"));
        }
        Ok(Rhs::List(items, sp(start, self.pos)))
    }

    fn parse_list_rhs(&mut self) -> PResult<Rhs> {
        self.guarded(|p| {
            p.blank();
            if p.rest().starts_with('(') {
                return p.parse_list_literal();
            }
            if let Some(o) = p.try_transformer_or_val()? {
                return Ok(Rhs::Operand(o));
            }
            if let Some((Word::Ident, len)) = lexer::lex_at::<Word>(p.rest()) {
                let span = p.take(len);
                return Ok(Rhs::Value(Value {
                    text: p.text(span).to_string(),
                    quote: None,
                    span,
                }));
            }
            Err(p.err_here(format!(
                "expected a list, an identifier, or a field with a valid transformer: {TRANSFORMER_LIST}"
            )))
        })
    }

    /// `val(field)` or a transformer on the right-hand side.
    fn try_transformer_or_val(&mut self) -> PResult<Option<Operand>> {
        self.guarded(|p| {
            p.blank();
            let start = p.pos;
            if p.rest().starts_with("val(") {
                let name_span = p.take(3);
                p.take(1);
                p.blank();
                let Some((Word::FieldName, len)) = lexer::lex_at::<Word>(p.rest()) else {
                    return Err(p.err_here("expected a field within 'val' transformer"));
                };
                let name = p.take(len);
                let field = p.parse_field_remainder(name)?;
                p.blank();
                if !p.eat(")") {
                    return Err(p.err_here("expected a ')' token closing the transformer"));
                }
                let arg = p.parse_field_arg()?;
                let t = Transform {
                    kind: TransformerKind::Val,
                    name_span,
                    args: vec![TArg::Field(field)],
                    arg,
                    span: sp(start, p.pos),
                };
                return Ok(Some(Operand::Transform(t)));
            }
            Ok(p.lex_transformer()?.map(Operand::Transform))
        })
    }
}

fn op_of(t: OpTok) -> Op {
    match t {
        OpTok::Exists => Op::Exists,
        OpTok::Le => Op::Le,
        OpTok::Lt => Op::Lt,
        OpTok::Ge => Op::Ge,
        OpTok::Gt => Op::Gt,
        OpTok::EqEq => Op::EqEq,
        OpTok::Eq => Op::Eq,
        OpTok::Ne => Op::Ne,
        OpTok::Glob => Op::Glob,
        OpTok::IGlob => Op::IGlob,
        OpTok::Contains => Op::Contains,
        OpTok::IContains => Op::IContains,
        OpTok::BContains => Op::BContains,
        OpTok::StartsWith => Op::StartsWith,
        OpTok::BStartsWith => Op::BStartsWith,
        OpTok::EndsWith => Op::EndsWith,
        OpTok::Regex => Op::Regex,
        OpTok::Intersects => Op::Intersects,
        OpTok::In => Op::In,
        OpTok::PMatch => Op::PMatch,
    }
}
