#!/bin/bash
# list of many containers: their states are read on several threads (one per 128 containers, as
# many as there are CPUs), and the table, the JSON and --quiet still list each container once, in
# the order of the ids, with its own status. The states are written here by hand around one live
# process (list reads them only), so every status is there at once: created (the exec fifo is
# still there), running, stopped (the pid's start time is not the process's), and unreadable.
. "$(dirname "$0")/../lib/common.sh"

R=$T_WORK/many
mkdir -p "$R"
sleep 300 &
live=$!
trap 'kill $live 2>/dev/null; t_cleanup' EXIT
start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$live/stat")

expected=$T_WORK/expected
: >"$expected"
for i in $(seq -w 1 300); do
        id=m$i
        mkdir "$R/$id"
        t=$start status=running pid=$live
        case $((10#$i % 3)) in
        0) mkfifo "$R/$id/exec.fifo"; status=created ;;
        1) t=$((start + 1)) status=stopped pid=0 ;;
        esac
        if [ $((10#$i % 50)) = 0 ]; then
                echo '{"id":' >"$R/$id/state.json"
                echo "$id unknown 0" >>"$expected"
                continue
        fi
        printf '{"id":"%s","bundle":"/b/%s","rootfs":"/b/%s/rootfs","pid":%d,"pidStartTime":%d,"created":"2026-11-24T00:00:00.%09dZ","owner":0,"unit":"runscope-%s.scope","slice":"machine.slice","annotations":{}}' \
                "$id" "$id" "$id" "$live" "$t" "$((10#$i))" "$id" >"$R/$id/state.json"
        echo "$id $status $pid" >>"$expected"
done
mkdir "$R/m150x" # being created: no state.json yet, so not listed

out=$("$RUNSCOPE" --root "$R" list --format json 2>"$T_WORK/err")
t_is "$?" 0 "list of 300 succeeds"
t_is "$(jq -r '.[] | "\(.id) \(.status) \(.pid)"' <<<"$out")" "$(cat "$expected")" \
        "the JSON lists each container once, in order, with its status and pid"
t_is "$(jq -r '[.[] | select(.status != "unknown") | .bundle == "/b/\(.id)" and (.created[20:29] | tonumber) == (.id[1:] | tonumber)] | all' <<<"$out")" true \
        "... and each with its own bundle and creation time"
t_is "$(grep -c 'its state is unreadable' "$T_WORK/err")" 6 "... and names each of the 6 unreadable states once"
t_is "$("$RUNSCOPE" --root "$R" list 2>/dev/null | awk 'NR > 1 { print $1, $3, $2 }')" "$(cat "$expected")" \
        "the table lists the same"
t_is "$("$RUNSCOPE" --root "$R" list --quiet 2>/dev/null)" "$(cut -d' ' -f1 "$expected")" "--quiet lists the same ids"
t_is "$("$RUNSCOPE" --root "$R" list 2>/dev/null | awk 'NR > 1 && $3 != "unknown" { print $NF }' | sort -u)" root \
        "the table names the owner of every readable container"
t_done
