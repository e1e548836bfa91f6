//! How a scalar is written on one line: plain when YAML reads the same string back, else
//! quoted (single quotes when they need no escapes, double quotes otherwise).
//!
//! The plain rules are YAML 1.2's (`ns-plain-first`, `ns-plain-char`), kept on the strict
//! side; Falco reads YAML with yaml-cpp, so a value that a YAML 1.1 reader would type (a
//! boolean, a number, a null) keeps its quotes when it had them.

/// Where the scalar goes: a mapping key, a block value (after `key: ` or `- `), or an element
/// of a flow sequence (where `,[]{}` end a plain scalar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    Key,
    Block,
    Flow,
}

/// The one-line text of `value`; `was_plain` tells whether the source wrote it plain.
pub(super) fn inline(value: &str, was_plain: bool, ctx: Context) -> String {
    if (was_plain || !looks_typed(value)) && plain_ok(value, ctx) {
        return value.to_string();
    }
    let double = double_quoted(value);
    if let Some(single) = single_quoted(value) {
        // `it's` reads better as "it's" than as 'it''s'.
        let prefer_double = value.contains('\'') && !double[1..double.len() - 1].contains('\\');
        if !prefer_double {
            return single;
        }
    }
    double
}

/// A value that a YAML 1.1 reader (yaml-cpp, Falco's) may read as something other than a
/// string when plain: booleans, nulls, numbers, the merge and value keys.
pub(super) fn looks_typed(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "" | "~"
            | "null"
            | "y"
            | "n"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "true"
            | "false"
            | "<<"
            | "="
            | ".inf"
            | "+.inf"
            | "-.inf"
            | ".nan"
    ) {
        return true;
    }
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), _) if c.is_ascii_digit() => true,
        (Some('+' | '-' | '.'), Some(d)) => d.is_ascii_digit() || d == '.',
        _ => false,
    }
}

/// Characters YAML prints as they are, minus tabs and the characters a YAML 1.1 reader takes
/// for line breaks (NEL, LS, PS).
fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
}

fn flow_indicator(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

/// Whether `value` reads back unchanged as a plain scalar in `ctx`.
pub(super) fn plain_ok(value: &str, ctx: Context) -> bool {
    let flow = ctx == Context::Flow;
    let Some(first) = value.chars().next() else {
        return false;
    };
    if !value.chars().all(printable) || value.starts_with(' ') || value.ends_with(' ') {
        return false;
    }
    if value.starts_with("---") || value.starts_with("...") || (ctx == Context::Key && value.len() > 1000) {
        return false;
    }
    let second = value[first.len_utf8()..].chars().next();
    let safe_next = second.is_some_and(|c| c != ' ' && !(flow && flow_indicator(c)));
    let first_ok = match first {
        '-' | '?' | ':' => safe_next,
        ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => false,
        _ => true,
    };
    if !first_ok || value.ends_with(':') || value.contains(": ") || value.contains(" #") {
        return false;
    }
    if flow && value.contains(flow_indicator) {
        return false;
    }
    true
}

/// `'value'`, if single quotes can hold it on one line.
pub(super) fn single_quoted(value: &str) -> Option<String> {
    if !value.chars().all(|c| printable(c) || c == '\t') {
        return None;
    }
    Some(format!("'{}'", value.replace('\'', "''")))
}

/// `"value"` with YAML escapes: always possible, on one line.
pub(super) fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_when_safe() {
        assert_eq!(inline("proc.name = bash", false, Context::Block), "proc.name = bash");
        assert_eq!(inline("=", true, Context::Flow), "=");
        assert_eq!(inline("-x", true, Context::Flow), "-x");
    }

    #[test]
    fn quoted_when_needed() {
        assert_eq!(inline("%proc.name", false, Context::Block), "'%proc.name'");
        assert_eq!(inline("a: b", false, Context::Block), "'a: b'");
        assert_eq!(inline("a #b", false, Context::Block), "'a #b'");
        assert_eq!(inline("a,b", false, Context::Flow), "'a,b'");
        assert_eq!(inline("a,b", false, Context::Block), "a,b");
        assert_eq!(inline("!=", false, Context::Flow), "'!='");
        assert_eq!(inline("", false, Context::Block), "''");
        assert_eq!(inline("it's", false, Context::Block), "it's");
        assert_eq!(inline("it's: x", false, Context::Block), "\"it's: x\"");
        assert_eq!(inline("a\nb", false, Context::Block), "\"a\\nb\"");
        assert_eq!(inline(" lead", false, Context::Block), "' lead'");
    }

    #[test]
    fn typed_words_keep_their_quotes() {
        for v in ["true", "no", "Yes", "~", "null", "12", "-1", ".5", "0x1f", ".inf"] {
            assert!(looks_typed(v), "{v}");
            assert!(inline(v, false, Context::Block).starts_with('\''), "{v}");
        }
        assert_eq!(inline("true", true, Context::Block), "true");
        assert!(!looks_typed("proc.name"));
    }
}
