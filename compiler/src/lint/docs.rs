//! The pages of docs/lints/, generated from the checks' [`Meta`]: one page per check and
//! an index. `compiler/tests/lint_checks.rs` fails when the committed pages differ from
//! what this produces (regenerate with `FALCORC_UPDATE_DOCS=1`).

use super::{Category, CheckId, Meta};
use crate::diag::Code;

/// The page of one check (`docs/lints/NAME.md`).
pub fn page(m: &Meta) -> String {
    let fix = match m.fix {
        Some(a) => format!("yes ({})", a.as_str()),
        None => "no".to_string(),
    };
    format!(
        "# {name}\n\n{summary}.\n\n| category | default level | fix |\n|---|---|---|\n| {cat} | {level} | {fix} |\n\n\
         ## What it does\n\n{what}\n\n## Why is this bad?\n\n{why}\n\n## Example\n\n```yaml\n{bad}```\n\n\
         ## Instead\n\n```yaml\n{good}```\n\n## Configuration\n\n```toml\n# falcorc.toml\n[lint]\n{name} = \"{level}\"   # allow | warn | deny\n```\n\n\
         Or on the command line: `falcorc lint --select {name}` / `--ignore {name}`. To silence one finding, put\n\
         `# falcorc: ignore[{name}] <reason>` on the line above it (or above its item).\n",
        name = m.name,
        summary = m.summary,
        cat = m.category.name(),
        level = m.default.name(),
        what = m.what,
        why = m.why,
        bad = m.bad,
        good = m.good,
    )
}

/// `docs/lints/README.md`: every check by category.
pub fn index() -> String {
    let mut s = String::from(
        "# falcorc's checks\n\nGenerated from `compiler/src/lint/checks/*.rs`; do not edit (run \
         `FALCORC_UPDATE_DOCS=1 cargo test -p falcorc-compiler --test lint_checks`).\n\n\
         These are falcorc's own checks, beyond the warnings Falco itself reports (`LOAD_*` codes, \
         explained by `falcorc explain CODE`). Checks at `allow` are off unless selected \
         (`--select NAME`, `--select style`, or `falcorc.toml`).\n",
    );
    for cat in Category::ALL {
        let ids: Vec<&CheckId> = CheckId::ALL.iter().filter(|c| c.meta().category == cat).collect();
        if ids.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "\n## {}\n\n| check | default | fix | what it reports |\n|---|---|---|---|\n",
            cat.name()
        ));
        for id in ids {
            let m = id.meta();
            let fix = m.fix.map_or("", |a| a.as_str());
            s.push_str(&format!(
                "| [{n}]({n}.md) | {l} | {fix} | {sum} |\n",
                n = m.name,
                l = m.default.name(),
                sum = m.summary
            ));
        }
    }
    s
}

/// `docs/CODES.md`: the loader's codes (Falco's `LOAD_*` and falcorc's own), as
/// `falcorc explain CODE` shows them. SARIF `helpUri`s point here.
pub fn codes() -> String {
    let mut s = String::from(
        "# Diagnostic codes of the loader\n\nGenerated from `compiler/src/diag/codes.rs`; do not edit. \
         Codes named `LOAD_*` are Falco's own and appear exactly where Falco reports the same \
         problem; the others are falcorc's. falcorc's lint checks are in [lints/](lints/README.md).\n",
    );
    for c in Code::ALL {
        let d = c.doc();
        let origin = if c.is_falco() { "Falco" } else { "falcorc" };
        s.push_str(&format!(
            "\n## {name}\n\n{origin}, {sev} by default.\n\n**What:** {what}\n\n**Why:** {why}\n\n\
             **Example:**\n\n```yaml\n{ex}\n```\n\n**Instead:** {instead}\n",
            name = c.name(),
            sev = c.default_severity().as_str(),
            what = d.what,
            why = d.why,
            ex = d.example,
            instead = d.instead,
        ));
    }
    s
}
