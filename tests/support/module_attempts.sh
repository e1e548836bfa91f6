#!/bin/bash
# Kernel module loads that cannot succeed, so nothing is loaded: an empty file (finit_module)
# and an image of zeros (init_module) are refused by any kernel (ENOEXEC; ENOSYS on a kernel
# without module support). Run by tests/live_rules.rs on the host and in a container's cgroup,
# under tests/support/module_attempts_alert.yaml.
set -eu
W=${FALCORC_LIVE_DIR:?}
mkdir -p "$W"
: > "$W/empty.ko"
/usr/bin/python3 - "$W/empty.ko" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDONLY)
finit = libc.syscall(313, fd, b"", 0)
image = ctypes.create_string_buffer(64)
init = libc.syscall(175, image, 64, b"")
if finit == 0 or init == 0:
    sys.exit("a module load succeeded")
PY
