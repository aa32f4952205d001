#!/bin/bash
# create, start, state, kill, delete and list, with runc's statuses, outputs and exit codes.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300

id=$(t_id)
rs create -b "$B" --pid-file "$T_WORK/pid" "$id"
t_is "$?" 0 "create succeeds"
t_is "$(rs state "$id" | jq -r .status)" created "state says created"
pid=$(rs state "$id" | jq -r .pid)
t_is "$(cat "$T_WORK/pid")" "$pid" "--pid-file holds the init's pid"
t_is "$(systemctl is-active "runscope-$id.scope")" active "the scope exists from create on"
t_match "$(tr '\0' ' ' </proc/$pid/cmdline)" "runscope" "the process has not exec'd before start"
t_is "$(rs list -q | grep -c "^$id\$")" 1 "list -q shows the id"
t_is "$(rs list --format json | jq -r --arg id "$id" '.[] | select(.id == $id) | .status')" created \
        "list --format json shows it created"
t_match "$(rs list)" "^ID +PID +STATUS +BUNDLE" "list prints runc's table header"

rs start "$id"
t_is "$?" 0 "start succeeds"
t_is "$(rs state "$id" | jq -r .status)" running "state says running"
t_match "$(tr '\0' ' ' </proc/$pid/cmdline)" "^/bin/sleep 300" "the init is now the container's process"
rs start "$id" 2>/dev/null
t_is "$?" 1 "start of a running container fails"

rs delete "$id" 2>"$T_WORK/err"
t_is "$?" 1 "delete without --force of a running container fails"
t_match "$(cat "$T_WORK/err")" "not stopped" "... saying it is not stopped"

rs kill "$id" KILL
t_is "$?" 0 "kill KILL succeeds"
wait_until status_is "$id" stopped
t_is "$(rs state "$id" | jq -r '.status + " " + (.pid|tostring)')" "stopped 0" "state says stopped, pid 0"
rs kill "$id" KILL 2>"$T_WORK/err"
t_is "$?:$(cat "$T_WORK/err")" "1:runscope: container not running" "kill of a stopped container: runc's error"
rs delete "$id"
t_is "$?" 0 "delete of a stopped container succeeds"
t_ok "nothing is left" nothing_left "$id" "runscope-$id.scope"
rs state "$id" 2>"$T_WORK/err"
t_is "$?:$(cat "$T_WORK/err")" "1:runscope: container $id does not exist" "state of a deleted container: does not exist"
rs delete "$id" 2>"$T_WORK/err"
t_is "$?:$(cat "$T_WORK/err")" "1:runscope: container $id does not exist" "delete of a deleted container: does not exist"
# containerd's cleanup runs `delete --force` after every delete: runc and crun exit 0, silently.
t_is "$(rs delete --force "$id" 2>&1; echo "rc=$?")" "rc=0" "delete --force of a deleted container succeeds, silently"
t_is "$(rs delete --force ../x 2>&1; echo "rc=$?")" "runscope: Invalid container id '../x': use letters, digits and _+-. and do not start with - or .
rc=1" "... but not for an invalid id"

# A created container can be deleted without --force, as in runc.
id=$(t_id)
rs create -b "$B" "$id"
rs delete "$id"
t_is "$?" 0 "delete of a created container succeeds"
t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"

# kill --all reaches every process of the unit; TERM by default reaches a handler in the init (once
# it is set: until then the init, pid 1 of its namespace, ignores TERM).
id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/sh","-c","trap \"exit 42\" TERM; echo up; sleep 300 & wait"]'
rs run -d -b "$B" "$id" >"$T_WORK/up.out"
wait_until grep -qs up "$T_WORK/up.out"
rs kill "$id"
wait_until status_is "$id" stopped
t_is "$(rs state "$id" | jq -r .status)" stopped "kill sends TERM by default"
rs delete "$id"

id=$(t_id)
rs run -d -b "$B" "$id"
rs kill --all "$id" SIGKILL
wait_until status_is "$id" stopped
t_is "$(rs state "$id" | jq -r .status)" stopped "kill --all SIGKILL stops the container"
rs delete "$id"
t_ok "... and delete leaves nothing" nothing_left "$id" "runscope-$id.scope"

# Without a pid namespace of its own, what the init started outlives it: kill --all still reaches it
# (as in runc; containerd's shim sends `kill --all ID 9` when such an init exits), and kill without
# --all says the container is not running.
id=$(t_id)
# The init ends once its child is sleep (not the shell it forked yet).
bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "sleep 3001 & until grep -q 3001 /proc/$!/cmdline; do sleep 0.05; done"]
        | .linux.namespaces |= map(select(.type != "pid"))'
rs run -d -b "$B" "$id"
wait_until status_is "$id" stopped
left=$(pgrep -fx "sleep 3001")
t_match "$left" "^[0-9]+$" "an init without a pid namespace exits and leaves its child"
t_is "$(rs kill "$id" KILL 2>&1)" "runscope: container not running" "... kill says not running"
rs kill --all "$id" KILL
t_is "$?" 0 "... kill --all succeeds"
wait_until gone "$left"
t_ok "... and kills the child" bash -c "! kill -0 $left 2>/dev/null"
rs delete "$id"
rs kill --all "$id" KILL 2>/dev/null
t_is "$?" 1 "kill --all of a deleted container fails"
bundle_edit "$B" '.process.args = ["/bin/sh","-c","trap \"exit 42\" TERM; sleep 300 & wait"]'

# The same id is usable again right after delete --force (podman does this).
id=$(t_id)
rs run -d -b "$B" "$id" && rs delete -f "$id" && rs run -d -b "$B" "$id"
t_is "$?" 0 "an id is reusable right after delete --force"
rs delete -f "$id"

t_is "$("$RUNSCOPE" --version | head -n1)" "runscope version 0.1.0" "--version prints runc's form"
t_done
