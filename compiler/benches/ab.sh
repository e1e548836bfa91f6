#!/bin/sh
# Whole-process timing of one or more falcorc binaries, alternated run by run so that a
# machine whose speed drifts (a VM's phases) affects each the same way.
#   compiler/benches/ab.sh ROUNDS BIN... -- ARGS...
# e.g. compiler/benches/ab.sh 100 /tmp/falcorc-old target/release/falcorc -- \
#        lint --select all ../shared/falco-upstream/falco_rules.yaml --color never
# Prints, per binary, the median, first quartile and minimum task-clock (perf stat).
set -eu
rounds=$1
shift
bins=""
while [ "$1" != "--" ]; do
    bins="$bins $1"
    shift
done
shift
command -v perf >/dev/null || { echo "ab.sh: needs perf (linux-perf)" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
    for b in $bins; do
        t=$(perf stat -x, -e task-clock "$b" "$@" 2>&1 >/dev/null | grep task-clock | cut -d, -f1)
        echo "$b $t" >>"$out"
    done
    i=$((i + 1))
done
for b in $bins; do
    grep "^$b " "$out" | awk '{print $2}' | sort -n | awk -v b="$b" '{a[NR]=$1}
        END {printf "%s: median %.2f ms, p25 %.2f, min %.2f (%d runs)\n", b, a[int(NR/2)+1], a[int(NR/4)+1], a[1], NR}'
done
