#!/bin/bash
# runscope run: the process's exit status, what it sees (hostname, cwd, env, user, fds, caps), and
# the shell's 127/126 for commands that cannot run.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/probe exit 0

out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_is "$?:$out" "0:" "exit 0 is propagated, nothing printed"

bundle_edit "$B" '.process.args = ["/bin/probe","exit","7"]'
rs run -b "$B" "$(t_id)"
t_is "$?" 7 "exit 7 is propagated"

# Started with SIGCHLD ignored (which the kernel then reaps children for, and an exec'd program
# inherits), runscope still waits for its container and passes the default on to it.
id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/probe","exit","7"]'
out=$(env --ignore-signal=CHLD "$RUNSCOPE" --root "$T_ROOT" run -b "$B" "$id" 2>&1)
t_is "$?:$out" "7:" "run started with SIGCHLD ignored: the container's exit code"
t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"
bundle_edit "$B" '.process.args = ["/bin/probe","sigign"]'
t_is "$(env --ignore-signal=CHLD "$RUNSCOPE" --root "$T_ROOT" run -b "$B" "$(t_id)" 2>&1)" "SigIgn:	0000000000000000" \
        "... and the container's process ignores no signal"

# Without a pid namespace of its own, so it is not an init that the kernel shields from signals.
bundle_edit "$B" '.process.args = ["/bin/probe","kill-self","9"] | del(.linux.namespaces[] | select(.type == "pid"))'
rs run -b "$B" "$(t_id)" 2>/dev/null
t_is "$?" 137 "a process killed by SIGKILL gives 128+9"
bundle_edit "$B" '.linux.namespaces += [{type: "pid"}]'

bundle_edit "$B" '.process.args = ["probe","hostname"] | .hostname = "box-1"'
t_is "$(rs run -b "$B" "$(t_id)")" "box-1" "hostname is set in a uts namespace; args[0] found in PATH"

bundle_edit "$B" '.process.args = ["/bin/probe","cwd"] | .process.cwd = "/var/new/dir"'
t_is "$(rs run -b "$B" "$(t_id)")" "/var/new/dir" "a missing cwd is created and entered"

bundle_edit "$B" '.process.args = ["/bin/probe","env","GREETING"] | .process.cwd = "/" | .process.env += ["GREETING=hello there"]'
t_is "$(rs run -b "$B" "$(t_id)")" "hello there" "env reaches the process"

bundle_edit "$B" '.process.args = ["/bin/probe","id"] | .process.user = {uid: 65534, gid: 65534}'
t_is "$(rs run -b "$B" "$(t_id)")" "uid=65534 gid=65534" "process.user is applied"

bundle_edit "$B" '.process.args = ["/bin/probe","fds"] | .process.user = {uid: 0, gid: 0}'
t_is "$(rs run -b "$B" "$(t_id)" 3>/dev/null 4</dev/null | tr '\n' ' ')" "0 1 2 " \
        "only stdio reaches the container (fds 3 and 4 of the caller are closed)"

bundle_edit "$B" '.process.args = ["/bin/probe","caps"]'
caps=$(rs run -b "$B" "$(t_id)")
t_match "$caps" "CapBnd:	0000000020000420" "the bounding set is the spec's (AUDIT_WRITE, KILL, NET_BIND_SERVICE)"
t_match "$caps" "CapEff:	0000000020000420" "the effective set is the spec's"

bundle_edit "$B" '.process.args = ["/bin/probe","nnp"]'
t_match "$(rs run -b "$B" "$(t_id)")" "NoNewPrivs:	1" "noNewPrivileges is set"

bundle_edit "$B" '.process.args = ["/bin/probe","pid"]'
t_is "$(rs run -b "$B" "$(t_id)")" 1 "the process is pid 1 of its own pid namespace"

bundle_edit "$B" '.process.args = ["/bin/sh","-c","touch /x 2>/dev/null && echo writable || echo read-only"]'
t_is "$(rs run -b "$B" "$(t_id)")" "read-only" "root.readonly makes / read-only"

bundle_edit "$B" '.process.args = ["/bin/sh","-c","cat /proc/timer_list | wc -c; ls /sys/firmware | wc -l; ls /dev/null /dev/zero /dev/urandom /dev/tty /dev/ptmx /dev/fd >/dev/null && echo devs"]'
if [ -e /proc/timer_list ]; then
        t_is "$(rs run -b "$B" "$(t_id)" | tr '\n' ' ')" "0 0 devs " "maskedPaths hides a file and a directory; the default /dev nodes exist"
else
        t_skip "maskedPaths hides a file and a directory" "this kernel has no /proc/timer_list"
fi
bundle_edit "$B" '.process.args = ["/bin/sh","-c","echo 1 2>/dev/null >/proc/sys/kernel/ns_last_pid && echo writable || echo read-only"]'
t_is "$(rs run -b "$B" "$(t_id)")" "read-only" "readonlyPaths makes /proc/sys read-only"

# Signals to a foreground run reach the container's init, as with runc.
bundle_edit "$B" '.process.args = ["/bin/sh","-c","trap \"exit 42\" TERM; echo up; while :; do sleep 0.1; done"]'
"$RUNSCOPE" --root "$T_ROOT" run -b "$B" "$(t_id)" >"$T_WORK/sig.out" &
runpid=$!
wait_until grep -qs up "$T_WORK/sig.out"
kill -TERM "$runpid"
reap "$runpid"
t_is "$?" 42 "SIGTERM to runscope run is forwarded to the container (its handler exits 42)"

id=$(t_id)
bundle_edit "$B" '.process.args = ["/no/such/command"]'
expect_clean 127 "a missing command" 'exec: "/no/such/command": No such file' "$id" run -b "$B" "$id"

id=$(t_id)
bundle_edit "$B" '.process.args = ["/etc/passwd"]'
expect_clean 126 "a command that is not executable" 'exec: "/etc/passwd": permission denied' "$id" run -b "$B" "$id"

id=$(t_id)
bundle_edit "$B" '.process.args = ["nosuchcommand"]'
rs create -b "$B" "$id" 2>/dev/null
t_is "$?" 1 "create fails for a missing command (as podman expects)"
t_ok "... and leaves nothing" nothing_left "$id" "runscope-$id.scope"

t_done
