#!/bin/bash
# In the modern-host guest (tests/vm/run.sh): podman 5 (Debian 13's, with conmon) drives runscope
# unchanged on pure cgroup v2 with AppArmor on: run, exec, logs, pause/unpause, update, stop, kill,
# -it, pods, --read-only, --uidmap and a restart policy, with the limits read back from the unit's
# v2 files. What podman 5 sends is recorded in tests/vm/clients/podman-5.4-runtime-calls.md. Lean:
# processes here run 20-40x slower than on the host.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/clients.sh"

PD=$T_WORK/podman
podman_setup "$PD"
P() { timeout $((60 * T_SLOW)) "$PD/p" "$@"; }
cleanup_podman() {
        P rm -a -f -t 0 >/dev/null 2>&1
        grep -o " $PD/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null
}
trap 'cleanup_podman; t_cleanup' EXIT
unit_of() { printf 'libpod-%s.scope' "$1"; }
cg_of() { echo "/sys/fs/cgroup$(systemctl show -P ControlGroup "$(unit_of "$1")")"; }
state_gone() { ! [ -e "/run/runscope/$1" ]; }

t_match "$(podman --version)" "^podman version 5\." "podman 5 is the client ($(podman --version))"
IMG=localhost/runscope-busybox:latest
P import -q "$PD/rootfs.tar" "$IMG" >/dev/null
t_ok "podman imports a busybox image built offline" P image exists "$IMG"

P run --rm --network none "$IMG" true
t_is "$?" 0 "podman run --rm true exits 0 (its config.json has an AppArmor profile: applied)"
P run --rm --network none "$IMG" sh -c 'exit 3'
t_is "$?" 3 "... exit 3 gives 3"
t_match "$(P run --rm --network none "$IMG" cat /proc/self/attr/current 2>&1)" "^containers-default-" \
        "... the container runs under podman's containers-default AppArmor profile"

id=$(P run -d --network none --memory 64m --cpus 0.5 --pids-limit 50 "$IMG" sh -c 'echo started; sleep 1000')
t_is "$(systemctl is-active "$(unit_of "$id")")" active "podman run -d: the container is the scope unit libpod-ID.scope"
cg=$(cg_of "$id")
t_is "$(cat "$cg/memory.max" "$cg/pids.max" "$cg/cpu.max" | tr '\n' ' ')" "67108864 50 50000 100000 " \
        "--memory 64m --pids-limit 50 --cpus 0.5: memory.max, pids.max and cpu.max of the unit's cgroup"
t_is "$(P exec "$id" cat /sys/fs/cgroup/memory.max)" 67108864 "... and the container reads its memory.max"
t_is "$(P exec "$id" sh -c 'echo in exec; exit 4'; echo "rc $?")" "in exec
rc 4" "podman exec: output and exit code"
t_is "$(P logs "$id")" started "podman logs"
P pause "$id" >/dev/null
t_is "$(P inspect -f '{{.State.Status}}' "$id"):$(systemctl show -P FreezerState "$(unit_of "$id")"):$(grep frozen "$cg/cgroup.events")" \
        "paused:frozen:frozen 1" "podman pause: systemd froze the unit (FreezeUnit)"
P unpause "$id" >/dev/null
t_is "$(P inspect -f '{{.State.Status}}' "$id"):$(systemctl show -P FreezerState "$(unit_of "$id")")" "running:running" "podman unpause"
P update --memory 128m --pids-limit 70 "$id" >/dev/null
t_is "$?:$(cat "$cg/memory.max" "$cg/pids.max" | tr '\n' ' ')" "0:134217728 70 " "podman update: memory.max and pids.max change"
t_is "$(systemctl show -P MemoryMax "$(unit_of "$id")"):$(systemctl show -P TasksMax "$(unit_of "$id")")" "134217728:70" \
        "... as properties of the unit"
P stop -t 1 "$id" >/dev/null 2>&1
t_is "$(P inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id")" "exited 137" "podman stop -t 1 of an init ignoring SIGTERM: 137"
P rm "$id" >/dev/null
t_ok "podman rm leaves no unit and no state" eval "unit_gone $(unit_of "$id") && state_gone $id"

id=$(P run -d --network none "$IMG" sleep 1000)
P kill "$id" >/dev/null
t_is "$(P wait "$id")" 137 "podman kill, then podman wait: 137"
P rm "$id" >/dev/null

P run --rm --network none --read-only "$IMG" touch /x 2>/dev/null
t_is "$?" 1 "--read-only: the root is read-only"
t_is "$(P run -i --rm --network none --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMG" \
        sh -c 'cat /proc/self/uid_map | tr -s " "; id -u' </dev/null)" " 0 100000 65536
0" "--uidmap/--gidmap: a user namespace with podman's maps (and its NOFILE/NPROC 1048576 rlimits)"

pod=$(P pod create --network none 2>/dev/null)
mid=$(P run -d --pod "$pod" "$IMG" sleep 1000)
t_is "$?" 0 "podman run --pod: infra and member containers start"
t_is "$(systemctl show -P Slice "$(unit_of "$mid")")" "machine-libpod_pod_$pod.slice" "... the member runs in the pod's slice"
infra=$(P pod inspect -f '{{.InfraContainerID}}' "$pod")
P pod rm -f -t 0 "$pod" >/dev/null 2>&1
t_ok "podman pod rm -f leaves no unit or state" \
        eval "unit_gone $(unit_of "$mid") && unit_gone $(unit_of "$infra") && state_gone $mid && state_gone $infra"

id=$(P run -d --network none --restart on-failure:2 "$IMG" sh -c 'exit 5')
for _ in $(seq 1 $((300 * T_SLOW))); do
        [ "$(P inspect -f '{{.RestartCount}} {{.State.Status}}' "$id")" = "2 exited" ] && break
        sleep 0.1
done
t_is "$(P inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' "$id")" "2 exited 5" \
        "--restart on-failure:2 runs the container three times"
P rm -f "$id" >/dev/null 2>&1

# -it through a pty this test drives (conmon gets the master over --console-socket).
out=$( (sleep $((4 * T_SLOW)); echo hello; sleep $((2 * T_SLOW))) |
        script -qfec "stty rows 33 cols 101; $PD/p run -it --rm --network none $IMG \
                sh -c 'read x; tty; stty size; echo got:\$x; exit 7'" /dev/null | tr -d '\r'
        echo "rc ${PIPESTATUS[1]}")
t_match "$out" "/dev/pts/0" "podman run -it: the container's stdio is a pty"
t_match "$out" "33 101" "... with the window size of podman's terminal"
t_match "$out" "got:hello" "... input typed at the terminal reaches it"
t_match "$out" "rc 7" "... and its exit code is podman's"
t_done
