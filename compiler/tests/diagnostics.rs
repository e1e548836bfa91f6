//! Snapshot tests of every kind of diagnostic, rendered as `falcorc lint` shows them
//! (ariadne, no colour). Each case is a small invalid rules file; its snapshot is
//! every rendered diagnostic followed by an `N errors, M warnings` line. The
//! snapshots are reviewed for the caret: it must sit on the exact offending token of
//! the file, also when the text went through YAML escapes, folding, appends, list
//! substitution or exception expansion.
//!
//! Write snapshots with `INSTA_UPDATE=always cargo test -p falcorc-compiler --test diagnostics`.

use falcorc_compiler::diag::render;
use falcorc_compiler::{Options, SourceFile, analyze};

fn check(name: &str, yaml: &str) {
    let analysis = analyze(
        vec![SourceFile {
            name: "rules.yaml".into(),
            text: yaml.to_string(),
        }],
        &Options::default(),
    );
    let mut out = String::new();
    for d in &analysis.diagnostics {
        out.push_str(&render::human(&analysis.files, d, false));
    }
    out.push_str(&format!(
        "{} errors, {} warnings\n",
        analysis.errors(),
        analysis.warnings()
    ));
    let description = if yaml.len() > 2000 {
        format!("{}... ({} bytes)", &yaml[..200], yaml.len())
    } else {
        yaml.to_string()
    };
    insta::with_settings!({ description => description, omit_expression => true }, {
        insta::assert_snapshot!(name, out);
    });
}

macro_rules! case {
    ($name:ident, $yaml:expr) => {
        #[test]
        fn $name() {
            check(stringify!($name), $yaml);
        }
    };
}

/// A billion-laughs document: 10 levels of 10 aliases each (10^10 nodes once expanded).
fn billion_laughs() -> String {
    let mut s = String::from("- list: l0\n  items: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..=10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        s.push_str(&format!("- list: l{i}\n  items: &a{i} [{refs}]\n"));
    }
    s
}

/// A condition nested deeper than the parser's depth limit.
fn deep_condition() -> String {
    format!(
        "- rule: r\n  desc: d\n  condition: {}evt.type = open{}\n  output: o\n  priority: INFO\n",
        "(".repeat(1100),
        ")".repeat(1100)
    )
}

/// YAML nesting deeper than the YAML depth limit.
fn deep_yaml() -> String {
    format!("- list: l\n  items: {}x{}\n", "[".repeat(300), "]".repeat(300))
}

// ---- YAML syntax --------------------------------------------------------------

case!(
    yaml_unclosed_flow_sequence,
    r#"- rule: r
  condition: [unclosed
"#
);

case!(
    yaml_unclosed_flow_mapping,
    r#"- {rule: r, desc: d
"#
);

case!(
    yaml_bad_indentation,
    r#"- rule: r
  desc: d
 condition: evt.type = open
"#
);

case!(yaml_tab_indentation, "- rule: r\n\tdesc: d\n");

case!(
    yaml_unterminated_double_quote,
    r#"- rule: r
  desc: "never closed
"#
);

case!(
    yaml_undefined_alias,
    r#"- list: l
  items: *nothing
"#
);

case!(
    yaml_error_in_second_document,
    r#"- list: l
  items: [a]
---
- list: m
  items: [b
"#
);

case!(
    yaml_unknown_escape_in_double_quotes,
    r#"- list: l
  items: ["a b", "c\qd"]
"#
);

// ---- YAML limits --------------------------------------------------------------

case!(yaml_limit_alias_bomb, &billion_laughs());

case!(yaml_limit_nesting_depth, &deep_yaml());

case!(
    yaml_alias_to_containing_collection,
    r#"- list: l
  items: &a [x, *a]
"#
);

// ---- File and item shape ------------------------------------------------------

case!(
    root_not_a_sequence,
    r#"rule: r
desc: d
"#
);

case!(root_scalar, "just text\n");

case!(
    item_not_a_mapping,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- just a string
"#
);

case!(item_is_a_sequence, "- [rule, r]\n");

case!(
    unknown_top_level_item_did_you_mean,
    r#"- rules: r
  desc: d
"#
);

case!(unknown_top_level_item, "- something: else\n");

case!(
    unknown_key_did_you_mean,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  enable: false
"#
);

case!(
    unknown_key_in_list,
    r#"- list: l
  item: [a]
"#
);

case!(
    duplicate_key,
    r#"- rule: r
  desc: first
  condition: evt.type = open
  output: o
  priority: INFO
  desc: second
"#
);

case!(
    duplicate_key_in_macro,
    r#"- macro: m
  condition: evt.type = open
  condition: evt.type = close
"#
);

// ---- Missing, empty and non-scalar values -------------------------------------

case!(
    rule_missing_condition,
    r#"- rule: r
  desc: d
  output: o
  priority: INFO
"#
);

case!(
    rule_missing_output,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  priority: INFO
"#
);

case!(
    rule_missing_desc,
    r#"- rule: r
  condition: evt.type = open
  output: o
  priority: INFO
"#
);

case!(
    rule_missing_priority,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
"#
);

case!(rule_name_only, "- rule: r\n");

case!(list_missing_items, "- list: l\n");

case!(macro_missing_condition, "- macro: m\n");

case!(
    rule_condition_null,
    r#"- rule: r
  desc: d
  condition:
  output: o
  priority: INFO
"#
);

case!(
    rule_output_empty_string,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: ""
  priority: INFO
"#
);

case!(
    rule_name_empty,
    r#"- rule: ""
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
"#
);

case!(
    list_items_null,
    r#"- list: l
  items:
"#
);

case!(
    rule_condition_not_scalar,
    r#"- rule: r
  desc: d
  condition: [evt.type, open]
  output: o
  priority: INFO
"#
);

case!(
    rule_desc_mapping,
    r#"- rule: r
  desc: {a: b}
  condition: evt.type = open
  output: o
  priority: INFO
"#
);

case!(
    list_items_not_a_sequence,
    r#"- list: l
  items: a, b
"#
);

case!(
    list_item_not_scalar,
    r#"- list: l
  items: [a, [b]]
"#
);

case!(
    tags_not_a_sequence,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  tags: network
"#
);

case!(
    tags_item_not_scalar,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  tags: [network, {a: b}]
"#
);

// ---- Priority, booleans, numbers ----------------------------------------------

case!(
    invalid_priority,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: LOUD
"#
);

case!(
    priority_lower_case,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: warning
"#
);

case!(
    enabled_maybe,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  enabled: maybe
"#
);

case!(
    capture_quoted_yes,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  capture: "yes"
"#
);

case!(
    warn_evttypes_not_bool,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  warn_evttypes: sometimes
"#
);

case!(
    capture_duration_not_a_number,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  capture: true
  capture_duration: 5s
"#
);

// ---- List and macro names -----------------------------------------------------

case!(
    invalid_list_name,
    r#"- list: my list
  items: [a]
"#
);

case!(
    invalid_macro_name,
    r#"- macro: my-macro
  condition: evt.type = open
"#
);

// ---- Appends and overrides ----------------------------------------------------

case!(
    list_append_without_previous,
    r#"- list: l
  items: [a]
  override:
    items: append
"#
);

case!(
    list_legacy_append_without_previous,
    r#"- list: l
  items: [a]
  append: true
"#
);

case!(
    macro_append_without_previous,
    r#"- macro: m
  condition: and proc.name = sh
  override:
    condition: append
"#
);

case!(
    rule_append_without_previous,
    r#"- rule: r
  condition: and proc.name = sh
  override:
    condition: append
"#
);

case!(
    rule_replace_without_previous,
    r#"- rule: r
  priority: ERROR
  override:
    priority: replace
"#
);

case!(
    rule_legacy_append_without_previous,
    r#"- rule: r
  condition: and proc.name = sh
  append: true
"#
);

case!(
    rule_legacy_append_without_condition,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  append: true
"#
);

case!(
    override_and_append_together,
    r#"- macro: m
  condition: evt.type = open
- macro: m
  condition: and proc.name = sh
  append: true
  override:
    condition: append
"#
);

case!(
    override_not_a_map,
    r#"- macro: m
  condition: evt.type = open
  override: append
"#
);

case!(
    override_invalid_operation,
    r#"- macro: m
  condition: evt.type = open
  override:
    condition: prepend
"#
);

case!(
    override_key_cannot_be_appended,
    r#"- rule: r
  priority: ERROR
  override:
    priority: append
"#
);

case!(
    override_key_cannot_be_replaced,
    r#"- rule: r
  source: syscall
  override:
    source: replace
"#
);

case!(
    override_key_not_defined,
    r#"- rule: r
  condition: and proc.name = sh
  override:
    condition: append
    output: append
"#
);

case!(
    override_replace_key_not_defined,
    r#"- list: l
  override:
    items: replace
"#
);

case!(
    override_unexpected_key,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  condition: and proc.name = sh
  desc: more
  override:
    condition: append
"#
);

case!(
    enable_only_without_previous,
    r#"- rule: r
  enabled: false
"#
);

case!(
    redefined_with_different_source,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  desc: d
  condition: ka.verb = get
  output: o
  priority: INFO
  source: k8s_audit
"#
);

case!(
    unknown_source,
    r#"- rule: r
  desc: d
  condition: ka.verb = get
  output: o
  priority: INFO
  source: k8s_audit
"#
);

// ---- Exceptions ---------------------------------------------------------------

case!(
    exceptions_not_a_sequence,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions: none
"#
);

case!(
    exception_not_a_mapping,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - known
"#
);

case!(
    exception_missing_name,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - fields: [proc.name]
      values: [[sh]]
"#
);

case!(
    exception_missing_fields,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      values: [[sh]]
"#
);

case!(
    exception_fields_comps_length,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, fd.name]
      comps: [=]
"#
);

case!(
    exception_tuple_fields_scalar_comps,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, fd.name]
      comps: in
"#
);

case!(
    exception_unsupported_comp,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, fd.name]
      comps: [=, like]
"#
);

case!(
    exception_unsupported_field,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, fd.nmae]
"#
);

case!(
    exception_fields_values_length,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, fd.name]
      values:
        - [sh, /tmp]
        - [bash]
"#
);

case!(
    exception_tuple_fields_scalar_value,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, fd.name]
      values: [sh]
"#
);

case!(
    exception_scalar_fields_tuple_comps,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: proc.name
      comps: [in]
"#
);

case!(
    exception_scalar_fields_plain_comp,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: proc.name
      comps: startswith
"#
);

case!(
    exception_scalar_fields_tuple_values,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: proc.name
      values: [sh, [bash, zsh]]
"#
);

case!(
    exception_scalar_field_unknown,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: proc.nmae
      values: [sh]
"#
);

case!(
    exception_values_not_a_sequence,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name]
      values: sh
"#
);

case!(
    exception_field_not_scalar,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, [fd.name]]
"#
);

case!(
    exception_fields_mapping,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: {proc.name: x}
"#
);

case!(
    exception_value_mapping,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name]
      values: [[{a: b}]]
"#
);

case!(
    exception_unknown_key,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name]
      valeus: [[sh]]
"#
);

case!(
    exception_duplicate_names,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name]
      values: [[sh]]
    - name: e
      fields: [fd.name]
      values: [[/tmp]]
"#
);

case!(
    exception_append_fields_to_existing,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name]
      values: [[sh]]
- rule: r
  exceptions:
    - name: e
      fields: [proc.name]
      values: [[bash]]
  override:
    exceptions: append
"#
);

case!(
    exception_append_comps_to_existing,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name]
      values: [[sh]]
- rule: r
  exceptions:
    - name: e
      comps: [=]
      values: [[bash]]
  override:
    exceptions: append
"#
);

case!(
    exception_append_no_values,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name]
      values: [[sh]]
- rule: r
  exceptions:
    - name: e
  override:
    exceptions: append
"#
);

case!(
    exception_append_new_without_fields,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  exceptions:
    - name: e
      values: [[sh]]
  override:
    exceptions: append
"#
);

case!(
    exception_append_new_without_values,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  exceptions:
    - name: e
      fields: [proc.name]
  append: true
"#
);

case!(
    exception_appended_values_length,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, fd.name]
      values: [[sh, /tmp]]
- rule: r
  exceptions:
    - name: e
      values: [[bash]]
  override:
    exceptions: append
"#
);

case!(
    exception_value_type_error,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, proc.pid]
      values:
        - [sh, 1]
        - [bash, one]
"#
);

case!(
    exception_value_unknown_event_type,
    r#"- rule: r
  desc: d
  condition: proc.name = sh
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: evt.type
      values: [open, opne]
"#
);

case!(
    exception_appended_value_type_error,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.pid]
      values: [[1]]
- rule: r
  exceptions:
    - name: e
      values: [[2], [two]]
  override:
    exceptions: append
"#
);

case!(
    exception_comp_type_error,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.pid]
      comps: [startswith]
      values: [[1]]
"#
);

// ---- required_engine_version --------------------------------------------------

case!(engine_version_bad_semver, "- required_engine_version: 0.x.1\n");

case!(engine_version_too_new, "- required_engine_version: 0.99.0\n");

case!(engine_version_other_major, "- required_engine_version: 1.0.0\n");

case!(engine_version_too_new_integer, "- required_engine_version: 99\n");

case!(engine_version_empty, "- required_engine_version:\n");

// ---- required_plugin_versions -------------------------------------------------

case!(
    plugin_versions_not_a_sequence,
    "- required_plugin_versions: container\n"
);

case!(
    plugin_version_not_a_mapping,
    r#"- required_plugin_versions:
    - container
"#
);

case!(
    plugin_version_missing_version,
    r#"- required_plugin_versions:
    - name: container
"#
);

case!(
    plugin_version_bad_version,
    r#"- required_plugin_versions:
    - name: container
      version: 0.x
"#
);

case!(
    plugin_alternatives_not_a_sequence,
    r#"- required_plugin_versions:
    - name: k8saudit
      version: 0.1.0
      alternatives: k8saudit-eks
"#
);

case!(
    plugin_alternative_not_a_mapping,
    r#"- required_plugin_versions:
    - name: k8saudit
      version: 0.1.0
      alternatives: [k8saudit-eks]
"#
);

case!(
    plugin_duplicate_alternatives,
    r#"- required_plugin_versions:
    - name: k8saudit
      version: 0.1.0
      alternatives:
        - name: k8saudit
          version: 0.2.0
"#
);

case!(
    plugin_version_not_compatible,
    r#"- required_plugin_versions:
    - name: container
      version: 0.99.0
"#
);

case!(
    plugin_not_loaded,
    r#"- required_plugin_versions:
    - name: k8saudit
      version: 0.1.0
      alternatives:
        - name: k8saudit-eks
          version: 0.1.0
"#
);

// ---- Condition syntax ---------------------------------------------------------

case!(
    cond_empty_string,
    r#"- rule: r
  desc: d
  condition: ""
  output: o
  priority: INFO
"#
);

case!(
    cond_only_spaces,
    r#"- rule: r
  desc: d
  condition: "   "
  output: o
  priority: INFO
"#
);

case!(
    cond_missing_operator,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name sh
  output: o
  priority: INFO
"#
);

case!(
    cond_and_without_blank,
    r#"- rule: r
  desc: d
  condition: evt.type = open andproc.name = sh
  output: o
  priority: INFO
"#
);

case!(
    cond_or_without_blank,
    r#"- rule: r
  desc: d
  condition: evt.type = open or-proc.name = sh
  output: o
  priority: INFO
"#
);

case!(
    cond_unclosed_paren,
    r#"- rule: r
  desc: d
  condition: (evt.type = open and proc.name = sh
  output: o
  priority: INFO
"#
);

case!(
    cond_extra_close_paren,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name = sh)
  output: o
  priority: INFO
"#
);

case!(
    cond_unterminated_double_quote,
    r#"- rule: r
  desc: d
  condition: 'evt.type = open and proc.name = "sh'
  output: o
  priority: INFO
"#
);

case!(
    cond_unterminated_single_quote,
    r#"- rule: r
  desc: d
  condition: "evt.type = open and proc.name = 'sh"
  output: o
  priority: INFO
"#
);

case!(
    cond_unsupported_escape,
    r#"- rule: r
  desc: d
  condition: 'evt.type = open and proc.name = "a\qb"'
  output: o
  priority: INFO
"#
);

case!(
    cond_bad_hex_escape,
    r#"- rule: r
  desc: d
  condition: 'evt.type = open and proc.name = "a\xZZ"'
  output: o
  priority: INFO
"#
);

case!(
    cond_escaped_other_quote,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name = 'a\"b'
  output: o
  priority: INFO
"#
);

case!(
    cond_list_double_comma,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name in (a,,b)
  output: o
  priority: INFO
"#
);

case!(
    cond_list_unclosed,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name in (a, b
  output: o
  priority: INFO
"#
);

case!(
    cond_operator_without_value,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name =
  output: o
  priority: INFO
"#
);

case!(
    cond_numeric_operator_without_number,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.pid > abc
  output: o
  priority: INFO
"#
);

case!(
    cond_in_without_list,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name in
  output: o
  priority: INFO
"#
);

case!(
    cond_leftover_tokens,
    r#"- rule: r
  desc: d
  condition: evt.type = open proc.name = sh
  output: o
  priority: INFO
"#
);

case!(
    cond_check_expected,
    r#"- rule: r
  desc: d
  condition: evt.type = open and = sh
  output: o
  priority: INFO
"#
);

case!(
    cond_modifier_list_bad_item,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name startswith oneof (a,,b)
  output: o
  priority: INFO
"#
);

case!(
    cond_modifier_undefined_list,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name startswith anyof shells
  output: o
  priority: INFO
"#
);

case!(
    cond_modifier_without_blank,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name startswith oneof(a, b)
  output: o
  priority: INFO
"#
);

case!(
    cond_field_arg_unclosed,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.aname[1 = sh
  output: o
  priority: INFO
"#
);

case!(
    cond_transformer_unclosed,
    r#"- rule: r
  desc: d
  condition: evt.type = open and toupper(proc.name = SH
  output: o
  priority: INFO
"#
);

case!(
    cond_transformer_bad_argument,
    r#"- rule: r
  desc: d
  condition: evt.type = open and toupper(=) = SH
  output: o
  priority: INFO
"#
);

case!(
    cond_val_without_field,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name = val(sh)
  output: o
  priority: INFO
"#
);

case!(
    cond_transformer_nested_list,
    r#"- rule: r
  desc: d
  condition: evt.type = open and join(",", ((proc.name))) = sh
  output: o
  priority: INFO
"#
);

case!(
    cond_several_syntax_errors,
    r#"- rule: r
  desc: d
  condition: proc.name sh and proc.pid > x or fd.name in (a,,b) and (evt.type = open and fd.name =
  output: o
  priority: INFO
"#
);

case!(
    cond_several_syntax_errors_multiline,
    r#"- rule: r
  desc: d
  condition: >
    evt.type = open
    and proc.name sh
    and fd.name in (a,,b)
    and proc.pid > x
  output: o
  priority: INFO
"#
);

case!(
    cond_val_unclosed,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name = val(proc.pname
  output: o
  priority: INFO
"#
);

case!(
    cond_escaped_single_quote_in_double_quotes,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name = "a\'b"
  output: o
  priority: INFO
"#
);

case!(cond_depth_limit, &deep_condition());

// ---- Type errors --------------------------------------------------------------

case!(
    type_numeric_contains,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.pid contains 1
  output: o
  priority: INFO
"#
);

case!(
    type_port_not_a_number,
    r#"- rule: r
  desc: d
  condition: evt.type = connect and fd.sport = abc
  output: o
  priority: INFO
"#
);

case!(
    type_bcontains_on_string,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name bcontains 41
  output: o
  priority: INFO
"#
);

case!(
    type_bcontains_odd_hex,
    r#"- rule: r
  desc: d
  condition: evt.type = write and evt.buffer bcontains 123
  output: o
  priority: INFO
"#
);

case!(
    type_bool_maybe,
    r#"- rule: r
  desc: d
  condition: evt.type = open and evt.failed = maybe
  output: o
  priority: INFO
"#
);

case!(
    type_numbers_are_decimal_as_in_falco,
    r#"- rule: r
  desc: d
  condition: evt.type = open and (proc.pid = 0x10 or proc.pid = "12 " or fd.sport = +80)
  output: o
  priority: INFO
"#
);

case!(
    type_networks_need_their_bits,
    r#"- rule: r
  desc: d
  condition: evt.type = connect and (fd.snet = 10.0.0.1 or fd.snet = "::1" or fd.snet = 10.0.0.0/33 or fd.sip = 10.0.0.0/8)
  output: o
  priority: INFO
"#
);

case!(
    type_event_argument_no_event_has,
    r#"- rule: r
  desc: d
  condition: evt.type = open and (evt.arg.bogus = 3 or evt.arg.fdx = 3)
  output: "file %evt.arg.nope"
  priority: INFO
"#
);

case!(
    type_bad_ip_address,
    r#"- rule: r
  desc: d
  condition: evt.type = connect and fd.sip = 10.0.0.256
  output: o
  priority: INFO
"#
);

case!(
    type_list_field_with_eq,
    r#"- rule: r
  desc: d
  condition: evt.type = open and fd.types = x
  output: o
  priority: INFO
"#
);

case!(
    type_empty_field_argument,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.aname[] = sh
  output: o
  priority: INFO
"#
);

case!(
    type_ancestor_not_numeric,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.aname[x] = a
  output: o
  priority: INFO
"#
);

case!(
    type_argument_not_supported,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.name[1] = a
  output: o
  priority: INFO
"#
);

case!(
    type_missing_argument,
    r#"- rule: r
  desc: d
  condition: evt.type = open and evt.arg = x
  output: o
  priority: INFO
"#
);

case!(
    type_index_not_numeric,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.args[x] = a
  output: o
  priority: INFO
"#
);

case!(
    type_event_argument_index_not_numeric,
    r#"- rule: r
  desc: d
  condition: evt.type = open and evt.arg[name] = x
  output: o
  priority: INFO
"#
);

case!(
    type_raw_argument_with_index,
    r#"- rule: r
  desc: d
  condition: evt.type = open and evt.rawarg[1] = 1
  output: o
  priority: INFO
"#
);

case!(
    type_raw_argument_missing_name,
    r#"- rule: r
  desc: d
  condition: evt.type = open and evt.rawarg = 1
  output: o
  priority: INFO
"#
);

case!(
    type_around_without_timestamp,
    r#"- rule: r
  desc: d
  condition: evt.type = open and evt.around = 1
  output: o
  priority: INFO
"#
);

case!(
    type_unknown_raw_argument,
    r#"- rule: r
  desc: d
  condition: evt.type = open and evt.rawarg.nosuch = 1
  output: o
  priority: INFO
"#
);

case!(
    type_argument_name_and_index,
    r#"- rule: r
  desc: d
  condition: evt.type = open and evt.arg.name[1] = x
  output: o
  priority: INFO
"#
);

case!(
    type_unknown_field_did_you_mean,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.nmae = sh
  output: o
  priority: INFO
"#
);

case!(
    type_unknown_event_type,
    r#"- rule: r
  desc: d
  condition: evt.type = opne
  output: o
  priority: INFO
"#
);

case!(
    type_unknown_event_type_in_list,
    r#"- rule: r
  desc: d
  condition: evt.type in (open, opne)
  output: o
  priority: INFO
"#
);

case!(
    type_number_in_list,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.pid in (1, 2x, 3)
  output: o
  priority: INFO
"#
);

case!(
    type_nul_byte_value,
    r#"- rule: r
  desc: d
  condition: 'evt.type = open and proc.name = "a\x00b"'
  output: o
  priority: INFO
"#
);

case!(
    type_list_operator_bare_identifier,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.name in shells
  output: o
  priority: INFO
"#
);

// ---- Regular expressions ------------------------------------------------------

case!(
    regex_invalid,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name regex "a(b"
  output: o
  priority: INFO
"#
);

case!(
    regex_simpler_operator,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name regex "^bash$" and fd.name regex ".*log"
  output: o
  priority: INFO
"#
);

case!(
    regex_backslash_in_quoted_pattern,
    r#"- rule: r
  desc: d
  condition: evt.type = open and fd.name regex ".*\.log"
  output: o
  priority: INFO
"#
);

case!(
    regex_with_field,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name regex val(proc.pname)
  output: o
  priority: INFO
"#
);

// ---- Values that look like fields or transformers -----------------------------

case!(
    field_misused_as_string,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.name = proc.pname
  output: o
  priority: INFO
"#
);

case!(
    transformer_misused_as_string,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.name = "toupper(proc.pname)"
  output: o
  priority: INFO
"#
);

// ---- Transformers -------------------------------------------------------------

case!(
    transformer_toupper_numeric,
    r#"- rule: r
  desc: d
  condition: evt.type = open and toupper(proc.pid) = 1
  output: o
  priority: INFO
"#
);

case!(
    transformer_len_of_number,
    r#"- rule: r
  desc: d
  condition: evt.type = open and len(1) = 1
  output: o
  priority: INFO
"#
);

case!(
    transformer_join_without_list,
    r#"- rule: r
  desc: d
  condition: evt.type = open and join("a", "b") = x
  output: o
  priority: INFO
"#
);

case!(
    transformer_concat_with_list,
    r#"- rule: r
  desc: d
  condition: evt.type = open and concat(("a"),"b") = x
  output: o
  priority: INFO
"#
);

case!(
    transformer_getopt_without_list,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and getopt("x","y") = x
  output: o
  priority: INFO
"#
);

case!(
    transformer_with_field_argument,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and tolower(proc.name)[1] = a
  output: o
  priority: INFO
"#
);

case!(
    transformer_no_transformer_field,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and toupper(proc.aname) = SH
  output: o
  priority: INFO
"#
);

case!(
    transformer_list_argument_with_list_field,
    r#"- rule: r
  desc: d
  condition: evt.type = open and join(",", (fd.types)) = x
  output: o
  priority: INFO
"#
);

// ---- Field-to-field comparisons -----------------------------------------------

case!(
    field_to_field_no_rhs,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.name = val(proc.aname)
  output: o
  priority: INFO
"#
);

case!(
    field_to_field_no_rhs_on_left,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.aname = val(proc.name)
  output: o
  priority: INFO
"#
);

case!(
    field_to_field_list_field_on_right,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name = val(fd.types)
  output: o
  priority: INFO
"#
);

case!(
    field_to_field_type_mismatch,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.name = val(proc.pid)
  output: o
  priority: INFO
"#
);

case!(
    field_to_field_types_differ_exactly,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.pid = len(proc.name)
  output: o
  priority: INFO
"#
);

case!(
    field_to_field_no_rhs_under_transformer,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.pid = len(fd.types)
  output: o
  priority: INFO
"#
);

case!(
    field_to_field_pmatch,
    r#"- rule: r
  desc: d
  condition: evt.type = open and fd.name pmatch val(proc.exepath)
  output: o
  priority: INFO
"#
);

case!(
    field_to_field_network_on_left,
    r#"- rule: r
  desc: d
  condition: evt.type = connect and fd.net = val(fd.sip)
  output: o
  priority: INFO
"#
);

case!(
    list_field_with_index_is_a_list,
    r#"- rule: r
  desc: d
  condition: evt.type = open and fd.types[0] = file
  output: o
  priority: INFO
"#
);

case!(
    transformer_on_list_keeps_the_list,
    r#"- rule: r
  desc: d
  condition: evt.type = open and toupper(fd.types) = FILE
  output: o
  priority: INFO
"#
);

case!(
    output_transformer_type_error,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: pid %toupper(proc.pid) anc %tolower(proc.aname) x %toupper(fd.nonexistent)
  priority: INFO
"#
);

case!(
    multivalue_transformer_arguments,
    r#"- rule: r
  desc: d
  condition: >
    evt.type = open and getopt(proc.args, "t:") intersects (t)
    and concat(fd.name, proc.pid) = x and join(",", fd.name) = y
    and getopt(("-ab"), "ab")[ab] = z
  output: o
  priority: INFO
"#
);

// ---- Macros and lists ---------------------------------------------------------

case!(
    undefined_macro,
    r#"- macro: spawned_process
  condition: evt.type = execve
- rule: r
  desc: d
  condition: spawnd_process and proc.name = sh
  output: o
  priority: INFO
"#
);

case!(
    macro_defined_after_use,
    r#"- macro: a
  condition: b and proc.name = sh
- macro: b
  condition: evt.type = execve
- rule: r
  desc: d
  condition: a
  output: o
  priority: INFO
"#
);

case!(
    macro_reference_loop,
    r#"- macro: a
  condition: evt.type = execve
- macro: b
  condition: a and proc.name = sh
- macro: a
  condition: or b
  override:
    condition: append
- rule: r
  desc: d
  condition: b
  output: o
  priority: INFO
"#
);

case!(
    unused_macro,
    r#"- macro: never_used
  condition: evt.type = execve
"#
);

case!(
    unused_list,
    r#"- list: never_used
  items: [a, b]
"#
);

case!(
    macro_error_unused,
    r#"- macro: m
  condition: proc.pid contains 1
"#
);

case!(
    macro_error_used,
    r#"- macro: m
  condition: proc.pid contains 1
- rule: r
  desc: d
  condition: evt.type = open and m
  output: o
  priority: INFO
"#
);

// ---- Output -------------------------------------------------------------------

case!(
    output_unknown_field,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: opened %fd.nmae by %proc.name
  priority: INFO
"#
);

case!(
    output_percent_at_end,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: opened 100%
  priority: INFO
"#
);

case!(
    output_double_percent,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: opened %%x
  priority: INFO
"#
);

case!(
    output_container_info,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: opened %fd.name %container.info
  priority: INFO
"#
);

case!(
    output_field_bad_argument,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: opened by %proc.name[1]
  priority: INFO
"#
);

case!(
    output_bad_transformer,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: opened by %toupper(=)
  priority: INFO
"#
);

case!(
    output_appended_unknown_field,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: opened %fd.name
  priority: INFO
- rule: r
  output: by %proc.nmae
  override:
    output: append
"#
);

// ---- Deprecations and rule-level warnings -------------------------------------

case!(
    deprecated_field_in_condition,
    r#"- rule: r
  desc: d
  condition: evt.type = open and evt.dir = <
  output: o
  priority: INFO
"#
);

case!(
    deprecated_field_in_output,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: opened %fd.name (%evt.dir)
  priority: INFO
"#
);

case!(
    deprecated_standalone_enabled,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  enabled: false
"#
);

case!(
    no_evttype,
    r#"- rule: r
  desc: d
  condition: proc.name = nc
  output: o
  priority: INFO
"#
);

case!(
    skip_if_unknown_filter,
    r#"- rule: r
  desc: d
  condition: evt.type = open and newplugin.field = x
  output: o
  priority: INFO
  skip-if-unknown-filter: true
"#
);

// ---- Exact locations through YAML scalar styles -------------------------------

case!(
    loc_folded_block,
    r#"- rule: r
  desc: d
  condition: >
    evt.type = open
    and proc.name = sh
    and fd.nmae = /etc/passwd
  output: o
  priority: INFO
"#
);

case!(
    loc_folded_block_more_indented,
    r#"- rule: r
  desc: d
  condition: >-
    evt.type = open and

      proc.name = sh
    and fd.nmae = x
  output: o
  priority: INFO
"#
);

case!(
    loc_literal_block,
    r#"- rule: r
  desc: d
  condition: |
    evt.type = open and
    (proc.name = sh or
     proc.pid contains 1)
  output: o
  priority: INFO
"#
);

case!(
    loc_literal_block_indentation_indicator,
    r#"- rule: r
  desc: d
  condition: |2-
      evt.type = open
    and proc.nmae = sh
  output: o
  priority: INFO
"#
);

case!(
    loc_double_quoted_escapes,
    r#"- rule: r
  desc: d
  condition: "evt.type = open and proc.name = \"a b\"\tand fd.nmae = \u0078"
  output: o
  priority: INFO
"#
);

case!(
    loc_double_quoted_line_folding,
    r#"- rule: r
  desc: d
  condition: "evt.type = open and
    proc.name = sh and \
    fd.nmae = x"
  output: o
  priority: INFO
"#
);

case!(
    loc_single_quoted_escapes,
    r#"- rule: r
  desc: d
  condition: 'evt.type = open and proc.name = ''a b'' and fd.nmae = x'
  output: o
  priority: INFO
"#
);

case!(
    loc_single_quoted_multiline,
    r#"- rule: r
  desc: d
  condition: 'evt.type = open
    and proc.name = ''sh''

    and fd.nmae = x'
  output: o
  priority: INFO
"#
);

case!(
    loc_plain_multiline,
    r#"- rule: r
  desc: d
  condition: evt.type = open
    and proc.name = sh
    and fd.nmae = x
  output: o
  priority: INFO
"#
);

case!(
    loc_flow_mapping_item,
    r#"- {rule: r, desc: d, condition: "evt.type = open and fd.nmae = x", output: o, priority: INFO}
"#
);

case!(
    loc_unicode_before_error,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name = "héllo wörld" and fd.nmae = x
  output: o
  priority: INFO
"#
);

case!(
    loc_unicode_escape_before_error,
    r#"- rule: r
  desc: d
  condition: "evt.type = open and proc.name = \"\u00e9\u00e9\" and fd.nmae = x"
  output: o
  priority: INFO
"#
);

case!(
    loc_rule_appended_condition,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  condition: and fd.nmae = x
  override:
    condition: append
"#
);

case!(
    loc_rule_appended_condition_syntax,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  condition: and proc.name sh
  override:
    condition: append
"#
);

case!(
    loc_rule_legacy_appended_condition,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  condition: and proc.pid contains 1
  append: true
"#
);

case!(
    loc_macro_appended_condition,
    r#"- macro: m
  condition: evt.type = open
- macro: m
  condition: and fd.nmae = x
  override:
    condition: append
- rule: r
  desc: d
  condition: m
  output: o
  priority: INFO
"#
);

case!(
    loc_replaced_condition,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
- rule: r
  condition: evt.type = open and fd.nmae = x
  override:
    condition: replace
"#
);

case!(
    loc_list_item_in_condition,
    r#"- list: my_events
  items: [open, opne]
- rule: r
  desc: d
  condition: evt.type in (my_events)
  output: o
  priority: INFO
"#
);

case!(
    loc_list_item_block_sequence,
    r#"- list: pids
  items:
    - 1
    - "two"
    - 3
- rule: r
  desc: d
  condition: evt.type = open and proc.pid in (pids)
  output: o
  priority: INFO
"#
);

case!(
    loc_list_item_via_nested_list,
    r#"- list: base
  items: [open, opne]
- list: all_events
  items: [base, close]
- rule: r
  desc: d
  condition: evt.type in (all_events)
  output: o
  priority: INFO
"#
);

case!(
    loc_list_item_appended,
    r#"- list: my_events
  items: [open]
- list: my_events
  items: [clsoe]
  override:
    items: append
- rule: r
  desc: d
  condition: evt.type in (my_events)
  output: o
  priority: INFO
"#
);

case!(
    loc_list_item_in_macro,
    r#"- list: my_events
  items: [open, opne]
- macro: m
  condition: evt.type in (my_events)
- rule: r
  desc: d
  condition: m
  output: o
  priority: INFO
"#
);

case!(
    loc_list_item_quoted_with_space,
    r#"- list: pids
  items: [1, "2 3"]
- rule: r
  desc: d
  condition: evt.type = open and proc.pid in (pids)
  output: o
  priority: INFO
"#
);

case!(
    loc_list_item_bad_escape,
    r#"- list: names
  items: [sh, '"c\qd"']
- rule: r
  desc: d
  condition: evt.type = open and proc.name in (names)
  output: o
  priority: INFO
"#
);

case!(
    loc_exception_value_quoted_with_space,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.name, proc.pid]
      values: [[sh, "1 2"]]
"#
);

case!(
    loc_macro_syntax_error_used,
    r#"- macro: m
  condition: >
    evt.type = open and
    proc.name in (a,,b)
- rule: r
  desc: d
  condition: m
  output: o
  priority: INFO
"#
);

case!(
    loc_crlf_line_endings,
    "- rule: r\r\n  desc: d\r\n  condition: >\r\n    evt.type = open\r\n    and fd.nmae = x\r\n  output: o\r\n  priority: INFO\r\n"
);

case!(
    loc_exception_value_in_block,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields:
        - proc.name
        - fd.sport
      values:
        - - sh
          - http
"#
);

case!(
    loc_exception_field_transformer,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [toupper(proc.pid)]
      values: [[1]]
"#
);

// ---- Expansion limits: hostile macro and list definitions ------------------------

/// Each macro uses the previous one twice: 2^40 nodes once expanded.
fn macro_bomb() -> String {
    let mut s = String::from("- macro: m0\n  condition: proc.name = a\n");
    for i in 1..40 {
        s.push_str(&format!("- macro: m{i}\n  condition: m{} and m{}\n", i - 1, i - 1));
    }
    s.push_str("- rule: r\n  desc: d\n  condition: evt.type = open and m39\n  output: o\n  priority: INFO\n");
    s
}

/// Each list names the next one ten times; textual substitution multiplies by ten per level.
fn list_bomb() -> String {
    let mut s = String::new();
    for i in 1..10 {
        s.push_str(&format!(
            "- list: l{i}\n  items: [{}]\n",
            vec![format!("l{}", i + 1); 10].join(", ")
        ));
    }
    s.push_str("- list: l10\n  items: [x]\n");
    s.push_str(
        "- rule: r\n  desc: d\n  condition: evt.type = open and proc.name in (l1)\n  output: o\n  priority: INFO\n",
    );
    s
}

#[test]
fn limit_macro_expansion() {
    check("limit_macro_expansion", &macro_bomb());
}

#[test]
fn limit_list_substitution() {
    check("limit_list_substitution", &list_bomb());
}

/// Each macro wraps the previous one: `m_i: (m_{i-1} and proc.name != x_i)`.
fn macro_chain(depth: usize, rule: bool) -> String {
    let mut s = String::from("- macro: m_0\n  condition: proc.name = x_0\n");
    for i in 1..=depth {
        s.push_str(&format!(
            "- macro: m_{i}\n  condition: (m_{} and proc.name != x_{i})\n",
            i - 1
        ));
    }
    if rule {
        s.push_str(&format!(
            "- rule: r\n  desc: d\n  condition: evt.type = open and m_{depth}\n  output: o\n  priority: INFO\n"
        ));
    }
    s
}

/// Expansions are shared, not copied per macro: a 10,000-deep chain no rule uses loads
/// as Falco loads it (used to take over a minute and gigabytes).
#[test]
fn limit_macro_chain_unused_loads() {
    let a = analyze(
        vec![SourceFile {
            name: "rules.yaml".into(),
            text: macro_chain(10_000, false),
        }],
        &Options::default(),
    );
    assert_eq!(a.errors(), 0, "{:?}", a.diagnostics.first());
    assert_eq!(a.macros.len(), 10_001);
    assert!(a.macros[..10_000].iter().all(|m| m.used));
}

/// A rule whose expanded condition would nest deeper than a written one may: one error
/// at the reference, not a stack overflow in a later pass.
#[test]
fn limit_macro_chain_too_deep_for_a_rule() {
    check("limit_macro_chain_too_deep_for_a_rule", &macro_chain(10_000, true));
}

/// Just under the limit, the rule compiles and runs.
#[test]
fn limit_macro_chain_deep_rule_compiles() {
    let a = analyze(
        vec![SourceFile {
            name: "rules.yaml".into(),
            text: macro_chain(495, true),
        }],
        &Options::default(),
    );
    assert_eq!(a.errors(), 0, "{:?}", a.diagnostics.first());
    assert!(a.rules[0].expr.is_some());
}

// ---- falcorc's own lints -----------------------------------------------------------

case!(
    lint_rule_never_matches,
    r#"- rule: r
  desc: d
  condition: evt.type = open and proc.name = cat and evt.type = openat
  output: o
  priority: INFO
"#
);

case!(
    lint_rule_never_matches_not_for_evt_num,
    r#"- rule: disabled_on_purpose
  desc: d
  condition: evt.num = 0 and proc.name = cat
  output: o
  priority: INFO
"#
);

// ---- "did you mean" and help for common mistakes ------------------------------------

case!(
    hint_operator_typo,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.name startwith bash
  output: o
  priority: INFO
"#
);

case!(
    hint_event_type_case,
    r#"- rule: r
  desc: d
  condition: evt.type = OPEN and fd.name = /etc/shadow
  output: o
  priority: INFO
"#
);

case!(
    hint_priority_abbreviation,
    r#"- rule: r
  desc: d
  condition: evt.type = execve
  output: o
  priority: WARN
"#
);

case!(
    hint_unterminated_string,
    r#"- rule: r
  desc: d
  condition: evt.type = execve and proc.cmdline contains "curl http
  output: o
  priority: INFO
"#
);

case!(
    hint_override_of_misspelled_rule,
    r#"- rule: Shell started
  desc: d
  condition: evt.type = execve
  output: o
  priority: INFO

- rule: Shell strated
  condition: and proc.name = bash
  override:
    condition: append
"#
);

case!(
    hint_every_exception_mistake_at_once,
    r#"- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  exceptions:
    - name: e
      fields: [proc.nmae, fd.nam]
      comps: [=, startwith]
      values:
        - [a, b, c]
"#
);

case!(
    type_empty_arguments_are_no_argument,
    r#"- rule: r
  desc: d
  condition: evt.type = open and container.label[""] = x and getopt(("-t", "x"), "t:")[""] = y and proc.aname[""] = bash and proc.aname[0x1] = sh
  output: o
  priority: INFO
"#
);
