#!/bin/bash
# Every OCI resource lands as the systemd property it should, and as the value the kernel enforces:
# a memory hog is OOM-killed, a fork bomb stops at TasksMax; update changes live limits.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
hybrid=false
[ -d /sys/fs/cgroup/unified ] && [ -f /sys/fs/cgroup/memory/cgroup.procs ] && hybrid=true

# kernel_value CONTROLLER V1-FILE V2-FILE UNIT
kernel_value() {
        local cg
        cg=$(systemctl show -P ControlGroup "$4")
        if $hybrid; then cat "/sys/fs/cgroup/$1$cg/$2"; else cat "/sys/fs/cgroup$cg/$3"; fi
}

id=$(t_id)
unit=runscope-$id.scope
bundle_edit "$B" '.linux.resources = {
        memory: {limit: 67108864, reservation: 33554432, swap: 134217728},
        cpu: {shares: 2048, quota: 25000, period: 50000},
        pids: {limit: 40},
        blockIO: {weight: 500},
        devices: [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 3, access: "rw"},
                  {allow: true, type: "c", major: 1, access: "r"}]}
        | .annotations["org.systemd.property.TimeoutStopSec"] = "17s"
        | .annotations["org.systemd.property.Description"] = "'"'"'my container'"'"'"'
rs run -d -b "$B" "$id"
t_is "$?" 0 "a container with every kind of resource starts"
show() { systemctl show -P "$1" "$unit"; }
t_is "$(show MemoryMax)" 67108864 "memory.limit -> MemoryMax"
t_is "$(show MemoryLow)" 33554432 "memory.reservation -> MemoryLow"
t_is "$(show MemorySwapMax)" 67108864 "memory.swap -> MemorySwapMax = swap - limit"
if $hybrid; then
        t_is "$(show CPUShares)" 2048 "cpu.shares 2048 -> CPUShares 2048 (a v1 cpu controller)"
else
        t_is "$(show CPUWeight)" 174 "cpu.shares 2048 -> CPUWeight 174"
fi
t_is "$(show CPUQuotaPerSecUSec)" 500ms "cpu.quota/period 25000/50000 -> CPUQuotaPerSecUSec 500ms"
t_is "$(show CPUQuotaPeriodUSec)" 50ms "cpu.period -> CPUQuotaPeriodUSec"
t_is "$(show TasksMax)" 40 "pids.limit -> TasksMax"
t_is "$(show IOWeight)" 4950 "blockIO.weight 500 -> IOWeight 4950 (10..1000 onto 1..10000)"
t_is "$(show DevicePolicy)" strict "a deny-all device rule -> DevicePolicy=strict"
t_match "$(show DeviceAllow)" "/dev/char/1:3 rw" "an allow rule -> DeviceAllow"
t_match "$(show DeviceAllow)" "char-mem r" "any minor of a major -> char-NAME of /proc/devices (containerd's c 136:* for pts)"
t_match "$(show DeviceAllow)" "char-pts rwm" "... plus the default devices"
t_is "$(show TimeoutStopUSec)" 17s "annotation org.systemd.property.TimeoutStopSec -> TimeoutStopUSec"
t_is "$(show Description)" "my container" "annotation with a 'string' value"
t_is "$(kernel_value memory memory.limit_in_bytes memory.max "$unit")" 67108864 "the kernel enforces the memory limit"
t_is "$(kernel_value pids pids.max pids.max "$unit")" 40 "the kernel enforces the pids limit"
if $hybrid; then
        t_is "$(kernel_value cpu cpu.cfs_quota_us cpu.max "$unit") $(kernel_value cpu cpu.cfs_period_us cpu.max "$unit")" \
                "25000 50000" "the kernel enforces the cpu quota"
        t_is "$(kernel_value cpu cpu.shares cpu.weight "$unit")" 2048 "the kernel holds the cpu shares asked for"
        t_match "$(kernel_value devices devices.list devices.list "$unit")" "c 1:3 rw" "the device cgroup allows the rule's device"
        t_match "$(kernel_value devices devices.list devices.list "$unit")" "c 1:\* r" "... and the rule's major"
        t_is "$(kernel_value memory memory.memsw.limit_in_bytes memory.swap.max "$unit")" 134217728 \
                "the kernel holds the swap limit (memsw = memory.swap, which systemd leaves alone on v1)"
else
        t_is "$(kernel_value cpu cpu.max cpu.max "$unit")" "25000 50000" "the kernel enforces the cpu quota"
        t_is "$(kernel_value cpu cpu.weight cpu.weight "$unit")" 174 "the kernel holds the cpu weight"
fi

# update changes live limits and reads them back.
rs update --memory 100M --pids-limit 20 --cpu-quota 10000 --cpu-period 100000 "$id"
t_is "$?" 0 "update with runc's flags succeeds"
t_is "$(show MemoryMax) $(show TasksMax) $(show CPUQuotaPerSecUSec)" "104857600 20 100ms" "update changed MemoryMax, TasksMax, CPUQuota"
t_is "$(kernel_value memory memory.limit_in_bytes memory.max "$unit")" 104857600 "the kernel holds the updated memory limit"
# --cpu-period alone: the period changes and the quota stays the same microseconds per period, as
# runc keeps it (10000 of 50000: 200ms a second).
rs update --cpu-period 50000 "$id"
t_is "$?:$(show CPUQuotaPeriodUSec) $(show CPUQuotaPerSecUSec)" "0:50ms 200ms" "update --cpu-period without a quota changes the period"
t_is "$(kernel_value cpu cpu.cfs_quota_us cpu.max "$unit") $(kernel_value cpu cpu.cfs_period_us cpu.max "$unit" | sed 's/.* //')" \
        "$($hybrid && echo 10000 || echo "10000 50000") 50000" "... and the kernel has the new period with the same quota"
rs update --memory 100M --memory-swap 300M "$id"
t_is "$(show MemorySwapMax)" 209715200 "update --memory-swap sets MemorySwapMax = swap - memory"
if $hybrid; then
        t_is "$(kernel_value memory memory.memsw.limit_in_bytes memory.swap.max "$unit")" 314572800 "... and memsw on v1"
fi
echo '{"pids": {"limit": 25}, "memory": {"limit": 90000000}}' | rs update -r - "$id"
t_is "$(show TasksMax) $(show MemoryMax)" "25 90000000" "update --resources - reads LinuxResources JSON"
t_is "$(rs update --resources /dev/null "$id" 2>&1)" "runscope: resources: invalid JSON" "a bad --resources is named"
t_is "$(rs update --memory lots "$id" 2>&1)" "runscope: --memory…: 'lots' is not a size (512M, 1G, -1)" "a bad --memory is named"

# ps lists the unit's processes.
t_is "$(rs ps --format json "$id")" "[$(rs state "$id" | jq -r .pid)]" "ps --format json lists the init"
t_match "$(rs ps "$id")" "PID.*"$'\n'".*sleep 300" "ps prints ps -ef lines of the unit"
rs delete -f "$id"

# unified beside v1 resources of other controllers; of the same controller only where both apply:
# on a hybrid host systemd would drop memory.high beside memory.limit without a word.
id=$(t_id)
bundle_edit "$B" '.linux.resources = {pids: {limit: 40}, unified: {"memory.high": "60000000"}} | del(.annotations)'
rs run -d -b "$B" "$id"
t_is "$(systemctl show -P MemoryHigh "runscope-$id.scope")" 60000000 "unified memory.high -> MemoryHigh"
rs delete -f "$id"
id=$(t_id)
bundle_edit "$B" '.linux.resources = {memory: {limit: 67108864}, unified: {"memory.high": "60000000"}}'
if $hybrid; then
        expect_clean 1 "unified with v1 resources of its controller on a hybrid host" \
                "linux.resources.unified.memory.high: cannot apply together with linux.resources.memory on this host, whose controllers are cgroup v1" \
                "$id" create -b "$B" "$id"
else
        rs run -d -b "$B" "$id"
        t_is "$(systemctl show -P MemoryHigh "runscope-$id.scope") $(systemctl show -P MemoryMax "runscope-$id.scope")" \
                "60000000 67108864" "unified with v1 resources of its controller where both apply"
        rs delete -f "$id"
fi

# The kernel enforces what systemd set: a memory hog is OOM-killed, a fork bomb hits TasksMax.
id=$(t_id)
bundle_edit "$B" '.linux.resources = {memory: {limit: 33554432}, pids: {limit: 10}} | del(.annotations)
        | .process.args = ["/bin/probe", "alloc", "200"]'
out=$(rs run -b "$B" "$id" 2>&1)
t_is "$?" 137 "a process allocating past MemoryMax is OOM-killed (128+9)"
t_is "$out" "runscope: container $id: its process was killed by the OOM killer (out of memory in runscope-$id.scope)" \
        "... before it got its memory, and run says it was the OOM killer, in one line"
id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/probe", "fork", "100"]'
t_is "$(rs run -b "$B" "$id")" 9 "a fork bomb stops at TasksMax (10 tasks with the init)"

# Settings systemd has no equivalent for are refused with the JSON path, before anything starts.
for case in 'memory.swappiness|{"memory":{"swappiness":10}}|systemd has no swappiness' \
            'hugepageLimits|{"hugepageLimits":[{"pageSize":"2MB","limit":1}]}|systemd has no hugetlb' \
            'unified.cpu.idle|{"unified":{"cpu.idle":"1"}}|systemd has no property for this cgroup file' \
            'unified.memory.oom.group|{"unified":{"memory.oom.group":"2"}}|.2. is not 0 or 1' \
            'devices\[0\]|{"devices":[{"allow":false,"type":"c","major":1,"minor":3,"access":"rwm"}]}|a deny rule without' \
            'devices\[1\]|{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":4,"access":"rwm"}]}|any minor of major 4 cannot'; do
        IFS='|' read -r path json msg <<<"$case"
        id=$(t_id)
        bundle_edit "$B" --argjson r "$json" '.linux.resources = $r'
        expect_clean 1 "linux.resources.$path" "linux.resources.$path: $msg" "$id" create -b "$B" "$id"
done
# memory.oom.group is OOMPolicy=, which systemd takes for a scope when it makes it (253 on), never later.
id=$(t_id)
bundle_edit "$B" '.linux.resources = {unified: {"memory.oom.group": "1"}} | .process.args = ["/bin/sleep", "3135"]'
# A systemd that refuses it for a scope must say so in one line, naming it, and leave nothing.
if rs run -d -b "$B" "$id" >"$T_WORK/oom-group.out" 2>&1; then
        t_is "$(systemctl show -P OOMPolicy "runscope-$id.scope")" kill "unified memory.oom.group 1: OOMPolicy=kill"
        rs delete --force "$id"
else
        t_match "$(cat "$T_WORK/oom-group.out")" "^runscope: [^"$'\n'"]*OOMPolicy[^"$'\n'"]*$" \
                "unified memory.oom.group 1, refused by this systemd: one line naming OOMPolicy"
        t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"
fi
echo '{"unified": {"memory.oom.group": "0"}}' >"$T_WORK/oom-group.json"
bundle_edit "$B" 'del(.linux.resources)'
id=$(t_id)
rs run -d -b "$B" "$id"
err=$(rs update --resources "$T_WORK/oom-group.json" "$id" 2>&1)
t_is "$?:$err" "1:runscope: config.json: linux.resources.unified.memory.oom.group: systemd sets OOMPolicy= only when it makes the unit, not on update" \
        "update of memory.oom.group is refused in one line"
rs delete --force "$id"
if $hybrid; then
        id=$(t_id)
        bundle_edit "$B" '.linux.resources = {cpu: {cpus: "0"}}'
        expect_clean 1 "cpu.cpus on a hybrid host" "cpu.cpus: systemd applies cpusets on cgroup v2 only" "$id" create -b "$B" "$id"
fi
t_done
