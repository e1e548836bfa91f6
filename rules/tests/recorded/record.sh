#!/bin/bash
# Records the captures of the recorded fixtures again (root; the probe is loaded):
#   attacks.scap.gz    tests/support/attack_actions.sh
#   container.scap.gz  tests/support/container_actions.sh, from a cgroup named like a Docker
#                      container's (the id the fixture expects)
#   remote.scap.gz     tests/support/remote_actions.sh (connections to 127.0.0.2, which the
#                      fixture's tuning file counts as another host)
#   modules.scap.gz    tests/support/module_attempts.sh on the host, then in the container's
#                      cgroup (refused module loads)
#   modules_loaded.scap.gz  module loads that succeed, inside a Linux 6.1 VM
#                      (runtime-ebpf/vm/module_load.sh: the host and a container's cgroup)
# Usage: record.sh [attacks|container|remote|modules|loaded]... (default: all). FALCORC names the binary
# (default: target/release/falcorc of this checkout).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
falcorc=${FALCORC:-$top/target/release/falcorc}
support=$top/tests/support
id=5ea733068030b91a7b3c1b0e7d4bd2c1e3a5f6d7e8f9a0b1c2d3e4f5a6b7c8d9
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FALCORC_LIVE_DIR=$work

container_cgroup() {
	for root in /sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup; do
		cg=$root/docker/$id
		if mkdir -p "$cg" 2>/dev/null && sh -c "echo \$\$ > $cg/cgroup.procs" 2>/dev/null; then
			echo "$cg"
			return
		fi
		rmdir "$cg" 2>/dev/null || true
	done
	echo "no cgroup hierarchy where a process can be moved into docker/<id>" >&2
	exit 1
}

for what in "${@:-attacks container remote modules loaded}"; do
	for w in $what; do
		case $w in
		attacks) "$falcorc" record -o "$here/attacks.scap.gz" -- bash "$support/attack_actions.sh" ;;
		container)
			cg=$(container_cgroup)
			"$falcorc" record -o "$here/container.scap.gz" -- \
				bash -c "echo \$\$ > $cg/cgroup.procs && exec bash $support/container_actions.sh"
			rmdir "$cg" 2>/dev/null || true
			;;
		remote) "$falcorc" record -o "$here/remote.scap.gz" -- bash "$support/remote_actions.sh" ;;
		modules)
			cg=$(container_cgroup)
			# One shell runs the host attempts, then joins the container's cgroup: the host
			# attempts must stay the host's (the probe reads cgroups at the event; /proc, read
			# later, would show the shell's new cgroup).
			"$falcorc" record -o "$here/modules.scap.gz" -- bash -c \
				"bash $support/module_attempts.sh && echo \$\$ > $cg/cgroup.procs && exec bash $support/module_attempts.sh"
			rmdir "$cg" 2>/dev/null || true
			;;
		loaded)
			sh "$top/runtime-ebpf/vm/module_load.sh" "$falcorc"
			cp "$top/target/vm/out/modules_loaded.scap.gz" "$here/"
			;;
		*) echo "unknown recording: $w" >&2; exit 2 ;;
		esac
	done
done
