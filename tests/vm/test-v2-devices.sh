#!/bin/bash
# Device rules on a pure cgroup v2 host (tests/vm/run.sh), where systemd enforces DevicePolicy and
# DeviceAllow with a BPF program on the unit's cgroup (there is no devices.list): what the rules do
# not allow fails with EPERM in the container, mknod and open alike; what they allow works; update
# and daemon-reload keep both.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
# CAP_MKNOD, so that only the device rules stand between the container and a node: 1:7 (full) may
# be made, read and written; 10:200 (tun) may be made only; 10:229 (fuse) not at all.
bundle_edit "$B" '.process.capabilities |= map_values(. + ["CAP_MKNOD"])
        | .linux.resources.devices = [{allow: false, access: "rwm"},
                                      {allow: true, type: "c", major: 1, minor: 7, access: "rwm"},
                                      {allow: true, type: "c", major: 10, minor: 200, access: "m"}]'
id=$(t_id)
unit=runscope-$id.scope
rs run -d -b "$B" "$id"
t_is "$?" 0 "a container with a deny-all rule and two allowed devices starts"
t_is "$(systemctl show -P DevicePolicy "$unit")" strict "DevicePolicy=strict"
allow=$(systemctl show -P DeviceAllow "$unit")
t_ok "... DeviceAllow has both rules" bash -c 'grep -qx "/dev/char/1:7 rwm" <<<"$1" && grep -qx "/dev/char/10:200 m" <<<"$1"' - "$allow"
t_ok "the unit's cgroup has no devices.list (cgroup v2: the rules are a BPF program)" \
        test ! -e "/sys/fs/cgroup$(systemctl show -P ControlGroup "$unit")/devices.list"
# probe ID: what the container can do with each of the three devices, one line each.
probe() {
        rs exec "$1" /bin/sh -c '
                /bin/busybox mknod /dev/t-fuse c 10 229 2>&1
                /bin/busybox mknod /dev/t-tun c 10 200 && head -c 1 /dev/t-tun 2>&1
                /bin/busybox mknod /dev/t-full c 1 7 && echo "full=$(head -c 4 /dev/t-full | wc -c)" &&
                        (: >/dev/t-full) && echo "full=opened for writing"
                rm -f /dev/t-*
                echo "zero=$(head -c 2 /dev/zero | wc -c)"; echo x >/dev/null && echo null=ok' 2>&1 | sed 's/^.*: \([^:]*\)$/\1/'
}
expected="Operation not permitted
Operation not permitted
full=4
full=opened for writing
zero=2
null=ok"
t_is "$(probe "$id")" "$expected" \
        "a node the rules deny cannot be made, one allowed for mknod only cannot be opened (EPERM); an allowed one and the standard devices work"

rs update --memory 100M "$id"
t_is "$(probe "$id")" "$expected" "after update the rules are the same"
systemctl daemon-reload
t_is "$(probe "$id")" "$expected" "... and after daemon-reload"
rs delete -f "$id"
t_ok "delete leaves nothing" nothing_left "$id" "$unit"
t_done
