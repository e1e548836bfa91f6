//! The one registry of diagnostic codes. Codes named `LOAD_*` are Falco's own
//! (`falco::load_result`), used where Falco reports the same problem; the others are
//! falcorc's. Each entry carries the documentation shown by `falcorc explain CODE`,
//! the docs and editor hovers.

use super::Severity;
use crate::lint::CheckId;

pub struct CodeDoc {
    pub what: &'static str,
    pub why: &'static str,
    pub example: &'static str,
    pub instead: &'static str,
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $sev:ident, $falco:literal, {
        what: $what:literal, why: $why:literal, example: $example:literal, instead: $instead:literal $(,)?
    } ),* $(,)?) => {
        /// A diagnostic code: one of the loader's (Falco's `LOAD_*` and falcorc's own load
        /// codes, listed below) or a lint check of [`crate::lint`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* Check(CheckId) }

        impl Code {
            /// The loader's codes (the checks are in [`CheckId::ALL`]).
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as printed (`LOAD_ERR_VALIDATE`, `contradictory-comparison`).
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* Code::Check(c) => c.meta().name }
            }

            pub fn default_severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$sev,)*
                    Code::Check(c) => c.meta().default.severity().unwrap_or(Severity::Warning),
                }
            }

            /// True for codes Falco itself reports.
            pub fn is_falco(self) -> bool {
                match self { $(Code::$variant => $falco,)* Code::Check(_) => false }
            }

            pub fn doc(self) -> CodeDoc {
                match self {
                    $(Code::$variant => CodeDoc { what: $what, why: $why, example: $example, instead: $instead },)*
                    Code::Check(c) => {
                        let m = c.meta();
                        CodeDoc { what: m.what, why: m.why, example: m.bad, instead: m.good }
                    }
                }
            }
        }
    };
}

impl Code {
    /// A loader code or a check, by its printed name (loader codes case-insensitively).
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.name().eq_ignore_ascii_case(name))
            .or_else(|| CheckId::from_name(name).map(Code::Check))
    }

    /// Every code: the loader's, then the checks.
    pub fn all() -> impl Iterator<Item = Code> {
        Code::ALL
            .iter()
            .copied()
            .chain(CheckId::ALL.iter().map(|c| Code::Check(*c)))
    }

    pub fn check(self) -> Option<CheckId> {
        match self {
            Code::Check(c) => Some(c),
            _ => None,
        }
    }
}

codes! {
    LoadErrFileRead = "LOAD_ERR_FILE_READ", Error, true, {
        what: "A rules file could not be read.",
        why: "Falco refuses to start when a configured rules file is missing or unreadable.",
        example: "falcorc lint /etc/falco/missing.yaml",
        instead: "Check the path and its permissions.",
    },
    LoadErrYamlParse = "LOAD_ERR_YAML_PARSE", Error, true, {
        what: "The file is not valid YAML.",
        why: "Falco cannot load any item from a file that does not parse.",
        example: "- rule: x\n  condition: [unclosed",
        instead: "Fix the YAML syntax at the reported position; quote values that start with YAML indicators such as `[`, `{`, `*` or `&`.",
    },
    LoadErrYamlValidate = "LOAD_ERR_YAML_VALIDATE", Error, true, {
        what: "An item has the wrong shape: a missing or empty required key, a value of the wrong type, an invalid priority or override.",
        why: "Falco rejects the whole file when one item is malformed.",
        example: "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: LOUD",
        instead: "Give every item the keys and value types of the rules language (see docs/LANGUAGE.md).",
    },
    LoadErrCompileCondition = "LOAD_ERR_COMPILE_CONDITION", Error, true, {
        what: "A condition does not parse or does not type-check: syntax errors, unknown fields or event types, operators that the field's type does not support, bad values.",
        why: "Falco refuses to load a rule whose condition it cannot compile.",
        example: "condition: proc.pid contains 1",
        instead: "Use an operator the field type supports (here `=` or `in`), a field that exists, and values of the field's type.",
    },
    LoadErrCompileOutput = "LOAD_ERR_COMPILE_OUTPUT", Error, true, {
        what: "A rule's output string has an invalid `%field` reference.",
        why: "Falco compiles every output format when it loads the rule and fails on unknown fields.",
        example: "output: opened %fd.nmae",
        instead: "Reference existing fields (`falcorc fields`), e.g. `%fd.name`.",
    },
    LoadErrValidate = "LOAD_ERR_VALIDATE", Error, true, {
        what: "A semantic error between items: append or override of something that does not exist, an undefined macro, a macro loop, a source conflict, an exception that does not fit its fields, an unmet version requirement.",
        why: "Falco stops loading the file at the first such error.",
        example: "- macro: m\n  condition: and proc.name = sh\n  override:\n    condition: append",
        instead: "Define the item before appending to it, and reference only defined macros.",
    },
    LoadErrExtension = "LOAD_ERR_EXTENSION", Error, true, {
        what: "An error raised by a rules-file extension.",
        why: "Extensions may reject items they own.",
        example: "(extension specific)",
        instead: "Follow the extension's documentation.",
    },
    LoadUnknownSource = "LOAD_UNKNOWN_SOURCE", Warning, true, {
        what: "A rule names an event source that is not loaded.",
        why: "Falco skips such a rule: it never runs.",
        example: "source: k8s_audit   # without the k8saudit plugin",
        instead: "Load the plugin that provides the source, or remove the rule.",
    },
    LoadUnsafeNaCheck = "LOAD_UNSAFE_NA_CHECK", Warning, true, {
        what: "A k8s audit field is compared with `<NA>`.",
        why: "Missing values are not reliably `<NA>` for these fields; the comparison can silently never match.",
        example: "ka.user.name = <NA>",
        instead: "Use `exists` / `not ... exists`.",
    },
    LoadNoEvttype = "LOAD_NO_EVTTYPE", Warning, true, {
        what: "A syscall rule does not restrict `evt.type`, so it runs on more than 100 event types.",
        why: "Falco evaluates such a rule for nearly every event, a significant performance penalty.",
        example: "condition: proc.name = nc",
        instead: "Add an event type restriction, e.g. `evt.type in (execve, execveat) and proc.name = nc`, or set `warn_evttypes: false` if it is intended.",
    },
    LoadUnknownFilter = "LOAD_UNKNOWN_FILTER", Warning, true, {
        what: "A rule with `skip-if-unknown-filter: true` uses a field or event type this engine does not know; the rule is skipped.",
        why: "The rule silently does nothing on this engine.",
        example: "skip-if-unknown-filter: true\ncondition: newplugin.field = x",
        instead: "Load the plugin that provides the field, or drop the rule.",
    },
    LoadUnusedMacro = "LOAD_UNUSED_MACRO", Warning, true, {
        what: "A macro is not referenced by any rule or macro.",
        why: "Dead definitions make rulesets harder to read and usually point at a typo in a reference.",
        example: "- macro: never_used\n  condition: proc.name = x",
        instead: "Remove the macro or reference it.",
    },
    LoadUnusedList = "LOAD_UNUSED_LIST", Warning, true, {
        what: "A list is not referenced by any rule, macro or list.",
        why: "Dead definitions make rulesets harder to read and usually point at a typo in a reference.",
        example: "- list: never_used\n  items: [a]",
        instead: "Remove the list or reference it.",
    },
    LoadUnknownItem = "LOAD_UNKNOWN_ITEM", Warning, true, {
        what: "A top-level item has none of the keys `rule`, `macro`, `list`, `required_engine_version`, `required_plugin_versions`.",
        why: "Falco ignores the item; usually a typo such as `rules:`.",
        example: "- rules: my_rule",
        instead: "Use one of the known item keys.",
    },
    LoadDeprecatedItem = "LOAD_DEPRECATED_ITEM", Warning, true, {
        what: "A deprecated construct: the `append` key, a standalone `enabled` item, `%container.info`, or deprecated fields such as `evt.dir` and `evt.latency`.",
        why: "Deprecated constructs will stop working in a future Falco; deprecated fields are always empty with current drivers.",
        example: "- rule: r\n  condition: and proc.name = sh\n  append: true",
        instead: "Use `override: {condition: append}` and current fields.",
    },
    LoadWarningExtension = "LOAD_WARNING_EXTENSION", Warning, true, {
        what: "A warning raised by a rules-file extension.",
        why: "Extensions may flag items they own.",
        example: "(extension specific)",
        instead: "Follow the extension's documentation.",
    },
    LoadAppendNoValues = "LOAD_APPEND_NO_VALUES", Warning, true, {
        what: "An exception is appended or overridden without `values`.",
        why: "Such an exception adds nothing.",
        example: "override: {exceptions: append}\nexceptions:\n  - name: known",
        instead: "Give the values to add.",
    },
    LoadExceptionNameNotUnique = "LOAD_EXCEPTION_NAME_NOT_UNIQUE", Warning, true, {
        what: "Two exceptions of one rule have the same name.",
        why: "Appends to the name become ambiguous.",
        example: "exceptions:\n  - name: e\n  - name: e",
        instead: "Give every exception a distinct name.",
    },
    LoadInvalidMacroName = "LOAD_INVALID_MACRO_NAME", Warning, true, {
        what: "A macro name is not an identifier (`[a-zA-Z]+[a-zA-Z0-9_]*`).",
        why: "A condition can only reference a macro whose name lexes as an identifier.",
        example: "- macro: my-macro",
        instead: "Use letters, digits and underscores: `my_macro`.",
    },
    LoadInvalidListName = "LOAD_INVALID_LIST_NAME", Warning, true, {
        what: "A list name contains blanks, quotes, parentheses, `=` or `,`.",
        why: "Such a name can never be substituted into a condition.",
        example: "- list: my list",
        instead: "Use a name without those characters: `my_list`.",
    },
    LoadCompileCondition = "LOAD_COMPILE_CONDITION", Warning, true, {
        what: "The condition compiles but looks wrong: a `regex` a simpler operator could do, or a value that is itself a field name (a string compared, not the field).",
        why: "`proc.name = proc.pname` compares with the text \"proc.pname\", which is rarely intended.",
        example: "proc.name = proc.pname",
        instead: "Compare two fields with `val()`: `proc.name = val(proc.pname)`; use `startswith`/`=` instead of trivial regexes.",
    },
    LoadUnknownKey = "LOAD_UNKNOWN_KEY", Warning, true, {
        what: "An item has a key its kind does not use.",
        why: "Falco ignores the key, which usually hides a typo (`condtion:`).",
        example: "- rule: r\n  condtion: evt.type = open",
        instead: "Remove the key or fix its spelling.",
    },
    YamlLimit = "YAML_LIMIT", Error, false, {
        what: "The file exceeds a safety limit: size, nesting depth or alias expansion.",
        why: "Such input is almost certainly hostile or generated by mistake; loading it would take unbounded time or memory.",
        example: "a: &a [*b, *b, ...]   # exponential alias expansion",
        instead: "Split the file or remove the alias chain.",
    },
    DuplicateKey = "DUPLICATE_KEY", Warning, false, {
        what: "A mapping has the same key twice.",
        why: "Only the first occurrence is used, like Falco's YAML library; the other is silently lost.",
        example: "- rule: r\n  desc: a\n  desc: b",
        instead: "Keep one occurrence.",
    },
    UsageError = "USAGE_ERROR", Error, false, {
        what: "The command line or falcorc.toml asks for something that does not exist: an unknown check, format or level, a file that cannot be written.",
        why: "Nothing was checked, so a CI job must not pass; the exit code is 2.",
        example: "falcorc lint --select mixed-and-orr rules/",
        instead: "Fix the option; `falcorc explain all` lists the checks and codes.",
    },
    SchemaMismatch = "SCHEMA_MISMATCH", Warning, false, {
        what: "The item loads but does not follow Falco's JSON schema for rules files (e.g. lower-case priority, `capture: \"yes\"`).",
        why: "Falco reports `schema_validation: failed` for such files; tools built on the schema may reject them.",
        example: "priority: warning",
        instead: "Use the schema's spelling: `priority: WARNING`.",
    },
}
