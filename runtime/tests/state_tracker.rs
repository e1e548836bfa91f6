//! The state tracker on hand-written events: process lifecycle, fd tables,
//! sockets, destructive updates after evaluation, missing state.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use falcorc_compiler::eval::{Value, eval};
use falcorc_compiler::ir::{FieldSpec, lower_condition};
use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::syntax::condition::parse;
use falcorc_runtime::event::{encode_record, parse_record};
use falcorc_runtime::fields::FieldCtx;
use falcorc_runtime::state::{Tracker, User};

fn spec_of(key: &str) -> FieldSpec {
    let expr = parse(&format!("{key} exists")).expr.expect("a condition");
    let (_, fields) = lower_condition(&expr, Env::default()).expect("field resolves");
    fields.into_iter().next().expect("one field")
}

/// Parameter encodings.
fn i64p(v: i64) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}
fn u64p(v: u64) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}
fn u32p(v: u32) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}
fn strp(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}
fn listp(items: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    for i in items {
        v.extend_from_slice(i.as_bytes());
        v.push(0);
    }
    v
}
fn tuple4(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16) -> Vec<u8> {
    let mut v = vec![2];
    v.extend_from_slice(&src);
    v.extend_from_slice(&sport.to_le_bytes());
    v.extend_from_slice(&dst);
    v.extend_from_slice(&dport.to_le_bytes());
    v
}
fn tuple6(src: &str, sport: u16, dst: &str, dport: u16) -> Vec<u8> {
    let mut v = vec![10];
    v.extend_from_slice(&src.parse::<std::net::Ipv6Addr>().unwrap().octets());
    v.extend_from_slice(&sport.to_le_bytes());
    v.extend_from_slice(&dst.parse::<std::net::Ipv6Addr>().unwrap().octets());
    v.extend_from_slice(&dport.to_le_bytes());
    v
}
const E: Vec<u8> = Vec::new();

/// Event codes (current layouts).
const OPEN_X: u16 = 3;
const CLOSE_X: u16 = 5;
const READ_X: u16 = 7;
const SOCKET_X: u16 = 19;
const CONNECT_X: u16 = 23;
const CHDIR_X: u16 = 95;
const PROCEXIT: u16 = 186;
const CLONE_X: u16 = 223;
const EXECVE_X: u16 = 293;
const OPENAT_X: u16 = 307;
const DUP_X: u16 = 367;

struct Harness {
    tracker: Tracker,
    ts: u64,
    num: u64,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            tracker: Tracker::new(),
            ts: 1_700_000_000_000_000_000,
            num: 0,
        }
    }

    /// Feeds one event and returns the requested fields as seen by rules.
    fn feed(&mut self, tid: u64, code: u16, params: &[Vec<u8>], keys: &[&str]) -> HashMap<String, Option<Value>> {
        self.ts += 1000;
        self.num += 1;
        let refs: Vec<&[u8]> = params.iter().map(Vec::as_slice).collect();
        let raw = encode_record(self.ts, tid, code, &refs).unwrap();
        let (mut ev, _) = parse_record(&raw, true).unwrap();
        ev.num = self.num;
        let out = RefCell::new(HashMap::new());
        self.tracker.on_event(&ev, |ctx: &FieldCtx<'_>| {
            for k in keys {
                out.borrow_mut().insert(k.to_string(), ctx.value(&spec_of(k)));
            }
        });
        out.into_inner()
    }

    /// An execve exit making `tid` run `comm` with `args`, child of `ptid`.
    fn execve(
        &mut self,
        tid: u64,
        ptid: i64,
        exe: &str,
        args: &[&str],
        comm: &str,
        keys: &[&str],
    ) -> HashMap<String, Option<Value>> {
        let t = tid as i64;
        let mut p = vec![
            i64p(0),
            strp(exe),
            listp(args),
            i64p(t),
            i64p(t),
            i64p(ptid),
            strp("/"),
            u64p(1024),
        ];
        p.extend([E, E, E, E, E]);
        p.push(strp(comm));
        self.feed(tid, EXECVE_X, &p, keys)
    }

    /// A clone exit for `tid` returning `res`.
    #[allow(clippy::too_many_arguments)]
    fn clone(
        &mut self,
        tid: u64,
        res: i64,
        pid: i64,
        ptid: i64,
        comm: &str,
        args: &[&str],
        flags: u32,
    ) -> HashMap<String, Option<Value>> {
        let mut p = vec![
            i64p(res),
            strp(comm),
            listp(args),
            i64p(tid as i64),
            i64p(pid),
            i64p(ptid),
            strp("/"),
            i64p(1024),
        ];
        p.extend([E, E, E, E, E]);
        p.push(strp(comm));
        p.push(E);
        p.push(u32p(flags));
        p.push(u32p(1000));
        p.push(u32p(1000));
        p.push(i64p(tid as i64));
        p.push(i64p(pid));
        self.feed(
            tid,
            CLONE_X,
            &p,
            &["proc.name", "proc.pid", "thread.tid", "user.name", "user.uid"],
        )
    }

    fn open(&mut self, tid: u64, fd: i64, path: &str, flags: u32, keys: &[&str]) -> HashMap<String, Option<Value>> {
        self.feed(tid, OPEN_X, &[i64p(fd), strp(path), u32p(flags), u32p(0)], keys)
    }
}

fn st(s: &str) -> Option<Value> {
    Some(Value::Str(s.into()))
}

fn int(v: i128) -> Option<Value> {
    Some(Value::Int(v))
}

#[test]
fn clone_then_execve_updates_the_process() {
    let mut h = Harness::new();
    h.tracker.add_user(
        1000,
        User {
            name: "alice".into(),
            homedir: "/home/alice".into(),
            shell: "/bin/bash".into(),
            gid: 1000,
        },
    );
    h.execve(100, 1, "/bin/bash", &[], "bash", &[]);
    let caller = h.clone(100, 200, 100, 1, "bash", &[], 0);
    assert_eq!(caller["thread.tid"], int(100));
    assert_eq!(caller["proc.name"], st("bash"));
    assert_eq!(h.tracker.threads(), 2);
    let child = h.clone(200, 0, 200, 100, "bash", &[], 0);
    assert_eq!(child["thread.tid"], int(200));
    assert_eq!(child["proc.pid"], int(200));
    assert_eq!(child["user.name"], st("alice"), "uid comes from the clone event");
    let keys = [
        "proc.name",
        "proc.exe",
        "proc.args",
        "proc.cmdline",
        "proc.pname",
        "proc.pcmdline",
        "proc.ppid",
        "proc.aname[0]",
        "proc.aname[1]",
        "proc.aname[2]",
        "proc.aname",
        "proc.exeline",
    ];
    let v = h.execve(200, 100, "/bin/cat", &["/etc/passwd"], "cat", &keys);
    assert_eq!(v["proc.name"], st("cat"));
    assert_eq!(v["proc.exe"], st("/bin/cat"));
    assert_eq!(v["proc.args"], st("/etc/passwd"));
    assert_eq!(v["proc.cmdline"], st("cat /etc/passwd"));
    assert_eq!(v["proc.exeline"], st("/bin/cat /etc/passwd"));
    assert_eq!(v["proc.pname"], st("bash"));
    assert_eq!(v["proc.pcmdline"], st("bash"));
    assert_eq!(v["proc.ppid"], int(100));
    assert_eq!(v["proc.aname[0]"], st("cat"));
    assert_eq!(v["proc.aname[1]"], st("bash"));
    assert_eq!(v["proc.aname[2]"], None, "pid 1 is not tracked");
    assert_eq!(v["proc.aname"], Some(Value::List(vec![Value::Str("bash".into())])));
}

#[test]
fn thread_clone_shares_the_process() {
    let mut h = Harness::new();
    h.execve(300, 1, "/usr/bin/curl", &["-6", "x"], "curl", &[]);
    h.open(300, 3, "/etc/hosts", 1, &[]);
    // CLONE_THREAD | CLONE_FILES: the new thread uses the process's fds.
    h.clone(300, 301, 300, 1, "curl", &["-6", "x"], (1 << 13) | 1);
    let v = h.feed(
        301,
        READ_X,
        &[i64p(10), E, i64p(3), u32p(10)],
        &["fd.name", "proc.pid", "proc.cmdline"],
    );
    assert_eq!(v["fd.name"], st("/etc/hosts"));
    assert_eq!(v["proc.pid"], int(300));
    assert_eq!(v["proc.cmdline"], st("curl -6 x"));
}

#[test]
fn relative_opens_are_normalized() {
    let mut h = Harness::new();
    h.execve(400, 1, "/bin/sh", &[], "sh", &[]);
    h.feed(400, CHDIR_X, &[i64p(0), strp("/home/u")], &[]);
    let keys = [
        "fd.name",
        "fd.nameraw",
        "fd.directory",
        "fd.filename",
        "fd.typechar",
        "fd.num",
        "evt.is_open_read",
    ];
    let v = h.open(400, 3, "docs/../notes.txt", 1, &keys);
    assert_eq!(v["fd.name"], st("/home/u/notes.txt"));
    assert_eq!(v["fd.nameraw"], st("docs/../notes.txt"));
    assert_eq!(v["fd.directory"], st("/home/u"));
    assert_eq!(v["fd.filename"], st("notes.txt"));
    assert_eq!(v["fd.typechar"], st("f"));
    assert_eq!(v["fd.num"], int(3));
    assert_eq!(v["evt.is_open_read"], Some(Value::Bool(true)));

    let v = h.open(400, 4, "/etc/../etc/../etc/shadow", 1, &["fd.name", "fd.nameraw"]);
    assert_eq!(v["fd.name"], st("/etc/shadow"));
    assert_eq!(v["fd.nameraw"], st("/etc/../etc/../etc/shadow"));

    // openat relative to the working directory, then to a directory fd.
    let openat = |fd: i64, dirfd: i64, name: &str| vec![i64p(fd), i64p(dirfd), strp(name), u32p(1), u32p(0)];
    let v = h.feed(400, OPENAT_X, &openat(5, -100, "./a//b"), &["fd.name", "fd.nameraw"]);
    assert_eq!(v["fd.name"], st("/home/u/a/b"));
    assert_eq!(v["fd.nameraw"], st("./a/b"), "nameraw only squashes doubled slashes");
    h.open(400, 6, "/etc", 1 | (1 << 10), &[]);
    let v = h.feed(400, OPENAT_X, &openat(7, 6, "passwd"), &["fd.name", "fd.type"]);
    assert_eq!(v["fd.name"], st("/etc/passwd"));
    assert_eq!(v["fd.type"], st("file"));
    let v = h.feed(
        400,
        READ_X,
        &[i64p(0), E, i64p(6), u32p(0)],
        &["fd.type", "fd.directory", "fd.filename"],
    );
    assert_eq!(v["fd.type"], st("directory"));
    assert_eq!(v["fd.directory"], st("/etc"));
    assert_eq!(v["fd.filename"], None);

    // A failed open names the path from the event.
    let v = h.open(
        400,
        -2,
        "missing.conf",
        1,
        &["fd.num", "fd.name", "fd.type", "evt.res", "evt.rawres", "evt.failed"],
    );
    assert_eq!(v["fd.num"], int(-1));
    assert_eq!(v["fd.name"], st("/home/u/missing.conf"));
    assert_eq!(v["fd.type"], None);
    assert_eq!(v["evt.res"], st("ENOENT"));
    assert_eq!(v["evt.rawres"], int(-2));
    assert_eq!(v["evt.failed"], Some(Value::Bool(true)));
}

/// Falco 0.44 (libs 0.25) shows a path it was given with every unprintable character as
/// U+FFFD (`sanitize_string` in `concatenate_paths` and `strcpy_sanitized`), so a newline in a
/// file name cannot split an alert line; a command line keeps its bytes as they are.
#[test]
fn unprintable_characters_in_paths_are_replaced_as_libsinsp_does() {
    let mut h = Harness::new();
    h.execve(410, 1, "/usr/bin/python3", &["-c", "x=1\nprint(x)"], "python3", &[]);
    h.feed(410, CHDIR_X, &[i64p(0), strp("/tmp")], &[]);
    let keys = ["fd.name", "fd.filename", "evt.arg.name", "proc.cmdline", "proc.args"];
    let v = h.open(410, 3, "/tmp/a\nb\u{7f}c", 1, &keys);
    assert_eq!(v["fd.name"], st("/tmp/a\u{fffd}b\u{fffd}c"));
    assert_eq!(v["fd.filename"], st("a\u{fffd}b\u{fffd}c"));
    assert_eq!(v["evt.arg.name"], st("/tmp/a\u{fffd}b\u{fffd}c"));
    assert_eq!(v["proc.cmdline"], st("python3 -c x=1\nprint(x)"));
    assert_eq!(v["proc.args"], st("-c x=1\nprint(x)"));
    // Relative: joined to the working directory, the new part sanitized.
    let v = h.open(410, 4, "r\tel", 1, &["fd.name", "evt.arg.name"]);
    assert_eq!(v["fd.name"], st("/tmp/r\u{fffd}el"));
    assert_eq!(v["evt.arg.name"], st("/tmp/r\u{fffd}el"));
    // A later event on the fd shows the same name.
    let v = h.feed(410, READ_X, &[i64p(0), E, i64p(3), u32p(0)], &["fd.name", "evt.arg.fd"]);
    assert_eq!(v["fd.name"], st("/tmp/a\u{fffd}b\u{fffd}c"));
    assert_eq!(v["evt.arg.fd"], st("<f>/tmp/a\u{fffd}b\u{fffd}c"));
}

#[test]
fn connect_fills_the_socket() {
    let mut h = Harness::new();
    h.tracker
        .add_interface_v4(Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(255, 255, 255, 0));
    h.execve(500, 1, "/usr/bin/wget", &[], "wget", &[]);
    let v = h.feed(
        500,
        SOCKET_X,
        &[i64p(5), u32p(2), u32p(1), u32p(6)],
        &["fd.type", "fd.l4proto", "fd.name"],
    );
    assert_eq!(v["fd.type"], st("ipv4"));
    assert_eq!(v["fd.l4proto"], st("<NA>"), "no role yet");
    assert_eq!(v["fd.name"], st(""));
    let keys = [
        "fd.name",
        "fd.cip",
        "fd.sip",
        "fd.cport",
        "fd.sport",
        "fd.lip",
        "fd.rip",
        "fd.lport",
        "fd.rport",
        "fd.l4proto",
        "fd.is_server",
        "fd.sockfamily",
        "fd.connected",
        "evt.res",
    ];
    let tuple = tuple4([10, 0, 0, 1], 40000, [93, 184, 216, 34], 443);
    let v = h.feed(500, CONNECT_X, &[i64p(0), tuple, i64p(5), E], &keys);
    assert_eq!(v["fd.name"], st("10.0.0.1:40000->93.184.216.34:443"));
    let ip = |s: &str| Some(Value::Ip(s.parse::<IpAddr>().unwrap()));
    assert_eq!(v["fd.cip"], ip("10.0.0.1"));
    assert_eq!(v["fd.sip"], ip("93.184.216.34"));
    assert_eq!(v["fd.lip"], ip("10.0.0.1"));
    assert_eq!(v["fd.rip"], ip("93.184.216.34"));
    assert_eq!(v["fd.cport"], int(40000));
    assert_eq!(v["fd.sport"], int(443));
    assert_eq!(v["fd.lport"], int(40000));
    assert_eq!(v["fd.rport"], int(443));
    assert_eq!(v["fd.l4proto"], st("tcp"));
    assert_eq!(v["fd.is_server"], Some(Value::Bool(false)));
    assert_eq!(v["fd.sockfamily"], st("ip"));
    assert_eq!(v["fd.connected"], Some(Value::Bool(true)));
    assert_eq!(v["evt.res"], st("SUCCESS"));

    // CIDR comparisons work on the network fields (address fields take addresses, as in Falco).
    let cond = parse(r#"fd.snet in ("93.184.0.0/16") and fd.cip = "10.0.0.1" and not fd.snet in ("127.0.0.0/8")"#)
        .expr
        .unwrap();
    let (cond, fields) = lower_condition(&cond, Env::default()).unwrap();
    let mut matched = None;
    h.ts += 1;
    let raw = encode_record(h.ts, 500, 7, &[&i64p(0), &[], &i64p(5), &u32p(0)]).unwrap();
    let (ev, _) = parse_record(&raw, true).unwrap();
    h.tracker.on_event(&ev, |ctx| matched = Some(eval(&cond, &fields, ctx)));
    assert_eq!(matched, Some(true));

    // IPv6, non-blocking connect.
    h.feed(500, SOCKET_X, &[i64p(6), u32p(10), u32p(1), u32p(6)], &[]);
    let tuple = tuple6("2001:db8::4", 54405, "2001:db8::3", 1234);
    let v = h.feed(
        500,
        CONNECT_X,
        &[i64p(-115), tuple, i64p(6), E],
        &["fd.name", "evt.res", "fd.type"],
    );
    assert_eq!(v["fd.name"], st("2001:db8::4:54405->2001:db8::3:1234"));
    assert_eq!(v["evt.res"], st("EINPROGRESS"));
    assert_eq!(v["fd.type"], st("ipv6"));
}

#[test]
fn close_and_procexit_apply_after_evaluation() {
    let mut h = Harness::new();
    h.execve(600, 1, "/bin/cat", &["/etc/shadow"], "cat", &[]);
    h.open(600, 3, "/etc/shadow", 1, &[]);
    assert!(h.tracker.fd(600, 3).is_some());
    let v = h.feed(
        600,
        CLOSE_X,
        &[i64p(0), i64p(3)],
        &["fd.name", "fd.num", "evt.type", "evt.args"],
    );
    assert_eq!(v["fd.name"], st("/etc/shadow"), "a rule on close still sees the fd");
    assert_eq!(v["evt.args"], st("res=0 fd=3(<f>/etc/shadow)"));
    assert!(h.tracker.fd(600, 3).is_none(), "removed after evaluation");

    // A failed close keeps the fd.
    h.open(600, 4, "/tmp/x", 1, &[]);
    h.feed(600, CLOSE_X, &[i64p(-9), i64p(4)], &[]);
    assert!(h.tracker.fd(600, 4).is_some());

    let before = h.tracker.threads();
    let v = h.feed(
        600,
        PROCEXIT,
        &[i64p(0)],
        &["proc.name", "proc.cmdline", "evt.type", "evt.dir"],
    );
    assert_eq!(v["proc.name"], st("cat"), "a rule on procexit still sees the process");
    assert_eq!(v["evt.type"], st("procexit"));
    assert_eq!(v["evt.dir"], st(">"));
    assert_eq!(h.tracker.threads(), before - 1);
    assert!(h.tracker.thread(600).is_none());
}

#[test]
fn dup_copies_the_fd() {
    let mut h = Harness::new();
    h.execve(700, 1, "/bin/sh", &[], "sh", &[]);
    h.open(700, 3, "/var/log/syslog", 2, &[]);
    let v = h.feed(700, DUP_X, &[i64p(7), i64p(3)], &["fd.num", "fd.name", "evt.rawres"]);
    assert_eq!(v["fd.num"], int(7));
    assert_eq!(v["fd.name"], st("/var/log/syslog"));
    assert_eq!(v["evt.rawres"], int(7));
    assert_eq!(h.tracker.fd(700, 7).map(|f| f.name.as_str()), Some("/var/log/syslog"));
    assert!(h.tracker.fd(700, 3).is_some());
}

/// libsinsp's `parse_execve_exit` keeps the fd table as clone copied it (the free is
/// commented out in its source), close-on-exec descriptors included: a read on the old
/// descriptor after the exec still names the file.
#[test]
fn execve_keeps_the_fd_table_even_close_on_exec() {
    const PPM_O_CLOEXEC: u32 = 1 << 12;
    let mut h = Harness::new();
    h.execve(710, 1, "/bin/sh", &[], "sh", &[]);
    h.open(710, 3, "/etc/shadow", 1, &[]);
    h.open(710, 4, "/etc/hosts", 1 | PPM_O_CLOEXEC, &[]);
    h.execve(710, 1, "/usr/bin/cat", &[], "cat", &[]);
    for (fd, name) in [(3, "/etc/shadow"), (4, "/etc/hosts")] {
        let v = h.feed(
            710,
            READ_X,
            &[i64p(5), E, i64p(fd), u32p(5)],
            &["fd.num", "fd.name", "proc.name"],
        );
        assert_eq!(v["fd.name"], st(name), "fd {fd}");
        assert_eq!(v["proc.name"], st("cat"));
    }
}

#[test]
fn unknown_threads_and_fds_give_missing_values() {
    let mut h = Harness::new();
    let keys = [
        "proc.name",
        "proc.cmdline",
        "proc.pid",
        "proc.pname",
        "proc.aname[3]",
        "user.name",
        "user.uid",
        "fd.num",
        "fd.name",
        "fd.type",
        "fd.directory",
        "fd.typechar",
        "fd.filename",
        "fd.l4proto",
        "container.id",
        "evt.type",
    ];
    let v = h.feed(999, READ_X, &[i64p(10), E, i64p(42), u32p(10)], &keys);
    assert_eq!(v["proc.name"], st("<NA>"));
    assert_eq!(v["proc.cmdline"], st("<NA>"));
    assert_eq!(v["proc.pid"], int(-1));
    assert_eq!(v["proc.pname"], None);
    assert_eq!(v["proc.aname[3]"], None);
    assert_eq!(v["user.name"], st("<NA>"));
    assert_eq!(v["user.uid"], int(4_294_967_295));
    assert_eq!(v["fd.num"], int(42));
    assert_eq!(v["fd.name"], st(""));
    assert_eq!(v["fd.type"], None);
    assert_eq!(v["fd.directory"], st("/"));
    assert_eq!(v["fd.typechar"], st("o"));
    assert_eq!(v["fd.filename"], None);
    assert_eq!(v["fd.l4proto"], None);
    assert_eq!(v["container.id"], st("host"));
    assert_eq!(v["evt.type"], st("read"));
    // An event code outside the table, and one with truncated parameters.
    let v = h.feed(
        999,
        9000,
        &[vec![1, 2, 3]],
        &["evt.type", "proc.name", "evt.args", "fd.name"],
    );
    assert_eq!(v["evt.type"], st("unknown"));
    let v = h.feed(999, CONNECT_X, &[vec![1]], &["fd.name", "evt.res"]);
    assert_eq!(v["evt.res"], None, "a malformed result has no value");
}

#[test]
fn ancestor_walk_stops_on_loops() {
    let mut h = Harness::new();
    // 10 and 11 claim each other as parent.
    h.execve(10, 11, "/bin/a", &[], "a", &[]);
    h.execve(11, 10, "/bin/b", &[], "b", &[]);
    let v = h.feed(
        10,
        READ_X,
        &[i64p(0), E, i64p(0), u32p(0)],
        &[
            "proc.aname",
            "proc.apid",
            "proc.aname[5]",
            "proc.sname",
            "proc.loginshellid",
        ],
    );
    assert_eq!(v["proc.aname"], Some(Value::List(vec![Value::Str("b".into())])));
    assert_eq!(v["proc.apid"], Some(Value::List(vec![Value::Int(11)])));
    assert_eq!(v["proc.aname[5]"], st("b"), "indexed walks just follow the parents");
    // A huge level on a parent loop ends at once, with no value.
    let v = h.feed(10, READ_X, &[i64p(0), E, i64p(0), u32p(0)], &["proc.aname[2000000000]"]);
    assert_eq!(v["proc.aname[2000000000]"], None);
}

#[test]
fn indexed_args_read_as_libsinsp_reads_them() {
    let mut h = Harness::new();
    let keys = [
        "proc.args[0]",
        "proc.args[1]",
        "proc.args[2]",
        "proc.args[-2]",
        "proc.args",
    ];
    let v = h.execve(300, 1, "/bin/ls", &["-l", "/tmp"], "ls", &keys);
    assert_eq!(
        v["proc.args[0]"],
        st("-l"),
        "[0] is the first argument after the program"
    );
    assert_eq!(v["proc.args[1]"], st("/tmp"));
    assert_eq!(
        v["proc.args[2]"],
        st(""),
        "past the end: the empty string, not no value"
    );
    assert_eq!(v["proc.args[-2]"], st("-l /tmp"), "a negative index: every argument");
    assert_eq!(v["proc.args"], st("-l /tmp"));
}

#[test]
fn enter_parameters_fold_into_the_exit() {
    let mut h = Harness::new();
    h.execve(800, 1, "/bin/cat", &[], "cat", &[]);
    // Old-style pairs: the open exit carries only the fd, the enter the rest.
    h.feed(800, 2, &[strp("/etc/hosts"), u32p(1 | (1 << 12)), u32p(0)], &[]);
    let v = h.feed(
        800,
        OPEN_X,
        &[i64p(3)],
        &["fd.name", "evt.arg.flags", "evt.arg.name", "evt.args", "evt.latency"],
    );
    assert_eq!(v["fd.name"], st("/etc/hosts"));
    assert_eq!(v["evt.arg.flags"], st("O_RDONLY|O_CLOEXEC"));
    assert_eq!(v["evt.arg.name"], st("/etc/hosts"));
    assert_eq!(
        v["evt.args"],
        st("fd=3(<f>/etc/hosts) name=/etc/hosts flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=<NA> ino=<NA>")
    );
    assert_eq!(v["evt.latency"], int(1000));
    // The close exit takes its fd from the enter.
    h.feed(800, 4, &[i64p(3)], &[]);
    let v = h.feed(800, CLOSE_X, &[i64p(0)], &["fd.num", "fd.name"]);
    assert_eq!(v["fd.num"], int(3));
    assert_eq!(v["fd.name"], st("/etc/hosts"));
    assert!(h.tracker.fd(800, 3).is_none());
    assert_eq!(h.tracker.pending_enters(), 0);
}

#[test]
fn hostname_and_event_fields() {
    let mut h = Harness::new();
    h.tracker.set_hostname("build-42");
    let v = h.feed(
        1,
        1,
        &[vec![139, 0], vec![28, 0]],
        &[
            "evt.hostname",
            "evt.type",
            "evt.num",
            "evt.source",
            "syscall.type",
            "evt.args",
            "evt.time.iso8601",
        ],
    );
    assert_eq!(v["evt.hostname"], st("build-42"));
    assert_eq!(v["evt.type"], st("madvise"));
    assert_eq!(v["syscall.type"], st("madvise"));
    assert_eq!(v["evt.source"], st("syscall"));
    assert_eq!(v["evt.args"], st(""));
    assert_eq!(v["evt.num"], int(1));
    assert_eq!(v["evt.time.iso8601"], int(i128::from(h.ts)));
}

#[test]
fn tables_are_capped() {
    let mut h = Harness::new();
    // Many fds in one process.
    h.execve(900, 1, "/bin/x", &[], "x", &[]);
    for fd in 0..5000 {
        h.ts += 1;
        let p = [i64p(fd), strp("/tmp/f"), u32p(1), u32p(0)];
        let refs: Vec<&[u8]> = p.iter().map(Vec::as_slice).collect();
        let raw = encode_record(h.ts, 900, OPEN_X, &refs).unwrap();
        let (ev, _) = parse_record(&raw, true).unwrap();
        h.tracker.on_event(&ev, |_| {});
    }
    assert_eq!(h.tracker.fd_count(900), falcorc_runtime::state::fd::MAX_FDS_PER_PROCESS);
    // Many threads: every unknown tid makes a placeholder, up to the limit.
    let max = falcorc_runtime::state::MAX_THREADS as u64;
    for tid in 0..max + 5000 {
        h.ts += 1;
        let raw = encode_record(h.ts, 10_000 + tid, 1, &[&[139, 0]]).unwrap();
        let (ev, _) = parse_record(&raw, true).unwrap();
        h.tracker.on_event(&ev, |_| {});
    }
    assert_eq!(h.tracker.threads() as u64, max);
    assert!(h.tracker.stats().dropped_threads >= 5000);
}

#[test]
fn children_are_reparented_when_their_parent_exits() {
    let mut h = Harness::new();
    h.execve(1, 0, "/sbin/init", &[], "systemd", &[]);
    h.execve(700, 1, "/usr/bin/bash", &[], "bash", &[]);
    h.execve(701, 700, "/usr/bin/sleep", &["60"], "sleep", &[]);
    h.execve(702, 700, "/usr/bin/sleep", &["30"], "sleep", &[]);
    h.execve(800, 1, "/usr/bin/tini", &[], "tini", &[]);
    let keys = ["proc.pname", "proc.ppid", "proc.aname[2]"];
    assert_eq!(h.feed(701, READ_X, &[i64p(0), E], &keys)["proc.pname"], st("bash"));

    // The driver names the reaper (a subreaper here): the children move to it.
    let exit = |reaper: i64| vec![i64p(0), i64p(0), vec![0u8], vec![0u8], i64p(reaper)];
    h.feed(700, PROCEXIT, &exit(800), &[]);
    assert!(h.tracker.thread(700).is_none());
    let v = h.feed(701, READ_X, &[i64p(0), E], &keys);
    assert_eq!(v["proc.pname"], st("tini"));
    assert_eq!(v["proc.ppid"], int(800));
    assert_eq!(v["proc.aname[2]"], st("systemd"));
    assert_eq!(h.feed(702, READ_X, &[i64p(0), E], &keys)["proc.pname"], st("tini"));

    // No reaper in the event: init adopts them.
    h.feed(800, PROCEXIT, &exit(0), &[]);
    let v = h.feed(702, READ_X, &[i64p(0), E], &keys);
    assert_eq!(v["proc.pname"], st("systemd"));
    assert_eq!(v["proc.ppid"], int(1));

    // Without init in the table they have no parent left.
    h.feed(1, PROCEXIT, &exit(0), &[]);
    let v = h.feed(701, READ_X, &[i64p(0), E], &keys);
    assert_eq!(v["proc.pname"], None);
}
