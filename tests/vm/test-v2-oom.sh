#!/bin/bash
# OOM kills on a pure cgroup v2 host (tests/vm/run.sh), where systemd watches memory.events too: run
# exits 137 with one line; events reports the kill and state counts it (oomKills) while the init
# lives on (a delegated unit's OOMPolicy is continue), and systemd notes it for the unit; with
# memory.oom.group 1 (OOMPolicy=kill) the whole container goes, and systemd's Result is oom-kill.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/probe alloc 200
bundle_edit "$B" '.root.readonly = false | .linux.resources = {memory: {limit: 33554432}}'
# journal UNIT TEXT: systemd's journal says TEXT about UNIT (journald may write it a moment later).
journal() {
        local i
        for i in $(seq 1 $((30 * ${T_SLOW:-1}))); do
                journalctl --no-pager -q -u "$1" 2>/dev/null | grep -qF "$2" && return 0
                sleep 0.1
        done
        journalctl --no-pager -q -u "$1" 2>&1 | sed 's/^/#   /' | tail -5
        return 1
}

id=$(t_id)
out=$(rs run -b "$B" "$id" 2>&1)
t_is "$?" 137 "a process allocating past MemoryMax is OOM-killed: run exits 137"
t_is "$out" "runscope: container $id: its process was killed by the OOM killer (out of memory in runscope-$id.scope)" \
        "... and says so in one line"
t_ok "... leaving nothing" nothing_left "$id" "runscope-$id.scope"
t_ok "systemd saw the kill in the unit's memory.events" journal "runscope-$id.scope" \
        "A process of this unit has been killed by the OOM killer"

# A hog beside the init: the kill is an event, the state counts it, the init lives on.
id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.1; done; /bin/probe alloc 200; sleep 300"]'
rs run -d -b "$B" "$id" >"$T_WORK/hog.out" 2>&1
t_is "$(rs state "$id" | jq -r .oomKills)" 0 "state counts no OOM kill at first"
rs events --interval 1s "$id" >"$T_WORK/events" &
epid=$!
for _ in $(seq 1 $((20 * ${T_SLOW:-1}))); do grep -q '"type":"stats"' "$T_WORK/events" && break; sleep 0.1; done
touch "$B/rootfs/tmp/go"
for _ in $(seq 1 $((50 * ${T_SLOW:-1}))); do grep -q '"type":"oom"' "$T_WORK/events" && break; sleep 0.1; done
kill "$epid" 2>/dev/null
wait "$epid" 2>/dev/null
t_is "$(grep -c '"type":"oom"' "$T_WORK/events")" 1 "events reports the OOM kill"
t_is "$(rs state "$id" | jq -r '.status + " " + (.oomKills | tostring)')" "running 1" \
        "state counts it (oomKills 1), and the init lives on"
t_is "$(systemctl show -P OOMPolicy "runscope-$id.scope") $(systemctl is-active "runscope-$id.scope")" "continue active" \
        "... as does the unit: a delegated scope's OOMPolicy is continue"
rs delete -f "$id"
rm -f "$B/rootfs/tmp/go"

# memory.oom.group 1: OOMPolicy=kill, the kernel kills every process of the unit, systemd fails it.
id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "/bin/probe alloc 200; sleep 300"]
        | .linux.resources.unified = {"memory.oom.group": "1"}'
out=$(rs run -b "$B" "$id" 2>&1)
t_is "$?:$out" "137:runscope: container $id: its process was killed by the OOM killer (out of memory in runscope-$id.scope)" \
        "with memory.oom.group 1 the init goes with the hog: run exits 137 with one line"
t_ok "... systemd's Result for the unit is oom-kill" journal "runscope-$id.scope" "Failed with result 'oom-kill'"
t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"
t_is "$(find /sys/fs/cgroup -name "runscope-$id.scope")" "" "... no cgroup either"
t_done
