#!/bin/bash
# The scale run, one runtime after another (each alone in systemd): start SCALE sleep containers
# and, on the way, with L live (L = 1, SCALE/10, SCALE/4, SCALE/2, SCALE) time RUNS times:
#   start@L    `run -d` of one more container (the L-th live one; deleted again, not timed),
#              after one such start that is not counted
#   list@L     `list`, and state@L: `state` of the first container
#   systemd-run@L  the floor, `systemd-run --scope true`, with those L containers live
# then delete them all (delete@SCALE: `delete --force` of each) and count what is left: scope
# units of the runtime, containers in its state root, registered machines.
# Usage (inside the systemd, from bench/run.sh): BENCH_OUT=DIR bench/scale.sh RUNS SCALE [RUNTIME...]
set -u
. "$(dirname "$0")/lib.sh"
runs=${1:-20}
scale=${2:-1000}
shift 2
keys=("$@")
[ ${#keys[@]} -gt 0 ] || keys=("${RT_KEYS[@]}")

bench_bundles || exit 1
levels=$(printf '%s\n' 1 $((scale / 10)) $((scale / 4)) $((scale / 2)) "$scale" | awk '$1 >= 1' | sort -nu)

# start_live RUNTIME N: the N-th sleep container; 0 when it runs.
start_live() {
        ${RT[$1]} run -d -b "$BENCH_WORK/sleep" "s$2" </dev/null >/dev/null 2>>"$BENCH_OUT/errors.log"
}

for rt in "${keys[@]}"; do
        r=${RT[$rt]}
        echo "scale: $rt, $scale containers" >&2
        live=0 failed=0
        t0=${EPOCHREALTIME/./}
        for level in $levels; do
                while [ "$live" -lt $((level - 1)) ] && [ "$failed" -lt 20 ]; do
                        if start_live "$rt" $((live + 1)); then live=$((live + 1)); else failed=$((failed + 1)); fi
                done
                for i in $(seq 0 "$runs"); do # x0 is a warm-up
                        BENCH_RECORD=$([ "$i" -gt 0 ] && echo 1 || echo 0)
                        tm "start@$level" "$rt" $r run -d -b "$BENCH_WORK/sleep" "x$i"
                        $r delete -f "x$i" >/dev/null 2>&1
                done
                if start_live "$rt" $((live + 1)); then live=$((live + 1)); else failed=$((failed + 1)); fi
                [ "$live" = "$level" ] || echo "scale: $rt: $live live instead of $level" | tee -a "$BENCH_OUT/errors.log" >&2
                for i in $(seq 1 "$runs"); do
                        tm "list@$level" "$rt" $r list
                        tm "state@$level" "$rt" $r state s1
                        tm "systemd-run@$level" "$rt" systemd-run --quiet --scope /bin/true
                done
        done
        t1=${EPOCHREALTIME/./}
        for i in $(seq 1 "$live"); do
                tm "delete@$scale" "$rt" $r delete -f "s$i" || $r delete -f "s$i" >/dev/null 2>&1
        done
        t2=${EPOCHREALTIME/./}
        glob=$(rt_unit_glob "$rt")
        units=0
        [ -z "$glob" ] || units=$(systemctl list-units --all --no-legend --plain "$glob" | wc -l)
        # Containers' state; runscope's cache of what systemd refused (.systemd-refused) stays.
        state=$(find "$(rt_root "$rt")" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l)
        machines=$(machinectl list --no-legend 2>/dev/null | grep -c .)
        [ "$state" = 0 ] || ls -la "$(rt_root "$rt")" | sed "s/^/scale: $rt: left in the state root: /" >>"$BENCH_OUT/errors.log"
        [ "$units" = 0 ] || systemctl list-units --all --no-legend --plain "$glob" |
                sed "s/^/scale: $rt: unit left: /" >>"$BENCH_OUT/errors.log"
        echo "$rt $live $failed $(((t1 - t0) / 1000)) $(((t2 - t1) / 1000)) $units $state $machines" >>"$BENCH_OUT/scale"
done
