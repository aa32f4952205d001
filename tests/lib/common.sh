# Sourced by every tests/integration/test-*.sh: TAP helpers and the bundles. The scripts run inside
# the systemd that run.sh provides (the host's, or a private one), as root.

. "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"

T_N=0
T_WORK=$(mktemp -d /tmp/runscope-it.XXXXXX)
T_ROOT=$T_WORK/state # every test file has a state root of its own
: >"$T_WORK/ids"
T_IDS=$T_WORK/ids # one id a line; a file, since t_id runs in $(...) subshells
# How many times longer than on the host a wait for systemd or a container may take: 20 in the
# emulated guest of tests/vm/run.sh, whose processes run 20-40x slower.
T_SLOW=${T_SLOW:-1}

if [ "$(cat /proc/1/comm)" != systemd ]; then
        echo "Bail out! PID 1 is not systemd: run tests/integration/run.sh"
        exit 1
fi

t_cleanup() {
        local id
        while read -r id; do
                [ -d "$T_ROOT/$id" ] && "$RUNSCOPE" --root "$T_ROOT" delete --force "$id" >/dev/null 2>&1
        done <"$T_IDS"
        rm -rf "$T_WORK"
}
trap t_cleanup EXIT

rs() { "$RUNSCOPE" --root "$T_ROOT" "$@"; }

# A fresh id, remembered for cleanup.
t_id() {
        local id="t$$-$RANDOM$RANDOM"
        echo "$id" >>"$T_IDS"
        echo "$id"
}

# fg_run BUNDLE ARG...: `rs run` in the background of BUNDLE, its process.args set to ARG...,
# under a fresh id; its output goes to $T_WORK/fg.out. Sets FG_ID and FG_PID.
fg_run() {
        local b=$1
        shift
        bundle_edit "$b" ".process.args = $(printf '%s\n' "$@" | jq -R . | jq -sc .)"
        FG_ID=$(t_id)
        rs run -b "$b" "$FG_ID" >"$T_WORK/fg.out" 2>&1 &
        FG_PID=$!
}

t_result() {
        T_N=$((T_N + 1))
        if [ "$1" = 0 ]; then echo "ok $T_N - $2"; else echo "not ok $T_N - $2"; fi
}

# t_ok DESC CMD...: passes when CMD succeeds.
t_ok() {
        local desc=$1
        shift
        "$@"
        t_result $? "$desc"
}

# t_is GOT EXPECTED DESC
t_is() {
        if [ "$1" = "$2" ]; then
                t_result 0 "$3"
        else
                t_result 1 "$3"
                printf '#   got:      %s\n#   expected: %s\n' "$1" "$2" | head -20
        fi
}

# t_match GOT REGEX DESC
t_match() {
        if [[ $1 =~ $2 ]]; then
                t_result 0 "$3"
        else
                t_result 1 "$3"
                printf '#   got:   %s\n#   match: %s\n' "$1" "$2" | head -20
        fi
}

t_skip() {
        T_N=$((T_N + 1))
        echo "ok $T_N - $1 # SKIP $2"
}

t_done() { echo "1..$T_N"; }

# wait_until CMD...: runs CMD every 50 ms until it succeeds. A wait on a condition, never a timing:
# the deadline ($T_WAIT s) only ends a wait for what will not come, and is far beyond what anything
# takes on a loaded machine (T_SLOW times that in the emulated guest).
T_WAIT=${T_WAIT:-$((60 * T_SLOW))}
wait_until() {
        local end=$((SECONDS + T_WAIT))
        until "$@"; do
                [ "$SECONDS" -lt "$end" ] || return 1
                sleep 0.05
        done
}

# reap PID: `wait PID` for a background command of the test's own that something has told to end
# (a signal, a file it waits for, its container's stop), bounded: one still running after $T_WAIT s
# is a defect (what was to end it did not), so it is killed and its checks fail, never a hang of the
# whole file until run.sh's timeout. Returns the command's status (137 once killed).
reap() {
        wait_until gone "$1" || { echo "# pid $1 still ran after ${T_WAIT}s: killed" >&2; kill -KILL "$1" 2>/dev/null; }
        wait "$1"
}

# recv_done PID RC: reaps a tests/console-recv of the test's own, once the command that was to connect
# to it has returned RC. One that nothing connected to (RC not 0, or a connection that never came:
# reap's bound) is ended, so that the failure shows in the checks after it, never as a hang.
recv_done() {
        [ "$2" = 0 ] || kill "$1" 2>/dev/null
        reap "$1" 2>/dev/null
}

# status_is ID STATUS: `state` says STATUS (a missing container is no status).
status_is() { [ "$(rs state "$1" 2>/dev/null | jq -r .status)" = "$2" ]; }
# gone PID: no such process (any more).
gone() { ! kill -0 "$1" 2>/dev/null; }
# is_stopped PID: the process is stopped (by a signal: tests/runscope-faults with RUNSCOPE_FAULT_STOP).
is_stopped() { [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" = T ]; }
# stopped_child PARENT: prints the pid of a stopped child of PARENT; fails when there is none.
stopped_child() {
        local c
        for c in $(pgrep -P "$1"); do
                is_stopped "$c" && echo "$c" && return 0
        done
        return 1
}
# listening PATH: a unix socket listens at PATH (made is not enough: a connect between its bind and
# its listen is refused).
listening() { ss -xlH | awk -v p="$1" '$5 == p { f = 1 } END { exit !f }'; }
# lines_at_least N FILE: FILE has N lines or more.
lines_at_least() { [ -e "$2" ] && [ "$(wc -l <"$2")" -ge "$1" ]; }

# between LOW N HIGH: LOW <= N <= HIGH, integers.
between() {
        [[ $2 =~ ^-?[0-9]+$ ]] && [ "$1" -le "$2" ] && [ "$2" -le "$3" ] && return 0
        echo "#   '$2' is not in [$1, $3]"
        return 1
}

# unit_gone UNIT: the unit is not loaded (systemd may take a moment to collect it).
unit_not_found() { [ "$(systemctl show -P LoadState "$1" 2>/dev/null)" = not-found ]; }
unit_gone() {
        wait_until unit_not_found "$1" && return 0
        systemctl status --no-pager "$1" 2>&1 | sed 's/^/#   /' | head -10
        return 1
}

# nothing_left ID UNIT: no state directory and no unit.
nothing_left() {
        [ ! -e "$T_ROOT/$1" ] || { echo "#   $T_ROOT/$1 is left"; return 1; }
        unit_gone "$2"
}

# expect_clean RC DESC PATTERN ID ARGS...: runscope ARGS exits RC with one line of error matching
# PATTERN, and leaves neither state nor unit for ID.
expect_clean() {
        local want=$1 desc=$2 pattern=$3 id=$4
        shift 4
        local err rc
        err=$(rs "$@" 2>&1 >/dev/null)
        rc=$?
        t_is "$rc" "$want" "$desc: exits $want"
        t_is "$(wc -l <<<"$err" | tr -d ' ')" 1 "$desc: one line of error"
        t_match "$err" "$pattern" "$desc: the error names what is wrong"
        t_ok "$desc: nothing is left" nothing_left "$id" "runscope-$id.scope"
}

# expect_refused BUNDLE DESC PATTERN JQ-FILTER: with the filter applied to the bundle's config (put
# back afterwards), create fails cleanly with an error matching PATTERN (see expect_clean).
expect_refused() {
        local dir=$1 desc=$2 pattern=$3 filter=$4 id
        cp "$dir/config.json" "$T_WORK/refused.json"
        bundle_edit "$dir" "$filter"
        id=$(t_id)
        expect_clean 1 "$desc" "$pattern" "$id" create -b "$dir" "$id"
        cp "$T_WORK/refused.json" "$dir/config.json"
}

# not_contains TEXT NEEDLE
not_contains() { ! grep -qF -- "$2" <<<"$1"; }
