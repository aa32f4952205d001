#!/bin/bash
# Hostile input: config.json truncated, deeply nested, huge, of the wrong types, with NUL bytes,
# out-of-range numbers and 10 MB strings; state.json broken in every way; ids that are paths,
# options or control characters. Each gives one line of error and a non-zero exit below 128 (no
# crash), in bounded time, and leaves no unit and no state behind; list still shows the others.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/true

# case_bundle NAME PYTHON: a bundle of $B's rootfs whose config.json is $B's after PYTHON edits c.
case_bundle() {
        local d=$T_WORK/$1
        mkdir -p "$d" && ln -sfn "$B/rootfs" "$d/rootfs"
        python3 - "$B/config.json" "$d/config.json" "$2" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(c, open(sys.argv[2], "w"))
EOF
        echo "$d"
}

# bad_config DESC PATTERN BUNDLE: create fails cleanly, within 60 s.
bad_config() {
        local id
        id=$(t_id)
        expect_clean 1 "$1" "$2" "$id" create -b "$3" "$id"
}

d=$T_WORK/truncated && mkdir -p "$d" && ln -s "$B/rootfs" "$d/rootfs"
head -c 300 "$B/config.json" >"$d/config.json"
bad_config "truncated config.json" "config.json: invalid JSON near byte" "$d"

d=$T_WORK/nested && mkdir -p "$d" && ln -s "$B/rootfs" "$d/rootfs"
{ printf '{"ociVersion":"1.0.2","annotations":'; head -c 100000 /dev/zero | tr '\0' '['; } >"$d/config.json"
bad_config "100000 nested [" "config.json: invalid JSON" "$d"
{ printf '{"ociVersion":"1.0.2","x":'; for _ in $(seq 1 20000); do printf '{"a":'; done; } >"$d/config.json"
bad_config "20000 nested objects" "config.json: invalid JSON" "$d"

bad_config "process.args a string" "config.json: process.args: expected an array of strings" \
        "$(case_bundle wrong1 'c["process"]["args"] = "sh"')"
bad_config "root an array" "config.json: root: expected an object" "$(case_bundle wrong2 'c["root"] = []')"
bad_config "namespaces an object" "config.json: linux.namespaces: expected an array" \
        "$(case_bundle wrong3 'c["linux"]["namespaces"] = {}')"
bad_config "terminal a string" "config.json: process.terminal: expected true or false" \
        "$(case_bundle wrong4 'c["process"]["terminal"] = "yes"')"
bad_config "an env entry a number" "config.json: process.env\[1\]: expected a string" \
        "$(case_bundle wrong5 'c["process"]["env"][1] = 7')"

bad_config "a NUL byte (\\u0000) in process.args" 'config.json: a string holds \\u0000 \(a NUL byte\) at byte' \
        "$(case_bundle nul1 'c["process"]["args"] = ["/bin/true\u0000-x"]')"
bad_config "a NUL byte in an annotation key" 'a string holds \\u0000' \
        "$(case_bundle nul2 'c["annotations"] = {"a\u0000b": "v"}')"

bad_config "uid 2^40" "config.json: process.user.uid: 1099511627776 is out of range" \
        "$(case_bundle num1 'c["process"]["user"]["uid"] = 2**40')"
bad_config "a negative gid" "config.json: process.user.gid: -1 is out of range" \
        "$(case_bundle num2 'c["process"]["user"]["gid"] = -1')"
bad_config "a float uid" "config.json: process.user.uid: expected an integer, got 1.5" \
        "$(case_bundle num3 'c["process"]["user"]["uid"] = 1.5')"
d=$(case_bundle num4 'c["linux"]["resources"]["memory"] = {"limit": "HUGE"}')
sed -i 's/"HUGE"/1e400/' "$d/config.json"
bad_config "memory.limit 1e400" "config.json: linux.resources.memory.limit: inf is out of range" "$d"
bad_config "pids.limit 2^63" "config.json: linux.resources.pids.limit: 9223372036854775808 is out of range" \
        "$(case_bundle num5 'c["linux"]["resources"]["pids"] = {"limit": 2**63}')"

bad_config "a 10 MB hostname" "config.json: hostname: longer than 64 characters" \
        "$(case_bundle big1 'c["hostname"] = "h" * 10485760')"
bad_config "a 10 MB cwd" "config.json: process.cwd: longer than 4095 bytes" \
        "$(case_bundle big2 'c["process"]["cwd"] = "/" + "c" * 10485760')"
bad_config "a 10 MB command" "config.json: process.args: the command is longer than 4095 bytes" \
        "$(case_bundle big3 'c["process"]["args"] = ["/" + "a" * 10485760]')"
bad_config "a 10 MB annotation (more than state.json holds)" "State of .* would be 104[0-9]* bytes, more than 1048576" \
        "$(case_bundle big4 'c["annotations"] = {"big": "a" * 10485760}')"
# The kernel's limit on exec arguments is the container's to hit: run reports it as the shell would.
id=$(t_id)
expect_clean 126 "a 10 MB env entry" "exec /bin/true: Argument list too long" "$id" \
        run -b "$(case_bundle big5 'c["process"]["env"].append("X=" + "a" * 10485760)')" "$id"
id=$(t_id)
d=$(case_bundle big6 'c["process"]["env"] = ["E%d=v" % i for i in range(1000000)]')
start=$SECONDS
expect_clean 126 "a million env entries" "exec /bin/true: Argument list too long" "$id" run -b "$d" "$id"
t_ok "... parsed in well under a minute (was quadratic)" test $((SECONDS - start)) -lt 20

# Ids: never a path, an option or two lines. Whatever the id, the state root and the units are as
# they were (the id itself may not name a file or a unit at all).
B2=$T_WORK/sleeper
make_bundle "$B2" /bin/sleep 300
snapshot() { ls -A "$T_ROOT" 2>/dev/null; systemctl list-units 'runscope-*' --all --plain --no-legend 2>/dev/null; }
bad_id() { # RC DESC PATTERN ARGS...
        local want=$1 desc=$2 pattern=$3 before err rc
        shift 3
        before=$(snapshot)
        err=$(timeout 60 "$RUNSCOPE" --root "$T_ROOT" "$@" 2>&1 >/dev/null)
        rc=$?
        t_is "$rc" "$want" "$desc: exits $want"
        t_is "$(wc -l <<<"$err" | tr -d ' ')" 1 "$desc: one line of error"
        t_match "$err" "$pattern" "$desc: the error names what is wrong"
        t_is "$(snapshot)" "$before" "$desc: no state and no unit are made"
}
bad_id 1 "id .." "Invalid container id '\.\.'" create -b "$B2" ".."
bad_id 1 "id a/b" "Invalid container id 'a/b'" create -b "$B2" "a/b"
bad_id 1 "an empty id" "Invalid container id: empty" create -b "$B2" ""
long=$(printf 'x%.0s' $(seq 1 1025))
bad_id 1 "a 1025-character id" "Invalid container id: longer than 1024 characters" create -b "$B2" "$long"
bad_id 1 "a 1024-character id" "too long for a systemd unit name|File name too long" create -b "$B2" "${long:1}"
bad_id 1 "id -rf after --" "Invalid container id '-rf'" create -b "$B2" -- -rf
bad_id 1 "id -rf as delete's argument" "invalid option|unrecognized" delete --force -rf
bad_id 1 "id -rf as kill's argument" "invalid option|unrecognized" kill -rf
bad_id 1 "an id with a newline" "Invalid container id 'a\\\\nb'" create -b "$B2" $'a\nb'
bad_id 1 "state of an id with a newline" "Invalid container id 'a\\\\nb'" state $'a\nb'
# A NaN interval passed every comparison and became an integer (undefined; in practice INT_MIN).
bad_id 1 "events --interval nan" "--interval nan: expected a duration" events --interval nan x

# A broken state.json: state, kill and delete fail with one line, list names it beside the others,
# and delete --force removes it, unit included.
good=$(t_id)
rs run -d -b "$B2" "$good"
broken() { # NAME: a running container whose state.json is then broken by the caller
        local id
        id=$(t_id)
        # Not on our stdout: this runs in $(...), which would wait for the container to close it.
        rs run -d -b "$B2" "$id" >/dev/null 2>&1 </dev/null || echo "#   run -d $id failed" >&2
        echo "$id"
}
check_broken() { # DESC ID
        local desc=$1 id=$2 err rc out
        for verb in state kill delete; do
                err=$(rs $verb "$id" 2>&1 >/dev/null)
                rc=$?
                t_is "$rc" 1 "$desc: $verb exits 1"
                t_match "$err" "^runscope: [^"$'\n'"]*$id[^"$'\n'"]*$" "$desc: $verb gives one line naming it"
        done
        out=$(rs list --format json 2>"$T_WORK/list.err")
        t_is "$?" 0 "$desc: list succeeds"
        t_is "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .status' <<<"$out")" unknown "$desc: list flags it unknown"
        t_is "$(jq -r --arg id "$good" '.[] | select(.id == $id) | .status' <<<"$out")" running "$desc: list still shows the others"
        t_match "$(cat "$T_WORK/list.err")" "^runscope: container $id: its state is unreadable" "$desc: list warns in one line"
        err=$(timeout 60 "$RUNSCOPE" --root "$T_ROOT" delete --force "$id" 2>&1)
        t_is "$?" 0 "$desc: delete --force succeeds"
        t_match "$err" "^runscope: container $id: its state.json is unreadable \([^)]*\): stopping its unit and removing it$" \
                "$desc: delete --force says what it did, in one line"
        t_ok "$desc: no unit and no state are left" nothing_left "$id" "runscope-$id.scope"
}
id=$(broken); head -c 40 "$T_ROOT/$id/state.json" >"$T_ROOT/$id/x" && mv "$T_ROOT/$id/x" "$T_ROOT/$id/state.json"
check_broken "a truncated state.json" "$id"
id=$(broken); jq -c '.pid = "1"' "$T_ROOT/$id/state.json" >"$T_ROOT/$id/x" && mv "$T_ROOT/$id/x" "$T_ROOT/$id/state.json"
check_broken "a state.json with a wrong type" "$id"
id=$(broken); jq -c 'del(.unit)' "$T_ROOT/$id/state.json" >"$T_ROOT/$id/x" && mv "$T_ROOT/$id/x" "$T_ROOT/$id/state.json"
check_broken "a state.json without unit" "$id"
id=$(broken); : >"$T_ROOT/$id/state.json"
check_broken "an empty state.json" "$id"
id=$(broken); ln -sf /etc/passwd "$T_ROOT/$id/state.json"
check_broken "state.json a symlink" "$id"
id=$(broken); rm "$T_ROOT/$id/state.json" && mkfifo "$T_ROOT/$id/state.json"
check_broken "state.json a fifo (it must not block)" "$id"
rs delete --force "$good"
t_ok "the good container is deleted" nothing_left "$good" "runscope-$good.scope"
t_done
