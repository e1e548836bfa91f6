use super::*;

fn files() -> Vec<SourceFile> {
    vec![
        SourceFile {
            name: "rules/a.yaml".into(),
            text: "- list: l\n  items: [a]\n".into(),
        },
        SourceFile {
            name: "rules/b.yaml".into(),
            text: "- macro: m\n  condition: proc.name in (l)\n".into(),
        },
    ]
}

fn key(n: u8) -> (SigningKey, PublicKey) {
    let dir = std::env::temp_dir().join(format!("falcorc-bundle-key-{n}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (private, public) = keys::generate().unwrap();
    std::fs::write(dir.join("k.pem"), private).unwrap();
    std::fs::write(dir.join("k.pub"), public).unwrap();
    let k = (
        SigningKey::read(&dir.join("k.pem")).unwrap(),
        PublicKey::read(&dir.join("k.pub")).unwrap(),
    );
    let _ = std::fs::remove_dir_all(&dir);
    k
}

/// `text` with its JSON changed by `edit`.
fn edited(text: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(text).unwrap();
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn a_bundle_gives_back_its_files_in_order_with_its_digest() {
    let (text, digest) = create(&files(), None);
    let b = open(text.as_bytes(), None).unwrap();
    assert_eq!(
        b.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["rules/a.yaml", "rules/b.yaml"]
    );
    assert_eq!(b.files[1].text, files()[1].text);
    assert_eq!(b.digest, digest);
    assert!(digest.starts_with("sha256:") && digest.len() == 7 + 64, "{digest}");
    assert_eq!(b.signature, Signature::None);
    assert_eq!(b.engine_version, ENGINE_VERSION.to_string());
    // The same files give the same digest (reproducible builds); the JSON layout does not matter.
    assert_eq!(create(&files(), None).1, digest);
    let compact = edited(&text, |_| {});
    assert_eq!(open(&compact, None).unwrap().digest, digest);
}

#[test]
fn any_change_to_the_content_is_refused() {
    let (text, _) = create(&files(), None);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a file's text",
            edited(&text, |v| v["files"][0]["text"] = "- list: l\n  items: [b]\n".into()),
            "does not match its sha256",
        ),
        (
            "a file's text and its sha256",
            edited(&text, |v| {
                let t = "- list: l\n  items: [b]\n";
                v["files"][0]["text"] = t.into();
                v["files"][0]["sha256"] =
                    hex(ring::digest::digest(&ring::digest::SHA256, t.as_bytes()).as_ref()).into();
            }),
            "does not match its digest",
        ),
        (
            "the load order",
            edited(&text, |v| v["files"].as_array_mut().unwrap().reverse()),
            "does not match its digest",
        ),
        (
            "a file removed",
            edited(&text, |v| {
                v["files"].as_array_mut().unwrap().pop();
            }),
            "does not match its digest",
        ),
        (
            "a file renamed",
            edited(&text, |v| v["files"][1]["name"] = "rules/c.yaml".into()),
            "does not match its digest",
        ),
        (
            "the format",
            edited(&text, |v| v["falcorc_bundle"] = 2.into()),
            "bundle format 2",
        ),
        ("not JSON", b"- rule: x".to_vec(), "not a falcorc bundle"),
        ("not a bundle", b"{\"files\": []}".to_vec(), "no 'falcorc_bundle'"),
        (
            "truncated",
            text.as_bytes()[..text.len() / 2].to_vec(),
            "not a falcorc bundle",
        ),
    ];
    for (what, bytes, why) in cases {
        let e = open(&bytes, None).err().unwrap_or_else(|| panic!("{what}: accepted"));
        assert!(e.contains(why), "{what}: {e}");
    }
}

#[test]
fn a_bundle_for_another_engine_major_version_is_refused_with_both_versions() {
    let (text, _) = create(&files(), None);
    // A consistent bundle (digest recomputed) that says another engine built it.
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["engine_version"] = "1.0.0".into();
    v["digest"] = digest_of(&canonical(env!("CARGO_PKG_VERSION"), "1.0.0", &files())).into();
    let e = open(&serde_json::to_vec(&v).unwrap(), None).unwrap_err();
    assert!(
        e.contains("built for engine version 1.0.0") && e.contains(&ENGINE_VERSION.to_string()),
        "{e}"
    );
}

#[test]
fn signatures_verify_with_the_right_key_only() {
    let (sk, pk) = key(1);
    let (_, other) = key(2);
    let (signed, digest) = create(&files(), Some(&sk));
    let b = open(signed.as_bytes(), Some(&pk)).unwrap();
    assert_eq!(b.signature, Signature::Verified(pk.id()));
    assert_eq!(b.digest, digest);
    let e = open(signed.as_bytes(), Some(&other)).unwrap_err();
    assert!(e.contains("does not verify with key"), "{e}");
    // Without a key, the digest is still checked; the signature is named, not trusted.
    assert_eq!(
        open(signed.as_bytes(), None).unwrap().signature,
        Signature::Unchecked(pk.id())
    );
    // A required key refuses an unsigned bundle, and a signature stripped or moved.
    let (unsigned, _) = create(&files(), None);
    assert!(open(unsigned.as_bytes(), Some(&pk)).unwrap_err().contains("not signed"));
    let stripped = edited(&signed, |v| {
        v.as_object_mut().unwrap().remove("signature");
    });
    assert!(open(&stripped, Some(&pk)).unwrap_err().contains("not signed"));
    let other_files = vec![files()[0].clone()];
    let (other_bundle, _) = create(&other_files, None);
    let moved = edited(&other_bundle, |v| {
        v["signature"] = serde_json::from_str::<Value>(&signed).unwrap()["signature"].clone();
    });
    assert!(open(&moved, Some(&pk)).unwrap_err().contains("does not verify"));
}
