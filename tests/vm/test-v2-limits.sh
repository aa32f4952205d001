#!/bin/bash
# On a pure cgroup v2 host (tests/vm/run.sh): each limit runscope hands systemd is on the unit, in
# the unit's cgroup files on the host and in the container's own view of them (/sys/fs/cgroup in
# its cgroup namespace); cpu.cpus and cpu.mems are AllowedCPUs and AllowedMemoryNodes (refused on a
# hybrid host); every key of the unified map lands; update changes each limit; daemon-reload keeps
# them all.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
cpus=$(nproc)
last=$((cpus - 1)) # the guest has 2 CPUs: the container gets the second alone

# The cgroup files of the limits, one "file=first line" a line, read in DIR.
files="memory.max memory.high memory.low memory.min memory.swap.max memory.oom.group pids.max cpu.max cpu.weight
       io.weight cpuset.cpus cpuset.mems cpuset.cpus.effective"
read_files='cd "$1" && for f in '$(echo $files)'; do printf "%s=%s\n" "$f" "$(head -n1 $f 2>/dev/null)"; done'
# values V...: what read_files prints when the files hold V..., in the order of $files.
values() {
        local f
        for f in $files; do
                printf '%s=%s\n' "$f" "$1"
                shift
        done
}
host() { bash -c "$read_files" - "/sys/fs/cgroup$(systemctl show -P ControlGroup "runscope-$1.scope")"; }
# inside ID: the same files read in the container, then its cgroup and the CPUs it may run on.
inside() { rs exec "$1" /bin/sh -c "$read_files; cat /proc/self/cgroup; grep Cpus_allowed_list /proc/self/status" - /sys/fs/cgroup; }
# unit ID PROPERTY...: the properties as systemd holds them, on one line.
unit() {
        local id=$1 p out=""
        shift
        for p in "$@"; do out="$out $p=$(systemctl show -P "$p" "runscope-$id.scope")"; done
        echo "${out# }"
}
props="MemoryMax MemoryHigh MemoryLow MemorySwapMax TasksMax CPUQuotaPerSecUSec CPUQuotaPeriodUSec CPUWeight IOWeight
       AllowedCPUs AllowedMemoryNodes"

id=$(t_id)
bundle_edit "$B" --arg cpu "$last" '.linux.resources = {
        memory: {limit: 67108864, reservation: 33554432, swap: 134217728},
        cpu: {shares: 2048, quota: 25000, period: 50000, cpus: $cpu, mems: "0"},
        pids: {limit: 40}, blockIO: {weight: 500}, unified: {"memory.high": "62914560"},
        devices: [{allow: false, access: "rwm"}]}'
rs run -d -b "$B" "$id"
t_is "$?" 0 "a container with memory, swap, cpu, cpuset, pids, io and unified limits starts"
at_create=$(values 67108864 62914560 33554432 0 67108864 0 40 "25000 50000" 174 "default 4950" "$last" 0 "$last")
t_is "$(unit "$id" $props)" "MemoryMax=67108864 MemoryHigh=62914560 MemoryLow=33554432 MemorySwapMax=67108864 TasksMax=40\
 CPUQuotaPerSecUSec=500ms CPUQuotaPeriodUSec=50ms CPUWeight=174 IOWeight=4950 AllowedCPUs=$last AllowedMemoryNodes=0" \
        "the unit holds every limit, cpu.cpus as AllowedCPUs and cpu.mems as AllowedMemoryNodes"
t_is "$(host "$id")" "$at_create" "the unit's cgroup files on the host hold them"
t_is "$(inside "$id")" "$at_create
0::/
Cpus_allowed_list:	$last" "... and the container reads the same at /sys/fs/cgroup, its cgroup namespace's root, and runs on the CPU of cpu.cpus only"

echo '{"unified": {"memory.high": "73400320"}}' >"$T_WORK/unified.json"
rs update --memory 100M --memory-reservation 50M --memory-swap 300M --pids-limit 20 --cpu-quota 10000 \
        --cpu-period 100000 --cpu-share 512 --cpuset-cpus 0-$last --blkio-weight 300 "$id" &&
        rs update --resources "$T_WORK/unified.json" "$id"
t_is "$?" 0 "update of each limit succeeds"
updated=$(values 104857600 73400320 52428800 0 209715200 0 20 "10000 100000" 59 "default 2930" "0-$last" 0 "0-$last")
updated_unit="MemoryMax=104857600 MemoryHigh=73400320 MemoryLow=52428800 MemorySwapMax=209715200 TasksMax=20\
 CPUQuotaPerSecUSec=100ms CPUQuotaPeriodUSec=100ms CPUWeight=59 IOWeight=2930 AllowedCPUs=0-$last AllowedMemoryNodes=0"
t_is "$(unit "$id" $props)" "$updated_unit" "systemctl show has each updated limit"
t_is "$(host "$id")" "$updated" "... and the cgroup files on the host"
t_is "$(inside "$id")" "$updated
0::/
Cpus_allowed_list:	0-$last" "... and the container's view"
systemctl daemon-reload
t_is "$(unit "$id" $props)" "$updated_unit" "after systemctl daemon-reload the unit holds every limit"
t_is "$(host "$id")" "$updated" "... and so do the cgroup files: none was written behind systemd's back"
rs delete -f "$id"

# Every key of the unified map, alone: each is the property systemd has for it, and the file.
id=$(t_id)
bundle_edit "$B" --arg cpu "$last" '.linux.resources = {unified: {
        "memory.max": "83886080", "memory.high": "75497472", "memory.low": "16777216", "memory.min": "8388608",
        "memory.swap.max": "33554432", "memory.oom.group": "1", "pids.max": "30", "cpu.max": "20000 100000",
        "cpu.weight": "50", "io.weight": "default 200", "cpuset.cpus": $cpu, "cpuset.mems": "0"}}'
rs run -d -b "$B" "$id"
t_is "$?" 0 "a container with every key of linux.resources.unified starts"
t_is "$(unit "$id" MemoryMax MemoryHigh MemoryLow MemoryMin MemorySwapMax OOMPolicy TasksMax CPUQuotaPerSecUSec \
        CPUWeight IOWeight AllowedCPUs AllowedMemoryNodes)" \
        "MemoryMax=83886080 MemoryHigh=75497472 MemoryLow=16777216 MemoryMin=8388608 MemorySwapMax=33554432\
 OOMPolicy=kill TasksMax=30 CPUQuotaPerSecUSec=200ms CPUWeight=50 IOWeight=200 AllowedCPUs=$last AllowedMemoryNodes=0" \
        "each key is its systemd property (memory.oom.group 1: OOMPolicy=kill)"
t_is "$(host "$id")" "$(values 83886080 75497472 16777216 8388608 33554432 1 30 "20000 100000" 50 "default 200" "$last" 0 "$last")" \
        "... and each file holds the value asked for"
rs delete -f "$id"
t_ok "... and delete leaves nothing" nothing_left "$id" "runscope-$id.scope"
t_done
