#!/bin/bash
# process.terminal: a pty of the container's own devpts, proxied to runscope's terminal in the
# foreground (run, exec -t, runscope-run -t) or handed to --console-socket as runc does.
. "$(dirname "$0")/../lib/common.sh"

RECV=$RUNSCOPE_TOP/tests/console-recv
B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty; stty size; echo console-$(stat -c %t:%T /dev/console $(tty) 2>/dev/null | uniq -c | awk "{print \$1}"); exit 4'
bundle_edit "$B" '.process.terminal = true | .process.consoleSize = {height: 40, width: 120}'

# script(1) gives runscope a terminal of its own, as a user's shell would.
script -qec "$RUNSCOPE --root $T_ROOT run -b $B $(t_id)" /dev/null >"$T_WORK/run.out"
rc=$?
out=$(tr -d '\r' <"$T_WORK/run.out")
t_match "$out" "/dev/pts/0" "run: the process has a pty of the container's own devpts"
t_match "$out" "stdin-is-a-tty" "... as its stdin"
t_match "$out" "40 120" "... of process.consoleSize"
t_match "$out" "console-2" "... which is /dev/console too (the same device twice)"
t_is "$rc" 4 "... and run returns its exit status"
t_is "$(echo 'echo typed-$((6*7))' | script -qec "$RUNSCOPE --root $T_ROOT run -b $B $(t_id)" /dev/null >/dev/null; \
        bundle_edit "$B" '.process.args = ["/bin/sh"]'; \
        printf 'echo typed-$((6*7))\nexit 0\n' | script -qec "$RUNSCOPE --root $T_ROOT run -b $B $(t_id)" /dev/null | tr -d '\r' | grep -c '^typed-42$')" \
        1 "what the user types reaches the container's shell"

# --console-socket: the pty master goes to whoever listens there (conmon, containerd's shim).
id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "read line; echo got:$line; tty"]'
"$RECV" "$T_WORK/console.sock" $'hello\n' >"$T_WORK/console.out" &
recv=$!
wait_until grep -qs listening "$T_WORK/console.out"
rs create --console-socket "$T_WORK/console.sock" -b "$B" "$id"
rc=$?
t_is "$rc" 0 "create --console-socket succeeds"
rs start "$id"
recv_done "$recv" "$rc"
out=$(tr -d '\r' <"$T_WORK/console.out")
t_match "$out" "got /dev/pts/0" "the console socket receives the pty master and its name"
t_match "$out" "got:hello" "input written to the master reaches the process"
rs delete -f "$id"

id=$(t_id)
expect_clean 1 "a terminal with --detach and no console socket" "cannot allocate a terminal when runscope detaches" \
        "$id" run -d -b "$B" "$id"
bundle_edit "$B" '.process.terminal = false'
id=$(t_id)
expect_clean 1 "--console-socket without a terminal" "console-socket needs process.terminal" \
        "$id" create --console-socket "$T_WORK/console.sock" -b "$B" "$id"

# exec -t, in the foreground and with a console socket.
id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/sleep", "300"]'
rs run -d -b "$B" "$id"
out=$(script -qec "$RUNSCOPE --root $T_ROOT exec -t $id /bin/sh -c 'tty; [ -t 1 ] && echo out-is-a-tty'" /dev/null | tr -d '\r')
t_match "$out" "/dev/pts/[0-9]+" "exec -t gives the process a pty"
t_match "$out" "out-is-a-tty" "... as its stdout"
# The process sends its pty on the socket its launcher sends its pid on; the pid must come first
# even when the launcher is slow to send it (held a second).
out=$(RUNSCOPE_FAULT_PAUSE=exec:before-pid script -qec "$RUNSCOPE_TOP/tests/runscope-faults --root $T_ROOT exec -t $id /bin/sh -c 'tty; exit 5'" /dev/null | tr -d '\r')
t_match "$out" "/dev/pts/[0-9]+" "exec -t with the pty ready before the launcher sent the pid"
"$RECV" "$T_WORK/exec.sock" >"$T_WORK/exec.out" &
recv=$!
wait_until grep -qs listening "$T_WORK/exec.out"
rs exec -d -t --console-socket "$T_WORK/exec.sock" "$id" /bin/sh -c 'echo from-exec; tty'
rc=$?
t_is "$rc" 0 "exec -d -t --console-socket succeeds"
recv_done "$recv" "$rc"
t_match "$(tr -d '\r' <"$T_WORK/exec.out")" "from-exec" "... and the socket gets the exec'd process's terminal"
t_is "$(rs exec -d -t "$id" /bin/true 2>&1)" "runscope: cannot allocate a terminal when runscope detaches without --console-socket" \
        "exec -d -t without a console socket is refused"
rs delete -f "$id"

out=$(script -qec "$RUNSCOPE_TOP/runscope-run --root $T_ROOT -q -t /bin/sh -c 'tty; exit 3'" /dev/null | tr -d '\r')
t_match "$out" "/dev/pts/[0-9]" "runscope-run -t gives the command a terminal"

# The terminal's owner is the process's user; its group stays the devpts mount's gid=5 (tty), as
# in runc's tty.bats with `runc spec`'s /dev/pts mount. For run and exec, root or not.
t_match "$(jq -c '.mounts[] | select(.destination == "/dev/pts") | .options' "$B/config.json")" '"gid=5"' \
        "spec: /dev/pts is mounted with gid=5, as runc spec writes it"
bundle_edit "$B" '.process.terminal = true | .process.args = ["/bin/sh", "-c", "stat -c %u:%g $(tty)"]'
t_is "$(script -qec "$RUNSCOPE --root $T_ROOT run -b $B $(t_id)" /dev/null | grep -o '[0-9]*:[0-9]*')" "0:5" "run: root's terminal is 0:5"
bundle_edit "$B" '.process.user = {uid: 1000, gid: 100}'
t_is "$(script -qec "$RUNSCOPE --root $T_ROOT run -b $B $(t_id)" /dev/null | grep -o '[0-9]*:[0-9]*')" "1000:5" "run: a user's terminal is uid:5"
id=$(t_id)
bundle_edit "$B" '.root.readonly = false | .process.terminal = false | .process.args = ["/bin/sleep", "300"] | .process.consoleSize = {height: 33, width: 77}'
rs run -d -b "$B" "$id"
t_is "$(script -qec "$RUNSCOPE --root $T_ROOT exec -t $id /bin/sh -c 'stat -c %u:%g \$(tty)'" /dev/null | grep -o '[0-9]*:[0-9]*')" "1000:5" \
        "exec -t: the container's user's terminal is uid:5"
t_is "$(script -qec "$RUNSCOPE --root $T_ROOT exec -t --user 0:0 $id /bin/sh -c 'stat -c %u:%g \$(tty)'" /dev/null | grep -o '[0-9]*:[0-9]*')" "0:5" \
        "exec -t --user 0:0: root's terminal is 0:5"

# exec -t: process.consoleSize from --process, else the container's (runc starts exec from it).
"$RECV" "$T_WORK/size.sock" >"$T_WORK/size.out" &
recv=$!
wait_until grep -qs listening "$T_WORK/size.out"
printf '%s' '{"terminal": true, "consoleSize": {"height": 10, "width": 110}, "cwd": "/", "user": {"uid": 0, "gid": 0},
        "args": ["/bin/sh", "-c", "stty size > /tmp/size-p"]}' >"$T_WORK/process.json"
rs exec -d -t --console-socket "$T_WORK/size.sock" --pid-file "$T_WORK/size.pid" -p "$T_WORK/process.json" "$id"
recv_done "$recv" "$?"
# Not merely there: the shell makes the file before stty writes to it.
written() { [ -n "$(rs exec "$id" /bin/cat "$1" 2>/dev/null)" ]; }
wait_until written /tmp/size-p
t_is "$(rs exec "$id" /bin/cat /tmp/size-p 2>&1)" "10 110" "exec -t --process: the pty has its consoleSize"
"$RECV" "$T_WORK/size2.sock" >"$T_WORK/size2.out" &
recv=$!
wait_until grep -qs listening "$T_WORK/size2.out"
rs exec -d -t --console-socket "$T_WORK/size2.sock" "$id" /bin/sh -c 'stty size > /tmp/size-c'
recv_done "$recv" "$?"
wait_until written /tmp/size-c
t_is "$(rs exec "$id" /bin/cat /tmp/size-c 2>&1)" "33 77" "exec -t: the pty has the container's consoleSize"
rs delete -f "$id"

# A redundant /dev/tty in linux.devices is the same device as the default one: crw-rw-rw- 5,0.
bundle_edit "$B" '.process.user = {uid: 0, gid: 0} | .linux.devices += [{path: "/dev/tty", type: "c", major: 5, minor: 0}]
        | .process.args = ["/bin/ls", "-lLn", "/dev/tty"]'
t_match "$(rs run -b "$B" "$(t_id)" 2>&1)" "^crw-rw-rw- +1 0 +0 +5, +0 .*/dev/tty" "a redundant /dev/tty device stays crw-rw-rw- 5,0"
t_done
