//! SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps, IDE viewers)
//! read: a rule descriptor (docs, help URI, default level) for every code reported, one
//! result per diagnostic with its exact region, related locations and fixes.

use super::super::{Code, Diagnostic, Severity};
use super::{Locator, Position, Report};
use crate::lint::Level;
use crate::span::FileSpan;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    artifacts: Vec<Artifact>,
    results: Vec<ResultItem>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: String,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: DefaultConfiguration,
    properties: Properties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct DefaultConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    location: ArtifactLocation,
    length: usize,
    source_language: &'static str,
}

#[derive(Serialize, Clone)]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultItem {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    partial_fingerprints: HashMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

pub fn report(r: &Report) -> String {
    let loc = Locator::new(r.files);
    let mut rules: Vec<Descriptor> = Vec::new();
    let mut rule_index: HashMap<Code, usize> = HashMap::new();
    let artifacts: Vec<Artifact> = r
        .files
        .iter()
        .map(|f| Artifact {
            location: ArtifactLocation {
                uri: uri(&f.name),
                index: None,
            },
            length: f.text.len(),
            source_language: "yaml",
        })
        .collect();
    let mut results = Vec::new();
    for d in r.diagnostics {
        let index = *rule_index.entry(d.code).or_insert_with(|| {
            rules.push(descriptor(r, d.code));
            rules.len() - 1
        });
        results.push(result(&loc, d, index));
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "falcorc",
                    version: r.tool_version,
                    information_uri: format!("{}/LINT.md", r.docs_url),
                    rules,
                },
            },
            artifacts,
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

fn descriptor(r: &Report, code: Code) -> Descriptor {
    let doc = code.doc();
    let (summary, level, tags) = match code.check() {
        Some(c) => {
            let m = c.meta();
            let level = match m.default {
                Level::Allow => "none",
                Level::Warn => "warning",
                Level::Deny => "error",
            };
            (m.summary.to_string(), level, vec![m.category.name()])
        }
        None => {
            let level = match code.default_severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let tags = if code.is_falco() { vec!["falco"] } else { vec![] };
            (doc.what.trim_end_matches('.').to_string(), level, tags)
        }
    };
    Descriptor {
        id: code.name(),
        short_description: Text { text: summary },
        full_description: Text {
            text: doc.what.to_string(),
        },
        help: Help {
            text: format!("{}\n\nExample:\n{}\n\nInstead:\n{}", doc.why, doc.example, doc.instead),
            markdown: format!(
                "{}\n\n**Example**\n\n```yaml\n{}\n```\n\n**Instead**\n\n```yaml\n{}\n```",
                doc.why,
                doc.example.trim_end(),
                doc.instead.trim_end()
            ),
        },
        help_uri: r.help_uri(code),
        default_configuration: DefaultConfiguration { level },
        properties: Properties { tags },
    }
}

fn result(loc: &Locator, d: &Diagnostic, rule_index: usize) -> ResultItem {
    let mut message = super::full_message(d);
    if let Some(h) = &d.help {
        message.push_str(". Help: ");
        message.push_str(h);
    }
    let locations = physical(loc, d.primary)
        .map(|p| Location {
            id: None,
            physical_location: p,
            message: None,
        })
        .into_iter()
        .collect();
    let related_locations = d
        .labels
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            Some(Location {
                id: Some(i),
                physical_location: physical(loc, l.span)?,
                message: Some(Text {
                    text: l.message.clone(),
                }),
            })
        })
        .collect();
    let fixes = d
        .fix
        .iter()
        .filter_map(|f| {
            let mut changes: Vec<ArtifactChange> = Vec::new();
            for e in &f.edits {
                let file = loc.file(e.span)?;
                let replacement = Replacement {
                    deleted_region: region(loc.position(e.span)?),
                    inserted_content: Text {
                        text: e.replacement.clone(),
                    },
                };
                match changes.iter_mut().find(|c| c.artifact_location.uri == uri(file)) {
                    Some(c) => c.replacements.push(replacement),
                    None => changes.push(ArtifactChange {
                        artifact_location: ArtifactLocation {
                            uri: uri(file),
                            index: Some(e.span.file.0 as usize),
                        },
                        replacements: vec![replacement],
                    }),
                }
            }
            Some(SarifFix {
                description: Text {
                    text: format!("{} ({})", f.message, f.applicability.as_str()),
                },
                artifact_changes: changes,
            })
        })
        .collect();
    // Code scanning matches results across commits by this: the code, the item and the
    // message, not the line (which moves when lines are added above).
    let item = d.item.as_ref().map_or("", |i| i.name.as_str());
    let mut fingerprints = HashMap::new();
    fingerprints.insert("falcorcFinding/v1", format!("{}:{}:{}", d.code.name(), item, d.message));
    ResultItem {
        rule_id: d.code.name(),
        rule_index,
        level: match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message: Text { text: message },
        locations,
        related_locations,
        fixes,
        partial_fingerprints: fingerprints,
    }
}

fn physical(loc: &Locator, fs: FileSpan) -> Option<PhysicalLocation> {
    Some(PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri(loc.file(fs)?),
            index: Some(fs.file.0 as usize),
        },
        region: region(loc.position(fs)?),
    })
}

fn region(p: Position) -> Region {
    Region {
        start_line: p.line,
        start_column: p.column,
        end_line: p.end_line,
        end_column: p.end_column,
    }
}

/// A file name as a URI reference: relative paths stay relative (resolved against the
/// checkout by code scanning), absolute ones become `file://` URIs; bytes outside the
/// unreserved set are percent-encoded.
fn uri(name: &str) -> String {
    let mut out = String::new();
    if name.starts_with('/') {
        out.push_str("file://");
    }
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris() {
        assert_eq!(super::uri("rules/my rules.yaml"), "rules/my%20rules.yaml");
        assert_eq!(super::uri("/etc/falco/x.yaml"), "file:///etc/falco/x.yaml");
    }
}
