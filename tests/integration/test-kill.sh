#!/bin/bash
# kill: a catchable signal the init traps ends it, and delete then always finds it stopped; kill ID 0
# says whether the container is alive; the default signal (TERM) stops a detached container.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/true
bundle_edit "$B" '.root.readonly = false'

wait_status() { wait_until status_is "$1" "$2"; }

# kill_then_delete SIG N: N times, a container whose init traps SIG and exits is sent SIG; once its
# state says stopped, delete (without --force) must succeed. Prints the failures.
kill_then_delete() {
        local sig=$1 n=$2 i id fails=0 err
        bundle_edit "$B" --arg s "$sig" '.process.args = ["/bin/sh", "-c", "trap \"exit 5\" \($s); echo up >/tmp/up; while :; do sleep 0.05; done"]'
        for i in $(seq 1 "$n"); do
                id=$(t_id)
                rs run -d -b "$B" "$id" || { echo "#   $sig #$i: run failed"; fails=$((fails + 1)); continue; }
                wait_until test -e "$B/rootfs/tmp/up"
                rm -f "$B/rootfs/tmp/up"
                if ! err=$(rs kill "$id" "$sig" 2>&1); then
                        echo "#   $sig #$i: kill: $err"; fails=$((fails + 1))
                elif ! wait_status "$id" stopped; then
                        echo "#   $sig #$i: still $(rs state "$id" | jq -r .status) $T_WAIT s after kill"; fails=$((fails + 1))
                elif ! err=$(rs delete "$id" 2>&1); then
                        echo "#   $sig #$i: delete: $err"; fails=$((fails + 1))
                fi
                rs delete -f "$id" >/dev/null 2>&1
        done
        return "$fails"
}
for sig in USR1 USR2 TERM HUP; do
        t_ok "kill $sig to an init that traps it, then delete: 20 of 20" kill_then_delete "$sig" 20
done
# An init that exits stays in the kernel's exit path until every process of its pid namespace is
# reaped, by parents that may be outside it: here an exec's runscope, stopped. The container has
# stopped all the same: the exiting init is no longer "running", and delete succeeds. (Seen as
# "cannot delete container ... that is not stopped: running" after a successful kill.)
# (Signalled once its trap is set: until then the init, pid 1 of its namespace, ignores USR2.)
bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "trap \"exit 5\" USR2; echo up >/tmp/up; while :; do sleep 0.05; done"]'
id=$(t_id)
rm -f "$B/rootfs/tmp/up"
rs run -d -b "$B" "$id"
"$RUNSCOPE" --root "$T_ROOT" exec "$id" /bin/sleep 1000 &
ex=$!
wait_until pgrep -fx "/bin/sleep 1000" >/dev/null
wait_until test -e "$B/rootfs/tmp/up"
kill -STOP "$ex"
rs kill "$id" USR2
t_ok "an init exiting while its namespace holds an unreaped process is stopped" wait_status "$id" stopped
err=$(rs delete "$id" 2>&1)
t_is "$?:$err" "0:" "... and delete succeeds"
t_ok "... and leaves nothing" nothing_left "$id" "runscope-$id.scope"
kill -CONT "$ex"
reap "$ex"
# kill ID 0 checks that the container is alive, as in runc: 0 while it runs, 1 with one line after.
bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "trap \"exit 0\" TERM; echo up >/tmp/up; while :; do sleep 0.05; done"]'
id=$(t_id)
rs run -d -b "$B" "$id"
err=$(rs kill "$id" 0 2>&1)
t_is "$?:$err" "0:" "kill ID 0 of a running container exits 0, silently"
t_is "$(rs state "$id" | jq -r .status)" running "... and leaves it running"
rs kill "$id" KILL
wait_status "$id" stopped
err=$(rs kill "$id" 0 2>&1)
t_is "$?:$err" "1:runscope: container not running" "kill ID 0 of a stopped container exits 1 with one line"
rs delete "$id"

# kill with the default signal (TERM) stops a detached container whose init traps TERM, whatever
# its caller ignored or blocked: the container's process starts with every signal at its default,
# unblocked (as in runc and crun); a shell cannot trap a signal it started with ignored.
for how in "trap '' TERM HUP USR1" "trap : TERM"; do
        id=$(t_id)
        rm -f "$B/rootfs/tmp/up"
        (eval "$how"; rs run -d -b "$B" "$id")
        wait_until test -e "$B/rootfs/tmp/up" # its trap is set
        pid=$(rs state "$id" | jq -r .pid)
        # HUP, USR1 and TERM (bits 0, 9 and 14); the shell ignores QUIT itself (under runc and crun too).
        blk=$(awk '/^SigBlk/ { print $2 }' "/proc/$pid/status")
        ign=$(awk '/^SigIgn/ { print $2 }' "/proc/$pid/status")
        t_is "$blk $((0x$ign & 0x4201))" "0000000000000000 0" \
                "run -d from a caller with $how: the init has no signal blocked, nor HUP, USR1, TERM ignored"
        rs kill "$id"
        t_is "$?" 0 "kill (TERM) of that detached container succeeds"
        t_ok "... and the container stops" wait_status "$id" stopped
        rs delete -f "$id"
done
t_done
