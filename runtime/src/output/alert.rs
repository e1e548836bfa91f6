//! Alerts in Falco's text and JSON formats.

use super::time;
use falcorc_compiler::eval::Value;
use serde_json::{Map, Value as Json};
use std::sync::Arc;

/// One alert, ready to print.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub ts: u64,
    /// Shared with the rule's other alerts (`Arc`s: an alert used to copy its rule's
    /// name, source and tags, a handful of allocations each).
    pub rule: Arc<str>,
    /// Long priority name (`Warning`, `Informational`).
    pub priority: &'static str,
    pub source: Arc<str>,
    pub tags: Arc<[String]>,
    pub hostname: String,
    /// The formatted rule output (without the time/priority prefix).
    pub message: String,
    /// Each `%field` of the output, keyed as written, plus the prefix time.
    pub fields: Vec<(String, Json)>,
}

impl Alert {
    /// The text line: `<ISO time>: <Priority> <message>`.
    pub fn text(&self) -> String {
        // The time takes 35 bytes (`2023-11-14T22:13:20.000000000+0000`).
        let mut out = String::with_capacity(40 + self.priority.len() + self.message.len());
        time::push_iso8601_offset(&mut out, self.ts);
        out.push_str(": ");
        out.push_str(self.priority);
        out.push(' ');
        out.push_str(&self.message);
        out
    }

    /// Falco's JSON object (keys sorted, as Falco prints them).
    pub fn json(&self) -> Json {
        let mut fields = Map::new();
        for (k, v) in &self.fields {
            fields.insert(k.clone(), v.clone());
        }
        let mut o = Map::new();
        o.insert("hostname".into(), Json::String(self.hostname.clone()));
        o.insert("output".into(), Json::String(self.text()));
        o.insert("output_fields".into(), Json::Object(fields));
        o.insert("priority".into(), Json::String(self.priority.into()));
        o.insert("rule".into(), Json::String(self.rule.to_string()));
        o.insert("source".into(), Json::String(self.source.to_string()));
        o.insert(
            "tags".into(),
            Json::Array(self.tags.iter().cloned().map(Json::String).collect()),
        );
        o.insert("time".into(), Json::String(time::iso8601_z(self.ts)));
        Json::Object(o)
    }
}

/// A value as Falco prints it in text: `<NA>` when missing.
pub fn text_of(v: Option<&Value>) -> String {
    match v {
        None => "<NA>".into(),
        Some(v) => v.to_text(),
    }
}

/// A value of a list field (`fd.types`) or a transformer as Falco prints it in text:
/// a list in parentheses, `(file,ipv4)`; anything else as [`text_of`] does.
pub fn list_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::List(xs)) => {
            let mut out = String::from("(");
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&x.to_text());
            }
            out.push(')');
            out
        }
        v => text_of(v),
    }
}

/// A value as Falco puts it in `output_fields`: numbers as numbers, `null` when missing.
pub fn json_of(v: Option<&Value>) -> Json {
    match v {
        None => Json::Null,
        Some(Value::Int(n)) => {
            if let Ok(u) = u64::try_from(*n) {
                Json::from(u)
            } else if let Ok(i) = i64::try_from(*n) {
                Json::from(i)
            } else {
                Json::String(n.to_string())
            }
        }
        Some(Value::Double(d)) => serde_json::Number::from_f64(*d).map_or(Json::Null, Json::Number),
        Some(Value::Bool(b)) => Json::Bool(*b),
        Some(Value::List(xs)) => Json::Array(xs.iter().map(|x| json_of(Some(x))).collect()),
        Some(v) => Json::String(v.to_text()),
    }
}

/// Append a value as Falco prints it in text (`<NA>` when missing), with a `%Nfield`
/// width applied: what [`text_of`] and [`with_width`] give, without the copies.
pub fn push_text(out: &mut String, v: Option<&Value>, width: Option<usize>) {
    let start = out.len();
    match v {
        None => out.push_str("<NA>"),
        Some(Value::Str(s)) => out.push_str(s),
        Some(Value::Int(n)) => {
            use std::fmt::Write;
            let _ = write!(out, "{n}");
        }
        Some(v) => out.push_str(&v.to_text()),
    }
    if let Some(w) = width {
        let n = out[start..].chars().count();
        if n >= w {
            let cut = out[start..].char_indices().nth(w).map_or(out.len(), |(i, _)| start + i);
            out.truncate(cut);
        } else {
            out.extend(std::iter::repeat_n(' ', w - n));
        }
    }
}

/// Apply a `%Nfield` width: pad with spaces or cut to N characters.
pub fn with_width(s: String, width: Option<usize>) -> String {
    match width {
        None => s,
        Some(w) => {
            let n = s.chars().count();
            if n >= w {
                s.chars().take(w).collect()
            } else {
                format!("{s}{}", " ".repeat(w - n))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_text_equals_text_of_with_width() {
        let values = [
            None,
            Some(Value::Str(String::new())),
            Some(Value::Str("bash".into())),
            Some(Value::Str("h\u{e9}llo w\u{f6}rld".into())),
            Some(Value::Int(-42)),
            Some(Value::Int(u64::MAX.into())),
            Some(Value::Bool(true)),
            Some(Value::Double(2.5)),
            Some(Value::List(vec![Value::Str("a".into()), Value::Str("b".into())])),
        ];
        for v in &values {
            for width in [None, Some(0), Some(1), Some(3), Some(5), Some(20)] {
                let mut out = "prefix ".to_string();
                push_text(&mut out, v.as_ref(), width);
                assert_eq!(
                    out,
                    format!("prefix {}", with_width(text_of(v.as_ref()), width)),
                    "{v:?} {width:?}"
                );
            }
        }
    }
}
