#!/bin/sh
# Proves the kernel-module rules on a load that succeeds, which the CI host cannot do (its
# kernel has no module support) and no host should do for real: boots Debian's Linux 6.1 in
# QEMU (TCG, no KVM needed) with this machine's root shared read-only over 9p, runs
# `falcorc run` on the default ruleset there and loads the kernel's own `dummy` module with
# busybox insmod, recording the loads at the same time (out/modules_loaded.scap.gz, replayed
# after the VM stops). Also the check that the probe loads on an older LTS kernel.
#
# usage (root): runtime-ebpf/vm/module_load.sh [FALCORC]   (default target/release/falcorc)
# Needs: qemu-system-x86_64 (apt: qemu-system-x86) and apt-get download access for
# linux-image-amd64 and busybox-static. Prints the alerts; exits 0 when, live and on replay of
# the recording, with Falco's default rule matching (first), "Kernel module loaded" fired on the
# load from the host and "Kernel module loaded from a container" on the load from a shell in a
# cgroup named like a Docker container's.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$repo/target/release/falcorc}")
# Not under /tmp: the VM mounts its own tmpfs there.
work=$repo/target/vm
rm -rf "$work" && mkdir -p "$work/initrd/bin" "$work/initrd/mods" && cd "$work"
for d in proc sys dev host; do mkdir -p "initrd/$d"; done
kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
apt-get download "$kpkg" busybox-static >/dev/null
dpkg-deb -x "$kpkg"_*.deb kernel
dpkg-deb -x busybox-static_*.deb bb
kver=${kpkg#linux-image-}
mods=kernel/lib/modules/$kver/kernel
cp bb/bin/busybox initrd/bin/
# The 9p root and its dependencies, in load order.
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
         drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci net/9p/9pnet net/9p/9pnet_virtio \
         fs/netfs/netfs fs/fscache/fscache fs/9p/9p; do
  cp "$mods/$m.ko" initrd/mods/
done
cat > initrd/init <<'EOF'
#!/bin/busybox sh
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p; do
  insmod /mods/$m.ko || echo "insmod $m failed"
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro host /host
for d in proc sys dev; do mount --bind /$d /host/$d; done
mount -t tmpfs tmp /host/tmp; mount -t tmpfs run /host/run
mount -t tracefs tracefs /host/sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /host/sys/fs/cgroup 2>/dev/null
script=$(sed -n 's/.*falcorc_vm_script=\([^ ]*\).*/\1/p' /proc/cmdline)
chroot /host /bin/sh "$script"
echo o > /proc/sysrq-trigger
EOF
chmod +x initrd/init
(cd initrd && find . | ../bb/bin/busybox cpio -o -H newc 2>/dev/null | gzip > ../initrd.img)
cat > guest.sh <<EOF
cd /tmp
# The recording leaves the VM through a second, writable 9p share.
mount -t 9p -o trans=virtio,version=9p2000.L out $work/out
"$bin" run --format json --duration 60 > /tmp/alerts 2> /tmp/err &
i=0; while ! grep -q "falcorc: live" /tmp/err && [ \$i -lt 300 ]; do sleep 0.2; i=\$((i+1)); done
head -3 /tmp/err
bb=$work/bb/bin/busybox
ko=$work/$mods/drivers/net/dummy.ko
cg=/sys/fs/cgroup/docker/c0ffee0000000000000000000000000000000000000000000000000000c0ffee
mkdir -p \$cg
# Loaded from the host, unloaded, then loaded again from a shell in a cgroup named like a
# Docker container's; recorded at the same time as detected.
"$bin" record -o $work/out/modules_loaded.scap.gz -- sh -c "\$bb insmod \$ko && echo 'falcorc-vm: module loaded' && \$bb rmmod dummy && echo \\\$\\\$ > \$cg/cgroup.procs && \$bb insmod \$ko && echo 'falcorc-vm: module loaded in a container'" 2>&1 | grep -v '^falcorc: '
sleep 2
kill -TERM \$! 2>/dev/null; sleep 2
echo "falcorc-vm: alerts"
cat /tmp/alerts
EOF
mkdir -p out
timeout 600 qemu-system-x86_64 -m 2048 -smp 2 -nographic -no-reboot \
  -kernel "kernel/boot/vmlinuz-$kver" -initrd initrd.img \
  -append "console=ttyS0 loglevel=3 panic=-1 falcorc_vm_script=$work/guest.sh" \
  -fsdev "local,id=h,path=/,security_model=none,readonly=on,multidevs=remap" \
  -device virtio-9p-pci,fsdev=h,mount_tag=host \
  -fsdev "local,id=o,path=$work/out,security_model=none" \
  -device virtio-9p-pci,fsdev=o,mount_tag=out > console.log 2>&1 || true
sed -n '/falcorc: /p; /falcorc-vm: /,$p' console.log | grep -v '^\[' | head -40
# One alert per load: the host's, then the container's (with its id).
check() {
  [ "$(grep -c '"rule":"Kernel module loaded"' "$1")" = 1 ] &&
  [ "$(grep '"rule":"Kernel module loaded from a container"' "$1" | grep -c '"container.id":"c0ffee000000"')" = 1 ] ||
  { echo "module_load.sh: $2: expected one alert of each kernel-module rule" >&2; exit 1; }
}
check console.log live
# The recording means the same on replay (rules/tests/recorded/record.sh copies it for the
# committed fixture).
"$bin" replay --format json out/modules_loaded.scap.gz > replayed.json
echo "replayed out/modules_loaded.scap.gz:"; cat replayed.json
check replayed.json replay
