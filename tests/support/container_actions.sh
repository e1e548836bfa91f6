#!/bin/bash
# Container actions, run by tests/live_rules.rs as the first process of a "container": a
# process moved into a cgroup named as Docker names its containers' (the way falcorc, like
# Falco, tells a container's processes). The pause lets falcorc read this process's cgroup
# from /proc before its children, which inherit it, come and go.
set -u
W=${FALCORC_LIVE_DIR:?}/c
sleep 1
mkdir -p "$W"; cd "$W"
touch "$W/release_agent"                                                  # Container escape through release_agent
mkdir -p "$W/cg"; mount -t cgroup2 none "$W/cg" && umount "$W/cg"         # Host filesystem mounted in a container
/usr/bin/python3 -c "
import socket
srv = socket.socket(socket.AF_UNIX); srv.bind('$W/docker.sock'); srv.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect('$W/docker.sock')
"                                                                         # Container runtime socket used in a container
apt-get --version > /dev/null                                             # Package manager run in a container
cp /bin/true "$W/nmap"; "$W/nmap"                                         # Network tool run in a container
script -qc true /dev/null                                                 # Interactive shell in a container
# The container's root as a runtime builds it: the image as overlayfs' lower layer, its own
# changes in the upper one. A program of the image runs quietly; one copied in afterwards
# lives in the upper layer.
mkdir -p "$W/ovl/image" "$W/ovl/upper" "$W/ovl/work" "$W/ovl/root"; cp /bin/true "$W/ovl/image/imagetool"
mount -t overlay overlay -o lowerdir="$W/ovl/image",upperdir="$W/ovl/upper",workdir="$W/ovl/work" "$W/ovl/root"
"$W/ovl/root/imagetool"
cp /bin/true "$W/ovl/root/dropped"; "$W/ovl/root/dropped"; umount "$W/ovl/root"  # Program added to a container executed
/usr/bin/python3 -c "import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)"  # Packet socket created in a container
true
