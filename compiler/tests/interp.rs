//! Semantics of every operator in the reference interpreter: conditions are parsed,
//! type-checked, lowered to the IR and evaluated against a table of field values.

use falcorc_compiler::diag::Severity;
use falcorc_compiler::eval::{FieldSource, Value, eval};
use falcorc_compiler::ir::{FieldId, FieldSpec, lower_condition};
use falcorc_compiler::sema::typeck::{Checker, Env};
use falcorc_compiler::span::SourceMap;
use falcorc_compiler::syntax::condition;
use std::collections::HashMap;

/// Field values of one synthetic event, keyed by the field as written (`proc.aname[2]`).
struct Event(HashMap<String, Value>);

impl FieldSource for Event {
    fn field(&self, _id: FieldId, spec: &FieldSpec) -> Option<Value> {
        let mut key = spec.name.to_string();
        if let Some(s) = &spec.suffix {
            key = format!("{key}.{s}");
        }
        if let Some(a) = &spec.arg {
            key = format!("{key}[{a}]");
        }
        self.0.get(&key).cloned()
    }
}

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

fn n(v: i128) -> Value {
    Value::Int(v)
}

fn ip(v: &str) -> Value {
    Value::Ip(v.parse().unwrap())
}

fn list(xs: &[&str]) -> Value {
    Value::List(xs.iter().map(|x| s(x)).collect())
}

/// Evaluate `cond` on an event with `fields`; the condition must compile cleanly.
fn check(cond: &str, fields: &[(&str, Value)]) -> bool {
    check_in(Env::default(), cond, fields)
}

/// [`check`] where `env` decides what exists (the services database).
fn check_in(env: Env, cond: &str, fields: &[(&str, Value)]) -> bool {
    let parsed = condition::parse(cond);
    assert!(parsed.errors.is_empty(), "{cond}: {:?}", parsed.errors);
    let ast = parsed.expr.expect("an expression");
    let mut smap = SourceMap::default();
    smap.add(cond.len() as u32);
    let mut ck = Checker {
        env,
        smap: &smap,
        diags: Vec::new(),
        severity: Severity::Error,
        item: ("rule", String::new()),
    };
    ck.check_expr(&ast);
    let errors: Vec<_> = ck.diags.iter().filter(|d| d.is_error()).map(|d| &d.message).collect();
    assert!(errors.is_empty(), "{cond}: {errors:?}");
    let (ir, specs) = lower_condition(&ast, env).expect("lowers");
    let ev = Event(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    let expected = eval(&ir, &specs, &ev);
    #[cfg(feature = "jit")]
    assert_eq!(
        native(ir, &specs, &ev),
        expected,
        "JIT and interpreter disagree on {cond}"
    );
    expected
}

/// The same condition as native code (every test here runs on both back ends).
#[cfg(feature = "jit")]
fn native(cond: falcorc_compiler::ir::Cond, specs: &[FieldSpec], ev: &Event) -> bool {
    use falcorc_compiler::eval::FieldCache;
    use falcorc_compiler::eval::jit::{Jit, JitOptions};
    let jit = Jit::compile(
        std::sync::Arc::new(vec![vec![(0, std::sync::Arc::new(cond))]]),
        &[],
        specs,
        &JitOptions::default(),
    )
    .expect("compiles");
    let mut cache = FieldCache::new(specs.len(), 0);
    cache.next_event();
    let mut out = Vec::new();
    jit.run(0, specs, &mut cache, ev, &mut out);
    out == [0]
}

#[test]
fn equality_and_case() {
    let ev = [("proc.name", s("Bash"))];
    assert!(check("proc.name = Bash", &ev));
    assert!(check("proc.name == Bash", &ev));
    assert!(!check("proc.name = bash", &ev));
    assert!(check("proc.name != bash", &ev));
    assert!(check("proc.name icontains BA", &ev));
    assert!(!check("proc.name contains BA", &ev));
    assert!(check("tolower(proc.name) = bash", &ev));
    assert!(check("toupper(proc.name) = BASH", &ev));
}

#[test]
fn string_operators() {
    let ev = [("fd.name", s("/etc/shadow"))];
    assert!(check("fd.name startswith /etc/", &ev));
    assert!(check("fd.name endswith shadow", &ev));
    assert!(check("fd.name contains c/sh", &ev));
    assert!(!check("fd.name startswith /var", &ev));
    assert!(check("fd.name glob /etc/*", &ev));
    assert!(check("fd.name glob '/etc/sha?ow'", &ev));
    assert!(!check("fd.name glob /etc/x*", &ev));
    assert!(check("fd.name iglob /ETC/SHA*", &ev));
    assert!(check("fd.name regex '/etc/(shadow|gshadow)'", &ev));
    // regex is a full match.
    assert!(!check("fd.name regex 'etc'", &ev));
    // RE2: a brace that opens no counted repetition is literal.
    let braces = [("proc.name", s("a{2,x}"))];
    assert!(check("proc.name regex 'a{2,x}'", &braces));
    assert!(check("proc.name regex 'a{1}[{]2,.*'", &braces));
    assert!(!check("proc.name regex 'a{2}'", &braces));
    assert!(
        check("fd.name < 2", &ev),
        "strings compare lexicographically ('/' < '2')"
    );
    assert!(!check("fd.name > 2", &ev));
}

#[test]
fn numeric_comparisons() {
    let ev = [("proc.pid", n(1234)), ("fd.sport", n(443))];
    assert!(check("proc.pid = 1234", &ev));
    assert!(check("proc.pid > 1000 and proc.pid <= 1234", &ev));
    assert!(!check("proc.pid < 1234", &ev));
    // Decimal only, as libsinsp's sscanf reads numbers: `0x4d2` does not load.
    assert!(check("proc.pid >= +1234", &ev));
    assert!(check("fd.sport in (80, 443)", &ev));
    assert!(!check("fd.sport in (80, 8080)", &ev));
    // Numeric, not textual: 0443 is 443.
    assert!(check("fd.sport = 0443", &ev));
}

#[test]
fn port_service_names_are_the_ports_of_the_services_table() {
    let services = Box::leak(Box::new(falcorc_compiler::sema::services::Services::parse(
        "http 80/tcp www\nhttps 443/tcp\nhttps 443/udp\n",
    )));
    let env = Env {
        services,
        ..Env::default()
    };
    let ev = [("fd.sport", n(443))];
    assert!(check_in(env, "fd.sport = https", &ev));
    assert!(check_in(env, "fd.sport in (http, https)", &ev));
    assert!(!check_in(env, "fd.sport in (www, 8080)", &ev));
    assert!(check_in(env, "fd.sport != http", &ev));
}

#[test]
fn doubles_take_equality_and_sets_as_in_falco() {
    // Values are decimal integers, as libsinsp reads them (`thread.cpu = 1.0` does not load).
    let ev = [("thread.cpu", Value::Double(2.0))];
    assert!(check("thread.cpu = 2", &ev));
    assert!(check("thread.cpu != 3", &ev));
    assert!(check("thread.cpu in (1, 2)", &ev));
    assert!(!check("thread.cpu in (1, 3)", &ev));
    assert!(check("thread.cpu intersects (2)", &ev));
    assert!(check("thread.cpu > 1", &ev));
}

#[test]
fn missing_values() {
    let ev: [(&str, Value); 0] = [];
    assert!(!check("proc.name = bash", &ev));
    assert!(!check("proc.name != bash", &ev), "a check on a missing value is false");
    assert!(check("not proc.name = bash", &ev));
    assert!(!check("proc.name exists", &ev));
    assert!(check("not proc.name exists", &ev));
    assert!(check("proc.name exists", &[("proc.name", s(""))]));
}

#[test]
fn in_and_pmatch_on_paths() {
    let ev = [("fd.name", s("/opt/dir/subdir/file"))];
    assert!(check("fd.name pmatch (/opt/dir)", &ev));
    assert!(check("fd.name pmatch (/usr, /opt/dir/subdir)", &ev));
    assert!(
        !check("fd.name pmatch (/opt/di)", &ev),
        "prefix must end at a path component"
    );
    assert!(check("fd.name pmatch (/opt/*/subdir)", &ev));
    assert!(check("fd.name in (/a, /opt/dir/subdir/file)", &ev));
    assert!(!check("fd.name in (/opt/dir)", &ev));
    assert!(!check("fd.name in ()", &ev));
}

#[test]
fn cidr_for_ip_fields() {
    // Networks are values of the network fields (`fd.net`, `fd.snet`, ...); an address field
    // takes addresses only, as in Falco.
    let ev = [
        ("fd.sip", ip("10.1.2.3")),
        ("fd.snet", ip("10.1.2.3")),
        ("fd.net", ip("192.168.1.7")),
        ("fd.rnet", ip("2001:db8::1")),
    ];
    assert!(check("fd.sip = 10.1.2.3", &ev));
    assert!(!check("fd.sip = 10.1.2.4", &ev));
    assert!(check("fd.snet in (10.0.0.0/8)", &ev));
    assert!(!check("fd.snet in (172.16.0.0/12, 192.168.0.0/16)", &ev));
    assert!(check("fd.net = 192.168.0.0/16", &ev));
    assert!(check("fd.rnet = 2001:db8::/32", &ev));
    assert!(!check("fd.rnet = 10.0.0.0/8", &ev), "families never match");
    assert!(check("fd.sip == anyof (10.9.9.9, 10.1.2.3)", &ev));
    assert!(!check("fd.sip != allof (10.1.2.3)", &ev));
}

#[test]
fn list_fields_in_and_intersects() {
    let ev = [("fd.types", list(&["file", "ipv4"]))];
    assert!(check("fd.types intersects (ipv4, ipv6)", &ev));
    assert!(!check("fd.types intersects (unix)", &ev));
    assert!(
        check("fd.types in (file, ipv4, ipv6)", &ev),
        "every value is in the set"
    );
    assert!(!check("fd.types in (file)", &ev));
    assert!(check("len(fd.types) = 2", &ev));
}

/// A string transformer on a list transforms each value and leaves a list, which keeps
/// the list operators' meaning (libsinsp checks the element type and keeps the flag).
#[test]
fn transformers_on_lists() {
    let ev = [("fd.types", list(&["file", "ipv4"])), ("fd.types[3]", list(&["file"]))];
    assert!(check("toupper(fd.types) intersects (FILE)", &ev));
    assert!(check("toupper(fd.types) in (FILE, IPV4)", &ev));
    assert!(
        !check("toupper(fd.types) in (FILE)", &ev),
        "every value must be in the set"
    );
    assert!(check("tolower(toupper(fd.types)) in (file, ipv4)", &ev));
    assert!(check("len(tolower(fd.types)) = 2", &ev), "still two values");
    assert!(check("fd.types[3] in (file)", &ev), "an index keeps the list");
    assert!(check("len(fd.types[3]) = 1", &ev), "len of a list counts its values");
}

/// A list with no value (an fd event of a thread without descriptors) is `in` any set,
/// as libsinsp's loop over the values gives, and intersects none.
#[test]
fn an_empty_list_is_in_every_set() {
    let ev = [("fd.types", list(&[]))];
    assert!(check("fd.types in (file)", &ev));
    assert!(check("toupper(fd.types) in (FILE)", &ev));
    assert!(!check("fd.types intersects (file)", &ev));
    assert!(!check("not fd.types in (file)", &ev));
}

/// getopt without a key is a list: `in` needs every value in the set, and a list on the
/// right of a field-to-field comparison is the set.
#[test]
fn getopt_lists() {
    let ev = [("proc.name", s("x"))];
    assert!(!check("getopt((\"-n\", \"-t\", \"x\"), \"nt:\") in (n)", &ev));
    assert!(check("getopt((\"-n\", \"-t\", \"x\"), \"nt:\") in (n, t, x)", &ev));
    assert!(check("getopt((\"-n\", \"-t\", \"x\"), \"nt:\") intersects (n)", &ev));
    assert!(!check(
        "getopt((\"-a\", \"-n\"), \"an\") in getopt((\"-n\"), \"n\")",
        &ev
    ));
    assert!(check(
        "getopt((\"-n\"), \"n\") in getopt((\"-a\", \"-n\"), \"an\")",
        &ev
    ));
    assert!(check(
        "getopt((\"-a\", \"-n\"), \"an\") intersects getopt((\"-n\"), \"n\")",
        &ev
    ));
}

#[test]
fn modifiers() {
    let ev = [("proc.name", s("myexe"))];
    assert!(check("proc.name == oneof (bash, myexe)", &ev));
    assert!(!check("proc.name == allof (bash, myexe)", &ev));
    assert!(check("proc.name endswith allof (exe, yexe)", &ev));
    assert!(check("proc.name startswith anyof (my, your)", &ev));
    assert!(!check("proc.name == allof ()", &ev), "allof of nothing is false");
    assert!(!check("proc.name == oneof ()", &ev));
    assert!(check("proc.name != oneof (bash, sh)", &ev));
}

#[test]
fn bytebuf_operators() {
    let ev = [("evt.buffer", Value::Bytes(b"hello\x00world".to_vec()))];
    assert!(check("evt.buffer bcontains 6c6c6f00", &ev));
    assert!(check("evt.buffer bstartswith 68656c", &ev));
    assert!(!check("evt.buffer bstartswith 656c", &ev));
    assert!(check("evt.buffer contains world", &ev));
}

#[test]
fn booleans() {
    assert!(check("evt.is_io = true", &[("evt.is_io", Value::Bool(true))]));
    assert!(check("evt.is_io != true", &[("evt.is_io", Value::Bool(false))]));
}

#[test]
fn field_to_field() {
    let ev = [("proc.name", s("sh")), ("proc.pname", s("sh")), ("proc.exe", s("SH"))];
    assert!(check("proc.name = val(proc.pname)", &ev));
    assert!(check("proc.exe = toupper(proc.pname)", &ev));
    assert!(!check("proc.exe = val(proc.pname)", &ev));
    assert!(!check("proc.name = val(proc.cwd)", &ev), "missing right-hand value");
}

#[test]
fn transformers() {
    let ev = [
        ("fd.name", s("/tmp/file_to_run")),
        ("fd.directory", s("/tmp")),
        ("proc.cmdline", s("ZWNobyBoaQ==")),
        ("proc.args", s("-p 8080 -v")),
    ];
    assert!(check("basename(fd.name) = file_to_run", &ev));
    assert!(check("len(fd.name) = 16", &ev));
    assert!(check("b64(proc.cmdline) = 'echo hi'", &ev));
    assert!(check(
        "join(\"-\", (fd.name, fd.directory)) = /tmp/file_to_run-/tmp",
        &ev
    ));
    assert!(check("concat(fd.directory, \"/x\") = /tmp/x", &ev));
    assert!(check(
        "getopt((\"-p\", \"8080\", \"-v\"), \"p:v\") intersects (p, 8080)",
        &ev
    ));
    assert!(check("getopt((\"-p\", \"8080\", \"-v\"), \"p:v\")[p] = 8080", &ev));
    assert!(check("getopt((\"-xzf\", \"a.tgz\"), \"xzf:\")[f] = a.tgz", &ev));
}

#[test]
fn and_or_not_precedence() {
    let ev = [("proc.name", s("a"))];
    // `or` binds weaker than `and`: true or (false and false).
    assert!(check("proc.name = a or proc.name = b and proc.name = c", &ev));
    assert!(!check("(proc.name = a or proc.name = b) and proc.name = c", &ev));
    assert!(check("not not proc.name = a", &ev));
}

#[test]
fn ancestors_without_argument_match_any() {
    let ev = [
        ("proc.aname", list(&["bash", "sshd", "systemd"])),
        ("proc.aname[1]", s("bash")),
    ];
    assert!(check("proc.aname = sshd", &ev));
    assert!(check("proc.aname[1] = bash", &ev));
    assert!(!check("proc.aname[1] = sshd", &ev));
}

#[test]
fn field_arguments_are_read_as_libsinsp_reads_them() {
    let ev = [
        ("proc.aname", list(&["bash", "sshd", "systemd"])),
        ("proc.aname[1]", s("bash")),
        ("proc.args", s("-c true")),
        ("proc.args[0]", s("-c")),
        ("proc.env", s("HOME=/root")),
        ("evt.arg[1]", s("x")),
    ];
    // Levels and indexes are sscanf("%d") numbers: sign, leading zeros and white space.
    assert!(check("proc.aname[+1] = bash", &ev));
    assert!(check("proc.aname[01] = bash", &ev));
    assert!(check("proc.aname[\" 1\"] = bash", &ev));
    assert!(check("proc.args[+0] = -c", &ev));
    assert!(check("evt.arg[+1] = x", &ev));
    // -1 is "no level" (any ancestor, every argument); an empty argument is no argument.
    assert!(check("proc.aname[-1] = systemd", &ev));
    assert!(check("proc.aname[\"\"] = sshd", &ev));
    assert!(check("proc.args[-1] = \"-c true\"", &ev));
    // An all-digit key of proc.env names no variable: the whole environment.
    assert!(check("proc.env[123] = \"HOME=/root\"", &ev));
    assert!(check("proc.env[\"\"] = \"HOME=/root\"", &ev));
}

/// Which rules of a loaded ruleset match an event, evaluating the lowered program.
fn matching_rules(yaml: &str, fields: &[(&str, Value)]) -> Vec<String> {
    let an = falcorc_compiler::analyze(
        vec![falcorc_compiler::SourceFile {
            name: "r.yaml".into(),
            text: yaml.into(),
        }],
        &falcorc_compiler::Options::default(),
    );
    assert_eq!(
        an.errors(),
        0,
        "{:?}",
        an.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    let ev = Event(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    an.program
        .rules
        .iter()
        .filter(|r| eval(&r.cond, &an.program.fields, &ev))
        .map(|r| r.name.clone())
        .collect()
}

#[test]
fn rules_with_lists_macros_and_exceptions() {
    let yaml = r#"
- list: shells
  items: [bash, sh]
- macro: spawned
  condition: evt.type = execve
- rule: shell
  desc: a shell
  condition: spawned and proc.name in (shells)
  output: "%proc.name"
  priority: WARNING
  exceptions:
    - name: from_cron
      fields: [proc.pname, proc.cmdline]
      comps: [=, startswith]
      values:
        - [cron, "sh -c backup"]
    - name: known_parents
      fields: proc.pname
      values: [sshd_wrapper]
"#;
    let base = |pname: &str, cmdline: &str| {
        vec![
            ("evt.type", s("execve")),
            ("proc.name", s("sh")),
            ("proc.pname", s(pname)),
            ("proc.cmdline", s(cmdline)),
        ]
    };
    assert_eq!(matching_rules(yaml, &base("bash", "sh -i")), ["shell"]);
    assert!(
        matching_rules(yaml, &base("cron", "sh -c backup.sh")).is_empty(),
        "tuple exception"
    );
    assert_eq!(
        matching_rules(yaml, &base("cron", "sh -c other")),
        ["shell"],
        "both fields must match"
    );
    assert!(
        matching_rules(yaml, &base("sshd_wrapper", "sh")).is_empty(),
        "scalar exception"
    );
    let mut other = base("bash", "x");
    other[0] = ("evt.type", s("open"));
    assert!(matching_rules(yaml, &other).is_empty());
}

#[test]
fn multi_valued_fields_match_any_value() {
    // proc.aname without a level stands for every ancestor: `in` matches if any does.
    let ev = [("proc.aname", list(&["bash", "sshd", "systemd"]))];
    assert!(check("proc.aname in (sshd, apt)", &ev));
    assert!(!check("proc.aname in (apt)", &ev));
    // fd.ip stands for both ends: `!=` holds only when neither end is equal.
    let ev = [("fd.ip", Value::List(vec![ip("0.0.0.0"), ip("10.0.0.1")]))];
    assert!(!check("fd.ip != 0.0.0.0", &ev));
    assert!(check("fd.ip != 1.2.3.4", &ev));
    assert!(check("fd.ip = 10.0.0.1", &ev));
}
