#!/bin/sh
# Overhead of `falcorc run` on syscall-heavy loops (as root; quieter machines give steadier
# numbers). usage: runtime-ebpf/bench/overhead.sh [RULES.yaml]  (default: Falco's stable rules)
# FALCORC names the binary (default: target/release/falcorc of this checkout).
# For each loop: ns per iteration without and with falcorc; the probe's own kernel time per
# invocation (kernel.bpf_stats_enabled, in a second run: see measure); falcorc's CPU time per
# event, peak RSS and final statistics (events/s, drops); then, in a run with --probe-timing,
# the probe's time by syscall. RUNS=N repeats the four loops N times (interleaved, so a drift
# of the machine's speed touches each run alike) and ends with the median of each figure.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
rules=${1:-$repo/../shared/falco-upstream/falco_rules.yaml}
bin=${FALCORC:-$repo/target/release/falcorc}
for tool in bpftool cc; do
  command -v "$tool" >/dev/null || { echo "overhead.sh: $tool is missing (apt: bpftool gcc)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "overhead.sh: run as root (it loads the probe and sets kernel.bpf_stats_enabled)" >&2; exit 2; }
tmp=$(mktemp -d)
old_stats=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'rm -rf "$tmp"; echo "$old_stats" > /proc/sys/kernel/bpf_stats_enabled' EXIT
echo 1 > /proc/sys/kernel/bpf_stats_enabled
cc -O2 -o "$tmp/loop" "$repo/runtime-ebpf/bench/loop.c"

# run_time_ns and run_cnt of the probe's sys_exit program
prog_stats() {
  bpftool prog show | awk '/name falcorc_sys_exi/ {for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i+1); if ($i == "run_cnt") c = $(i+1) } } END { printf "%d %d\n", t, c }'
}

# CPU time of every thread of process $1 in ns (schedstat: exact, where /proc/PID/stat counts
# 10 ms ticks)
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%d\n", t }'
}

# Starts `falcorc run` in the background (pid in $pid) and waits until it is live.
start() {
  "$bin" run -r "$rules" "$@" >"$tmp/alerts" 2>"$tmp/err" &
  pid=$!
  until grep -q "falcorc: live" "$tmp/err" 2>/dev/null; do sleep 0.1; done
}

# Two runs per loop. The first, with kernel.bpf_stats_enabled off as in production, gives the
# wall time, falcorc's CPU and memory: the stats add two clock reads to every run of every
# program (about 0.1 us per openat+close pair here), which would count as overhead. The second,
# with the stats on, gives the probe's own time per invocation.
measure() { # name, loop args...
  name=$1; shift
  base=$("$tmp/loop" "$@")
  echo 0 > /proc/sys/kernel/bpf_stats_enabled
  start
  cpu0=$(cpu_ns "$pid")
  with=$("$tmp/loop" "$@")
  sleep 1
  cpu1=$(cpu_ns "$pid")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status"); cur=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  # PSS counts the ring buffer's pages once (RSS counts them twice: the data is mapped twice
  # so that a record can wrap) and shared pages in part.
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
  kill -TERM "$pid"; wait "$pid" || true
  final=$(grep "falcorc final" "$tmp/err")
  events=$(echo "$final" | sed -n 's/.*(\([0-9]*\) events in.*/\1/p')
  echo 1 > /proc/sys/kernel/bpf_stats_enabled
  start
  set -- $(prog_stats) "$@"; t0=$1; c0=$2; shift 2
  "$tmp/loop" "$@" >/dev/null
  sleep 1
  set -- $(prog_stats); t1=$1; c1=$2
  kill -TERM "$pid"; wait "$pid" || true
  added=$((with - base)); probe=$(( (t1 - t0) / ((c1 - c0) + 1) )); cpu=$(( (cpu1 - cpu0) / (events + 1) ))
  echo "$name: ${base} ns -> ${with} ns per iteration (+${added} ns)"
  echo "  probe: ${probe} ns per sys_exit invocation ($((c1 - c0)) invocations, a run of its own)"
  echo "  falcorc: ${cpu} ns CPU per event, RSS ${cur} kB (peak ${rss} kB), PSS ${pss} kB"
  echo "  $final"
  echo "$name|$added|$probe|$cpu|$rss" >> "$tmp/runs"
}

# The median of the numbers on standard input.
median() {
  sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

runs=${RUNS:-1}
i=0
while [ "$i" -lt "$runs" ]; do
  i=$((i + 1))
  [ "$runs" -gt 1 ] && echo "== run $i of $runs"
  measure "openat+close x1M" open 1000000
  measure "failed openat x1M (no rule can match them: left in the kernel)" openfail 1000000
  measure "stat x1M (no rule needs stat: filtered in the kernel)" stat 1000000
  measure "fork+exec x10k" exec 10000
done
if [ "$runs" -gt 1 ]; then
  echo "== medians of $runs runs: added ns per iteration, probe ns per exit, falcorc CPU ns per event, peak RSS kB"
  cut -d'|' -f1 "$tmp/runs" | awk '!seen[$0]++' | while read -r name; do
    m() { grep -F "$name|" "$tmp/runs" | cut -d'|' -f"$1" | median; }
    echo "$name: +$(m 2) ns, probe $(m 3) ns, falcorc $(m 4) ns, RSS $(m 5) kB"
  done
fi

# The probe's time by syscall, in a run of its own (its two clock reads per exit are in it).
start --probe-timing
"$tmp/loop" open 1000000 >/dev/null
kill -TERM "$pid"; wait "$pid" || true
echo "probe time by syscall during openat+close x1M (--probe-timing):"
grep "falcorc probe:" "$tmp/err" | sed 's/^falcorc probe: /  /'
