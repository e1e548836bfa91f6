//! `falcorc explain CODE`: the documentation of a diagnostic code.

use super::{EXIT_OK, EXIT_USAGE};
use falcorc_compiler::diag::Code;

#[derive(clap::Args)]
pub struct Args {
    /// A code such as LOAD_ERR_COMPILE_CONDITION, or `all` to list every code.
    code: String,
}

pub fn run(a: Args) -> u8 {
    if a.code.eq_ignore_ascii_case("all") {
        for c in Code::ALL {
            println!("{:32} {:7} {}", c.name(), c.default_severity().as_str(), c.doc().what);
        }
        return EXIT_OK;
    }
    let Some(c) = Code::from_name(&a.code) else {
        eprintln!("falcorc: unknown code '{}'; `falcorc explain all` lists them", a.code);
        return EXIT_USAGE;
    };
    let d = c.doc();
    let origin = if c.is_falco() {
        "a Falco load result code"
    } else {
        "a falcorc code"
    };
    println!("{} ({}, {origin})\n", c.name(), c.default_severity().as_str());
    println!("What\n  {}\n", d.what);
    println!("Why\n  {}\n", d.why);
    println!("Example\n{}\n", indent(d.example));
    println!("Instead\n  {}", d.instead);
    EXIT_OK
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}
