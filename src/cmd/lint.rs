//! `falcorc lint`: load files like Falco and report every problem.

use super::{ColorChoice, EXIT_ERRORS, EXIT_OK, EXIT_USAGE, load_files};
use falcorc_compiler::diag::render;
use falcorc_compiler::sema::version;
use falcorc_compiler::{Options, analyze};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Rules files or directories, loaded in this order.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Treat the container plugin as not loaded (container.* and k8s.* fields unknown).
    #[arg(long)]
    no_container_plugin: bool,
    /// Treat a plugin as loaded, for `required_plugin_versions` (e.g. `k8saudit:0.7.0`).
    /// Its event source and fields are not modelled: rules using them are skipped.
    #[arg(long = "plugin", value_name = "NAME:VERSION")]
    plugins: Vec<String>,
    /// Print the time the analysis took.
    #[arg(long)]
    timings: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

pub fn run(a: Args) -> u8 {
    let files = match load_files(&a.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("falcorc: {e}");
            return EXIT_USAGE;
        }
    };
    let mut opts = Options {
        container_plugin: !a.no_container_plugin,
        ..Options::default()
    };
    for p in &a.plugins {
        let parsed = p
            .split_once(':')
            .and_then(|(n, v)| Some((n.to_string(), version::parse(v)?)));
        match parsed {
            Some(pv) => opts.plugins.push(pv),
            None => {
                eprintln!("falcorc: --plugin wants NAME:VERSION (x.y.z), got '{p}'");
                return EXIT_USAGE;
            }
        }
    }
    let start = std::time::Instant::now();
    let an = analyze(files, &opts);
    let took = start.elapsed();
    let (errors, warnings) = (an.errors(), an.warnings());
    match a.format {
        Format::Human => {
            let color = a.color.enabled();
            for d in &an.diagnostics {
                print!("{}", render::human(&an.files, d, color));
            }
            let names = an.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
            let status = if errors > 0 {
                "Invalid"
            } else if warnings > 0 {
                "Ok, with warnings"
            } else {
                "Ok"
            };
            println!(
                "{names}: {status} ({} rules, {} macros, {} lists; {errors} errors, {warnings} warnings)",
                an.rules.len(),
                an.macros.len(),
                an.lists.len()
            );
        }
        Format::Json => {
            let diags: Vec<_> = an.diagnostics.iter().map(|d| render::json(&an.files, d)).collect();
            let out = serde_json::json!({
                "files": an.files.iter().map(|f| &f.name).collect::<Vec<_>>(),
                "ok": errors == 0,
                "errors": errors,
                "warnings": warnings,
                "schema_validation": if an.schema_ok { "ok" } else { "failed" },
                "rules": an.rules.len(),
                "macros": an.macros.len(),
                "lists": an.lists.len(),
                "diagnostics": diags,
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
    }
    if a.timings {
        eprintln!("analysis took {:.3} ms", took.as_secs_f64() * 1000.0);
    }
    if errors > 0 { EXIT_ERRORS } else { EXIT_OK }
}
