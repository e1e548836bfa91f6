//! Ruleset bundles: how CI hands production a ruleset it has checked. `falcorc build`
//! writes one JSON file holding the rules files' text in load order, the versions that
//! built it, a SHA-256 digest over all of that, and optionally an Ed25519 signature of the
//! digest; `falcorc run --bundle` verifies it before loading anything from it.
//!
//! The digest covers a canonical encoding (not the JSON text), so it does not depend on
//! how the JSON is formatted:
//! `falcorc-bundle\0` `1\0` falcorc_version `\0` engine_version `\0`, then per file
//! name `\0` length-in-bytes `\0` text. The signature signs `falcorc-bundle-signature:`
//! followed by the digest's hex.

pub mod fetch;
pub mod keys;

use falcorc_compiler::SourceFile;
use falcorc_compiler::sema::version::{ENGINE_VERSION, parse as parse_version};
use keys::{PublicKey, SigningKey, hex, unhex};
use serde_json::{Value, json};

/// The format version this falcorc writes and reads.
pub const FORMAT: u64 = 1;

/// The largest bundle read, from a file or a URL (Falco's stable rules are ~200 KB).
pub const MAX_BUNDLE_BYTES: u64 = 64 << 20;

/// A bundle's content, verified.
#[derive(Debug)]
pub struct Bundle {
    pub falcorc_version: String,
    pub engine_version: String,
    /// The rules files, in load order.
    pub files: Vec<SourceFile>,
    /// `sha256:` and the hex digest.
    pub digest: String,
    pub signature: Signature,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Signature {
    None,
    /// Checked with the given key (its [`PublicKey::id`]).
    Verified(String),
    /// Signed by the key with this id, not checked (no key to check it with).
    Unchecked(String),
}

fn canonical(falcorc_version: &str, engine_version: &str, files: &[SourceFile]) -> Vec<u8> {
    let mut m = Vec::new();
    for part in ["falcorc-bundle", &FORMAT.to_string(), falcorc_version, engine_version] {
        m.extend_from_slice(part.as_bytes());
        m.push(0);
    }
    for f in files {
        m.extend_from_slice(f.name.as_bytes());
        m.push(0);
        m.extend_from_slice(f.text.len().to_string().as_bytes());
        m.push(0);
        m.extend_from_slice(f.text.as_bytes());
    }
    m
}

fn digest_of(canonical: &[u8]) -> String {
    format!(
        "sha256:{}",
        hex(ring::digest::digest(&ring::digest::SHA256, canonical).as_ref())
    )
}

fn signed_message(digest: &str) -> Vec<u8> {
    format!("falcorc-bundle-signature:{digest}").into_bytes()
}

/// The digest a bundle of `files` (in load order) built by this falcorc states.
pub fn digest(files: &[SourceFile]) -> String {
    digest_of(&canonical(
        env!("CARGO_PKG_VERSION"),
        &ENGINE_VERSION.to_string(),
        files,
    ))
}

/// The bundle of `files` (in load order) as JSON text, signed with `key` if given, and its
/// digest.
pub fn create(files: &[SourceFile], key: Option<&SigningKey>) -> (String, String) {
    let falcorc_version = env!("CARGO_PKG_VERSION");
    let engine_version = ENGINE_VERSION.to_string();
    let digest = digest(files);
    let signature = key.map(|k| {
        json!({
            "algorithm": "ed25519",
            "key_id": k.public().id(),
            "value": hex(&k.sign(&signed_message(&digest))),
        })
    });
    let files: Vec<Value> = files
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "sha256": hex(ring::digest::digest(&ring::digest::SHA256, f.text.as_bytes()).as_ref()),
                "text": f.text,
            })
        })
        .collect();
    let mut doc = json!({
        "falcorc_bundle": FORMAT,
        "falcorc_version": falcorc_version,
        "engine_version": engine_version,
        "files": files,
        "digest": digest,
    });
    if let Some(s) = signature {
        doc["signature"] = s;
    }
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    (text, digest)
}

/// Reads and verifies a bundle: its format, every file's and the whole digest, its
/// engine version, and with `key` its signature (then required). Errors say what failed.
pub fn open(bytes: &[u8], key: Option<&PublicKey>) -> Result<Bundle, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not a falcorc bundle: {e}"))?;
    let format = doc
        .get("falcorc_bundle")
        .and_then(Value::as_u64)
        .ok_or("not a falcorc bundle: no 'falcorc_bundle' format number")?;
    if format != FORMAT {
        return Err(format!(
            "bundle format {format}: this falcorc reads format {FORMAT} (build the bundle with a matching falcorc)"
        ));
    }
    let string = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("the bundle has no '{k}'"))
    };
    let falcorc_version = string("falcorc_version")?;
    let engine_version = string("engine_version")?;
    let digest = string("digest")?;
    let listed = doc
        .get("files")
        .and_then(Value::as_array)
        .ok_or("the bundle has no 'files' list")?;
    let mut files = Vec::with_capacity(listed.len());
    for (i, f) in listed.iter().enumerate() {
        let field = |k: &str| {
            f.get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("file {} of the bundle has no '{k}'", i + 1))
        };
        let (name, text, sha) = (field("name")?, field("text")?, field("sha256")?);
        if hex(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref()) != sha {
            return Err(format!(
                "{name} in the bundle does not match its sha256: the bundle was altered"
            ));
        }
        files.push(SourceFile {
            name: name.to_string(),
            text: text.to_string(),
        });
    }
    if digest_of(&canonical(&falcorc_version, &engine_version, &files)) != digest {
        return Err("the bundle does not match its digest: it was altered".into());
    }
    let built_for =
        parse_version(&engine_version).ok_or_else(|| format!("engine version '{engine_version}' is not a version"))?;
    if !built_for.compatible_with(&ENGINE_VERSION) {
        return Err(format!(
            "the bundle was built for engine version {built_for}; this falcorc implements {ENGINE_VERSION}"
        ));
    }
    let signature = match (doc.get("signature"), key) {
        (None, None) => Signature::None,
        (None, Some(k)) => {
            return Err(format!("the bundle is not signed, and a key ({}) is required", k.id()));
        }
        (Some(s), key) => {
            let id = s.get("key_id").and_then(Value::as_str).unwrap_or("?").to_string();
            match key {
                None => Signature::Unchecked(id),
                Some(k) => {
                    let value = s
                        .get("value")
                        .and_then(Value::as_str)
                        .and_then(unhex)
                        .unwrap_or_default();
                    let algorithm = s.get("algorithm").and_then(Value::as_str);
                    if algorithm != Some("ed25519") || !k.verifies(&signed_message(&digest), &value) {
                        return Err(format!(
                            "the bundle's signature (key {id}) does not verify with key {}",
                            k.id()
                        ));
                    }
                    Signature::Verified(k.id())
                }
            }
        }
    };
    Ok(Bundle {
        falcorc_version,
        engine_version,
        files,
        digest,
        signature,
    })
}

#[cfg(test)]
mod tests;
