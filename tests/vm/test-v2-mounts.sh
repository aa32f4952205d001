#!/bin/bash
# The cgroup2 mount on a pure cgroup v2 host (tests/vm/run.sh): rooted at the container's cgroup,
# with the spec's flags. Mounted after pivot_root and the read-only paths when nothing in the spec
# needs it before (the pivot and the masked and read-only paths are then done while systemd starts
# the scope), else in the spec's order: the container sees the same either way.
. "$(dirname "$0")/../lib/common.sh"

V=$T_WORK/view
make_bundle "$V" /bin/sh -c 'grep " /sys/fs/cgroup " /proc/self/mountinfo |
                awk "{for (i = 7; \$i != \"-\"; i++); print \$4, \$5, \$6, \$(i + 1), \$(i + 2)}"
        head -n1 /sys/fs/cgroup/cgroup.procs; cat /proc/self/cgroup; touch /sys/fs/cgroup/x 2>&1 | sed "s/.*: //"'
view=$(rs run -b "$V" "$(t_id)" 2>&1)
t_is "$view" $'/ /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime cgroup2 cgroup2\n1\n0::/\nRead-only file system' \
        "cgroup2: read-only, rooted at the container's cgroup, the container's init in it"
# A createContainer hook runs after the mounts, before pivot_root: it finds the mount made.
add_mounted_hook "$V" /sys/fs/cgroup/cgroup.procs
t_is "$(rs run -b "$V" "$(t_id)" 2>&1)" "$view" "the same when a hook sees the mounts, which it finds mounted"

# The order, from mountinfo (mounts are listed as made): after /proc/sys's read-only bind unless a
# hook needs the mounts made.
O=$T_WORK/order
make_bundle "$O" /bin/sh -c 'awk "\$5 == \"/proc/sys\" {k = NR} \$5 == \"/sys/fs/cgroup\" {m = NR}
        END {print (k == 0 || m == 0) ? \"missing\" : (m > k) ? \"after\" : \"before\"}" /proc/self/mountinfo'
t_is "$(rs run -b "$O" "$(t_id)" 2>&1)" after "cgroup2 is mounted after the read-only paths"
add_mounted_hook "$O" /sys/fs/cgroup/cgroup.procs
t_is "$(rs run -b "$O" "$(t_id)" 2>&1)" before "... and before them when a hook sees the mounts"

# A masked path reaching it through a symlink of the image, or relative: masked all the same, as
# in the spec's order (the cgroup2 mount goes beneath the mask).
M=$T_WORK/mask
make_bundle "$M" /bin/sh -c 'ls /sys/fs/cgroup | wc -l'
ln -s /sys/fs/cgroup "$M/rootfs/cg"
bundle_edit "$M" '.linux.maskedPaths += ["/cg"]'
t_is "$(rs run -b "$M" "$(t_id)" 2>&1)" 0 "cgroup2 masked through a symlink is masked"
bundle_edit "$M" '.linux.maskedPaths -= ["/cg"] | .linux.maskedPaths += ["sys/fs/cgroup"]'
t_is "$(rs run -b "$M" "$(t_id)" 2>&1)" 0 "... and by a relative path"
bundle_edit "$M" '.linux.maskedPaths -= ["sys/fs/cgroup"]'
t_ok "... and unmasked, it has the files of a cgroup" test "$(rs run -b "$M" "$(t_id)" 2>&1)" -gt 5
t_done
