//! The `regex` operator's patterns as Falco's engine reads them: libsinsp compiles each with
//! `RE2(pattern, RE2::POSIX)`, RE2's POSIX syntax, and refuses one that does not parse with
//! `invalid regex pattern: ` and RE2's own error text. [`translate`] parses that syntax, with
//! RE2's verdicts and messages, into a pattern of the `regex` crate that matches the same
//! strings:
//!
//! - no Perl extensions: `\d \s \w \b \A \z \pL`, `(?:`, `(?i)`, back-references are errors;
//! - repetitions stack (`a**`, `a{2}*`), and `a*?` is `(a*)?`: there is no lazy repetition;
//! - `^` and `$` also match at a `\n` inside the text; `.` never matches `\n`, `[^a]` does;
//! - `{` that opens no counted repetition is a literal, counts are at most 1,000 (also nested,
//!   multiplied), octal escapes `\0`, `\12`, `\123` are characters;
//! - a class takes POSIX names (`[:alpha:]`), and `-` only first or last unless it makes a
//!   range.

use crate::raw_text;

/// RE2's limit on a counted repetition, also on nested counts multiplied.
const MAX_REPEAT: u64 = 1000;

/// The POSIX class names RE2 knows.
const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word",
    "xdigit",
];

/// The pattern in the `regex` crate's syntax, or RE2's error text (what follows
/// `invalid regex pattern: ` in Falco's message).
pub fn translate(pattern: &str) -> Result<String, String> {
    // `\xHH` escapes of the rule text may stand for bytes that are not UTF-8.
    let bytes = raw_text::to_bytes(pattern);
    let Ok(pattern) = std::str::from_utf8(&bytes) else {
        return Err("invalid UTF-8".into());
    };
    Parser {
        p: pattern,
        chars: pattern.char_indices().collect(),
        i: 0,
    }
    .run()
}

/// One item of a sequence: its text and the product of the counted repetitions in it.
struct Term {
    text: String,
    product: u64,
}

/// An open group: the alternatives finished so far and the current sequence.
#[derive(Default)]
struct Frame {
    alternatives: Vec<String>,
    terms: Vec<Term>,
    product: u64,
}

impl Frame {
    /// Ends the current alternative; `product` keeps the largest of every alternative's.
    fn close_alternative(&mut self) {
        self.product = self.terms.iter().map(|t| t.product).fold(self.product, u64::max);
        let seq: String = self.terms.drain(..).map(|t| t.text).collect();
        self.alternatives.push(seq);
    }

    fn finish(mut self) -> Term {
        self.close_alternative();
        Term {
            text: self.alternatives.join("|"),
            product: self.product,
        }
    }
}

struct Parser<'a> {
    p: &'a str,
    chars: Vec<(usize, char)>,
    i: usize,
}

/// A character as a literal of the `regex` crate: letters, digits and other text as they are,
/// anything else as a code point escape (valid in and out of classes).
fn literal(out: &mut String, c: char) {
    if c.is_alphanumeric() || (!c.is_ascii() && !c.is_control() && !c.is_whitespace()) {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// A code point as a literal: RE2 takes surrogates (`\x{D800}`), which no UTF-8 text holds,
/// so they match nothing.
fn code_literal(out: &mut String, code: u32) {
    match char::from_u32(code) {
        Some(c) => literal(out, c),
        None => out.push_str(NOTHING),
    }
}

/// A class that matches no character.
const NOTHING: &str = "[^\\x{0}-\\x{10FFFF}]";

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).map(|&(_, c)| c)
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).map(|&(_, c)| c)
    }

    fn offset(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.p.len(), |&(o, _)| o)
    }

    /// The pattern text from char `from` to the current position.
    fn since(&self, from: usize) -> &str {
        &self.p[self.offset(from)..self.offset(self.i)]
    }

    fn run(mut self) -> Result<String, String> {
        let mut stack = vec![Frame::default()];
        while let Some(c) = self.peek() {
            let start = self.i;
            match c {
                '(' => {
                    self.i += 1;
                    stack.push(Frame::default());
                }
                ')' => {
                    if stack.len() == 1 {
                        return Err(format!("unexpected ): {}", self.p));
                    }
                    self.i += 1;
                    let inner = stack.pop().map(Frame::finish).unwrap_or(Term {
                        text: String::new(),
                        product: 1,
                    });
                    let top = stack.last_mut().ok_or("unexpected error")?;
                    top.terms.push(Term {
                        text: format!("(?:{})", inner.text),
                        product: inner.product,
                    });
                }
                '|' => {
                    self.i += 1;
                    stack.last_mut().ok_or("unexpected error")?.close_alternative();
                }
                '*' | '+' | '?' => {
                    self.i += 1;
                    self.repeat(&mut stack, start, c.to_string(), 0)?;
                }
                '{' => match self.counted() {
                    Some((min, max)) => {
                        let op = self.since(start).to_string();
                        if max.is_some_and(|m| m < min) || min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
                            return Err(format!("invalid repetition size: {op}"));
                        }
                        let rust = match max {
                            Some(m) if m == min => format!("{{{min}}}"),
                            Some(m) => format!("{{{min},{m}}}"),
                            None => format!("{{{min},}}"),
                        };
                        self.repeat(&mut stack, start, rust, max.unwrap_or(min))?;
                    }
                    None => {
                        self.i += 1;
                        self.push(&mut stack, "\\{".into());
                    }
                },
                '[' => {
                    let class = self.class()?;
                    self.push(&mut stack, class);
                }
                '\\' => {
                    let code = self.escape()?;
                    let mut s = String::new();
                    code_literal(&mut s, code);
                    self.push(&mut stack, s);
                }
                '^' => {
                    self.i += 1;
                    self.push(&mut stack, "(?m:^)".into());
                }
                '$' => {
                    self.i += 1;
                    self.push(&mut stack, "(?m:$)".into());
                }
                '.' => {
                    self.i += 1;
                    self.push(&mut stack, ".".into());
                }
                c => {
                    self.i += 1;
                    let mut s = String::new();
                    literal(&mut s, c);
                    self.push(&mut stack, s);
                }
            }
        }
        if stack.len() > 1 {
            return Err(format!("missing ): {}", self.p));
        }
        Ok(stack.pop().map(Frame::finish).map(|t| t.text).unwrap_or_default())
    }

    fn push(&self, stack: &mut [Frame], text: String) {
        if let Some(top) = stack.last_mut() {
            top.terms.push(Term { text, product: 1 });
        }
    }

    /// Applies a repetition (`op` in the `regex` crate's syntax; `count` its counted maximum,
    /// 0 for `*`, `+`, `?`) to the last item, which must exist.
    fn repeat(&self, stack: &mut [Frame], start: usize, op: String, count: u64) -> Result<(), String> {
        let text = self.since(start).to_string();
        let Some(last) = stack.last_mut().and_then(|f| f.terms.last_mut()) else {
            return Err(format!("no argument for repetition operator: {text}"));
        };
        if count > 0 {
            last.product = last.product.saturating_mul(count);
            if last.product > MAX_REPEAT {
                return Err(format!("invalid repetition size: {text}"));
            }
        }
        last.text = format!("(?:{}){op}", last.text);
        Ok(())
    }

    /// `{n}`, `{n,}` or `{n,m}` at the current `{`, consumed; None (nothing consumed) when the
    /// brace opens no counted repetition and is a literal.
    fn counted(&mut self) -> Option<(u64, Option<u64>)> {
        let mut j = self.i + 1;
        let number = |j: &mut usize| -> Option<u64> {
            let from = *j;
            while self.chars.get(*j).is_some_and(|&(_, c)| c.is_ascii_digit()) {
                *j += 1;
            }
            let digits = &self.p[self.offset(from)..self.offset(*j)];
            // RE2 refuses a leading zero in a count (`a{01}` is literal text).
            if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
                return None;
            }
            Some(digits.parse::<u64>().unwrap_or(u64::MAX))
        };
        let min = number(&mut j)?;
        let max = match self.chars.get(j).map(|&(_, c)| c) {
            Some('}') => Some(min),
            Some(',') => {
                j += 1;
                if self.chars.get(j).map(|&(_, c)| c) == Some('}') {
                    None
                } else {
                    let m = number(&mut j)?;
                    if self.chars.get(j).map(|&(_, c)| c) != Some('}') {
                        return None;
                    }
                    Some(m)
                }
            }
            _ => return None,
        };
        self.i = j + 1;
        Some((min, max))
    }

    /// An escape at the current `\`, consumed, as the character it stands for.
    fn escape(&mut self) -> Result<u32, String> {
        let start = self.i;
        self.i += 1;
        let Some(c) = self.peek() else {
            return Err("trailing \\".into());
        };
        self.i += 1;
        let bad = |this: &Self| Err(format!("invalid escape sequence: {}", this.since(start)));
        match c {
            '1'..='7' if !self.peek().is_some_and(|d| ('0'..='7').contains(&d)) => bad(self),
            '0'..='7' => {
                // Octal: `\0` and up to two more digits, or `\1`-`\7` and one or two more.
                let mut v = c as u32 - '0' as u32;
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ '0'..='7') => {
                            v = v * 8 + (d as u32 - '0' as u32);
                            self.i += 1;
                        }
                        _ => break,
                    }
                }
                Ok(v)
            }
            'x' => self.hex(start),
            'a' => Ok(0x07),
            'f' => Ok(0x0C),
            't' => Ok(0x09),
            'n' => Ok(0x0A),
            'r' => Ok(0x0D),
            'v' => Ok(0x0B),
            // Escaped ASCII punctuation (and `_`) is itself; anything else, non-ASCII
            // included, is not an escape RE2 knows.
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(c as u32),
            _ => bad(self),
        }
    }

    /// `\xHH` or `\x{H...}` after the `\x`.
    fn hex(&mut self, start: usize) -> Result<u32, String> {
        let bad = |this: &Self| Err(format!("invalid escape sequence: {}", this.since(start)));
        if self.peek() == Some('{') {
            self.i += 1;
            let mut code = 0u32;
            let mut digits = 0;
            while let Some(d) = self.peek().and_then(|c| c.to_digit(16)) {
                self.i += 1;
                digits += 1;
                code = code * 16 + d;
                // RE2 stops at the digit that passes the last code point.
                if code > char::MAX as u32 {
                    return bad(self);
                }
            }
            match self.peek() {
                Some('}') if digits > 0 => {
                    self.i += 1;
                    Ok(code)
                }
                Some(_) => {
                    // The offending character is part of what RE2 quotes.
                    self.i += 1;
                    bad(self)
                }
                None => bad(self),
            }
        } else {
            // RE2 takes two characters, then checks them.
            let mut v = 0;
            let mut ok = true;
            for _ in 0..2 {
                let Some(c) = self.peek() else {
                    return bad(self);
                };
                self.i += 1;
                ok &= c.is_ascii_hexdigit();
                v = v * 16 + c.to_digit(16).unwrap_or(0);
            }
            if !ok {
                return bad(self);
            }
            Ok(v)
        }
    }

    /// A bracketed class at the current `[`, consumed, in the `regex` crate's syntax.
    fn class(&mut self) -> Result<String, String> {
        let open = self.i;
        let missing = |this: &Self| Err(format!("missing ]: {}", &this.p[this.offset(open)..]));
        self.i += 1;
        let mut out = String::from("[");
        let negated = self.peek() == Some('^');
        if negated {
            self.i += 1;
            out.push('^');
        }
        let mut first = true;
        let mut items = 0;
        loop {
            let Some(c) = self.peek() else {
                return missing(self);
            };
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            // `-` is a literal only first or last: `[a-z-9]` is an error in POSIX mode.
            if c == '-' && !first && self.peek_at(1) != Some(']') {
                // At the very end RE2 reads past the pattern for its message and reports the
                // byte it finds there (checked against RE2 2022-06-01).
                if self.peek_at(1).is_none() {
                    return Err("invalid UTF-8".into());
                }
                let from = self.i;
                self.i = (self.i + 2).min(self.chars.len());
                let text = self.since(from).to_string();
                return Err(format!("invalid character class range: {text}"));
            }
            first = false;
            if c == '[' && self.peek_at(1) == Some(':') {
                let from = self.i;
                let rest = &self.p[self.offset(from)..];
                if let Some(end) = rest[2..].find(":]") {
                    let name = &rest[2..2 + end];
                    let bare = name.strip_prefix('^').unwrap_or(name);
                    let text = &rest[..end + 4];
                    if !POSIX_CLASSES.contains(&bare) {
                        return Err(format!("invalid character class range: {text}"));
                    }
                    out.push_str(text);
                    items += 1;
                    self.i += text.chars().count();
                    continue;
                }
            }
            let from = self.i;
            let lo = self.class_char()?;
            let hi = if self.peek() == Some('-') && self.peek_at(1).is_some_and(|n| n != ']') {
                self.i += 1;
                if self.peek().is_none() {
                    return missing(self);
                }
                let hi = self.class_char()?;
                if hi < lo {
                    return Err(format!("invalid character class range: {}", self.since(from)));
                }
                hi
            } else {
                lo
            };
            // Surrogates match nothing: the range keeps its other code points.
            let lo = if (0xD800..=0xDFFF).contains(&lo) { 0xE000 } else { lo };
            let hi = if (0xD800..=0xDFFF).contains(&hi) { 0xD7FF } else { hi };
            if lo <= hi {
                items += 1;
                code_literal(&mut out, lo);
                if hi > lo {
                    out.push('-');
                    code_literal(&mut out, hi);
                }
            }
        }
        if items == 0 {
            // Only surrogates: a class of nothing, or of everything when negated.
            return Ok(if negated {
                "[\\x{0}-\\x{10FFFF}]".into()
            } else {
                NOTHING.into()
            });
        }
        out.push(']');
        Ok(out)
    }

    fn class_char(&mut self) -> Result<u32, String> {
        match self.peek() {
            Some('\\') => self.escape(),
            Some(c) => {
                self.i += 1;
                Ok(c as u32)
            }
            None => Err("unexpected error".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_match(pattern: &str, text: &str) -> bool {
        let rust = translate(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        regex::Regex::new(&format!("^(?:{rust})$"))
            .unwrap_or_else(|e| panic!("{pattern} -> {rust}: {e}"))
            .is_match(text)
    }

    /// RE2's verdicts and texts in POSIX mode (read from RE2's parser).
    #[test]
    fn rejected_as_re2_rejects_them() {
        // (pattern, what RE2 quotes of the escape)
        let escapes = [
            (r"\d", r"\d"),
            (r"a\s", r"\s"),
            (r"\W", r"\W"),
            (r"\b", r"\b"),
            (r"\A", r"\A"),
            (r"\z", r"\z"),
            (r"\pL", r"\p"),
            (r"\p{Greek}", r"\p"),
            (r"(a)\1", r"\1"),
            (r"\8", r"\8"),
            (r"\18", r"\1"),
            (r"\x4", r"\x4"),
            (r"\xZZ", r"\xZZ"),
            (r"\x{}", r"\x{}"),
            (r"\x{4g}", r"\x{4g"),
            (r"\e", r"\e"),
            (r"\é", r"\é"),
            (r"[\d]", r"\d"),
        ];
        for (p, arg) in escapes {
            assert_eq!(translate(p), Err(format!("invalid escape sequence: {arg}")), "{p}");
        }
        let cases = [
            ("(?:a)", "no argument for repetition operator: ?"),
            ("(?i)a", "no argument for repetition operator: ?"),
            ("(?P<n>a)", "no argument for repetition operator: ?"),
            ("abc\\", "trailing \\"),
            ("[[:foo:]]", "invalid character class range: [:foo:]"),
            ("[z-a]", "invalid character class range: z-a"),
            ("[a-z-9]", "invalid character class range: -9"),
            ("[]", "missing ]: []"),
            ("[^]", "missing ]: [^]"),
            ("x[ab", "missing ]: [ab"),
            ("a)", "unexpected ): a)"),
            (")", "unexpected ): )"),
            ("a(b", "missing ): a(b"),
            ("(", "missing ): ("),
            ("x{2,1}", "invalid repetition size: {2,1}"),
            ("x{1001}", "invalid repetition size: {1001}"),
            ("x{1001,}", "invalid repetition size: {1001,}"),
            ("(x{100}){20}", "invalid repetition size: {20}"),
            ("{2}", "no argument for repetition operator: {2}"),
            ("*a", "no argument for repetition operator: *"),
            ("a|*", "no argument for repetition operator: *"),
            ("(*a)", "no argument for repetition operator: *"),
            ("(\\d", "invalid escape sequence: \\d"),
        ];
        for (p, want) in cases {
            assert_eq!(translate(p), Err(want.to_string()), "{p}");
        }
    }

    #[test]
    fn accepted_as_re2_accepts_them() {
        for p in [
            "a*?",
            "a+?",
            "a??",
            "a{2}?",
            "a**",
            "a+*",
            "a{2}*",
            "a*{2}",
            r"\0",
            r"\01",
            r"\12",
            r"\123",
            r"\x41",
            r"\x{41}",
            r"\a\f\t\n\r\v",
            r"\.\*\-\_",
            "[[:alpha:]]",
            "[[:^digit:]]",
            "[-a]",
            "[a-]",
            "[]a]",
            "[^]a]",
            "{",
            "a{2",
            "a{,3}",
            "a{01}",
            "a{x}",
            "()",
            "(|a)",
            "a|",
            "",
            "^*",
            "$+",
            "x{1000}",
            "(x{10}){100}",
        ] {
            assert!(translate(p).is_ok(), "{p}: {:?}", translate(p));
        }
    }

    #[test]
    fn matches_as_re2_matches() {
        // No lazy repetition: `a+?` is `(a+)?`.
        assert!(full_match("a+?", ""));
        assert!(full_match("a{2}?", "") && full_match("a{2}?", "aa") && !full_match("a{2}?", "a"));
        // Braces that count nothing are text.
        for p in ["a{2", "a{,3}", "{", "é{x", "x{y}", "a{01}"] {
            assert!(full_match(p, p), "{p} matches itself");
        }
        assert!(full_match("a{2}b{1,}c{1,3}", "aabcc"));
        // Octal and hex escapes are characters.
        assert!(full_match(r"\123\x41\x{42}", "SAB"));
        assert!(full_match(r"a\12b", "a\nb"));
        // `^` and `$` also match at a newline; `.` never matches one, `[^a]` does.
        assert!(full_match("a\n^b", "a\nb") && !full_match("abc$", "abc\n"));
        assert!(full_match("a$\nb", "a\nb"));
        assert!(!full_match(".*", "a\nb") && full_match("a[^x]b", "a\nb"));
        // Classes: POSIX names, literal `]` first, `-` last, escapes.
        assert!(full_match("[[:digit:]]+", "123") && full_match("[]a]+", "]a]"));
        assert!(full_match("[a-]+", "a-") && full_match(r"[\.]", "."));
        // Punctuation is literal, as escaped text or not.
        assert!(full_match(r"a\.b", "a.b") && !full_match(r"a\.b", "axb"));
        assert!(full_match("a#b&c~d", "a#b&c~d"));
    }

    proptest::proptest! {
        /// Any pattern: no panic, and what RE2 accepts is a pattern the `regex` crate takes
        /// (short of its size limit).
        #[test]
        fn any_pattern_translates_or_is_refused(
            p in proptest::prop_oneof!["[ab(){}\\[\\]^$|*+?.:\\\\dx0-9,é-]{0,24}", ".{0,12}"]
        ) {
            if let Ok(rust) = translate(&p) {
                match regex::Regex::new(&format!("^(?:{rust})$")) {
                    Ok(_) | Err(regex::Error::CompiledTooBig(_)) => {}
                    Err(e) => proptest::prop_assert!(false, "{p:?} -> {rust:?}: {e}"),
                }
            }
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused() {
        let p = raw_text::escape(b"a\xffb");
        assert_eq!(translate(&p), Err("invalid UTF-8".into()));
    }
}
