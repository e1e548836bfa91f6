//! Live detection on this machine: `falcorc run` with Falco's stable rules and a few of
//! our own, real actions, and the alerts they must (or must not) raise within 2 s.
//!
//! These need root and load the eBPF probe, so they are ignored by a plain `cargo test`;
//! `.ci/run` runs them with `cargo test --test live -- --ignored --test-threads=1`.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const WITHIN: Duration = Duration::from_secs(2);

#[path = "../runtime/tests/support/http_server.rs"]
mod http_server;
#[path = "support/live_run.rs"]
mod live_run;
use live_run::{KillOnDrop, eventually, flood, flood_setup, read_until, started, wait_exit};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn falco_rules() -> PathBuf {
    let base = std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"));
    let p = base.join("falco-upstream/falco_rules.yaml");
    assert!(p.exists(), "{} is missing (set FALCORC_SHARED)", p.display());
    p
}

fn own_rules() -> PathBuf {
    root().join("testdata/live/rules.yaml")
}

/// A running `falcorc run --format json`, its alerts arriving on a channel.
struct Live {
    child: Child,
    alerts: Receiver<Value>,
    stderr: Receiver<String>,
}

impl Live {
    fn start(rules: &[PathBuf]) -> Live {
        Live::start_with(rules, &[])
    }

    /// With no rules files, the embedded default ruleset.
    fn start_with(rules: &[PathBuf], extra: &[&str]) -> Live {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_falcorc"));
        cmd.arg("run")
            .args(["--format", "json", "--rule-matching", "all"])
            .args(extra);
        for r in rules {
            cmd.arg("-r").arg(r);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("falcorc starts");
        let (atx, alerts) = channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if atx.send(v).is_err() {
                    break;
                }
            }
        });
        let (etx, stderr) = channel();
        let err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if etx.send(line).is_err() {
                    break;
                }
            }
        });
        let live = Live { child, alerts, stderr };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match live.stderr.recv_timeout(left) {
                Ok(l) if l.starts_with("falcorc: live") => break,
                Ok(l) => eprintln!("falcorc: {l}"),
                Err(e) => panic!("falcorc did not start: {e}"),
            }
        }
        live
    }

    /// The first alert of `rule` that satisfies `pred`, waited for up to [`WITHIN`].
    fn expect(&self, rule: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WITHIN;
        let mut seen = Vec::new();
        while let Ok(a) = self
            .alerts
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if a["rule"] == rule && pred(&a) {
                return a;
            }
            seen.push(a["output"].to_string());
        }
        panic!("no '{rule}' alert within {WITHIN:?}; other alerts: {seen:#?}")
    }

    /// Every alert of the next `wait`.
    fn collect(&self, wait: Duration) -> Vec<Value> {
        let deadline = Instant::now() + wait;
        let mut out = Vec::new();
        while let Ok(a) = self
            .alerts
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            out.push(a);
        }
        out
    }

    /// SIGTERM, then the exit status and the final statistics line.
    fn stop(mut self) -> String {
        // SAFETY: signalling our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().expect("falcorc exits");
        assert!(status.success(), "falcorc exited with {status}");
        // The reader thread ends at EOF, which closes the channel.
        let mut lines = Vec::new();
        while let Ok(l) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            lines.push(l);
        }
        lines
            .into_iter()
            .find(|l| l.starts_with("falcorc final:"))
            .expect("final statistics after SIGTERM")
    }
}

/// A failed test must not leave the probe attached.
impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn field<'a>(a: &'a Value, name: &str) -> &'a Value {
    &a["output_fields"][name]
}

fn sh(script: &str) {
    let st = Command::new("sh").arg("-c").arg(script).status().expect("sh runs");
    assert!(st.success(), "{script}");
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn sensitive_file_read_by_an_untrusted_program() {
    let live = Live::start(&[falco_rules()]);
    let t0 = Instant::now();
    sh("cat /etc/shadow > /dev/null");
    let a = live.expect("Read sensitive file untrusted", |a| field(a, "proc.name") == "cat");
    assert!(t0.elapsed() < WITHIN);
    assert_eq!(field(&a, "fd.name"), "/etc/shadow");
    assert_eq!(field(&a, "proc.cmdline"), "cat /etc/shadow");
    assert_eq!(field(&a, "user.name"), "root");
    assert_eq!(field(&a, "proc.exepath"), "/usr/bin/cat");
    assert_eq!(a["priority"], "Warning");
    assert_eq!(a["source"], "syscall");
    let stats = live.stop();
    assert!(
        stats.contains("Read sensitive file untrusted") || stats.contains("alerts:"),
        "{stats}"
    );
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn symlink_over_a_sensitive_file_and_ptrace_attach() {
    let live = Live::start(&[falco_rules()]);
    let link = "/tmp/falcorc-live-shadow-link";
    let _ = std::fs::remove_file(link);
    sh(&format!("ln -s /etc/shadow {link}"));
    let a = live.expect("Create Symlink Over Sensitive Files", |a| {
        field(a, "evt.arg.linkpath") == link
    });
    assert_eq!(field(&a, "proc.name"), "ln");
    assert_eq!(field(&a, "evt.arg.target"), "/etc/shadow");
    assert_eq!(field(&a, "proc.cmdline"), format!("ln -s /etc/shadow {link}").as_str());
    let _ = std::fs::remove_file(link);

    // PTRACE_ATTACH from this test process to a sleeping child.
    let mut sleeper = Command::new("sleep").arg("5").spawn().expect("sleep");
    // SAFETY: attach to and detach from our own child; no memory is touched.
    let res = unsafe { libc::ptrace(libc::PTRACE_ATTACH, sleeper.id() as i32, 0, 0) };
    assert_eq!(res, 0, "ptrace attach");
    let a = live.expect("PTRACE attached to process", |a| field(a, "evt.type") == "ptrace");
    assert_eq!(field(&a, "user.name"), "root");
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    live.stop();
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn own_rules_on_writes_connects_terminals_and_unlinks() {
    let live = Live::start(&[own_rules()]);
    let file = "/etc/falcorc-live-write";
    sh(&format!("touch {file}"));
    let a = live.expect("falcorc live write below etc", |_| true);
    assert_eq!(field(&a, "fd.name"), file);
    assert_eq!(field(&a, "proc.name"), "touch");
    assert_eq!(field(&a, "proc.cmdline"), format!("touch {file}").as_str());
    assert_eq!(field(&a, "user.name"), "root");
    sh(&format!("rm {file}"));
    let a = live.expect("falcorc live unlink", |_| true);
    assert_eq!(field(&a, "proc.name"), "rm");

    let listener = std::net::TcpListener::bind("127.0.0.1:47999").expect("listen on 47999");
    let stream = std::net::TcpStream::connect("127.0.0.1:47999").expect("connect");
    let local = stream.local_addr().expect("local address");
    let a = live.expect("falcorc live outbound connect", |_| true);
    assert_eq!(
        field(&a, "fd.name"),
        format!("127.0.0.1:{}->127.0.0.1:47999", local.port()).as_str()
    );
    drop((stream, listener));

    // script(1) runs the shell on a new pseudo-terminal.
    sh("script -qc 'sh -c \"true falcorc-live-tty\"' /dev/null > /dev/null");
    // script(1) starts it through $SHELL -c, which alerts too and is itself `sh` when $SHELL
    // is unset or /bin/sh: wait for the inner shell by its command line.
    let inner = "sh -c true falcorc-live-tty";
    let a = live.expect("falcorc live shell on a terminal", |a| {
        field(a, "proc.cmdline") == inner
    });
    assert_eq!(field(&a, "proc.name"), "sh");
    assert_ne!(field(&a, "proc.tty"), 0);
    live.stop();
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn execve_carries_the_kernels_working_directory() {
    let real = "/tmp/falcorc-live-cwd.real";
    let link = "/tmp/falcorc-live-cwd.lnk";
    let _ = std::fs::remove_file(link);
    std::fs::create_dir_all(format!("{real}/sub")).expect("make the directory");
    std::os::unix::fs::symlink(real, link).expect("make the symlink");
    let live = Live::start(&[own_rules()]);
    let started = |marker: &str| {
        let cmdline = format!("sh -c true falcorc-live-cwd {marker}");
        live.expect("falcorc live working directory", |a| {
            field(a, "proc.cmdline") == cmdline.as_str()
        })
    };
    // `cd` through a symlink: the shell's chdir names the link, the kernel resolves it. The
    // event carries the kernel's path; `proc.cwd` is what chdir tracking gives, as in Falco
    // 0.44.1, whose alerts on the reference captures leave the event's cwd unused.
    sh(&format!("cd {link}/sub && sh -c 'true falcorc-live-cwd link'"));
    let a = started("link");
    assert_eq!(field(&a, "evt.arg.cwd"), format!("{real}/sub").as_str());
    assert_eq!(field(&a, "proc.cwd"), format!("{link}/sub/").as_str());
    // Below a mount point (procfs), and at the root.
    sh("cd /proc/sys && sh -c 'true falcorc-live-cwd mount'");
    assert_eq!(field(&started("mount"), "evt.arg.cwd"), "/proc/sys");
    sh("cd / && sh -c 'true falcorc-live-cwd root'");
    assert_eq!(field(&started("root"), "evt.arg.cwd"), "/");
    live.stop();
    let _ = std::fs::remove_file(link);
    let _ = std::fs::remove_dir_all(real);
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn harmless_activity_raises_nothing() {
    let live = Live::start(&[falco_rules(), own_rules()]);
    let marker = "falcorc-harmless";
    sh(&format!(
        "ls /tmp > /dev/null; cat /etc/hostname > /dev/null; echo {marker} > /tmp/{marker}; \
         mkdir -p /tmp/{marker}.d; rm -rf /tmp/{marker} /tmp/{marker}.d; sh -c 'true {marker}'; \
         ln -sf /tmp /tmp/{marker}.lnk; rm -f /tmp/{marker}.lnk"
    ));
    let ours: Vec<Value> = live
        .collect(WITHIN)
        .into_iter()
        .filter(|a| {
            a["output"]
                .as_str()
                .is_some_and(|o| o.contains(marker) || o.contains("command=sh -c ls"))
        })
        .collect();
    assert!(ours.is_empty(), "harmless commands raised alerts: {ours:#?}");
    // The pipeline was alive all along: a real action still alerts.
    sh("cat /etc/shadow > /dev/null");
    live.expect("Read sensitive file untrusted", |a| field(a, "proc.name") == "cat");
    live.stop();
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn recording_replays_into_the_same_alerts() {
    let dir = std::env::temp_dir().join(format!("falcorc-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cap = dir.join("actions.scap");
    let rules = falco_rules();
    let script = "cat /etc/shadow > /dev/null; ln -sf /etc/shadow /tmp/falcorc-live-rec; rm -f /tmp/falcorc-live-rec; \
                  touch /etc/falcorc-live-rec; rm -f /etc/falcorc-live-rec";
    let rec = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["record", "-o"])
        .arg(&cap)
        .arg("-r")
        .arg(&rules)
        .arg("-r")
        .arg(own_rules())
        .args(["--format", "json", "--hostname", "h", "--", "sh", "-c", script])
        .output()
        .expect("falcorc record runs");
    assert!(rec.status.success(), "{}", String::from_utf8_lossy(&rec.stderr));
    let live = String::from_utf8_lossy(&rec.stdout).into_owned();
    let replay = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["replay", "-r"])
        .arg(&rules)
        .arg("-r")
        .arg(own_rules())
        .args(["--format", "json", "--hostname", "h"])
        .arg(&cap)
        .output()
        .expect("falcorc replay runs");
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));
    let replayed = String::from_utf8_lossy(&replay.stdout).into_owned();
    let rules_of = |s: &str| -> Vec<String> {
        s.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .map(|v| v["rule"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let fired = rules_of(&live);
    for rule in [
        "Read sensitive file untrusted",
        "Create Symlink Over Sensitive Files",
        "falcorc live write below etc",
    ] {
        assert!(
            fired.iter().any(|r| r == rule),
            "{rule} missing from the live alerts:\n{live}"
        );
    }
    assert_eq!(live, replayed, "live alerts and the replay of the recording differ");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn default_ruleset_with_min_priority() {
    let live = Live::start_with(&[], &["--min-priority", "error"]);
    sh("cat /etc/shadow > /dev/null");
    let file = "/etc/falcorc-live-prio";
    sh(&format!("touch {file}; rm -f {file}"));
    let a = live.expect("Write below /etc by non-package process", |a| {
        field(a, "fd.name") == file
    });
    assert_eq!(a["priority"], "Error");
    assert_eq!(field(&a, "proc.name"), "touch");
    let all = live.collect(Duration::from_millis(500));
    assert!(
        !all.iter()
            .any(|a| a["rule"] == "Credential file read by unexpected process"),
        "a Warning rule fired below --min-priority error: {all:#?}"
    );
    live.stop();
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn default_ruleset_with_a_tag_disabled() {
    let live = Live::start_with(&[], &["--disable-tag", "filesystem"]);
    let exe = "/tmp/falcorc-live-exec";
    sh(&format!(
        "cp /bin/true {exe} && cat /etc/shadow > /dev/null && {exe} && rm -f {exe}"
    ));
    let a = live.expect("Program executed from a temporary directory", |a| {
        field(a, "proc.exepath") == exe
    });
    // proc.cmdline starts with the comm, which the kernel cuts at 15 characters.
    assert_eq!(field(&a, "proc.cmdline"), "falcorc-live-ex");
    assert_eq!(field(&a, "user.name"), "root");
    let all = live.collect(Duration::from_millis(500));
    assert!(
        !all.iter()
            .any(|a| a["rule"] == "Credential file read by unexpected process"),
        "a rule tagged filesystem fired with --disable-tag filesystem: {all:#?}"
    );
    live.stop();
}

/// Not ignored: without privileges the command must say what is missing, not crash.
#[test]
fn unprivileged_run_explains_what_is_missing() {
    let bin = env!("CARGO_BIN_EXE_falcorc");
    // SAFETY: geteuid has no preconditions.
    let is_root = unsafe { libc::geteuid() } == 0;
    let out = if is_root {
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
            ])
            .arg(bin)
            .args(["run", "--duration", "1"])
            .output()
    } else {
        Command::new(bin).args(["run", "--duration", "1"]).output()
    };
    let out = out.expect("falcorc runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs root, or the CAP_BPF and CAP_PERFMON capabilities"),
        "{err}"
    );
}

/// Every record the probe produced for a varied command has the event table's parameter
/// count, fixed-width parameters of their exact width and NUL-terminated strings.
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn recorded_events_match_the_event_table() {
    use falcorc_runtime::event::{event_def, fixed_width};
    use falcorc_runtime::scap::ScapReader;
    use std::collections::BTreeSet;

    let dir = std::env::temp_dir().join(format!("falcorc-wire-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cap = dir.join("wire.scap");
    let d = dir.display();
    let script = format!(
        "cd {d} && touch a && chmod 600 a && mkdir b && mv a b/c && ln b/c h && ln -s b/c s && \
         exec 3>x && exec 4>&3 && cat /etc/hostname > /dev/null && rm -r b h s x && \
         bash -c 'exec 5<>/dev/tcp/127.0.0.1/9' 2>/dev/null; \
         unshare -U true; nsenter --net=/proc/self/ns/net true; \
         python3 -c 'import ctypes; ctypes.CDLL(None).syscall(323, 0x80800)'; \
         python3 {d}/udp.py; python3 {d}/rest.py; true"
    );
    // Datagrams received with recvfrom and recvmsg; the ports go to a file for the checks.
    std::fs::write(
        dir.join("udp.py"),
        format!(
            "import socket\n\
             a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(('127.0.0.1', 0))\n\
             b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(('127.0.0.1', 0))\n\
             b.sendto(b'one', a.getsockname()); a.recvfrom(64)\n\
             b.sendto(b'two', a.getsockname()); a.recvmsg(64)\n\
             open('{d}/ports', 'w').write('%d %d' % (b.getsockname()[1], a.getsockname()[1]))\n"
        ),
    )
    .expect("udp script");
    // The other syscalls that upstream rules name, made directly (x86_64 numbers), each
    // through the syscall the rules test: a libc wrapper may pick another (open -> openat).
    // A successful execveat reaches rules as execve, as in Falco's drivers: the failed one
    // is the execveat event.
    std::fs::write(
        dir.join("rest.py"),
        format!(
            "import ctypes, os, socket\n\
             libc = ctypes.CDLL(None, use_errno=True)\n\
             def sc(*a): return libc.syscall(*[ctypes.c_long(x) if isinstance(x, int) else x for x in a])\n\
             P = lambda n: ('{d}/' + n).encode()\n\
             fd = sc(2, P('o1'), 0o101, 0o600)\n\
             sc(91, fd, 0o640); sc(32, fd); sc(292, fd, 60, 0)\n\
             os.close(sc(85, P('c1'), 0o600))\n\
             how = (ctypes.c_uint64 * 3)(0, 0, 0)\n\
             os.close(sc(437, -100, P('c1'), ctypes.byref(how), 24))\n\
             sc(90, P('c1'), 0o644); sc(86, P('c1'), P('l1')); sc(88, P('c1'), P('s1'))\n\
             sc(82, P('l1'), P('l2')); sc(264, -100, P('l2'), -100, P('l3'))\n\
             sc(87, P('l3')); sc(87, P('s1'))\n\
             sc(258, -100, P('d1'), 0o700); sc(84, P('d1'))\n\
             sc(105, os.getuid()); sc(101, 16, 999999999, 0, 0); sc(321, 0, 0, 0)\n\
             sc(175, 0, 0, b''); sc(313, -1, b'', 0)\n\
             srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(4)\n\
             c1 = socket.create_connection(srv.getsockname()); a1, _ = srv.accept()\n\
             c2 = socket.create_connection(srv.getsockname()); a2 = sc(43, srv.fileno(), 0, 0)\n\
             c1.sendmsg([b'x']); sc(44, c2.fileno(), b'y', 1, 0, 0, 0)\n\
             argv = (ctypes.c_char_p * 2)(b'/nonexistent', None)\n\
             sc(322, -100, b'/nonexistent', argv, argv, 0)\n"
        ),
    )
    .expect("syscall script");
    let rec = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["record", "-o"])
        .arg(&cap)
        .args(["--", "sh", "-c", &script])
        .output()
        .expect("falcorc record runs");
    assert!(rec.status.success(), "{}", String::from_utf8_lossy(&rec.stderr));
    let mut reader = ScapReader::open(&cap).expect("capture opens");
    let mut seen = BTreeSet::new();
    let mut uffd_flags = Vec::new();
    let mut received = Vec::new();
    while let Some(ev) = reader.next_event().expect("capture reads") {
        let def = event_def(ev.code).unwrap_or_else(|| panic!("code {} is not in the table", ev.code));
        seen.insert(def.name);
        if matches!(def.name, "recvfrom" | "recvmsg") {
            let at = |name: &str| def.params.iter().position(|p| p.name == name).unwrap();
            let data = ev.param_raw(at("data")).map(<[u8]>::to_vec);
            let tuple = ev.param_raw(at("tuple")).map(<[u8]>::to_vec).unwrap_or_default();
            received.push((def.name, data, tuple));
        }
        if def.name == "userfaultfd" {
            let res = ev.param(0).and_then(|p| p.as_i64());
            uffd_flags.push((res.is_some_and(|r| r >= 0), ev.param_raw(1).map(<[u8]>::to_vec)));
        }
        assert_eq!(ev.nparams(), def.params.len(), "{} parameter count", def.name);
        for (i, (raw, p)) in ev.params_raw().zip(def.params).enumerate() {
            if raw.is_empty() {
                continue;
            }
            if let Some(w) = fixed_width(p.ty) {
                assert_eq!(raw.len(), w, "{} param {i} {} ({:?})", def.name, p.name, p.ty);
            }
            let ty = format!("{:?}", p.ty);
            if matches!(ty.as_str(), "Charbuf" | "Fspath" | "Fsrelpath") {
                assert_eq!(
                    raw.last(),
                    Some(&0),
                    "{} param {i} {} is not NUL-terminated",
                    def.name,
                    p.name
                );
            }
        }
    }
    for name in [
        "execve",
        "openat",
        "close",
        "fchmodat",
        "mkdir",
        "renameat2",
        "linkat",
        "symlinkat",
        "dup2",
        "unlinkat",
        "socket",
        "connect",
        "procexit",
        "unshare",
        "setns",
        "userfaultfd",
        "recvfrom",
        "recvmsg",
        "open",
        "creat",
        "openat2",
        "chmod",
        "fchmod",
        "dup",
        "dup3",
        "link",
        "symlink",
        "rename",
        "renameat",
        "unlink",
        "mkdirat",
        "rmdir",
        "setuid",
        "ptrace",
        "bpf",
        "init_module",
        "finit_module",
        "listen",
        "accept",
        "accept4",
        "sendto",
        "sendmsg",
        "execveat",
    ] {
        assert!(seen.contains(name), "no {name} event in the recording; saw {seen:?}");
    }
    assert!(
        seen.iter().any(|n| matches!(*n, "clone" | "clone3" | "fork" | "vfork")),
        "{seen:?}"
    );
    // A descriptor, and the flags as the program passed them (O_CLOEXEC | O_NONBLOCK).
    assert!(
        uffd_flags.contains(&(true, Some(0x80800u32.to_le_bytes().to_vec()))),
        "{uffd_flags:?}"
    );
    // What was received, from whom: the tuple of an inbound datagram has the sender first
    // (family 2, source address and port, then this end), as the drivers build it.
    let ports = std::fs::read_to_string(dir.join("ports")).expect("ports written");
    let (sender, receiver): (u16, u16) = {
        let mut it = ports.split(' ').map(|p| p.parse().unwrap());
        (it.next().unwrap(), it.next().unwrap())
    };
    let mut want_tuple = vec![2, 127, 0, 0, 1];
    want_tuple.extend(sender.to_le_bytes());
    want_tuple.extend([127, 0, 0, 1]);
    want_tuple.extend(receiver.to_le_bytes());
    for (name, data) in [("recvfrom", &b"one"[..]), ("recvmsg", &b"two"[..])] {
        assert!(
            received
                .iter()
                .any(|(n, d, t)| *n == name && d.as_deref() == Some(data) && *t == want_tuple),
            "no {name} of {data:?} from port {sender} to {receiver}: {received:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A standard output nobody reads (a full pipe) does not hold `falcorc run` up: alerts
/// are dropped and counted instead of blocking evaluation, a warning says so while it
/// runs, and SIGTERM ends it within 1 s, abandoning the blocked output and reporting the
/// drops (it took until `--duration`, or forever, before the output queue).
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn sigterm_with_a_blocked_stdout_exits_within_a_second() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let (dir, rules, flood_exe) = flood_setup("blocked");
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors we then own.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0, "pipe2");
    // SAFETY: both are fresh descriptors owned by nothing else.
    let (read_end, write_end) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    let mut run = KillOnDrop({
        let mut c = Command::new(env!("CARGO_BIN_EXE_falcorc"));
        c.args(["run", "--duration", "30", "-r"])
            .arg(&rules)
            .stdout(Stdio::from(write_end))
            .stderr(Stdio::piped());
        c.spawn().expect("falcorc starts")
    });
    let (etx, stderr) = channel();
    let err = run.0.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if etx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let mut wait_for = |prefix: &str, within: Duration| {
        let deadline = Instant::now() + within;
        loop {
            match stderr.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(l) => {
                    let found = l.contains(prefix);
                    lines.push(l);
                    if found {
                        return;
                    }
                }
                Err(e) => panic!("no '{prefix}' on stderr within {within:?} ({e}): {lines:#?}"),
            }
        }
    };
    wait_for("falcorc: live", Duration::from_secs(60));
    let _flood = flood(&flood_exe);
    // The pipe fills, then the queue: the first drop is reported at once.
    wait_for("stdout is not keeping up", Duration::from_secs(20));
    let sent = Instant::now();
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGTERM) };
    let status = wait_exit(&mut run.0, sent, "SIGTERM");
    let took = sent.elapsed();
    eprintln!("SIGTERM to exit with stdout blocked: {took:?}");
    drop(read_end);
    // The process is gone, so is its stderr: the reader thread ends and closes the channel.
    while let Ok(l) = stderr.recv_timeout(Duration::from_secs(5)) {
        lines.push(l);
    }
    assert!(status.success(), "falcorc exited with {status}: {lines:#?}");
    assert!(
        took < Duration::from_millis(1500),
        "exit took {took:?} after SIGTERM: {lines:#?}"
    );
    let dropped = lines
        .iter()
        .find(|l| l.contains("alerts dropped: stdout did not keep up"))
        .unwrap_or_else(|| panic!("no report of dropped alerts: {lines:#?}"));
    let n: u64 = dropped
        .trim_start_matches("falcorc: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {dropped}"));
    assert!(n > 0, "{dropped}");
    let stats = lines
        .iter()
        .find(|l| l.starts_with("falcorc final:"))
        .unwrap_or_else(|| panic!("no final statistics: {lines:#?}"));
    assert!(stats.contains(&format!("output drops: {n}")), "{stats} vs {dropped}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `falcorc run | head -1`: once the reader of its standard output is gone, the next
/// alert's write fails (EPIPE, not SIGPIPE) and the run stops as on SIGTERM, with its
/// final statistics on stderr and exit status 0 (it used to die of SIGPIPE, silently).
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn a_closed_stdout_ends_run_with_its_final_statistics() {
    let (dir, rules, exe) = flood_setup("closed");
    let (mut run, err) = started(&["-r".as_ref(), rules.as_os_str()]);
    let _flood = flood(&exe);
    let mut out = BufReader::new(run.0.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("one alert");
    assert!(first.contains("open by the flood"), "{first}");
    drop(out);
    let closed = Instant::now();
    let status = loop {
        if let Some(st) = run.0.try_wait().expect("wait") {
            break st;
        }
        assert!(
            closed.elapsed() < Duration::from_secs(10),
            "falcorc still running 10 s after stdout closed"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    eprintln!("stdout closed to exit: {:?}", closed.elapsed());
    let lines: Vec<String> = err.collect();
    assert!(status.success(), "falcorc exited with {status}: {lines:#?}");
    assert!(
        lines.iter().any(|l| l == "falcorc: stdout was closed; stopping"),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("falcorc final:")), "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("falcorc: ") && l.contains("alerts lost to write errors on stdout")),
        "{lines:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A standard error nobody reads (statistics every millisecond into a full pipe) neither
/// stalls the event loop nor the exit: SIGTERM still ends `run` within 1 s (an `eprintln!`
/// blocked in the loop used to keep it from ever seeing the signal).
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn sigterm_with_a_blocked_stderr_exits_within_a_second() {
    let (dir, rules, exe) = flood_setup("stderr");
    let mut run = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_falcorc"))
            .args(["run", "--duration", "60", "--stats-interval", "0.001", "-r"])
            .arg(&rules)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("falcorc starts"),
    );
    // Read up to the start, then read no more: the reports fill the pipe, made one page
    // small, within a second.
    let stderr = run.0.stderr.take().expect("stderr");
    let fd = std::os::fd::AsRawFd::as_raw_fd(&stderr);
    // SAFETY: F_SETPIPE_SZ on a pipe descriptor we own.
    let size = unsafe { libc::fcntl(fd, libc::F_SETPIPE_SZ, 4096) };
    assert!(size >= 4096, "F_SETPIPE_SZ: {}", std::io::Error::last_os_error());
    let mut err = BufReader::new(stderr).lines().map_while(Result::ok);
    read_until(&mut err, "falcorc: live", Duration::from_secs(60));
    let _flood = flood(&exe);
    std::thread::sleep(Duration::from_secs(3));
    let mut unread: libc::c_int = 0;
    // SAFETY: FIONREAD writes the pipe's unread byte count into `unread`.
    assert_eq!(unsafe { libc::ioctl(fd, libc::FIONREAD, &mut unread) }, 0, "FIONREAD");
    assert!(
        unread >= size - 256,
        "stderr is not full: {unread} of {size} bytes unread"
    );
    let sent = Instant::now();
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGTERM) };
    let status = loop {
        if let Some(st) = run.0.try_wait().expect("wait") {
            break st;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "falcorc still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = sent.elapsed();
    eprintln!("SIGTERM to exit with stderr blocked: {took:?}");
    assert!(status.success(), "falcorc exited with {status}");
    assert!(took < Duration::from_millis(1500), "exit took {took:?} after SIGTERM");
    drop(err);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Wait up to 5 s for `check` to hold.
/// `run -c`: Falco's output keys, with every alert reaching a file, the syslog socket (a
/// real datagram socket bound by the test), a kept-alive program and an HTTP server on
/// loopback; SIGHUP reopens the
/// file after it was rotated away, and the run goes on.
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn configured_outputs_reach_a_file_syslog_a_program_and_http_and_sighup_reopens_the_file() {
    use std::os::unix::net::UnixDatagram;
    let (dir, rules, exe) = flood_setup("outputs");
    let log = dir.join("alerts.json");
    let piped = dir.join("program.txt");
    let sock = dir.join("log.sock");
    let syslog = UnixDatagram::bind(&sock).expect("syslog socket");
    syslog.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let (http_url, posted) = http_server::server(Vec::new());
    let config = dir.join("falco.yaml");
    std::fs::write(
        &config,
        format!(
            "rules_files: [{}]\njson_output: true\njson_include_tags_property: false\nstdout_output:\n  enabled: false\n\
             file_output:\n  enabled: true\n  filename: {}\nsyslog_output:\n  enabled: true\n  path: {}\n\
             program_output:\n  enabled: true\n  keep_alive: true\n  program: cat >> {}\n\
             http_output:\n  enabled: true\n  url: {}\n",
            rules.display(),
            log.display(),
            sock.display(),
            piped.display(),
            http_url
        ),
    )
    .unwrap();
    let (mut run, mut err) = started(&["-c".as_ref(), config.as_os_str()]);
    let open_once = || {
        let st = Command::new(&exe)
            .args(["-c", "read x < /etc/hostname"])
            .status()
            .expect("the shell runs");
        assert!(st.success());
    };
    open_once();
    let lines = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default().lines().count();
    eventually("an alert in the file", || lines(&log) >= 1);
    eventually("an alert through the program", || lines(&piped) >= 1);
    let mut buf = vec![0u8; 65536];
    let n = syslog.recv(&mut buf).expect("a syslog datagram");
    let datagram = String::from_utf8_lossy(&buf[..n]).into_owned();
    // Facility user (1), Informational (6): <14>.
    let json = datagram
        .strip_prefix("<14>falco: ")
        .unwrap_or_else(|| panic!("{datagram}"));
    let v: Value = serde_json::from_str(json).expect("JSON alert");
    assert_eq!(v["rule"], "falcorc live flood open");
    assert!(v.get("tags").is_none(), "json_include_tags_property: false: {v}");
    let post = posted.recv_timeout(Duration::from_secs(5)).expect("an HTTP POST");
    let v: Value = serde_json::from_str(&post.body).expect("JSON posted");
    assert_eq!(v["rule"], "falcorc live flood open");
    let first = std::fs::read_to_string(&log).unwrap();
    let v: Value = serde_json::from_str(first.lines().next().unwrap()).expect("JSON in the file");
    assert_eq!(v["rule"], "falcorc live flood open");

    // Rotation: the file is moved away, SIGHUP, and the next alert starts a new file.
    std::fs::rename(&log, dir.join("alerts.json.1")).unwrap();
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGHUP) };
    read_until(&mut err, "SIGHUP: output files reopened", Duration::from_secs(5));
    open_once();
    eventually("a new file after SIGHUP", || lines(&log) >= 1);
    assert!(run.0.try_wait().unwrap().is_none(), "SIGHUP ended the run");

    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGTERM) };
    let status = wait_exit(&mut run.0, Instant::now(), "SIGTERM");
    assert!(status.success(), "{status}");
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut run.0.stdout.take().unwrap(), &mut stdout).unwrap();
    assert!(stdout.is_empty(), "stdout_output is disabled: {stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A rule without an event-type filter is said once, by name; the event types the probe
/// does not produce are listed only when a rule names them (it used to list ~150).
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn a_rule_without_an_event_type_filter_is_named_once() {
    let dir = std::env::temp_dir().join(format!("falcorc-live-broad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("broad.yaml");
    std::fs::write(
        &rules,
        "- rule: everything by nobody\n  desc: d\n  condition: proc.name = falcorc-nobody\n  output: o\n  priority: INFO\n  warn_evttypes: false\n\
         - rule: process controls\n  desc: d\n  condition: evt.type = prctl and proc.name = falcorc-nobody\n  output: o\n  priority: INFO\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_falcorc"))
        .args(["run", "--duration", "1", "-r"])
        .arg(&rules)
        .output()
        .expect("falcorc runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let said: Vec<&str> = err.lines().filter(|l| l.contains("no event-type filter")).collect();
    assert_eq!(
        said,
        ["falcorc: rule 'everything by nobody' has no event-type filter: it runs on every event the probe produces"],
        "{err}"
    );
    let missing = err
        .lines()
        .find(|l| l.contains("does not produce these event types"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(missing.ends_with(": prctl"), "only what a rule names: {missing}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `record -- COMMAND`: falcorc exits with the command's status, passes SIGINT on to it
/// (the command used to be left running), and leaves no capture behind when the command
/// cannot start.
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn record_passes_the_commands_status_and_signals_through() {
    let dir = std::env::temp_dir().join(format!("falcorc-live-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let record = |cap: &str, cmd: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_falcorc"));
        c.args(["record", "-o"]).arg(dir.join(cap)).arg("--").args(cmd);
        c
    };
    let st = record("exit3.scap", &["sh", "-c", "exit 3"]).status().unwrap();
    assert_eq!(st.code(), Some(3));
    assert!(dir.join("exit3.scap").exists());

    let out = record("missing.scap", &["/nonexistent/falcorc-command"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.join("missing.scap").exists(), "a capture was left behind");

    let pidfile = dir.join("sleep.pid");
    let script = format!("echo $$ > {}; exec sleep 43", pidfile.display());
    let mut child = KillOnDrop(
        record("sleep.scap", &["sh", "-c", &script])
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    eventually("the command started", || {
        std::fs::read_to_string(&pidfile).is_ok_and(|s| s.ends_with('\n'))
    });
    let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    let sent = Instant::now();
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.0.id() as i32, libc::SIGINT) };
    let st = wait_exit(&mut child.0, sent, "SIGINT");
    eprintln!("SIGINT to record's exit: {:?}", sent.elapsed());
    assert_eq!(st.code(), Some(128 + libc::SIGINT), "{st}");
    assert!(sent.elapsed() < Duration::from_secs(2), "{:?}", sent.elapsed());
    assert!(
        !PathBuf::from(format!("/proc/{pid}")).exists(),
        "the command is still running"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// GET `path` from `addr`: (status line, body).
fn http_get(addr: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(addr).expect("connect to the web server");
    write!(c, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    c.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    (head.lines().next().unwrap_or("").to_string(), body.to_string())
}

/// `webserver` and `metrics`: `/healthz` answers while detection runs, `/metrics` has Falco's
/// metric names with this run's numbers (the rule's matches, events read), in a text format
/// that Prometheus' own parser (the `prometheus-client` package, when installed) reads.
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn metrics_are_scraped_with_falcos_names_and_parsed() {
    let (dir, rules, exe) = flood_setup("metrics");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let o = |kv: String| ["-o".to_string(), kv];
    let args: Vec<String> = [
        o(format!("webserver.listen_port={port}")),
        o("webserver.enabled=true".into()),
        o("webserver.prometheus_metrics_enabled=true".into()),
        o("metrics.enabled=true".into()),
        o("stdout_output.enabled=true".into()),
        o(format!("rules_files[]={}", rules.display())),
    ]
    .concat();
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_ref()).collect();
    let (mut run, _err) = started(&args);
    let (status, body) = http_get(&addr, "/healthz");
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("HTTP/1.1 200 OK", "{\"status\": \"ok\"}\n")
    );
    let st = Command::new(&exe)
        .args(["-c", "read x < /etc/hostname"])
        .status()
        .unwrap();
    assert!(st.success());
    let matched = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("falcosecurity_falco_rules_matches_total{rule_name=\"falcorc live flood open\""))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
    };
    eventually("the rule's match in /metrics", || {
        matched(&http_get(&addr, "/metrics").1).is_some_and(|n| n >= 1.0)
    });
    let (status, text) = http_get(&addr, "/metrics");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let value = |name: &str| {
        text.lines()
            .find(|l| l.split(' ').next() == Some(name))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
    };
    assert!(value("falcosecurity_scap_n_evts_total") > 0.0);
    // falcorc's own: the rule's cost, sampled on one event in 256 of those it runs on.
    let cost = |text: &str, family: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{family}{{rule_name=\"falcorc live flood open\"}}")))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
    };
    eventually("the rule's sampled cost in /metrics", || {
        let t = http_get(&addr, "/metrics").1;
        cost(&t, "falcosecurity_falcorc_rule_evaluations_total").is_some_and(|n| n >= 256.0)
            && cost(&t, "falcosecurity_falcorc_rule_evaluation_seconds_total").is_some_and(|s| s > 0.0)
    });
    assert!(
        text.contains("falcosecurity_falcorc_ruleset_info{digest=\"sha256:"),
        "{text}"
    );
    // Every alert stdout delivered has its latency in the histogram.
    let latency_count = text
        .lines()
        .find(|l| l.starts_with("falcosecurity_falcorc_output_latency_seconds_count{output=\"stdout\"}"))
        .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no stdout latency in:\n{text}"));
    assert!(latency_count >= 1.0, "{latency_count}");
    assert!(value("falcosecurity_falco_memory_rss_bytes") > 1e6);
    assert_eq!(value("falcosecurity_scap_n_drops_total"), 0.0);
    // Every sample line: a name, optional labels, a number.
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let v = l.rsplit(' ').next().unwrap();
        assert!(v.parse::<f64>().is_ok(), "not a sample: {l}");
    }
    let parser = "import sys\nfrom prometheus_client.parser import text_string_to_metric_families as p\n\
                  print(sum(len(f.samples) for f in p(sys.stdin.read())))";
    match Command::new("python3")
        .args(["-c", parser])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(mut py) => {
            use std::io::Write;
            py.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
            let out = py.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.success() {
                let samples: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
                assert!(samples >= 10, "{samples} samples");
            } else if stderr.contains("No module named") {
                assert!(
                    std::env::var_os("FALCORC_REQUIRE_PROM_PARSER").is_none(),
                    "prometheus-client was installed but is missing: {stderr}"
                );
                eprintln!("prometheus-client not installed: Prometheus' parser not run");
            } else {
                panic!("Prometheus' parser refused /metrics: {stderr}\n{text}");
            }
        }
        Err(e) => eprintln!("no python3 ({e}): Prometheus' parser not run"),
    }
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGTERM) };
    assert!(wait_exit(&mut run.0, Instant::now(), "SIGTERM").success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `proc.exepath` is the executable file with symlinks resolved, read in the kernel at the
/// execve (the `trusted_exepath` Falco's drivers send), so a program that has already exited
/// when its event is read still shows the file that ran, not the name it was run by.
#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn exepath_is_the_resolved_executable_even_after_exit() {
    let dir = std::env::temp_dir().join(format!("falcorc-live-exepath-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("exec.yaml");
    std::fs::write(
        &rules,
        "- rule: falcorc live exec by link\n  desc: d\n  condition: evt.type in (execve, execveat) and proc.name = falcorc-lnk\n  output: ran %proc.exepath\n  priority: NOTICE\n",
    )
    .unwrap();
    let link = dir.join("falcorc-lnk");
    std::os::unix::fs::symlink("/usr/bin/true", &link).unwrap();
    let live = Live::start(&[rules]);
    sh(&format!("{}", link.display()));
    let a = live.expect("falcorc live exec by link", |_| true);
    // The resolved file: `true` is gone before user space reads the event, so /proc cannot
    // have supplied this.
    assert_eq!(field(&a, "proc.exepath"), "/usr/bin/true");
    live.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn opens_carry_their_file_information_when_a_rule_reads_it() {
    // The stable rules never read an open's dev, ino or O_F_* bits, so the probe leaves them
    // out (sensitive_file_read_by_an_untrusted_program runs that way); this rule reads all of
    // them, so the probe sends them, and they are the file's.
    let dir = std::env::temp_dir().join(format!("falcorc-file-info-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.yaml");
    let target = dir.join("created");
    std::fs::write(
        &rules,
        format!(
            "- rule: created here\n  desc: d\n  condition: evt.type in (open, openat) and evt.is_open_create = true and fd.name = {}\n  output: \"%fd.name %fd.ino %fd.dev %evt.arg.flags\"\n  priority: WARNING\n",
            target.display()
        ),
    )
    .unwrap();
    let live = Live::start(&[rules]);
    sh(&format!(": > {}", target.display()));
    let a = live.expect("created here", |_| true);
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(&target).unwrap();
    assert_eq!(field(&a, "fd.ino"), meta.ino(), "{a}");
    assert!(field(&a, "fd.dev").as_u64().is_some_and(|d| d > 0), "{a}");
    let flags = field(&a, "evt.arg.flags").as_str().unwrap_or_default().to_string();
    assert!(flags.contains("O_F_CREATED") && flags.contains("O_CREAT"), "{flags}");
    live.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs root: loads the eBPF probe"]
fn failed_opens_no_rule_can_match_stay_in_the_kernel() {
    // The rule matches failed opens by prefix, suffix and substring; the probe sends those
    // (and relative paths, which it cannot test), and leaves every other failed open in the
    // kernel, counted in the final statistics.
    let dir = std::env::temp_dir().join(format!("falcorc-failed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.yaml");
    std::fs::write(
        &rules,
        format!(
            "- rule: failed here\n  desc: d\n  condition: evt.type in (open, openat, openat2) and fd.num = -1 and (fd.name startswith {}/pre_ or fd.name endswith .fcsuffix or fd.nameraw contains zq9x)\n  output: \"%fd.name %evt.res\"\n  priority: WARNING\n",
            dir.display()
        ),
    )
    .unwrap();
    let live = Live::start(&[rules]);
    let d = dir.display();
    sh(&format!(
        "exec 2>/dev/null; cat {d}/pre_abs; cat /nonexistent-falcorc/x.fcsuffix; cat /nonexistent-falcorc/azq9xb; \
         cd {d} && cat pre_rel; \
         i=0; while [ $i -lt 300 ]; do cat /nonexistent-falcorc/other$i; i=$((i+1)); done; true"
    ));
    for name in [
        format!("{d}/pre_abs"),
        "/nonexistent-falcorc/x.fcsuffix".to_string(),
        "/nonexistent-falcorc/azq9xb".to_string(),
        format!("{d}/pre_rel"),
    ] {
        let a = live.expect("failed here", |a| field(a, "fd.name") == name.as_str());
        assert_eq!(field(&a, "evt.res"), "ENOENT", "{a}");
    }
    let last = live.stop();
    let left: u64 = last
        .split(", ")
        .find_map(|p| p.strip_suffix(" failed opens left in the kernel"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of failed opens in {last}"));
    assert!(left >= 300, "{left} failed opens left in the kernel: {last}");
    let _ = std::fs::remove_dir_all(&dir);
}
