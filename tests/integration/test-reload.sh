#!/bin/bash
# Limits survive `systemctl daemon-reload`: systemd re-applies every cgroup setting it owns then, so
# a limit written behind its back would be lost (moby#51446). Each limit is read on the unit and in
# the kernel's files, at create, after a reload, after update and after another reload.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
hybrid=false
[ -d /sys/fs/cgroup/unified ] && [ -f /sys/fs/cgroup/memory/cgroup.procs ] && hybrid=true

id=$(t_id)
unit=runscope-$id.scope
show() { systemctl show -P "$1" "$unit"; }
# kernel CONTROLLER V1-FILE V2-FILE: the unit's cgroup file, found from its ControlGroup.
kernel() {
        local cg
        cg=$(show ControlGroup)
        if $hybrid; then cat "/sys/fs/cgroup/$1$cg/$2"; else cat "/sys/fs/cgroup$cg/$3"; fi
}
# limits: one line of everything, as systemd holds it and as the kernel enforces it.
limits() {
        echo "unit: $(show MemoryMax) $(show MemorySwapMax) $(show TasksMax) $(show CPUQuotaPerSecUSec)" \
                "$(show CPUQuotaPeriodUSec) $(show "$($hybrid && echo CPUShares || echo CPUWeight)") $(show DevicePolicy)" \
                "$(show DeviceAllow | grep -c '/dev/char/10:200 rw$')"
        if $hybrid; then
                echo "kernel: $(kernel memory memory.limit_in_bytes) $(kernel memory memory.memsw.limit_in_bytes)" \
                        "$(kernel pids pids.max) $(kernel cpu cpu.cfs_quota_us) $(kernel cpu cpu.cfs_period_us)" \
                        "$(kernel cpu cpu.shares) $(kernel devices devices.list | grep -c '^c 10:200 rw$')"
        else
                echo "kernel: $(kernel memory memory.max memory.max) $(kernel memory memory.swap.max memory.swap.max)" \
                        "$(kernel pids pids.max pids.max) $(kernel cpu cpu.max cpu.max) $(kernel cpu cpu.weight cpu.weight)"
        fi
}
reload() { systemctl daemon-reload && limits; }

bundle_edit "$B" '.linux.resources = {
        memory: {limit: 67108864, swap: 134217728},
        cpu: {shares: 2048, quota: 25000, period: 50000},
        pids: {limit: 40},
        devices: [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 10, minor: 200, access: "rw"}]}'
rs run -d -b "$B" "$id"
t_is "$?" 0 "a container with memory, swap, pids, cpu and device limits starts"
if $hybrid; then
        at_create="unit: 67108864 67108864 40 500ms 50ms 2048 strict 1
kernel: 67108864 134217728 40 25000 50000 2048 1"
else
        at_create="unit: 67108864 67108864 40 500ms 50ms 174 strict 1
kernel: 67108864 67108864 40 25000 50000 174"
fi
t_is "$(limits)" "$at_create" "every limit is on the unit and in the kernel"
t_is "$(reload)" "$at_create" "... and each one is still there after systemctl daemon-reload"

rs update --memory 100M --memory-swap 300M --pids-limit 20 --cpu-quota 10000 --cpu-period 100000 --cpu-share 512 "$id"
if $hybrid; then
        updated="unit: 104857600 209715200 20 100ms 100ms 512 strict 1
kernel: 104857600 314572800 20 10000 100000 512 1"
else
        updated="unit: 104857600 209715200 20 100ms 100ms 59 strict 1
kernel: 104857600 209715200 20 10000 100000 59"
fi
t_is "$(limits)" "$updated" "update changes each limit on the unit and in the kernel"
t_is "$(reload)" "$updated" "... and the updated limits survive daemon-reload"

# Raised past the old swap limit: on v1, memory.limit_in_bytes may never exceed memsw, so systemd's
# write of the new MemoryMax fails unless memsw is raised first.
rs update --memory 400M --memory-swap 600M "$id"
t_is "$(limits | sed -n 's/^\(kernel: [0-9]* [0-9]*\).*/\1/p')" \
        "kernel: 419430400 $($hybrid && echo 629145600 || echo 209715200)" \
        "update raising memory past the old swap limit: the kernel holds both"
t_is "$(systemctl daemon-reload; limits | sed -n 's/^\(kernel: [0-9]* [0-9]*\).*/\1/p')" \
        "kernel: 419430400 $($hybrid && echo 629145600 || echo 209715200)" "... also after daemon-reload"
rs update --memory 50M --memory-swap 80M "$id"
t_is "$(limits | sed -n 's/^\(kernel: [0-9]* [0-9]*\).*/\1/p')" \
        "kernel: 52428800 $($hybrid && echo 83886080 || echo 31457280)" "update lowering both below the old limit"
t_is "$(systemctl daemon-reload; limits | sed -n 's/^\(kernel: [0-9]* [0-9]*\).*/\1/p')" \
        "kernel: 52428800 $($hybrid && echo 83886080 || echo 31457280)" "... also after daemon-reload"

if $hybrid; then
        t_is "$(rs update --memory 100M "$id" 2>&1)" \
                "runscope: memory limit 104857600 is above the swap limit (memory plus swap) 83886080 of $unit: set the swap limit too" \
                "update of the memory limit alone past the v1 swap limit is refused, in one line"
        t_is "$(limits | sed -n 's/^\(kernel: [0-9]* [0-9]*\).*/\1/p') $(show MemoryMax)" "kernel: 52428800 83886080 52428800" \
                "... and changes nothing"
fi

rs pause "$id"
systemctl daemon-reload
t_is "$(rs state "$id" | jq -r .status)" paused "a paused container stays paused across daemon-reload"
rs resume "$id"
rs delete -f "$id"
t_done
