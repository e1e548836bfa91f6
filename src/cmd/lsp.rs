//! `falcorc lsp`: the language server on stdin/stdout.

use super::{EXIT_ERRORS, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

pub fn run(_: Args) -> u8 {
    match falcorc_lsp::run_stdio() {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("falcorc lsp: {e}");
            EXIT_ERRORS
        }
    }
}
