//! `falcorc explain CODE`: the documentation of a diagnostic code.

use super::{EXIT_OK, EXIT_USAGE};
use falcorc_compiler::diag::Code;
use falcorc_compiler::lint::CheckId;

#[derive(clap::Args)]
pub struct Args {
    /// A code such as LOAD_ERR_COMPILE_CONDITION, a check such as mixed-and-or, or `all`
    /// to list every code and check.
    code: String,
}

pub fn run(a: Args) -> u8 {
    if a.code.eq_ignore_ascii_case("all") {
        println!("Codes of the loader (LOAD_* are Falco's own):");
        for c in Code::ALL {
            println!("  {:32} {:7} {}", c.name(), c.default_severity().as_str(), c.doc().what);
        }
        println!("\nfalcorc's checks (level `allow`: off unless selected):");
        for c in CheckId::ALL {
            let m = c.meta();
            println!(
                "  {:32} {:5} {:12} {}",
                m.name,
                m.default.name(),
                m.category.name(),
                m.summary
            );
        }
        return EXIT_OK;
    }
    let Some(c) = Code::from_name(&a.code) else {
        eprintln!("falcorc: unknown code '{}'; `falcorc explain all` lists them", a.code);
        return EXIT_USAGE;
    };
    let d = c.doc();
    match c.check() {
        Some(id) => {
            let m = id.meta();
            let fix = m.fix.map_or(String::new(), |a| format!(", fix: {}", a.as_str()));
            println!(
                "{} (a falcorc check: {}, default {}{fix})\n",
                m.name,
                m.category.name(),
                m.default.name()
            );
            println!("{}.\n", m.summary);
        }
        None => {
            let origin = if c.is_falco() {
                "a Falco load result code"
            } else {
                "a falcorc code"
            };
            println!("{} ({}, {origin})\n", c.name(), c.default_severity().as_str());
        }
    }
    println!("What\n  {}\n", d.what);
    println!("Why\n  {}\n", d.why);
    println!("Example\n{}\n", indent(d.example));
    if c.check().is_some() {
        println!("Instead\n{}", indent(d.instead));
        println!(
            "\nSilence one finding with `# falcorc: ignore[{}] <reason>` above it.",
            c.name()
        );
    } else {
        println!("Instead\n  {}", d.instead);
    }
    EXIT_OK
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}
