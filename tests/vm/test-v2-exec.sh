#!/bin/bash
# exec on a pure cgroup v2 host (tests/vm/run.sh): the launcher is cloned straight into the unit's
# cgroup (CLONE_INTO_CGROUP, the directory named by the unit's ControlGroup); the fault build can
# still take systemd's way (AttachProcessesToUnit), and both put the process in the unit, where
# systemd lists it; exit statuses, a paused container, and a container whose cgroup
# takes no process of its own (a systemd in it makes it an inner node): exec joins the init's
# cgroup below, as runc does.
. "$(dirname "$0")/../lib/common.sh"

FAULTS=$RUNSCOPE_TOP/tests/runscope-faults
B=$T_WORK/bundle
id=$(t_id)
unit=runscope-$id.scope
make_bundle "$B" /bin/sleep 300 && bundle_edit "$B" '.hostname = "v2exec"' && rs run -d -b "$B" "$id"
cg=$(systemctl show -P ControlGroup "$unit")
in_unit() { [ "$(cat "/proc/$1/cgroup")" = "0::$cg" ] && systemctl status --no-pager "$1" 2>/dev/null | head -n1 | grep -qF "$unit"; }

out=$(rs --debug exec "$id" /bin/probe hostname 2>"$T_WORK/debug")
t_is "$?:$out" "0:v2exec" "exec runs in the container's namespaces"
t_match "$(grep 'exec: launcher' "$T_WORK/debug")" "exec: launcher [0-9]+ cloned into the cgroup of $unit\$" \
        "... its launcher cloned into the unit's cgroup (CLONE_INTO_CGROUP)"
rs exec -d --pid-file "$T_WORK/clone.pid" "$id" /bin/sleep 301
t_ok "the exec'd process is in the unit's cgroup, and systemd says it is the unit's" in_unit "$(cat "$T_WORK/clone.pid")"

out=$(RUNSCOPE_FAULT_EXEC_ATTACH=1 "$FAULTS" --root "$T_ROOT" --debug exec "$id" /bin/probe hostname 2>"$T_WORK/debug")
t_is "$?:$out" "0:v2exec" "exec through systemd's AttachProcessesToUnit runs too"
t_match "$(grep 'exec: launcher' "$T_WORK/debug")" "exec: launcher [0-9]+ moved by systemd into $unit\$" "... and says so"
RUNSCOPE_FAULT_EXEC_ATTACH=1 "$FAULTS" --root "$T_ROOT" exec -d --pid-file "$T_WORK/attach.pid" "$id" /bin/sleep 302
t_ok "... its process is in the unit's cgroup too" in_unit "$(cat "$T_WORK/attach.pid")"

# From another cgroup namespace, /proc says the init is at /../..: runscope's view of the tree is not
# systemd's, and it lets systemd move the launcher.
out=$(unshare --cgroup "$RUNSCOPE" --root "$T_ROOT" --debug exec "$id" /bin/probe hostname 2>"$T_WORK/debug")
t_is "$?:$out" "0:v2exec" "exec from another cgroup namespace runs"
t_match "$(grep 'exec: launcher' "$T_WORK/debug")" "moved by systemd into $unit\$" "... moved by systemd: /proc and systemd disagree on the path"

rs exec "$id" /bin/probe exit 5
t_is "$?" 5 "exec returns the process's exit status"
out=$(rs exec "$id" /no/such 2>&1)
t_is "$?:$out" "127:runscope: exec: \"/no/such\": No such file or directory" "a missing command: 127, one line"
t_is "$(rs exec --preserve-fds 1 "$id" /bin/probe fds 3</dev/null | tr '\n' ' ')" "0 1 2 3 " \
        "--preserve-fds 1 passes fd 3 and no other (not the unit's cgroup directory)"

# Paused: a launcher born in a frozen cgroup is frozen at once, and runs once the unit is thawed.
rs pause "$id"
"$RUNSCOPE" --root "$T_ROOT" exec --ignore-paused "$id" /bin/probe hostname >"$T_WORK/paused.out" 2>&1 &
xpid=$!
for _ in $(seq 1 $((50 * ${T_SLOW:-1}))); do [ -n "$(pgrep -P "$xpid")" ] && break; sleep 0.1; done
launcher=$(pgrep -P "$xpid" | head -n1)
t_is "$(cat "/proc/$launcher/cgroup" 2>&1)" "0::$cg" "exec --ignore-paused: its launcher is born in the frozen cgroup"
t_ok "... and exec waits while the container is paused" kill -0 "$xpid"
rs resume "$id"
reap "$xpid"
t_is "$?:$(cat "$T_WORK/paused.out")" "0:v2exec" "... and runs the process once it is resumed"
rs delete -f "$id"

# The container makes its cgroup an inner node (as a systemd in it does): its init moves to a
# child and a controller is enabled for the children. No process may join the unit's cgroup itself
# then (EBUSY): exec joins the init's cgroup. systemd's move (AttachProcessesToUnit, to the unit's
# cgroup) is refused, in one line.
id=$(t_id)
bundle_edit "$B" '(.mounts[] | select(.type == "cgroup") | .options) |= map(select(. != "ro"))
        | .process.args = ["/bin/sh", "-c", "mkdir /sys/fs/cgroup/init && echo $$ >/sys/fs/cgroup/init/cgroup.procs &&
                                             echo +pids >/sys/fs/cgroup/cgroup.subtree_control && touch /tmp/inner; exec sleep 300"]
        | .root.readonly = false'
rs run -d -b "$B" "$id"
for _ in $(seq 1 $((50 * ${T_SLOW:-1}))); do [ -e "$B/rootfs/tmp/inner" ] && break; sleep 0.1; done
icg=/sys/fs/cgroup$(systemctl show -P ControlGroup "runscope-$id.scope")
t_is "$(cat "$icg/cgroup.subtree_control")" pids \
        "a container that moved its init into a child cgroup and enabled pids there"
out=$(rs exec "$id" /bin/sh -c 'cat /proc/self/cgroup' 2>&1)
t_is "$?:$out" "0:0::/init" "exec into it runs, in the init's cgroup (/init in the container's namespace)"
out=$(RUNSCOPE_FAULT_EXEC_ATTACH=1 "$FAULTS" --root "$T_ROOT" exec "$id" /bin/true 2>&1)
t_match "$?:$out" "^1:runscope: Failed to move process [0-9]+ into unit runscope-$id.scope: [^"$'\n'"]*\$" \
        "through AttachProcessesToUnit systemd refuses it, in one line"
t_is "$(cat "$icg/cgroup.procs" 2>&1)" "" "... and no process is left in the unit's cgroup"
rs delete -f "$id"
rm -f "$B/rootfs/tmp/inner"
t_ok "delete leaves nothing" nothing_left "$id" "runscope-$id.scope"
t_done
