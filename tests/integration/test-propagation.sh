#!/bin/bash
# Mount propagation of volumes, as runc does it (Kubernetes' HostToContainer and Bidirectional): the
# container's mounts start as slaves of the host's, so an rslave or slave bind receives what the host
# mounts below its source later; an rshared bind in a container whose rootfsPropagation is rshared
# (as containerd sets it) propagates both ways; nothing else the container mounts reaches the host.
. "$(dirname "$0")/../lib/common.sh"

# The host side must be shared for anything to propagate (containerd checks it for these volumes).
H=$T_WORK/host
mkdir -p "$H"/{slave,rslave,rshared,private}/{sub,inner}
mount --bind "$H" "$H" && mount --make-rshared "$H"
B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
bundle_edit "$B" --arg h "$H" '.process.capabilities |= map_values(. + ["CAP_SYS_ADMIN"])
        | .mounts += [{destination: "/rslave", type: "bind", source: ($h + "/rslave"), options: ["rbind", "rslave"]},
                      {destination: "/slave", type: "bind", source: ($h + "/slave"), options: ["bind", "slave"]},
                      {destination: "/private", type: "bind", source: ($h + "/private"), options: ["rbind", "rprivate"]}]'
cp "$B/config.json" "$T_WORK/base.json"
host_mounts() { grep -c " $H/" /proc/self/mountinfo; } # below $H, not $H
umount_all() { grep -o " $H/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null; }
trap 'umount_all; umount -l "$H"; t_cleanup' EXIT

id=$(t_id)
rs run -d -b "$B" "$id"
for d in rslave slave private; do
        mount -t tmpfs -o size=1m "host-$d" "$H/$d/sub" && echo "from the host" >"$H/$d/sub/f"
done
t_is "$(rs exec "$id" cat /rslave/sub/f 2>&1)" "from the host" "rslave: a mount the host makes below the source after start is seen inside"
t_is "$(rs exec "$id" cat /slave/sub/f 2>&1)" "from the host" "slave: ... too"
t_is "$(rs exec "$id" cat /private/sub/f 2>&1)" "cat: can't open '/private/sub/f': No such file or directory" \
        "rprivate: ... is not"
before=$(host_mounts)
for d in rslave slave private; do
        rs exec "$id" mount -t tmpfs "in-$d" "/$d/inner" || echo "# mount on /$d/inner failed"
done
rs exec "$id" mount -t tmpfs in-root /tmp || echo "# mount on /tmp failed"
t_ok "... and nothing the container mounts reaches the host" test "$(host_mounts)" = "$before"
t_is "$(rs exec "$id" cat /proc/self/mountinfo | grep -c ' - tmpfs in-')" 4 "... though it mounted it inside"
rs delete -f "$id"
umount_all

# Bidirectional: rshared volume, rshared root.
bundle_edit "$B" --arg h "$H" '.linux.rootfsPropagation = "rshared"
        | .mounts += [{destination: "/rshared", type: "bind", source: ($h + "/rshared"), options: ["rbind", "rshared"]}]'
id=$(t_id)
rs run -d -b "$B" "$id"
mount -t tmpfs -o size=1m host-rshared "$H/rshared/sub" && echo "from the host" >"$H/rshared/sub/f"
t_is "$(rs exec "$id" cat /rshared/sub/f 2>&1)" "from the host" "rshared: a mount the host makes is seen inside"
rs exec "$id" sh -c 'mount -t tmpfs in-rshared /rshared/inner && echo "from the container" >/rshared/inner/f'
t_is "$(cat "$H/rshared/inner/f" 2>&1)" "from the container" "... and one the container makes is seen on the host"
rs exec "$id" mount -t tmpfs in-private /private/inner
t_ok "... but not below a private volume" not_contains "$(cat /proc/self/mountinfo)" "in-private"
t_is "$(rs exec "$id" cat /rslave/sub/f /rshared/inner/f 2>&1)" "cat: can't open '/rslave/sub/f': No such file or directory
from the container" "... and the container still runs in its own root"
rs delete -f "$id"
umount_all
t_is "$(host_mounts)" 0 "every mount the test made below the volumes is gone"
t_done
