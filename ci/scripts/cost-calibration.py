#!/usr/bin/env python3
"""Measure what the static cost model of compiler/src/cost.rs assumes: one rule per field
(`FIELD = value`, never true) and per operator (over a field an earlier rule already read, so
only the operator is paid), profiled on a capture. The first rule to read a field in an event
pays its extraction; the `OP` rows show the operator alone.

    cargo build --release -p falcorc
    cargo run --release -p falcorc-runtime --example synth -- /tmp/w.scap 500000 plain
    ci/scripts/cost-calibration.py target/release/falcorc /tmp/w.scap
"""
import json
import subprocess
import sys
import tempfile

EXEC = ["proc.name", "proc.exe", "proc.exepath", "proc.cmdline", "proc.args", "proc.pname", "proc.pexe",
        "proc.pcmdline", "proc.aname[2]", "proc.aname[4]", "proc.aname", "proc.tty", "proc.duration", "proc.cwd",
        "user.name", "user.uid", "user.loginuid", "group.name", "container.id", "container.image.repository",
        "container.privileged", "proc.is_exe_upper_layer", "k8s.ns.name", "thread.cap_effective", "proc.env",
        "proc.sname", "proc.vpgid.name"]
OPEN = ["fd.name", "fd.directory", "fd.filename", "fd.typechar", "evt.arg.flags", "evt.rawres", "evt.res",
        "fd.nameraw", "evt.is_open_read", "proc.name"]
CONNECT = ["fd.sip", "fd.sport", "fd.sip.name", "fd.l4proto", "fd.net", "fd.snet", "fd.connected"]
BOOLS = {"proc.is_exe_upper_layer", "container.privileged", "evt.is_open_read", "fd.connected"}
NUMS = {"proc.tty", "proc.duration", "user.uid", "user.loginuid", "evt.rawres", "fd.sport"}


def value(f):
    if f in BOOLS:
        return "true"
    if f in NUMS:
        return "123456"
    return {"fd.sip": "10.99.99.99", "fd.typechar": "z", "fd.l4proto": "icmp"}.get(f, "zzqq")


def main():
    falcorc, capture = sys.argv[1], sys.argv[2]
    rules = []

    def rule(name, cond):
        rules.append(f"- rule: {name}\n  desc: calibration\n  condition: {cond}\n  output: o\n  priority: INFO\n")

    for f in EXEC:
        rule(f"FIELD execve {f}", f"evt.type = execve and {f} = {value(f)}")
    for f in OPEN:
        rule(f"FIELD openat {f}", f"evt.type = openat and {f} = {value(f)}")
    for f in CONNECT:
        cond = f"{f} in (10.99.0.0/16)" if f in ("fd.net", "fd.snet") else f"{f} = {value(f)}"
        rule(f"FIELD connect {f}", f"evt.type = connect and {cond}")
    items = lambda n, p="": ",".join(f"{p}zq{i}" for i in range(n))
    ops = {"contains": "contains zzqq", "icontains": "icontains zzqq", "startswith": "startswith zzqq",
           "endswith": "endswith zzqq", "glob": "glob '*zzqq*'", "regex": "regex 'z+q{2}'",
           "in 10": f"in ({items(10)})", "in 100": f"in ({items(100)})", "exists": "exists",
           "startswith oneof 10": f"startswith oneof ({items(10, '/')})",
           "contains anyof 10": f"contains anyof ({items(10)})",
           "pmatch 10": f"pmatch ({items(10, '/')})", "pmatch 100": f"pmatch ({items(100, '/')})"}
    for k, v in ops.items():
        rule(f"OP fd.name {k}", f"evt.type = openat and fd.name {v}")
    rule("TRANSFORM basename", "evt.type = openat and basename(fd.name) = zzqq")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        f.write("\n".join(rules))
        f.flush()
        out = subprocess.run([falcorc, "profile", "-r", f.name, capture, "--format", "json",
                              "--rule-matching", "all"], check=True, capture_output=True, text=True).stdout
    for r in sorted(json.loads(out)["rules"], key=lambda r: r["rule"]):
        print(f"{r['rule']:<40} {r['ns_per_eval']:>8.1f} ns/eval  ({r['evaluations']} evaluations)")


if __name__ == "__main__":
    main()
