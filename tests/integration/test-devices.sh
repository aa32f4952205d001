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

# Anywhere in the rootfs, not only under /dev (runtime-spec 1.1); its directories are made there,
# and a directory that is a symlink out of the rootfs is followed inside it.
mark=devout-$$-$RANDOM
mkdir "$B/rootfs/tmp/$mark" && ln -s "/tmp/$mark" "$B/rootfs/escape"
bundle_edit "$B" '.linux.devices = [{path: "/foo-dev", type: "c", major: 1, minor: 7},
                                    {path: "/a/b/full", type: "c", major: 1, minor: 7},
                                    {path: "/escape/full", type: "c", major: 1, minor: 7}]
        | .process.args = ["/bin/sh", "-c", "for d in /foo-dev /a/b/full /escape/full /tmp/'"$mark"'/full; do
                                                     stat -c \"%n %F %t:%T\" $d; done"]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_is "$out" "/foo-dev character special file 1:7
/a/b/full character special file 1:7
/escape/full character special file 1:7
/tmp/$mark/full character special file 1:7" "a device outside /dev is made where the spec says, inside the rootfs"
t_ok "... nothing is made on the host through a symlink" test ! -e "/tmp/$mark"
rm -rf "$B/rootfs/escape" "$B/rootfs/tmp/$mark"
for case in '/%does not name a node' '/dev/..%does not name a node'; do
        IFS='%' read -r path msg <<<"$case"
        expect_refused "$B" "a device path $path" "linux.devices\\[0\\]: path $path $msg" \
                "$(jq -nc --arg p "$path" '{path: $p, type: "c", major: 1, minor: 7}' | sed 's/^/.linux.devices = [/; s/$/]/')"
done

# In a user namespace mknod is refused: a host node of the same device is bound in, found wherever
# the host has one, as crun does (/dev/foo is 1:3, the host's /dev/null; the spec's /dev/zero is
# 1:9, the host's /dev/urandom, not the host's /dev/zero).
chmod 755 "$T_WORK"
U=$T_WORK/userns
make_bundle "$U" /bin/sh -c 'for d in /dev/foo /dev/zero /tmp/place; do stat -c "%n %F %t:%T" $d; done
        echo x >/dev/foo && echo written; head -c 3 /tmp/place | wc -c'
bundle_edit "$U" '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | .linux.gidMappings = .linux.uidMappings
        | .linux.devices = [{path: "/dev/foo", type: "c", major: 1, minor: 3},
                            {path: "/dev/zero", type: "c", major: 1, minor: 9},
                            {path: "/tmp/place", type: "c", major: 1, minor: 5}]'
out=$(rs run -b "$U" "$(t_id)" 2>&1)
t_is "$out" "/dev/foo character special file 1:3
/dev/zero character special file 1:9
/tmp/place character special file 1:5
written
3" "in a user namespace, a device the host has at another path is bound in, and usable"

t_done
