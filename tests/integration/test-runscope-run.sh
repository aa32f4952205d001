#!/bin/bash
# runscope-run: systemd-run for containers. -p properties in systemd-run's spelling land on the
# unit and are seen from inside; --service --wait returns the exit status; bad input is one line.
. "$(dirname "$0")/../lib/common.sh"

RR=$RUNSCOPE_TOP/runscope-run
rr() { "$RR" --root "$T_ROOT" "$@"; }

out=$(rr -q -p MemoryMax=64M -p TasksMax=20 -- /bin/sh -c \
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max')
t_is "$?:$out" "0:67108864" "-p MemoryMax=64M: the container sees its limit from inside"
rr -q /bin/sh -c 'exit 5'
t_is "$?" 5 "the command's exit status is runscope-run's"
t_is "$(rr -q -E GREETING=hi --uid 65534 --gid 65534 --working-directory /tmp -- /bin/sh -c 'echo $GREETING $(id -u):$(id -g) $(pwd)')" \
        "hi 65534:65534 /tmp" "--setenv, --uid, --gid and --working-directory apply"
t_is "$(rr -q /bin/sh -c 'touch /usr/x 2>/dev/null && echo rw || echo ro; touch /tmp/x && echo tmp-ok')" "ro
tmp-ok" "the host's root is read-only, with a private writable /tmp"
mkdir -p "$T_WORK/share" && echo shared >"$T_WORK/share/f"
t_is "$(rr -q --bind "$T_WORK/share:/mnt/share:ro" /bin/sh -c 'cat /mnt/share/f; touch /mnt/share/g 2>/dev/null || echo ro')" \
        "shared
ro" "--bind SRC:DST:ro binds read-only"
t_is "$(rr -q --hostname boxy /bin/hostname)" boxy "--hostname"
t_match "$(rr -q --network none /bin/sh -c 'ls /sys/class/net')" "^lo\$" "--network none: only lo"
t_is "$(rr -q --cap-drop CAP_KILL /bin/sh -c 'grep CapEff /proc/self/status')" "CapEff:	0000000020000400" "--cap-drop CAP_KILL"

# The unit, as systemd sees it, while the command runs: until the test makes $T_WORK/gate/go.
mkdir "$T_WORK/gate"
rr -q --unit "rrtest-$$" -p CPUQuota=50% -p MemoryHigh=40M -p Description="a test" -p RuntimeMaxSec=300 \
        --bind "$T_WORK/gate:/gate" /bin/sh -c 'while [ ! -e /gate/go ]; do sleep 0.05; done' &
rpid=$!
wait_until systemctl is-active -q "rrtest-$$.scope"
show() { systemctl show -P "$1" "rrtest-$$.scope"; }
t_is "$(show CPUQuotaPerSecUSec)" 500ms "--unit and -p CPUQuota=50% -> CPUQuotaPerSecUSec"
t_is "$(show MemoryHigh)" 41943040 "-p MemoryHigh=40M"
t_is "$(show Description)" "a test" "-p Description="
t_is "$(show RuntimeMaxUSec)" 5min "-p RuntimeMaxSec=300"
t_is "$(rs state "rrtest-$$" | jq -r .status)" running "runscope lists it as a container"
touch "$T_WORK/gate/go"
reap "$rpid"
t_ok "the unit is gone when the command ends" unit_gone "rrtest-$$.scope"
t_ok "... and so is the container" test ! -e "$T_ROOT/rrtest-$$"
t_is "$(ls /run/runscope-run 2>/dev/null | grep -c "rrtest-$$")" 0 "... and its bundle"

# --service: a transient service; --wait returns its status.
rr -q --service --wait --unit "rrsvc-$$" /bin/sh -c 'exit 7'
t_is "$?" 7 "--service --wait returns the exit status"
t_ok "... and leaves no unit" unit_gone "rrsvc-$$.service"
rr -q --service --unit "rrsvc2-$$" -p MemoryMax=32M /bin/sleep 30
t_is "$(systemctl is-active "rrsvc2-$$.service")" active "--service without --wait returns with the service running"
t_is "$(systemctl show -P MemoryMax "rrsvc2-$$.service")" 33554432 "... with its properties"
t_match "$(systemctl show -P ControlGroup "rrsvc2-$$.service")" "rrsvc2-$$.service\$" "... the container in the service's cgroup"
t_is "$(systemctl show -P TimeoutStopUSec "rrsvc2-$$.service")" 10s "... and a stop timeout of 10 s, not systemd's 90 s"
systemctl stop "rrsvc2-$$.service"
t_ok "systemctl stop leaves no state" test ! -e "$T_ROOT/rrsvc2-$$"
t_ok "... and no bundle" test ! -e "/run/runscope-run/rrsvc2-$$"

err=$(rr -p Bogus=1 true 2>&1)
t_is "$?" 1 "an unknown property fails"
t_match "$err" "^runscope-run: -p Bogus: unknown property; known: MemoryMax, " "... listing the known ones"
t_is "$(rr -p MemoryMax=lots true 2>&1)" \
        "runscope-run: -p MemoryMax=lots: expected bytes with K, M, G or T, a percentage, or infinity" "a bad value is named"
t_match "$(rr -q --cap-add CAP_SYS_ADMIN --seccomp default /bin/sh -c 'unshare -m true 2>&1; echo done')" "Operation not permitted" \
        "--seccomp default forbids unshare (data/seccomp-default.json)"
t_is "$(rr -q --cap-add CAP_SYS_ADMIN --seccomp unconfined /bin/sh -c 'unshare -m true 2>&1 && echo allowed')" allowed "--seccomp unconfined does not (both with CAP_SYS_ADMIN)"
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}' \
        >"$T_WORK/filter.json"
t_match "$(rr -q --seccomp "$T_WORK/filter.json" /bin/mkdir /tmp/x 2>&1)" "Function not implemented" "--seccomp FILE loads that filter"
t_is "$(rr --seccomp /nonexistent true 2>&1)" "runscope-run: --seccomp /nonexistent: No such file or directory" "a missing --seccomp file is named"
t_is "$(ls /run/runscope-run 2>/dev/null | wc -l)" 0 "failures leave no bundle behind"
t_done
