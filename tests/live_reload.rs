//! Hot reload of `falcorc run` while events keep coming: SIGHUP and `watch_config_files`
//! switch to new rules and outputs between two events (every event evaluated once, by
//! the old rules or the new), and a reload with errors reports them all and changes
//! nothing.
//!
//! Needs root (loads the eBPF probe): `.ci/run` runs it with
//! `cargo test --test live_reload -- --ignored --test-threads=1`.

#[path = "support/live_run.rs"]
mod live_run;

use live_run::{Alerts, KillOnDrop, eventually, flood_dir, read_until, started, wait_exit};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A rule on the flood's opens below `dir/n/`, its alerts saying `label` and the path.
fn rules(dir: &Path, label: &str) -> String {
    format!(
        "- rule: reload {label}\n  desc: the flood's numbered opens\n  \
         condition: evt.type in (open, openat, openat2) and proc.name = falcorc-flood and fd.name startswith {}/n/\n  \
         output: \"{label} %fd.name\"\n  priority: INFO\n",
        dir.display()
    )
}

/// Opens `dir/n/1`, `dir/n/2`, ... (none exist: each open fails, and is an event) in
/// batches of ten with a 10 ms pause, until `dir/stop` exists; then writes how many
/// to `dir/count`.
fn numbered_flood(exe: &Path, dir: &Path) -> KillOnDrop {
    let d = dir.display();
    let script = format!(
        "i=0; while [ ! -e {d}/stop ]; do for j in 0 1 2 3 4 5 6 7 8 9; do i=$((i+1)); \
         {{ read x < {d}/n/$i; }} 2>/dev/null; done; sleep 0.01; done; echo $i > {d}/count"
    );
    KillOnDrop(
        Command::new(exe)
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("the flood starts"),
    )
}

/// Stops the flood (its stop file), waits for the alert of its last open, then stops
/// `run` with SIGTERM: (how many the flood opened, every alert line).
fn stop(dir: &Path, flood: &mut KillOnDrop, run: &mut KillOnDrop, alerts: Alerts) -> (u64, Vec<String>) {
    std::fs::write(dir.join("stop"), "").unwrap();
    let flood_status = wait_exit(&mut flood.0, Instant::now(), "the stop file");
    assert!(flood_status.success(), "{flood_status}");
    let count = std::fs::read_to_string(dir.join("count")).unwrap();
    let total: u64 = count.trim().parse().unwrap();
    eventually("the flood's last alert", || {
        alerts.any_ends_with(&format!("/n/{total}"))
    });
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGTERM) };
    assert!(wait_exit(&mut run.0, Instant::now(), "SIGTERM").success());
    (total, alerts.finish())
}

fn hangup(run: &KillOnDrop) {
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGHUP) };
}

/// (label, number) of an alert line `TIME: Informational LABEL DIR/n/NUMBER`.
fn parse(line: &str) -> (String, u64) {
    let mut words = line.rsplit(' ');
    let path = words.next().unwrap_or_default();
    let label = words.next().unwrap_or_default().to_string();
    let n = path
        .rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a numbered alert: {line}"));
    (label, n)
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn reloads_under_load_switch_between_two_events_and_a_broken_one_changes_nothing() {
    let (dir, exe) = flood_dir("reload", "/bin/sh");
    let rules_file = dir.join("rules.yaml");
    let config = dir.join("falco.yaml");
    let alerts_file = dir.join("alerts.txt");
    std::fs::write(&rules_file, rules(&dir, "old")).unwrap();
    let config_text = |watch: bool, file: bool| {
        let mut c = format!(
            "rules_files: [{}]\nstdout_output: {{enabled: true}}\nwatch_config_files: {watch}\n",
            rules_file.display()
        );
        if file {
            c += &format!("file_output: {{enabled: true, filename: {}}}\n", alerts_file.display());
        }
        c
    };
    std::fs::write(&config, config_text(false, false)).unwrap();
    let (mut run, mut err) = started(&["-c".as_ref(), config.as_os_str()]);
    let alerts = Alerts::read(run.0.stdout.take().expect("stdout"));
    let count_of = |label: &str| alerts.count(label);
    let mut flood = numbered_flood(&exe, &dir);
    eventually("alerts of the first rules", || count_of("old") >= 50);

    // A valid change, on SIGHUP.
    std::fs::write(&rules_file, rules(&dir, "new")).unwrap();
    hangup(&run);
    read_until(&mut err, "falcorc: reloaded: 1 rules active", Duration::from_secs(10));
    eventually("alerts of the reloaded rules", || count_of("new") >= 50);

    // A broken change: every error, with its place; the running rules go on.
    std::fs::write(&rules_file, rules(&dir, "new").replace("evt.type in", "evt.type inn")).unwrap();
    hangup(&run);
    let said = read_until(&mut err, "falcorc: reload failed", Duration::from_secs(10)).join("\n");
    assert!(said.contains("rules.yaml:3:"), "{said}");
    assert!(said.contains("the rules have 2 errors"), "{said}");
    let before = count_of("new");
    eventually("alerts after a failed reload", || count_of("new") >= before + 50);

    // The configuration changes: a file output is added (outputs switch too) and the
    // files are watched from now on.
    std::fs::write(&rules_file, rules(&dir, "new")).unwrap();
    std::fs::write(&config, config_text(true, true)).unwrap();
    hangup(&run);
    read_until(&mut err, "falcorc: reloaded", Duration::from_secs(10));
    let file_lines = || {
        std::fs::read_to_string(&alerts_file)
            .unwrap_or_default()
            .lines()
            .count()
    };
    eventually("alerts in the new file output", || file_lines() >= 20);

    // A change noticed by the watch alone.
    std::fs::write(&rules_file, rules(&dir, "newer")).unwrap();
    read_until(&mut err, "a watched file changed", Duration::from_secs(10));
    read_until(&mut err, "falcorc: reloaded", Duration::from_secs(10));
    eventually("alerts of the watched change", || count_of("newer") >= 50);

    let (total, lines) = stop(&dir, &mut flood, &mut run, alerts);
    let rest: Vec<String> = err.collect();
    let final_line = rest
        .iter()
        .find(|l| l.starts_with("falcorc final:"))
        .expect("final stats");
    assert!(
        final_line.contains(" 0 dropped"),
        "the probe dropped events: {final_line}"
    );

    // Every open alerted exactly once, by one ruleset: old, then new, then newer.
    let mut seen: Vec<(u64, String)> = lines
        .iter()
        .map(|l| {
            let (label, n) = parse(l);
            (n, label)
        })
        .collect();
    seen.sort();
    let numbers: Vec<u64> = seen.iter().map(|(n, _)| *n).collect();
    let expected: Vec<u64> = (1..=total).collect();
    if numbers != expected {
        let missing: Vec<u64> = expected.iter().filter(|n| !numbers.contains(n)).copied().collect();
        let twice: Vec<u64> = numbers.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
        panic!(
            "{} alerts for {total} opens; missing {missing:?}, twice {twice:?}",
            numbers.len()
        );
    }
    let rank = |l: &str| ["old", "new", "newer"].iter().position(|x| *x == l).expect("a label");
    let ranks: Vec<usize> = seen.iter().map(|(_, l)| rank(l)).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "an event evaluated by rules older than an earlier event's"
    );
    // The file output took over at a switch: every line it has is on stdout too.
    let file: Vec<String> = std::fs::read_to_string(&alerts_file)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(!file.is_empty());
    for l in &file {
        assert!(lines.contains(l), "in the file but not on stdout: {l}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A configuration that reload cannot accept (an invalid value) keeps the running one,
/// and says which key of which file is wrong.
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn a_broken_configuration_on_reload_keeps_the_running_one() {
    let (dir, exe) = flood_dir("reload-conf", "/bin/sh");
    let rules_file = dir.join("rules.yaml");
    std::fs::write(&rules_file, rules(&dir, "kept")).unwrap();
    let config = dir.join("falco.yaml");
    std::fs::write(
        &config,
        format!(
            "rules_files: [{}]\nstdout_output: {{enabled: true}}\n",
            rules_file.display()
        ),
    )
    .unwrap();
    let (mut run, mut err) = started(&["-c".as_ref(), config.as_os_str()]);
    std::fs::write(
        &config,
        format!(
            "rules_files: [{}]\nstdout_output: {{enabled: sometimes}}\n",
            rules_file.display()
        ),
    )
    .unwrap();
    // Watched by default, as in Falco: no signal needed.
    let said = read_until(&mut err, "falcorc: reload failed", Duration::from_secs(10)).join("\n");
    assert!(
        said.contains("falco.yaml:2:") && said.contains("stdout_output.enabled: 'sometimes' is not true or false"),
        "{said}"
    );
    let st = Command::new(&exe)
        .args(["-c", &format!("read x < {}/n/1", dir.display())])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!st.success(), "the file does not exist");
    let mut out = BufReader::new(run.0.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains(" kept ") && line.trim_end().ends_with("/n/1"), "{line}");
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGTERM) };
    assert!(wait_exit(&mut run.0, Instant::now(), "SIGTERM").success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A reload whose rules need an event type the running ones did not (so the probe was
/// not sending it): the probe's filter is widened before the switch, so the new rules
/// see every such event from the switch on. A flood (Perl, for its `rmdir`) opens and
/// then removes `n/1`, `n/2`, ...; the first rules alert on the opens, the reloaded ones
/// on the removals: opens 1..=a alert, then removals from a or a + 1 on, with no gap.
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn a_reload_that_needs_new_event_types_sees_them_from_the_switch_on() {
    let (dir, exe) = flood_dir("reload-widen", "/usr/bin/perl");
    let d = dir.display();
    let rules_file = dir.join("rules.yaml");
    std::fs::write(&rules_file, rules(&dir, "open")).unwrap();
    let removals = format!(
        "- rule: reload rmdir\n  desc: the flood's numbered removals\n  \
         condition: evt.type = rmdir and proc.name = falcorc-flood and evt.arg.path startswith {d}/n/\n  \
         output: \"rmdir %evt.arg.path\"\n  priority: INFO\n"
    );
    let (mut run, mut err) = started(&["-r".as_ref(), rules_file.as_os_str()]);
    let alerts = Alerts::read(run.0.stdout.take().expect("stdout"));
    let count_of = |label: &str| alerts.count(label);
    let script = format!(
        "my $i = 0; until (-e '{d}/stop') {{ for (1..10) {{ $i++; open(my $f, '<', '{d}/n/' . $i); \
         rmdir('{d}/n/' . $i); }} select(undef, undef, undef, 0.01); }} \
         open(my $c, '>', '{d}/count'); print $c $i;"
    );
    let mut flood = KillOnDrop(
        Command::new(&exe)
            .args(["-e", &script])
            .stdin(Stdio::null())
            .spawn()
            .expect("the flood starts"),
    );
    eventually("alerts on opens", || count_of("open") >= 50);
    std::fs::write(&rules_file, removals).unwrap();
    hangup(&run);
    read_until(&mut err, "falcorc: reloaded", Duration::from_secs(10));
    eventually("alerts on removals", || count_of("rmdir") >= 50);
    let (total, lines) = stop(&dir, &mut flood, &mut run, alerts);
    let numbers = |label: &str| -> Vec<u64> {
        let mut v: Vec<u64> = lines
            .iter()
            .map(|l| parse(l))
            .filter(|(l, _)| l == label)
            .map(|(_, n)| n)
            .collect();
        v.sort();
        v
    };
    let (opens, rmdirs) = (numbers("open"), numbers("rmdir"));
    let a = *opens.last().expect("open alerts");
    let b = *rmdirs.first().expect("rmdir alerts");
    assert_eq!(
        opens,
        (1..=a).collect::<Vec<_>>(),
        "opens alerted once each, up to the switch"
    );
    assert_eq!(
        rmdirs,
        (b..=total).collect::<Vec<_>>(),
        "removals alerted once each, from the switch"
    );
    assert!(
        b == a || b == a + 1,
        "a gap at the switch: opens up to {a}, removals from {b}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn a_reload_that_matches_other_failed_opens_gets_them_from_the_switch_on() {
    // The flood's opens all fail. The first rules match failed opens of another directory,
    // so the probe leaves the flood's in the kernel; the reloaded rules match them, and the
    // probe's path table must change with the switch, with no gap.
    let (dir, exe) = flood_dir("reload-paths", "/bin/sh");
    let rules_file = dir.join("rules.yaml");
    let elsewhere =
        rules(&dir, "elsewhere").replace(&format!("{}/n/", dir.display()), &format!("{}/x/", dir.display()));
    std::fs::write(&rules_file, elsewhere).unwrap();
    let (mut run, mut err) = started(&["-r".as_ref(), rules_file.as_os_str()]);
    let alerts = Alerts::read(run.0.stdout.take().expect("stdout"));
    let mut flood = numbered_flood(&exe, &dir);
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(&rules_file, rules(&dir, "new")).unwrap();
    hangup(&run);
    read_until(&mut err, "falcorc: reloaded", Duration::from_secs(10));
    eventually("alerts of the reloaded rules", || alerts.count("new") >= 50);
    let (total, lines) = stop(&dir, &mut flood, &mut run, alerts);
    let mut numbers: Vec<u64> = lines.iter().map(|l| parse(l)).map(|(_, n)| n).collect();
    numbers.sort();
    let first = *numbers.first().expect("alerts after the switch");
    assert!(first > 1, "the first rules matched nothing of the flood");
    assert_eq!(
        numbers,
        (first..=total).collect::<Vec<_>>(),
        "every failed open from the switch on, once"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[path = "../runtime/tests/support/http_server.rs"]
mod http_server;

/// `falcorc build` of `rules(dir, label)` signed with `key`: the bundle's bytes.
fn bundle_of(dir: &Path, label: &str, key: &Path) -> Vec<u8> {
    let src = dir.join(format!("{label}.yaml"));
    std::fs::write(&src, rules(dir, label)).unwrap();
    let out = dir.join(format!("{label}.bundle"));
    let o = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["build", "--sign-key"])
        .args([key, &src])
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(out).unwrap()
}

/// `run --bundle URL`: the server is asked with the ETag of what runs (an unchanged
/// bundle is a 304 and nothing happens), a new signed bundle takes over between two
/// events, an altered one is reported once and changes nothing, an unreachable server
/// changes nothing; the last good bundle is kept in the cache file, and the next start,
/// with the server down, starts from it.
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn a_bundle_url_is_polled_with_its_etag_and_the_last_good_bundle_keeps_running() {
    let (dir, exe) = flood_dir("reload-bundle", "/bin/sh");
    let key = dir.join("k.pem");
    let st = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["build", "--generate-key"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(st.status.success());
    let pubkey = dir.join("k.pem.pub");
    let (one, two) = (bundle_of(&dir, "one", &key), bundle_of(&dir, "two", &key));
    let served: http_server::Served = Default::default();
    *served.lock().unwrap() = Some((one, "\"1\"".into()));
    let (url, seen) = http_server::etag_server(served.clone());
    let cache = dir.join("cache.bundle");
    let args = |url: &str| -> Vec<std::ffi::OsString> {
        vec![
            "--bundle".into(),
            url.into(),
            "--bundle-key".into(),
            pubkey.clone().into(),
            "--bundle-poll".into(),
            "0.2".into(),
            "--bundle-cache".into(),
            cache.clone().into(),
        ]
    };
    let a = args(&url);
    let (mut run, mut err) = started(&a.iter().map(|s| s.as_os_str()).collect::<Vec<_>>());
    let alerts = Alerts::read(run.0.stdout.take().expect("stdout"));
    let mut flood = numbered_flood(&exe, &dir);
    eventually("alerts of bundle one", || alerts.count("one") >= 30);
    // Polls ask with the ETag of what runs.
    let asked = std::cell::Cell::new(0);
    eventually("polls with the running bundle's ETag", || {
        let n = seen
            .try_iter()
            .filter(|r| r.header("If-None-Match") == Some("\"1\""))
            .count();
        asked.set(asked.get() + n);
        asked.get() >= 2
    });
    assert_eq!(
        std::fs::read(&cache).unwrap(),
        bundle_of(&dir, "one", &key),
        "the cache holds the good bundle"
    );

    *served.lock().unwrap() = Some((two.clone(), "\"2\"".into()));
    read_until(&mut err, "falcorc: reloaded", Duration::from_secs(10));
    eventually("alerts of bundle two", || alerts.count("two") >= 30);
    assert_eq!(std::fs::read(&cache).unwrap(), two);

    // Altered after signing: refused once (its ETag is remembered), bundle two runs on.
    let altered = String::from_utf8(two.clone())
        .unwrap()
        .replace("priority: INFO", "priority: DEBUG");
    *served.lock().unwrap() = Some((altered.into_bytes(), "\"3\"".into()));
    let said = read_until(&mut err, "falcorc: reload failed", Duration::from_secs(10)).join("\n");
    assert!(said.contains("the bundle was altered"), "{said}");
    let before = alerts.count("two");
    eventually("alerts after a refused bundle", || alerts.count("two") >= before + 30);
    // The server goes away: polls fail, bundle two runs on.
    *served.lock().unwrap() = None;
    read_until(&mut err, "answered 503", Duration::from_secs(10));
    let before = alerts.count("two");
    eventually("alerts with the server down", || alerts.count("two") >= before + 30);
    let (total, lines) = stop(&dir, &mut flood, &mut run, alerts);
    let rest: Vec<String> = err.collect();
    assert_eq!(
        rest.iter().filter(|l| l.contains("was altered")).count(),
        0,
        "the altered bundle was reported again: {rest:#?}"
    );
    let mut numbers: Vec<u64> = lines.iter().map(|l| parse(l).1).collect();
    numbers.sort();
    assert_eq!(
        numbers,
        (1..=total).collect::<Vec<_>>(),
        "every open alerted once across the switch"
    );

    // A new start with the server down: from the cache (bundle two).
    let (mut run, err) = started(&a.iter().map(|s| s.as_os_str()).collect::<Vec<_>>());
    drop(err);
    let st = Command::new(&exe)
        .args(["-c", &format!("read x < {}/n/1", dir.display())])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!st.success());
    let mut out = BufReader::new(run.0.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains(" two ") && line.trim_end().ends_with("/n/1"), "{line}");
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGTERM) };
    assert!(wait_exit(&mut run.0, Instant::now(), "SIGTERM").success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `run --bundle FILE` watches the file: `falcorc build` writing a new bundle over it (by
/// rename) is a reload.
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn a_bundle_file_rewritten_by_build_is_reloaded() {
    let (dir, exe) = flood_dir("reload-bundle-file", "/bin/sh");
    let key = dir.join("k.pem");
    let made = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["build", "--generate-key"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(made.status.success());
    let bundle = dir.join("live.bundle");
    std::fs::write(&bundle, bundle_of(&dir, "first", &key)).unwrap();
    let (mut run, mut err) = started(&["--bundle".as_ref(), bundle.as_os_str()]);
    let alerts = Alerts::read(run.0.stdout.take().expect("stdout"));
    let open_once = || {
        let _ = Command::new(&exe)
            .args(["-c", &format!("read x < {}/n/1", dir.display())])
            .stderr(Stdio::null())
            .status();
    };
    open_once();
    eventually("an alert of the first bundle", || alerts.count("first") >= 1);
    let src = dir.join("second.yaml");
    std::fs::write(&src, rules(&dir, "second")).unwrap();
    let built = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .arg("build")
        .arg(&src)
        .arg("-o")
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(built.status.success());
    read_until(&mut err, "falcorc: reloaded", Duration::from_secs(10));
    open_once();
    eventually("an alert of the second bundle", || alerts.count("second") >= 1);
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGTERM) };
    assert!(wait_exit(&mut run.0, Instant::now(), "SIGTERM").success());
    let _ = std::fs::remove_dir_all(&dir);
}
