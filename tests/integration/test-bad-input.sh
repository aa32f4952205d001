#!/bin/bash
# Bad input fails with one clear line, a non-zero exit, and nothing left behind.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/true

id=$(t_id)
expect_clean 1 "missing bundle" "$T_WORK/nope: No such file" "$id" run -b "$T_WORK/nope" "$id"

id=$(t_id)
mkdir -p "$T_WORK/malformed" && ln -s "$B/rootfs" "$T_WORK/malformed/rootfs"
echo '{"ociVersion": "1.0.2", "process": ' >"$T_WORK/malformed/config.json"
expect_clean 1 "malformed JSON" "config.json: invalid JSON" "$id" run -b "$T_WORK/malformed" "$id"

id=$(t_id)
cp -r "$B" "$T_WORK/noargs" 2>/dev/null
bundle_edit "$T_WORK/noargs" 'del(.process.args)'
expect_clean 1 "missing process.args" "config.json: process.args: required" "$id" run -b "$T_WORK/noargs" "$id"

id=$(t_id)
bundle_edit "$T_WORK/noargs" '.process.args = ["/bin/true"] | .linux.resources.memory.limit = "1G"'
expect_clean 1 "a limit of the wrong type" "linux.resources.memory.limit: expected an integer" "$id" \
        create -b "$T_WORK/noargs" "$id"

expect_clean 1 "an id with /" "Invalid container id" "a-b" run -b "$B" "a/b"
expect_clean 1 "an id with .." "Invalid container id" "x" run -b "$B" ".."
expect_clean 1 "an id that looks like an option" "Invalid container id|unrecognized" "x" create -b "$B" -- "-x"

id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/sleep","300"]'
rs run -d -b "$B" "$id"
err=$(rs run -b "$B" "$id" 2>&1)
t_is "$?" 1 "an id in use: exits 1"
t_is "$err" "runscope: container with id $id already exists" "an id in use: runc's message"
t_is "$(rs state "$id" | jq -r .status)" running "an id in use: the running container is untouched"
t_is "$(systemctl is-active "runscope-$id.scope")" active "an id in use: its unit is untouched"

# The same id under another --root maps to the same unit: refused, and the other's unit untouched.
err=$("$RUNSCOPE" --root "$T_WORK/other-root" run -b "$B" "$id" 2>&1)
t_is "$?" 1 "an id whose unit is taken (another --root): exits 1"
t_is "$err" "runscope: Unit runscope-$id.scope already exists and is active" "... naming the unit"
t_is "$(systemctl is-active "runscope-$id.scope")" active "... and the other container's unit is untouched"
t_ok "... and no state is left in the other root" test ! -e "$T_WORK/other-root/$id"
rs delete -f "$id"

id=$(t_id)
expect_clean 1 "an unknown signal" "Invalid signal 'BOGUS'" "$id" kill "$id" BOGUS
t_is "$(rs bogus 2>&1)" "runscope: Unknown command 'bogus' (see runscope --help)" "an unknown command is named"
t_done
