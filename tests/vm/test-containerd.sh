#!/bin/bash
# In the modern-host guest (tests/vm/run.sh): containerd 1.7 (Debian 13's) drives runscope as its
# runc through ctr and the runc v2 shim on pure cgroup v2 with AppArmor on: ctr run with and without
# --runc-systemd-cgroup, exec, pause, kill, delete, on an image built offline. Lean: processes here
# run 20-40x slower than on the host.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/clients.sh"

CD=$T_WORK/containerd
IMG=docker.io/library/runscope-busybox:test
RT_ROOT=/run/containerd/runc/default # the shim's --root for ctr's namespace "default"
CTD_PID=""
: >"$T_WORK/ctd-ids"
c() { timeout $((60 * T_SLOW)) ctr --address "$CD/c.sock" "$@"; }
cid() {
        local id="ctd$$-$RANDOM$RANDOM"
        echo "$id" >>"$T_WORK/ctd-ids"
        echo "$id"
}
ctd_cleanup() {
        local id m
        if [ -n "$CTD_PID" ]; then
                for id in $(c task ls -q 2>/dev/null); do c task delete --force "$id" >/dev/null 2>&1; done
                for id in $(c container ls -q 2>/dev/null); do c container delete "$id" >/dev/null 2>&1; done
                kill "$CTD_PID" 2>/dev/null
                wait "$CTD_PID" 2>/dev/null
        fi
        while read -r id; do
                [ -d "$RT_ROOT/$id" ] && "$RUNSCOPE" --root "$RT_ROOT" delete --force "$id" >/dev/null 2>&1
        done <"$T_WORK/ctd-ids"
        findmnt -rn -o TARGET | grep "^$CD/" | sort -r | while read -r m; do umount -l "$m"; done
        t_cleanup
}
trap ctd_cleanup EXIT
wait_status() {
        local i
        for i in $(seq 1 $((100 * T_SLOW))); do
                [ "$(c task ls | awk -v id="$1" '$1 == id {print $3}')" = "$2" ] && return 0
                sleep 0.1
        done
        return 1
}
left_nothing() { T_ROOT=$RT_ROOT nothing_left "$@"; }

t_match "$(containerd --version)" " v?1\.7\." "containerd 1.7 is the client ($(containerd --version))"
containerd_start "$CD"
t_is "$?" 0 "containerd runs with a root, state and socket of its own"
make_oci_image "$T_WORK/image" "$IMG" >/dev/null
c image import "$T_WORK/image/image.tar" >/dev/null
t_is "$?" 0 "ctr image import of an OCI layout built offline"

id=$(cid)
t_is "$(c run --rm --runc-binary "$RUNSCOPE" "$IMG" "$id" /bin/sh -c 'echo hello; exit 3'; echo "rc $?")" "hello
rc 3" "ctr run --rm: output and exit code"
t_ok "... leaves no state directory and no unit" left_nothing "$id" "runscope-$id.scope"

# Without --runc-systemd-cgroup the shim gives cgroupsPath /default/ID: a plain path, and runscope
# still asks systemd for a scope.
id=$(cid)
c run -d --runc-binary "$RUNSCOPE" "$IMG" "$id" /bin/sleep 1000 >/dev/null
t_ok "ctr run -d (cgroupsPath /default/ID)" wait_status "$id" RUNNING
t_is "$(systemctl is-active "runscope-$id.scope")" active "... the container is the scope runscope-ID.scope"
t_is "$(c task exec --exec-id e1 "$id" /bin/sh -c 'echo in-exec; exit 5'; echo "rc $?")" "in-exec
rc 5" "ctr task exec: output and exit code"
c task kill -s SIGKILL "$id"
t_ok "ctr task kill -s SIGKILL: the task stops" wait_status "$id" STOPPED
c task delete "$id" >/dev/null 2>&1
t_is "$?" 0 "ctr task delete"
t_ok "... leaves no state directory and no unit" left_nothing "$id" "runscope-$id.scope"
c container delete "$id"

id=$(cid)
c run -d --runc-binary "$RUNSCOPE" --runc-systemd-cgroup --cgroup "machine.slice:ctr:$id" --memory-limit 67108864 \
        "$IMG" "$id" /bin/sleep 1000 >/dev/null
t_ok "ctr run -d --runc-systemd-cgroup --cgroup machine.slice:ctr:ID --memory-limit" wait_status "$id" RUNNING
unit=$("$RUNSCOPE" --root "$RT_ROOT" state "$id" | jq -r .unit)
t_is "$unit:$(systemctl is-active "$unit")" "ctr-$id.scope:active" "... the container is the active unit ctr-ID.scope"
cg=/sys/fs/cgroup$(systemctl show -P ControlGroup "$unit")
t_is "$cg" "/sys/fs/cgroup/machine.slice/ctr-$id.scope" "... in machine.slice"
t_is "$(cat "$cg/memory.max")" 67108864 "... with memory.max from the request"
pid=$(c task ls | awk -v id="$id" '$1 == id {print $2}')
t_is "$(cat "/proc/$pid/cgroup")" "0::${cg#/sys/fs/cgroup}" "the task's pid is in the unit's cgroup"
t_match "$(c task exec --exec-id cg "$id" /bin/cat /proc/self/cgroup)" "^0::(/|${cg#/sys/fs/cgroup})$" "task exec joins the unit"
c task pause "$id"
t_is "$?:$(wait_status "$id" PAUSED && echo PAUSED):$(systemctl show -P FreezerState "$unit")" "0:PAUSED:frozen" "ctr task pause: the unit is frozen"
c task resume "$id"
t_ok "ctr task resume" wait_status "$id" RUNNING
c task delete --force "$id" >/dev/null 2>&1
t_is "$?" 0 "ctr task delete --force"
t_ok "... leaves no state directory and no unit" left_nothing "$id" "$unit"
c container delete "$id"
t_done
