//! `falcorc build` and what `run --bundle` refuses before anything starts: checked rules
//! into one bundle (load order, digest, signature), keys made and used, and a bundle that
//! was altered, signed by another key, unsigned where a key is required or unreachable.
//! (Loading a good bundle, polling a URL and the cache are in tests/live_reload.rs: they
//! start the probe.)

#[path = "../runtime/tests/support/http_server.rs"]
mod http_server;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn falcorc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(args)
        .output()
        .expect("falcorc runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("falcorc-cli-bundle-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("rules")).unwrap();
    std::fs::write(d.join("rules/a_lists.yaml"), "- list: shells\n  items: [bash, sh]\n").unwrap();
    std::fs::write(
        d.join("rules/b_rules.yaml"),
        "- rule: shell\n  desc: a shell runs\n  condition: evt.type = execve and proc.name in (shells)\n  \
         output: shell %proc.name\n  priority: NOTICE\n",
    )
    .unwrap();
    // A rule fixture beside the rules: not part of the ruleset.
    std::fs::write(d.join("rules/b_rules.test.yaml"), "tests: []\n").unwrap();
    d
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn build_writes_the_checked_rules_in_load_order_with_a_reproducible_digest() {
    let d = dir("build");
    let out = d.join("ruleset.bundle");
    let o = falcorc(&["build", p(&d.join("rules")), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let said = text(&o.stdout);
    assert!(
        said.contains("ruleset.bundle: 2 files, 1 rules, sha256:") && said.trim_end().ends_with("unsigned"),
        "{said}"
    );
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let names: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(
        names[0].ends_with("rules/a_lists.yaml") && names[1].ends_with("rules/b_rules.yaml"),
        "{names:?}"
    );
    let digest = v["digest"].as_str().unwrap().to_string();
    assert!(said.contains(&digest));
    // The same rules, the same digest.
    let again = falcorc(&["build", p(&d.join("rules")), "-o", p(&d.join("again.bundle"))]);
    assert!(text(&again.stdout).contains(&digest));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn build_refuses_rules_with_errors_and_leaves_the_previous_bundle_alone() {
    let d = dir("broken");
    let out = d.join("ruleset.bundle");
    std::fs::write(&out, "previous").unwrap();
    std::fs::write(
        d.join("rules/c.yaml"),
        "- rule: r\n  desc: d\n  condition: proc.name = = x\n  output: o\n  priority: INFO\n",
    )
    .unwrap();
    let o = falcorc(&["build", p(&d.join("rules")), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("c.yaml:3:") && err.contains("; no bundle written"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    let leftovers: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let missing = falcorc(&["build", p(&d.join("nope.yaml")), "-o", p(&out)]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("nope.yaml"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn keys_sign_bundles_and_run_refuses_what_does_not_verify_before_starting() {
    let d = dir("keys");
    let key = d.join("signing.pem");
    let o = falcorc(&["build", "--generate-key", p(&key)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let pubkey = d.join("signing.pem.pub");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&pubkey)
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    let again = falcorc(&["build", "--generate-key", p(&key)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("exists; not overwritten"));
    let other = d.join("other.pem");
    assert!(falcorc(&["build", "--generate-key", p(&other)]).status.success());

    let signed = d.join("signed.bundle");
    let o = falcorc(&["build", p(&d.join("rules")), "-o", p(&signed), "--sign-key", p(&key)]);
    assert!(text(&o.stdout).contains("signed with key "), "{}", text(&o.stdout));
    let unsigned = d.join("unsigned.bundle");
    assert!(
        falcorc(&["build", p(&d.join("rules")), "-o", p(&unsigned)])
            .status
            .success()
    );
    let tampered = d.join("tampered.bundle");
    let t = std::fs::read_to_string(&signed)
        .unwrap()
        .replace("[bash, sh]", "[bash, sh, zsh]");
    std::fs::write(&tampered, t).unwrap();

    let run = |bundle: &Path, key: Option<&Path>| {
        let mut args = vec!["run", "--duration", "1", "--bundle", p(bundle)];
        if let Some(k) = key {
            args.extend(["--bundle-key", p(k)]);
        }
        falcorc(&args)
    };
    for (bundle, key, why) in [
        (&signed, Some(&d.join("other.pem.pub")), "does not verify with key"),
        (
            &tampered,
            Some(&pubkey),
            "does not match its sha256: the bundle was altered",
        ),
        (&tampered, None, "the bundle was altered"),
        (&unsigned, Some(&pubkey), "the bundle is not signed, and a key"),
        (&d.join("missing.bundle"), None, "missing.bundle"),
    ] {
        let o = run(bundle, key.map(PathBuf::as_path));
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bundle:?}: {err}");
        assert!(
            err.contains(why) && err.contains("nothing started"),
            "{bundle:?}: {err}"
        );
    }
    // A private key where the public one belongs says what it expected.
    let o = run(&signed, Some(&key));
    assert!(
        text(&o.stderr).contains("--bundle-key") && text(&o.stderr).contains("PUBLIC KEY"),
        "{}",
        text(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_unreachable_bundle_url_without_a_cache_is_an_error_before_starting() {
    let served: http_server::Served = Default::default(); // nothing to serve: 503
    let (url, seen) = http_server::etag_server(served);
    let o = falcorc(&["run", "--duration", "1", "--bundle", &url]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("answered 503") && err.contains("nothing started"), "{err}");
    let req = seen.recv_timeout(std::time::Duration::from_secs(5)).expect("a GET");
    assert_eq!((req.method.as_str(), req.header("If-None-Match")), ("GET", None));
    assert!(req.header("User-Agent").is_some_and(|u| u.starts_with("falcorc/")));
}
