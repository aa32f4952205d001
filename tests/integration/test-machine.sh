#!/bin/bash
# Containers register with systemd-machined: machinectl list, status, copy-to/-from, kill and
# terminate act on them, and runscope state then reports what happened; bind is refused.
. "$(dirname "$0")/../lib/common.sh"

if ! command -v machinectl >/dev/null; then
        t_skip "machinectl integration" "machinectl (systemd-container) is not installed"
        t_done
        exit 0
fi

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
bundle_edit "$B" '.root.readonly = false'
listed() { machinectl list --no-legend --no-pager 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }
not_listed() { ! listed "$1"; }
unknown() { ! machinectl show "$1" >/dev/null 2>&1; }
wait_stopped() { wait_until status_is "$1" stopped; }

id=$(t_id)
rs run -d -b "$B" "$id"
t_ok "machinectl list shows the container" listed "$id"
t_is "$(rs state "$id" | jq -r .machine)" "$id" "state names the machine"
status=$(machinectl status --no-pager "$id")
t_match "$status" "Unit: runscope-$id.scope" "machinectl status shows its unit"
t_match "$status" "Service: runscope; class container" "... its service and class"
t_match "$status" "Leader: $(rs state "$id" | jq -r .pid)" "... and its leader, the container's init"
t_match "$status" "Root: $B/rootfs" "... and its root directory"
# machined's BindMount needs the directory systemd-nspawn sets up for it (/run/systemd/nspawn/
# propagate/NAME, a shared mount that reaches the container as /run/host/incoming): runscope makes
# none, so machined refuses, as README.md says, and nothing is mounted.
mkdir -p "$T_WORK/bindsrc"
err=$(machinectl bind --mkdir "$id" "$T_WORK/bindsrc" /mnt/bound 2>&1)
t_is "$?:$err" "1:Failed to bind mount: Failed to mount $T_WORK/bindsrc on /mnt/bound in machine's namespace: Operation not supported" \
        "machinectl bind is refused by machined: no mount propagation directory"
t_ok "... and nothing is mounted in the container" not_contains "$(rs exec "$id" cat /proc/self/mountinfo)" " /mnt/bound "
echo "to the container" >"$T_WORK/in.txt"
machinectl copy-to "$id" "$T_WORK/in.txt" /tmp/in.txt
t_is "$(cat "$B/rootfs/tmp/in.txt")" "to the container" "machinectl copy-to writes into the container"
echo "from the container" >"$B/rootfs/tmp/out.txt"
machinectl copy-from "$id" /tmp/out.txt "$T_WORK/out.txt"
t_is "$(cat "$T_WORK/out.txt")" "from the container" "machinectl copy-from reads from it"
machinectl terminate "$id"
t_ok "machinectl terminate stops it, and state says stopped" wait_stopped "$id"
rs delete "$id"
t_ok "... and after delete the machine is gone" unknown "$id"

id=$(t_id)
rs run -d -b "$B" "$id"
machinectl kill --signal=KILL "$id"
t_ok "machinectl kill --signal=KILL kills it, and state says stopped" wait_stopped "$id"
rs delete "$id"

id=$(t_id)
rs run -d -b "$B" "$id"
rs delete -f "$id"
t_ok "delete --force of a running container unregisters the machine" not_listed "$id"

id=$(t_id)
"$RUNSCOPE" --root "$T_ROOT" --no-machine run -d -b "$B" "$id"
t_ok "--no-machine keeps it out of machinectl" unknown "$id"
t_is "$(rs state "$id" | jq -r '.machine // "none"')" none "... and state names no machine"
rs delete -f "$id"

id=$(t_id)
bundle_edit "$B" '.annotations["org.runscope.machine"] = "false"'
rs run -d -b "$B" "$id"
t_ok "the annotation org.runscope.machine=false keeps it out" unknown "$id"
rs delete -f "$id"

# run in the foreground: registered while it runs, unregistered by the time run returns (on the
# connection create opened), and the same id at once again (as podman re-creates an id).
bundle_edit "$B" 'del(.annotations["org.runscope.machine"])'
cp -r "$B" "$T_WORK/fg"
bundle_edit "$T_WORK/fg" '.process.args = ["/bin/sh", "-c", "cat /proc/1/cgroup >/dev/null; exit 3"]'
id=$(t_id)
err=$(rs run -b "$T_WORK/fg" "$id" 2>&1)
t_is "$?:$err" "3:" "a foreground run exits with its process's status and says nothing"
t_ok "... and leaves no machine" unknown "$id"
err=$(rs run -b "$T_WORK/fg" "$id" 2>&1)
t_is "$?:$err" "3:" "... the same id again at once: no warning from machined"
t_ok "... and no machine left either" unknown "$id"
# A container that ends at once is deleted through the connections that created it: one to
# systemd's private socket, one to machined (its Varlink socket where it listens, else dbus-daemon
# after a connect there that fails), and no other.
# connects ARG...: runs `runscope ARG...` under strace; prints its status, its output, and how many
# times it connected to each socket.
connects() {
        local out rc
        out=$(strace -f -qq -e trace=connect -o "$T_WORK/connects" "$RUNSCOPE" --root "$T_ROOT" "$@" 2>&1)
        rc=$?
        echo "$rc:$out" "$(grep -o 'sun_path="[^"]*"' "$T_WORK/connects" | sort | uniq -c | awk '{ print $1, $2 }' | tr '\n' ' ')"
}
machined='1 sun_path="/run/dbus/system_bus_socket" 1 sun_path="/run/systemd/machine/io.systemd.Machine" '
! listening /run/systemd/machine/io.systemd.Machine || machined='1 sun_path="/run/systemd/machine/io.systemd.Machine" '
t_is "$(connects run -b "$T_WORK/fg" "$id")" \
        "3: ${machined}1 sun_path=\"/run/systemd/private\" " \
        "... a run that ends at once connects once to systemd and once to machined"
t_ok "... and leaves no machine" unknown "$id"
t_is "$(connects --no-machine run -b "$T_WORK/fg" "$id")" '3: 1 sun_path="/run/systemd/private" ' \
        "... with --no-machine, once to systemd alone"
# A container that runs until the test makes /tmp/done in its root.
bundle_edit "$T_WORK/fg" '.process.args = ["/bin/sh", "-c", "while [ ! -e /tmp/done ]; do sleep 0.05; done"]'
# Run keeps its two connections for a second; the fault build keeps them until the test has looked.
id=$(t_id)
rm -f "$T_WORK/fg/rootfs/tmp/done"
RUNSCOPE_FAULT_KEEP_BUS_SEC=3600 "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" run -b "$T_WORK/fg" "$id" &
rpid=$!
wait_until listed "$id"
t_ok "... while it runs, it is a machine" listed "$id"
t_is "$(ss -xpH | grep -c "pid=$rpid,")" 2 "... and run keeps its two connections at first"
touch "$T_WORK/fg/rootfs/tmp/done"
reap "$rpid"
# Once the container has run a second, run holds no connection: dbus-daemon allows a user 256, and
# systemd sends every job signal to each connection on its private socket.
id=$(t_id)
rm -f "$T_WORK/fg/rootfs/tmp/done"
rs run -b "$T_WORK/fg" "$id" &
rpid=$!
wait_until listed "$id"
rspid=$(pgrep -f -- "run -b $T_WORK/fg $id\$")
# Polled, not slept: on a loaded machine (the sanitizer build, two cores) machined's answer, which
# run waits for before it lets that connection go, can take longer than the second.
on_bus() { busctl list --no-legend --unique | awk -v p="$rspid" '$2 == p' | wc -l; }
let_go() { [ "$(on_bus)" = 0 ] && [ "$(ss -xpH | grep -c "pid=$rspid,")" = 0 ]; }
wait_until let_go
t_is "$(on_bus)" 0 "... and none to dbus-daemon after a second"
t_is "$(ss -xpH | grep -c "pid=$rspid,")" 0 "... nor to systemd"
t_ok "... while its container still runs" kill -0 "$rspid"
touch "$T_WORK/fg/rootfs/tmp/done"
reap "$rpid"
t_ok "... and once run returns, it is not" unknown "$id"
# The same when machined's answer came with the registration's own send (sd-bus read it then, and
# the socket is not readable for it again): the fault build pauses a second once it has sent, as a
# runscope descheduled there under load, and reads the answer on the next turn. The connection was
# kept for the container's life (found by tests/integration/loaded.sh).
id=$(t_id)
rm -f "$T_WORK/fg/rootfs/tmp/done"
RUNSCOPE_FAULT_PAUSE=machine:sent "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" run -b "$T_WORK/fg" "$id" &
rpid=$!
rspid=$rpid
wait_until listed "$id"
wait_until let_go
t_is "$(on_bus)" 0 "... none to dbus-daemon after a second when machined's answer came with the send"
t_is "$(ss -xpH | grep -c "pid=$rspid,")" 0 "... nor to systemd"
touch "$T_WORK/fg/rootfs/tmp/done"
reap "$rpid"
t_ok "... and once run returns, it is not a machine" unknown "$id"

# A foreground run reads machined's answer while its container runs: with machined stopped, the
# container still gets the signals run receives, and run returns once machined has answered.
# The container says when its trap is set: until then, SIGTERM to its init (pid 1 of its namespace)
# would be ignored.
cp -r "$T_WORK/fg" "$T_WORK/slow"
trapping='trap "exit 7" TERM; touch /tmp/up; while :; do sleep 0.05; done'
machined=$(pgrep -x systemd-machine)
kill -STOP "$machined"
rm -f "$T_WORK/slow/rootfs/tmp/up"
fg_run "$T_WORK/slow" /bin/sh -c "$trapping"
wait_until test -e "$T_WORK/slow/rootfs/tmp/up"
kill -TERM "$(pgrep -f -- "run -b $T_WORK/slow $FG_ID\$")"
wait_until status_is "$FG_ID" stopped
t_is "$(rs state "$FG_ID" | jq -r .status)" stopped "run forwards a signal while machined has not answered yet"
kill -CONT "$machined"
reap "$FG_PID"
t_is "$?:$(cat "$T_WORK/fg.out")" "7:" "... and returns the container's status once machined answers"
t_ok "... leaving no machine" unknown "$FG_ID"

# The same once run has let its connections go (after a second): it does not wait for the answer
# there either, and keeps only the connection the answer will come on.
# Run has let them go when it holds a single connection: it held two until then.
holds() { [ "$(ss -xpH | grep -c "pid=$1,")" = "$2" ]; }
kill -STOP "$machined"
rm -f "$T_WORK/slow/rootfs/tmp/up"
fg_run "$T_WORK/slow" /bin/sh -c "$trapping"
wait_until test -e "$T_WORK/slow/rootfs/tmp/up"
rspid=$(pgrep -f -- "run -b $T_WORK/slow $FG_ID\$")
wait_until holds "$rspid" 1
kill -TERM "$rspid"
wait_until status_is "$FG_ID" stopped
t_is "$(rs state "$FG_ID" | jq -r .status)" stopped "run forwards a signal after its first second while machined has not answered"
t_is "$(ss -xpH | grep -c "pid=$rspid,")" 1 "... holding only the connection machined's answer comes on"
kill -CONT "$machined"
reap "$FG_PID"
t_is "$?:$(cat "$T_WORK/fg.out")" "7:" "... and returns the container's status once machined answers"
t_ok "... leaving no machine" unknown "$FG_ID"

# A create that fails after the registration went out (a createRuntime hook runs after it): the
# machine is undone with the rest.
id=$(t_id)
cp -r "$B" "$T_WORK/hookfail"
bundle_edit "$T_WORK/hookfail" '.hooks.createRuntime = [{path: "/bin/false"}]'
expect_clean 1 "a createRuntime hook that fails after the registration" "createRuntime|/bin/false" "$id" \
        create -b "$T_WORK/hookfail" "$id"
t_ok "... leaves no machine" unknown "$id"

id="x+$(t_id)"
echo "$id" >>"$T_IDS"
rs run -d -b "$B" "$id"
name=$(rs state "$id" | jq -r .machine)
t_match "$name" "^x-t[0-9-]+-[0-9a-f]{8}\$" "an id that is no machine name is mapped (+ -> -, plus a hash)"
t_ok "... and registered under that name" listed "$name"
rs delete -f "$id"

# '_' is in many ids (podman's pod infra, compose names) and in no machine name: machined refused it
# as it was ("Invalid machine name"), and run and create said so on stderr, which podman and
# containerd's shim read. Now it is mapped, and nothing is said.
id="$(t_id)_a_b"
echo "$id" >>"$T_IDS"
# (Into files: the created container holds what create's stdout and stderr are.)
rs create -b "$B" "$id" >"$T_WORK/create.out" 2>&1
t_is "$?:$(cat "$T_WORK/create.out")" "0:" "an id with '_': create succeeds and says nothing"
name=$(rs state "$id" | jq -r .machine)
t_match "$name" "^t[0-9]+-[0-9]+-a-b-[0-9a-f]{8}\$" "... state names its machine, '_' -> '-', plus a hash"
t_ok "... machinectl list shows it" listed "$name"
status=$(machinectl status --no-pager "$name")
t_match "$status" "Unit: runscope-$id.scope" "... machinectl status of that name shows its unit"
t_match "$status" "Leader: $(rs state "$id" | jq -r .pid)" "... and its leader"
rs start "$id"
rs delete -f "$id"
t_ok "... and delete unregisters it" unknown "$name"
id="$(t_id)_fg"
echo "$id" >>"$T_IDS"
cp -r "$B" "$T_WORK/us"
bundle_edit "$T_WORK/us" '.process.args = ["/bin/sh", "-c", "exit 3"]'
err=$(rs run -b "$T_WORK/us" "$id" 2>&1)
t_is "$?:$err" "3:" "... a foreground run of such an id: its status, and nothing on stderr"
long="$(t_id)-$(printf 'x%.0s' $(seq 1 70))"
echo "$long" >>"$T_IDS"
rs run -d -b "$B" "$long" >"$T_WORK/run.out" 2>&1
t_is "$?:$(cat "$T_WORK/run.out")" "0:" "an id of more than 64 characters: run -d says nothing"
name=$(rs state "$long" | jq -r .machine)
t_is "${#name}" 64 "... its machine name is cut to 64, hash included"
t_ok "... and registered under it" listed "$name"
rs delete -f "$long"

# dbus-daemon restarted while a foreground run runs, and still nothing is left. Once after run has
# let its connection to dbus-daemon go (the container ran a second): it connects anew for machined's
# UnregisterMachine and systemd's StopUnit at the end. Once while it still keeps it: found gone at
# the end, it is replaced for the UnregisterMachine. Last here: the other tests need not share a bus
# restarted under them.
# fg_across_dbus_restart SLEEP STATUS DESC: runs sleep SLEEP (killed if 1000, once run has let its
# connections go), restarts dbus-daemon.
fg_across_dbus_restart() {
        fg_run "$T_WORK/fg" /bin/sleep "$1"
        wait_until listed "$FG_ID"
        if [ "$1" = 1000 ]; then
                wait_until holds "$(pgrep -f -- "run -b $T_WORK/fg $FG_ID\$")" 0 ||
                        echo "# run still held a connection after $T_WAIT s"
        fi
        systemctl restart dbus.service
        wait_until busctl status org.freedesktop.machine1 >/dev/null 2>&1
        [ "$1" = 1000 ] && rs kill "$FG_ID" KILL
        reap "$FG_PID"
        t_is "$?:$(cat "$T_WORK/fg.out")" "$2:" "$3: the container's status, no error"
        t_ok "... and it leaves nothing" nothing_left "$FG_ID" "runscope-$FG_ID.scope"
        t_ok "... no machine either" unknown "$FG_ID"
}
fg_across_dbus_restart 1000 137 "run across a dbus-daemon restart"
fg_across_dbus_restart 0.7 0 "run across a dbus-daemon restart in its first second"
t_done
