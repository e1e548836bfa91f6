//! A suppression comment that silences nothing. Reported by [`crate::lint::suppress`],
//! which sees the final diagnostics.

use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "unused-suppression",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "A `# falcorc: ignore[...]` comment silences nothing, or names an unknown check",
    what: "Reports each name in a suppression comment that matched no finding in the comment's scope (while that check ran), names no check or warning code, or names a Falco error, which cannot be suppressed.",
    why: "A stale suppression hides the next real finding of that check in the same place, and a misspelled one silences nothing while looking as if it did.",
    bad: "- list: shell_binaries\n  items: [bash, sh]\n\n# falcorc: ignore[duplicate-list-item] the list was cleaned up since\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (shell_binaries)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- list: shell_binaries\n  items: [bash, sh]\n\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (shell_binaries)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: Some(crate::diag::Applicability::Safe),
};

pub(crate) const HELP: &str = "remove the name (or the comment); `falcorc explain all` lists the checks";
