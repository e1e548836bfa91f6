//! Transformers applied to values: `tolower`, `toupper`, `b64`, `basename`, `len`,
//! `join`, `concat`, `getopt`.

use super::interp::Value;
use crate::syntax::condition::ast::TransformerKind;

pub fn apply(kind: TransformerKind, args: Vec<Option<Value>>, key: Option<&str>) -> Option<Value> {
    use TransformerKind::*;
    let mut args = args.into_iter();
    match kind {
        Val => args.next()?,
        ToLower => each(args.next()??, &|v| map_text(v, |b| b.to_ascii_lowercase())),
        ToUpper => each(args.next()??, &|v| map_text(v, |b| b.to_ascii_uppercase())),
        B64 => each(args.next()??, &|v| match v {
            Value::Str(s) => base64_decode(s.as_bytes()).map(|b| Value::Str(String::from_utf8_lossy(&b).into_owned())),
            Value::Bytes(b) => base64_decode(&b).map(Value::Bytes),
            _ => None,
        }),
        Basename => each(args.next()??, &|v| match v {
            Value::Str(s) => Some(Value::Str(s.rsplit('/').next().unwrap_or("").to_string())),
            _ => None,
        }),
        Len => Some(Value::Int(match args.next()?? {
            // Bytes, as libsinsp counts them: an escaped raw byte is one.
            Value::Str(s) => crate::raw_text::to_bytes(&s).len() as i128,
            Value::Bytes(b) => b.len() as i128,
            Value::List(xs) => xs.len() as i128,
            _ => return None,
        })),
        Join => {
            let sep = args.next()??.to_text();
            let Value::List(items) = args.next()?? else { return None };
            Some(Value::Str(
                items.iter().map(Value::to_text).collect::<Vec<_>>().join(&sep),
            ))
        }
        Concat => {
            let mut out = String::new();
            for a in args {
                out.push_str(&a?.to_text());
            }
            Some(Value::Str(out))
        }
        Getopt => {
            // The loader takes only a list here (libsinsp's `getopt() first argument must
            // be a list`).
            let Value::List(argv) = args.next()?? else { return None };
            let optstring = args.next()??.to_text();
            let argv: Vec<String> = argv.iter().map(Value::to_text).collect();
            let parsed = getopt(&argv, &optstring);
            match key {
                None => Some(Value::List(
                    parsed
                        .into_iter()
                        .flat_map(|(o, a)| std::iter::once(o).chain(a))
                        .map(Value::Str)
                        .collect(),
                )),
                Some(k) => {
                    let mut found = None;
                    for (o, a) in parsed {
                        if o == k {
                            found = Some(a.unwrap_or(o));
                        } else if (o == "?" || o == ":") && a.as_deref() == Some(k) {
                            // A missing argument for `k`: the error code stands in for it.
                            found = Some(if o == ":" { ":".into() } else { String::new() });
                        }
                    }
                    found.map(Value::Str)
                }
            }
        }
    }
}

/// A one-value transformer applied to a value, or to each element of a list (libsinsp
/// transforms every extracted value); one element it cannot transform leaves no value.
fn each(v: Value, f: &dyn Fn(Value) -> Option<Value>) -> Option<Value> {
    match v {
        Value::List(xs) => xs.into_iter().map(f).collect::<Option<Vec<_>>>().map(Value::List),
        v => f(v),
    }
}

fn map_text(v: Value, f: impl Fn(&u8) -> u8) -> Option<Value> {
    match v {
        Value::Str(s) => Some(Value::Str(
            String::from_utf8_lossy(&s.as_bytes().iter().map(f).collect::<Vec<_>>()).into_owned(),
        )),
        Value::Bytes(b) => Some(Value::Bytes(b.iter().map(f).collect())),
        _ => None,
    }
}

/// Standard base64 with optional padding; None if the input is not base64.
fn base64_decode(input: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let data: Vec<u8> = input.iter().copied().filter(|c| *c != b'=').collect();
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    for chunk in data.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        let n = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&bytes[1..1 + n]);
    }
    Some(out)
}

/// GNU-style getopt over `argv` (no program name): options may appear after operands,
/// `--` ends option parsing. Returns (option, argument) pairs; an unknown option is
/// `?`, a missing argument is `?` (or `:` when `optstring` starts with `:`) with the
/// option letter as its argument.
pub fn getopt(argv: &[String], optstring: &str) -> Vec<(String, Option<String>)> {
    let colon_mode = optstring.starts_with(':');
    let spec = optstring.trim_start_matches(':');
    let takes_arg = |c: char| spec.find(c).map(|i| spec[i + c.len_utf8()..].starts_with(':'));
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        i += 1;
        if a == "--" {
            break;
        }
        if !a.starts_with('-') || a.len() < 2 || a.starts_with("--") {
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            k += 1;
            match takes_arg(c) {
                None => out.push(("?".to_string(), None)),
                Some(false) => out.push((c.to_string(), None)),
                Some(true) => {
                    let rest: String = chars[k..].iter().collect();
                    if !rest.is_empty() {
                        out.push((c.to_string(), Some(rest)));
                    } else if i < argv.len() {
                        out.push((c.to_string(), Some(argv[i].clone())));
                        i += 1;
                    } else {
                        out.push((if colon_mode { ":" } else { "?" }.to_string(), Some(c.to_string())));
                    }
                    break;
                }
            }
        }
    }
    out
}
