#!/bin/bash
# Times exec's two ways into the unit, same binary (the fault build), interleaved: the launcher cloned
# into the container's cgroup (CLONE_INTO_CGROUP; RUNSCOPE_FAULT_EXEC_CLONE=1, which on a hybrid host
# clones into the unified hierarchy only: its cost, not a way to run) and systemd's AttachProcessesToUnit
# (RUNSCOPE_FAULT_EXEC_ATTACH=1). Prints wall time (median, quartiles, the median of the per-round
# difference; $EPOCHREALTIME, no fork) and CPU time an exec summed over runscope and its children,
# systemd (PID 1) and dbus-daemon (/proc/PID/stat), which a loaded machine moves much less.
# A measurement, never a test; its TAP plan is empty so that the test runners take it:
#   tests/integration/run.sh bench/exec-paths.sh     (this host, N=100 rounds; N=... to change)
#   tests/vm/run.sh bench/exec-paths.sh              (the cgroup v2 guest, 100 rounds)
. "$(dirname "$0")/../tests/lib/common.sh"
N=${N:-100}
F=$RUNSCOPE_TOP/tests/runscope-faults
B=$T_WORK/b; make_bundle "$B" /bin/sleep 3000
id=$(t_id); rs run -d -b "$B" "$id" || exit 1
dbus=$(pgrep -x dbus-daemon | head -n1)
hz=$(getconf CLK_TCK)
# ticks PID: REPLY is utime+stime of PID, CHILDREN its cutime+cstime (/proc/PID/stat, no fork).
ticks() {
        local l f
        REPLY=0 CHILDREN=0
        [ -n "$1" ] && read -r l <"/proc/$1/stat" || return 0
        read -r -a f <<<"${l##*) }"
        REPLY=$((f[11] + f[12])) CHILDREN=$((f[13] + f[14]))
}
declare -A wall cpu sysd
run_mode() { # MODE: one exec; its start and end appended to wall[MODE], CPU ticks added to cpu[MODE] (systemd's to sysd[MODE] too)
        local m=$1 a b s0 d0 c0
        ticks 1; s0=$REPLY; ticks "$dbus"; d0=$REPLY; ticks $$; c0=$CHILDREN
        a=$EPOCHREALTIME
        if [ "$m" = clone ]; then RUNSCOPE_FAULT_EXEC_CLONE=1 "$F" --root "$T_ROOT" exec "$id" /bin/true
        else RUNSCOPE_FAULT_EXEC_ATTACH=1 "$F" --root "$T_ROOT" exec "$id" /bin/true; fi
        b=$EPOCHREALTIME
        ticks $$; local c1=$CHILDREN; ticks 1; local s1=$REPLY; ticks "$dbus"; local d1=$REPLY
        wall[$m]+="$a:$b "
        cpu[$m]=$((${cpu[$m]:-0} + (s1 - s0) + (d1 - d0) + (c1 - c0)))
        sysd[$m]=$((${sysd[$m]:-0} + (s1 - s0)))
}
for i in $(seq 1 $((N + 3))); do
        [ "$i" -eq 4 ] && { wall=(); cpu=(); sysd=(); }
        if [ $((i % 2)) = 0 ]; then run_mode clone; run_mode attach; else run_mode attach; run_mode clone; fi
done
RUNSCOPE_FAULT_EXEC_CLONE=1 "$F" --root "$T_ROOT" --debug exec "$id" /bin/true 2>&1 | grep "exec: launcher" | sed 's/^/# clone: /'
RUNSCOPE_FAULT_EXEC_ATTACH=1 "$F" --root "$T_ROOT" --debug exec "$id" /bin/true 2>&1 | grep "exec: launcher" | sed 's/^/# attach: /'
ms() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | awk -F: '{ printf "%.3f\n", ($2 - $1) * 1000 }'; }
stats() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END {
        printf "median %.2f ms (q1 %.2f, q3 %.2f, n %d)", v[int((NR + 1) / 2)], v[int((NR + 3) / 4)], v[int((3 * NR + 3) / 4)], NR }'; }
for m in clone attach; do
        echo "# $m: wall $(stats "$(ms "${wall[$m]}")"); CPU $(awk -v t="${cpu[$m]}" -v n="$N" -v hz="$hz" 'BEGIN { printf "%.2f ms", t * 1000 / hz / n }') an exec (runscope, systemd, dbus-daemon), $(awk -v t="${sysd[$m]}" -v n="$N" -v hz="$hz" 'BEGIN { printf "%.2f ms", t * 1000 / hz / n }') of it systemd's"
done
diffs=$(paste -d' ' <(ms "${wall[attach]}") <(ms "${wall[clone]}") | awk '{ printf "%.3f ", $1 - $2 }')
echo "# attach - clone, per round: $(stats "$diffs")"
echo "# load: $(cut -d' ' -f1-3 /proc/loadavg) (at the end); $(uname -r); $(systemctl --version | head -n1); /sys/fs/cgroup: $(stat -fc %T /sys/fs/cgroup)"
rs delete -f "$id"
echo "1..0"
