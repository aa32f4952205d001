#!/bin/bash
# In the modern-host guest (tests/vm/run.sh): the guest is what the tier claims (kernel 6.12,
# systemd >= 257 as PID 1, pure cgroup v2, AppArmor on), and a container's life on it: create,
# start, state, kill, delete, run's exit status, its scope in a sub-slice of machine.slice with its
# cgroup at /sys/fs/cgroup/machine.slice/machine-runscope_XX.slice/runscope-ID.scope, and nothing
# left after delete.
. "$(dirname "$0")/../lib/common.sh"

# wait_status ID STATUS: until runscope state says STATUS (processes are slow in the guest).
wait_status() {
        local i
        for i in $(seq 1 $((50 * T_SLOW))); do
                [ "$(rs state "$1" | jq -r .status)" = "$2" ] && return 0
                sleep 0.1
        done
        return 1
}

t_match "$(uname -r)" '^6\.12\.' "the guest runs a 6.12 kernel"
t_is "$(cat /proc/1/comm)" systemd "PID 1 is systemd"
version=$(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
t_ok "systemd is 257 or later (it is ${version:-unknown})" test "${version:-0}" -ge 257
t_is "$(stat -fc %T /sys/fs/cgroup)" cgroup2fs "/sys/fs/cgroup is cgroup2 alone (no hybrid tree)"
controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
for c in cpuset cpu io memory pids; do
        t_match " $controllers " " $c " "the v2 controller $c is there"
done
t_is "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" Y "AppArmor is enabled"
t_match "$(cat /sys/kernel/security/lsm)" "(^|,)apparmor(,|$)" "... and among the active LSMs"
# The guest mounts it ro, but its root could remount it: QEMU's share itself is read-only.
t_ok "the checkout is read-only here, even remounted rw (the guest cannot change the host's files)" \
        unshare -m bash -c "mount -o remount,rw '$RUNSCOPE_TOP' 2>/dev/null
                ! touch '$RUNSCOPE_TOP/.vm-write-test' 2>/dev/null || { rm -f '$RUNSCOPE_TOP/.vm-write-test'; false; }"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300

id=$(t_id)
unit=runscope-$id.scope
rs create -b "$B" "$id"
t_is "$?" 0 "create succeeds"
t_is "$(rs state "$id" | jq -r .status)" created "state says created"
pid=$(rs state "$id" | jq -r .pid)
t_is "$(systemctl is-active "$unit")" active "the scope exists from create on"
slice=$(systemctl show -P Slice "$unit")
cg=/sys/fs/cgroup/machine.slice/$slice/$unit
t_match "$slice" '^machine-runscope_[0-9a-f]{2}\.slice$' "... in its sub-slice, machine-runscope_XX.slice"
t_is "$(systemctl show -P Slice "$slice")" machine.slice "... of machine.slice"
t_is "$(systemctl show -P ControlGroup "$unit")" "/machine.slice/$slice/$unit" "... with its cgroup there"
t_ok "$cg is a cgroup2 directory" test -f "$cg/cgroup.procs"
t_is "$(cat "/proc/$pid/cgroup")" "0::/machine.slice/$slice/$unit" "the init is in that cgroup"
t_ok "... and listed in its cgroup.procs" grep -qx "$pid" "$cg/cgroup.procs"

rs start "$id"
t_is "$?" 0 "start succeeds"
t_is "$(rs state "$id" | jq -r .status)" running "state says running"
t_match "$(tr '\0' ' ' </proc/$pid/cmdline)" "^/bin/sleep 300" "the init is now the container's process"

rs kill "$id" KILL
t_is "$?" 0 "kill KILL succeeds"
wait_status "$id" stopped
t_is "$(rs state "$id" | jq -r '.status + " " + (.pid|tostring)')" "stopped 0" "state says stopped, pid 0"
rs delete "$id"
t_is "$?" 0 "delete succeeds"
t_ok "nothing is left: no state, no unit" nothing_left "$id" "$unit"
t_ok "... and no cgroup" test ! -e "$cg"
rs state "$id" 2>"$T_WORK/err"
t_is "$?:$(cat "$T_WORK/err")" "1:runscope: container $id does not exist" "state of a deleted container: does not exist"

bundle_edit "$B" '.process.args = ["/bin/probe","exit","7"]'
id=$(t_id)
rs run -b "$B" "$id"
t_is "$?" 7 "run propagates the exit status 7"
t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"
t_is "$(find /sys/fs/cgroup/machine.slice -maxdepth 2 -name "runscope-$id.scope")" "" "... no cgroup either"

t_done
