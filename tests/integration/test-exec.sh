#!/bin/bash
# exec: a process in a running container's namespaces and unit, with runc's flags.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
bundle_edit "$B" '.hostname = "exechost" | .process.env += ["FROM_SPEC=yes"]'
id=$(t_id)
unit=runscope-$id.scope
rs run -d -b "$B" "$id"
init=$(rs state "$id" | jq -r .pid)

t_is "$(rs exec "$id" /bin/probe hostname)" exechost "exec joins the uts namespace"
t_is "$(rs exec "$id" /bin/sh -c 'readlink /proc/self/ns/pid')" "$(readlink /proc/$init/ns/pid)" "exec joins the pid namespace"
t_match "$(rs exec "$id" /bin/sh -c 'echo $$')" '^[0-9]$' "... and sees the container's pids"
t_is "$(rs exec "$id" /bin/sh -c 'readlink /proc/self/ns/mnt')" "$(readlink /proc/$init/ns/mnt)" "exec joins the mount namespace"
t_is "$(rs exec "$id" /bin/sh -c 'readlink /proc/self/ns/net')" "$(readlink /proc/$init/ns/net)" "exec joins the network namespace"
t_is "$(rs exec "$id" /bin/probe env FROM_SPEC)" yes "exec gets the container's env"
rs exec "$id" /bin/probe exit 5
t_is "$?" 5 "exec returns the process's exit status"
out=$(rs exec "$id" /no/such 2>&1)
t_is "$?:$out" "127:runscope: exec: \"/no/such\": No such file or directory" "exec of a missing command: 127 and one line"
t_is "$(rs exec -u 65534:65534 -e FOO=bar -e FROM_SPEC=no --cwd /tmp "$id" /bin/sh -c 'echo $(id -u):$(id -g) $FOO $FROM_SPEC $(pwd)')" \
        "65534:65534 bar no /tmp" "--user, --env (added and replaced) and --cwd apply"
t_match "$(rs exec --cap CAP_SYS_ADMIN "$id" /bin/probe caps)" "CapEff:	0000000020200420" "--cap adds a capability"
# runtime-spec 1.1: an unknown name is a warning, and the rest applies (before: exec failed).
out=$(rs exec --cap CAP_BOGUS --cap CAP_SYS_ADMIN "$id" /bin/probe caps 2>"$T_WORK/cap.err")
t_match "$?:$out" "^0:.*CapEff:	0000000020200420" "--cap of an unknown name: exec runs, with the other --cap"
t_is "$(cat "$T_WORK/cap.err")" "runscope: --cap: unknown capability 'CAP_BOGUS', ignoring" "... and one warning names the flag and the name"
# A configuration's warnings are create's: exec, which parses it again, does not repeat them.
W=$T_WORK/warned
make_bundle "$W" /bin/sleep 300
bundle_edit "$W" '.process.capabilities.effective += ["CAP_BOGUS"]'
wid=$(t_id)
rs run -d -b "$W" "$wid" >"$T_WORK/warned.err" 2>&1
t_match "$(cat "$T_WORK/warned.err")" "unknown capability 'CAP_BOGUS', ignoring" "an unknown capability in config.json: run warns"
out=$(rs exec "$wid" /bin/probe exit 0 2>&1)
t_is "$?:$out" "0:" "... and exec does not warn again"
rs delete -f "$wid"
# No SELinux or AppArmor on this host: the label and the profile are ignored (before: refused).
out=$(rs exec --process-label system_u:system_r:container_t:s0 --apparmor container-default "$id" /bin/probe hostname 2>&1)
t_is "$?:$out" "0:exechost" "--process-label and --apparmor on a host without those LSMs: ignored, and nothing said"
t_match "$(rs exec "$id" /bin/probe nnp)" "NoNewPrivs:	1" "the container's noNewPrivileges applies"

rs exec -d --pid-file "$T_WORK/exec.pid" "$id" /bin/sleep 200
t_is "$?" 0 "exec --detach returns at once"
epid=$(cat "$T_WORK/exec.pid")
t_match "$(systemctl show -P ControlGroup "$unit")" "$unit\$" "the unit has a cgroup"
cg=$(systemctl show -P ControlGroup "$unit")
t_match "$(grep -E '^(0::|[0-9]+:name=systemd:)' /proc/$epid/cgroup | head -n1)" "$cg\$" "the exec'd process is in the container's unit"
if [ -f /sys/fs/cgroup/memory/cgroup.procs ]; then
        t_match "$(grep ':memory:' /proc/$epid/cgroup)" "$cg\$" "... on the v1 memory hierarchy too (its limits apply)"
fi
t_match "$(systemctl status --no-pager "$unit")" "$epid /bin/sleep 200" "systemctl status lists the exec'd process"

t_is "$(rs exec --preserve-fds 1 "$id" /bin/probe fds 3</dev/null 4</dev/null | tr '\n' ' ')" "0 1 2 3 " \
        "--preserve-fds 1 passes fd 3 and no other"
echo '{"user":{"uid":0,"gid":0},"args":["/bin/probe","cwd"],"cwd":"/etc","env":["PATH=/bin"]}' >"$T_WORK/p.json"
t_is "$(rs exec --process "$T_WORK/p.json" "$id")" /etc "exec --process FILE runs that process"
echo '{"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"etc"}' >"$T_WORK/bad.json"
t_is "$(rs exec --process "$T_WORK/bad.json" "$id" 2>&1)" \
        "runscope: config.json: process.cwd: must be an absolute path, got 'etc'" "a bad --process file names the field"

"$RUNSCOPE" --root "$T_ROOT" exec "$id" /bin/sh -c 'trap "exit 9" TERM; echo up; while :; do sleep 0.1; done' >"$T_WORK/x.out" &
xpid=$!
wait_until grep -qs up "$T_WORK/x.out"
kill -TERM "$xpid"
reap "$xpid"
t_is "$?" 9 "signals to a foreground exec reach the process"

# --additional-gids, repeated as runc takes it, replaces the supplementary groups; a list is refused.
t_is "$(rs exec --additional-gids 10 -g 20 "$id" /bin/sh -c 'echo $(id -G)')" "0 10 20" \
        "--additional-gids (and -g), repeated, set the supplementary groups"
t_is "$(rs exec -u 65534:65534 -g 10 "$id" /bin/sh -c 'echo $(id -u) $(id -G)')" "65534 65534 10" \
        "... with --user too"
out=$(rs exec --additional-gids 10,20 "$id" /bin/true 2>&1)
t_is "$?:$out" "1:runscope: --additional-gids 10,20: expected one GID, in decimal digits" \
        "--additional-gids with a list is refused in one line, as in runc"

# A paused container: refused in one line, unless --ignore-paused (the process then runs on resume).
rs pause "$id"
out=$(rs exec "$id" /bin/true 2>&1)
t_is "$?:$out" "1:runscope: cannot exec in a paused container $id (use --ignore-paused to override)" \
        "exec into a paused container is refused in one line"
"$RUNSCOPE" --root "$T_ROOT" exec --ignore-paused "$id" /bin/probe hostname >"$T_WORK/paused.out" 2>&1 &
xpid=$!
sleep 1 # a window for an exec that should not end: it cannot fail a right runscope
t_ok "exec --ignore-paused waits while the container is paused" kill -0 "$xpid"
rs resume "$id"
reap "$xpid"
t_is "$?:$(cat "$T_WORK/paused.out")" "0:exechost" "... and runs the process once it is resumed"

rs kill "$id" KILL
wait_until status_is "$id" stopped
out=$(rs exec "$id" /bin/true 2>&1)
t_is "$?:$out" "1:runscope: cannot exec in a container that is not running: $id" "exec into a stopped container fails"
rs delete "$id"

# A created container, not yet started: exec runs in it, as in runc, and start still works.
id=$(t_id)
rs create -b "$B" "$id"
t_is "$(rs exec "$id" /bin/probe hostname 2>&1)" exechost "exec into a created container runs in its namespaces"
t_is "$(rs state "$id" | jq -r .status)" created "... and leaves it created"
rs start "$id"
t_is "$(rs state "$id" | jq -r .status)" running "... and start still starts it"
rs delete -f "$id"

# The cwd is entered before the user switch when the runtime can reach it and the user cannot, and
# again after it when only the user can (runc's order): a process runs in a directory it could not
# enter itself. runc's cwd.bats: exec --user 0 (no CAP_DAC_OVERRIDE) into a cwd only uid 42 may enter.
C=$T_WORK/cwd
make_bundle "$C" /bin/sleep 300
chown 42 "$C/rootfs/root"
chmod 700 "$C/rootfs/root"
bundle_edit "$C" '.process.cwd = "/root" | .process.user = {uid: 42, gid: 42}'
id=$(t_id)
rs run -d -b "$C" "$id"
out=$(rs exec --user 0 "$id" /bin/probe cwd 2>&1)
t_is "$?:$out" "0:/root" "exec --user 0 with no access to the cwd starts there, as runc does"
t_is "$(rs exec --user 1000 "$id" /bin/sh -c 'ls . >/dev/null 2>&1 || echo no-read; pwd' 2>&1)" "no-read
/root" "... and so does a user that can neither enter nor read it"
rs delete -f "$id"
if command -v runc >/dev/null; then
        bundle_edit "$C" '.process.terminal = false'
        rid=$(t_id)
        runc --root "$T_WORK/runc" --systemd-cgroup run -d -b "$C" "$rid" >/dev/null 2>&1
        out=$(runc --root "$T_WORK/runc" exec --user 1000 "$rid" /bin/sh -c 'ls . >/dev/null 2>&1 || echo no-read; pwd' 2>&1)
        runc --root "$T_WORK/runc" delete -f "$rid" >/dev/null 2>&1
        t_is "$out" "no-read
/root" "runc on the same bundle: the same"
fi
t_done
