#!/bin/bash
# linux.devices: every node the spec lists is made in the container and usable there, whatever
# linux.resources.devices allows (runc and crun add an rwm rule for each), at any path in the rootfs,
# and, in a user namespace, bound from a node of the same device even where the host has none at
# that path.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/true
hybrid=false
[ -d /sys/fs/cgroup/unified ] && [ -f /sys/fs/cgroup/devices/cgroup.procs ] && hybrid=true

# The default resources deny every device but the standard ones: tun (10:200) is none of them.
bundle_edit "$B" '.linux.devices = [{path: "/dev/test1", type: "c", major: 10, minor: 200, fileMode: 438},
                                    {path: "/dev/test2", type: "c", major: 1, minor: 7}]
        | .process.args = ["/bin/sh", "-c", "stat -c \"%F %t:%T\" /dev/test1; exec 3<>/dev/test1 && echo opened;
                                              head -c 4 /dev/test2 | wc -c"]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_match "$out" "^character special file a:c8
opened
4\$" "the node is made and the container opens it (and 1:7 at another path reads)"

# What lands in the unit and in the kernel.
bundle_edit "$B" '.process.args = ["/bin/sleep", "30"]'
id=$(t_id)
rs run -d -b "$B" "$id" 2>&1
t_is "$?" 0 "a container with linux.devices the resources do not allow starts detached"
t_match "$(systemctl show -P DeviceAllow "runscope-$id.scope")" "/dev/char/10:200 rwm" \
        "each linux.devices entry -> DeviceAllow rwm"
if $hybrid; then
        cg=$(systemctl show -P ControlGroup "runscope-$id.scope")
        t_match "$(cat "/sys/fs/cgroup/devices$cg/devices.list")" "c 10:200 rwm" "... which the device cgroup holds"
fi
rs delete --force "$id" >/dev/null 2>&1

t_done
