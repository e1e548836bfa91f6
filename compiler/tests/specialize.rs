//! Specialisation of conditions for one event code: `evt.type`/`evt.dir` tests fold,
//! the rest is kept, and the result evaluates like the original on every event of
//! that code (checked exhaustively on small value tables, and on every rule of
//! Falco's stable ruleset for every code it is indexed under).

use falcorc_compiler::eval::{EventFacts, FieldSource, Value, eval, specialize};
use falcorc_compiler::ir::{Cond, FieldId, FieldSpec, lower_condition};
use falcorc_compiler::sema::catalog::{event, event_codes};
use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::syntax::condition;
use std::path::PathBuf;

fn lower(cond: &str) -> (Cond, Vec<FieldSpec>) {
    let parsed = condition::parse(cond);
    assert!(parsed.errors.is_empty(), "{cond}: {:?}", parsed.errors);
    lower_condition(&parsed.expr.expect("an expression"), Env::default()).expect("lowers")
}

fn code(name: &str) -> u16 {
    // The exit event of the current version: the one live drivers emit.
    *event_codes(name)
        .expect("known event")
        .iter()
        .filter(|c| event(**c).is_some_and(|d| d.dir == falcorc_compiler::sema::catalog::Dir::Exit))
        .max()
        .expect("an exit event")
}

/// An event of code `code` with `proc.name = name` and `fd.name = file`.
struct Ev {
    code: u16,
    name: Option<&'static str>,
    file: Option<&'static str>,
}

impl FieldSource for Ev {
    fn field(&self, _id: FieldId, spec: &FieldSpec) -> Option<Value> {
        let def = event(self.code)?;
        let text = match spec.name {
            "evt.type" => Some(def.name),
            "evt.dir" => Some("<"),
            "proc.name" => self.name,
            "fd.name" => self.file,
            _ => None,
        };
        text.map(|t| Value::Str(t.into()))
    }
}

fn shape(c: &Cond) -> String {
    match c {
        Cond::And(xs) => format!("and({})", xs.iter().map(shape).collect::<Vec<_>>().join(",")),
        Cond::Or(xs) => format!("or({})", xs.iter().map(shape).collect::<Vec<_>>().join(",")),
        Cond::Not(x) => format!("not({})", shape(x)),
        Cond::Const(b) => b.to_string(),
        Cond::Cmp(_) => "cmp".into(),
    }
}

fn spec(cond: &str, event: &str) -> String {
    let (c, fields) = lower(cond);
    shape(&specialize(&c, &fields, &EventFacts::of_code(code(event))))
}

#[test]
fn event_type_tests_fold_and_the_structure_collapses() {
    let open_read = "evt.type in (open, openat, openat2) and evt.dir = < and proc.name = cat";
    assert_eq!(spec(open_read, "openat"), "cmp");
    assert_eq!(spec(open_read, "execve"), "false");
    assert_eq!(spec("evt.type = execve or proc.name = sh", "execve"), "true");
    assert_eq!(spec("evt.type = execve or proc.name = sh", "openat"), "cmp");
    assert_eq!(spec("not evt.type in (connect, accept)", "connect"), "false");
    assert_eq!(spec("not (evt.type != openat and fd.name = x)", "openat"), "true");
    assert_eq!(
        spec(
            "(evt.type = openat and fd.name = a) or (evt.type = execve and proc.name = b) or proc.name = c",
            "openat"
        ),
        "or(cmp,cmp)"
    );
    assert_eq!(spec("toupper(evt.type) = OPENAT and proc.name = x", "openat"), "cmp");
    assert_eq!(spec("evt.type startswith open and proc.name = x", "execve"), "false");
}

#[test]
fn generic_and_async_events_keep_their_type_tests() {
    // The generic `syscall` events carry their type in a parameter.
    let (c, fields) = lower("evt.type = mlock and proc.name = x");
    let generic = event_codes("syscall").unwrap();
    for g in generic {
        assert!(matches!(specialize(&c, &fields, &EventFacts::of_code(g)), Cond::And(_)));
    }
}

#[test]
fn specialised_conditions_evaluate_like_the_original() {
    let conds = [
        "evt.type in (open, openat) and proc.name = cat",
        "evt.type = execve or fd.name = /etc/shadow",
        "not (evt.type = openat and proc.name in (cat, less)) and fd.name exists",
        "evt.dir = < and (evt.type != connect or proc.name = curl)",
        "evt.type in (openat, execve) and not proc.name exists",
    ];
    let names = [None, Some("cat"), Some("curl"), Some("less")];
    let files = [None, Some("/etc/shadow"), Some("/tmp/x")];
    for cond in conds {
        let (c, fields) = lower(cond);
        for ev in ["openat", "execve", "connect", "open", "close"] {
            let code = code(ev);
            let s = specialize(&c, &fields, &EventFacts::of_code(code));
            for name in names {
                for file in files {
                    let e = Ev { code, name, file };
                    assert_eq!(
                        eval(&s, &fields, &e),
                        eval(&c, &fields, &e),
                        "{cond} on {ev} {name:?} {file:?}"
                    );
                }
            }
        }
    }
}

/// `proc.name` and the list field `fd.types` with any of a few values, or none.
struct Many {
    name: Option<&'static str>,
    types: Option<Vec<&'static str>>,
}

impl FieldSource for Many {
    fn field(&self, _id: FieldId, spec: &FieldSpec) -> Option<Value> {
        match spec.name {
            "proc.name" => self.name.map(|n| Value::Str(n.into())),
            "fd.types" => self
                .types
                .as_ref()
                .map(|t| Value::List(t.iter().map(|s| Value::Str((*s).into())).collect())),
            _ => None,
        }
    }
}

#[test]
fn membership_in_an_empty_set_folds_to_false_as_the_interpreter_evaluates_it() {
    let conds = [
        "proc.name in ()",
        "proc.name intersects ()",
        "proc.name pmatch ()",
        "fd.types intersects ()",
        "proc.aname in ()",
        "not proc.name in ()",
        "proc.name = cat and not fd.types intersects ()",
    ];
    let names = [None, Some("cat"), Some("")];
    let types = [None, Some(vec![]), Some(vec!["file"]), Some(vec!["file", "ipv4"])];
    for cond in conds {
        let (c, fields) = lower(cond);
        let s = specialize(&c, &fields, &EventFacts::of_code(code("execve")));
        assert!(
            !matches!(s, Cond::Cmp(ref x) if matches!(x.rhs, falcorc_compiler::ir::Rhs::Set(_))),
            "{cond} was not folded: {s:?}"
        );
        for name in names {
            for t in &types {
                let e = Many { name, types: t.clone() };
                assert_eq!(eval(&s, &fields, &e), eval(&c, &fields, &e), "{cond} on {name:?} {t:?}");
            }
        }
    }
    assert_eq!(spec("proc.name in ()", "execve"), "false");
    assert_eq!(spec("proc.name = cat and not proc.name in ()", "execve"), "cmp");
    // A list is in a set when every value is: an empty list is in the empty set, so `in`
    // over a list field (or a transformer of one) is left to the event.
    for cond in ["fd.types in ()", "toupper(fd.types) in ()"] {
        let (c, fields) = lower(cond);
        let s = specialize(&c, &fields, &EventFacts::of_code(code("execve")));
        assert!(matches!(s, Cond::Cmp(_)), "{cond} was folded: {s:?}");
        for t in &types {
            let e = Many {
                name: None,
                types: t.clone(),
            };
            assert_eq!(eval(&s, &fields, &e), eval(&c, &fields, &e), "{cond} on {t:?}");
            assert_eq!(
                eval(&s, &fields, &e),
                t.as_ref().is_some_and(Vec::is_empty),
                "{cond} on {t:?}"
            );
        }
    }
}

fn shared() -> PathBuf {
    std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

#[test]
fn stable_ruleset_specialises_consistently_with_its_event_types() {
    let path = shared().join("falco-upstream/falco_rules.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("note: {} not found; skipping", path.display());
        return;
    };
    let a = falcorc_compiler::analyze(
        vec![falcorc_compiler::SourceFile {
            name: path.display().to_string(),
            text,
        }],
        &Default::default(),
    );
    let p = &a.program;
    let (mut kept, mut dropped) = (0, 0);
    for r in &p.rules {
        for &c in r.evttypes.iter().flatten() {
            match specialize(&r.cond, &p.fields, &EventFacts::of_code(c)) {
                Cond::Const(false) => dropped += 1,
                s => {
                    kept += 1;
                    // Nothing of `evt.type` is left where the code decides it.
                    if EventFacts::of_code(c).type_name.is_some() {
                        assert!(!mentions(&s, p, "evt.type"), "{} on code {c}", r.name);
                    }
                }
            }
        }
    }
    // The event-type sets come from a separate analysis of the conditions: no code
    // in a rule's set may fold its condition to false (the two analyses agree).
    assert!(kept > 0);
    assert_eq!(dropped, 0, "codes in event-type sets whose condition folds to false");
}

fn mentions(c: &Cond, p: &falcorc_compiler::ir::Program, field: &str) -> bool {
    use falcorc_compiler::ir::Operand;
    match c {
        Cond::And(xs) | Cond::Or(xs) => xs.iter().any(|x| mentions(x, p, field)),
        Cond::Not(x) => mentions(x, p, field),
        Cond::Const(_) => false,
        Cond::Cmp(cmp) => matches!(&cmp.lhs, Operand::Field(id) if p.fields[id.0 as usize].name == field),
    }
}
