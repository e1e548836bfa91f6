#!/bin/bash
# Connections "to another host", run by tests/live_rules.rs against `falcorc run -r @default
# -r loopback_is_remote.yaml`: that tuning leaves only 127.0.0.1 local, so 127.0.0.2 (still
# loopback: nothing leaves the machine) stands for a remote address. Each action is tagged
# with the rule it must trip; the listeners are gone when the script ends.
set -u
W=${FALCORC_LIVE_DIR:?}
mkdir -p "$W"; cd "$W"
/usr/bin/python3 - <<'PY' &
import socket, threading
def serve(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.2", port)); s.listen(8)
    while True:
        c, _ = s.accept(); c.close()
for p in (18766, 18767):
    threading.Thread(target=serve, args=(p,), daemon=True).start()
threading.Event().wait(30)
PY
SRV=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.2/18767) 2>/dev/null && break; sleep 0.1; done
bash -c 'exec 3<>/dev/tcp/127.0.0.2/18766; true' 2>/dev/null              # Shell connected to a remote address
/usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.2', 18766)).close()"  # Interpreter one-liner connected to a remote address
ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=3 -p 18767 falcorc@127.0.0.2 true 2>/dev/null  # SSH client connected to a non-standard port
kill $SRV
true
