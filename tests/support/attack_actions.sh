#!/bin/bash
# Harmless versions of attack actions, run live against `falcorc run` with the default
# ruleset by tests/live_rules.rs (root). Each action is tagged with the rule it must trip.
# Everything happens below $W (removed at the end) or touches system files without changing
# them (an empty append, a file created and removed at once).
set -u
W=${FALCORC_LIVE_DIR:?}
mkdir -p "$W" /root/.ssh; cd "$W"
cat /etc/shadow > /dev/null                                               # Credential file read by unexpected process
(cd /tmp && cat ../etc/../etc/hostname > /dev/null)                       # Sensitive file opened through a path traversal
echo k > /root/.ssh/id_falcorc_live; cat /root/.ssh/id_falcorc_live > /dev/null; rm -f /root/.ssh/id_falcorc_live  # Private key or cloud credential read
touch /etc/falcorc-live-etc; rm -f /etc/falcorc-live-etc                  # Write below /etc by non-package process
cp /bin/true /usr/local/bin/falcorc-live-bin; rm -f /usr/local/bin/falcorc-live-bin  # Write below a binary directory
true >> /root/.bashrc                                                     # Login script or preload file modified
touch /var/spool/cron/falcorc-live 2>/dev/null || { mkdir -p /var/spool/cron; touch /var/spool/cron/falcorc-live; }; rm -f /var/spool/cron/falcorc-live  # Scheduled task or service written
if [ -e /root/.ssh/authorized_keys ]; then true >> /root/.ssh/authorized_keys; else touch /root/.ssh/authorized_keys; rm -f /root/.ssh/authorized_keys; fi  # SSH authorized keys modified
ln -sf /etc/shadow "$W/s"                                                 # Symlink created over a sensitive file
ln /etc/shadow /root/falcorc-live-h && rm -f /root/falcorc-live-h         # Hard link created over a sensitive file
echo x > /var/log/falcorc-live.log; truncate -s 0 /var/log/falcorc-live.log  # Log file cleared
rm -f /var/log/falcorc-live.log                                           # Log file deleted
mkdir -p "$W/home"; ln -sf /dev/null "$W/home/.bash_history"              # Shell history erased
echo data > "$W/d"; shred -u "$W/d"                                       # Bulk data destruction tool run
rm -rf --no-preserve-root /nonexistent-falcorc-live                       # Recursive deletion of a system or home directory
cp /bin/true "$W/suid"; chmod u+s "$W/suid"                               # Set-user-ID bit set on a file
cp /bin/bash "$W/nginx"; "$W/nginx" -c 'sh -c true; true'                 # Shell spawned by a web server
cp /bin/bash "$W/postgres"; "$W/postgres" -c 'sh -c true; true'           # Shell spawned by a database server
setpriv --reuid=33 --regid=33 --clear-groups /usr/bin/python3 -c "import os; os.system('sh -c true')"  # Shell run by a service account
su -s /bin/bash www-data -c true                                          # Interactive login by a system user
cp /bin/true /tmp/falcorc-live-x; /tmp/falcorc-live-x; rm -f /tmp/falcorc-live-x  # Program executed from a temporary directory
cp /bin/true /dev/shm/falcorc-live-x; /dev/shm/falcorc-live-x; rm -f /dev/shm/falcorc-live-x  # Program executed from shared memory
/usr/bin/python3 -c "import os; fd=os.memfd_create('falcorc'); os.write(fd, open('/bin/true','rb').read()); os.execv('/proc/self/fd/%d' % fd, ['falcorc'])"  # Executable memory file created, Fileless execution from memory
grep -r password "$W/none" 2>/dev/null; find "$W" -name id_rsa            # Search for credentials or private keys
useradd --help > /dev/null                                                # Account created or changed outside package installation
env HISTFILE=/dev/null bash -c true                                       # Shell history disabled
sh -c 'true stratum+tcp://pool.invalid:3333'                              # Cryptocurrency miner started
cat /proc/1/environ > /dev/null 2>&1                                      # Process memory or environment of another process read
bash -c 'true /dev/tcp/127.0.0.1/9'                                       # Reverse shell tool started
/usr/bin/python3 -m http.server 18765 --bind 127.0.0.1 > /dev/null 2>&1 & SRV=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/18765) 2>/dev/null && break; sleep 0.1; done
bash -c 'exec 3<>/dev/tcp/127.0.0.1/18765; exec 0<&3 1>&3; true' 2>/dev/null  # Standard input or output redirected to a network connection
kill $SRV
/usr/bin/python3 - <<'PY'  # Process attached to another with ptrace, Anti-debugging with ptrace
import ctypes, os, subprocess, time
libc = ctypes.CDLL(None, use_errno=True)
p = subprocess.Popen(["sleep", "5"])
libc.ptrace(16, p.pid, 0, 0); time.sleep(0.1); libc.ptrace(17, p.pid, 0, 0); p.kill()
pid = os.fork()
if pid == 0:
    libc.ptrace(0, 0, 0, 0)
    os._exit(0)
os.waitpid(pid, 0)
PY
sh -c 'echo 1000 > /proc/self/loginuid 2>/dev/null; exec /usr/bin/python3 -c "import os; os.setuid(0)"'  # Identity changed to root by an unexpected program
# A socket filter "r0 = 0; exit", freed when python exits.
/usr/bin/python3 - <<'PY'  # BPF program loaded by an unexpected process
import ctypes, struct
libc = ctypes.CDLL(None, use_errno=True)
insns = ctypes.create_string_buffer(struct.pack("<BBhi", 0xb7, 0, 0, 0) + struct.pack("<BBhi", 0x95, 0, 0, 0))
lic = ctypes.create_string_buffer(b"GPL")
attr = ctypes.create_string_buffer(struct.pack("<IIQQIIQI", 1, 2, ctypes.addressof(insns), ctypes.addressof(lic), 0, 0, 0, 0) + bytes(80))
libc.syscall(321, 5, attr, 120)
PY
mkdir -p "$W/cg"; mount -t cgroup2 none "$W/cg" && umount "$W/cg"         # Disk or cgroup mounted by an unexpected program
nsenter -t 1 -m true 2>/dev/null                                          # Namespace tool run
unshare -U true                                                           # Namespace changed by an unexpected program
setpriv --reuid=1000 --regid=1000 --clear-groups --inh-caps=+sys_ptrace --ambient-caps=+sys_ptrace true  # Capabilities raised by a non-root process
true
