//! Collect items from YAML documents in file order: classify each item, validate its
//! keys, and apply definitions, appends and overrides (Falco's `rule_loader::reader`
//! and `collector`). Problems are reported and the item is skipped; loading goes on.

use super::decode::{DResult, Item, scalar_of, suggest};
use super::items::*;
use super::text::{SrcText, Str};
use super::version::{self, Version};
use crate::diag::{Code, Diagnostic};
use crate::hash::FastMap as HashMap;
use crate::span::{FileId, FileSpan};
use crate::syntax::yaml::{Document, Node, NodeKind};
use std::collections::BTreeSet;

#[derive(Default)]
pub struct Collected {
    pub lists: Vec<ListDef>,
    pub macros: Vec<MacroDef>,
    pub rules: Vec<RuleDef>,
    list_idx: HashMap<String, usize>,
    macro_idx: HashMap<String, usize>,
    pub(super) rule_idx: HashMap<String, usize>,
    pub required_engine: Option<(Version, FileSpan)>,
    pub plugin_reqs: Vec<PluginRequirement>,
    pub schema_ok: bool,
    next_id: u32,
}

impl Collected {
    pub fn new() -> Collected {
        Collected {
            schema_ok: true,
            ..Default::default()
        }
    }

    pub fn list(&self, name: &str) -> Option<&ListDef> {
        self.list_idx.get(name).map(|&i| &self.lists[i])
    }

    pub fn macro_index(&self, name: &str) -> Option<usize> {
        self.macro_idx.get(name).copied()
    }

    /// The defined rule, macro or list name closest in spelling to `name`, for an append
    /// or override of something that does not exist.
    pub(super) fn closest(&self, kind: &str, name: &str) -> Option<String> {
        let names: Vec<&str> = match kind {
            "rule" => self.rules.iter().map(|r| r.name.value.as_str()).collect(),
            "macro" => self.macros.iter().map(|m| m.name.value.as_str()).collect(),
            _ => self.lists.iter().map(|l| l.name.value.as_str()).collect(),
        };
        super::decode::suggest(name, names).map(str::to_string)
    }

    pub(super) fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }
}

pub struct Ctx<'a> {
    pub col: &'a mut Collected,
    pub diags: &'a mut Vec<Diagnostic>,
    pub engine: Version,
}

pub const LIST_KEYS: &[&str] = &["list", "items", "append", "override"];
pub const MACRO_KEYS: &[&str] = &["macro", "condition", "append", "override"];
pub const RULE_KEYS: &[&str] = &[
    "rule",
    "condition",
    "output",
    "desc",
    "priority",
    "source",
    "enabled",
    "tags",
    "exceptions",
    "capture",
    "capture_duration",
    "warn_evttypes",
    "skip-if-unknown-filter",
    "append",
    "override",
];
/// Falco validates every item against one JSON-schema object whose properties are the keys
/// of all item kinds together: a key of another kind (`priority` on a list) is ignored with a
/// warning by the loader but passes the schema, as long as its value has the schema's type.
const SCHEMA_KEYS: &[&str] = &[
    "required_engine_version",
    "required_plugin_versions",
    "macro",
    "condition",
    "list",
    "items",
    "rule",
    "desc",
    "enabled",
    "output",
    "append",
    "priority",
    "capture",
    "capture_duration",
    "capture_events",
    "capture_filesize",
    "source",
    "exceptions",
    "override",
    "tags",
    "warn_evttypes",
    "skip-if-unknown-filter",
];

/// Whether a value is a boolean to Falco's JSON schema: a plain (unquoted) `true`/`false`.
pub(super) fn schema_bool(v: &crate::syntax::yaml::Node) -> bool {
    v.as_scalar().is_some_and(|s| {
        s.style == crate::syntax::yaml::Style::Plain
            && matches!(s.value.as_str(), "true" | "false" | "True" | "False" | "TRUE" | "FALSE")
    })
}

/// Whether `v`, the value of `key` (one of [`SCHEMA_KEYS`]), has the type Falco's schema gives
/// the key.
fn schema_accepts(key: &str, v: &crate::syntax::yaml::Node) -> bool {
    use crate::syntax::yaml::Style;
    let plain = |ok: &dyn Fn(&str) -> bool| v.as_scalar().is_some_and(|s| s.style == Style::Plain && ok(&s.value));
    match key {
        "priority" => v.as_scalar().is_some_and(|s| {
            matches!(
                s.value.as_str(),
                "EMERGENCY"
                    | "ALERT"
                    | "CRITICAL"
                    | "ERROR"
                    | "WARNING"
                    | "NOTICE"
                    | "INFO"
                    | "INFORMATIONAL"
                    | "DEBUG"
            )
        }),
        "enabled" | "append" | "capture" | "warn_evttypes" | "skip-if-unknown-filter" => schema_bool(v),
        "capture_duration" | "capture_events" | "capture_filesize" => plain(&|t| t.parse::<i64>().is_ok()),
        "items" | "exceptions" | "tags" | "required_plugin_versions" => v.as_seq().is_some(),
        "override" => v.as_map().is_some(),
        _ => v.as_scalar().is_some(),
    }
}

pub(super) const RULE_APPENDABLE: &[&str] = &["condition", "output", "desc", "tags", "exceptions"];
pub(super) const RULE_REPLACEABLE: &[&str] = &[
    "condition",
    "output",
    "desc",
    "priority",
    "capture",
    "capture_duration",
    "tags",
    "exceptions",
    "enabled",
    "warn_evttypes",
    "skip-if-unknown-filter",
];

impl Ctx<'_> {
    /// `d` with a "did you mean" naming the closest existing item of `kind`.
    pub(super) fn with_closest(&self, mut d: Box<Diagnostic>, kind: &str, name: &str) -> Box<Diagnostic> {
        if let Some(s) = self.col.closest(kind, name) {
            *d = d.did_you_mean(&s);
        }
        d
    }

    // Errors arrive boxed from `DResult`; unboxing at every call site buys nothing.
    #[allow(clippy::boxed_local)]
    pub(crate) fn push(&mut self, d: Box<Diagnostic>) {
        if d.code == Code::SchemaMismatch {
            self.col.schema_ok = false;
        }
        self.diags.push(*d);
    }

    pub fn collect_docs(&mut self, file: FileId, docs: &[Document]) {
        for doc in docs {
            let Some(root) = &doc.root else { continue };
            let Some(items) = root.as_seq() else {
                self.push(Box::new(Diagnostic::new(
                    Code::LoadErrYamlValidate,
                    FileSpan { file, span: root.span },
                    "Rules content is not yaml array of objects",
                )));
                continue;
            };
            for node in items {
                if node.is_null() {
                    continue;
                }
                if node.as_map().is_none() {
                    self.push(Box::new(Diagnostic::new(
                        Code::LoadErrYamlValidate,
                        FileSpan { file, span: node.span },
                        "Unexpected element type. Each element should be a yaml associative array.",
                    )));
                    continue;
                }
                self.collect_item(file, node);
            }
        }
    }

    fn collect_item(&mut self, file: FileId, node: &Node) {
        const KINDS: [&str; 5] = [
            "required_engine_version",
            "required_plugin_versions",
            "list",
            "macro",
            "rule",
        ];
        let kind = KINDS.into_iter().find(|k| node.get(k).is_some());
        let Some(kind) = kind else {
            let first_key = node.as_map().and_then(|m| m.first()).map(|e| &e.key);
            let fs = FileSpan {
                file,
                span: first_key.map_or(node.span, |k| k.span),
            };
            let first = first_key.and_then(|k| k.as_scalar()).map(|s| s.value.clone());
            let mut d = Diagnostic::new(Code::LoadUnknownItem, fs, "Unknown top level item");
            if let Some(k) = first.as_deref().and_then(|k| suggest(k, KINDS)) {
                d = d.did_you_mean(k);
            }
            self.push(Box::new(d));
            return;
        };
        // Version requirements have no name; their value is not one.
        let name = match kind {
            "list" | "macro" | "rule" => node
                .get(kind)
                .and_then(|e| e.value.as_scalar())
                .map(|s| s.value.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let item_kind = match kind {
            "required_engine_version" => "required_engine_version",
            "required_plugin_versions" => "required_plugin_versions",
            "list" => "list",
            "macro" => "macro",
            _ => "rule",
        };
        let item = Item {
            node,
            file,
            kind: item_kind,
            name,
        };
        self.check_keys(&item);
        let r = match kind {
            "required_engine_version" => self.engine_version(&item),
            "required_plugin_versions" => self.plugin_versions(&item),
            "list" => self.list(&item),
            "macro" => self.macro_(&item),
            _ => self.rule(&item),
        };
        if let Err(d) = r {
            self.push(d);
        }
    }

    /// Unknown keys (warning) and duplicated keys (falcorc warning).
    fn check_keys(&mut self, item: &Item) {
        let allowed: &[&str] = match item.kind {
            "list" => LIST_KEYS,
            "macro" => MACRO_KEYS,
            "rule" => RULE_KEYS,
            "required_engine_version" => &["required_engine_version"],
            _ => &["required_plugin_versions"],
        };
        let mut seen: HashMap<&str, FileSpan> = HashMap::default();
        for e in item.node.as_map().unwrap_or_default() {
            let Some(k) = e.key.as_scalar() else { continue };
            let ks = item.fspan(e.key.span);
            if let Some(first) = seen.get(k.value.as_str()) {
                let d = item
                    .err(
                        Code::DuplicateKey,
                        ks,
                        format!("Duplicate key '{}': only the first occurrence is used", k.value),
                    )
                    .label(*first, "first defined here");
                self.push(Box::new(d));
                continue;
            }
            seen.insert(&k.value, ks);
            if !allowed.contains(&k.value.as_str()) {
                let mut d = item.err(
                    Code::LoadUnknownKey,
                    ks,
                    format!("Unknown key '{}'. The key will be ignored.", k.value),
                );
                if let Some(s) = suggest(&k.value, allowed.iter().copied()) {
                    *d = d.did_you_mean(s);
                }
                if !SCHEMA_KEYS.contains(&k.value.as_str()) || !schema_accepts(&k.value, &e.value) {
                    self.col.schema_ok = false;
                }
                self.diags.push(*d);
            }
        }
    }

    fn engine_version(&mut self, item: &Item) -> DResult<()> {
        let s = item
            .string("required_engine_version", true, false)?
            .unwrap_or_else(|| unreachable_str(item));
        let v = if let Ok(n) = s.value.parse::<u64>() {
            Version {
                major: 0,
                minor: n,
                patch: 0,
            }
        } else {
            version::parse(&s.value).ok_or_else(|| {
                item.validate_err(
                    s.file_span(),
                    format!(
                        "Unable to parse engine version '{}' as a semver string. Expected \"x.y.z\" semver format.",
                        s.value
                    ),
                )
            })?
        };
        if !v.compatible_with(&self.engine) {
            return Err(item.err(
                Code::LoadErrValidate,
                s.file_span(),
                format!(
                    "Rules require engine version {v}, but engine version is {}",
                    self.engine
                ),
            ));
        }
        if self.col.required_engine.as_ref().is_none_or(|(old, _)| *old < v) {
            self.col.required_engine = Some((v, s.file_span()));
        }
        Ok(())
    }

    fn plugin_versions(&mut self, item: &Item) -> DResult<()> {
        let (_, v) = item.entry("required_plugin_versions").unwrap_or((item.node, item.node));
        let Some(seq) = v.as_seq() else {
            return Err(item.validate_err(
                item.fspan(v.span),
                "Value of required_plugin_versions must be a sequence",
            ));
        };
        for req in seq {
            let Some(_) = req.as_map() else {
                return Err(item.validate_err(item.fspan(req.span), "Plugin version must be a mapping"));
            };
            let sub = Item {
                node: req,
                file: item.file,
                kind: "required_plugin_versions",
                name: String::new(),
            };
            let mut alts = vec![plugin_name_version(&sub)?];
            if let Some((_, a)) = sub.entry("alternatives") {
                let Some(aseq) = a.as_seq() else {
                    return Err(item.validate_err(
                        item.fspan(a.span),
                        "Value of plugin version alternatives must be a sequence",
                    ));
                };
                for alt in aseq {
                    if alt.as_map().is_none() {
                        return Err(
                            item.validate_err(item.fspan(alt.span), "Plugin version alternative must be a mapping")
                        );
                    }
                    let asub = Item {
                        node: alt,
                        file: item.file,
                        kind: "required_plugin_versions",
                        name: String::new(),
                    };
                    alts.push(plugin_name_version(&asub)?);
                }
            }
            let mut names = BTreeSet::new();
            for (n, ver, span) in &alts {
                if version::parse(ver).is_none() {
                    return Err(item.err(
                        Code::LoadErrValidate,
                        *span,
                        format!("Invalid required version '{ver}' for plugin '{n}'"),
                    ));
                }
                if !names.insert(n.clone()) {
                    return Err(item.err(
                        Code::LoadErrValidate,
                        *span,
                        format!("Defined multiple alternative version requirements for plugin '{n}'"),
                    ));
                }
            }
            // Point at the first required version: that is what does not match.
            let span = alts.first().map_or(item.fspan(req.span), |a| a.2);
            self.col.plugin_reqs.push(PluginRequirement {
                alternatives: alts.into_iter().map(|(n, v, _)| (n, v)).collect(),
                span,
            });
        }
        Ok(())
    }

    /// `override:` mapping: key -> (is_append, span). Validates operations.
    pub(super) fn override_map(
        &self,
        item: &Item,
        appendable: &[&str],
        replaceable: &[&str],
    ) -> DResult<Option<Vec<(String, bool, FileSpan)>>> {
        let Some((_, ov)) = item.entry("override") else {
            return Ok(None);
        };
        let Some(entries) = ov.as_map() else {
            return Err(item.validate_err(item.fspan(ov.span), "Value of override must be a map"));
        };
        let mut out = Vec::new();
        for e in entries {
            let key = e.key.as_scalar().map(|s| s.value.clone()).unwrap_or_default();
            let op = e
                .value
                .as_scalar()
                .map(|s| s.value.trim().to_string())
                .unwrap_or_default();
            let vspan = item.fspan(e.value.span);
            let is_append = match op.as_str() {
                "append" => true,
                "replace" => false,
                _ => {
                    return Err(item.validate_err(
                        vspan,
                        format!(
                            "Invalid override operation for key '{key}': '{op}'. Allowed values are: append replace "
                        ),
                    ));
                }
            };
            if is_append && !appendable.contains(&key.as_str()) {
                return Err(item.validate_err(
                    item.fspan(e.key.span),
                    format!("Key '{key}' cannot be appended to, use 'replace' instead"),
                ));
            }
            if !is_append && !replaceable.contains(&key.as_str()) {
                return Err(item.validate_err(item.fspan(e.key.span), format!("Key '{key}' cannot be replaced")));
            }
            if !item.has(&key) {
                let which = if is_append { "An append" } else { "A replace" };
                return Err(item.validate_err(
                    item.fspan(e.key.span),
                    format!("{which} override for '{key}' was specified but '{key}' is not defined"),
                ));
            }
            out.push((key, is_append, item.fspan(e.key.span)));
        }
        // Every overridable key present in the item must be named under `override`.
        for e in item.node.as_map().unwrap_or_default() {
            let Some(k) = e.key.as_scalar() else { continue };
            let k = k.value.as_str();
            if (appendable.contains(&k) || replaceable.contains(&k)) && !out.iter().any(|(n, _, _)| n == k) {
                return Err(item.validate_err(
                    item.fspan(e.key.span),
                    format!("Unexpected key '{k}': no corresponding entry under 'override' is defined."),
                ));
            }
        }
        Ok(Some(out))
    }

    /// `append: true`, with its deprecation warning; error when combined with override.
    pub(super) fn legacy_append(&mut self, item: &Item, example: &str) -> DResult<bool> {
        let append = item.bool("append")?.is_some_and(|(b, _)| b);
        if append {
            let msg = format!(
                "'append' key is deprecated. Add an 'append' entry (e.g. '{example}: append') under 'override' instead."
            );
            self.push(item.err(Code::LoadDeprecatedItem, item.key_span("append"), msg));
            if item.has("override") {
                return Err(item.validate_err(
                    item.key_span("override"),
                    format!(
                        "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. '{example}: append') under 'override' instead."
                    ),
                ));
            }
        }
        Ok(append)
    }

    fn list(&mut self, item: &Item) -> DResult<()> {
        let name = item
            .string("list", true, false)?
            .unwrap_or_else(|| unreachable_str(item));
        if !valid_list_name(&name.value) {
            self.push(item.err(
                Code::LoadInvalidListName,
                name.file_span(),
                format!("List has an invalid name. List names should match a regular expression: {LIST_NAME_RE}"),
            ));
        }
        let append = self.legacy_append(item, "items")?;
        let ov = self.override_map(item, &["items"], &["items"])?;
        let (_, items_node) = item
            .entry("items")
            .ok_or_else(|| item.validate_err(item.head_span(), "Item has no mapping for key 'items'"))?;
        let items = match &items_node.kind {
            NodeKind::Seq(xs) => xs
                .iter()
                .map(|x| {
                    scalar_of(x, item.file)
                        .ok_or_else(|| item.validate_err(item.fspan(x.span), "sequence value is not scalar"))
                })
                .collect::<DResult<Vec<_>>>()?,
            NodeKind::Null => {
                return Err(item.validate_err(item.key_span("items"), "Mapping for key 'items' is empty"));
            }
            _ => {
                return Err(item.validate_err(item.fspan(items_node.span), "Value is not a sequence"));
            }
        };
        let append = append || ov.as_ref().is_some_and(|o| o.iter().any(|(_, a, _)| *a));
        let id = self.col.id();
        if append {
            let Some(&i) = self.col.list_idx.get(&name.value) else {
                let d = item.err(
                    Code::LoadErrValidate,
                    name.file_span(),
                    "List uses 'append' or 'override.items: append' but no list by that name already exists",
                );
                return Err(self.with_closest(d, "list", &name.value));
            };
            let l = &mut self.col.lists[i];
            l.items.extend(items);
            l.visibility = id;
        } else if let Some(&i) = self.col.list_idx.get(&name.value) {
            let l = &mut self.col.lists[i];
            l.items = items;
            l.visibility = id;
        } else {
            self.col.list_idx.insert(name.value.clone(), self.col.lists.len());
            self.col.lists.push(ListDef {
                name,
                items,
                index: id,
                visibility: id,
                def: item.fspan(item.node.span),
            });
        }
        Ok(())
    }

    fn macro_(&mut self, item: &Item) -> DResult<()> {
        let name = item
            .string("macro", true, false)?
            .unwrap_or_else(|| unreachable_str(item));
        if !valid_macro_name(&name.value) {
            self.push(item.err(
                Code::LoadInvalidMacroName,
                name.file_span(),
                "Macro has an invalid name. Macro names should match a regular expression: ^[a-zA-Z]+[a-zA-Z0-9_]*$",
            ));
        }
        let append = self.legacy_append(item, "condition")?;
        let ov = self.override_map(item, &["condition"], &["condition"])?;
        let cond = item
            .string("condition", true, false)?
            .unwrap_or_else(|| unreachable_str(item));
        let append = append || ov.as_ref().is_some_and(|o| o.iter().any(|(_, a, _)| *a));
        let id = self.col.id();
        if append {
            let Some(&i) = self.col.macro_idx.get(&name.value) else {
                let d = item.err(
                    Code::LoadErrValidate,
                    name.file_span(),
                    "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
                );
                return Err(self.with_closest(d, "macro", &name.value));
            };
            let m = &mut self.col.macros[i];
            m.cond.push_synthetic(" ", cond.file_span());
            m.cond.push_str(&cond, 0..cond.value.len());
            m.visibility = id;
        } else if let Some(&i) = self.col.macro_idx.get(&name.value) {
            let m = &mut self.col.macros[i];
            m.cond = SrcText::of_str(&cond);
            m.cond_span = cond.file_span();
            m.visibility = id;
        } else {
            self.col.macro_idx.insert(name.value.clone(), self.col.macros.len());
            let cond_span = cond.file_span();
            self.col.macros.push(MacroDef {
                name,
                cond: SrcText::of_str(&cond),
                cond_span,
                index: id,
                visibility: id,
                def: item.fspan(item.node.span),
            });
        }
        Ok(())
    }
}

fn plugin_name_version(sub: &Item) -> DResult<(String, String, FileSpan)> {
    let n = sub.string("name", true, false)?.unwrap_or_else(|| unreachable_str(sub));
    let v = sub
        .string("version", true, false)?
        .unwrap_or_else(|| unreachable_str(sub));
    Ok((n.value, v.value.clone(), v.file_span()))
}

/// Only reached when a required key was checked before; keeps the code panic-free.
pub(super) fn unreachable_str(item: &Item) -> Str {
    Str {
        value: String::new(),
        file: item.file,
        span: item.node.span,
        scalar: None,
    }
}

pub const LIST_NAME_RE: &str = "^[^()\"'[:space:]=,]+$";

pub fn valid_list_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| !matches!(b, b'(' | b')' | b'"' | b'\'' | b'=' | b',') && !b.is_ascii_whitespace() && b != 0x0B)
}

pub fn valid_macro_name(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    letters > 0 && b[letters..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}
