//! A suppression comment without a reason. Reported by [`crate::lint::suppress`].

use crate::lint::{Category, Level, Meta};

pub const META: Meta = Meta {
    name: "suppression-without-reason",
    category: Category::Suspicious,
    default: Level::Warn,
    summary: "A `# falcorc: ignore[...]` comment does not say why",
    what: "Reports suppression comments with no text after the closing `]`.",
    why: "A reviewer, or the author a year later, cannot tell whether the silenced finding was judged harmless or just in the way; a reason makes the suppression reviewable and removable.",
    bad: "- list: shell_binaries\n  # falcorc: ignore[duplicate-list-item]\n  items: [bash, sh, bash]\n\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (shell_binaries)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    good: "- list: shell_binaries\n  # falcorc: ignore[duplicate-list-item] kept in sync with the upstream list, duplicates and all\n  items: [bash, sh, bash]\n\n- rule: Shell started\n  desc: A shell was started\n  condition: evt.type = execve and proc.name in (shell_binaries)\n  output: Shell started (proc=%proc.name)\n  priority: NOTICE\n",
    fix: None,
};

pub(crate) const HELP: &str = "write why after the brackets: `# falcorc: ignore[check] why this is fine here`";
