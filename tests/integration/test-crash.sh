#!/bin/bash
# runscope killed (-9) at every step of create, run and delete: afterwards `list` shows the truth,
# and `delete --force` removes every unit, process and state directory. A scope stopped behind
# runscope's back is seen by `state`.
. "$(dirname "$0")/../lib/common.sh"

FAULTY=$RUNSCOPE_TOP/tests/runscope-faults
B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 3131
marker="sleep 3131"

# faulty ARGS...: the fault build with $fault set; a background job, so bash does not report the kill.
faulty() {
        RUNSCOPE_FAULT=$fault "$FAULTY" --root "$T_ROOT" "$@" 2>/dev/null &
        reap $!
}

list_status() { rs list --format json | jq -r --arg id "$1" '.[] | select(.id == $id) | .status'; }
listed_as() { [ "$(list_status "$1")" = "$2" ]; }

no_process() {
        ! pgrep -f "^/bin/$marker\$" >/dev/null && ! pgrep -f "runscope.* $1\$" >/dev/null
}

for fault in create:state-dir create:cloned create:scope create:saved create:released run:started; do
        id=$(t_id)
        faulty run -d -b "$B" "$id" 2>/dev/null
        t_is "$?" 137 "$fault: runscope is killed there"
        case $fault in
        create:state-dir | create:cloned | create:scope) want="" ;;     # nothing was started for good
        create:saved) want=stopped ;;                                   # the launcher died with runscope
        create:released) want=created ;;                                # waits on its exec fifo
        run:started) want=running ;;
        esac
        # A launcher that dies with runscope (PR_SET_PDEATHSIG) takes a moment to go.
        wait_until listed_as "$id" "$want"
        t_is "$(list_status "$id")" "$want" "$fault: list shows it ${want:-not at all}"
        rs delete --force "$id"
        t_is "$?" 0 "$fault: delete --force succeeds"
        t_ok "$fault: no unit and no state are left" nothing_left "$id" "runscope-$id.scope"
        t_ok "$fault: no process is left" no_process "$id"
done

for fault in delete:killed delete:stopped; do
        id=$(t_id)
        rs run -d -b "$B" "$id"
        faulty delete --force "$id" 2>/dev/null
        t_is "$?" 137 "$fault: runscope is killed there"
        # The init was sent SIGKILL before runscope died; its exit takes a moment to be seen.
        wait_until listed_as "$id" stopped
        t_is "$(list_status "$id")" stopped "$fault: list shows it stopped"
        rs delete "$id"
        t_is "$?" 0 "$fault: a plain delete finishes the job"
        t_ok "$fault: no unit and no state are left" nothing_left "$id" "runscope-$id.scope"
        t_ok "$fault: no process is left" no_process "$id"
done

# The scope stopped with systemctl: state says stopped, delete cleans up.
id=$(t_id)
rs run -d -b "$B" "$id"
systemctl stop "runscope-$id.scope"
t_is "$(rs state "$id" | jq -r .status)" stopped "systemctl stop of the scope: state says stopped"
systemctl kill -s KILL "runscope-$id.scope" 2>/dev/null
rs delete "$id"
t_ok "... and delete leaves nothing" nothing_left "$id" "runscope-$id.scope"

id=$(t_id)
rs run -d -b "$B" "$id"
systemctl kill -s KILL "runscope-$id.scope"
wait_until status_is "$id" stopped
t_is "$(rs state "$id" | jq -r .status)" stopped "systemctl kill of the scope: state says stopped"
rs delete "$id"
t_ok "... and delete leaves nothing" nothing_left "$id" "runscope-$id.scope"

# A runscope killed while systemd starts its scope, its launcher ended (PR_SET_PDEATHSIG) before
# systemd moved it in: systemd moves nothing, reports success, and the scope stays active with no
# process, while the state directory holds only the copy of config.json (no state.json).
id=$(t_id)
fault=create:scope-empty faulty run -d -b "$B" "$id" 2>/dev/null
t_is "$?" 137 "create:scope-empty: runscope is killed there"
t_is "$(systemctl show -P ActiveState "runscope-$id.scope")" active "create:scope-empty: an active scope is left"
t_ok "create:scope-empty: ... and no state.json" test ! -e "$T_ROOT/$id/state.json"
t_is "$(systemd-cgls --no-pager -u "runscope-$id.scope" 2>/dev/null | grep -c '─[0-9]')" 0 \
        "create:scope-empty: the scope holds no process"
rs delete --force "$id"
t_is "$?" 0 "create:scope-empty: delete --force succeeds"
t_ok "create:scope-empty: no unit and no state are left" nothing_left "$id" "runscope-$id.scope"
rs run -d -b "$B" "$id"
t_is "$?" 0 "create:scope-empty: run of the same id works afterwards"
rs delete --force "$id"

# kill -9 of run at any moment of its create: delete --force leaves nothing and frees the id.
for ms in 5 7 10 13 16 20 25; do
        id=$(t_id)
        # runscope itself, not a subshell running it (as rs would be), gets the kill.
        "$RUNSCOPE" --root "$T_ROOT" run -d -b "$B" "$id" 2>/dev/null &
        pid=$!
        sleep "$(printf '0.%03d' "$ms")"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        rs delete --force "$id"
        t_is "$?" 0 "kill -9 after $ms ms: delete --force succeeds"
        t_ok "kill -9 after $ms ms: no unit and no state are left" nothing_left "$id" "runscope-$id.scope"
        t_ok "kill -9 after $ms ms: no process is left" no_process "$id"
        rs run -d -b "$B" "$id"
        t_is "$?" 0 "kill -9 after $ms ms: run of the same id works afterwards"
        rs delete --force "$id"
done
t_done
