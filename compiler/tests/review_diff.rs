//! `falcorc diff`'s semantic comparison on edits of Falco's stable rules: each kind of edit
//! a rules pull request makes (macro, list, exception, override, priority, removal,
//! addition, rename), reported with the rules it reaches and why; formatting-only
//! rewrites report nothing. Reads ../shared/falco-upstream/falco_rules.yaml (or
//! $FALCORC_SHARED/...).

use falcorc_compiler::review::{self, Change, Report, RulesetDiff};
use falcorc_compiler::{Analysis, Options, SourceFile, analyze};
use std::path::PathBuf;

fn shared() -> PathBuf {
    std::env::var_os("FALCORC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

fn upstream() -> Option<String> {
    let path = shared().join("falco-upstream/falco_rules.yaml");
    match std::fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(_) => {
            println!("skipping: {} not found (set FALCORC_SHARED)", path.display());
            None
        }
    }
}

fn load(files: &[(&str, &str)]) -> Analysis {
    let files = files
        .iter()
        .map(|(name, text)| SourceFile {
            name: name.to_string(),
            text: text.to_string(),
        })
        .collect();
    let an = analyze(files, &Options::default());
    assert_eq!(an.errors(), 0, "{:#?}", an.diagnostics);
    an
}

/// `text` with `from` replaced (which must be there) by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} is not in the rules");
    text.replacen(from, to, 1)
}

fn diff(old: &[(&str, &str)], new: &[(&str, &str)]) -> RulesetDiff {
    review::diff(&load(old), &load(new))
}

fn human(d: RulesetDiff) -> String {
    review::render::human(&report(d), false)
}

const RULES: &str = "falco_rules.yaml";

#[test]
fn a_macro_edit_names_every_rule_it_reaches_and_their_event_types() {
    let Some(old) = upstream() else { return };
    let new = edit(
        &old,
        "- macro: spawned_process\n  condition: (evt.type in (execve, execveat))",
        "- macro: spawned_process\n  condition: (evt.type = execve)",
    );
    let d = diff(&[(RULES, &old)], &[(RULES, &new)]);
    assert!(d.rules.iter().all(|r| r.change == Change::Changed));
    assert!(d.rules.iter().any(|r| r.rule == "Run shell untrusted"));
    insta::assert_snapshot!(human(d));
}

#[test]
fn a_list_edit_shows_its_items_and_the_rules_it_reaches() {
    let Some(old) = upstream() else { return };
    let new = edit(&old, "items: [shred, mkfs, mke2fs]", "items: [shred, mkfs, wipefs]");
    let d = diff(&[(RULES, &old)], &[(RULES, &new)]);
    let names: Vec<&str> = d.rules.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(names, ["Remove Bulk Data from Disk"]);
    insta::assert_snapshot!("list_edit_json", review::render::json(&report(d.clone())));
    insta::assert_snapshot!(human(d));
}

fn report(diff: RulesetDiff) -> Report {
    Report {
        old: "old".into(),
        new: "new".into(),
        diff,
        alerts: None,
    }
}

const EXCEPTION: &str = "
- rule: Clear Log Activities
  exceptions:
    - name: log_rotation
      fields: [proc.name, fd.directory]
      values:
        - [logrotate, /var/log]
  append: true
";

const OVERRIDE: &str = "
- rule: Clear Log Activities
  condition: and not proc.name = logrotate
  override:
    condition: append
";

#[test]
fn an_exception_added_in_a_second_file_is_the_reason() {
    let Some(old) = upstream() else { return };
    let d = diff(&[(RULES, &old)], &[(RULES, &old), ("local.yaml", EXCEPTION)]);
    insta::assert_snapshot!(human(d));
}

#[test]
fn a_condition_override_shows_the_written_condition_before_and_after() {
    let Some(old) = upstream() else { return };
    let d = diff(&[(RULES, &old)], &[(RULES, &old), ("local.yaml", OVERRIDE)]);
    insta::assert_snapshot!(human(d));
}

#[test]
fn priority_output_tags_and_enabled_are_compared() {
    let Some(old) = upstream() else { return };
    let new = edit(
        &old,
        "  priority:\n    WARNING\n  tags: [maturity_stable, host, container, filesystem, mitre_defense_evasion, T1070, NIST_800-53_AU-10]",
        "  priority: CRITICAL\n  tags: [maturity_stable, host, container, filesystem, mitre_defense_evasion, T1070.002, NIST_800-53_AU-10]",
    );
    let new = edit(&new, "Log files were tampered |", "Log files were truncated |");
    let disable =
        "- rule: Linux Kernel Module Injection Detected\n  enabled: false\n  override:\n    enabled: replace\n";
    let d = diff(&[(RULES, &old)], &[(RULES, &new), ("local.yaml", disable)]);
    let names: Vec<&str> = d.rules.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(
        names,
        ["Clear Log Activities", "Linux Kernel Module Injection Detected"]
    );
    insta::assert_snapshot!(human(d));
}

#[test]
fn removed_added_and_renamed_rules_are_named() {
    let Some(old) = upstream() else { return };
    // Remove a rule: from its `- rule:` line to the next item.
    let start = old.find("- rule: Remove Bulk Data from Disk").unwrap();
    let end = start + old[start..].find("\n- ").unwrap() + 1;
    let mut new = format!("{}{}", &old[..start], &old[end..]);
    new = edit(&new, "- rule: Clear Log Activities", "- rule: Clear Log Files");
    new.push_str(
        "\n- rule: Shell reads shadow\n  desc: a shell opens /etc/shadow\n  condition: open_read and shell_procs and fd.name = /etc/shadow\n  output: shadow read (command=%proc.cmdline file=%fd.name)\n  priority: ERROR\n  tags: [T1003]\n",
    );
    let d = diff(&[(RULES, &old)], &[(RULES, &new)]);
    assert_eq!(
        (
            d.count(Change::Added),
            d.count(Change::Removed),
            d.count(Change::Renamed)
        ),
        (1, 1, 1)
    );
    insta::assert_snapshot!(human(d.clone()));
    insta::assert_snapshot!("removed_added_renamed_markdown", review::render::markdown(&report(d)));
}

#[test]
fn formatting_and_reordering_change_nothing() {
    let Some(old) = upstream() else { return };
    let formatted = falcorc_compiler::fmt::format(&old).expect("Falco's rules format");
    assert!(diff(&[(RULES, &old)], &[(RULES, &formatted)]).is_empty());
    // Operands of `and` swapped, list items reordered, a value quoted, a plain scalar
    // folded: what Falco evaluates is the same.
    let new = edit(
        &old,
        "- macro: clear_data_procs\n  condition: (proc.name in (data_remove_commands))",
        "- macro: clear_data_procs\n  condition: >\n    proc.name in\n      (data_remove_commands)",
    );
    let new = edit(
        &new,
        "items: [shred, mkfs, mke2fs]",
        "items: [mke2fs, \"shred\", mkfs, shred]",
    );
    let new = edit(
        &new,
        "    spawned_process\n    and clear_data_procs\n    and not user_known_remove_data_activities",
        "    not user_known_remove_data_activities and (clear_data_procs and spawned_process)",
    );
    let d = diff(&[(RULES, &old)], &[(RULES, &new)]);
    assert!(d.is_empty(), "{}", human(d));
}

#[test]
fn a_reordered_condition_is_not_a_change_but_a_negated_one_is() {
    let old = "- rule: r\n  desc: d\n  condition: evt.type = open and proc.name = cat\n  output: o\n  priority: INFO\n";
    let same = old.replace(
        "evt.type = open and proc.name = cat",
        "(proc.name=cat) and evt.type=open",
    );
    assert!(diff(&[("a.yaml", old)], &[("a.yaml", &same)]).is_empty());
    let negated = old.replace("proc.name = cat", "not proc.name = cat");
    let d = diff(&[("a.yaml", old)], &[("a.yaml", &negated)]);
    assert_eq!(d.rules.len(), 1);
    insta::assert_snapshot!(human(d));
}
