#!/usr/bin/env bash
# Run the steps of every CI template locally against this repository's own rules, the way
# the GitHub action, the GitLab template and the pre-commit hooks run them, and check what
# they produce: SARIF validated by Microsoft's SARIF multitool (from npm), JSON and JUnit
# parsed, the templates themselves parsed as YAML. Usage: ci/check-templates.sh FALCORC_BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:?usage: ci/check-templates.sh path/to/falcorc}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ci() { FALCORC_BIN="$bin" bash ci/scripts/falcorc-ci.sh "$@"; }

echo "-- templates parse"
python3 -c 'import yaml' 2>/dev/null || pip install --quiet pyyaml
python3 - <<'PY'
import yaml
action = yaml.safe_load(open("ci/github/action.yml"))
assert action["runs"]["using"] == "composite", action["runs"]
steps = action["runs"]["steps"]
assert all("falcorc-ci.sh" in s.get("run", "") for s in steps if "run" in s), "steps call the shared script"
gitlab = yaml.safe_load(open("ci/gitlab/falcorc.gitlab-ci.yml"))
assert gitlab["falcorc-lint"]["artifacts"]["reports"]["codequality"]
assert gitlab["falcorc-test"]["artifacts"]["reports"]["junit"]
assert any(s.get("id") == "diff" for s in steps), "the action has the diff step"
pr = yaml.safe_load(open("ci/github/pr-diff.yml"))
assert "pull_request" in pr[True], pr.keys()
assert pr["permissions"]["pull-requests"] == "write"
assert any("gh pr comment" in s.get("run", "") for s in pr["jobs"]["diff"]["steps"])
hooks = yaml.safe_load(open(".pre-commit-hooks.yaml"))
ids = {h["id"] for h in hooks}
assert {"falcorc-lint", "falcorc-fmt", "falcorc-test"} <= ids, ids
print("ok: action.yml, pr-diff.yml, falcorc.gitlab-ci.yml, .pre-commit-hooks.yaml")
PY

echo "-- install (falcorc already on PATH: kept)"
ci install

echo "-- lint as in GitHub Actions: annotations + SARIF"
GITHUB_ACTIONS=true FALCORC_RULES=rules/ FALCORC_SARIF="$out/rules.sarif" ci lint | tee "$out/annotations.txt"
echo "-- lint as in GitLab: Code Quality + SARIF"
FALCORC_RULES=rules/ FALCORC_SARIF="$out/gl.sarif" FALCORC_CODE_QUALITY="$out/cq.json" ci lint
echo "-- a broken file: the step fails, the reports are still written"
if FALCORC_RULES=testdata/lint/broken.yaml FALCORC_SARIF="$out/broken.sarif" FALCORC_CODE_QUALITY="$out/broken-cq.json" ci lint > "$out/broken.txt"; then
  echo "lint of a broken file passed" >&2
  exit 1
fi
echo "-- the rule fixtures with a JUnit report"
FALCORC_TESTS=rules/tests FALCORC_JUNIT="$out/test.xml" ci test

echo "-- the rules diff against HEAD (a clean checkout: no rule changed), with the fixtures replayed"
FALCORC_BASE=HEAD FALCORC_RULES=rules/ FALCORC_TESTS=rules/tests \
  FALCORC_DIFF_FAIL_ON=changed,alerts FALCORC_DIFF_MARKDOWN="$out/diff.md" ci diff
grep -q '^### Rules diff: no rule changed' "$out/diff.md"

echo "-- reports are well formed"
python3 - "$out" <<'PY'
import json, sys, xml.etree.ElementTree as ET
out = sys.argv[1]
for f in ["rules.sarif", "gl.sarif", "broken.sarif"]:
    s = json.load(open(f"{out}/{f}"))
    assert s["version"] == "2.1.0", f
broken = json.load(open(f"{out}/broken.sarif"))["runs"][0]["results"]
assert any(r["level"] == "error" for r in broken), "broken.yaml has errors in SARIF"
cq = json.load(open(f"{out}/broken-cq.json"))
assert cq and all({"description", "check_name", "fingerprint", "severity", "location"} <= set(i) for i in cq)
ET.parse(f"{out}/test.xml")
print(f"ok: SARIF x3, Code Quality ({len(cq)} issues for broken.yaml), JUnit")
PY

echo "-- SARIF validated by @microsoft/sarif-multitool"
tool=${SARIF_MULTITOOL:-}
if [ -z "$tool" ]; then
  tooldir=${SARIF_TOOL_DIR:-$HOME/.cache/falcorc-ci/sarif-multitool}
  if [ ! -x "$tooldir/node_modules/.bin/sarif-multitool" ] && command -v npm >/dev/null; then
    mkdir -p "$tooldir"
    (cd "$tooldir" && npm install --silent --no-audit --no-fund @microsoft/sarif-multitool >/dev/null 2>&1) || true
  fi
  # The package's postinstall makes the binary executable; npm may skip install scripts.
  chmod u+x "$tooldir"/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool 2>/dev/null || true
  [ -x "$tooldir/node_modules/.bin/sarif-multitool" ] && tool="$tooldir/node_modules/.bin/sarif-multitool"
fi
if [ -z "$tool" ]; then
  if [ -n "${CI:-}" ]; then
    echo "the SARIF multitool could not be installed" >&2
    exit 1
  fi
  echo "skipped: npm or the SARIF multitool is not available"
else
  extra=()
  if [ -f ../shared/falco-upstream/falco_rules.yaml ]; then
    "$bin" lint ../shared/falco-upstream/falco_rules.yaml --select all --format sarif -o "$out/upstream.sarif" 2>/dev/null || true
    extra=("$out/upstream.sarif")
  fi
  for f in "$out/rules.sarif" "$out/broken.sarif" "${extra[@]}"; do
    log="$f.validation"
    "$tool" validate "$f" -o "$log" --log ForceOverwrite >/dev/null
    errors=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; print(sum(1 for x in r if x.get("level")=="error"))' "$log")
    if [ "$errors" != 0 ]; then
      echo "SARIF validation errors in $f:" >&2
      python3 -c 'import json,sys; [print(x["ruleId"], x["message"].get("text","")) for x in json.load(open(sys.argv[1]))["runs"][0]["results"] if x.get("level")=="error"]' "$log" >&2
      exit 1
    fi
    echo "valid: $(basename "$f")"
  done
fi
echo "ok: the CI templates' steps"
