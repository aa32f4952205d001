#!/bin/bash
# run's exit statuses on a pure cgroup v2 host (tests/vm/run.sh), and nothing left behind (no unit,
# no cgroup directory, no state) however a container ends: a command that cannot run, a kill from
# outside, a signal to run, a create that fails once its unit exists, and a container that made
# cgroups of its own below the unit's (delegation).
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /no/such/command
# gone ID: no state, no unit, and no cgroup directory.
gone() { nothing_left "$1" "runscope-$1.scope" && [ -z "$(find /sys/fs/cgroup -name "runscope-$1.scope")" ]; }

id=$(t_id)
expect_clean 127 "a missing command" 'exec: "/no/such/command": No such file' "$id" run -b "$B" "$id"
t_ok "... no cgroup is left either" gone "$id"
id=$(t_id)
bundle_edit "$B" '.process.args = ["/etc/passwd"]'
expect_clean 126 "a command that is not executable" 'exec: "/etc/passwd": permission denied' "$id" run -b "$B" "$id"

# Killed from outside while run waits in the foreground: 128+9, and run cleans up.
id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "trap \"exit 42\" TERM; echo up; while :; do sleep 0.1; done"]'
"$RUNSCOPE" --root "$T_ROOT" run -b "$B" "$id" >"$T_WORK/kill.out" 2>&1 &
runpid=$!
for _ in $(seq 1 $((50 * T_SLOW))); do grep -q up "$T_WORK/kill.out" && break; sleep 0.1; done
rs kill "$id" KILL
reap "$runpid"
t_is "$?" 137 "a foreground run whose container is killed (KILL) exits 137"
t_ok "... and leaves no state, unit or cgroup" gone "$id"
id=$(t_id)
"$RUNSCOPE" --root "$T_ROOT" run -b "$B" "$id" >"$T_WORK/term.out" 2>&1 &
runpid=$!
for _ in $(seq 1 $((50 * T_SLOW))); do grep -q up "$T_WORK/term.out" && break; sleep 0.1; done
kill -TERM "$runpid"
reap "$runpid"
t_is "$?" 42 "SIGTERM to run reaches the container's init, whose status run returns"
t_ok "... and leaves nothing" gone "$id"

# The launcher fails after systemd made the unit (a bind mount whose source is missing).
id=$(t_id)
bundle_edit "$B" '.mounts += [{destination: "/mnt", type: "bind", source: "/no/such/source", options: ["bind"]}]'
out=$(rs run -b "$B" "$id" 2>&1)
t_is "$?:$(wc -l <<<"$out" | tr -d ' ')" "1:1" "a mount that fails in the launcher: run fails in one line"
t_match "$out" "/no/such/source" "... naming the source: $out"
t_ok "... and leaves no state, unit or cgroup" gone "$id"

# A delegated unit: the container makes a cgroup below its own and puts a process there; delete
# takes the whole tree.
id=$(t_id)
bundle_edit "$B" 'del(.mounts[] | select(.destination == "/mnt")) | .root.readonly = false
        | (.mounts[] | select(.type == "cgroup") | .options) |= map(select(. != "ro"))
        | .process.args = ["/bin/sh", "-c", "mkdir /sys/fs/cgroup/sub; sleep 300 & echo $! >/sys/fs/cgroup/sub/cgroup.procs && touch /tmp/moved; wait"]'
rs run -d -b "$B" "$id"
for _ in $(seq 1 $((50 * T_SLOW))); do [ -e "$B/rootfs/tmp/moved" ] && break; sleep 0.1; done
cg=/sys/fs/cgroup$(systemctl show -P ControlGroup "runscope-$id.scope")
t_is "$(cat "$cg/sub/cgroup.procs" | wc -l)" 1 "a container moved a process into a cgroup of its own below the unit's"
rs delete -f "$id"
t_is "$?" 0 "delete --force succeeds"
t_ok "... and leaves no state, no unit, and neither cgroup" gone "$id"
t_done
