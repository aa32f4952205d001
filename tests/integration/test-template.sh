#!/bin/bash
# runscope@.service: `systemctl start runscope@NAME` runs the bundle NAME inside the service's own
# delegated cgroup, becomes active only when the container says READY=1, and stop, kill and
# Restart= behave as for any service.
. "$(dirname "$0")/../lib/common.sh"

name=rstpl$$
unitdir=/run/systemd/system
bundles=$T_WORK/bundles
cleanup_units() {
        systemctl stop "runscope@$name.service" "runscope@${name}b.service" 2>/dev/null
        rm -rf "$unitdir/runscope@.service" "$unitdir/runscope@.service.d"
        systemctl daemon-reload
}
trap 'cleanup_units; t_cleanup' EXIT

mkdir -p "$unitdir/runscope@.service.d"
sed "s|@bindir@|$RUNSCOPE_TOP|g" "$RUNSCOPE_TOP/units/runscope@.service.in" >"$unitdir/runscope@.service"
printf '[Service]\nEnvironment=RUNSCOPE_BUNDLES=%s\nTimeoutStartSec=20\n' "$bundles" >"$unitdir/runscope@.service.d/test.conf"
systemctl daemon-reload

make_bundle "$bundles/$name" /bin/sh -c 'trap "exit 0" TERM; sleep 1; probe notify "STATUS=warming up"; sleep 0.5; probe notify READY=1; while :; do sleep 0.1; done'
bundle_edit "$bundles/$name" '.linux.resources = {memory: {limit: 50331648}}'

start=$(date +%s%N)
systemctl start "runscope@$name.service"
t_is "$?" 0 "systemctl start runscope@$name succeeds"
elapsed=$((($(date +%s%N) - start) / 1000000))
t_ok "it became active only after the container's READY=1 (${elapsed} ms >= 1500 ms)" test "$elapsed" -ge 1500
t_is "$(systemctl is-active "runscope@$name.service")" active "the service is active"
t_is "$(systemctl show -P StatusText "runscope@$name.service")" "warming up" "STATUS= from the container reaches systemd"
state=$("$RUNSCOPE" state "$name")
t_is "$(jq -r .unit <<<"$state")" "runscope@$name.service" "state records the service as the container's unit"
pid=$(jq -r .pid <<<"$state")
cg=$(systemctl show -P ControlGroup "runscope@$name.service")
t_match "$(grep -E '^(0::|[0-9]+:name=systemd:)' /proc/$pid/cgroup | head -n1)" "$cg/payload\$" \
        "the container lives in the service's own cgroup, in its payload child"
t_ok "no extra scope was made" bash -c "! systemctl list-units --all --no-legend 'runscope-*.scope' | grep -q ."
t_is "$(systemctl show -P MemoryMax "runscope@$name.service")" 50331648 "the bundle's limits became the service's"
t_is "$(systemctl show -P ExecMainPID "runscope@$name.service")" "$(systemctl show -P MainPID "runscope@$name.service")" \
        "runscope is the service's main process"

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
for i in $(seq 1 100); do
        new=$("$RUNSCOPE" state "$name" 2>/dev/null | jq -r .pid)
        [ -n "$new" ] && [ "$new" != "$pid" ] && [ "$(systemctl is-active "runscope@$name.service")" = active ] && break
        sleep 0.1
done
t_ok "systemctl kill -s KILL: Restart= starts a new container" test -n "$new" -a "$new" != "$pid"
t_ok "... and the service is active again" test "$(systemctl is-active "runscope@$name.service")" = active
rm "$unitdir/runscope@.service.d/restart.conf"
systemctl daemon-reload
systemctl kill "runscope@$name.service"
for i in $(seq 1 50); do [ "$(systemctl is-active "runscope@$name.service")" = inactive ] && break; sleep 0.1; done
t_is "$(systemctl is-active "runscope@$name.service")" inactive "systemctl kill (TERM) ends the container and the service"
t_ok "... and leaves no state" test ! -e "/run/runscope/$name"

# MAINPID= from the container names a process of the container, translated to the host's pid.
make_bundle "$bundles/${name}b" /bin/sh -c 'trap "exit 0" TERM; probe notify "MAINPID=1
READY=1"; while :; do sleep 0.1; done'
systemctl start "runscope@${name}b.service"
init=$("$RUNSCOPE" state "${name}b" | jq -r .pid)
t_is "$(systemctl show -P MainPID "runscope@${name}b.service")" "$init" "MAINPID=1 becomes the container init's host pid"
systemctl stop "runscope@${name}b.service"
# The container's process is the main one now: systemd SIGKILLs runscope as a leftover (KillMode=mixed)
# and may call that a failure; what matters is that it ends and leaves nothing.
t_match "$(systemctl is-active "runscope@${name}b.service")" "^(inactive|failed)\$" "... and stop still ends it"
t_ok "... leaving no state" test ! -e "/run/runscope/${name}b"
systemctl reset-failed "runscope@${name}b.service" 2>/dev/null
t_done
