//! `falcorc version` (and `falcorc --version`): what this binary is, for bug reports and
//! for checking a deployment: falcorc's version, the Falco engine version its loader
//! implements (what `required_engine_version` is checked against), and the embedded probe
//! (a digest of the object and whether this build compiled it or used the committed one).

use falcorc_compiler::sema::version::ENGINE_VERSION;
use falcorc_runtime_ebpf::probe::{PROBE_OBJECT, PROBE_STATE};

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> u8 {
    println!("falcorc {}", long());
    super::EXIT_OK
}

/// The text after `falcorc ` (clap prints the name first for `--version`).
pub fn long() -> String {
    format!(
        "{}\nFalco engine version: {ENGINE_VERSION}\nprobe: {} bytes, build id {:016x} ({PROBE_STATE})",
        env!("CARGO_PKG_VERSION"),
        PROBE_OBJECT.len(),
        fnv1a(PROBE_OBJECT),
    )
}

/// FNV-1a, 64 bits: tells two probe builds apart (not a security digest).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn fnv1a_matches_its_reference_values() {
        assert_eq!(super::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
