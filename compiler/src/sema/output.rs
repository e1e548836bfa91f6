//! Output formats: split `%field` references from literal text and check them.

use super::typeck::{Env, check_output_operand, resolve_field};
use crate::span::Span;
use crate::syntax::condition::ast::{Expr, FieldArg, FieldRef};
use crate::syntax::condition::lexer::{self, Word};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputPart {
    Literal(String),
    /// `%field` or `%width field`; `text` is the reference as written (without `%`).
    Field {
        field: FieldRef,
        width: Option<usize>,
        text: String,
    },
    /// `%toupper(proc.name)`: kept as text, rendered by the runtime.
    Transform {
        text: String,
        width: Option<usize>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputError {
    pub message: String,
    /// Offset range in the output text.
    pub span: Span,
    pub help: Option<String>,
    /// A known field for a misspelled one: the span of the name (in the output text) and
    /// its replacement.
    pub suggestion: Option<(Span, &'static str)>,
}

/// Split an output format. Returns the parts and every problem found.
pub fn parse(text: &str, env: &Env) -> (Vec<OutputPart>, Vec<OutputError>) {
    let mut parts = Vec::new();
    let mut errors = Vec::new();
    let mut lit = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            // Literal text up to the next `%` (an ASCII byte: always a char boundary).
            let next = memchr::memchr(b'%', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            lit.push_str(&text[i..next]);
            i = next;
            continue;
        }
        let start = i;
        i += 1;
        let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        let width = if digits > 0 {
            text[i..i + digits].parse().ok()
        } else {
            None
        };
        i += digits;
        let rest = &text[i..];
        // Transformer form: name(...) with balanced parentheses.
        if let Some((Word::Ident, n)) = lexer::lex_at::<Word>(rest)
            && rest[n..].starts_with('(')
            && crate::syntax::condition::ast::TransformerKind::from_name(&rest[..n]).is_some()
        {
            let mut depth = 0;
            let mut end = None;
            for (k, b) in rest.bytes().enumerate() {
                match b {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(k + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            if let Some(end) = end {
                let expr = &rest[..end];
                let parsed = crate::syntax::condition::parse(&format!("{expr} exists"));
                // The transformer is added to its field as in a condition, with the same
                // checks (libsinsp's formatter calls `add_transformer`).
                let whole = Span::new(start as u32, (i + end) as u32);
                let problems = match (&parsed.errors.first(), &parsed.expr) {
                    (Some(e), _) => vec![(e.message.clone(), None, whole)],
                    (None, Some(Expr::Check(c))) => check_output_operand(&c.lhs, env)
                        .into_iter()
                        .map(|(message, help, span)| {
                            // Relative to the transformer's text, which starts at `i`.
                            let at = |o: u32| (i as u32 + o).min(whole.end);
                            (message, help, Span::new(at(span.start), at(span.end)))
                        })
                        .collect(),
                    (None, _) => Vec::new(),
                };
                if !problems.is_empty() {
                    for (message, help, span) in problems {
                        errors.push(OutputError {
                            message: format!("invalid formatting token %{expr}: {message}"),
                            span,
                            help,
                            suggestion: None,
                        });
                    }
                } else {
                    flush(&mut lit, &mut parts);
                    parts.push(OutputPart::Transform {
                        text: expr.to_string(),
                        width,
                    });
                }
                i += end;
                continue;
            }
        }
        let Some((Word::FieldName, n)) = lexer::lex_at::<Word>(rest) else {
            let shown: String = rest.chars().take_while(|c| !c.is_whitespace()).take(30).collect();
            let message = if rest.is_empty() {
                "invalid formatting syntax: '%' at the end of the output".to_string()
            } else {
                format!("invalid formatting syntax: '%' must be followed by a field name, not '{shown}'")
            };
            let end = i + shown.len();
            errors.push(OutputError {
                message,
                span: Span::new(start as u32, end.max(i) as u32),
                help: (!rest.is_empty())
                    .then(|| "there is no %% escape: a literal percent sign cannot be followed by a letter".into()),
                suggestion: None,
            });
            // Skip the bad token so it is reported once.
            i = end;
            continue;
        };
        let mut name = &rest[..n];
        if name == "container.info" {
            // Deprecated: Falco replaces it with nothing (and warns).
            i += n;
            continue;
        }
        // Falco consumes the longest prefix that is a field: `%fd.name.x` is fd.name + ".x".
        if let Some((def, suffix)) = super::catalog::lookup(name)
            && !suffix.is_empty()
            && !def.arg.takes_dotted_suffix()
        {
            name = &rest[..def.name.len()];
        }
        let mut consumed = name.len();
        let mut arg = None;
        if rest[consumed..].starts_with('[')
            && let Some(close) = rest[consumed..].find(']')
        {
            let value = &rest[consumed + 1..consumed + close];
            arg = Some(FieldArg {
                value: value.to_string(),
                quoted: false,
                span: Span::new((i + consumed + 1) as u32, (i + consumed + close) as u32),
            });
            consumed += close + 1;
        }
        let field = FieldRef {
            name: name.to_string(),
            name_span: Span::new(i as u32, (i + name.len()) as u32),
            arg,
            span: Span::new(i as u32, (i + consumed) as u32),
        };
        if let Err((message, help, span)) = resolve_field(&field, env) {
            let suggestion = (span == field.name_span)
                .then(|| crate::sema::typeck::field_suggestion(&field.name))
                .flatten()
                .map(|s| (field.name_span, s));
            errors.push(OutputError {
                message: format!("invalid formatting token %{}: {message}", &rest[..consumed]),
                span: Span::new(start as u32, (i + consumed) as u32),
                help,
                suggestion,
            });
        } else {
            flush(&mut lit, &mut parts);
            parts.push(OutputPart::Field {
                text: rest[..consumed].to_string(),
                field,
                width,
            });
        }
        i += consumed;
    }
    flush(&mut lit, &mut parts);
    (parts, errors)
}

fn flush(lit: &mut String, parts: &mut Vec<OutputPart>) {
    if !lit.is_empty() {
        parts.push(OutputPart::Literal(std::mem::take(lit)));
    }
}
