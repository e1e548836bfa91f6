//! Reading item keys with yaml-cpp's decoding rules and Falco's error messages.

use super::text::Str;
use crate::diag::{Code, Diagnostic};
use crate::span::{FileId, FileSpan, Span};
use crate::syntax::yaml::{Node, NodeKind};
use std::sync::Arc;

/// The mapping of one top-level item, with helpers that produce Falco's messages.
pub struct Item<'a> {
    pub node: &'a Node,
    pub file: FileId,
    pub kind: &'static str,
    pub name: String,
}

pub type DResult<T> = Result<T, Box<Diagnostic>>;

impl<'a> Item<'a> {
    pub fn fspan(&self, span: Span) -> FileSpan {
        FileSpan { file: self.file, span }
    }

    /// Span used for problems of the item as a whole: its first key.
    pub fn head_span(&self) -> FileSpan {
        let span = self
            .node
            .as_map()
            .and_then(|m| m.first())
            .map_or(self.node.span, |e| e.key.span.cover(e.value.span));
        self.fspan(span)
    }

    pub fn err(&self, code: Code, span: FileSpan, msg: impl Into<String>) -> Box<Diagnostic> {
        Box::new(Diagnostic::new(code, span, msg).in_item(self.kind, &self.name))
    }

    pub fn validate_err(&self, span: FileSpan, msg: impl Into<String>) -> Box<Diagnostic> {
        self.err(Code::LoadErrYamlValidate, span, msg)
    }

    /// The first entry for `key`: (key node, value node).
    pub fn entry(&self, key: &str) -> Option<(&'a Node, &'a Node)> {
        self.node.get(key).map(|e| (&e.key, &e.value))
    }

    pub fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    pub fn key_span(&self, key: &str) -> FileSpan {
        self.entry(key)
            .map_or_else(|| self.head_span(), |(k, _)| self.fspan(k.span))
    }

    /// A string key. `required`: missing is an error. Empty strings are rejected
    /// unless `allow_empty`.
    pub fn string(&self, key: &str, required: bool, allow_empty: bool) -> DResult<Option<Str>> {
        let Some((k, v)) = self.entry(key) else {
            if required {
                return Err(self.validate_err(self.head_span(), format!("Item has no mapping for key '{key}'")));
            }
            return Ok(None);
        };
        let s = scalar_of(v, self.file).ok_or_else(|| {
            if v.is_null() {
                self.validate_err(self.fspan(k.span), format!("Mapping for key '{key}' is empty"))
            } else {
                self.validate_err(self.fspan(v.span), "Value is not a scalar value")
            }
        })?;
        if s.value.is_empty() && !allow_empty {
            return Err(self.validate_err(self.fspan(v.span), "Value must be non-empty"));
        }
        Ok(Some(s))
    }

    pub fn bool(&self, key: &str) -> DResult<Option<(bool, FileSpan)>> {
        let Some(s) = self.string(key, false, true)? else {
            return Ok(None);
        };
        match decode_bool(&s.value) {
            Some(b) => Ok(Some((b, s.file_span()))),
            None => Err(self.validate_err(s.file_span(), "Can't decode YAML scalar value")),
        }
    }

    pub fn int(&self, key: &str) -> DResult<Option<(i64, FileSpan)>> {
        let Some(s) = self.string(key, false, true)? else {
            return Ok(None);
        };
        match decode_int(&s.value) {
            Some(n) => Ok(Some((n, s.file_span()))),
            None => Err(self.validate_err(s.file_span(), "Can't decode YAML scalar value")),
        }
    }
}

/// A scalar node as a [`Str`]; `None` for null and collections.
pub fn scalar_of(node: &Node, file: FileId) -> Option<Str> {
    match &node.kind {
        NodeKind::Scalar(s) => Some(Str {
            value: s.value.clone(),
            file,
            span: node.span,
            scalar: Some(Arc::clone(s)),
        }),
        _ => None,
    }
}

/// yaml-cpp's `convert<bool>`: true/false, yes/no, y/n, on/off in lower, UPPER or
/// Title case.
pub fn decode_bool(s: &str) -> Option<bool> {
    const PAIRS: [(&str, bool); 8] = [
        ("true", true),
        ("false", false),
        ("yes", true),
        ("no", false),
        ("y", true),
        ("n", false),
        ("on", true),
        ("off", false),
    ];
    PAIRS.iter().find_map(|(word, b)| {
        let title = {
            let mut c = word.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        };
        (s == *word || s == word.to_ascii_uppercase() || s == title).then_some(*b)
    })
}

/// yaml-cpp integer decoding: decimal with optional sign, `0x` hex, `0o` octal.
pub fn decode_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = if let Some(h) = digits.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = digits.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else {
        digits.parse::<i64>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// The edit distance of `a` and `b` if it is at most `limit`. Two rows, reused, and an early
/// stop once a whole row is over the limit: suggestions run over hundreds of candidates.
fn within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        let mut best = cur[0];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
            best = best.min(cur[j + 1]);
        }
        if best > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= limit)
}

/// The closest candidate within a distance that scales with the word's length.
pub fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (word.len() / 3).clamp(1, 3);
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip the DP when that is over.
        .filter(|c| c.len().abs_diff(word.len()) <= limit)
        .filter_map(|c| Some((within(word, c, limit)?, c)))
        // At equal distance, a completion of what was typed (`fd.nam` -> `fd.name`, not
        // `fd.num`) is the likelier intent.
        .min_by_key(|(d, c)| (*d, !c.starts_with(word)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook recurrence over the whole table.
    fn reference(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut t = vec![vec![0; b.len() + 1]; a.len() + 1];
        for (i, row) in t.iter_mut().enumerate() {
            row[0] = i;
        }
        t[0] = (0..=b.len()).collect();
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                t[i][j] = (t[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]))
                    .min(t[i - 1][j] + 1)
                    .min(t[i][j - 1] + 1);
            }
        }
        t[a.len()][b.len()]
    }

    proptest! {
        #[test]
        fn bounded_distance_is_the_distance_when_within(a in "[a-cé_]{0,9}", b in "[a-cé_]{0,9}", limit in 0usize..5) {
            let d = reference(&a, &b);
            prop_assert_eq!(edit_distance(&a, &b), d);
            prop_assert_eq!(within(&a, &b, limit), Some(d).filter(|d| *d <= limit));
        }
    }

    #[test]
    fn suggestions_prefer_the_closest_then_a_completion() {
        assert_eq!(suggest("fd.nam", ["fd.num", "fd.name"]), Some("fd.name"));
        assert_eq!(
            suggest("shell_binaires", ["shell_binaries", "shell_mgmt_binaries"]),
            Some("shell_binaries")
        );
        assert_eq!(suggest("xyz", ["proc.name"]), None);
    }
}
