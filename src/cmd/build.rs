//! `falcorc build RULES... -o ruleset.bundle`: the rules, checked as `run` loads them (any
//! error and nothing is written), into one bundle file with their load order, the
//! versions, a digest and optionally an Ed25519 signature (docs/BUNDLES.md).
//! `--generate-key FILE` makes a key pair to sign with.

use super::engine::{Format, load, to_stderr};
use super::selection::Selection;
use super::{EXIT_OK, EXIT_USAGE, read_paths};
use falcorc_runtime::bundle::{self, keys};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Rules files or directories (their `.yaml` files in name order, without `*.test.yaml`
    /// fixtures), in load order; `@default` is the embedded ruleset.
    #[arg(required_unless_present = "generate_key")]
    rules: Vec<PathBuf>,
    /// Where to write the bundle.
    #[arg(short = 'o', long, value_name = "FILE", required_unless_present = "generate_key")]
    output: Option<PathBuf>,
    /// Sign the bundle with this Ed25519 private key (PKCS#8 PEM: from `--generate-key`, or
    /// `openssl genpkey -algorithm ed25519`).
    #[arg(long, value_name = "KEY.pem")]
    sign_key: Option<PathBuf>,
    /// Write a new key pair, FILE (private, readable by its owner only) and FILE.pub (the
    /// public key `run --bundle-key` takes), and exit.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["rules", "output", "sign_key"])]
    generate_key: Option<PathBuf>,
}

pub fn run(a: Args) -> u8 {
    if let Some(p) = &a.generate_key {
        return generate_key(p);
    }
    let (Some(output), false) = (&a.output, a.rules.is_empty()) else {
        eprintln!("falcorc: build needs rules files and -o FILE");
        return EXIT_USAGE;
    };
    let key = match a.sign_key.as_deref().map(keys::SigningKey::read).transpose() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("falcorc: --sign-key: {e}");
            return EXIT_USAGE;
        }
    };
    let (files, errors) = read_paths(&a.rules);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("falcorc: {}", e.message);
        }
        eprintln!("falcorc: no bundle written");
        return EXIT_USAGE;
    }
    // Exactly what `run` will do with it: any error here would be one there.
    let (engine, _) = match load(
        files.clone(),
        Vec::new(),
        &Selection::default(),
        Format::Json,
        "; no bundle written",
        &mut to_stderr,
    ) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let (text, digest) = bundle::create(&files, key.as_ref());
    if let Err(e) = write_atomically(output, text.as_bytes(), 0o644) {
        eprintln!("falcorc: cannot write {}: {e}", output.display());
        return EXIT_USAGE;
    }
    let signed = key.map_or_else(
        || "unsigned".to_string(),
        |k| format!("signed with key {}", k.public().id()),
    );
    println!(
        "{}: {} files, {} rules, {digest}, {signed}",
        output.display(),
        files.len(),
        engine.program.rules.len()
    );
    EXIT_OK
}

fn generate_key(p: &Path) -> u8 {
    let public_path = PathBuf::from(format!("{}.pub", p.display()));
    for f in [p, public_path.as_path()] {
        if f.exists() {
            eprintln!("falcorc: {} exists; not overwritten", f.display());
            return EXIT_USAGE;
        }
    }
    let (private, public) = match keys::generate() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("falcorc: {e}");
            return EXIT_USAGE;
        }
    };
    for (f, text, mode) in [(p, &private, 0o600), (public_path.as_path(), &public, 0o644)] {
        if let Err(e) = write_atomically(f, text.as_bytes(), mode) {
            eprintln!("falcorc: cannot write {}: {e}", f.display());
            return EXIT_USAGE;
        }
    }
    println!(
        "private key: {} (keep it secret: it signs bundles)\npublic key: {} (give it to `run --bundle-key`)",
        p.display(),
        public_path.display()
    );
    EXIT_OK
}

/// Writes a file next to `p`, then renames it over `p`: a reader (a `run` watching it, a
/// bundle server) sees the old file or the new one, never half of one.
pub(super) fn write_atomically(p: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = p.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, p));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
