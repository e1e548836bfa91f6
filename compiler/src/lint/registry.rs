//! The registry: every check, its id and how it runs. Adding a check is a file in
//! `checks/` and a line here; `compiler/tests/lint_checks.rs` then requires its docs,
//! fixtures and snapshot, and `docs/lints/` its page.

use super::Meta;
use super::checks;
use super::context::{Context, Sink};
use crate::diag::Diagnostic;

macro_rules! registry {
    (
        run: [$($variant:ident => $module:ident,)*]
        after: [$($pvariant:ident => $pmodule:ident,)*]
    ) => {
        /// A check's identity; its printed name is [`Meta::name`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CheckId { $($variant,)* $($pvariant,)* }

        impl CheckId {
            /// Every check, in registry order.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant,)* $(CheckId::$pvariant,)*];

            pub fn meta(self) -> &'static Meta {
                match self {
                    $(CheckId::$variant => &checks::$module::META,)*
                    $(CheckId::$pvariant => &checks::$pmodule::META,)*
                }
            }

            /// Run the check over the ruleset. Checks listed under `after` report on the
            /// final diagnostics instead (from [`super::suppress`]) and do nothing here.
            pub(crate) fn run(self, cx: &Context, out: &mut Vec<Diagnostic>) {
                let mut sink = Sink::new(self, out);
                match self {
                    $(CheckId::$variant => checks::$module::check(cx, &mut sink),)*
                    $(CheckId::$pvariant => {})*
                }
            }
        }
    };
}

impl CheckId {
    pub fn from_name(name: &str) -> Option<CheckId> {
        CheckId::ALL.iter().copied().find(|c| c.meta().name == name)
    }
}

registry! {
    run: [
        UndefinedList => undefined_list,
        ContradictoryComparison => contradictory_comparison,
        NeverMatches => never_matches,
        FdFieldWithoutFd => fd_field_without_fd,
        OutputFieldUnavailable => output_field_unavailable,
        UnknownEventArgument => unknown_event_argument,
        ProcNameTooLong => proc_name_too_long,
        MacroShadowedByList => macro_shadowed_by_list,
        ItemRedefined => item_redefined,
        MixedAndOr => mixed_and_or,
        DuplicateComparison => duplicate_comparison,
        FieldComparedToItself => field_compared_to_itself,
        WildcardInPlainOperator => wildcard_in_plain_operator,
        PmatchRelativePath => pmatch_relative_path,
        EmptyStringComparison => empty_string_comparison,
        AncestorNotEqual => ancestor_not_equal,
        DuplicateListItem => duplicate_list_item,
        DuplicateInValue => duplicate_in_value,
        DuplicateExceptionValue => duplicate_exception_value,
        DuplicateTag => duplicate_tag,
        OverrideNoChange => override_no_change,
        GlobWithoutWildcard => glob_without_wildcard,
        NoEvttypeFilter => no_evttype_filter,
        CostlyRule => costly_rule,
        DeprecatedField => deprecated_field,
        ContainerOutputMissingId => container_output_missing_id,
        ExceptionWithoutValues => exception_without_values,
        InSingleItem => in_single_item,
        MacroUsedOnce => macro_used_once,
        RuleWithoutTags => rule_without_tags,
        RuleWithoutMitreTag => rule_without_mitre_tag,
        OutputWithoutFields => output_without_fields,
    ]
    after: [
        UnusedSuppression => unused_suppression,
        SuppressionWithoutReason => suppression_without_reason,
    ]
}
