#!/bin/bash
# OCI hooks at their points of the lifecycle, with the state on stdin; a failing or hanging hook
# fails create with one line naming it, and leaves nothing.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 300
bundle_edit "$B" '.root.readonly = false'
log=$T_WORK/hooks
mkdir -p "$log"
hook=$T_WORK/hook.sh
printf '#!/bin/sh\ncat > "%s/$1"\n' "$log" >"$hook"
chmod +x "$hook"
# startContainer runs inside the container: its path and what it writes are the container's.
printf '#!/bin/sh\ncat > /tmp/startContainer\n' >"$B/rootfs/hook.sh"
chmod +x "$B/rootfs/hook.sh"
bundle_edit "$B" --arg h "$hook" '.hooks = {
        prestart: [{path: $h, args: ["hook", "prestart"]}],
        createRuntime: [{path: $h, args: ["hook", "createRuntime"]}],
        createContainer: [{path: $h, args: ["hook", "createContainer"]}],
        startContainer: [{path: "/hook.sh"}],
        poststart: [{path: $h, args: ["hook", "poststart"]}],
        poststop: [{path: $h, args: ["hook", "poststop"]}]}'

id=$(t_id)
rs create -b "$B" "$id"
t_is "$?" 0 "create with every kind of hook succeeds"
pid=$(rs state "$id" | jq -r .pid)
for k in prestart createRuntime createContainer; do
        t_is "$(jq -r '.id + " " + .status + " " + (.pid|tostring)' "$log/$k" 2>/dev/null)" "$id created $pid" \
                "$k ran at create with the state (id, created, the init's pid) on stdin"
done
t_ok "startContainer has not run before start" test ! -e "$B/rootfs/tmp/startContainer"
t_ok "poststart has not run before start" test ! -e "$log/poststart"
rs start "$id"
wait_until test -s "$B/rootfs/tmp/startContainer"
t_is "$(jq -r .status "$B/rootfs/tmp/startContainer")" created "startContainer ran inside the container at start"
t_is "$(jq -r .status "$log/poststart")" running "poststart ran after start"
t_ok "poststop has not run before delete" test ! -e "$log/poststop"
rs delete -f "$id"
t_is "$(jq -r '.id + " " + .status' "$log/poststop")" "$id stopped" "poststop ran at delete"

# run does create and start in one: poststart runs there too.
rm -f "$log/poststart"
id=$(t_id)
rs run -d -b "$B" "$id"
t_is "$(jq -r '.id + " " + .status' "$log/poststart" 2>/dev/null)" "$id running" "run -d runs poststart as well"
rs delete -f "$id"

printf '#!/bin/sh\nexit 3\n' >"$T_WORK/fail.sh"
printf '#!/bin/sh\nsleep 5\n' >"$T_WORK/hang.sh"
chmod +x "$T_WORK/fail.sh" "$T_WORK/hang.sh"
# A failing poststop hook is a warning: the next ones run, and delete succeeds.
rm -f "$log/poststop"
id=$(t_id)
bundle_edit "$B" --arg h "$hook" --arg f "$T_WORK/fail.sh" '.hooks = {
        poststop: [{path: $f}, {path: $h, args: ["hook", "poststop"]}]}'
rs run -d -b "$B" "$id"
err=$(rs delete -f "$id" 2>&1)
t_is "$?" 0 "delete succeeds though a poststop hook fails"
t_match "$err" "^runscope: hooks.poststop\\[0\\] \\($T_WORK/fail.sh\\) exited with status 3, ignoring$" \
        "the failing poststop hook is named in one line, ignored"
t_is "$(jq -r '.id + " " + .status' "$log/poststop" 2>/dev/null)" "$id stopped" \
        "the poststop hook after the failing one still ran"
t_ok "delete left nothing" nothing_left "$id" "runscope-$id.scope"

# A failing poststart hook is an error (runtime-spec 1.3, as crun): the container is stopped, and
# the lifecycle goes on to delete, which runs the poststop hooks.
bundle_edit "$B" --arg h "$hook" --arg f "$T_WORK/fail.sh" '.hooks = {
        poststart: [{path: $f}, {path: $h, args: ["hook", "poststart"]}],
        poststop: [{path: $h, args: ["hook", "poststop"]}]}'
rm -f "$log/poststart" "$log/poststop"
id=$(t_id)
rs create -b "$B" "$id"
err=$(rs start "$id" 2>&1)
t_is "$?" 1 "start with a failing poststart hook exits 1"
t_match "$err" "^runscope: hooks.poststart\\[0\\] \\($T_WORK/fail.sh\\) exited with status 3$" \
        "start: one line naming the failing poststart hook"
t_is "$(rs state "$id" | jq -r .status)" stopped "start: the container is stopped"
t_ok "start: the poststart hooks after the failing one did not run" test ! -e "$log/poststart"
rs delete "$id"
t_is "$?" 0 "start: delete of the stopped container succeeds"
t_is "$(jq -r '.id + " " + .status' "$log/poststop" 2>/dev/null)" "$id stopped" "start: delete ran poststop"
t_ok "start: delete left nothing" nothing_left "$id" "runscope-$id.scope"
for mode in -d ""; do
        rm -f "$log/poststop"
        id=$(t_id)
        err=$(rs run $mode -b "$B" "$id" 2>&1 </dev/null)
        t_is "$?" 1 "run $mode with a failing poststart hook exits 1"
        t_match "$err" "^runscope: hooks.poststart\\[0\\] \\($T_WORK/fail.sh\\) exited with status 3$" \
                "run $mode: one line naming the failing poststart hook"
        t_is "$(jq -r '.id + " " + .status' "$log/poststop" 2>/dev/null)" "$id stopped" "run $mode: poststop ran"
        t_ok "run $mode: the container was stopped and deleted" nothing_left "$id" "runscope-$id.scope"
done

id=$(t_id)
bundle_edit "$B" --arg h "$T_WORK/fail.sh" '.hooks = {createRuntime: [{path: $h}]}'
expect_clean 1 "a failing createRuntime hook" "hooks.createRuntime\\[0\\] \\($T_WORK/fail.sh\\) exited with status 3" \
        "$id" create -b "$B" "$id"
id=$(t_id)
bundle_edit "$B" --arg h "$T_WORK/hang.sh" '.hooks = {createContainer: [{path: $h, timeout: 1}]}'
expect_clean 1 "a createContainer hook past its timeout" "hooks.createContainer\\[0\\] \\($T_WORK/hang.sh\\) timed out after 1 s" \
        "$id" create -b "$B" "$id"
id=$(t_id)
bundle_edit "$B" '.hooks = {prestart: [{path: "relative/hook"}]}'
expect_clean 1 "a relative hook path" "hooks.prestart\\[0\\].path: must be an absolute path" "$id" create -b "$B" "$id"
t_done
