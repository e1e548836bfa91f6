#!/bin/sh
# Builds the probe object into OUTDIR (default: this directory, which refreshes the
# committed object). Needs clang, llvm-strip and bpftool (apt: clang llvm bpftool
# libbpf-dev) and the kernel's BTF for vmlinux.h. build.rs runs it when they are present.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$gen/vmlinux.h"
cd "$here"
# Source paths mapped to "." and no DWARF keep the object byte-identical between builds,
# wherever the checkout is.
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -fdebug-prefix-map="$here"=. -I"$gen" -I. -c falcorc.bpf.c -o "$gen/probe.o"
llvm-strip -g "$gen/probe.o" -o "$out/falcorc.bpf.o"
# The object's type information comes from this kernel's BTF: remember which, so that a
# rebuild on another kernel is not mistaken for a stale object.
sha256sum /sys/kernel/btf/vmlinux | cut -d' ' -f1 > "$out/kernel-btf.sha256"
