#!/bin/bash
# pause and resume freeze and thaw every process of the container (FreezeUnit, or the unit's own
# cgroup.freeze where systemd cannot freeze), and state reports "paused".
. "$(dirname "$0")/../lib/common.sh"

# The count is written whole (renamed into place), so no read sees a file half written.
B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; mv /tmp/n /tmp/count; sleep 0.05; done'
ln -s busybox "$B/rootfs/bin/mv"
bundle_edit "$B" '.root.readonly = false'
id=$(t_id)
count() { cat "$B/rootfs/tmp/count" 2>/dev/null; }
counted() { [ -n "$(count)" ]; }
counts_past() { [ "$(count)" -gt "$1" ]; }

rs run -d -b "$B" "$id"
wait_until counted
rs pause "$id"
t_is "$?" 0 "pause succeeds"
t_is "$(rs state "$id" | jq -r .status)" paused "state says paused"
t_is "$(rs list --format json | jq -r --arg id "$id" '.[] | select(.id == $id) | .status')" paused "list says paused"
a=$(count); sleep 0.5; b=$(count)
t_is "$b" "$a" "the container's process stopped counting"
rs pause "$id" 2>"$T_WORK/err"
t_is "$?:$(cat "$T_WORK/err")" "1:runscope: container $id is not running (paused)" "pausing a paused container is refused"

rs resume "$id"
t_is "$?" 0 "resume succeeds"
t_is "$(rs state "$id" | jq -r .status)" running "state says running again"
a=$(count)
t_ok "the process counts again" wait_until counts_past "$a"
rs resume "$id" 2>"$T_WORK/err"
t_is "$?:$(cat "$T_WORK/err")" "1:runscope: container $id is not paused (running)" "resuming a running container is refused"

rs pause "$id"
rs delete -f "$id"
t_is "$?" 0 "delete --force of a paused container succeeds"
t_ok "... and leaves nothing" nothing_left "$id" "runscope-$id.scope"
t_done
