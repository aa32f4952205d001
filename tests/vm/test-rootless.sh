#!/bin/bash
# Rootless on a pure cgroup v2 host with systemd as PID 1: the scenarios of
# tests/integration/test-rootless.sh (a lingering user with subordinate ids, runscope and podman run
# by it), where user@.service delegates controllers (pids memory cpu) and the user manager can
# freeze. This test runs as root in a system service: runscope run through runuser is in that
# service's cgroup, which is not the user's, so the user manager hands every move into a scope to
# the system manager (systemd 257 here, before the 258 that accepts a process in a user namespace
# the user owns); run through `systemd-run --user` it is in the user's own tree.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/rootless.sh"

if ! rl_setup; then
        t_done
        exit 0
fi
have=$(rl_controllers)
t_match " $have " " pids " "user@.service delegates pids here"
t_match " $have " " memory " "... and memory"
rl_runscope
rl_podman

# From inside the user's own tree: the user manager moves the launcher itself.
id=$(t_id)
redit '.process.args = ["/bin/sh", "-c", "cat /proc/self/uid_map | tr -s \" \" | head -n1; exit 5"]'
out=$(as_rl systemd-run --user --wait --pipe --quiet "$RUNSCOPE" run -b "$B" "$id" 2>&1)
t_is "$?:$out" "5: 0 $UID_RL 1" "runscope run under systemd-run --user: the container's status and maps"
t_ok "... and it leaves nothing" gone "$id" "runscope-$id.scope"

# A limit of a delegated controller is the unit's and the kernel's.
id=$(t_id)
redit '.process.args = ["/bin/sleep", "300"] | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 40}}'
rrs run -d -b "$B" "$id" >/dev/null 2>&1
pid=$(rrs state "$id" | jq -r .pid)
cg=/sys/fs/cgroup$(grep '^0::' "/proc/$pid/cgroup" | cut -d: -f3)
t_is "$(cat "$cg/memory.max") $(cat "$cg/pids.max")" "67108864 40" "memory.limit and pids.limit reach the kernel through the user manager"
rrs update --memory 134217728 "$id"
t_is "$(cat "$cg/memory.max")" 134217728 "update changes it (SetUnitProperties, read back)"
rrs pause "$id"
t_is "$(uctl show -P FreezerState "runscope-$id.scope")" frozen "pause is the user manager's FreezeUnit"
rrs resume "$id"
rrs delete -f "$id"
t_ok "... and delete -f leaves nothing" gone "$id" "runscope-$id.scope"
redit 'del(.linux.resources)'

t_done
