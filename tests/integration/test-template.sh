#!/bin/bash
# runscope@.service: `systemctl start runscope@NAME` runs the bundle NAME inside the service's own
# delegated cgroup, becomes active once the container runs (or, opted in by an annotation, when it
# says READY=1), and stop (within 10 s for a container that ignores SIGTERM), kill and Restart=
# behave as for any service.
. "$(dirname "$0")/../lib/common.sh"

name=rstpl$$
unitdir=/run/systemd/system
bundles=$T_WORK/bundles
cleanup_units() {
        systemctl stop "runscope@$name.service" "runscope@${name}b.service" "runscope@${name}s.service" \
                "runscope@${name}d.service" "runscope@${name}u.service" 2>/dev/null
        rm -rf "$unitdir/runscope@.service" "$unitdir/runscope@.service.d"
        systemctl daemon-reload
}
trap 'cleanup_units; t_cleanup' EXIT

mkdir -p "$unitdir/runscope@.service.d"
sed "s|@bindir@|$RUNSCOPE_TOP|g" "$RUNSCOPE_TOP/units/runscope@.service.in" >"$unitdir/runscope@.service"
printf '[Service]\nEnvironment=RUNSCOPE_BUNDLES=%s\nTimeoutStartSec=20\n' "$bundles" >"$unitdir/runscope@.service.d/test.conf"
systemctl daemon-reload

ms() { echo $(($(date +%s%N) / 1000000)); }
unit_is() { [ "$(systemctl is-active "$1")" = "$2" ]; }
# wait_state UNIT STATE: waits until UNIT is STATE; fails when it does not get there.
wait_state() { wait_until unit_is "$1" "$2"; }
status_text() { [ "$(systemctl show -P StatusText "$1")" = "$2" ]; }

# By default runscope says READY=1 itself once the container's process runs: sleep never notifies.
# (Without it this Type=notify unit would never be active: it would fail at TimeoutStartSec.)
make_bundle "$bundles/${name}s" /bin/sleep 300
systemctl start --no-block "runscope@${name}s.service"
wait_state "runscope@${name}s.service" active
t_is "$?" 0 "a container that never notifies (sleep) is active"
make_bundle "$bundles/${name}d" /bin/sh -c 'trap "exit 3" TERM; probe notify "STATUS=serving"; while :; do sleep 0.1; done'
systemctl start "runscope@${name}d.service"
wait_until status_text "runscope@${name}d.service" serving
t_is "$(systemctl show -P StatusText "runscope@${name}d.service")" serving "... and STATUS= from the container still reaches systemd"
systemctl stop "runscope@${name}d.service"
# BARRIER=1 (sd_notify_barrier): passed on, the container's fd closed once systemd has read all before.
make_bundle "$bundles/${name}d" /bin/sh -c 'trap "exit 3" TERM; probe notify "STATUS=$(probe barrier)"; while :; do sleep 0.1; done'
systemctl start "runscope@${name}d.service"
wait_until status_text "runscope@${name}d.service" "barrier passed"
t_is "$(systemctl show -P StatusText "runscope@${name}d.service")" "barrier passed" "... and a BARRIER=1 from the container completes"

# In a user namespace too: the relay socket, in runscope's state directory (mode 700), is bound in.
# The rootfs is the namespace root's (as podman makes it), which creates /run/notify in it.
chmod 755 "$T_WORK"
make_bundle "$bundles/${name}u" /bin/sh -c 'trap "exit 0" TERM; probe notify READY=1; while :; do sleep 0.1; done'
chown -R 100000:100000 "$bundles/${name}u/rootfs"
bundle_edit "$bundles/${name}u" '.linux.namespaces += [{type: "user"}] | .annotations["org.runscope.notify-ready"] = "container"
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | .linux.gidMappings = .linux.uidMappings'
systemctl start --no-block "runscope@${name}u.service"
wait_state "runscope@${name}u.service" active
t_is "$?" 0 "a container in a user namespace notifies READY=1 through the relay socket"
systemctl stop "runscope@${name}u.service"

# Opted in, the container says when it is ready: here once the test creates /go in its root.
make_bundle "$bundles/$name" /bin/sh -c 'trap "exit 0" TERM; probe barrier >/dev/null; probe notify "STATUS=warming up"
        while [ ! -e /go ]; do sleep 0.1; done; probe notify "READY=1
STATUS=$(probe barrier)"; while :; do sleep 0.1; done'
bundle_edit "$bundles/$name" '.linux.resources = {memory: {limit: 50331648}}
        | .annotations["org.runscope.notify-ready"] = "container"'
systemctl start --no-block "runscope@$name.service"
wait_until status_text "runscope@$name.service" "warming up"
t_is "$(systemctl show -P StatusText "runscope@$name.service")" "warming up" "STATUS= from the container reaches systemd"
sleep 0.5 # a window for a READY=1 that should not come: it cannot fail a right runscope
t_is "$(systemctl is-active "runscope@$name.service")" activating \
        "org.runscope.notify-ready=container: not active while the container has not said READY=1"
touch "$bundles/$name/rootfs/go"
wait_state "runscope@$name.service" active
t_is "$?" 0 "... and active once it has"
t_is "$(systemctl show -P StatusText "runscope@$name.service")" "barrier passed" "... and BARRIER=1 completes in this mode too"
state=$("$RUNSCOPE" state "$name")
t_is "$(jq -r .unit <<<"$state")" "runscope@$name.service" "state records the service as the container's unit"
pid=$(jq -r .pid <<<"$state")
cg=$(systemctl show -P ControlGroup "runscope@$name.service")
t_match "$(grep -E '^(0::|[0-9]+:name=systemd:)' /proc/$pid/cgroup | head -n1)" "$cg/payload\$" \
        "the container lives in the service's own cgroup, in its payload child"
# exec joins the container's cgroup, the payload child, which is its cgroup namespace's root (before:
# the service's cgroup above it, seen from inside as /..).
t_is "$("$RUNSCOPE" exec "$name" cat /proc/self/cgroup | grep -E '^(0::|[0-9]+:name=systemd:|[0-9]+:memory:)' | sed 's/^[0-9]*:[^:]*://' | sort -u)" \
        / "exec into it joins the container's cgroup (the payload child), on every hierarchy"
t_ok "no extra scope was made" bash -c "! systemctl list-units --all --no-legend 'runscope-*.scope' | grep -q ."
t_is "$(systemctl show -P MemoryMax "runscope@$name.service")" 50331648 "the bundle's limits became the service's"
t_is "$(systemctl show -P ExecMainPID "runscope@$name.service")" "$(systemctl show -P MainPID "runscope@$name.service")" \
        "runscope is the service's main process"

# A container's init ignores SIGTERM unless it handles it: stop kills it after TimeoutStopSec=10.
t_is "$(systemctl show -P TimeoutStopUSec "runscope@${name}s.service")" 10s "the unit's stop timeout is 10 s"
start=$(ms)
timeout 30 systemctl stop "runscope@${name}s.service"
elapsed=$(($(ms) - start))
# systemd calls a stop that had to kill a failure (Result=timeout), as for any service.
t_match "$(systemctl is-active "runscope@${name}s.service")" "^(inactive|failed)\$" \
        "systemctl stop ends a container that ignores SIGTERM"
t_ok "... within the 10 s default and a margin (${elapsed} ms < 20000 ms)" test "$elapsed" -lt 20000
t_ok "... and leaves no state" test ! -e "/run/runscope/${name}s"
systemctl reset-failed "runscope@${name}s.service" 2>/dev/null
expect_refused "$bundles/${name}s" "org.runscope.notify-ready=maybe" \
        "^.*config.json: annotations.org.runscope.notify-ready: 'maybe' is neither 'runscope' nor 'container'\$" \
        '.annotations["org.runscope.notify-ready"] = "maybe"'
# Its trap's status shows that SIGTERM ended it, not the SIGKILL of the stop timeout.
systemctl stop "runscope@${name}d.service"
t_is "$(systemctl show -P ExecMainStatus "runscope@${name}d.service")" 3 \
        "systemctl stop ends one that handles SIGTERM: its trap's exit status is the service's"
systemctl reset-failed "runscope@${name}d.service" "runscope@${name}u.service" 2>/dev/null

systemctl stop "runscope@$name.service"
t_is "$(systemctl is-active "runscope@$name.service")" inactive "systemctl stop stops it"
t_ok "... and leaves no state (ExecStopPost)" test ! -e "/run/runscope/$name"
t_ok "... and no process" bash -c "! kill -0 $pid 2>/dev/null"

# systemctl kill signals it; Restart= brings it back with a fresh container.
printf '[Service]\nRestart=on-failure\nRestartSec=100ms\n' >"$unitdir/runscope@.service.d/restart.conf"
systemctl daemon-reload
systemctl start "runscope@$name.service"
pid=$("$RUNSCOPE" state "$name" | jq -r .pid)
systemctl kill -s KILL --kill-who=all "runscope@$name.service"
restarted() {
        new=$("$RUNSCOPE" state "$name" 2>/dev/null | jq -r .pid)
        [ -n "$new" ] && [ "$new" != "$pid" ] && unit_is "runscope@$name.service" active
}
wait_until restarted
t_ok "systemctl kill -s KILL: Restart= starts a new container" test -n "$new" -a "$new" != "$pid"
t_ok "... and the service is active again" test "$(systemctl is-active "runscope@$name.service")" = active
rm "$unitdir/runscope@.service.d/restart.conf"
systemctl daemon-reload
systemctl kill "runscope@$name.service"
wait_state "runscope@$name.service" inactive
t_is "$(systemctl is-active "runscope@$name.service")" inactive "systemctl kill (TERM) ends the container and the service"
t_ok "... and leaves no state" test ! -e "/run/runscope/$name"

# MAINPID= from the container names a process of the container, translated to the host's pid.
make_bundle "$bundles/${name}b" /bin/sh -c 'trap "exit 0" TERM; probe notify "MAINPID=1
READY=1"; while :; do sleep 0.1; done'
systemctl start "runscope@${name}b.service"
init=$("$RUNSCOPE" state "${name}b" | jq -r .pid)
# Active at runscope's READY=1, which may come before the container's message is relayed.
main_pid_is() { [ "$(systemctl show -P MainPID "$1")" = "$2" ]; }
wait_until main_pid_is "runscope@${name}b.service" "$init"
t_is "$(systemctl show -P MainPID "runscope@${name}b.service")" "$init" "MAINPID=1 becomes the container init's host pid"
systemctl stop "runscope@${name}b.service"
# The container's process is the main one now: systemd SIGKILLs runscope as a leftover (KillMode=mixed)
# and may call that a failure; what matters is that it ends and leaves nothing.
t_match "$(systemctl is-active "runscope@${name}b.service")" "^(inactive|failed)\$" "... and stop still ends it"
t_ok "... leaving no state" test ! -e "/run/runscope/${name}b"
systemctl reset-failed "runscope@${name}b.service" 2>/dev/null
t_done
