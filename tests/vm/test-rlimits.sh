#!/bin/bash
# In the modern-host guest (tests/vm/run.sh): process.rlimits in a user namespace. This is here, not
# in the hybrid suite, because the development host's root has no CAP_SYS_RESOURCE (its bounding
# set lacks bit 24), so no runtime can raise a hard limit there at all; the guest's root has it.
. "$(dirname "$0")/../lib/common.sh"

t_ok "the guest's root has CAP_SYS_RESOURCE (bit 24 of its effective set)" test $(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 )) = 1

# A hard limit above runscope's own, in a user namespace: only CAP_SYS_RESOURCE in the initial user
# namespace may raise it, so runscope sets it on the launcher from outside, as runc does (podman 5
# asks for NOFILE and NPROC 1048576 with --uidmap; systemd 257 gives a service a hard NOFILE of
# 524288). Before: "process.rlimits[0]: Operation not permitted".
R=$T_WORK/rlimit-userns
chmod 755 "$T_WORK" # the way to the rootfs is open to the namespace's root (host uid 100000)
make_bundle "$R" /bin/sh -c 'ulimit -Hn; ulimit -n'
bundle_edit "$R" '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | .linux.gidMappings = .linux.uidMappings
        | .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 3000, hard: 5000}]'
out=$(prlimit --nofile=1024:4096 "$RUNSCOPE" --root "$T_ROOT" run -b "$R" "$(t_id)" 2>&1 | tr '\n' ' ')
t_is "$out" "5000 3000 " "process.rlimits: a hard limit above runscope's own is raised in a user namespace"
bundle_edit "$R" '.process.args = ["sleep", "300"]'
rid=$(t_id)
rs run -d -b "$R" "$rid" >/dev/null 2>&1
jq '.process | .args = ["/bin/sh", "-c", "ulimit -Hn; ulimit -n"] | .rlimits = [{type: "RLIMIT_NOFILE", soft: 3500, hard: 6000}]' \
        "$R/config.json" >"$T_WORK/rlimit-process.json"
out=$(prlimit --nofile=1024:4096 "$RUNSCOPE" --root "$T_ROOT" exec --process "$T_WORK/rlimit-process.json" "$rid" 2>&1 | tr '\n' ' ')
t_is "$out" "6000 3500 " "... and by exec --process into that container"
rs delete --force "$rid"

t_done
