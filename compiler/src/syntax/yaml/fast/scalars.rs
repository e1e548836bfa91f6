//! Scalars of the fast path: plain (block and flow), quoted, and block (`|`, `>`).
//!
//! Each returns `None` for anything it does not read exactly as YAML does. `parent` is the
//! column of the block collection around the scalar (`-1`: the document); continuation lines
//! must be indented past it.

use std::borrow::Cow;

/// A scalar read in block context.
pub struct Read<'s> {
    pub value: Cow<'s, str>,
    /// Where the scalar's span starts and ends.
    pub start: usize,
    pub end: usize,
    /// Start of the first line after the scalar (or the input's end).
    pub next: usize,
}

pub fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// Position of the first byte at or after `i` that is not a space.
pub fn spaces(b: &[u8], mut i: usize) -> usize {
    while at(b, i) == b' ' {
        i += 1;
    }
    i
}

pub fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i.min(b.len())..]).map_or(b.len(), |n| i + n)
}

pub fn after_line(b: &[u8], i: usize) -> usize {
    let e = line_end(b, i);
    (e + 1).min(b.len())
}

/// Can a plain scalar start at `i`? Indicators may not start one; `-` followed by text may.
pub fn plain_first(b: &[u8], i: usize, flow: bool) -> bool {
    match at(b, i) {
        b'-' => {
            let next = at(b, i + 1);
            let ends = matches!(next, b' ' | b'\n' | 0) || (flow && matches!(next, b',' | b'[' | b']' | b'{' | b'}'));
            !ends
        }
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"'
        | b'%' | b'@' | b'`' | b' ' | b'\n' | 0 => false,
        _ => true,
    }
}

/// One line of a block plain scalar from `i`: its trimmed end and whether a comment ends it.
/// `None` if a `: ` makes it a key (an error where it stands).
fn plain_line(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let end = line_end(b, i);
    let mut k = i;
    let mut comment = false;
    while k < end {
        match b[k] {
            b':' if matches!(at(b, k + 1), b' ' | b'\n' | 0) => return None,
            b'#' if b[k - 1] == b' ' => {
                comment = true;
                break;
            }
            _ => k += 1,
        }
    }
    while k > i && b[k - 1] == b' ' {
        k -= 1;
    }
    Some((k, comment))
}

/// A plain scalar in block context, possibly over several lines.
pub fn plain<'s>(b: &[u8], src: &'s str, i: usize, parent: isize) -> Option<Read<'s>> {
    if !plain_first(b, i, false) {
        return None;
    }
    let (mut end, mut comment) = plain_line(b, i)?;
    let mut next = after_line(b, end);
    let mut folded: Option<String> = None;
    while !comment {
        // Empty lines, then a line indented past the parent continues the scalar.
        let mut k = next;
        let mut empties = 0;
        let s = loop {
            let s = spaces(b, k);
            if at(b, s) == b'\n' {
                empties += 1;
                k = s + 1;
                continue;
            }
            break s;
        };
        if s >= b.len() || (s - k) as isize <= parent || b[s] == b'#' {
            break;
        }
        // Leave lines that start with an indicator to granit.
        if !plain_first(b, s, false) {
            return None;
        }
        let (e, c) = plain_line(b, s)?;
        let v = folded.get_or_insert_with(|| src[i..end].to_string());
        if empties == 0 {
            v.push(' ');
        } else {
            v.extend(std::iter::repeat_n('\n', empties));
        }
        v.push_str(&src[s..e]);
        end = e;
        comment = c;
        next = after_line(b, e);
    }
    let value = folded.map_or(Cow::Borrowed(&src[i..end]), Cow::Owned);
    Some(Read {
        value,
        start: i,
        end,
        next,
    })
}

/// A one-line plain scalar inside a flow sequence: its trimmed end.
pub fn flow_plain(b: &[u8], i: usize) -> Option<usize> {
    if !plain_first(b, i, true) {
        return None;
    }
    let mut k = i;
    loop {
        match at(b, k) {
            b',' | b']' | b'\n' | 0 => break,
            b'#' if b[k - 1] == b' ' => break,
            b':' | b'[' | b'{' | b'}' => return None,
            _ => k += 1,
        }
    }
    while b[k - 1] == b' ' {
        k -= 1;
    }
    Some(k)
}

/// A quoted scalar from its opening quote at `i`: the value and the position after the
/// closing quote.
pub fn quoted<'s>(b: &[u8], src: &'s str, i: usize, parent: isize) -> Option<(Cow<'s, str>, usize)> {
    let double = b[i] == b'"';
    let mut out: Option<String> = None;
    let mut seg = i + 1;
    let mut j = i + 1;
    loop {
        let rest = &b[j..];
        let k = j + if double {
            memchr::memchr3(b'"', b'\\', b'\n', rest)?
        } else {
            memchr::memchr2(b'\'', b'\n', rest)?
        };
        match b[k] {
            b'\'' if at(b, k + 1) == b'\'' => {
                let o = out.get_or_insert_with(String::new);
                o.push_str(&src[seg..k]);
                o.push('\'');
                j = k + 2;
                seg = j;
            }
            b'\'' | b'"' => {
                let value = match out {
                    None => Cow::Borrowed(&src[seg..k]),
                    Some(mut o) => {
                        o.push_str(&src[seg..k]);
                        Cow::Owned(o)
                    }
                };
                return Some((value, k + 1));
            }
            b'\\' => {
                let o = out.get_or_insert_with(String::new);
                o.push_str(&src[seg..k]);
                j = escape(b, k + 1, o, parent)?;
                seg = j;
            }
            _ => {
                // A line break inside the quotes: blanks around it go, the break folds.
                let o = out.get_or_insert_with(String::new);
                o.push_str(src[seg..k].trim_end_matches(' '));
                let (s, empties) = continuation(b, k + 1, parent)?;
                if empties == 0 {
                    o.push(' ');
                } else {
                    o.extend(std::iter::repeat_n('\n', empties));
                }
                j = s;
                seg = s;
            }
        }
    }
}

/// After a line break inside a quoted scalar: the first content position of the next
/// non-empty line and how many empty lines came before it.
fn continuation(b: &[u8], mut k: usize, parent: isize) -> Option<(usize, usize)> {
    let mut empties = 0;
    loop {
        let s = spaces(b, k);
        match at(b, s) {
            b'\n' => {
                empties += 1;
                k = s + 1;
            }
            0 => return None,
            _ if (s - k) as isize <= parent => return None,
            _ => return Some((s, empties)),
        }
    }
}

/// The escape after a backslash, at `k`; the position after it.
fn escape(b: &[u8], k: usize, o: &mut String, parent: isize) -> Option<usize> {
    let simple = match at(b, k) {
        b'0' => '\0',
        b'a' => '\u{7}',
        b'b' => '\u{8}',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\u{b}',
        b'f' => '\u{c}',
        b'r' => '\r',
        b'e' => '\u{1b}',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'x' | b'u' | b'U' => {
            let len = match b[k] {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = std::str::from_utf8(b.get(k + 1..k + 1 + len)?).ok()?;
            if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            o.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
            return Some(k + 1 + len);
        }
        b'\n' => {
            // An escaped line break: no space, empty lines still give `\n`s.
            let (s, empties) = continuation(b, k + 1, parent)?;
            o.extend(std::iter::repeat_n('\n', empties));
            return Some(s);
        }
        _ => return None,
    };
    o.push(simple);
    Some(k + 1)
}

/// A block scalar from its `|` or `>` at `i`.
pub fn block<'s>(b: &[u8], src: &'s str, i: usize, parent: isize) -> Option<Read<'s>> {
    let folded = b[i] == b'>';
    let mut j = i + 1;
    let strip = at(b, j) == b'-';
    if strip {
        j += 1;
    }
    // Keep chomping and indentation indicators are rare: granit reads them.
    if matches!(at(b, j), b'+' | b'0'..=b'9') {
        return None;
    }
    let header = j;
    while at(b, j) == b' ' {
        j += 1;
    }
    match at(b, j) {
        b'\n' => {}
        b'#' if j > header => {}
        _ => return None,
    }
    let mut k = after_line(b, j);
    if k >= b.len() {
        return None;
    }
    // Leading empty lines, then the first content line sets the indentation.
    let mut leading = 0;
    let mut widest = 0;
    let m = loop {
        let s = spaces(b, k);
        match at(b, s) {
            b'\n' => {
                leading += 1;
                widest = widest.max(s - k);
                k = s + 1;
            }
            0 => return None,
            _ => break s - k,
        }
    };
    if m as isize <= parent || widest > m {
        return None;
    }
    let start = k + m;
    let mut out = String::with_capacity(leading + 64);
    out.extend(std::iter::repeat_n('\n', leading));
    let mut line = k;
    let mut prev_spaced = false;
    let mut empties = 0;
    let mut first = true;
    let (end, next) = loop {
        let text = line + m;
        let text_end = line_end(b, text);
        let spaced = b[text] == b' ';
        if !first {
            if folded && !spaced && !prev_spaced {
                if empties == 0 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', empties));
                }
            } else {
                out.extend(std::iter::repeat_n('\n', empties + 1));
            }
        }
        out.push_str(&src[text..text_end]);
        first = false;
        prev_spaced = spaced;
        empties = 0;
        if text_end >= b.len() {
            break (text_end, b.len());
        }
        let mut k = text_end + 1;
        let stop = loop {
            let s = spaces(b, k);
            let n = s - k;
            match at(b, s) {
                b'\n' if n <= m => {
                    empties += 1;
                    k = s + 1;
                }
                0 if n <= m => break Some(b.len()),
                b'\n' | 0 => return None,
                _ if n >= m => break None,
                _ => break Some(k),
            }
        };
        match stop {
            None => line = k,
            Some(next) => break (text_end, next),
        }
    };
    if !strip {
        out.push('\n');
    }
    // granit ends the span at the next token: past the empty lines and the indentation.
    let mut end = end;
    if next > end {
        end = next;
        while at(b, end) == b' ' {
            end += 1;
        }
    }
    Some(Read {
        value: Cow::Owned(out),
        start,
        end,
        next,
    })
}
