//! Every field type × every operator × every value form, against a table of what libsinsp
//! does, written here from its source (`flt_is_comparable` in filter_compare.cpp, the value
//! parser, `sinsp_numparser`) rather than from falcorc's checker: the verdict (loads or not)
//! and Falco's message must agree in every cell.
//!
//! The field of each type is a real one: a catalogue field where one has the type, else
//! `evt.rawarg.NAME` for an event parameter whose first declaration has it (libsinsp types
//! `evt.rawarg.NAME` by the first parameter of that name in the event table).

use falcorc_compiler::sema::catalog::{self, FieldType};
use falcorc_compiler::{Options, SourceFile, analyze};
use std::collections::BTreeMap;

const OPS: [&str; 20] = [
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "contains",
    "icontains",
    "bcontains",
    "startswith",
    "bstartswith",
    "endswith",
    "glob",
    "iglob",
    "regex",
    "pmatch",
    "exists",
    "in",
    "intersects",
];

/// How libsinsp's `flt_is_comparable` groups a (non-list) type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Numeric,
    Bool,
    Ip,
    Str,
    Buffer,
    /// Every other type: `exists` only.
    Other(&'static str),
}

fn group(ty: FieldType) -> Option<Group> {
    use FieldType::*;
    Some(match ty {
        Int8 | Int16 | Int32 | Int64 | Uint8 | Uint16 | Uint32 | Uint64 | Errno | Fd | Pid | Syscallid | Sigtype
        | Reltime | Abstime | Port | Flags8 | Flags16 | Flags32 | Double | Mode | EnumFlags8 | EnumFlags16
        | EnumFlags32 => Group::Numeric,
        Bool => Group::Bool,
        Ipv4Addr | Ipv4Net | Ipv6Addr | Ipv6Net | IpAddr | IpNet => Group::Ip,
        Charbuf | Fspath | Fsrelpath => Group::Str,
        Bytebuf => Group::Buffer,
        SockAddr => Group::Other("SOCKADDR"),
        SockTuple => Group::Other("SOCKTUPLE"),
        FdList => Group::Other("FDLIST"),
        L4Proto => Group::Other("L4PROTO"),
        SockFamily => Group::Other("SOCKFAMILY"),
        Dyn => Group::Other("DYNAMIC"),
        Uid => Group::Other("UID"),
        Gid => Group::Other("GID"),
        Sigset => Group::Other("SIGSET"),
        CharbufArray => Group::Other("CHARBUFARRAY"),
        CharbufPairArray => Group::Other("CHARBUF_PAIR_ARRAY"),
        // Types newer than the table this oracle was read from.
        Fd32 | Pid32 => return None,
    })
}

/// libsinsp's verdict on `op` for a type of group `g`: None when it compiles, else the
/// message, which the compiler's `check_op_type_compatibility` prefixes with `filter error: `.
fn op_verdict(g: Group, op: &str) -> Option<String> {
    type_message(g, op).map(|m| format!("filter error: {m}"))
}

/// `flt_is_comparable`'s own message.
fn type_message(g: Group, op: &str) -> Option<String> {
    if g == Group::Str {
        // Strings take every operator but the binary ones.
        return matches!(op, "bcontains" | "bstartswith")
            .then(|| format!("'{op}' operator not supported for string filters"));
    }
    let allowed: &[&str] = match g {
        Group::Numeric => &["=", "==", "!=", "<", "<=", ">", ">=", "in", "intersects", "exists"],
        Group::Bool | Group::Ip => &["=", "==", "!=", "in", "intersects", "exists"],
        Group::Buffer => &[
            "=",
            "==",
            "!=",
            "contains",
            "startswith",
            "endswith",
            "bcontains",
            "bstartswith",
            "in",
            "intersects",
            "exists",
        ],
        Group::Other(_) => &["exists"],
        Group::Str => unreachable!(),
    };
    if allowed.contains(&op) {
        return None;
    }
    let name = if op == "==" { "=" } else { op };
    Some(match g {
        Group::Numeric | Group::Bool => format!("'{name}' operator not supported for numeric filters"),
        Group::Ip => format!("'{name}' operator not supported for ip address and network filters"),
        Group::Buffer => format!("'{name}' operator not supported for buffer filters"),
        Group::Other(t) => format!("'{name}' operator not supported for type '{t}'"),
        Group::Str => unreachable!(),
    })
}

/// A value of the right form for `ty` with `op`, so that only the operator is being tested.
fn good_value(ty: FieldType, op: &str) -> String {
    let one = if op == "bcontains" || op == "bstartswith" {
        "6162".to_string()
    } else if matches!(op, "<" | "<=" | ">" | ">=") {
        // The parser takes only numbers after an ordering operator.
        "10".to_string()
    } else {
        match group(ty) {
            Some(Group::Bool) => "true".into(),
            Some(Group::Ip) if ty.pt_name().ends_with("NET") => "10.0.0.0/8".into(),
            Some(Group::Ip) => "10.0.0.1".into(),
            Some(Group::Str | Group::Buffer) => "abc".into(),
            _ => "10".into(),
        }
    };
    match op {
        "exists" => String::new(),
        "in" | "intersects" | "pmatch" => format!("({one})"),
        _ => one,
    }
}

/// One field per type: a catalogue field, else `evt.rawarg.NAME` typed by its first declaration.
fn field_of_each_type() -> BTreeMap<&'static str, (FieldType, String)> {
    let mut out = BTreeMap::new();
    for f in catalog::FIELDS {
        if f.arg == catalog::ArgKind::None && !f.has(catalog::flags::LIST) && f.ty != FieldType::Dyn {
            out.entry(f.ty.pt_name()).or_insert((f.ty, f.name.to_string()));
        }
    }
    for e in catalog::EVENTS {
        for p in e.params {
            if catalog::events::param_type(p.name) == Some(p.ty) {
                out.entry(p.ty.pt_name())
                    .or_insert((p.ty, format!("evt.rawarg.{}", p.name)));
            }
        }
    }
    out
}

/// Errors per rule name, for a file of one rule per condition.
fn load(conds: &[String]) -> Vec<Vec<String>> {
    let mut yaml = String::new();
    for (i, c) in conds.iter().enumerate() {
        yaml.push_str(&format!(
            "- rule: c{i}\n  desc: d\n  condition: evt.type = open and {c}\n  output: o\n  priority: INFO\n"
        ));
    }
    let opts = Options {
        lint: falcorc_compiler::lint::Config::none(),
        ..Options::default()
    };
    let an = analyze(
        vec![SourceFile {
            name: "cases.yaml".into(),
            text: yaml,
        }],
        &opts,
    );
    let mut out = vec![Vec::new(); conds.len()];
    for d in an.diagnostics.iter().filter(|d| d.is_error()) {
        let i: usize = d
            .item
            .as_ref()
            .and_then(|it| it.name.strip_prefix('c'))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("an error outside the cases: {d:?}"));
        out[i].push(d.message.clone());
    }
    out
}

/// The conditions whose verdict differs from libsinsp's: `want` is None where the condition
/// loads, else Falco's message, which must be falcorc's first error.
fn disagreements(conds: &[String], want: &[Option<String>]) -> Vec<String> {
    let got = load(conds);
    let mut wrong = Vec::new();
    for ((c, w), errors) in conds.iter().zip(want).zip(&got) {
        let ok = match w {
            None => errors.is_empty(),
            Some(m) => errors.first() == Some(m),
        };
        if !ok {
            wrong.push(format!("{c}: libsinsp {w:?}, falcorc {errors:?}"));
        }
    }
    wrong
}

/// Fails with every condition whose verdict differs from libsinsp's.
fn assert_agree(conds: &[String], want: &[Option<String>]) {
    let wrong = disagreements(conds, want);
    assert!(
        wrong.is_empty(),
        "{} of {} conditions differ:\n{}",
        wrong.len(),
        conds.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_type_and_operator_agrees_with_libsinsp() {
    let fields = field_of_each_type();
    let mut conds = Vec::new();
    let mut expected = Vec::new();
    for (ty, field) in fields.values() {
        let Some(g) = group(*ty) else { continue };
        for op in OPS {
            conds.push(format!("{field} {op} {}", good_value(*ty, op)).trim_end().to_string());
            expected.push(op_verdict(g, op));
        }
    }
    assert!(fields.len() >= 30, "types reached: {:?}", fields.keys());
    assert_agree(&conds, &expected);
}

#[test]
fn list_fields_take_in_intersects_and_exists_only() {
    let conds: Vec<String> = OPS
        .iter()
        .map(|op| {
            let v = match *op {
                "exists" => String::new(),
                "in" | "intersects" | "pmatch" => "(file)".into(),
                "<" | "<=" | ">" | ">=" => "10".into(),
                o if o.starts_with('b') => "6162".into(),
                _ => "file".into(),
            };
            format!("fd.types {op} {v}").trim_end().to_string()
        })
        .collect();
    let got = load(&conds);
    for ((c, op), errors) in conds.iter().zip(OPS).zip(&got) {
        if matches!(op, "in" | "intersects" | "exists") {
            assert!(errors.is_empty(), "{c}: {errors:?}");
        } else {
            let name = if op == "==" { "=" } else { op };
            // Sic: libsinsp's list message has no "for".
            assert_eq!(
                errors.first().map(String::as_str),
                Some(format!("filter error: '{name}' operator not supported list filters").as_str()),
                "{c}"
            );
        }
    }
}

/// Value forms with `=`, per type group: what parses and libsinsp's message otherwise.
#[test]
fn value_forms_agree_with_libsinsp() {
    let forms = [
        "10",
        "-1",
        "+5",
        "0x10",
        "1.5",
        "\"\"",
        "abc",
        "true",
        "false",
        "10.0.0.1",
        "10.0.0.0/8",
        "::1",
        "::1/128",
    ];
    // (field, verdict per form): None loads, Some(message) does not.
    type Oracle = fn(&str) -> Option<String>;
    let number: Oracle = |v| {
        let t = v.trim_matches('"');
        let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
        (digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{t} is not a valid number"))
    };
    let port: Oracle = |v| {
        let t = v.trim_matches('"');
        // Digits, or empty (0); anything else is a service name (none known here).
        (!t.bytes().all(|b| b.is_ascii_digit())).then(|| format!("unrecognized protocol {t}"))
    };
    let boolean: Oracle =
        |v| (!matches!(v, "true" | "false")).then(|| format!("unrecognized boolean value {}", v.trim_matches('"')));
    let v4_or_v6_addr: Oracle = |v| {
        let t = v.trim_matches('"');
        if t.contains('.') {
            t.parse::<std::net::Ipv4Addr>()
                .err()
                .map(|_| format!("unrecognized IPv4 address {t}"))
        } else {
            t.parse::<std::net::Ipv6Addr>()
                .err()
                .map(|_| format!("unrecognized IPv6 address {t}"))
        }
    };
    let any: Oracle = |_| None;
    let cases: [(&str, Oracle); 6] = [
        ("proc.pid", number),
        ("fd.sport", port),
        ("evt.failed", boolean),
        ("fd.sip", v4_or_v6_addr),
        ("proc.name", any),
        ("evt.buffer", any),
    ];
    let mut conds = Vec::new();
    let mut want = Vec::new();
    for (field, oracle) in cases {
        for f in forms {
            conds.push(format!("{field} = {f}"));
            want.push(oracle(f));
        }
    }
    assert_agree(&conds, &want);
}

/// libsinsp validates every constant compared with `evt.type` as an event or syscall name,
/// whatever the operator: a pattern (`contains ope`, `glob 'open*'`) does not load.
#[test]
fn evt_type_takes_event_names_with_every_operator() {
    let mut conds = Vec::new();
    let mut want: Vec<Option<String>> = Vec::new();
    for op in OPS {
        let binary = matches!(op, "bcontains" | "bstartswith");
        // The parser takes only numbers after an ordering operator.
        let values: &[&str] = match op {
            "exists" => &[""],
            "<" | "<=" | ">" | ">=" => &["10"],
            "bcontains" | "bstartswith" => &["6f70656e"],
            "in" | "intersects" | "pmatch" => &["(open)", "(open, ope)"],
            _ => &["open", "ope", "'open*'"],
        };
        for v in values {
            conds.push(format!("evt.type {op} {v}").trim_end().to_string());
            let bad = ["10", "ope", "open*"]
                .into_iter()
                .find(|b| v.trim_matches(['(', ')', '\'']).split(", ").any(|x| x == *b));
            want.push(if binary {
                Some(format!(
                    "filter error: '{op}' operator not supported for string filters"
                ))
            } else {
                bad.map(|b| format!("unknown event type {b}"))
            });
        }
    }
    assert_agree(&conds, &want);
}

/// Field arguments as libsinsp's filter checks read them (each check parses its own): the
/// verdict and Falco's message for every argument form of the fields that take one.
#[test]
fn field_arguments_agree_with_libsinsp() {
    let nonexistent = |f: &str| Some(format!("filter_check called with nonexistent field {f}"));
    let syntax = |f: &str| Some(format!("filter syntax error: {f}"));
    let number = |a: &str| Some(format!("{a} is not a valid number"));
    let cases: Vec<(&str, Option<String>)> = vec![
        // No argument taken: the longer name does not exist.
        ("proc.name[1] = x", nonexistent("proc.name[1]")),
        ("proc.name.x = x", nonexistent("proc.name.x")),
        // evt.arg: an index read by sscanf("%d"), or a parameter name.
        ("evt.arg[0] = x", None),
        ("evt.arg[+1] = x", None),
        ("evt.arg[abc] = x", number("abc")),
        ("evt.arg[0x1] = x", number("0x1")),
        ("evt.arg = x", syntax("evt.arg")),
        ("evt.arg[\"\"] = x", syntax("evt.arg")),
        ("evt.arg.name = x", None),
        ("evt.arg.nosuch = x", Some("unknown event argument nosuch".into())),
        ("evt.arg.fdx = x", nonexistent("evt.arg.fdx")),
        ("evt.arg.fd[1] = x", nonexistent("evt.arg.fd[1]")),
        // evt.rawarg: a name only.
        ("evt.rawarg.res = 0", None),
        (
            "evt.rawarg[0] = 0",
            Some("evt.arg fields must be expressed explicitly".into()),
        ),
        ("evt.rawarg = 0", syntax("evt.rawarg")),
        // evt.around: [T] with '=' only.
        ("evt.around[1000] = 5", None),
        ("evt.around[-5] = 5", None),
        ("evt.around[1000] exists", None),
        ("evt.around = 5", syntax("evt.around")),
        ("evt.around.x = 5", Some("wrong syntax for evt.around".into())),
        ("evt.around[abc] = 5", number("abc")),
        (
            "evt.around[1000] > 5",
            Some("evt.around supports only '=' comparison operator".into()),
        ),
        (
            "evt.around[1000] in (5)",
            Some("evt.around supports only '=' comparison operator".into()),
        ),
        ("evt.around[1000] != x", number("x")),
        (
            "evt.around[1000] contains 5",
            Some("filter error: 'contains' operator not supported for numeric filters".into()),
        ),
        // evt.type.is: an event name after a dot.
        ("evt.type.is.open = 1", None),
        ("evt.type.is.nosuch = 1", nonexistent("evt.type.is.nosuch")),
        ("evt.type.is = 1", syntax("evt.type.is")),
        ("evt.type.is[open] = 1", syntax("evt.type.is[open]")),
        // thread.cgroup: a subsystem of letters and '_'.
        ("thread.cgroup.cpu = x", None),
        ("thread.cgroup.cpu_acct = x", None),
        ("thread.cgroup.cpu2 = x", nonexistent("thread.cgroup.cpu2")),
        ("thread.cgroup = x", syntax("thread.cgroup")),
        ("thread.cgroup[cpu] = x", syntax("thread.cgroup[cpu]")),
        // Ancestors and indexed arguments: a bad level is swallowed into a nonexistent field.
        ("proc.aname[0] = x", None),
        ("proc.aname[-1] = x", None),
        ("proc.aname[+2] = x", None),
        ("proc.aname[a] = x", nonexistent("proc.aname[a]")),
        ("proc.aname[0x1] = x", nonexistent("proc.aname[0x1]")),
        ("proc.apid[1] = 1", None),
        ("proc.args[1] = x", None),
        ("proc.args[-3] = x", None),
        ("proc.args[a] = x", nonexistent("proc.args[a]")),
        // Environment: a name or digits, anything the parser lets through.
        ("proc.env[HOME] = x", None),
        ("proc.env[-1] = x", None),
        ("proc.env[12] = x", None),
        ("proc.aenv[HOME] = x", None),
        // fd.types: parsed64, whose error is not caught.
        ("fd.types[3] in (file)", None),
        ("fd.types[-1] in (file)", None),
        ("fd.types[a] in (file)", number("a")),
        // Container plugin fields: the plugin layer's messages.
        (
            "container.id[x] = a",
            Some(
                "filter 'container.id[x]': container.id does not allow nor require an argument but one is provided: x"
                    .into(),
            ),
        ),
        (
            "k8s.pod.label.app = a",
            Some("filter 'k8s.pod.label.app': k8s.pod.label requires an argument but none provided".into()),
        ),
        ("k8s.pod.label[app] = a", None),
        ("container.mount.source[01] = a", None),
        // The parser's own rules.
        (
            "proc.aname[] = x",
            Some("expected a valid field argument: a quoted string or a bare string".into()),
        ),
    ];
    let (conds, want): (Vec<String>, Vec<Option<String>>) = cases.into_iter().map(|(c, w)| (c.to_string(), w)).unzip();
    assert_agree(&conds, &want);
}

/// Transformers over a field of every type: the types each transformer takes in libsinsp
/// (`transform_type`), the flag that refuses any (`EPF_NO_TRANSFORMER`), and the messages.
#[test]
fn transformers_take_the_types_libsinsp_takes() {
    use falcorc_compiler::sema::catalog::flags;
    let mut conds = Vec::new();
    let mut want = Vec::new();
    for (ty, field) in field_of_each_type().values() {
        let base = field.split('.').take(2).collect::<Vec<_>>().join(".");
        let no_transformer = catalog::field(&base).is_some_and(|d| d.has(flags::NO_TRANSFORMER));
        let pt = ty.pt_name().trim_start_matches("PT_");
        let pt = if pt == "DYN" { "DYNAMIC" } else { pt };
        for (tr, takes, value) in [
            ("tolower", &["CHARBUF", "FSPATH", "FSRELPATH"][..], "x"),
            ("toupper", &["CHARBUF", "FSPATH", "FSRELPATH"][..], "x"),
            ("basename", &["CHARBUF", "FSPATH", "FSRELPATH"][..], "x"),
            ("b64", &["CHARBUF", "BYTEBUF"][..], "x"),
            ("len", &["CHARBUF", "BYTEBUF", "FSPATH", "FSRELPATH"][..], "1"),
        ] {
            conds.push(format!("{tr}({field}) = {value}"));
            want.push(if no_transformer {
                Some(format!("field '{base}' does not support transformers"))
            } else if takes.contains(&pt) {
                None
            } else {
                Some(format!(
                    "can't add field transformer: type '{pt}' is not supported by '{tr}' transformer applied on field '{base}'"
                ))
            });
        }
    }
    // A chain: the type reached so far, the field underneath.
    conds.push("tolower(len(fd.name)) = 1".into());
    want.push(Some(
        "can't add field transformer: type 'UINT64' is not supported by 'tolower' transformer applied on field 'fd.name'"
            .into(),
    ));
    assert_agree(&conds, &want);
}

/// Patterns as libsinsp compiles them, `RE2(pattern, RE2::POSIX)`: Perl extensions fail with
/// `invalid regex pattern: ` and RE2's text; POSIX forms load.
#[test]
fn regex_patterns_follow_re2_posix_syntax() {
    let cases: Vec<(&str, Option<&str>)> = vec![
        (
            r"proc.name regex '\\d+'",
            Some(r"invalid regex pattern: invalid escape sequence: \d"),
        ),
        (
            r"proc.name regex '\\bx'",
            Some(r"invalid regex pattern: invalid escape sequence: \b"),
        ),
        (
            "proc.name regex '(?i)bash'",
            Some("invalid regex pattern: no argument for repetition operator: ?"),
        ),
        ("proc.name regex 'a(b'", Some("invalid regex pattern: missing ): a(b")),
        ("proc.name regex 'a)'", Some("invalid regex pattern: unexpected ): a)")),
        (
            "proc.name regex 'x{1001}'",
            Some("invalid regex pattern: invalid repetition size: {1001}"),
        ),
        (
            "proc.name regex '[a-z-9]'",
            Some("invalid regex pattern: invalid character class range: -9"),
        ),
        ("proc.name regex '[[:digit:]]+x'", None),
        ("proc.name regex 'a+?b{2'", None),
        (r"proc.name regex '\\x41\\101'", None),
    ];
    let conds: Vec<String> = cases.iter().map(|(c, _)| c.to_string()).collect();
    let want: Vec<Option<String>> = cases.iter().map(|(_, w)| w.map(str::to_string)).collect();
    assert_agree(&conds, &want);
}
