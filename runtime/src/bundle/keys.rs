//! Ed25519 keys of signed bundles, in the PEM files OpenSSL reads and writes
//! (`openssl genpkey -algorithm ed25519`, `openssl pkey -pubout`): a PKCS#8 private key
//! signs, the SubjectPublicKeyInfo public key verifies.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use std::path::Path;

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32 key bytes follow.
const SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// Key files are a few hundred bytes; a bounded read keeps a wrong path harmless.
const MAX_KEY_FILE: u64 = 64 << 10;

pub struct SigningKey(Ed25519KeyPair);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl SigningKey {
    /// A PKCS#8 `PRIVATE KEY` PEM file.
    pub fn read(p: &Path) -> Result<SigningKey, String> {
        let der = pem_file(p, "PRIVATE KEY")?;
        Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .map(SigningKey)
            .map_err(|e| format!("{}: not an Ed25519 private key ({e})", p.display()))
    }

    pub fn public(&self) -> PublicKey {
        let mut k = [0u8; 32];
        k.copy_from_slice(self.0.public_key().as_ref());
        PublicKey(k)
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.0.sign(message).as_ref().to_vec()
    }
}

impl PublicKey {
    /// A SubjectPublicKeyInfo `PUBLIC KEY` PEM file.
    pub fn read(p: &Path) -> Result<PublicKey, String> {
        let der = pem_file(p, "PUBLIC KEY")?;
        PublicKey::from_spki(&der).ok_or_else(|| format!("{}: not an Ed25519 public key", p.display()))
    }

    fn from_spki(der: &[u8]) -> Option<PublicKey> {
        let raw = der.strip_prefix(&SPKI_PREFIX[..])?;
        raw.try_into().ok().map(PublicKey)
    }

    /// Whether `signature` is this key's over `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(message, signature)
            .is_ok()
    }

    /// A short name for the key: the first 8 bytes of its SHA-256, in hex.
    pub fn id(&self) -> String {
        hex(&ring::digest::digest(&ring::digest::SHA256, &self.0).as_ref()[..8])
    }

    pub fn to_pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.0);
        pem("PUBLIC KEY", &der)
    }
}

/// A new key pair: (private key PEM, public key PEM).
pub fn generate() -> Result<(String, String), String> {
    let pkcs8 =
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|e| format!("cannot generate a key: {e}"))?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|e| format!("cannot generate a key: {e}"))?;
    let public = SigningKey(pair).public();
    Ok((pem("PRIVATE KEY", pkcs8.as_ref()), public.to_pem()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER inside the first `label` block of a PEM file.
fn pem_file(p: &Path, label: &str) -> Result<Vec<u8>, String> {
    let bytes = falcorc_compiler::fs::read_bytes(p, MAX_KEY_FILE).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&bytes);
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let body = text
        .split_once(&begin)
        .and_then(|(_, rest)| rest.split_once(&end))
        .map(|(body, _)| body)
        .ok_or_else(|| format!("{}: no '{begin}' block", p.display()))?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD
        .decode(b64)
        .map_err(|e| format!("{}: the {label} block is not base64 ({e})", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_sign_and_verify_through_their_pem_files() {
        let dir = std::env::temp_dir().join(format!("falcorc-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (private, public) = generate().unwrap();
        std::fs::write(dir.join("k.pem"), &private).unwrap();
        std::fs::write(dir.join("k.pub.pem"), &public).unwrap();
        let sk = SigningKey::read(&dir.join("k.pem")).unwrap();
        let pk = PublicKey::read(&dir.join("k.pub.pem")).unwrap();
        assert_eq!(sk.public(), pk);
        let sig = sk.sign(b"ruleset");
        assert!(pk.verifies(b"ruleset", &sig));
        assert!(!pk.verifies(b"rulesex", &sig));
        let (_, other) = generate().unwrap();
        std::fs::write(dir.join("o.pub.pem"), other).unwrap();
        assert!(
            !PublicKey::read(&dir.join("o.pub.pem"))
                .unwrap()
                .verifies(b"ruleset", &sig)
        );
        // The wrong kind of file says what it expected.
        let e = PublicKey::read(&dir.join("k.pem")).err().unwrap();
        assert!(e.contains("no '-----BEGIN PUBLIC KEY-----' block"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Keys made by OpenSSL, when it is installed, work as they are.
    #[test]
    fn openssl_keys_are_read() {
        let dir = std::env::temp_dir().join(format!("falcorc-keys-openssl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let k = dir.join("k.pem");
        let made = std::process::Command::new("openssl")
            .args(["genpkey", "-algorithm", "ed25519", "-out"])
            .arg(&k)
            .status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("no openssl: skipped");
            return;
        }
        let out = std::process::Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&k)
            .output()
            .unwrap();
        std::fs::write(dir.join("k.pub.pem"), out.stdout).unwrap();
        let sk = SigningKey::read(&k).unwrap();
        let pk = PublicKey::read(&dir.join("k.pub.pem")).unwrap();
        assert!(pk.verifies(b"m", &sk.sign(b"m")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hex_round_trips_and_rejects_what_is_not_hex() {
        assert_eq!(unhex(&hex(&[0, 1, 0xab, 0xff])), Some(vec![0, 1, 0xab, 0xff]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("é1"), None);
    }
}
