#!/bin/bash
# The container is a transient scope of systemd: it exists while the container runs, carries the
# limits asked for, holds the container's processes, and is gone after delete.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
bundle_edit "$B" '.linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 33
        | .linux.resources.cpu = {shares: 512, quota: 50000, period: 100000}'

id=$(t_id)
unit=runscope-$id.scope
rs run -d -b "$B" "$id"
t_is "$?" 0 "run -d succeeds"
t_is "$(systemctl is-active "$unit")" active "the scope $unit is active"
t_is "$(systemctl show -P MemoryMax "$unit")" 67108864 "MemoryMax is memory.limit"
t_is "$(systemctl show -P TasksMax "$unit")" 33 "TasksMax is pids.limit"
if [ -f /sys/fs/cgroup/cpu/cpu.shares ]; then
        t_is "$(systemctl show -P CPUShares "$unit")" 512 "CPUShares is cpu.shares (a v1 cpu controller)"
else
        t_is "$(systemctl show -P CPUWeight "$unit")" 59 "CPUWeight follows cpu.shares (512 -> 59)"
fi
t_is "$(systemctl show -P CPUQuotaPerSecUSec "$unit")" 500ms "CPUQuotaPerSecUSec is quota/period"
# A container whose slice nothing names goes into one of 32 sub-slices of machine.slice, by a hash of
# its id: systemd walks every unit of a slice on each start there.
slice=$(systemctl show -P Slice "$unit")
t_match "$slice" '^machine-runscope_[0-9a-f]{2}\.slice$' "the scope is in a sub-slice of machine.slice, machine-runscope_XX.slice"
t_is "$(systemctl show -P Slice "$slice")" machine.slice "... in machine.slice"
t_is "$(systemctl show -P ControlGroup "$unit")" "/machine.slice/$slice/$unit" "... and so is its cgroup"
t_is "$(jq -r .slice "$T_ROOT/$id/state.json")" "$slice" "state.json names that slice"
t_is "$(systemctl show -P Delegate "$unit")" yes "the scope is delegated"

pid=$(rs state "$id" | jq -r .pid)
cg=$(systemctl show -P ControlGroup "$unit")
t_match "$(cat /proc/$pid/cgroup)" "::$cg\$|name=systemd:$cg\$" "the container's init is in the scope's cgroup"
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
        t_is "$(cat /sys/fs/cgroup/memory$cg/memory.limit_in_bytes)" 67108864 "the kernel holds the memory limit (v1 memory)"
        t_is "$(cat /sys/fs/cgroup/pids$cg/pids.max)" 33 "the kernel holds the pids limit (v1 pids)"
else
        t_is "$(cat /sys/fs/cgroup$cg/memory.max)" 67108864 "the kernel holds the memory limit (memory.max)"
        t_is "$(cat /sys/fs/cgroup$cg/pids.max)" 33 "the kernel holds the pids limit (pids.max)"
fi

state=$(cat "$T_ROOT/$id/state.json")
t_is "$(jq -r .unit <<<"$state")" "$unit" "state.json names the unit"
t_ok "state.json holds no cgroup path" bash -c "! grep -q -e cgroup -e '$cg' <<<'$state'"

rs delete --force "$id"
t_is "$?" 0 "delete --force of a running container succeeds"
t_ok "the scope is gone after delete" unit_gone "$unit"
t_ok "the state is gone after delete" test ! -e "$T_ROOT/$id"
t_ok "the container's process is gone" bash -c "! kill -0 $pid 2>/dev/null"

# linux.cgroupsPath in runc's systemd form names the unit and its slice.
id=$(t_id)
bundle_edit "$B" --arg id "$id" '.linux.cgroupsPath = "system.slice:rstest:" + $id'
rs run -d -b "$B" "$id"
t_is "$(systemctl is-active "rstest-$id.scope")" active "cgroupsPath slice:prefix:name gives rstest-<name>.scope"
t_is "$(systemctl show -P Slice "rstest-$id.scope")" system.slice "... in the slice named there"
t_is "$(rs state "$id" | jq -r .unit)" "rstest-$id.scope" "... and state reports that unit"
rs delete -f "$id"
t_ok "... and it is gone after delete" unit_gone "rstest-$id.scope"

# slice_of CGROUPS_PATH UNIT: the slice of UNIT, from a container whose cgroupsPath is CGROUPS_PATH
# with ID replaced by a fresh id (UNIT too); the container is deleted again.
slice_of() {
        local id
        id=$(t_id)
        bundle_edit "$B" --arg cp "${1//ID/$id}" '.linux.cgroupsPath = $cp'
        rs run -d -b "$B" "$id"
        systemctl show -P Slice "${2//ID/$id}"
        rs delete -f "$id"
}
# machine.slice named is machine.slice, not a sub-slice; a unit named without a slice is spread.
t_is "$(slice_of machine.slice:rstest:ID rstest-ID.scope)" machine.slice "cgroupsPath machine.slice:rstest:ID stays in machine.slice"
t_match "$(slice_of :rstest:ID rstest-ID.scope)" '^machine-runscope_[0-9a-f]{2}\.slice$' \
        "cgroupsPath :rstest:ID (no slice) gives rstest-ID.scope in a sub-slice of machine.slice"
# A path form of cgroupsPath, as crun takes it: .../name.slice/unit.scope.
t_is "$(slice_of /system.slice/pathform-ID.scope pathform-ID.scope)" system.slice \
        "cgroupsPath /system.slice/X.scope gives X.scope in system.slice"

# PIDs, not PIDFDs, on every systemd: the launcher is runscope's own unreaped child.
id=$(t_id)
root2=$T_WORK/root2
bundle_edit "$B" '.linux.cgroupsPath = ""'
"$RUNSCOPE" --root "$root2" run -d -b "$B" "$id"
pid=$("$RUNSCOPE" --root "$root2" state "$id" | jq -r .pid)
t_match "$(cat "/proc/$pid/cgroup")" "/machine.slice/machine-runscope_[0-9a-f]{2}.slice/runscope-$id.scope" \
        "the container's init is in its scope, placed by PID"
t_is "$(systemctl is-active "runscope-$id.scope")" active "... which is active"
"$RUNSCOPE" --root "$root2" delete -f "$id"

# A failed leftover of the same unit name is reset and the container still starts.
id=$(t_id)
bash -c "systemd-run --quiet --unit runscope-$id --scope -p RuntimeMaxSec=0.2 sleep 5; true" 2>/dev/null
# The command is gone when systemd-run returns (it was that process); its unit fails a moment later.
wait_until systemctl is-failed -q "runscope-$id.scope"
t_is "$(systemctl is-failed "runscope-$id.scope")" failed "a failed scope runscope-$id.scope is left over"
bundle_edit "$B" '.linux.cgroupsPath = "" | .process.args = ["/bin/probe","exit","3"]'
rs run -b "$B" "$id"
t_is "$?" 3 "run resets the failed leftover and runs"

# A foreground run returns with its empty scope's stop queued, not done: a start of the same name
# while systemd still stops a unit waits for that stop. Here a scope whose process ignores SIGTERM
# stays "deactivating" for 5 s (TimeoutStopSec), then is killed.
id=$(t_id)
systemd-run --quiet --unit "runscope-$id" --scope -p TimeoutStopSec=5 sh -c 'trap "" TERM; sleep 60' &
for _ in $(seq 1 200); do systemctl is-active -q "runscope-$id.scope" && break; sleep 0.05; done
systemctl stop --no-block "runscope-$id.scope"
for _ in $(seq 1 50); do [ "$(systemctl is-active "runscope-$id.scope")" = deactivating ] && break; sleep 0.05; done
t_is "$(systemctl is-active "runscope-$id.scope")" deactivating "a scope of the same name is being stopped"
rs run -b "$B" "$id"
t_is "$?" 3 "run waits for that stop, then runs"
wait
rs run -b "$B" "$id"
t_is "$?" 3 "a run right after a run of the same id runs"
t_ok "... and its unit goes once it returns" unit_gone "runscope-$id.scope"

t_done
