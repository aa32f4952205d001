#!/bin/bash
# What goes wrong around runscope rather than in it: the container's init dying before exec or
# during create, systemd refusing the unit, machined absent, and systemd re-executing or reloading
# (its bus going away mid-call) while containers run. Each gives one clear error or carries on,
# and leaves nothing behind.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300

# The init killed while it waits for start (before exec): start says so, state and delete agree.
id=$(t_id)
rs create -b "$B" "$id"
kill -9 "$(rs state "$id" | jq -r .pid)"
err=$(rs start "$id" 2>&1)
t_is "$?:$(wc -l <<<"$err" | tr -d ' ')" "1:1" "start after the init died before exec: exits 1 with one line"
t_match "$err" "runscope: cannot start a container that has stopped|has stopped" "... saying the container stopped"
t_is "$(rs state "$id" | jq -r .status)" stopped "state says stopped"
rs delete "$id"
t_ok "delete leaves nothing" nothing_left "$id" "runscope-$id.scope"

# The same death seen by start's wait rather than by its first look (the fault build stops start
# between the two, and goes on once the init is dead): the same words, so a client matching them
# need not know which one saw it.
id=$(t_id)
rs create -b "$B" "$id"
pid=$(rs state "$id" | jq -r .pid)
RUNSCOPE_FAULT_STOP=start:before-wait "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" start "$id" \
        >"$T_WORK/start.out" 2>&1 &
spid=$!
wait_until is_stopped "$spid" || echo "# start did not stop before its wait"
kill -9 "$pid"
kill -CONT "$spid"
reap "$spid"
t_is "$?:$(cat "$T_WORK/start.out")" "1:runscope: cannot start a container that has stopped" \
        "start while the init dies: exits 1 with the same line"
rs delete "$id"
t_ok "... and delete leaves nothing" nothing_left "$id" "runscope-$id.scope"

# libsystemd is loaded when first needed (src/util/sd-shim.c): state does without it; create and
# delete without it fail with one line naming the file, and leave nothing.
id=$(t_id)
rs run -d -b "$B" "$id"
out=$(LD_DEBUG=files rs state "$id" 2>"$T_WORK/ld.log" | jq -r .status)
t_is "$out:$(grep -c 'file=libsystemd' "$T_WORK/ld.log")" "running:0" "state does not load libsystemd"
# exec's one call to systemd is spoken directly as root (src/bus/wire.c): through dbus-daemon, or
# on systemd's private socket where there is no dbus-daemon.
out=$(LD_DEBUG=files rs --debug exec "$id" /bin/sh -c 'echo ran' 2>"$T_WORK/ld.log")
t_is "$?:$out:$(grep -c 'file=libsystemd' "$T_WORK/ld.log")" "0:ran:0" "... nor does exec, as root"
t_ok "... which went through dbus-daemon" bash -c "! grep -q 'connect to dbus-daemon directly\\|did not pass exec.s call on' '$T_WORK/ld.log'"
out=$(DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/no-such-bus LD_DEBUG=files rs --debug exec "$id" \
        /bin/sh -c 'echo in; cut -d: -f3 /proc/self/cgroup | sort -u' 2>"$T_WORK/ld.log")
t_is "$?:$out:$(grep -c 'file=libsystemd' "$T_WORK/ld.log")" "0:in
/:0" "exec without dbus-daemon: on the private socket, into the container's unit, no libsystemd"
t_ok "... saying so at debug level" grep -q "Failed to connect to dbus-daemon directly, trying /run/systemd/private" "$T_WORK/ld.log"
# A dbus-daemon that refuses exec's authentication (as it does past a user's 256 connections):
# exec tries once more on the private socket.
systemd-socket-activate -l "$T_WORK/refusing-bus" --accept --inetd sh -c 'printf "REJECTED EXTERNAL\r\n"' 2>/dev/null &
sapid=$!
wait_until listening "$T_WORK/refusing-bus"
out=$(DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T_WORK/refusing-bus" rs --debug exec "$id" \
        /bin/sh -c 'echo in; cut -d: -f3 /proc/self/cgroup | sort -u' 2>"$T_WORK/refused.log")
t_is "$?:$out" "0:in
/" "exec refused by dbus-daemon: on the private socket, into the container's unit"
t_match "$(cat "$T_WORK/refused.log")" "dbus-daemon did not pass exec's call on \((the server refused the authentication|Broken pipe|Connection reset by peer)\)" \
        "... saying so at debug level"
kill "$sapid" 2>/dev/null
wait "$sapid" 2>/dev/null
# Stopped just before its execve, the exec'd process has none of runscope's own fds: not its
# connection to systemd, not the state root; one socket only, to runscope.
RUNSCOPE_FAULT_STOP=exec:before-exec "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" exec "$id" /bin/true &
epid=$!
wait_until stopped_child "$epid" >/dev/null || echo "# the exec'd process did not stop before its execve"
proc=$(stopped_child "$epid")
fds=$(for f in /proc/"$proc"/fd/*; do readlink "$f"; done)
kill -CONT "$proc"
reap "$epid"
t_is "$(grep -c '^socket:' <<<"$fds"):$(grep -c "^$T_ROOT" <<<"$fds")" "1:0" "an exec'd process holds one socket and nothing of the state root"
nolib() { RUNSCOPE_FAULT_LIBSYSTEMD=libsystemd-gone.so.0 "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" "$@"; }
t_is "$(nolib state "$id" | jq -r .status)" running "... and state works without it"
t_is "$(nolib exec "$id" /bin/sh -c 'echo in; cut -d: -f3 /proc/self/cgroup | sort -u')" "in
/" "... and exec too, into the container's unit"
# Without the direct connection, exec goes through sd-bus, into the container's unit all the same.
out=$(LD_DEBUG=files RUNSCOPE_FAULT_DIRECT_SOCKET=/run/no-such-socket "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" \
        exec "$id" /bin/sh -c 'echo in; cut -d: -f3 /proc/self/cgroup | sort -u' 2>"$T_WORK/ld.log")
t_is "$?:$out" "0:in
/" "exec whose direct connection fails: through sd-bus, into the container's unit"
t_ok "... which it loaded for that" grep -q 'file=libsystemd' "$T_WORK/ld.log"
# systemd's error answer to exec's call, read by wire.c: a state naming a unit systemd does not have.
cp "$T_ROOT/$id/state.json" "$T_WORK/state.json"
jq -c '.unit = "runscope-gone.scope"' "$T_WORK/state.json" >"$T_ROOT/$id/state.json"
err=$(rs exec "$id" /bin/true 2>&1)
t_is "$?:$(wc -l <<<"$err" | tr -d ' ')" "1:1" "exec refused by systemd: exits 1 with one line"
t_match "$err" "^runscope: Failed to move process [0-9]+ into unit runscope-gone\\.scope: Unit runscope-gone\\.scope not loaded\\.$" \
        "... with systemd's message"
t_is "$(rs state "$id" | jq -r .status)" running "... and the container runs on"
cat "$T_WORK/state.json" >"$T_ROOT/$id/state.json"
err=$(nolib delete -f "$id" 2>&1)
t_is "$?:$err" "1:runscope: Failed to load libsystemd-gone.so.0, needed to talk to systemd: libsystemd-gone.so.0: cannot open shared object file: No such file or directory" \
        "delete without libsystemd: exits 1 with one line naming the file"
t_is "$(rs state "$id" | jq -r .status)" running "... and the container is untouched"
rs delete -f "$id"
# create connects to systemd's private socket first thing, ahead of need: when that fails, it
# connects where it needs systemd, as before.
idp=$(t_id)
RUNSCOPE_FAULT_DIRECT_SOCKET=/run/no-such-socket "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" --debug \
        run -d -b "$B" "$idp" >/dev/null 2>"$T_WORK/early.log" # a file: the container holds its stderr
t_is "$?" 0 "create whose early connection fails: connects when it needs systemd"
t_match "$(cat "$T_WORK/early.log")" "Failed to connect to /run/no-such-socket ahead, connecting when needed" "... saying so at debug level"
t_is "$(systemctl is-active "runscope-$idp.scope")" active "... and its unit is active"
# delete goes through dbus-daemon; where there is none, through systemd's private socket.
err=$(DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/no-such-bus rs delete -f "$idp" 2>&1)
t_is "$?:$err" "0:" "delete without dbus-daemon: through the private socket, silently"
t_ok "... and leaves nothing" nothing_left "$idp" "runscope-$idp.scope"
# As root, create and run speak to systemd and to machined without libsystemd
# (src/bus/unit-wire.c, machine.c through wire.c): the scope, the machine, and run's stop.
id=$(t_id)
LD_DEBUG=files rs run -d -b "$B" "$id" 2>"$T_WORK/ld.log"
t_is "$?:$(grep -c 'file=libsystemd' "$T_WORK/ld.log")" "0:0" "create as root does not load libsystemd"
t_is "$(systemctl is-active "runscope-$id.scope"):$(machinectl show "$id" -p Unit --value 2>&1)" \
        "active:runscope-$id.scope" "... and its unit is active, its machine registered with that unit"
rs delete -f "$id"
t_ok "... which delete leaves nothing of" nothing_left "$id" "runscope-$id.scope"
make_bundle "$T_WORK/quick" /bin/sh -c 'exit 3'
id=$(t_id)
LD_DEBUG=files rs run -b "$T_WORK/quick" "$id" 2>"$T_WORK/ld.log"
t_is "$?:$(grep -c 'file=libsystemd' "$T_WORK/ld.log")" "3:0" "a foreground run to its end: its exit status, no libsystemd"
t_ok "... and nothing is left (unit, state, machine)" eval "nothing_left $id runscope-$id.scope && ! machinectl show $id >/dev/null 2>&1"
id=$(t_id)
nolib create -b "$B" "$id"
t_is "$?:$(systemctl is-active "runscope-$id.scope")" "0:active" "create without libsystemd, as root: its unit is active"
rs delete -f "$id"
# ... and so do a foreground run that outlives its first second, which lets its connections go and
# makes them again to stop its unit, and a create that fails after its start (the stop, on the
# same connection, at once).
make_bundle "$T_WORK/slow" /bin/sh -c 'sleep 1.5; exit 4'
id=$(t_id)
nolib run -b "$T_WORK/slow" "$id"
t_is "$?" 4 "a foreground run of 1.5 s without libsystemd: its exit status"
t_ok "... and nothing is left (unit, state, machine)" eval "nothing_left $id runscope-$id.scope && ! machinectl show $id >/dev/null 2>&1"
id=$(t_id)
err=$(timeout 8 "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" create --pid-file "$T_WORK/no/such/dir/pid" \
        -b "$B" "$id" 2>&1 </dev/null)
t_is "$?:$(wc -l <<<"$err" | tr -d ' ')" "1:1" "create failing after its start: exits 1 with one line, at once"
t_ok "... and leaves nothing" nothing_left "$id" "runscope-$id.scope"
id=$(t_id)
err=$(RUNSCOPE_FAULT_LIBSYSTEMD=libsystemd-gone.so.0 timeout 8 "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" \
        create --pid-file "$T_WORK/no/such/dir/pid" -b "$B" "$id" 2>&1 </dev/null)
t_is "$?:$(wc -l <<<"$err" | tr -d ' ')" "1:1" "... the same without libsystemd"
t_ok "... and leaves nothing" nothing_left "$id" "runscope-$id.scope"
# Without dbus-daemon (machined unreachable), run's stdin is still the container's.
make_bundle "$T_WORK/cat" /bin/cat
id=$(t_id)
out=$(echo through | DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/no-such-bus rs run -b "$T_WORK/cat" "$id" 2>&1)
t_is "$?:$out" "0:through" "run without dbus-daemon: the container reads run's stdin"
t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"
# Where the private socket fails, create needs sd-bus.
id=$(t_id)
err=$(RUNSCOPE_FAULT_DIRECT_SOCKET=/run/no-such-socket RUNSCOPE_FAULT_LIBSYSTEMD=libsystemd-gone.so.0 \
        "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" create -b "$B" "$id" 2>&1)
t_is "$?:$(wc -l <<<"$err" | tr -d ' ')" "1:1" "create without libsystemd or the private socket: exits 1 with one line"
t_match "$err" "Failed to load libsystemd-gone\\.so\\.0, needed to talk to systemd" "... naming the file"
t_ok "... and leaves nothing" nothing_left "$id" "runscope-$id.scope"

# The init killed during create, by a createRuntime hook (it runs while the launcher waits between
# its mounts and the rest of its set-up); the state on its stdin names the init's pid.
expect_refused "$B" "the init killed during create" "runscope: The launcher died before setting up the container" \
        '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "kill -9 $(sed \"s/.*\\\"pid\\\":\\([0-9]*\\).*/\\1/\")"]}]'

# systemd refusing the unit: a property it does not know, passed through an annotation.
expect_refused "$B" "a unit systemd refuses" "runscope-t[0-9-]+\\.scope|NoSuchProperty|org\\.systemd\\.property" \
        '.annotations["org.systemd.property.NoSuchProperty"] = "1"'

# machined absent: registration is best-effort, the container runs.
systemctl mask --runtime --now systemd-machined.service >/dev/null 2>&1
id=$(t_id)
rs run -d -b "$B" "$id" 2>"$T_WORK/err"
t_is "$?" 0 "without systemd-machined a container still runs"
t_is "$(systemctl is-active "runscope-$id.scope")" active "... in its scope"
rs delete -f "$id"
t_ok "... and delete leaves nothing" nothing_left "$id" "runscope-$id.scope"
systemctl unmask --runtime systemd-machined.service >/dev/null 2>&1

# runscope itself under a seccomp profile that answers clone3 ENOSYS (docker's and podman's
# profiles do, so that libcs fall back to clone): run, a hook and exec still make their processes.
NC3=("$RUNSCOPE_TOP/tests/seccomp-enosys" clone3 --)
"${NC3[@]}" sh -c 'exit 0'
t_is "$?" 0 "the ENOSYS profile helper runs"
make_bundle "$T_WORK/nc3" /bin/sh -c 'exit 7'
id=$(t_id)
"${NC3[@]}" "$RUNSCOPE" --root "$T_ROOT" run -b "$T_WORK/nc3" "$id" 2>"$T_WORK/nc3.err"
t_is "$?:$(cat "$T_WORK/nc3.err")" "7:" "where clone3 is ENOSYS, run falls back to clone: the exit code, no error"
t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"
id=$(t_id)
bundle_edit "$B" '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "cat >/dev/null; echo hook-ran >'"$T_WORK"'/nc3.hook"]}]'
"${NC3[@]}" "$RUNSCOPE" --root "$T_ROOT" run -d -b "$B" "$id" 2>"$T_WORK/nc3.err"
t_is "$(cat "$T_WORK/nc3.hook" 2>/dev/null)" hook-ran "... a hook runs"
t_is "$("${NC3[@]}" "$RUNSCOPE" --root "$T_ROOT" exec "$id" /bin/echo in 2>&1)" in "... exec runs"
"${NC3[@]}" "$RUNSCOPE" --root "$T_ROOT" delete -f "$id"
t_ok "... and delete -f leaves nothing" nothing_left "$id" "runscope-$id.scope"
bundle_edit "$B" 'del(.hooks)'

# A job that never ends: the scope is ordered After= a service whose start never finishes (an
# annotation in runc's GVariant form), so systemd keeps its start job waiting. create gives up
# (the fault build makes the 90 s limit 2 s; without a limit it would hang, ended by timeout 30)
# with one line, and nothing is left.
slow=rs-slow-$$.service
systemd-run --quiet --unit="$slow" --no-block -p Type=oneshot /bin/sleep 300
bundle_edit "$B" --arg a "['$slow']" '.annotations["org.systemd.property.After"] = $a'
id=$(t_id)
err=$(RUNSCOPE_FAULT_JOB_TIMEOUT_SEC=2 timeout 30 "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" create -b "$B" "$id" 2>&1)
t_is "$?:$err" "1:runscope: Timed out waiting for systemd to start runscope-$id.scope" \
        "a start job that never ends: create times out with one line naming the unit"
t_ok "... and nothing is left (no unit, no job, no state, no process)" eval \
        "nothing_left $id runscope-$id.scope && ! systemctl list-jobs --no-legend | grep -q runscope-$id"
systemctl stop "$slow"
bundle_edit "$B" 'del(.annotations)'

# systemd re-executes and reloads while containers run: state names units, so nothing goes stale.
ids=()
for i in 1 2 3; do
        ids+=("$(t_id)")
        rs run -d -b "$B" "${ids[-1]}"
done
systemctl daemon-reexec
systemctl daemon-reload
t_is "$(rs state "${ids[0]}" | jq -r .status)" running "after daemon-reexec and daemon-reload, state still knows the container"
t_is "$(rs exec "${ids[0]}" /bin/echo in)" in "... exec still works"
rs pause "${ids[1]}" && rs resume "${ids[1]}"
t_is "$?" 0 "... pause and resume still work"
rs kill "${ids[2]}" KILL
wait_until status_is "${ids[2]}" stopped
t_is "$(rs state "${ids[2]}" | jq -r .status)" stopped "... kill still works"
for id in "${ids[@]}"; do rs delete -f "$id"; done
t_ok "... and delete leaves nothing" eval "nothing_left ${ids[0]} runscope-${ids[0]}.scope && nothing_left ${ids[1]} runscope-${ids[1]}.scope"

# A foreground run across a daemon-reexec: its connection to systemd is dropped meanwhile, and the
# delete at the end makes a new one. Once after run has let that connection go (the container ran
# a second). Once while run still keeps it, the container ending while systemd re-executes: the
# kept connection, still open then, loses the StopUnit when the new systemd closes it, and the
# delete asks once more on a new one.
# fg_across_reexec START STATUS DESC: a container that exits STATUS once /go exists; systemd
# re-executes START s after the run started, and /go is made 0.05 s after that.
fg_across_reexec() {
        local reexec
        rm -f "$B/rootfs/go"
        fg_run "$B" /bin/sh -c "while [ ! -e /go ]; do sleep 0.01; done; exit $2"
        sleep "$1"
        systemctl daemon-reexec &
        reexec=$!
        sleep 0.05
        touch "$B/rootfs/go"
        reap "$reexec"
        reap "$FG_PID"
        t_is "$?:$(cat "$T_WORK/fg.out")" "$2:" "$3: its exit code, no error"
        t_ok "... and nothing is left" nothing_left "$FG_ID" "runscope-$FG_ID.scope"
}
cp "$B/config.json" "$T_WORK/saved.json"
fg_across_reexec 1.4 5 "run in the foreground across a daemon-reexec"
fg_across_reexec 0.3 6 "... and across one in its first second"
rm -f "$B/rootfs/go"
cp "$T_WORK/saved.json" "$B/config.json"

# Creates racing a daemon-reexec (the bus goes away under some of them): each either runs or fails
# with one line, and nothing half-made is left.
ids=()
for i in $(seq 1 8); do ids+=("$(t_id)"); done
for id in "${ids[@]}"; do
        (rs run -d -b "$B" "$id" >"$T_WORK/race-$id" 2>&1; echo "rc $?" >>"$T_WORK/race-$id") &
done
systemctl daemon-reexec
wait
bad=""
for id in "${ids[@]}"; do
        out=$(cat "$T_WORK/race-$id")
        case $out in
        "rc 0") [ "$(rs state "$id" | jq -r .status)" = running ] || bad+=" $id(not running)" ;;
        *) [ "$(grep -vc '^rc ' <<<"$out")" = 1 ] || bad+=" $id(error: $out)"
           nothing_left "$id" "runscope-$id.scope" || bad+=" $id(left behind after: $out)" ;;
        esac
        rs delete -f "$id" 2>/dev/null
done
t_is "${bad:-none}" none "creates racing daemon-reexec: each ran or failed cleanly with one line"
t_ok "... and after delete nothing is left" eval "$(for id in "${ids[@]}"; do printf 'nothing_left %s runscope-%s.scope && ' "$id" "$id"; done) true"
t_done
