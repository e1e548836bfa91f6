//! Rule items: full definitions, redefinition in place, the enable-only form, legacy
//! `append: true` and `override` (appends first, then replaces), as Falco's collector
//! applies them.

use super::collect::{Ctx, RULE_APPENDABLE, RULE_REPLACEABLE, unreachable_str};
use super::decode::{DResult, Item};
use super::exceptions;
use super::items::*;
use super::text::{SrcText, Str};
use crate::diag::Code;
use crate::span::FileSpan;
use crate::syntax::yaml::NodeKind;
use std::collections::BTreeSet;

impl Ctx<'_> {
    pub(super) fn rule(&mut self, item: &Item) -> DResult<()> {
        let name = item
            .string("rule", true, false)?
            .unwrap_or_else(|| unreachable_str(item));
        let legacy_append = self.legacy_append(item, "condition")?;
        let ov = self.override_map(item, RULE_APPENDABLE, RULE_REPLACEABLE)?;
        let existing = self.col.rule_idx.get(&name.value).copied();
        if let Some(ov) = ov {
            return self.rule_override(item, &name, existing, &ov);
        }
        if legacy_append {
            return self.rule_legacy_append(item, &name, existing);
        }
        let full = ["condition", "output", "desc", "priority"].iter().any(|k| item.has(k));
        if !full {
            // Enable-only item.
            let enabled = item.bool("enabled")?;
            let Some((enabled, _)) = enabled else {
                return Err(item.validate_err(item.head_span(), "Item has no mapping for key 'condition'"));
            };
            self.push(item.err(
                Code::LoadDeprecatedItem,
                item.key_span("enabled"),
                "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').",
            ));
            let Some(i) = existing else {
                let d = item.err(
                    Code::LoadErrValidate,
                    name.file_span(),
                    "Rule has 'enabled' key but no rule by that name already exists",
                );
                return Err(self.with_closest(d, "rule", &name.value));
            };
            self.col.rules[i].enabled = enabled;
            return Ok(());
        }
        self.rule_define(item, name, existing)
    }

    fn rule_define(&mut self, item: &Item, name: Str, existing: Option<usize>) -> DResult<()> {
        let cond = item
            .string("condition", true, false)?
            .unwrap_or_else(|| unreachable_str(item));
        let output = item
            .string("output", true, false)?
            .unwrap_or_else(|| unreachable_str(item));
        let desc = item
            .string("desc", true, false)?
            .unwrap_or_else(|| unreachable_str(item));
        // Problems in the remaining keys are reported, and the rule is still defined
        // with a default so its condition and output get checked too.
        let priority = item
            .string("priority", true, false)
            .and_then(|p| self.priority(item, &p.unwrap_or_else(|| unreachable_str(item))));
        let priority = self.or_default(priority, Priority::Debug);
        let source = item.string("source", false, true);
        let source = self.or_default(source, None);
        let source_span = source
            .as_ref()
            .map_or_else(|| item.fspan(item.node.span), |s| s.file_span());
        let source = source.map(|s| s.value);
        let enabled = item.bool("enabled").map(|b| b.is_none_or(|b| b.0));
        let enabled = self.or_default(enabled, true);
        let tags = self.tags(item);
        let tags = self.or_default(tags, BTreeSet::new());
        let exceptions = exceptions::decode_all(self, item, true);
        let exceptions = self.or_default(exceptions, Vec::new());
        let capture = self.bool_schema(item, "capture").map(|b| b.unwrap_or(false));
        let capture = self.or_default(capture, false);
        let capture_duration = item.int("capture_duration").map(|v| v.map_or(0, |v| v.0));
        let capture_duration = self.or_default(capture_duration, 0);
        let warn_evttypes = self.bool_schema(item, "warn_evttypes").map(|b| b.unwrap_or(true));
        let warn_evttypes = self.or_default(warn_evttypes, true);
        let skip = self
            .bool_schema(item, "skip-if-unknown-filter")
            .map(|b| b.unwrap_or(false));
        let skip = self.or_default(skip, false);
        let id = self.col.id();
        let cond_span = cond.file_span();
        let output_span = output.file_span();
        let mut rule = RuleDef {
            cond: SrcText::of_str(&cond),
            cond_span,
            output: trimmed(&output),
            output_span,
            source_span,
            desc: desc.value,
            priority,
            source: source.clone().unwrap_or_else(|| "syscall".into()),
            enabled,
            tags,
            exceptions,
            capture,
            capture_duration,
            warn_evttypes,
            skip_if_unknown_filter: skip,
            index: id,
            visibility: id,
            def: item.fspan(item.node.span),
            name,
        };
        if let Some(i) = existing {
            let old = &self.col.rules[i];
            if let Some(new_src) = &source
                && !new_src.is_empty()
                && !old.source.is_empty()
                && *new_src != old.source
            {
                return Err(item.err(
                    Code::LoadErrValidate,
                    item.key_span("source"),
                    "Rule has been re-defined with a different source",
                ));
            }
            rule.index = old.index;
            self.col.rules[i] = rule;
        } else {
            self.col.rule_idx.insert(rule.name.value.clone(), self.col.rules.len());
            self.col.rules.push(rule);
        }
        Ok(())
    }

    fn rule_legacy_append(&mut self, item: &Item, name: &Str, existing: Option<usize>) -> DResult<()> {
        let cond = item.string("condition", false, true)?;
        let has_exc = item.entry("exceptions").is_some_and(|(_, v)| !v.is_null());
        if cond.is_none() && !has_exc {
            return Err(item.err(
                Code::LoadErrValidate,
                name.file_span(),
                "Appended rule must have exceptions or condition property",
            ));
        }
        let Some(i) = existing else {
            let d = item.err(
                Code::LoadErrValidate,
                name.file_span(),
                "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists",
            );
            return Err(self.with_closest(d, "rule", &name.value));
        };
        let exc = exceptions::decode_all(self, item, false)?;
        let id = self.col.id();
        let mut rule = self.col.rules[i].clone();
        if let Some(c) = cond {
            append_text(&mut rule.cond, &c);
        }
        exceptions::append(self, item, &mut rule, exc)?;
        rule.visibility = id;
        self.col.rules[i] = rule;
        Ok(())
    }

    fn rule_override(
        &mut self,
        item: &Item,
        name: &Str,
        existing: Option<usize>,
        ov: &[(String, bool, FileSpan)],
    ) -> DResult<()> {
        let Some(i) = existing else {
            // Falco's texts, `<key>` included; the key is falcorc's help.
            let (msg, k, how) = match ov.iter().find(|(_, a, _)| *a) {
                Some((k, _, _)) => (
                    "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists",
                    k.as_str(),
                    "append",
                ),
                None => (
                    "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists",
                    ov.first().map_or("", |(k, _, _)| k.as_str()),
                    "replace",
                ),
            };
            let d = item.err(Code::LoadErrValidate, name.file_span(), msg).help(format!(
                "'override.{k}: {how}' needs a rule named '{}' loaded before this item",
                name.value
            ));
            return Err(self.with_closest(Box::new(d), "rule", &name.value));
        };
        let mut rule = self.col.rules[i].clone();
        // Appends first, then replaces, as Falco does.
        for (key, _, _) in ov.iter().filter(|(_, a, _)| *a) {
            match key.as_str() {
                "condition" | "output" | "desc" => {
                    let s = item.string(key, true, true)?.unwrap_or_else(|| unreachable_str(item));
                    if s.value.is_empty() {
                        continue;
                    }
                    match key.as_str() {
                        "condition" => append_text(&mut rule.cond, &s),
                        "output" => {
                            let t = trimmed(&s);
                            rule.output.push_synthetic(" ", s.file_span());
                            rule.output.push_text(&t, 0..t.text.len());
                        }
                        _ => {
                            rule.desc.push(' ');
                            rule.desc.push_str(&s.value);
                        }
                    }
                }
                "tags" => rule.tags.extend(self.tags(item)?),
                _ => {
                    let exc = exceptions::decode_all(self, item, false)?;
                    exceptions::append(self, item, &mut rule, exc)?;
                }
            }
        }
        for (key, _, _) in ov.iter().filter(|(_, a, _)| !*a) {
            match key.as_str() {
                "condition" => {
                    let s = item.string(key, true, false)?.unwrap_or_else(|| unreachable_str(item));
                    rule.cond = SrcText::of_str(&s);
                    rule.cond_span = s.file_span();
                }
                "output" => {
                    let s = item.string(key, true, false)?.unwrap_or_else(|| unreachable_str(item));
                    rule.output = trimmed(&s);
                    rule.output_span = s.file_span();
                }
                "desc" => rule.desc = item.string(key, true, false)?.map(|s| s.value).unwrap_or_default(),
                "priority" => {
                    let s = item.string(key, true, false)?.unwrap_or_else(|| unreachable_str(item));
                    rule.priority = self.priority(item, &s)?;
                }
                "tags" => rule.tags = self.tags(item)?,
                "exceptions" => {
                    let exc = exceptions::decode_all(self, item, true)?;
                    rule.exceptions = exc;
                }
                "enabled" => rule.enabled = item.bool(key)?.is_none_or(|b| b.0),
                "capture" => rule.capture = self.bool_schema(item, key)?.unwrap_or(false),
                "capture_duration" => rule.capture_duration = item.int(key)?.map_or(0, |v| v.0),
                "warn_evttypes" => rule.warn_evttypes = self.bool_schema(item, key)?.unwrap_or(true),
                _ => rule.skip_if_unknown_filter = self.bool_schema(item, key)?.unwrap_or(false),
            }
        }
        rule.visibility = self.col.id();
        self.col.rules[i] = rule;
        Ok(())
    }

    /// Report the error of `r` and go on with `default`.
    fn or_default<T>(&mut self, r: DResult<T>, default: T) -> T {
        r.unwrap_or_else(|d| {
            self.push(d);
            default
        })
    }

    /// A boolean that the JSON schema wants as a YAML boolean, not a string.
    fn bool_schema(&mut self, item: &Item, key: &str) -> DResult<Option<bool>> {
        let b = item.bool(key)?;
        if let Some((_, span)) = b
            && let Some((_, v)) = item.entry(key)
            && !super::collect::schema_bool(v)
        {
            self.push(item.err(
                Code::SchemaMismatch,
                span,
                format!("'{key}' should be a YAML boolean (true or false)"),
            ));
        }
        Ok(b.map(|b| b.0))
    }

    fn priority(&mut self, item: &Item, s: &Str) -> DResult<Priority> {
        let Some(p) = Priority::parse(&s.value) else {
            let names = Priority::ALL
                .iter()
                .map(|p| p.name().to_ascii_uppercase())
                .collect::<Vec<_>>()
                .join(", ");
            // `WARN`, `ERR`, `CRIT`, `EMERG`: a prefix of one name; else the closest spelling.
            let upper = s.value.trim().to_ascii_uppercase();
            let guess = Priority::ALL
                .iter()
                .map(|p| p.name().to_ascii_uppercase())
                .find(|n| upper.len() >= 3 && n.starts_with(&upper))
                .or_else(|| {
                    let all: Vec<String> = Priority::ALL.iter().map(|p| p.name().to_ascii_uppercase()).collect();
                    super::decode::suggest(&upper, all.iter().map(String::as_str)).map(str::to_string)
                });
            let d = item.validate_err(s.file_span(), "Invalid priority");
            let d = match guess {
                Some(g) => d.did_you_mean(&g),
                None => d.help(format!("use one of {names} (or INFO)")),
            };
            return Err(Box::new(d));
        };
        let upper = s.value.to_ascii_uppercase();
        if s.value != upper {
            self.push(item.err(
                Code::SchemaMismatch,
                s.file_span(),
                format!("Priority '{}' should be written '{upper}'", s.value),
            ));
        }
        Ok(p)
    }

    fn tags(&mut self, item: &Item) -> DResult<BTreeSet<String>> {
        let Some((_, v)) = item.entry("tags") else {
            return Ok(BTreeSet::new());
        };
        match &v.kind {
            NodeKind::Null => Ok(BTreeSet::new()),
            NodeKind::Seq(xs) => xs
                .iter()
                .map(|x| {
                    x.as_scalar()
                        .map(|s| s.value.clone())
                        .ok_or_else(|| item.validate_err(item.fspan(x.span), "sequence value is not scalar"))
                })
                .collect(),
            _ => Err(item.validate_err(item.fspan(v.span), "Value is not a sequence")),
        }
    }
}

/// `prev + " " + new` (Falco's append), skipping empty appends.
fn append_text(prev: &mut SrcText, new: &Str) {
    if new.value.is_empty() {
        return;
    }
    prev.push_synthetic(" ", new.file_span());
    prev.push_str(new, 0..new.value.len());
}

/// The output, trimmed of surrounding whitespace as Falco reads it.
fn trimmed(s: &Str) -> SrcText {
    let start = s.value.len() - s.value.trim_start().len();
    let end = s.value.trim_end().len().max(start);
    let mut t = SrcText::default();
    t.push_str(s, start..end);
    t
}
