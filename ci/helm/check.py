#!/usr/bin/env python3
"""Renders the falcorc Helm chart and checks what it renders, for .ci/run.

Usage: check.py FALCORC_BINARY

For each scenario (the defaults; rules from a ConfigMap; a signed bundle URL):
- the values are checked against the chart's values.schema.json (as `helm install` does);
- every template is rendered with Go's text/template (the `go-template` package from PyPI
  binds Go's own implementation; the chart uses only Go's built-in functions, so Helm renders
  it the same) with Helm's data layout (.Values, .Release, .Chart); when `helm` is on PATH,
  `helm lint` and `helm template` run too;
- every object is validated strictly (unknown fields are errors) against the Kubernetes
  schemas of the oldest and newest versions kubernetes-validate ships that the chart supports;
- what the deployment promises is asserted: not privileged, exactly the capabilities listed
  in docs/DEPLOY.md, host PID, no service account token, probes and metrics annotations, the
  arguments for each rules source;
- falcorc itself loads what the chart hands it: `falcorc run --dry-run` with the rendered
  configuration, on the rules directory laid out as the kubelet mounts a ConfigMap (symlinks
  through `..data`).

Exits non-zero with a message on the first failure.
"""

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import kubernetes_validate
import yaml

CHART = os.path.join(os.path.dirname(os.path.abspath(__file__)), "falcorc")
KUBERNETES_VERSIONS = ["1.28.0", "1.37.0"]
CAPABILITIES = ["BPF", "PERFMON", "SYS_PTRACE", "DAC_READ_SEARCH"]
RELEASE = {"Name": "falcorc", "Namespace": "security", "Service": "Helm", "IsInstall": True, "Revision": 1}

RULES = """- list: fetchers
  items: [curl, wget]
- rule: Fetcher in a shell pipeline
  desc: a download tool started by a shell
  condition: evt.type = execve and proc.name in (fetchers) and proc.pname in (sh, bash)
  output: "fetcher %proc.cmdline under %proc.pname"
  priority: NOTICE
  tags: [test]
"""


def fail(msg):
    print(f"helm chart check: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def merge(base, over):
    """Helm's values merge: maps merge key by key, anything else replaces."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def chart_data():
    with open(os.path.join(CHART, "Chart.yaml")) as f:
        c = yaml.safe_load(f)
    return {"Name": c["name"], "Version": c["version"], "AppVersion": c["appVersion"]}


def render(template, data, workdir):
    """One template through Go's text/template, in a child process: a template error
    aborts the Go runtime, which must not take this script with it."""
    values_file = os.path.join(workdir, "data.yaml")
    out_file = os.path.join(workdir, "out.txt")
    with open(values_file, "w") as f:
        yaml.safe_dump(data, f)
    if os.path.exists(out_file):
        os.remove(out_file)
    code = (
        "import go_template, sys\n"
        "go_template.render_template(sys.argv[1], sys.argv[2], sys.argv[3])\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, template, values_file, out_file],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0 or not os.path.exists(out_file):
        fail(f"{os.path.basename(template)} does not render: {r.stderr.strip()[:2000]}")
    with open(out_file) as f:
        text = f.read()
    if "<no value>" in text:
        fail(f"{os.path.basename(template)} refers to a value that does not exist:\n{text}")
    return text


def render_chart(values, workdir):
    data = {"Values": values, "Release": RELEASE, "Chart": chart_data()}
    objects = []
    tdir = os.path.join(CHART, "templates")
    for name in sorted(os.listdir(tdir)):
        text = render(os.path.join(tdir, name), data, workdir)
        if name.endswith(".txt"):
            continue  # NOTES.txt: shown to the user, not applied
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError as e:
            fail(f"{name} renders YAML that does not parse: {e}\n{text}")
        objects.extend((name, d) for d in docs)
    return objects


def validate_objects(objects):
    for name, obj in objects:
        for v in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(obj, v, strict=True)
            except kubernetes_validate.ValidationError as e:
                fail(f"{name}: {obj.get('kind')} is not valid for Kubernetes {v}: {str(e)[:1500]}")


def by_kind(objects, kind, name=None):
    found = [o for _, o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    if len(found) != 1:
        fail(f"expected one {kind} {name or ''}, rendered {len(found)}")
    return found[0]


def check_daemonset(objects, values):
    ds = by_kind(objects, "DaemonSet")
    pod = ds["spec"]["template"]["spec"]
    if pod.get("hostPID") is not True:
        fail("the pod must run in the host's PID namespace")
    if pod.get("hostNetwork"):
        fail("the pod must not use the host network")
    if pod.get("automountServiceAccountToken") is not False:
        fail("no service account token may be mounted")
    (c,) = pod["containers"]
    sc = c["securityContext"]
    if sc.get("privileged") is not False or sc.get("allowPrivilegeEscalation") is not False:
        fail(f"the container must not be privileged: {sc}")
    if sc.get("readOnlyRootFilesystem") is not True:
        fail("the root file system must be read-only")
    want = CAPABILITIES + (["SYS_RESOURCE"] if values.get("oldKernelMemlock") else [])
    if sc["capabilities"] != {"drop": ["ALL"], "add": want}:
        fail(f"capabilities: {sc['capabilities']}, expected drop ALL, add {want}")
    ann = ds["spec"]["template"]["metadata"].get("annotations") or {}
    if ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/port") != str(values["port"]):
        fail(f"metrics annotations: {ann}")
    for probe in ("livenessProbe", "readinessProbe"):
        if c[probe]["httpGet"]["path"] != "/healthz":
            fail(f"{probe} must ask /healthz")
    env = {e["name"]: e for e in c["env"]}
    if env["FALCO_HOSTNAME"]["valueFrom"]["fieldRef"]["fieldPath"] != "spec.nodeName":
        fail("alerts must name the node")
    return c["args"], pod


def check_configmaps(objects, values):
    cm = by_kind(objects, "ConfigMap", "falcorc-config")
    if cm["data"]["falco.yaml"] != values["config"]:
        fail("the configuration does not reach the ConfigMap unchanged")
    files = values["rules"]["files"]
    if files:
        rules = by_kind(objects, "ConfigMap", "falcorc-rules")
        if rules["data"] != files:
            fail("the rules files do not reach the ConfigMap unchanged")
    return cm["data"]["falco.yaml"]


def kubelet_layout(root, files):
    """A ConfigMap volume as the kubelet writes it: the files in a timestamped directory,
    `..data` pointing at it, and each name a symlink through `..data`."""
    os.makedirs(root)
    stamp = os.path.join(root, "..2026_12_06_00_00_00.000000001")
    os.makedirs(stamp)
    for name, text in files.items():
        with open(os.path.join(stamp, name), "w") as f:
            f.write(text)
    os.symlink(os.path.basename(stamp), os.path.join(root, "..data"))
    for name in files:
        os.symlink(os.path.join("..data", name), os.path.join(root, name))


def dry_run(falcorc, args, what):
    r = subprocess.run([falcorc, "run", "--dry-run", *args], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"falcorc does not load {what}: {r.stderr.strip()}")
    return r.stderr


def helm_too(values, workdir):
    if shutil.which("helm") is None:
        return
    vf = os.path.join(workdir, "values.json")
    with open(vf, "w") as f:
        json.dump(values, f)
    for cmd in (["helm", "lint", CHART, "-f", vf], ["helm", "template", "falcorc", CHART, "-f", vf]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"{' '.join(cmd)}: {r.stderr.strip()}")


def main():
    if len(sys.argv) != 2:
        fail("usage: check.py FALCORC_BINARY")
    falcorc = os.path.abspath(sys.argv[1])
    with open(os.path.join(CHART, "values.yaml")) as f:
        defaults = yaml.safe_load(f)
    with open(os.path.join(CHART, "values.schema.json")) as f:
        schema = json.load(f)
    work = tempfile.mkdtemp(prefix="falcorc-helm-")
    try:
        key = os.path.join(work, "bundle.pem")
        subprocess.run([falcorc, "build", "--generate-key", key], check=True, capture_output=True)
        with open(key + ".pub") as f:
            public_key = f.read()
        scenarios = [
            ("the defaults", {}),
            (
                "rules from a ConfigMap",
                {
                    "rules": {"files": {"a_lists.yaml": RULES.split("- rule:")[0], "b_rules.yaml": "- rule:" + RULES.split("- rule:")[1]}},
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "security", "effect": "NoExecute", "tolerationSeconds": 300}],
                    "priorityClassName": "system-node-critical",
                    "podAnnotations": {"team": "detection"},
                },
            ),
            (
                "a signed bundle URL",
                {
                    "bundle": {"url": "https://rules.example/ruleset.bundle", "poll": 30, "publicKey": public_key},
                    "oldKernelMemlock": True,
                },
            ),
        ]
        for title, over in scenarios:
            values = merge(defaults, over)
            try:
                jsonschema.validate(values, schema)
            except jsonschema.ValidationError as e:
                fail(f"{title}: the values do not match values.schema.json: {e.message}")
            objects = render_chart(values, work)
            validate_objects(objects)
            args, pod = check_daemonset(objects, values)
            config = check_configmaps(objects, values)
            by_kind(objects, "ServiceAccount")
            files = values["rules"]["files"]
            # What falcorc is started with, and falcorc loading it.
            config_file = os.path.join(work, f"falco-{len(title)}.yaml")
            with open(config_file, "w") as f:
                f.write(config)
            if values["bundle"]["url"]:
                want = ["--bundle", values["bundle"]["url"], "--bundle-poll", str(values["bundle"]["poll"]),
                        "--bundle-cache", values["bundle"]["cacheDir"] + "/last-good.bundle",
                        "--bundle-key", "/etc/falcorc/keys/bundle.pub"]
                if args[3:] != want:
                    fail(f"{title}: args {args}")
                dry_run(falcorc, ["-c", config_file], f"{title}: the configuration")
            elif files:
                if args[3:] != ["-r", "/etc/falcorc/rules.d"]:
                    fail(f"{title}: args {args}")
                mounted = os.path.join(work, "rules.d")
                kubelet_layout(mounted, files)
                said = dry_run(falcorc, ["-c", config_file, "-r", mounted], f"{title}: the mounted rules")
                if "1 rules" not in said:
                    fail(f"{title}: the mounted rules were not loaded once each: {said}")
            else:
                if args != ["run", "-c", "/etc/falcorc/config/falco.yaml"]:
                    fail(f"{title}: args {args}")
                dry_run(falcorc, ["-c", config_file], f"{title}: the configuration")
            helm_too(values, work)
            kinds = ", ".join(sorted(o["kind"] for _, o in objects))
            print(f"helm chart, {title}: {kinds} valid for Kubernetes {' and '.join(KUBERNETES_VERSIONS)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
