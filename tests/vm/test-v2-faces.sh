#!/bin/bash
# runscope's other faces on a pure cgroup v2 host (tests/vm/run.sh): machinectl lists, shows and
# terminates a container, registered over machined's Varlink socket (D-Bus when machined is not
# running); runscope@NAME.service runs one in its own cgroup's payload child with the
# bundle's limits in force there, execs into it, and leaves nothing once stopped; runscope-run's
# -p properties are what the container reads in its cgroup files.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
# poll SECONDS CMD...: until CMD succeeds, for at most SECONDS (times T_SLOW).
poll() {
        local n=$(($1 * 10 * ${T_SLOW:-1})) i
        shift
        for i in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
        return 1
}
listed() { machinectl list --no-legend --no-pager 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }
unknown() { ! machinectl show "$1" >/dev/null 2>&1; }
stopped() { [ "$(rs state "$1" | jq -r .status)" = stopped ]; }

# systemd 257's machined answers on its Varlink socket: runscope registers there, not through
# dbus-daemon (tests/lib/machine-bus.sh watches the bus). machined is started first (a D-Bus call
# activates it; its socket is there once it runs).
. "$RUNSCOPE_TOP/tests/lib/machine-bus.sh"
trap 'kill "$MACHINE_BUS_PID" 2>/dev/null; t_cleanup' EXIT
machine_bus_watch "$T_WORK/monitor.out"
t_ok "systemd-machined listens on its Varlink socket" wait_until listening /run/systemd/machine/io.systemd.Machine
id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null 2>&1
t_ok "machinectl list shows the container" listed "$id"
wait_until machine_bus_mark mark-1
t_is "$(machine_bus_calls machine-bus-start mark-1)" "" "... registered over Varlink, not through dbus-daemon"
status=$(machinectl status --no-pager "$id")
t_match "$status" "Unit: runscope-$id.scope" "machinectl status shows its unit"
t_match "$status" "Leader: $(rs state "$id" | jq -r .pid)" "... and its leader, the container's init"
machinectl terminate "$id"
t_ok "machinectl terminate stops it, and state says stopped" poll 5 stopped "$id"
rs delete "$id"
t_ok "... after delete the machine is gone" unknown "$id"
t_ok "... and so are the unit and the state" nothing_left "$id" "runscope-$id.scope"
t_is "$(find /sys/fs/cgroup -name "runscope-$id.scope")" "" "... and the cgroup"
wait_until machine_bus_mark mark-2
t_is "$(machine_bus_calls mark-1 mark-2)" "" "... unregistered over Varlink too"

# machined stopped (no socket, or nobody listening on it): run goes over D-Bus, which starts
# machined again.
systemctl stop systemd-machined
id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null 2>&1
t_ok "with machined stopped, run -d registers the container all the same" listed "$id"
rs delete -f "$id"
t_ok "... delete unregisters it" unknown "$id"
wait_until machine_bus_mark mark-3
t_is "$(machine_bus_calls mark-2 mark-3)" "RegisterMachine $id" "... registered through dbus-daemon, unregistered over Varlink"
kill "$MACHINE_BUS_PID"

# runscope@NAME.service, its bundle's memory and pids limits applied to the service.
name=v2tpl$$
unitdir=/run/systemd/system
bundles=$T_WORK/bundles
trap 'systemctl stop "runscope@$name.service" 2>/dev/null; rm -rf "$unitdir/runscope@.service" "$unitdir/runscope@.service.d";
      systemctl daemon-reload; t_cleanup' EXIT
mkdir -p "$unitdir/runscope@.service.d"
sed "s|@bindir@|$RUNSCOPE_TOP|g" "$RUNSCOPE_TOP/units/runscope@.service.in" >"$unitdir/runscope@.service"
printf '[Service]\nEnvironment=RUNSCOPE_BUNDLES=%s\n' "$bundles" >"$unitdir/runscope@.service.d/test.conf"
systemctl daemon-reload
mkdir -p "$bundles"
cp -r "$B" "$bundles/$name"
bundle_edit "$bundles/$name" '.linux.resources = {memory: {limit: 50331648}, pids: {limit: 25}}'
systemctl start "runscope@$name.service"
t_is "$(systemctl is-active "runscope@$name.service")" active "systemctl start runscope@NAME: the service is active"
pid=$("$RUNSCOPE" state "$name" | jq -r .pid)
cg=$(systemctl show -P ControlGroup "runscope@$name.service")
t_is "$(cat "/proc/$pid/cgroup")" "0::$cg/payload" "the container lives in the service's cgroup, in its payload child"
t_is "$(systemctl show -P MemoryMax "runscope@$name.service") $(cat "/sys/fs/cgroup$cg/memory.max")" "50331648 50331648" \
        "the bundle's memory limit is the service's, in its cgroup file"
t_is "$(systemctl show -P TasksMax "runscope@$name.service") $(cat "/sys/fs/cgroup$cg/pids.max")" "25 25" "... and its pids limit"
t_ok "machinectl lists it" listed "$name"
out=$("$RUNSCOPE" exec "$name" /bin/sh -c 'cat /proc/self/cgroup; echo ok')
t_is "$?:$(tail -n1 <<<"$out")" "0:ok" "exec into the service's container runs"
systemctl stop "runscope@$name.service"
t_is "$(systemctl is-active "runscope@$name.service")" inactive "systemctl stop stops it"
t_ok "... no state is left" test ! -e "/run/runscope/$name"
t_ok "... nor the service's cgroup" test ! -e "/sys/fs/cgroup$cg"
t_ok "... nor the machine" unknown "$name"

# runscope-run: what -p sets is what the container reads in its cgroup namespace.
RR=$RUNSCOPE_TOP/runscope-run
out=$("$RR" --root "$T_ROOT" -q -p MemoryMax=64M -p TasksMax=20 -p CPUQuota=50% -p AllowedCPUs=0 -- /bin/sh -c \
        'cd /sys/fs/cgroup && cat memory.max pids.max cpu.max cpuset.cpus.effective')
t_is "$?:$(echo $out)" "0:67108864 20 50000 100000 0" "runscope-run -p: the container reads its limits in /sys/fs/cgroup"
"$RR" --root "$T_ROOT" -q /bin/sh -c 'exit 5'
t_is "$?" 5 "runscope-run exits with the command's status"
"$RR" --root "$T_ROOT" -q --service --wait --unit "v2svc-$$" -p MemoryMax=32M /bin/sh -c 'exit 7'
t_is "$?" 7 "--service --wait: a transient service's container, its status returned"
t_ok "... and no unit is left" unit_gone "v2svc-$$.service"
t_done
