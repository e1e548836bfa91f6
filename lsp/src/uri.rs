//! `file://` URIs <-> paths, so a document the editor opens and the same file found on disk
//! share one key. Other schemes (untitled documents) keep their URI as the key.

use std::path::{Path, PathBuf};

/// The path of a `file://` URI, percent-decoded; None for other schemes or bad encodings.
pub fn to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path` names a remote host; only the local form is a path here.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

/// The `file://` URI of an absolute path, percent-encoding what a URI path cannot hold.
pub fn from_path(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The key of a document: the canonical URI of its path, or the URI itself.
pub fn key(uri: &str) -> String {
    to_path(uri).map_or_else(|| uri.to_string(), |p| from_path(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_with_spaces_and_non_ascii() {
        let p = Path::new("/tmp/my rules/règles_rules.yaml");
        let u = from_path(p);
        assert_eq!(u, "file:///tmp/my%20rules/r%C3%A8gles_rules.yaml");
        assert_eq!(to_path(&u).unwrap(), p);
        // Editors may encode differently (VS Code encodes `:`); the key is the same.
        assert_eq!(key("file:///tmp/a%3Ab.yaml"), key("file:///tmp/a:b.yaml"));
        assert_eq!(key("untitled:Untitled-1"), "untitled:Untitled-1");
        assert_eq!(to_path("file:///bad%zz"), None);
        assert_eq!(to_path("file://server/share/x"), None);
    }
}
