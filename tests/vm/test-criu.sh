#!/bin/bash
# In the modern-host guest (Debian 13, criu 4.1.1): checkpoint and restore for real. A container
# counting in a loop (the count in the shell's memory, echoed to a file) is checkpointed, which
# ends it, and restored: it counts on from where it was, in a new scope with the same limits, its
# namespaces (hostname, pid 1, cgroup namespace, time offsets) as they were, exec working in it.
# Then --leave-running, a pre-dump followed by the final dump, and podman's container checkpoint and
# restore with --runtime runscope.
. "$(dirname "$0")/../lib/common.sh"

wait_for() { # wait_for CMD...: until CMD succeeds
        local i
        for i in $(seq 1 $((100 * T_SLOW))); do "$@" && return 0; sleep 0.1; done
        return 1
}

t_ok "criu check passes in the guest" sh -c "criu check >/dev/null"
t_match "$("$RUNSCOPE" --version | tail -n1)" "^criu: 4\." "runscope --version names criu 4"

# show_log FILE: CRIU's errors in its log, as TAP comments (when a step failed).
show_log() { grep -h "Error\|Warn" "$1" 2>/dev/null | head -n 12 | sed 's/^/#   /'; }

# counter BUNDLE: a bundle whose process counts in memory into /tmp/count, with limits, a hostname,
# and a time namespace with offsets.
counter() {
        make_bundle "$1" /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.2; done'
        bundle_edit "$1" '.root.readonly = false | .hostname = "counting"
                | .linux.namespaces += [{type: "time"}]
                | .linux.timeOffsets = {monotonic: {secs: 86400}, boottime: {secs: 1728000}}
                | .linux.resources = {memory: {limit: 268435456}, pids: {limit: 77}, cpu: {quota: 50000, period: 100000}}'
}
count() { cat "$1/rootfs/tmp/count" 2>/dev/null; }
above() { [ "$(count "$1")" -gt "$2" ] 2>/dev/null; }
# counts BUNDLE: its count goes up (waiting for a first one, then for a higher one).
counts() {
        wait_for above "$1" 0 || return 1
        wait_for above "$1" "$(count "$1")"
}

# limits ID: the unit's MemoryMax, TasksMax and CPU quota, and the cgroup's files.
limits() {
        local u=runscope-$1.scope
        echo "$(systemctl show -P MemoryMax "$u") $(systemctl show -P TasksMax "$u") $(systemctl show -P CPUQuotaPerSecUSec "$u")"
        local cg=/sys/fs/cgroup$(systemctl show -P ControlGroup "$u")
        cat "$cg/memory.max" "$cg/pids.max" "$cg/cpu.max" | tr '\n' ' '
}

# Its stdio is /dev/null: CRIU checks a regular file's size on restore (the test's output grows).
B=$T_WORK/counter
counter "$B"
id=$(t_id)
rs run -d -b "$B" "$id" </dev/null >/dev/null 2>&1
t_ok "the counting container starts" counts "$B"
pid=$(rs state "$id" | jq -r .pid)
want_limits=$(limits "$id")
t_match "$want_limits" "^268435456 77 500ms" "its scope has the limits of the bundle"
offsets=$(cat "/proc/$pid/timens_offsets")

img=$T_WORK/img
dumped=$SECONDS
rs checkpoint --image-path "$img" "$id"
rc=$?
t_is "$rc" 0 "checkpoint succeeds"
[ "$rc" = 0 ] || { show_log "$img/dump.log"; sed 's/^/#   descriptors: /' "$img/descriptors.json"; }
t_ok "... its image holds the dump" test -s "$img/inventory.img" -a -s "$img/descriptors.json"
t_ok "... and the container is gone, unit and all" nothing_left "$id" "runscope-$id.scope"
t_ok "... its process too" test ! -e "/proc/$pid"
at=$(count "$B")
sleep $((T_SLOW / 4 + 1))
t_is "$(count "$B")" "$at" "nothing counts while it is checkpointed"

rs restore -d -b "$B" --image-path "$img" "$id" </dev/null >/dev/null
rc=$?
t_is "$rc" 0 "restore succeeds"
[ "$rc" = 0 ] || show_log "$img/restore.log"
t_is "$(rs state "$id" | jq -r .status)" running "state says running"
npid=$(rs state "$id" | jq -r .pid)
t_ok "it counts on from where it was ($at)" wait_for above "$B" "$at"
first=$(count "$B")
t_ok "... not from the start again ($first after $at)" test "$first" -le $((at + 5 * T_SLOW))
t_is "$(systemctl show -P ActiveState "runscope-$id.scope")" active "its scope is active"
t_is "$(cat "/proc/$npid/cgroup")" "0::$(systemctl show -P ControlGroup "runscope-$id.scope")" "its init is in the new scope's cgroup"
t_is "$(limits "$id")" "$want_limits" "the new scope has the same limits"
t_is "$(rs exec "$id" hostname)" counting "exec works in it, and its hostname is the container's"
t_is "$(rs exec "$id" cat /proc/1/cmdline | tr '\0' ' ')" "$(jq -r '.process.args | join(" ")' "$B/config.json") " \
        "its init is pid 1 of its pid namespace"
t_is "$(rs exec "$id" cat /proc/self/cgroup)" "0::/" "its cgroup namespace is rooted at the scope"
# CRIU restores the time namespace so that the container's clocks go on from where they were: its
# offsets are the bundle's less the time it spent checkpointed (no jump, forward or back).
offset_of() { awk -v c="$1" '$1 == c { print $2 }' <<<"$2"; }
now=$(offset_of monotonic "$(cat "/proc/$npid/timens_offsets")")
t_ok "its time namespace keeps the offsets, less the $((SECONDS - dumped)) s it was away (monotonic $now)" \
        test "$now" -le "$(offset_of monotonic "$offsets")" -a "$now" -ge $(($(offset_of monotonic "$offsets") - (SECONDS - dumped) - 1))
t_is "$(rs exec "$id" readlink /proc/self/ns/time)" "$(readlink "/proc/$npid/ns/time")" "exec joins its time namespace"
t_is "$(machinectl show -P Unit "$id" 2>/dev/null)" "runscope-$id.scope" "machined knows it, in its scope"
rs delete -f "$id"
t_ok "delete leaves nothing" nothing_left "$id" "runscope-$id.scope"

# --leave-running: the container runs on; its image restores as another container.
L=$T_WORK/leave
counter "$L"
lid=$(t_id)
rs run -d -b "$L" "$lid" </dev/null >/dev/null 2>&1
counts "$L"
before=$(count "$L")
rs checkpoint --leave-running --image-path "$T_WORK/limg" "$lid"
t_is "$?" 0 "checkpoint --leave-running succeeds"
t_is "$(rs state "$lid" | jq -r .status)" running "... the container runs on"
t_ok "... and counts on" counts "$L"
# Far enough past the dump that the restored process, counting on from it, is seen well below.
wait_for above "$L" $((before + 25))
rs delete -f "$lid"
later=$(count "$L")
rm -f "$L/rootfs/tmp/count"
rid=$(t_id)
# ignore: CRIU touches no cgroup; the processes stay where criu forked them, in the new scope.
rs restore -d -b "$L" --image-path "$T_WORK/limg" --manage-cgroups-mode ignore "$rid" </dev/null >/dev/null
t_is "$?" 0 "its image restores under another id, with --manage-cgroups-mode ignore"
t_is "$(cat "/proc/$(rs state "$rid" | jq -r .pid)/cgroup" 2>/dev/null)" "0::$(systemctl show -P ControlGroup "runscope-$rid.scope")" \
        "... its init in the new scope's cgroup"
t_ok "... which counts again" wait_for above "$L" 0
v=$(count "$L")
t_ok "... from the dump's count ($before < $v < $later)" test "$v" -gt "$before" -a "$v" -lt "$later"
rs delete -f "$rid"

# A pre-dump while it runs, then the final dump on top of it.
P=$T_WORK/pre
counter "$P"
pid2=$(t_id)
rs run -d -b "$P" "$pid2" </dev/null >/dev/null 2>&1
counts "$P"
mkdir -p "$T_WORK/p" # as runc, checkpoint makes the image directory, not its parents
rs checkpoint --pre-dump --image-path "$T_WORK/p/pre" "$pid2"
t_is "$?" 0 "a pre-dump succeeds"
t_is "$(rs state "$pid2" | jq -r .status)" running "... and the container runs on"
rs checkpoint --parent-path ../pre --image-path "$T_WORK/p/final" "$pid2"
t_is "$?" 0 "the final dump on top of it succeeds"
t_is "$(readlink "$T_WORK/p/final/parent")" ../pre "... its images name the pre-dump as their parent"
t_ok "... and the container is gone" nothing_left "$pid2" "runscope-$pid2.scope"
at=$(count "$P")
rs restore -d -b "$P" --image-path "$T_WORK/p/final" "$pid2" </dev/null >/dev/null
t_is "$?" 0 "restore from the final dump succeeds"
t_ok "... and it counts on from $at" wait_for above "$P" "$at"
rs delete -f "$pid2"

# process.terminal: the restored terminal's new master goes to restore's --console-socket.
R=$RUNSCOPE_TOP/tests/console-recv
T=$T_WORK/tty
counter "$T"
bundle_edit "$T" '.process.terminal = true | .process.args = ["/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; echo tick $i; sleep 0.2; done"]'
tid=$(t_id)
"$R" "$T_WORK/c1.sock" >"$T_WORK/c1.out" 2>&1 &
wait_for test -S "$T_WORK/c1.sock"
rs run -d --console-socket "$T_WORK/c1.sock" -b "$T" "$tid"
counts "$T"
rs checkpoint --image-path "$T_WORK/timg" "$tid"
rc=$?
t_is "$rc" 0 "a container on a terminal is checkpointed"
[ "$rc" = 0 ] || show_log "$T_WORK/timg/dump.log"
at=$(count "$T")
"$R" "$T_WORK/c2.sock" >"$T_WORK/c2.out" 2>&1 &
wait_for test -S "$T_WORK/c2.sock"
rs restore -d --console-socket "$T_WORK/c2.sock" -b "$T" --image-path "$T_WORK/timg" "$tid"
rc=$?
t_is "$rc" 0 "... and restored with --console-socket"
[ "$rc" = 0 ] || show_log "$T_WORK/timg/restore.log"
ticks() { grep -o 'tick [0-9]*' "$T_WORK/c2.out" | tail -n1 | cut -d' ' -f2; }
tick_above() { [ "$(ticks)" -gt "$1" ] 2>/dev/null; }
t_ok "... its output comes on the new terminal, counting on from $at" wait_for tick_above "$at"
rs delete -f "$tid"

# podman 5: container checkpoint and restore with --runtime runscope.
PD=$T_WORK/podman
mkdir -p "$PD/rootfs/bin" "$PD/rootfs/etc" "$PD/rootfs/tmp"
chmod 1777 "$PD/rootfs/tmp"
cp /bin/busybox "$PD/rootfs/bin/"
for a in sh sleep cat echo; do ln -s busybox "$PD/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$PD/rootfs/etc/passwd"
tar -C "$PD/rootfs" -cf "$PD/rootfs.tar" .
P() {
        podman --root "$PD/storage" --runroot "$PD/run" --storage-driver overlay --cgroup-manager systemd \
                --events-backend file --runtime "$RUNSCOPE" "$@"
}
trap 'P rm -a -f -t 0 >/dev/null 2>&1; grep -o " $PD/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null; t_cleanup' EXIT
P import -q "$PD/rootfs.tar" localhost/counter >/dev/null
ctr=$(P run -d --name counter --network none --memory 256m localhost/counter \
        sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.2; done')
pcount() { P exec counter cat /tmp/count 2>/dev/null; }
pabove() { [ "$(pcount)" -gt "$1" ] 2>/dev/null; }
wait_for pabove 0
P container checkpoint counter >"$T_WORK/pc.out" 2>&1
t_is "$?" 0 "podman container checkpoint succeeds with runscope"
sed 's/^/#   /' "$T_WORK/pc.out" | head -5
t_is "$(P inspect -f '{{.State.Status}}' counter)" exited "... and the container is stopped"
at=$(cat "$(P mount counter)/tmp/count")
P unmount counter >/dev/null
P container restore counter >"$T_WORK/pr.out" 2>&1
t_is "$?" 0 "podman container restore succeeds with runscope"
sed 's/^/#   /' "$T_WORK/pr.out" | head -5
t_is "$(P inspect -f '{{.State.Status}}' counter)" running "... the container runs again"
t_ok "... counting on from where it was ($at)" wait_for pabove "${at:-0}"
t_is "$(systemctl show -P ActiveState "libpod-$ctr.scope")" active "... in its libpod scope"
t_is "$(systemctl show -P MemoryMax "libpod-$ctr.scope")" 268435456 "... with its memory limit"
t_done
