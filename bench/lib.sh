# Sourced by bench/micro.sh and bench/scale.sh, inside the systemd that bench/run.sh provides.
# The runtimes, the bundles and the timer. A sample is one line "OP RUNTIME MICROSECONDS" in
# $BENCH_OUT/samples; bench/report.jq turns them into medians. Nothing here passes or fails.

. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/rootfs.sh"
export LC_ALL=C # EPOCHREALTIME with a dot

BENCH_OUT=${BENCH_OUT:?}
BENCH_WORK=${BENCH_WORK:-/tmp/runscope-bench}
mkdir -p "$BENCH_WORK"

# The runtimes found installed, by key, and the command line each is called with. Paths have no
# spaces, so a command is split on words where it is used.
declare -A RT
RT_KEYS=(runscope runscope-nm)
RT[runscope]="$RUNSCOPE --root $BENCH_WORK/state-runscope"
RT[runscope-nm]="$RUNSCOPE --root $BENCH_WORK/state-runscope-nm --no-machine"
# bench/run.sh --base BINARY: a previous build of runscope, timed in the same rounds.
if [ -n "${BENCH_BASE:-}" ]; then
        RT_KEYS+=(base)
        RT[base]="$BENCH_BASE --root $BENCH_WORK/state-base"
fi
if command -v crun >/dev/null; then
        RT_KEYS+=(crun crun-fs)
        RT[crun]="crun --root $BENCH_WORK/state-crun --systemd-cgroup"
        # crun without systemd: it makes the container's cgroups itself (/ID in each hierarchy).
        RT[crun-fs]="crun --root $BENCH_WORK/state-crun-fs --cgroup-manager=cgroupfs"
fi
if command -v runc >/dev/null; then
        RT_KEYS+=(runc)
        RT[runc]="runc --root $BENCH_WORK/state-runc --systemd-cgroup"
fi

# The state root of a runtime (the --root in its command).
rt_root() { echo "$BENCH_WORK/state-$1"; }

# The scope unit each runtime makes for a container, as a systemctl pattern (none for crun-fs).
rt_unit_glob() {
        case $1 in
        runscope* | base) echo 'runscope-*.scope' ;;
        crun-fs) ;; # no unit: its cgroups are its own
        *) echo "$1-*.scope" ;;
        esac
}

# bench_bundles: $BENCH_WORK/true (busybox /bin/true) and $BENCH_WORK/sleep (sleep, for the live
# containers), writable root as crun and runc expect by default.
bench_bundles() {
        local b
        make_bundle "$BENCH_WORK/true" /bin/true >/dev/null || return 1
        make_bundle "$BENCH_WORK/sleep" /bin/sleep 100000 >/dev/null || return 1
        for b in true sleep; do
                bundle_edit "$BENCH_WORK/$b" '.root.readonly = false' || return 1
        done
}

# tm OP RUNTIME CMD...: runs CMD (stdin, stdout closed to /dev/null, stderr to errors.log) and
# records its wall time when it succeeds; a failure is recorded as such and returns 1.
# BENCH_RECORD=0 (warm-up) times nothing. With BENCH_WARM set to a command, that command is run
# first, untimed (micro.sh: an exec into a live container, i.e. a cgroup migration). Moving a
# process between cgroups takes the kernel's cgroup_threadgroup_rwsem for writing, which waits an
# RCU grace period unless another migration happened a moment before: on the development machine
# an exec took 17.9 ms after 30 ms without a migration and 4.8 ms right after one (every runtime
# alike; run, create and systemd-run --scope move a process too). Without it the figures depended
# on which operation came before which; with it every sample starts from the same state, the one
# of a host that starts containers all the time.
BENCH_RECORD=1
BENCH_WARM=${BENCH_WARM:-}
tm() {
        local op=$1 rt=$2 s e rc
        shift 2
        [ -z "$BENCH_WARM" ] || $BENCH_WARM </dev/null >/dev/null 2>&1
        s=${EPOCHREALTIME/./}
        "$@" </dev/null >/dev/null 2>>"$BENCH_OUT/errors.log"
        rc=$?
        e=${EPOCHREALTIME/./}
        if [ "$rc" != 0 ]; then
                echo "$op $rt: exit $rc: $*" >>"$BENCH_OUT/errors.log"
                echo "$op $rt" >>"$BENCH_OUT/failures"
                return 1
        fi
        [ "$BENCH_RECORD" = 1 ] && echo "$op $rt $((e - s))" >>"$BENCH_OUT/samples"
        return 0
}

# rss OP RUNTIME CMD...: the peak RSS (KiB, wait4's ru_maxrss as GNU time's %M: bench/maxrss.c,
# $BENCH_MAXRSS) of CMD, the largest of the runtime process and the children it waited for.
rss() {
        local op=$1 rt=$2 f=$BENCH_WORK/rss.txt
        shift 2
        if "${BENCH_MAXRSS:?}" "$f" "$@" </dev/null >/dev/null 2>>"$BENCH_OUT/errors.log"; then
                echo "$op $rt $(tail -n1 "$f")" >>"$BENCH_OUT/rss"
        else
                echo "rss $op $rt: failed: $*" >>"$BENCH_OUT/errors.log"
        fi
}

# wait_stopped RUNTIME ID: until the container's process has exited (at most 5 s).
wait_stopped() {
        local i st
        for i in $(seq 1 500); do
                st=$(${RT[$1]} state "$2" 2>/dev/null | jq -r .status 2>/dev/null)
                [ "$st" = stopped ] && return 0
                [ -z "$st" ] && return 1
                sleep 0.01
        done
        return 1
}

# The runtime keys rotated by N, so that no runtime always goes first in a round.
rt_rotated() {
        local n=$1 i k=${#RT_KEYS[@]}
        for i in $(seq 0 $((k - 1))); do echo "${RT_KEYS[$(((i + n) % k))]}"; done
}
