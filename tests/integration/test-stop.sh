#!/bin/bash
# Stopping a container from systemd's side: its init is pid 1 of its namespace and ignores SIGTERM
# unless it handles it, so `systemctl stop` of its scope and `machinectl terminate` end it after the
# unit's 10 s stop timeout (org.systemd.property.TimeoutStopSec sets another), not systemd's 90 s; one
# that handles SIGTERM ends at once, with its own exit status (its trap's: SIGTERM ended it, not the
# timeout's SIGKILL). runscope@.service: test-template.sh.
. "$(dirname "$0")/../lib/common.sh"

IGNORES=$T_WORK/ignores
make_bundle "$IGNORES" /bin/sleep 300
HANDLES=$T_WORK/handles
# It says "up" once its trap is set: until then SIGTERM to it, pid 1 of its namespace, is ignored.
handling='trap "exit 3" TERM; echo up; while :; do sleep 0.1; done'
make_bundle "$HANDLES" /bin/sh -c "$handling"

ms() { echo $(($(date +%s%N) / 1000000)); }
# Stopped, or gone: a foreground run deletes its container once it has stopped.
stopped() { [ "$(rs state "$1" 2>/dev/null | jq -r .status)" = stopped ] || [ ! -e "$T_ROOT/$1" ]; }
registered() { wait_until machinectl show "$1" >/dev/null 2>&1; }
# stopped_within MS CMD...: runs CMD (bounded to 30 s; machinectl terminate does not wait for the
# stop), then waits up to MS for the container $id to stop; prints how long that took.
stopped_within() {
        local limit=$1 start elapsed
        shift
        start=$(ms)
        timeout 30 "$@" >/dev/null 2>&1
        until stopped "$id" || [ $(($(ms) - start)) -ge "$limit" ]; do sleep 0.1; done
        elapsed=$(($(ms) - start))
        echo "#   stopped after $elapsed ms"
        stopped "$id" && [ "$elapsed" -lt "$limit" ]
}

id=$(t_id)
rs run -d -b "$IGNORES" "$id"
t_is "$(systemctl show -P TimeoutStopUSec "runscope-$id.scope")" 10s "a container's scope has a stop timeout of 10 s"
t_ok "systemctl stop of the scope ends a container that ignores SIGTERM within it and a margin (< 20 s)" \
        stopped_within 20000 systemctl stop "runscope-$id.scope"
rs delete -f "$id"

fg_run "$HANDLES" /bin/sh -c "$handling"
wait_until grep -qs up "$T_WORK/fg.out"
id=$FG_ID
systemctl stop "runscope-$id.scope"
t_ok "systemctl stop of the scope ends one that handles SIGTERM" wait_until stopped "$id"
reap "$FG_PID"
t_is "$?" 3 "... at once: run in the foreground returns its trap's exit status"

# The annotation wins over the default; here it keeps the test short.
bundle_edit "$IGNORES" '.annotations["org.systemd.property.TimeoutStopSec"] = "2s"'
id=$(t_id)
rs run -d -b "$IGNORES" "$id"
t_is "$(systemctl show -P TimeoutStopUSec "runscope-$id.scope")" 2s "org.systemd.property.TimeoutStopSec=2s sets the scope's"
t_ok "systemctl stop ends it after that (< 10 s)" stopped_within 10000 systemctl stop "runscope-$id.scope"
rs delete -f "$id"

if command -v machinectl >/dev/null; then
        id=$(t_id)
        rs run -d -b "$IGNORES" "$id"
        t_ok "machinectl terminate ends a container that ignores SIGTERM within its stop timeout (2 s) and a margin (< 10 s)" \
                stopped_within 10000 machinectl terminate "$id"
        rs delete -f "$id"

        fg_run "$HANDLES" /bin/sh -c "$handling"
        wait_until grep -qs up "$T_WORK/fg.out"
        registered "$FG_ID"
        id=$FG_ID
        timeout 30 machinectl terminate "$id"
        t_ok "machinectl terminate ends one that handles SIGTERM" wait_until stopped "$id"
        reap "$FG_PID"
        t_is "$?" 3 "... at once: run in the foreground returns its trap's exit status"
else
        t_skip "machinectl terminate" "machinectl (systemd-container) is not installed"
fi
t_done
