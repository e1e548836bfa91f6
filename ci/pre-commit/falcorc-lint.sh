#!/usr/bin/env sh
# Git pre-commit hook: lint the rules files when any of them is staged.
# Install: cp ci/pre-commit/falcorc-lint.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# RULES lists the files in the order Falco loads them.
set -eu
RULES=${FALCORC_RULES:-"rules/falco_rules.yaml rules/falco_rules.local.yaml"}
staged=$(git diff --cached --name-only --diff-filter=ACM -- '*.yaml' '*.yml')
[ -n "$staged" ] || exit 0
# shellcheck disable=SC2086
exec falcorc lint $RULES
