#!/bin/bash
# --pidfd-socket (runc 1.3) on create, run and exec: the init's or the exec'd process's pidfd goes to
# the unix socket named, for clients that track processes by pidfd. tests/console-recv --pidfd is
# that client: it prints the pid the fd refers to, then "exited" when the process has ended.
. "$(dirname "$0")/../lib/common.sh"

RECV=$RUNSCOPE_TOP/tests/console-recv
B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'read x </tmp/go; exit 0'
bundle_edit "$B" '.root.readonly = false'
mkfifo "$B/rootfs/tmp/go"

# listen NAME: console-recv --pidfd on $T_WORK/NAME.sock in the background, output in NAME.out.
listen() {
        "$RECV" "$T_WORK/$1.sock" --pidfd >"$T_WORK/$1.out" 2>&1 &
        RECV_PID=$!
        wait_until grep -qs listening "$T_WORK/$1.out"
}

id=$(t_id)
listen create
rs create --pidfd-socket "$T_WORK/create.sock" -b "$B" "$id"
t_is "$?" 0 "create --pidfd-socket succeeds"
wait_until grep -qs "^pid" "$T_WORK/create.out"
t_is "$(sed -n 's/^pid //p' "$T_WORK/create.out")" "$(rs state "$id" | jq -r .pid)" "... the socket gets a pidfd of the container's init"
rs start "$id"
echo go >"$B/rootfs/tmp/go"
reap "$RECV_PID"
t_is "$(tail -n1 "$T_WORK/create.out")" exited "... which tells its holder when the container's process has ended"
rs delete "$id"

bundle_edit "$B" '.process.args = ["/bin/sleep", "3136"]'
id=$(t_id)
listen run
rs run -d --pidfd-socket "$T_WORK/run.sock" -b "$B" "$id"
wait_until grep -qs "^pid" "$T_WORK/run.out"
t_is "$(sed -n 's/^pid //p' "$T_WORK/run.out")" "$(rs state "$id" | jq -r .pid)" "run -d --pidfd-socket: the init's pidfd"
listen exec
rs exec -d --pid-file "$T_WORK/exec.pid" --pidfd-socket "$T_WORK/exec.sock" "$id" /bin/sleep 1
wait_until grep -qs "^pid" "$T_WORK/exec.out"
t_is "$(sed -n 's/^pid //p' "$T_WORK/exec.out")" "$(cat "$T_WORK/exec.pid")" "exec -d --pidfd-socket: the exec'd process's pidfd"
reap "$RECV_PID"
t_is "$(tail -n1 "$T_WORK/exec.out")" exited "... and it ends when that process does"
rs delete --force "$id"
kill "$(jobs -p)" 2>/dev/null

id=$(t_id)
expect_clean 1 "create --pidfd-socket with nobody listening" "^runscope: --pidfd-socket $T_WORK/none.sock: No such file or directory$" \
        "$id" create --pidfd-socket "$T_WORK/none.sock" -b "$B" "$id"
t_done
