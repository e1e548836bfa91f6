#!/usr/bin/env bash
# The steps every CI template runs, in one place (GitHub action, GitLab template, and this
# repository's own .ci/run, which executes them locally):
#
#   falcorc-ci.sh install   put falcorc on PATH (a binary already there wins)
#   falcorc-ci.sh lint      lint the rules: annotations/report for the CI system, SARIF file
#   falcorc-ci.sh test      run the rule fixtures, JUnit report
#   falcorc-ci.sh diff      which detections the change alters (`falcorc diff --git BASE`),
#                           as text and as Markdown for a pull-request comment
#
# Settings (environment):
#   FALCORC_RULES     rules files/directories in load order (default: falcorc.toml's `rules`)
#   FALCORC_TESTS     fixture files/directories for `falcorc test` (default: skip the step)
#   FALCORC_FAIL_LEVEL  error (default) or warning
#   FALCORC_LINT_ARGS / FALCORC_TEST_ARGS  extra arguments
#   FALCORC_SARIF     SARIF output path (default falcorc.sarif)
#   FALCORC_JUNIT     JUnit output path of the tests (default falcorc-test.xml)
#   FALCORC_CODE_QUALITY  GitLab Code Quality output path (set by the GitLab template)
#   FALCORC_BASE      git revision the diff compares the work tree with (required by `diff`)
#   FALCORC_CAPTURES  captures the diff replays under both versions (FALCORC_TESTS too)
#   FALCORC_DIFF_FAIL_ON  removed, changed and/or alerts, comma-separated (default: never fail)
#   FALCORC_DIFF_MARKDOWN  Markdown output path of the diff (default falcorc-diff.md)
#   FALCORC_VERSION   version to install (default: latest release)
#   FALCORC_RELEASE_URL  URL of a release tarball holding the `falcorc` binary
#   FALCORC_GIT       git URL to build from when no binary can be downloaded
set -euo pipefail

step=${1:?usage: falcorc-ci.sh install|lint|test|diff}
bin=${FALCORC_BIN:-falcorc}

case "$step" in
install)
  if command -v "$bin" >/dev/null 2>&1; then
    echo "falcorc already installed: $("$bin" --version)"
    exit 0
  fi
  dest=${FALCORC_INSTALL_DIR:-$HOME/.local/bin}
  mkdir -p "$dest"
  if [ -n "${FALCORC_RELEASE_URL:-}" ]; then
    echo "downloading $FALCORC_RELEASE_URL"
    curl -fsSL "$FALCORC_RELEASE_URL" | tar -xz -C "$dest" falcorc
  elif [ -n "${FALCORC_GIT:-}" ]; then
    echo "building falcorc from $FALCORC_GIT"
    tag=()
    [ -n "${FALCORC_VERSION:-}" ] && tag=(--tag "v$FALCORC_VERSION")
    cargo install --locked --root "$(dirname "$dest")" --git "$FALCORC_GIT" "${tag[@]}" falcorc
  else
    echo "falcorc is not on PATH; set FALCORC_RELEASE_URL or FALCORC_GIT" >&2
    exit 2
  fi
  [ -n "${GITHUB_PATH:-}" ] && echo "$dest" >> "$GITHUB_PATH"
  "$dest/falcorc" --version
  ;;
lint)
  # shellcheck disable=SC2206
  rules=(${FALCORC_RULES:-})
  # shellcheck disable=SC2206
  extra=(${FALCORC_LINT_ARGS:-})
  fail=(--fail-level "${FALCORC_FAIL_LEVEL:-error}")
  sarif=${FALCORC_SARIF:-falcorc.sarif}
  status=0
  # The report for people and the CI system's own view of the findings...
  if [ -n "${GITHUB_ACTIONS:-}" ]; then
    "$bin" lint "${rules[@]}" "${extra[@]}" "${fail[@]}" --format github || status=$?
  else
    "$bin" lint "${rules[@]}" "${extra[@]}" "${fail[@]}" --color always || status=$?
  fi
  # ...then the machine-readable reports (same findings: the exit status is the first run's).
  "$bin" lint "${rules[@]}" "${extra[@]}" --format sarif -o "$sarif" || true
  if [ -n "${FALCORC_CODE_QUALITY:-}" ]; then
    "$bin" lint "${rules[@]}" "${extra[@]}" --format gitlab -o "$FALCORC_CODE_QUALITY" || true
  fi
  exit "$status"
  ;;
test)
  if [ -z "${FALCORC_TESTS:-}" ]; then
    echo "FALCORC_TESTS is not set: no rule fixtures to run"
    exit 0
  fi
  # shellcheck disable=SC2206
  tests=($FALCORC_TESTS)
  # shellcheck disable=SC2206
  extra=(${FALCORC_TEST_ARGS:-})
  junit=${FALCORC_JUNIT:-falcorc-test.xml}
  status=0
  "$bin" test "${tests[@]}" "${extra[@]}" || status=$?
  "$bin" test "${tests[@]}" "${extra[@]}" --format junit > "$junit" || true
  exit "$status"
  ;;
diff)
  base=${FALCORC_BASE:?FALCORC_BASE: the git revision to compare with (e.g. origin/main)}
  # shellcheck disable=SC2206
  rules=(${FALCORC_RULES:-})
  replay=()
  # shellcheck disable=SC2206
  [ -n "${FALCORC_CAPTURES:-}" ] && replay+=(--captures ${FALCORC_CAPTURES})
  # shellcheck disable=SC2206
  [ -n "${FALCORC_TESTS:-}" ] && replay+=(--tests ${FALCORC_TESTS})
  fail=()
  [ -n "${FALCORC_DIFF_FAIL_ON:-}" ] && fail=(--fail-on "$FALCORC_DIFF_FAIL_ON")
  markdown=${FALCORC_DIFF_MARKDOWN:-falcorc-diff.md}
  status=0
  "$bin" diff --git "$base" "${rules[@]}" "${replay[@]}" "${fail[@]}" --color always || status=$?
  # The comment body; an unloadable version (exit 2) leaves the text report's reason only.
  "$bin" diff --git "$base" "${rules[@]}" "${replay[@]}" --format markdown -o "$markdown" || true
  exit "$status"
  ;;
*)
  echo "unknown step '$step': install, lint, test or diff" >&2
  exit 2
  ;;
esac
