#!/bin/bash
# Many runscope commands at once: 50 creates of distinct ids (then list, start and delete of them
# all at once), 20 creates of one id (exactly one wins, one unit), and delete --force racing kill
# on one container. Nothing hangs, nothing crashes, and nothing is left.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
OUT=$T_WORK/out
mkdir -p "$OUT"

# parallel NAME CMD...: runs "CMD ID" for every id in $ids at once, each within 120 s; leaves
# $OUT/NAME.ID.rc and $OUT/NAME.ID.err. Outputs go to files: a container must not hold a pipe of ours.
parallel() {
        local name=$1 id
        shift
        for id in $ids; do
                (timeout 120 "$RUNSCOPE" --root "$T_ROOT" "$@" "$id" >/dev/null 2>"$OUT/$name.$id.err" </dev/null
                 echo $? >"$OUT/$name.$id.rc") &
        done
        wait
}
# count_rc NAME RC: how many of NAME's commands exited RC.
count_rc() { cat "$OUT/$1".*.rc | grep -cx "$2"; }
units() { systemctl list-units 'runscope-*' --all --plain --no-legend | grep -c "$1"; }

ids=$(for _ in $(seq 1 50); do t_id; done)
parallel create create -b "$B"
t_is "$(count_rc create 0)" 50 "50 parallel creates of distinct ids all succeed"
cat "$OUT"/create.*.err | head -5 | sed 's/^/#   /'
listed=$(rs list --format json | jq -r '.[] | select(.status == "created") | .id' | sort)
t_is "$listed" "$(sort <<<"$ids")" "list shows all 50 created"
t_is "$(units "t$$-")" 50 "... and systemd has 50 units"
parallel start start
t_is "$(count_rc start 0)" 50 "50 parallel starts all succeed"
t_is "$(rs list --format json | jq '[.[] | select(.status == "running")] | length')" 50 "all 50 are running"
parallel delete delete --force
t_is "$(count_rc delete 0)" 50 "50 parallel delete --force all succeed"
t_is "$(cat "$OUT"/*.err)" "" "no command of the 150 printed an error"
t_is "$(rs list --quiet)" "" "list is empty"
gone=0
for id in $ids; do nothing_left "$id" "runscope-$id.scope" >/dev/null || gone=1; done
t_is "$gone" 0 "no unit and no state directory is left"

# One id, 20 creates at once: mkdir of the state directory decides, before anything is started.
one=$(t_id)
rm -f "$OUT"/*
for i in $(seq 1 20); do
        (timeout 120 "$RUNSCOPE" --root "$T_ROOT" create -b "$B" "$one" >/dev/null 2>"$OUT/same.$i.err" </dev/null
         echo $? >"$OUT/same.$i.rc") &
done
wait
t_is "$(count_rc same 0)" 1 "20 creates of one id: exactly one succeeds"
t_is "$(count_rc same 1)" 19 "... and 19 exit 1"
t_is "$(cat "$OUT"/same.*.err | sort | uniq -c | sed 's/^ *//')" "19 runscope: container with id $one already exists" \
        "... each with one line: already exists"
t_is "$(units "runscope-$one.scope")" 1 "... and there is exactly one unit"
t_is "$(rs state "$one" | jq -r .status)" created "... and the container that won is intact"
rs delete --force "$one"
t_ok "... which delete --force removes" nothing_left "$one" "runscope-$one.scope"

# delete --force and kill of one container, ten each, at once: none hangs or crashes, and
# afterwards nothing is left whoever won.
id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null 2>&1 </dev/null
rm -f "$OUT"/*
for i in $(seq 1 10); do
        (timeout 60 "$RUNSCOPE" --root "$T_ROOT" delete --force "$id" >/dev/null 2>"$OUT/del.$i.err" </dev/null
         echo $? >"$OUT/del.$i.rc") &
        (timeout 60 "$RUNSCOPE" --root "$T_ROOT" kill "$id" KILL >/dev/null 2>"$OUT/kill.$i.err" </dev/null
         echo $? >"$OUT/kill.$i.rc") &
done
wait
t_is "$(cat "$OUT"/*.rc | sort -u | tr '\n' ' ')" "0 1 " "delete --force racing kill: every command exits 0 or 1 (no hang, no crash)"
t_ok "... a delete --force succeeds (the others may find it gone)" test "$(count_rc del 0)" -ge 1
bad=$(cat "$OUT"/*.err | grep -v -E "^runscope: (container $id does not exist|container not running)$")
t_is "$bad" "" "... the errors are 'does not exist' or 'not running', one line each"
t_ok "... and no unit and no state are left" nothing_left "$id" "runscope-$id.scope"
t_done
