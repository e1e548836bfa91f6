//! `falcorc rules`: what a set of rules files defines.

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE, load_files};
use falcorc_compiler::analyze;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Rules files or directories, loaded in order (`@default`: the embedded ruleset).
    #[arg(required_unless_present = "default", conflicts_with = "default")]
    paths: Vec<PathBuf>,
    /// List falcorc's embedded default ruleset (what `run` and `replay` load without `-r`).
    #[arg(long)]
    default: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Json,
}

pub fn run(a: Args) -> u8 {
    let loaded = if a.default {
        Ok(super::default_rules::files())
    } else {
        load_files(&a.paths)
    };
    let files = match loaded {
        Ok(f) => f,
        Err(e) => {
            eprintln!("falcorc: {e}");
            return EXIT_USAGE;
        }
    };
    let an = analyze(files, &falcorc_compiler::fs::host_options());
    // What does not load is said, not left as silently empty tables.
    let errors: Vec<_> = an.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    if !errors.is_empty() {
        let color = super::ColorChoice::Auto.enabled_on_stderr();
        falcorc_compiler::diag::render::human_batch(&an.files, &errors, color, |s| eprint!("{s}"));
        eprintln!(
            "falcorc: {} errors: the rules files do not load as Falco would load them",
            errors.len()
        );
    }
    match a.format {
        Format::Table => {
            println!(
                "{:60} {:13} {:8} {:9} EVENT TYPES",
                "RULE", "PRIORITY", "ENABLED", "SOURCE"
            );
            for r in &an.rules {
                let ev = r.evttypes.as_ref().map_or_else(
                    || "-".to_string(),
                    |e| {
                        if e.len() > 100 {
                            "(all)".into()
                        } else {
                            e.names().join(",")
                        }
                    },
                );
                let src = if r.skipped.is_some() {
                    format!("{} (skipped)", r.source)
                } else {
                    r.source.clone()
                };
                println!("{:60} {:13} {:8} {src:9} {ev}", r.name, r.priority.name(), r.enabled);
            }
            println!("\n{:40} USED  CONDITION", "MACRO");
            for m in &an.macros {
                println!("{:40} {:5} {}", m.name, m.used, one_line(&m.condition, 80));
            }
            println!("\n{:40} USED  ITEMS", "LIST");
            for l in &an.lists {
                println!("{:40} {:5} {}", l.name, l.used, one_line(&l.items.join(", "), 80));
            }
            println!(
                "\n{} rules, {} macros, {} lists",
                an.rules.len(),
                an.macros.len(),
                an.lists.len()
            );
        }
        Format::Json => {
            let rules: Vec<_> = an
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name, "desc": r.desc, "priority": r.priority.name(), "source": r.source,
                        "enabled": r.enabled, "tags": r.tags, "condition": r.condition, "output": r.output,
                        "event_types": r.evttypes.as_ref().map(|e| e.names()),
                        "fields": r.fields, "skipped": r.skipped,
                    })
                })
                .collect();
            let macros: Vec<_> = an
                .macros
                .iter()
                .map(|m| serde_json::json!({"name": m.name, "condition": m.condition, "used": m.used}))
                .collect();
            let lists: Vec<_> = an
                .lists
                .iter()
                .map(|l| serde_json::json!({"name": l.name, "items": l.items, "used": l.used}))
                .collect();
            let out = serde_json::json!({"rules": rules, "macros": macros, "lists": lists});
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
    }
    if an.errors() > 0 { EXIT_ERRORS } else { EXIT_OK }
}

/// Collapse whitespace and cut to `max` characters for a table cell.
fn one_line(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max {
        format!("{}...", flat.chars().take(max).collect::<String>())
    } else {
        flat
    }
}
