#!/bin/bash
# The command line as runc's users drive it: spec, --log/--log-format json, --debug, help.
. "$(dirname "$0")/../lib/common.sh"

mkdir -p "$T_WORK/specdir"
rs spec --bundle "$T_WORK/specdir"
t_is "$?" 0 "spec writes a config.json"
t_is "$(jq -r '.process.args[0] + " " + .root.path' "$T_WORK/specdir/config.json")" "sh rootfs" \
        "... runc's default: sh in rootfs"
err=$(rs spec --bundle "$T_WORK/specdir" 2>&1)
t_is "$?:$err" "1:runscope: $T_WORK/specdir/config.json: File exists" "spec refuses to overwrite a config.json"
t_is "$(jq -c '.process | to_entries[0]' "$T_WORK/specdir/config.json")" '{"key":"terminal","value":true}' \
        "spec: process.terminal is true, first of the process, as runc's"
# What runc spec writes, field by field, but for the hostname, the ociVersion and the cgroup
# namespace runscope adds (spec-default.c says why).
if command -v runc >/dev/null; then
        mkdir -p "$T_WORK/runcspec"
        (cd "$T_WORK/runcspec" && runc spec)
        ours=$(jq -S 'del(.hostname, .ociVersion) | .linux.namespaces |= map(select(.type != "cgroup"))' "$T_WORK/specdir/config.json")
        theirs=$(jq -S 'del(.hostname, .ociVersion)' "$T_WORK/runcspec/config.json")
        t_is "$ours" "$theirs" "spec writes what runc spec writes"
        t_is "$(jq -c '[.hostname, .ociVersion, (.linux.namespaces | map(.type) | index("cgroup") != null)]' \
                "$T_WORK/specdir/config.json")" '["runscope","1.0.2",true]' "... with runscope's hostname, ociVersion and a cgroup namespace"
else
        t_skip "spec writes what runc spec writes" "runc is not installed"
fi

# A script written for runc: spec in a bundle, then run -d --console-socket; the shell is on the pty.
mkdir -p "$T_WORK/runcstyle"
make_rootfs "$T_WORK/runcstyle/rootfs"
"$RUNSCOPE_TOP/tests/console-recv" "$T_WORK/console.sock" $'echo from-the-console-$((6*7)); exit\n' >"$T_WORK/console.out" &
recv=$!
wait_until grep -qs listening "$T_WORK/console.out"
id=$(t_id)
(cd "$T_WORK/runcstyle" && rs spec && rs run -d --console-socket "$T_WORK/console.sock" "$id")
rc=$?
t_is "$rc" 0 "runc-style: spec, then run -d --console-socket succeeds"
recv_done "$recv" "$rc"
t_match "$(tr -d '\r' <"$T_WORK/console.out")" "from-the-console-42" "... and the spec's shell runs on the pty it sent"
rs delete -f "$id"

log=$T_WORK/log.json
rs --log "$log" --log-format json state nosuch 2>/dev/null
t_is "$?" 1 "state of a missing container fails"
t_is "$(jq -r '.level + ": " + .msg' "$log")" "error: container nosuch does not exist" \
        "--log-format json writes one JSON object a line with level and msg"
t_match "$(jq -r .time "$log")" '^20[0-9-]+T[0-9:.]+Z$' "... and an RFC 3339 time"
# runc and crun print the error on stderr too: containerd's shim reads a failed kill's output, not the log.
t_is "$(rs --log "$log" --log-format json state nosuch 2>&1)" "runscope: container nosuch does not exist" \
        "... and the error, once, on stderr as runc and crun do"

B=$T_WORK/bundle
make_bundle "$B" /bin/true
rs --debug --log "$T_WORK/debug.log" run -b "$B" "$(t_id)"
t_match "$(cat "$T_WORK/debug.log")" "debug: Launcher [0-9]+ is ready to exec /bin/true" "--debug logs the launcher's steps"
: >"$log"
t_is "$(rs --debug --log "$log" --log-format json run -b "$B" "$(t_id)" 2>&1)" "" "no level but errors goes to stderr"
t_match "$(cat "$log")" '"level":"debug"' "... only to the log"

t_is "$(rs --log-format yaml list 2>&1)" "runscope: Invalid --log-format 'yaml': use text or json" "a bad --log-format is named"
rs --systemd-cgroup list >/dev/null
t_is "$?" 0 "--systemd-cgroup is accepted"
t_match "$(rs --help)" "create +create a container" "--help lists the commands"
t_done
