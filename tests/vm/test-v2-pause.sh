#!/bin/bash
# pause and resume on a pure cgroup v2 host (tests/vm/run.sh): systemd freezes the unit (FreezeUnit:
# its FreezerState says frozen, its cgroup's cgroup.freeze is 1 and cgroup.events says frozen 1)
# and thaws it (ThawUnit); the container's processes stop and go on; a daemon-reload keeps it
# frozen; a paused container is deleted without a trace.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.05; done'
bundle_edit "$B" '.root.readonly = false'
id=$(t_id)
unit=runscope-$id.scope
count() { cat "$B/rootfs/tmp/count" 2>/dev/null; }
# wait_count_past N: until the container has counted past N.
wait_count_past() {
        local i
        for i in $(seq 1 $((50 * ${T_SLOW:-1}))); do
                [ "$(count)" -gt "$1" ] 2>/dev/null && return 0
                sleep 0.1
        done
        return 1
}
# freezer: systemd's FreezerState, then cgroup.freeze and the frozen line of cgroup.events.
freezer() {
        local cg
        cg=/sys/fs/cgroup$(systemctl show -P ControlGroup "$unit")
        echo "$(systemctl show -P FreezerState "$unit") $(cat "$cg/cgroup.freeze") $(grep '^frozen ' "$cg/cgroup.events")"
}

rs run -d -b "$B" "$id"
t_ok "the container counts" wait_count_past 0
t_is "$(freezer)" "running 0 frozen 0" "a running container's unit: FreezerState running, its cgroup not frozen"
rs pause "$id"
t_is "$?" 0 "pause succeeds"
t_is "$(freezer)" "frozen 1 frozen 1" "systemd froze the unit: FreezerState frozen, cgroup.freeze 1, cgroup.events frozen 1"
t_is "$(rs state "$id" | jq -r .status)" paused "state says paused"
a=$(count)
sleep 0.5
t_is "$(count)" "$a" "the container's process does not count while frozen"
systemctl daemon-reload
t_is "$(freezer) $(rs state "$id" | jq -r .status)" "frozen 1 frozen 1 paused" "after systemctl daemon-reload it is still frozen"

rs resume "$id"
t_is "$?" 0 "resume succeeds"
t_is "$(freezer)" "running 0 frozen 0" "systemd thawed the unit: FreezerState running, cgroup.freeze 0, frozen 0"
t_is "$(rs state "$id" | jq -r .status)" running "state says running"
t_ok "the process counts again" wait_count_past "$(count)"

rs pause "$id"
rs delete -f "$id"
t_is "$?" 0 "delete --force of a paused container succeeds"
t_ok "... and leaves no unit and no state" nothing_left "$id" "$unit"
t_is "$(find /sys/fs/cgroup -name "$unit")" "" "... and no cgroup"
t_done
