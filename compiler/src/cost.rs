//! A static estimate of what a rule costs, from its expanded condition and event types:
//! the `costly-rule` check and the `estimated` column of `falcorc profile` use it.
//!
//! Per evaluation, each comparison costs its field's extraction (the first time the rule
//! reads the field) plus its operator; `and`/`or` short-circuit, so an operand costs in
//! proportion to the chance that evaluation reaches it, from a fixed guess of how often each
//! kind of test is true. `evt.type` and `evt.dir` tests cost nothing: the engine has already
//! selected the rule by event type and folded them. The rule's cost on a stream is its cost
//! per evaluation times how often its event types occur, from a fixed model of a busy host
//! where file and socket IO dominate and process creation is rare ([`EVENTS_PER_1000`]).
//! The units are nanoseconds, calibrated on the JIT engine (docs/PERFORMANCE.md states how
//! well the ranking agrees with measured profiles).

use crate::analysis::RuleInfo;
use crate::hash::FastSet as HashSet;
use crate::span::Span;
use crate::syntax::condition::ast::{Check, Expr, FieldRef, Op, Operand, Rhs, TArg, Transform};

/// The estimate for one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Expected nanoseconds per evaluation.
    pub per_eval: f64,
    /// Evaluations per 1000 events of the model mix (how often its event types occur).
    pub evals_per_1000: f64,
    /// The comparison that contributes most, and its expected share of `per_eval`.
    pub costliest: Option<(Span, f64)>,
}

impl Estimate {
    /// Expected nanoseconds the rule adds per 1000 events of the model mix.
    pub fn per_1000_events(&self) -> f64 {
        self.per_eval * self.evals_per_1000
    }
}

/// Estimate `rule`; `None` when it did not compile.
pub fn estimate(rule: &RuleInfo) -> Option<Estimate> {
    let expr = rule.expr.as_ref()?;
    let mut w = Walker {
        seen: HashSet::default(),
        costliest: None,
    };
    let (per_eval, _) = w.expr(expr, 1.0);
    let evals_per_1000 = match &rule.evttypes {
        Some(set) => set.names().iter().map(|n| frequency(n)).sum(),
        None => 0.0,
    };
    Some(Estimate {
        per_eval: per_eval + BASE,
        evals_per_1000,
        costliest: w.costliest,
    })
}

/// What running any rule costs (the call, the result).
const BASE: f64 = 5.0;

struct Walker {
    /// Fields already read by this evaluation (the per-event cache makes re-reads cheap).
    seen: HashSet<String>,
    costliest: Option<(Span, f64)>,
}

impl Walker {
    /// Expected cost and probability of being true, given the chance `reach` that
    /// evaluation gets here (used to find the costliest comparison).
    fn expr(&mut self, e: &Expr, reach: f64) -> (f64, f64) {
        match e {
            Expr::And(xs, _) => {
                let (mut cost, mut p) = (0.0, 1.0);
                for x in xs {
                    let (c, q) = self.expr(x, reach * p);
                    cost += p * c;
                    p *= q;
                }
                (cost, p)
            }
            Expr::Or(xs, _) => {
                let (mut cost, mut miss) = (0.0, 1.0);
                for x in xs {
                    let (c, q) = self.expr(x, reach * miss);
                    cost += miss * c;
                    miss *= 1.0 - q;
                }
                (cost, 1.0 - miss)
            }
            Expr::Not(x, _) => {
                let (c, q) = self.expr(x, reach);
                (c, 1.0 - q)
            }
            Expr::Check(c) => {
                let (cost, p) = self.check(c);
                if self.costliest.is_none_or(|(_, best)| cost * reach > best) && cost > 0.0 {
                    self.costliest = Some((c.span, cost * reach));
                }
                (cost, p)
            }
            // Unexpanded macros and errors do not occur in compiled rules.
            Expr::Macro(_) | Expr::Error(_) => (0.0, 0.5),
        }
    }

    fn check(&mut self, c: &Check) -> (f64, f64) {
        if let Operand::Field(f) = &c.lhs
            && matches!(f.name.as_str(), "evt.type" | "evt.dir")
        {
            return (0.0, 1.0);
        }
        let lhs = self.operand(&c.lhs);
        let rhs = match &c.rhs {
            Rhs::Operand(o) => self.operand(o),
            _ => 0.0,
        };
        let items = match &c.rhs {
            Rhs::List(xs, _) => xs.len(),
            Rhs::Modified { list, .. } => match &**list {
                Rhs::List(xs, _) => xs.len(),
                _ => 8,
            },
            _ => 1,
        };
        let (op, mut p) = operator(c.op, items, &c.rhs);
        if let (Operand::Field(f), Rhs::Value(v), Op::Eq | Op::EqEq | Op::Ne) = (&c.lhs, &c.rhs, c.op) {
            // A field with few values (a type, a flag, root or not) equals any one of them
            // often; whether events come from containers or the host depends on the machine.
            let odds = if f.name == "container.id" && v.text == "host" {
                Some(0.5)
            } else {
                few_values(&f.name, &v.text).then_some(0.4)
            };
            if let Some(q) = odds {
                p = if c.op == Op::Ne { 1.0 - q } else { q };
            }
        }
        (lhs + rhs + op, p)
    }

    fn operand(&mut self, o: &Operand) -> f64 {
        match o {
            Operand::Field(f) => self.field(f),
            Operand::Transform(t) => self.transform(t),
        }
    }

    fn transform(&mut self, t: &Transform) -> f64 {
        let args: f64 = t
            .args
            .iter()
            .map(|a| match a {
                TArg::Field(f) => self.field(f),
                TArg::Transform(t) => self.transform(t),
                TArg::List(xs, _) => xs.len() as f64,
                TArg::Str(_) | TArg::Num(_) => 0.0,
            })
            .sum();
        args + 80.0
    }

    fn field(&mut self, f: &FieldRef) -> f64 {
        let key = match &f.arg {
            Some(a) => format!("{}[{}]", f.name, a.value),
            None => f.name.clone(),
        };
        if !self.seen.insert(key) {
            return 1.0;
        }
        extraction(f)
    }
}

/// Fields with a handful of values, and `value` one of the common ones.
fn few_values(field: &str, value: &str) -> bool {
    matches!(
        field,
        "fd.typechar" | "fd.type" | "fd.l4proto" | "fd.sockfamily" | "fd.connected" | "fd.is_server" | "evt.failed"
    ) || field.starts_with("evt.is_")
        || field.starts_with("proc.is_")
        || (matches!(field, "user.uid" | "proc.vpid" | "proc.loginuid" | "user.loginuid")
            && matches!(value, "0" | "-1"))
        || value == "true"
        || value == "false"
}

/// Nanoseconds to extract a field the first time in an event (measured one field per rule,
/// `ci/scripts/cost-calibration.py`).
fn extraction(f: &FieldRef) -> f64 {
    let name = f.name.as_str();
    let level = || f.arg.as_ref().and_then(|a| a.value.parse::<f64>().ok());
    match name {
        // Lent straight from the thread or fd tables.
        "proc.name" | "proc.exe" | "proc.exepath" | "fd.name" | "fd.nameraw" | "fd.directory" | "fd.typechar"
        | "fd.type" | "fd.num" | "container.id" | "evt.num" => 3.0,
        // Built by joining the arguments or the environment; the parent's through a lookup.
        "proc.cmdline" => 90.0,
        "proc.args" => 70.0,
        "proc.env" => 30.0,
        "proc.pcmdline" | "proc.acmdline" | "proc.aenv" => 230.0,
        "proc.pexe" | "proc.pexepath" => 150.0,
        "proc.pname" | "proc.ppid" | "proc.pid" | "proc.tid" => 30.0,
        // One step up the process tree per level; without a level, every ancestor.
        "proc.aname" | "proc.apid" | "proc.aexe" | "proc.aexepath" => {
            level().map_or(160.0, |n| 10.0 + 10.0 * n.min(10.0))
        }
        "proc.sname" | "proc.sid" => 60.0,
        n if n.starts_with("proc.vpgid") => 80.0,
        // Flags and results formatted as Falco prints them.
        "evt.arg.flags" => 90.0,
        "evt.res" => 35.0,
        "evt.rawres" => 25.0,
        n if n.starts_with("evt.arg") => 20.0,
        "fd.filename" => 10.0,
        "user.uid" => 30.0,
        n if n.starts_with("user.") => 45.0,
        n if n.starts_with("group.") => 40.0,
        n if n.starts_with("thread.cap") => 45.0,
        "proc.cwd" => 35.0,
        "proc.tty" | "proc.duration" => 28.0,
        n if n.starts_with("proc.is_") => 20.0,
        n if n.starts_with("evt.is_") => 4.0,
        n if n.starts_with("container.") => 25.0,
        n if n.starts_with("k8s.") => 15.0,
        // Socket tuples and addresses, decoded from the fd's state.
        n if n.starts_with("fd.") => 15.0,
        _ => 10.0,
    }
}

/// Nanoseconds for the operator over a field already read (`items` values), and the chance
/// it is true (a guess: equality rarely holds, inequality mostly does).
fn operator(op: Op, items: usize, rhs: &Rhs) -> (f64, f64) {
    let n = items as f64;
    let modified = matches!(rhs, Rhs::Modified { .. });
    // One of several values matching.
    let any = (0.05 * n).min(0.5);
    match op {
        Op::Exists => (1.0, 0.9),
        Op::Eq | Op::EqEq => (1.0, 0.05),
        Op::Ne => (1.0, 0.9),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => (1.0, 0.5),
        // A hashed set.
        Op::In | Op::Intersects => (2.0, (0.02 + 0.01 * n).min(0.3)),
        Op::StartsWith | Op::BStartsWith | Op::EndsWith if modified => (6.0 * n, any),
        Op::StartsWith | Op::BStartsWith | Op::EndsWith => (1.0, 0.2),
        Op::Contains | Op::BContains if modified => (20.0 * n, any),
        Op::Contains | Op::BContains => (12.0, 0.1),
        Op::IContains => (25.0 * if modified { n } else { 1.0 }, 0.1),
        Op::Glob | Op::IGlob => (200.0, 0.1),
        Op::PMatch => (10.0 + 30.0 * n, 0.2),
        Op::Regex => (60.0, 0.05),
    }
}

/// Events of each type in 1000 events of the model mix: a busy host whose events are mostly
/// file and socket IO. Types not listed occur about once in 10 000 events.
pub const EVENTS_PER_1000: &[(&str, f64)] = &[
    ("read", 150.0),
    ("write", 120.0),
    ("close", 80.0),
    ("openat", 70.0),
    ("recvfrom", 50.0),
    ("sendto", 50.0),
    ("recvmsg", 30.0),
    ("sendmsg", 30.0),
    ("readv", 15.0),
    ("writev", 15.0),
    ("pread", 15.0),
    ("pwrite", 10.0),
    ("mmap", 30.0),
    ("munmap", 15.0),
    ("fcntl", 20.0),
    ("ioctl", 20.0),
    ("epoll_wait", 30.0),
    ("poll", 15.0),
    ("ppoll", 10.0),
    ("select", 5.0),
    ("futex", 40.0),
    ("nanosleep", 10.0),
    ("stat", 15.0),
    ("lstat", 10.0),
    ("fstat", 20.0),
    ("newfstatat", 15.0),
    ("lseek", 10.0),
    ("getdents", 3.0),
    ("getdents64", 5.0),
    ("brk", 5.0),
    ("open", 5.0),
    ("openat2", 1.0),
    ("connect", 12.0),
    ("accept", 4.0),
    ("accept4", 6.0),
    ("socket", 8.0),
    ("bind", 2.0),
    ("listen", 0.5),
    ("shutdown", 3.0),
    ("getsockopt", 6.0),
    ("setsockopt", 6.0),
    ("socketpair", 1.0),
    ("dup", 2.0),
    ("dup2", 2.0),
    ("dup3", 1.0),
    ("pipe", 1.0),
    ("pipe2", 2.0),
    ("eventfd", 1.0),
    ("eventfd2", 1.0),
    ("signalfd", 0.2),
    ("timerfd_create", 0.5),
    ("inotify_init", 0.1),
    ("inotify_init1", 0.2),
    ("chdir", 1.0),
    ("fchdir", 0.5),
    ("readlink", 2.0),
    ("readlinkat", 1.0),
    ("execve", 1.0),
    ("execveat", 0.05),
    ("clone", 1.0),
    ("clone3", 1.0),
    ("fork", 0.2),
    ("vfork", 0.2),
    ("procexit", 2.0),
    ("unlink", 0.5),
    ("unlinkat", 1.0),
    ("rename", 0.3),
    ("renameat", 0.3),
    ("renameat2", 0.5),
    ("mkdir", 0.3),
    ("mkdirat", 0.3),
    ("rmdir", 0.1),
    ("symlink", 0.05),
    ("symlinkat", 0.05),
    ("link", 0.05),
    ("linkat", 0.05),
    ("chmod", 0.2),
    ("fchmod", 0.2),
    ("fchmodat", 0.2),
    ("chown", 0.1),
    ("fchown", 0.1),
    ("fchownat", 0.1),
    ("kill", 0.5),
    ("tgkill", 0.5),
    ("prctl", 1.0),
    ("setuid", 0.1),
    ("setgid", 0.1),
    ("setresuid", 0.1),
    ("setresgid", 0.1),
    ("umask", 0.1),
    ("mprotect", 10.0),
    ("sendfile", 1.0),
    ("splice", 0.5),
];

/// How often events of type `name` occur, per 1000 events of the model mix.
pub fn frequency(name: &str) -> f64 {
    EVENTS_PER_1000
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(0.1, |(_, f)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, SourceFile, analyze};

    fn estimates(conditions: &[&str]) -> Vec<Estimate> {
        let text: String = conditions
            .iter()
            .enumerate()
            .map(|(i, c)| format!("- rule: r{i}\n  desc: d\n  condition: {c}\n  output: o\n  priority: INFO\n"))
            .collect();
        let an = analyze(
            vec![SourceFile {
                name: "r.yaml".into(),
                text,
            }],
            &Options::default(),
        );
        assert_eq!(an.errors(), 0, "{:?}", an.diagnostics);
        an.rules.iter().map(|r| estimate(r).unwrap()).collect()
    }

    #[test]
    fn cheap_selective_tests_first_cost_less() {
        let e = estimates(&[
            "evt.type = execve and proc.name = curl and proc.cmdline regex 'x+y'",
            "evt.type = execve and proc.cmdline regex 'x+y' and proc.name = curl",
        ]);
        assert!(e[0].per_eval < e[1].per_eval / 3.0, "{e:?}");
    }

    #[test]
    fn operators_and_fields_are_priced_by_what_they_do() {
        let e = estimates(&[
            "evt.type = openat and fd.name = /etc/passwd",
            "evt.type = openat and fd.name contains passwd",
            "evt.type = openat and fd.name glob '/etc/*'",
            "evt.type = openat and proc.aname = sshd",
            "evt.type = openat and proc.aname[1] = sshd",
        ]);
        assert!(e[0].per_eval < e[1].per_eval && e[1].per_eval < e[2].per_eval, "{e:?}");
        assert!(e[4].per_eval < e[3].per_eval, "one ancestor costs less than all: {e:?}");
    }

    #[test]
    fn frequent_event_types_multiply_the_cost() {
        let e = estimates(&[
            "evt.type = execve and proc.name = curl",
            "evt.type in (read, write) and proc.name = curl",
        ]);
        assert!((e[0].per_eval - e[1].per_eval).abs() < 1e-9);
        assert_eq!(e[1].evals_per_1000, 270.0);
        assert!(e[1].per_1000_events() > 100.0 * e[0].per_1000_events());
        // The costliest comparison is found, and `evt.type` is free.
        let e = estimates(&["evt.type = execve and proc.pcmdline contains x"]);
        assert!(e[0].costliest.is_some_and(|(_, ns)| ns > 200.0), "{e:?}");
    }
}
