//! `falcorc fmt`'s layout (compiler::fmt::format): snapshots of messy rules files, and on
//! every input, including Falco's own rules and the conformance corpus, the guarantees:
//! idempotent, same ruleset, every comment kept.

mod fmt_common;

use falcorc_compiler::fmt::format;
use falcorc_compiler::syntax::yaml::{self, Node};
use fmt_common::{assert_ok, check, shared};

/// Snapshot of the formatted `input` (which must pass every check).
fn snapshot(name: &str, input: &str) {
    let out = assert_ok(input).unwrap_or_else(|| panic!("{name}: the formatter declined:\n{input}"));
    insta::with_settings!({ description => input, omit_expression => true }, {
        insta::assert_snapshot!(name, out);
    });
}

#[test]
fn comments_everywhere() {
    snapshot(
        "comments_everywhere",
        r#"# File header
#   (indented text inside a comment is kept)


# Section: lists
- list: shells   # trailing on the name
  # before items
  items: [bash, sh,   # after sh
      zsh]  # after the list
- macro: spawned
  condition:   evt.type = execve   # why
  # commented-out key
  # enabled: false
-   rule: Shell
    desc: a shell
    condition: spawned and proc.name in (shells)
    output: "shell (user=%user.name)"
    priority: WARNING
    tags:
      - shell   # the tag
      - mitre
        # deep comment, closes the tags
    # closes the rule
# before the next item, no blank line

- rule: Other # t
  desc: x
  condition: evt.type = open
  output: o
  priority: INFO

# trailing comment at the end of the file
"#,
    );
}

#[test]
fn condition_styles() {
    snapshot(
        "condition_styles",
        r#"- macro: plain_multiline
  condition: evt.type = open and
        proc.name = cat
          and fd.name startswith /etc
- macro: folded
  condition: >
      evt.type = open
        and proc.name = cat

      and fd.num >= 0
- macro: folded_strip
  condition: >-
    evt.type = open
    and fd.num >= 0
- macro: literal
  condition: |
    evt.type = open
    and fd.num >= 0
- macro: double_quoted
  condition: "proc.name = \"cat\" and
    fd.name = /etc/passwd"
- macro: single_quoted
  condition: 'proc.name = ''cat'''
- macro: needs_quotes
  condition: "fd.name contains ': ' or fd.name contains ' #'"
- rule: r
  desc: "A description: with a colon"
  condition: 'plain_multiline and folded and folded_strip and literal
     and double_quoted and single_quoted and needs_quotes'
  output: "%proc.name opened %fd.name"
  priority: 'WARNING'
  enabled: 'true'
"#,
    );
}

#[test]
fn long_lists() {
    snapshot(
        "long_lists",
        r#"- list: short
  items:
    - a
    - "b"
    - 'c d'
- list: long
  items: [aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccc, ddddddddddddddddddd, eeeeeeeeeeeeeeeeeeeee]
- list: quoted
  items: ['"(systemd)"', "runc:[1:CHILD]", "a,b", '#hash', '!=', 'yes', "123", =, "it's"]
- list: empty
  items: []
- list: with_comments
  items: [
    a,   # first
    # about b
    b
  ]
"#,
    );
}

#[test]
fn wrapped_lists() {
    snapshot(
        "wrapped_lists",
        r#"# One entry per line in the source: filled onto as few lines as fit.
- list: passwd_binaries
  items:
    - shadowconfig
    - grpck
    - pwunconv
    - grpconv
    - pwck
    - groupmod
    - vipw
    - pwconv
    - useradd
    - newusers
    - cppw
    - chpasswd
    - usermod
    - groupadd
    - groupdel
    - grpunconv
    - chgpasswd
    - userdel
    - chage
    - chsh
    - gpasswd
    - chfn
    - expiry
    - passwd
    - vigr
    - cpgr
    - adduser
    - addgroup
    - deluser
    - delgroup
# Wrapped by hand, `]` deeper than the key, a comment after it.
- list: rpm_binaries
  items: [dnf, dnf-automatic, rpm, rpmkey, yum, '"75-system-updat"', rhsmcertd-worke, rhsmcertd, subscription-ma,
          repoquery, rpmkeys, rpmq, yum-cron, yum-config-mana, yum-debug-dump,
          abrt-action-sav, rpmdb_stat, microdnf, rhn_check, yumdb
    ]   # after the list
# Entries that need quotes keep them; one longer than a line gets a line of its own.
- list: odd_entries
  items: ["runc:[1:CHILD]", 'a,b', '#hash', 'yes', "123", =, "it's", '"(systemd)"', /usr/local/bin/some-binary,
    /opt/an/installation/directory/that/is/much/too/long/to/share/a/line/with/any/other/entry/of/the/list,
    short]
# A comment on the key's line would be inside the brackets: the list stays a block.
- list: key_comment
  items: # why these
    - aaaaaaaaaaaaaaaaaaaa
    - bbbbbbbbbbbbbbbbbbbb
    - cccccccccccccccccccc
    - dddddddddddddddddddd
    - eeeeeeeeeeeeeeeeeeee
# Lists of an item that appends or overrides.
- list: passwd_binaries
  items: [useradd-helper, usermod-helper, groupadd-helper, groupmod-helper, chpasswd-helper, extra]
  append: true
- list: rpm_binaries
  items: [dnf5, dnf-automatic, rpm, rpmkey, yum, yum-cron, yum-config-mana, yum-debug-dump, microdnf]
  override:
    items: replace
- rule: Tagged
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  tags: [maturity_stable, host, container, filesystem, mitre_credential_access, T1555, PCI_DSS_10.2.5]
- rule: Tagged
  tags: [maturity_stable, host, container, filesystem, mitre_credential_access, T1555, PCI_DSS_10.2.5, extra_tag]
  override:
    tags: append
"#,
    );
}

#[test]
fn long_list_with_comments() {
    snapshot(
        "long_list_with_comments",
        r#"- list: shell_binaries
  items: [ash, bash, csh, ksh, sh, tcsh, zsh, dash, # the usual ones
    # less common shells
    fish, xonsh, nushell, elvish, oil, ion, rc, es, yash, mksh, posh, pdksh, busybox-sh
  ] # end
- list: short_with_comment
  items:
    - a # only a
- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: INFO
  tags:
    - maturity_stable
    - host
    # keep these two together
    - container
    - filesystem
    - mitre_credential_access
    - T1555
    - PCI_DSS_10.2.5
"#,
    );
}

#[test]
fn wrapped_exceptions() {
    snapshot(
        "wrapped_exceptions",
        r#"- rule: Write below etc
  desc: writes
  condition: evt.type = open and fd.name startswith /etc
  output: "write (file=%fd.name)"
  priority: ERROR
  exceptions:
  - name: long_fields
    fields: [proc.name, proc.pname, "proc.aname[2]", fd.directory, fd.filename, container.image.repository]
    comps: [=, =, =, in, startswith, endswith]
    values:
    - [a_process_name, a_parent_name, a_grandparent, [/etc/nginx, /etc/ssl], config., /library/nginx]
  - name: long_tuple_list
    fields: [proc.name, fd.directory]
    comps: [=, in]
    values:
      - [nginx, [/etc/nginx, /etc/ssl, /etc/nginx/conf.d, /etc/nginx/sites-enabled, /etc/letsencrypt/live]]
      - [apache, [/etc/apache2, /etc/apache2/sites-enabled, /etc/apache2/conf-enabled, /etc/apache2/mods-enabled, /etc/ssl]]
      - [[caddy], [/etc/caddy]]
  - name: single_field
    fields: proc.pname
    comps: in
    values: [sshd, systemd, containerd-shim, containerd-shim-runc-v2, dockerd, kubelet, crio, conmon, runc]
- rule: Write below etc
  exceptions:
    - name: single_field
      values: [cron, anacron, logrotate, unattended-upgrade, apt-daily, apt-daily-upgrade, fwupd-refresh]
  override:
    exceptions: append
"#,
    );
}

#[test]
fn exceptions() {
    snapshot(
        "exceptions",
        r#"- rule: Write below etc
  desc: writes
  condition: evt.type = open and fd.name startswith /etc
  output: "write (file=%fd.name)"
  priority: ERROR
  exceptions:
  - name: proc_writer
    fields: [proc.name, fd.directory]
    comps: [=, in]
    values: [[nginx, [/etc/nginx, /etc/ssl]], [apache, [/etc/apache2]]]
  -   name: single
      fields: proc.name
      comps: in
      values:
      - [cron]
  - name: flat
    fields: proc.pname
    values: [sshd, systemd]
"#,
    );
}

#[test]
fn appends_and_overrides() {
    snapshot(
        "appends_and_overrides",
        r#"- list: shells
  items: [bash]
- list: shells
  items: [zsh]
  append: true
- macro: m
  condition: evt.type = open
- macro: m
  condition: and proc.name = cat
  override: {condition: append}
- rule: r
  desc: d
  condition: m and proc.name in (shells)
  output: o
  priority: INFO
- rule: r
  enabled: false
  override:
      enabled: replace
- required_engine_version: 0.26.0
- required_plugin_versions:
  - name: container
    version: 0.4.0
    alternatives: [{name: other, version: 1.0.0}]
"#,
    );
}

#[test]
fn documents_and_anchors() {
    snapshot(
        "documents_and_anchors",
        r#"%YAML 1.2
--- # first document
  - list: a
    items: [x]
  - macro: m
    condition: &cond evt.type = open
  - macro: n
    condition: *cond
...

---
# second document
- rule: r
  desc: d
  condition: m and n
  output: o
  priority: INFO
---
"#,
    );
}

#[test]
fn an_already_canonical_file_is_unchanged() {
    let text = "# header\n\n- list: a\n  items: [x, y]\n\n- macro: m\n  condition: >\n    evt.type = open\n    and fd.num >= 0\n";
    assert_eq!(format(text).unwrap(), text);
}

#[test]
fn yaml_errors_are_reported_with_their_place() {
    let e = format("- rule: a\n  desc: [x\n").unwrap_err();
    assert!(e.span.start > 0, "{e:?}");
    assert!(format("- a: b\n - c: d\n").is_err());
}

#[test]
fn odd_files_never_panic_and_keep_their_meaning() {
    for text in [
        "",
        "\n\n",
        "# only a comment\n",
        "---\n---\n",
        "\u{feff}- list: a\n  items: [x]\n",
        "- list: a\r\n  items: [x, y]\r\n",
        "key: value\n",
        "[a, b]\n",
        "- plain scalar item\n- list: a\n",
        "- list: a\n  items: !!seq [x]\n",
        "- list: a\n  items:\n  - |+\n    keep\n\n",
        "- macro: m\n  condition: \"a\\tb\\u00e9\"\n",
        "- macro: m\n  condition: '  leading spaces'\n",
        "- macro: m\n  condition: >2\n     indented first\n    line\n",
        "- ? complex key\n  : value\n",
        "- macro: m\r\n  condition: a and\r\n    b # c\r\n",
        "- # on the dash line\n  rule: r\n  desc:\t d\n",
        "- {}\n- list: a\n  items: [ # inside\n  ]\n",
        "- list: a\n  items: # why\n  # lead\n  - x\n  enabled:   # empty\n",
        "- rule: r\n  exceptions:\n  - name: e\n    values:\n    - - a\n      - - b\n        - {k: v}\n",
        "- rule: r\n  output: >+\n    kept\n\n- rule: s\n",
        "- rule: r\n  desc: \"line one\\n  indented\\ttab\"\n",
        "- rule: r\n  desc: \"a\n\n    b\n   c\"\n",
        "-\n  rule: r\n",
        "  - list: a\n    items: [x]\n  - list: b\n    items: &i [y]\n  - list: c\n    items: *i\n",
        // A comment before `]` closes the block sequence the list becomes, and keeps it one.
        "- rule: r\n  tags: ['yes',\n    a_-_a,\n#   a\n    ]\n  priority: WARNING\n",
        "- list: a\n  items:\n    - x\n    # closes the list\n- list: b\n  items:\n  - x\n  # not the list's\n",
        // Wrapped lists: a comment on the key's line, one after `]`, nested and first keys.
        "- list: a\n  items: # k\n    [aaaaaaaaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccccccccccccccc]\n",
        "- list: a\n  items: [aaaaaaaaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccccccccccccccc]  # e\n",
        "- rule: r\n  exceptions:\n  - values: [[aaaaaaaaaaaaaaaaaaaaaaaaaaaa, [bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccccccccccccccc, ddddddddddddddd]]] # e\n    name: x\n",
        // A comment alone on the line after an empty block scalar stays on a line of its own.
        "- rule: r\n  desc: >-\n  # alone\n  condition: evt.type = open\n",
        " -   rule: r\n     desc: >-\n     #[{[!,-[#    t wba\n     condition: a\n",
        "- rule: r\n  exceptions:\n  - name: x\n    values:\n    - - - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n        - bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n      - [~, '', \"a\\tb\"]\n      # closes the tuple\n",
    ] {
        if let Err(e) = check(text) {
            panic!("{e}\n--- input\n{text:?}");
        }
    }
}

/// Falco's own rules files: idempotent, same ruleset, every comment line kept.
#[test]
fn falco_upstream_rules() {
    let dir = shared().join("falco-upstream");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipping: {} not found (set FALCORC_SHARED)", dir.display());
        return;
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let out = assert_ok(&text);
        assert!(out.is_some(), "{} was not formatted", path.display());
    }
}

fn string_values(n: Option<&yaml::Entry>) -> Vec<String> {
    match n.map(|e| &e.value) {
        Some(Node {
            kind: yaml::NodeKind::Scalar(s),
            ..
        }) => vec![s.value.clone()],
        Some(v) => v
            .as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|x| x.as_scalar())
            .map(|s| s.value.clone())
            .collect(),
        None => Vec::new(),
    }
}

/// Every rules input of the conformance corpus (cases from Falco's and libsinsp's unit
/// tests, many of them deliberately broken).
#[test]
fn conformance_corpus() {
    let path = shared().join("conformance/cases.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipping: {} not found (set FALCORC_SHARED)", path.display());
        return;
    };
    let (docs, _) = yaml::parse(&text, &Default::default());
    let cases = docs
        .first()
        .and_then(|d| d.root.as_ref())
        .and_then(Node::as_seq)
        .unwrap_or_default();
    let (mut formatted, mut declined) = (0, 0);
    for case in cases {
        let is_rules = case
            .get("kind")
            .and_then(|e| e.value.as_scalar())
            .is_some_and(|s| s.value == "rules");
        if !is_rules {
            continue;
        }
        for input in string_values(case.get("input")) {
            match check(&input) {
                Ok(Some(_)) => formatted += 1,
                Ok(None) => declined += 1,
                Err(e) => panic!("{e}\n--- input\n{input}"),
            }
        }
    }
    println!("conformance corpus: {formatted} formatted, {declined} declined (YAML errors)");
    assert!(formatted >= 50, "{formatted}");
}
