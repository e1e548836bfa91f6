//! `falcorc fields`: the field catalogue.

use super::EXIT_OK;
use falcorc_compiler::sema::catalog::{FIELDS, flags};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Include fields hidden from listings (TABLE_ONLY).
    #[arg(long)]
    all: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Json,
}

fn flag_names(f: u16) -> Vec<&'static str> {
    let all = [
        (flags::FILTER_ONLY, "FILTER_ONLY"),
        (flags::PRINT_ONLY, "PRINT_ONLY"),
        (flags::TABLE_ONLY, "TABLE_ONLY"),
        (flags::DEPRECATED, "DEPRECATED"),
        (flags::NO_RHS, "NO_RHS"),
        (flags::NO_TRANSFORMER, "NO_TRANSFORMER"),
        (flags::LIST, "LIST"),
        (flags::ARG_REQ, "ARG_REQ"),
        (flags::ARG_OPT, "ARG_OPT"),
    ];
    all.iter().filter(|(b, _)| f & b != 0).map(|(_, n)| *n).collect()
}

pub fn run(a: Args) -> u8 {
    let shown = FIELDS.iter().filter(|f| a.all || !f.has(flags::TABLE_ONLY));
    match a.format {
        Format::Table => {
            let mut class = None;
            for f in shown {
                if class != Some(f.class) {
                    class = Some(f.class);
                    println!("\n# {}\n", f.class.title());
                }
                let fl = flag_names(f.flags);
                let extra = if fl.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", fl.join(", "))
                };
                println!("{:32} {:10} {}{extra}", f.name, f.ty.short_name(), f.doc);
            }
        }
        Format::Json => {
            let v: Vec<_> = shown
                .map(|f| {
                    serde_json::json!({
                        "name": f.name, "type": f.ty.pt_name(), "class": f.class.title(),
                        "arg": format!("{:?}", f.arg), "flags": flag_names(f.flags), "desc": f.doc,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }
    EXIT_OK
}
