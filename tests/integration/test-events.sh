#!/bin/bash
# events: runc's JSON stats from the unit's accounting, and an oom event when the OOM killer
# strikes inside the container.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; /bin/probe alloc 200; sleep 300'
bundle_edit "$B" '.root.readonly = false | .linux.resources = {memory: {limit: 33554432}, pids: {limit: 30}}'
id=$(t_id)
rs run -d -b "$B" "$id"
t_is "$(rs state "$id" | jq -r .oomKills)" 0 "state counts no OOM kill (oomKills) at first"

stats=$(rs events --stats "$id")
t_is "$(jq -r .type <<<"$stats")" stats "events --stats prints one stats object"
t_is "$(jq -r .id <<<"$stats")" "$id" "... with the container's id"
t_is "$(jq -r .data.memory.usage.limit <<<"$stats")" 33554432 "... the memory limit of the unit"
t_is "$(jq -r .data.pids.limit <<<"$stats")" 30 "... the pids limit"
t_match "$(jq -r .data.pids.current <<<"$stats")" '^[1-9][0-9]*$' "... the current number of tasks"
t_match "$(jq -r .data.cpu.usage.total <<<"$stats")" '^[0-9]+$' "... the cpu usage"

# stats_lines N FILE: events has printed N stats lines or more to FILE. Its second comes after it
# has started watching for OOM kills (the first, before): only then is the hog let go.
stats_lines() { [ "$(grep -c '"type":"stats"' "$2" 2>/dev/null)" -ge "$1" ]; }
rs events --interval 300ms "$id" >"$T_WORK/events" &
epid=$!
wait_until stats_lines 2 "$T_WORK/events"
touch "$B/rootfs/tmp/go"
wait_until grep -qs '"oom"' "$T_WORK/events"
kill "$epid" 2>/dev/null
wait "$epid" 2>/dev/null
t_is "$(grep -c '"type":"oom"' "$T_WORK/events")" 1 "events reports the OOM kill of a process in the container"
t_ok "events prints stats every interval" test "$(grep -c '"type":"stats"' "$T_WORK/events")" -ge 2
t_is "$(rs state "$id" | jq -r .status)" running "the container's init lives on (only the hog was killed)"
t_is "$(rs state "$id" | jq -r .oomKills)" 1 "state counts the OOM kill"

rs events --interval 200ms "$id" >"$T_WORK/events2" &
epid=$!
wait_until stats_lines 1 "$T_WORK/events2"
rs kill "$id" KILL
wait_until gone "$epid"
t_ok "events ends when the container stops" bash -c "! kill -0 $epid 2>/dev/null"
reap "$epid"
t_is "$?" 0 "... with status 0"
rs delete "$id"

# The init itself OOM-killed: its unit, and the memory cgroup with it, go as it dies.
bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "while [ ! -e /tmp/go2 ]; do sleep 0.1; done; exec /bin/probe alloc 200"]'
id=$(t_id)
rs run -d -b "$B" "$id"
rs events --interval 100ms "$id" >"$T_WORK/events3" &
epid=$!
wait_until stats_lines 2 "$T_WORK/events3"
touch "$B/rootfs/tmp/go2"
reap "$epid"
t_is "$?:$(grep -c '"type":"oom"' "$T_WORK/events3")" 0:1 "events reports the OOM kill of the init, and ends"
t_is "$(rs state "$id" | jq -r '.status + " " + (.oomKills | tostring)')" "stopped null" \
        "... state says stopped, with no oomKills: the memory cgroup went with the unit"
rs delete "$id"
t_is "$(rs events --stats "$id" 2>&1)" "runscope: container $id does not exist" "events of a missing container: one line"
t_done
