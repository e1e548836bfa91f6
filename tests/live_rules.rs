//! The default ruleset, live: harmless versions of attack actions (tests/support/
//! attack_actions.sh, and container_actions.sh inside a cgroup named like a Docker
//! container's) each raise the rule their line names, against `falcorc run` with no `-r`;
//! ordinary work (benign_actions.sh: a C build, git, tar, Python, the usual commands) raises
//! nothing. Connections to other hosts (remote_actions.sh) are made to 127.0.0.2 under a
//! tuning file that leaves only 127.0.0.1 local: tests stay on loopback. Kernel module loads
//! are made to fail (module_attempts.sh), under a tuning file without the rules' success test.
//! Every rule of the default ruleset is either proven here or listed in
//! tests/support/not_live.tsv with the reason. Root only (loads the eBPF probe): run by .ci/run.

#[path = "support/live_run.rs"]
mod live_run;

use live_run::{Alerts, started};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Rules no harmless live action can trip here, and why (their fixtures still prove them):
/// `tests/support/not_live.tsv`, which docs/RULES.md also shows.
fn not_live() -> Vec<(String, String)> {
    std::fs::read_to_string(support("not_live.tsv"))
        .expect("not_live.tsv")
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(r, why)| (r.to_string(), why.to_string()))
        .collect()
}

/// A docker-style container id: the cgroup name falcorc takes container ids from.
const CONTAINER_ID: &str = "5ea733068030b91a7b3c1b0e7d4bd2c1e3a5f6d7e8f9a0b1c2d3e4f5a6b7c8d9";

fn support(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

/// The rules the actions of a script name: the trailing `# A, B` of its command lines.
fn tagged_rules(script: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(script).expect("script");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.rsplit_once("  # ").map(|(_, c)| c.trim()))
        .flat_map(|c| c.split(", ").map(str::to_string))
        .collect()
}

fn default_rules() -> BTreeSet<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["rules", "--default", "--format", "json"])
        .output()
        .expect("falcorc rules runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// `bash -c command` with the actions' work directory; it must succeed.
fn run_bash(command: &str, dir: &Path, what: &str) {
    let st = Command::new("bash")
        .arg("-c")
        .arg(command)
        .env("FALCORC_LIVE_DIR", dir)
        .status()
        .expect("bash runs");
    assert!(st.success(), "{what} failed");
}

fn run_script(script: &Path, dir: &Path) {
    let st = Command::new("bash")
        .arg(script)
        .env("FALCORC_LIVE_DIR", dir)
        .status()
        .expect("bash runs");
    assert!(st.success(), "{} failed", script.display());
}

/// `falcorc run` on the default rules (and `extra` arguments) while `act` runs; the
/// alerts it raised.
fn alerts_during(extra: &[&str], act: impl FnOnce()) -> Vec<Value> {
    let args: Vec<&std::ffi::OsStr> = ["--format", "json", "--rule-matching", "all"]
        .iter()
        .chain(extra)
        .map(std::ffi::OsStr::new)
        .collect();
    let (mut run, _err) = started(&args);
    let alerts = Alerts::read(run.0.stdout.take().expect("stdout"));
    act();
    // Let the last events through the ring buffer and the outputs, then stop.
    std::thread::sleep(Duration::from_secs(2));
    // SAFETY: kill(2) with a pid we own has no memory-safety preconditions.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGINT) };
    let _ = run.0.wait();
    alerts
        .finish()
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// A cgroup named like a Docker container's (`.../docker/<id>`) that a process can join: in
/// the first cgroup v1 hierarchy that needs no setup (pids), else in the v2 hierarchy.
fn container_cgroup() -> PathBuf {
    for root in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"] {
        let cg = Path::new(root).join("docker").join(CONTAINER_ID);
        if std::fs::create_dir_all(&cg).is_err() {
            continue;
        }
        let joined = Command::new("sh")
            .arg("-c")
            .arg(format!("echo $$ > {}/cgroup.procs", cg.display()))
            .status()
            .is_ok_and(|s| s.success());
        if joined {
            return cg;
        }
        let _ = std::fs::remove_dir(&cg);
    }
    panic!("no cgroup hierarchy where a process can be moved into docker/<id>")
}

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("falcorc-live-rules-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn attack_actions_raise_their_rules_live() {
    let attacks = support("attack_actions.sh");
    let in_container = support("container_actions.sh");
    let mut expected = tagged_rules(&attacks);
    expected.extend(tagged_rules(&in_container));
    let mut covered = expected.clone();
    covered.extend(tagged_rules(&support("remote_actions.sh")));
    let all = default_rules();
    for r in &covered {
        assert!(
            all.contains(r),
            "the scripts name '{r}', which the default ruleset does not have"
        );
    }
    // Every rule is proven live, or says why it cannot be.
    let untested: BTreeSet<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|r| !covered.contains(*r))
        .collect();
    let excused = not_live();
    let excused: BTreeSet<&str> = excused.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        untested, excused,
        "rules without a live action must be listed in tests/support/not_live.tsv"
    );

    let d = dir("attacks");
    let cgroup = container_cgroup();
    let alerts = alerts_during(&[], || {
        run_script(&attacks, &d);
        // The container's first process joins the cgroup, then becomes the script.
        let command = format!(
            "echo $$ > {}/cgroup.procs && exec bash {}",
            cgroup.display(),
            in_container.display()
        );
        run_bash(&command, &d, "container actions");
    });
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir(&cgroup);
    let fired: BTreeSet<&str> = alerts.iter().filter_map(|a| a["rule"].as_str()).collect();
    let missing: Vec<&String> = expected.iter().filter(|r| !fired.contains(r.as_str())).collect();
    assert!(missing.is_empty(), "not raised live: {missing:#?}\nraised: {fired:#?}");
    // The container's actions carry its id.
    let short = &CONTAINER_ID[..12];
    for r in tagged_rules(&in_container) {
        assert!(
            alerts
                .iter()
                .any(|a| a["rule"] == r.as_str() && a["output_fields"]["container.id"] == short),
            "{r} without the container's id"
        );
    }
    // A program of the image (overlayfs' lower layer) is not drift; the one added is.
    let drift: Vec<&str> = alerts
        .iter()
        .filter(|a| a["rule"] == "Program added to a container executed")
        .filter_map(|a| a["output_fields"]["proc.exepath"].as_str())
        .collect();
    assert!(drift.iter().any(|e| e.ends_with("/dropped")), "{drift:?}");
    assert!(!drift.iter().any(|e| e.ends_with("/imagetool")), "{drift:?}");
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn connections_to_other_hosts_raise_their_rules_live() {
    let script = support("remote_actions.sh");
    let tuning = support("loopback_is_remote.yaml");
    let d = dir("remote");
    let alerts = alerts_during(&["-r", "@default", "-r", tuning.to_str().expect("UTF-8 path")], || {
        run_script(&script, &d)
    });
    let _ = std::fs::remove_dir_all(&d);
    let fired: BTreeSet<&str> = alerts.iter().filter_map(|a| a["rule"].as_str()).collect();
    for r in tagged_rules(&script) {
        assert!(fired.contains(r.as_str()), "{r} not raised live; raised: {fired:#?}");
    }
    // The readiness probe (bash to 18767, no command line of its own) is a shell connection
    // too; the listener's port in the SSH alert is the one the client dialled.
    assert!(
        alerts
            .iter()
            .any(|a| a["rule"] == "SSH client connected to a non-standard port"
                && a["output_fields"]["fd.sport"].to_string().trim_matches('"') == "18767"),
        "{alerts:#?}"
    );
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn ordinary_work_raises_nothing_live() {
    let d = dir("benign");
    let script = support("benign_actions.sh");
    let alerts = alerts_during(&[], || run_script(&script, &d));
    let _ = std::fs::remove_dir_all(&d);
    // Other processes of the machine may alert; the script's (below its directory, or one
    // of the programs it runs) must not.
    let ours: Vec<&Value> = alerts
        .iter()
        .filter(|a| {
            let out = a["output"].as_str().unwrap_or_default();
            out.contains("falcorc-live-rules-benign")
                || [
                    "make", "cc", "cc1", "as", "ld", "collect2", "git", "tar", "gzip", "gunzip", "python3", "hello",
                    "sort", "sed", "awk", "find", "grep", "dpkg",
                ]
                .iter()
                .any(|p| a["output_fields"]["proc.name"] == *p)
        })
        .collect();
    assert!(ours.is_empty(), "ordinary work raised alerts: {ours:#?}");
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn refused_kernel_module_loads_raise_the_module_rules_without_their_success_test() {
    let script = support("module_attempts.sh");
    let tuning = support("module_attempts_alert.yaml");
    let d = dir("modules");
    let cgroup = container_cgroup();
    let alerts = alerts_during(&["-r", "@default", "-r", tuning.to_str().expect("UTF-8 path")], || {
        // One shell runs the host attempts, then joins the container's cgroup at once: the
        // host attempts stay the host's only if cgroups are read at the event, not later.
        let command = format!(
            "bash {s} && echo $$ > {}/cgroup.procs && exec bash {s}",
            cgroup.display(),
            s = script.display()
        );
        run_bash(&command, &d, "module attempts");
    });
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir(&cgroup);
    let containers = |rule: &str| -> Vec<String> {
        alerts
            .iter()
            .filter(|a| a["rule"] == rule && a["output_fields"]["proc.name"] == "python3")
            .map(|a| a["output_fields"]["container.id"].as_str().unwrap_or("?").to_string())
            .collect()
    };
    // finit_module and init_module each, on the host and in the container; the host's rule
    // does not print a container (it has none).
    let short = &CONTAINER_ID[..12];
    assert_eq!(containers("Kernel module loaded"), ["?", "?"], "{alerts:#?}");
    assert_eq!(containers("Kernel module loaded from a container"), [short, short]);
}
