//! Tokens of the condition language, lexed with logos at the parser's cursor.
//!
//! libsinsp's parser is cursor driven: what a piece of text means depends on where it
//! stands (`proc.name` is a field at the start of a check and a plain string after
//! `=`). So instead of one token stream there are a few small logos lexers, and the
//! parser runs the one that fits its position on the text at the cursor. Each lexer
//! reproduces one of libsinsp's POSIX regexes (longest match, like RE2 in POSIX mode).

use logos::Logos;

/// Words at the start of a check, inside transformer arguments and after `not`.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    #[regex(r"[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+")]
    FieldName,
    #[regex(r"[a-zA-Z]+[a-zA-Z0-9_]*")]
    Ident,
}

/// Check operators. Literal tokens, so logos takes the longest one that is a prefix
/// of the input, exactly as libsinsp's ordered prefix list does (`<=` before `<`,
/// `intersects` before `in`, `==` before `=`).
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpTok {
    #[token("exists")]
    Exists,
    #[token("<=")]
    Le,
    #[token("<")]
    Lt,
    #[token(">=")]
    Ge,
    #[token(">")]
    Gt,
    #[token("==")]
    EqEq,
    #[token("=")]
    Eq,
    #[token("!=")]
    Ne,
    #[token("glob")]
    Glob,
    #[token("iglob")]
    IGlob,
    #[token("contains")]
    Contains,
    #[token("icontains")]
    IContains,
    #[token("bcontains")]
    BContains,
    #[token("startswith")]
    StartsWith,
    #[token("bstartswith")]
    BStartsWith,
    #[token("endswith")]
    EndsWith,
    #[token("regex")]
    Regex,
    #[token("intersects")]
    Intersects,
    #[token("in")]
    In,
    #[token("pmatch")]
    PMatch,
}

/// Number literals allowed after `<`, `<=`, `>`, `>=` and as transformer arguments.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumTok {
    #[regex(r"0[xX][0-9a-fA-F]+")]
    Hex,
    #[regex(r"[+\-]?[0-9]+\.?[0-9]*([eE][+\-][0-9]+)?")]
    Dec,
}

/// A bare (unquoted) string value: anything but parentheses, quotes, blanks, `=` and `,`.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BareTok {
    #[regex(r#"[^()"'\t\n\x0B\x0C\r =,]+"#)]
    Bare,
}

/// A bare field argument: anything but brackets, quotes and blanks.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgTok {
    #[regex(r#"[^\[\]"'\t\n\x0B\x0C\r ]+"#)]
    Bare,
}

/// Length of the token of lexer `T` at the start of `text`, if there is one.
pub fn lex_at<'s, T>(text: &'s str) -> Option<(T, usize)>
where
    T: Logos<'s, Source = str, Error = ()>,
    T::Extras: Default,
{
    let mut lexer = T::lexer(text);
    match lexer.next() {
        Some(Ok(tok)) if lexer.span().start == 0 => Some((tok, lexer.span().end)),
        _ => None,
    }
}

/// Blank characters as libsinsp's `lex_blank` skips them.
pub fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x08' | b'\r' | b'\n')
}

/// Characters matched by POSIX `[[:space:]]` (used after `not`).
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0B' | b'\x0C')
}

/// Find the end of a quoted string starting at `text[0]` (a `"` or `'`). A quote
/// preceded by a backslash does not close the string. Returns the byte length
/// including both quotes.
pub fn quoted_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let delim = *bytes.first()?;
    if delim != b'"' && delim != b'\'' {
        return None;
    }
    let mut prev = b'\\';
    for (i, &b) in bytes.iter().enumerate() {
        if b == delim && prev != b'\\' {
            return Some(i + 1);
        }
        prev = b;
    }
    None
}

/// Decode the escapes of a quoted string (`raw` includes the quotes). On error returns
/// the message and the byte offset of the offending backslash within `raw`.
pub fn unescape(raw: &str) -> Result<String, (String, usize)> {
    let bytes = raw.as_bytes();
    let quote = bytes[0];
    let inner = &bytes[1..bytes.len() - 1];
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let b = inner[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let at = i + 1; // offset of the backslash in `raw`
        let Some(&c) = inner.get(i + 1) else {
            // A trailing backslash cannot happen: it would have escaped the closing quote.
            out.push(b'\\');
            break;
        };
        match c {
            b'b' => out.push(0x08),
            b'f' => out.push(0x0C),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            // Legacy: `\ ` was accepted by old rules and yields a backslash.
            b' ' | b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b'"' | b'\'' if c == quote => out.push(c),
            b'"' => return Err(("invalid \\\" escape in '-quoted string".into(), at)),
            b'\'' => return Err(("invalid \\' escape in \"-quoted string".into(), at)),
            b'x' => {
                let hex = inner.get(i + 2..i + 4).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                let Some(hex) = hex else {
                    return Err(("invalid \\x escape: expected two hex digits".into(), at));
                };
                let hex = std::str::from_utf8(hex).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 4;
                continue;
            }
            _ => {
                let ch = raw[at + 1..].chars().next().unwrap_or('?');
                return Err((format!("unsupported string escape sequence: \\{ch}"), at));
            }
        }
        i += 2;
    }
    // `\xHH` can produce bytes that are not UTF-8: kept as the escapes that process fields
    // use for the same bytes, so that `proc.name = "\xff"` compares bytes, as in Falco.
    Ok(crate::raw_text::escape(&out).into_owned())
}
