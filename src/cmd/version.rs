//! `falcorc version` (and `falcorc --version`): what this binary is, for bug reports and
//! for checking a deployment: falcorc's version, the Falco engine version its loader
//! implements (what `required_engine_version` is checked against), and the embedded probe
//! (a digest of the object and whether this build compiled it or used the committed one).

use falcorc_compiler::sema::version::ENGINE_VERSION;
use falcorc_runtime_ebpf::probe::{PROBE_ID, PROBE_OBJECT, PROBE_STATE};

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> u8 {
    println!("falcorc {}", long());
    super::EXIT_OK
}

/// The text after `falcorc ` (clap prints the name first for `--version`).
pub fn long() -> String {
    format!(
        "{}\nFalco engine version: {ENGINE_VERSION}\nprobe: {} bytes, build id {PROBE_ID} ({PROBE_STATE})",
        env!("CARGO_PKG_VERSION"),
        PROBE_OBJECT.len(),
    )
}
