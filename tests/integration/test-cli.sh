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
