//! Short documentation of the language's operators and keywords, for hover and completion.

use falcorc_compiler::syntax::condition::ast::Op;

pub fn operator(op: Op) -> &'static str {
    match op {
        Op::Exists => "`exists`: true when the field has a value for this event.",
        Op::Lt | Op::Le | Op::Gt | Op::Ge => "Numeric comparison (numbers, durations, timestamps).",
        Op::Eq | Op::EqEq => "Equality. Strings compare exactly; numbers, IPs and booleans by value.",
        Op::Ne => "Inequality: true when the field has a value that differs.",
        Op::Glob => "`glob`: shell-style wildcard match (`*`, `?`, `[...]`) of the whole value.",
        Op::IGlob => "`iglob`: like `glob`, ignoring case.",
        Op::Contains => "`contains`: the value contains the string.",
        Op::IContains => "`icontains`: the value contains the string, ignoring case.",
        Op::BContains => "`bcontains`: the byte buffer contains the bytes, written as hex (`bcontains 48454c4c4f`).",
        Op::StartsWith => "`startswith`: the value starts with the string.",
        Op::BStartsWith => "`bstartswith`: the byte buffer starts with the bytes, written as hex.",
        Op::EndsWith => "`endswith`: the value ends with the string.",
        Op::Regex => "`regex`: the whole value matches the RE2 regular expression (slower than the string operators).",
        Op::In => {
            "`in (a, b, ...)`: the value equals one of the list's values (for list fields: every value is in the list)."
        }
        Op::Intersects => "`intersects (a, b, ...)`: at least one of the field's values is in the list.",
        Op::PMatch => "`pmatch (a, b, ...)`: the path equals one of the list's paths or lies under one of them.",
    }
}

pub fn keyword(word: &str) -> Option<&'static str> {
    Some(match word {
        "and" => "`and`: both sides must be true (binds tighter than `or`).",
        "or" => "`or`: either side is true.",
        "not" => "`not`: negates the check or group that follows.",
        "oneof" => "`oneof`: the string operator holds for exactly one value of the list.",
        "anyof" => "`anyof`: the string operator holds for at least one value of the list.",
        "allof" => "`allof`: the string operator holds for every value of the list.",
        _ => return None,
    })
}

pub fn transformer(name: &str) -> Option<&'static str> {
    Some(match name {
        "val" => "`val(field)`: the value of another field, for field-to-field comparisons.",
        "tolower" => "`tolower(x)`: the string in lower case.",
        "toupper" => "`toupper(x)`: the string in upper case.",
        "b64" => "`b64(x)`: the base64 decoding of the string.",
        "basename" => "`basename(x)`: the last component of a path.",
        "len" => "`len(x)`: the length of a string, or the number of values of a list field.",
        "join" => "`join(sep, (a, b))`: the values joined with a separator.",
        "concat" => "`concat(a, b, ...)`: the strings concatenated.",
        "getopt" => "`getopt(args, \"opts\")[o]`: the value of command-line option `o`.",
        _ => return None,
    })
}

/// Documentation of an item key, for completion.
pub fn key(key: &str) -> &'static str {
    match key {
        "rule" => "The rule's unique name.",
        "macro" => "The macro's name, used in conditions as a bare identifier.",
        "list" => "The list's name, substituted into conditions.",
        "items" => "The list's values (may name earlier lists).",
        "condition" => "The filter condition.",
        "output" => "The alert text; `%field` inserts a field's value.",
        "desc" => "What the rule detects.",
        "priority" => "Severity: EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG.",
        "source" => "Event source (default `syscall`).",
        "enabled" => "Set to false to load the rule disabled.",
        "tags" => "Free-form tags, used to select rules.",
        "exceptions" => "Named exceptions: fields, comparison operators and value tuples that suppress alerts.",
        "capture" => "Ask Falco to capture events around an alert.",
        "capture_duration" => "Capture duration in milliseconds.",
        "warn_evttypes" => "Set to false to silence the warning for rules without an evt.type restriction.",
        "skip-if-unknown-filter" => "Skip the rule instead of failing when a field is unknown.",
        "append" => "Deprecated: append to an existing item (use `override`).",
        "override" => "Append to or replace keys of an existing item: `{condition: append}`.",
        _ => "",
    }
}
