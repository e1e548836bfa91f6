//! `proc.aname != sshd`: true when any one ancestor is not sshd, that is almost always.

use crate::diag::{Applicability, Fix};
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::sema::catalog;
use crate::syntax::condition::ast::Op;

pub const META: Meta = Meta {
    name: "ancestor-not-equal",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "`!=` on an ancestor field without a level holds as soon as one ancestor differs",
    what: "Reports `!=` on `proc.aname`, `proc.apid`, `proc.aexe`, `proc.aexepath`, `proc.acmdline` or `proc.aenv` written without a level.",
    why: "Without a level these fields compare every ancestor of the process, and the comparison holds as soon as it holds for one of them. `proc.aname != sshd` is therefore true whenever some ancestor (init, a shell) is not sshd, which is nearly always, and not, as it reads, when no ancestor is sshd. Falco evaluates it that way: the rule matches far more than intended, or an exclusion written this way excludes nothing. `not proc.aname = sshd` says \"no ancestor is sshd\".",
    bad: "- rule: Shell not under sshd\n  desc: a shell whose ancestry has no sshd\n  condition: evt.type = execve and proc.name = bash and proc.aname != sshd\n  output: Shell (proc=%proc.name parent=%proc.pname)\n  priority: NOTICE\n",
    good: "- rule: Shell not under sshd\n  desc: a shell whose ancestry has no sshd\n  condition: evt.type = execve and proc.name = bash and not proc.aname = sshd\n  output: Shell (proc=%proc.name parent=%proc.pname)\n  priority: NOTICE\n",
    fix: Some(Applicability::Unsafe),
};

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    for w in &cx.items {
        let Some(cond) = w.condition() else { continue };
        super::each_check(cond, &mut |c| {
            if c.op != Op::Ne {
                return;
            }
            let Some(f) = super::lhs_field(c) else { return };
            if f.arg.is_some() || !catalog::is_ancestry(&f.name) {
                return;
            }
            let mut d = out
                .diag(
                    w.at(c.op_span),
                    format!("'{} !=' holds when any one ancestor differs, so nearly always", f.name),
                )
                .primary_label("true if one ancestor differs")
                .help(format!(
                    "to say that no ancestor matches, write `not {} = ...`; for one level, write `{}[N] != ...`",
                    f.name, f.name
                ))
                .in_item(w.kind.key(), w.name);
            // `not` binds tighter than `and`/`or`: `not f = v` replaces `f != v` in place.
            let whole = cx.text(w.at(c.span));
            let op = cx.text(w.at(c.op_span));
            if op == "!=" && whole.starts_with(f.name.as_str()) && whole.matches("!=").count() == 1 {
                d = d.with_fix(Fix::replace(
                    format!("no ancestor: `not {} = ...`", f.name),
                    w.at(c.span),
                    &format!("not {}", whole.replacen("!=", "=", 1)),
                    Applicability::Unsafe,
                ));
            }
            out.emit(d);
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::{Code, fix};
    use crate::lint::{CheckId, Config, Level, Selector};
    use crate::{Options, SourceFile, analyze};

    /// The offered fix, applied, says "no ancestor is sshd" and the check is then quiet,
    /// also on a condition folded over several lines.
    #[test]
    fn the_fix_negates_an_equality() {
        let mut lint = Config::new();
        lint.set(Selector::Code(Code::Check(CheckId::AncestorNotEqual)), Level::Warn);
        let opts = Options {
            lint,
            ..Options::default()
        };
        let text = "- rule: r\n  desc: d\n  condition: >\n    evt.type = execve and\n    proc.aname != sshd and proc.name = bash\n  output: o %proc.name\n  priority: NOTICE\n";
        let run = |t: &str| {
            analyze(
                vec![SourceFile {
                    name: "r.yaml".into(),
                    text: t.into(),
                }],
                &opts,
            )
        };
        let a = run(text);
        let d: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::Check(CheckId::AncestorNotEqual))
            .collect();
        assert_eq!(d.len(), 1);
        let edits: Vec<_> = d[0].fix.as_ref().expect("a fix").edits.iter().collect();
        let (fixed, applied) = fix::apply(text, &edits);
        assert_eq!(applied, 1);
        assert!(
            fixed.contains("    not proc.aname = sshd and proc.name = bash\n"),
            "{fixed}"
        );
        let again = run(&fixed);
        assert_eq!(again.errors(), 0);
        assert!(
            !again
                .diagnostics
                .iter()
                .any(|d| d.code == Code::Check(CheckId::AncestorNotEqual))
        );
    }
}
