#!/bin/bash
# Time namespaces: linux.timeOffsets shift the container's monotonic and boottime clocks, exec
# joins the namespace, another container joins it by path, and what cannot be honoured is refused.
. "$(dirname "$0")/../lib/common.sh"

if [ ! -e /proc/self/ns/time ]; then
        t_skip "time namespaces" "this kernel has no time namespaces"
        t_done
        exit 0
fi

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'cat /proc/self/timens_offsets; readlink /proc/self/ns/time; cut -d. -f1 /proc/uptime; sleep 300'
bundle_edit "$B" '.linux.namespaces += [{type: "time"}]
        | .linux.timeOffsets = {monotonic: {secs: 86400, nanosecs: 5}, boottime: {secs: 1728000}}'
id=$(t_id)
# The container reads its uptime between the host's two reads, so it is the host's plus the offset
# bounded by the two: whole seconds, truncated alike, and a second may tick between any two reads.
host_before=$(cut -d. -f1 /proc/uptime)
rs run -d -b "$B" "$id" >"$T_WORK/out" 2>&1
wait_until lines_at_least 4 "$T_WORK/out"
host_after=$(cut -d. -f1 /proc/uptime)
out=$(cat "$T_WORK/out")
t_match "$out" "monotonic +86400 +5" "timeOffsets.monotonic is the namespace's monotonic offset"
t_match "$out" "boottime +1728000 +0" "timeOffsets.boottime is its boottime offset"
t_ok "the container's uptime is the host's plus 20 days" \
        between $((host_before + 1728000)) "$(sed -n 4p <<<"$out")" $((host_after + 1728000))
t_ok "its time namespace is not the host's" test "$(sed -n 3p <<<"$out")" != "$(readlink /proc/self/ns/time)"
t_is "$(rs exec "$id" readlink /proc/self/ns/time)" "$(sed -n 3p <<<"$out")" "exec joins the container's time namespace"

# Another container joins it by path and sees the same clocks.
pid=$(rs state "$id" | jq -r .pid)
J=$T_WORK/join
make_bundle "$J" /bin/sh -c 'readlink /proc/self/ns/time; cat /proc/self/timens_offsets'
bundle_edit "$J" --arg p "/proc/$pid/ns/time" '.linux.namespaces += [{type: "time", path: $p}]'
out2=$(rs run -b "$J" "$(t_id)" 2>&1)
t_is "$(head -n1 <<<"$out2")" "$(sed -n 3p <<<"$out")" "a time namespace joined by path is that one"
t_match "$out2" "boottime +1728000" "... with its offsets"
rs delete -f "$id"
t_ok "... delete leaves nothing" nothing_left "$id" "runscope-$id.scope"

# Without offsets, a new time namespace is the host's clocks.
bundle_edit "$B" 'del(.linux.timeOffsets) | .process.args = ["/bin/cat", "/proc/self/timens_offsets"]'
t_match "$(rs run -b "$B" "$(t_id)" 2>&1)" "monotonic +0 +0" "a time namespace without timeOffsets has zero offsets"

for case in 'linux.timeOffsets%.linux.namespaces |= map(select(.type != "time")) | .linux.timeOffsets = {boottime: {secs: 1}}%offsets need a new time namespace' \
            'linux.timeOffsets.realtime%.linux.timeOffsets = {realtime: {secs: 1}}%unknown clock' \
            'linux.timeOffsets.boottime.nanosecs%.linux.timeOffsets = {boottime: {nanosecs: 1000000000}}%' \
            'linux.timeOffsets.monotonic%.linux.timeOffsets = {monotonic: 5}%expected an object'; do
        IFS='%' read -r path filter msg <<<"$case"
        expect_refused "$B" "$path is refused" "config.json: ${path//./\\.}: $msg" "$filter"
done
t_done
