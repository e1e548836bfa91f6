//! Help for a parse error, beyond libsinsp's message (which is kept word for word): the
//! operator a misspelled one was meant to be, a string whose quote is never closed.

use super::ast::Op;
use super::parser::ParseError;

/// What to add to a parse error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hint {
    /// Replace the error's span with this.
    DidYouMean(&'static str),
    Help(String),
}

pub fn hint(src: &str, e: &ParseError) -> Option<Hint> {
    let at = src.get(e.span.start as usize..).unwrap_or("");
    if e.message.starts_with("expected a valid check operator") {
        let word: String = at
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "=<>!".contains(*c))
            .collect();
        if word.is_empty() {
            return None;
        }
        let lower = word.to_ascii_lowercase();
        if let Some(op) = Op::ALL.iter().find(|o| o.text() == lower) {
            return Some(Hint::DidYouMean(op.text())); // `STARTSWITH`: operators are lower case
        }
        let words = Op::ALL
            .iter()
            .filter(|o| o.is_word() || o.is_list() || **o == Op::Exists)
            .map(|o| o.text());
        return crate::sema::decode::suggest(&lower, words).map(Hint::DidYouMean);
    }
    if e.message.starts_with("expected a string value") || e.message.starts_with("expected a") {
        let q = at.chars().next()?;
        if (q == '"' || q == '\'') && !closed(&at[1..], q) {
            return Some(Hint::Help(format!(
                "unterminated string: the {} opened here is never closed",
                if q == '"' { "double quote" } else { "single quote" }
            )));
        }
    }
    None
}

/// True if `rest` (the text after an opening quote) closes it, skipping escapes.
fn closed(rest: &str, q: char) -> bool {
    let mut escaped = false;
    for c in rest.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            c if c == q && !escaped => return true,
            _ => escaped = false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::condition::parse;

    fn hint_of(src: &str) -> Option<Hint> {
        let p = parse(src);
        hint(src, p.errors.first()?)
    }

    #[test]
    fn operators_and_strings() {
        assert_eq!(
            hint_of("proc.name startwith bash"),
            Some(Hint::DidYouMean("startswith"))
        );
        assert_eq!(
            hint_of("proc.name STARTSWITH bash"),
            Some(Hint::DidYouMean("startswith"))
        );
        assert_eq!(hint_of("proc.name contain bash"), Some(Hint::DidYouMean("contains")));
        assert!(matches!(hint_of("proc.cmdline contains \"abc"), Some(Hint::Help(h)) if h.contains("unterminated")));
        assert_eq!(hint_of("proc.cmdline contains \"abc\" and"), None);
    }
}
