//! `proc.name = kube-controller-manager`: process names are cut to 15 bytes.

use crate::hash::FastSet as HashSet;
use crate::lint::context::{Context, Sink};
use crate::lint::{Category, Level, Meta};
use crate::syntax::condition::ast::Op;

pub const META: Meta = Meta {
    name: "proc-name-too-long",
    category: Category::Correctness,
    default: Level::Warn,
    summary: "A process name longer than 15 bytes can never equal `proc.name`",
    what: "Reports values longer than 15 bytes compared with `=`, `in` or `endswith` against `proc.name`, `proc.pname`, `proc.aname` and `thread`-level names, including values that come from lists.",
    why: "These fields hold the kernel's task name (`comm`), which Linux truncates to 15 bytes: `kube-controller-manager` runs as `kube-controller`. A longer value never matches, so the rule misses the process or, in an exclusion, never excludes it.",
    bad: "- list: trusted_daemons\n  items: [containerd, kube-controller-manager]\n\n- rule: Unexpected daemon\n  desc: A daemon that is not trusted started\n  condition: evt.type = execve and not proc.name in (trusted_daemons)\n  output: Unexpected daemon (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- list: trusted_daemons\n  items: [containerd, kube-controller]\n\n- rule: Unexpected daemon\n  desc: A daemon that is not trusted started\n  condition: evt.type = execve and not proc.name in (trusted_daemons)\n  output: Unexpected daemon (proc=%proc.name)\n  priority: NOTICE\n",
    fix: None,
};

/// The kernel's TASK_COMM_LEN (16) minus the terminating NUL.
pub const MAX_COMM: usize = 15;

const COMM_FIELDS: &[&str] = &["proc.name", "proc.pname", "proc.aname"];

pub(crate) fn check(cx: &Context, out: &mut Sink) {
    let mut seen = HashSet::default();
    super::each_rule_check(cx, &mut |info, c| {
        let Some(f) = super::lhs_field(c) else { return };
        if !COMM_FIELDS.contains(&f.name.as_str()) || !matches!(c.op, Op::Eq | Op::EqEq | Op::In | Op::EndsWith) {
            return;
        }
        for v in super::rhs_values(&c.rhs) {
            if v.text.len() <= MAX_COMM || !seen.insert(v.span) {
                continue;
            }
            let cut: String = v
                .text
                .chars()
                .scan(0, |n, ch| {
                    *n += ch.len_utf8();
                    (*n <= MAX_COMM).then_some(ch)
                })
                .collect();
            let d = out
                    .diag(
                        cx.file_span(v.span),
                        format!(
                            "'{}' is {} bytes; {} holds at most {MAX_COMM} (the kernel truncates process names), so this never matches",
                            v.text,
                            v.text.len(),
                            f.name
                        ),
                    )
                    .primary_label("longer than any process name")
                    .in_item("rule", &info.name)
                    .help(format!("the process appears as '{cut}'; compare that, or match the path with `proc.exepath`"));
            out.emit(d);
        }
    });
}
