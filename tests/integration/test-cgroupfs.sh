#!/bin/bash
# /sys/fs/cgroup inside a container shows the container's own cgroups, on every hierarchy, with or
# without a user or cgroup namespace: what a JVM or a Go runtime sizes itself from (memory, pids and
# cpu limits), and /proc/self/cgroup "/" where the container has a cgroup namespace. A hierarchy in
# which the container's cgroup is out of reach ("/.." in /proc/self/cgroup: in the private systemd
# the tests reach through nsenter, runscope itself sits above the sandbox's cgroup namespace in the
# hierarchies systemd makes no unit cgroups in) shows its visible root, where the init is not.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
chmod 755 "$T_WORK"
make_bundle "$B" /bin/sh -c 'for f in memory/memory.limit_in_bytes pids/pids.max cpu/cpu.cfs_quota_us pids.max memory.max cpu.max; do
                [ -f /sys/fs/cgroup/$f ] && echo "$f $(cat /sys/fs/cgroup/$f)"
        done
        echo "cgroup $(cut -d: -f3 /proc/self/cgroup | sort -u | tr "\n" " ")"
        for f in /sys/fs/cgroup/*/cgroup.procs /sys/fs/cgroup/cgroup.procs; do
                h=${f#/sys/fs/cgroup/}; h=${h%cgroup.procs}; h=${h%/}
                case $h in systemd) h=name=systemd ;; unified | "") h="" ;; esac
                grep -q "^[0-9]*:$h:/\.\.\(/\|\$\)" /proc/self/cgroup && continue
                [ -f $f ] && echo "procs $(head -n1 $f)"
        done | sort -u'
bundle_edit "$B" '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 77}, cpu: {quota: 50000, period: 100000}}'
cp "$B/config.json" "$T_WORK/base.json"

if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
        want=$'memory/memory.limit_in_bytes 67108864\npids/pids.max 77\ncpu/cpu.cfs_quota_us 50000'
else
        want=$'pids.max 77\nmemory.max 67108864\ncpu.max 50000 100000'
fi
# One line each: read takes a case's first line only.
userns='.linux.namespaces += [{type: "user"}] | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
nocgns='.linux.namespaces |= map(select(.type != "cgroup"))'
for case in "with a cgroup namespace%." "without a cgroup namespace%$nocgns" "in a user namespace%$userns" \
            "in a user namespace without a cgroup namespace%$userns | $nocgns" \
            "with a read-only root%.root.readonly = true" \
            "with a createContainer hook%.hooks.createContainer = [{path: \"/bin/true\"}]"; do
        IFS='%' read -r desc filter <<<"$case"
        cp "$T_WORK/base.json" "$B/config.json"
        bundle_edit "$B" "$filter"
        out=$(rs run -b "$B" "$(t_id)" 2>&1)
        t_is "$(grep -v '^cgroup\|^procs' <<<"$out")" "$want" "$desc: the container's own memory, pids and cpu limits"
        t_is "$(grep '^procs' <<<"$out")" "procs 1" "$desc: ... and its own processes in every hierarchy (init is pid 1)"
        if [[ $desc != *"without a cgroup namespace"* ]]; then
                t_is "$(grep '^cgroup' <<<"$out")" "cgroup / " "$desc: /proc/self/cgroup says / in every hierarchy"
        fi
done
t_done
