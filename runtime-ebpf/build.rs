//! Rebuilds the probe object when clang, llvm-strip and bpftool are present, and tells
//! the crate which object to embed and whether the committed one is up to date.
//!
//! Without the tools the committed `probe/falcorc.bpf.o` is embedded, so plain
//! `cargo build` needs no clang. `FALCORC_PROBE_STATE` is `fresh` (rebuilt, equal to the
//! committed object), `stale` (rebuilt, different: refresh it with `probe/build.sh`),
//! `other-kernel` (rebuilt against another kernel's BTF than the committed object, so the
//! bytes cannot be compared; the rebuilt object is embedded) or `prebuilt` (not rebuilt);
//! a test fails on `stale`.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let probe = manifest.join("probe");
    let committed = probe.join("falcorc.bpf.o");
    for f in [
        "falcorc.bpf.c",
        "wire.h",
        "record.h",
        "task.h",
        "files.h",
        "build.sh",
        "falcorc.bpf.o",
        "kernel-btf.sha256",
    ] {
        println!("cargo:rerun-if-changed=probe/{f}");
    }
    println!("cargo:rerun-if-env-changed=FALCORC_SKIP_PROBE_BUILD");
    // Set by .ci/run once the tools are installed: a build script that ran before they
    // were (an earlier build in the same tree) must look for them again.
    println!("cargo:rerun-if-env-changed=FALCORC_REQUIRE_PROBE_BUILD");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let tools = ["clang", "llvm-strip", "bpftool"].iter().all(|t| which(t));
    let skip = std::env::var_os("FALCORC_SKIP_PROBE_BUILD").is_some();
    let built = out.join("falcorc.bpf.o");
    let rebuilt = tools
        && !skip
        && std::path::Path::new("/sys/kernel/btf/vmlinux").exists()
        && Command::new("sh")
            .arg(probe.join("build.sh"))
            .arg(&out)
            .status()
            .is_ok_and(|s| s.success());
    let (state, object) = if rebuilt {
        let same = std::fs::read(&built).ok() == std::fs::read(&committed).ok();
        let same_kernel = std::fs::read_to_string(out.join("kernel-btf.sha256")).ok()
            == std::fs::read_to_string(probe.join("kernel-btf.sha256")).ok();
        let state = match (same, same_kernel) {
            (true, _) => "fresh",
            (false, true) => "stale",
            (false, false) => "other-kernel",
        };
        (state, built)
    } else {
        ("prebuilt", committed)
    };
    if state == "stale" {
        println!("cargo:warning=probe/falcorc.bpf.o is stale: run runtime-ebpf/probe/build.sh and commit it");
    }
    println!("cargo:rustc-env=FALCORC_PROBE_STATE={state}");
    println!("cargo:rustc-env=FALCORC_PROBE_OBJ={}", object.display());
    // The object's build id, hashed here rather than at every start of every command
    // (FNV-1a over ~220 KB is a chain of ~220,000 multiplies: about 0.3 ms per process).
    let bytes = std::fs::read(&object).unwrap_or_default();
    println!("cargo:rustc-env=FALCORC_PROBE_ID={:016x}", fnv1a(&bytes));
}

/// FNV-1a, 64 bits: tells two probe builds apart (not a security digest).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn which(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(tool).is_file()))
}
