#!/bin/bash
# The per-operation figures, runtimes interleaved: every round runs each operation once with every
# runtime (in an order rotated each round), then the floors; exec and state have rounds of their
# own, after the others. Usage (inside the systemd, from
# bench/run.sh): BENCH_OUT=DIR bench/micro.sh RUNS
#   run        `run` of /bin/true, foreground, to its exit (the runtime deletes the container)
#   create     `create` of the /bin/true bundle; start: `start` of it; delete: `delete` once it
#              has exited (the wait for the exit is not timed)
#   exec       `exec` of /bin/true into a running sleep container; state: `state` of that one
#   floors     run's: bench/floor.c ($BENCH_FLOOR: one StartTransientUnit answered with its process
#              in the scope, plus the bundle's namespaces), and its two halves apart, `systemd-run
#              --scope true` and `unshare` of the bundle's namespaces; exec's: `nsenter` into a live
#              container's namespaces
# Peak RSS (KiB) of run, create, exec and state after the rounds.
set -u
. "$(dirname "$0")/lib.sh"
runs=${1:-20}
warmup=2

bench_bundles || exit 1
for rt in "${RT_KEYS[@]}"; do
        ${RT[$rt]} run -d -b "$BENCH_WORK/sleep" "$rt-live" </dev/null >/dev/null 2>>"$BENCH_OUT/errors.log" ||
                echo "micro: $rt: the sleep container did not start" >&2
done
# Every timed command starts right after a cgroup migration (see tm in lib.sh).
BENCH_WARM="${RT[runscope]} exec runscope-live /bin/true"

# unshare of the namespaces the bundle asks for.
ns_flags=$(jq -r '[.linux.namespaces[].type] | map({pid: "p", network: "n", ipc: "i", uts: "u",
        mount: "m", cgroup: "C", user: "U", time: "T"}[.] // empty) | join("")' "$BENCH_WORK/true/config.json")
floor_unshare=(unshare "-f$ns_flags" --mount-proc /bin/true)
echo "unshare -f$ns_flags --mount-proc /bin/true" >"$BENCH_OUT/floor-unshare"

for round in $(seq 1 $((warmup + runs))); do
        BENCH_RECORD=$([ "$round" -gt "$warmup" ] && echo 1 || echo 0)
        for rt in $(rt_rotated "$round"); do
                r=${RT[$rt]}
                tm run "$rt" $r run -b "$BENCH_WORK/true" "$rt-r$round"
                if tm create "$rt" $r create -b "$BENCH_WORK/true" "$rt-c$round"; then
                        tm start "$rt" $r start "$rt-c$round"
                        wait_stopped "$rt" "$rt-c$round" || echo "micro: $rt-c$round did not stop" >>"$BENCH_OUT/errors.log"
                        tm delete "$rt" $r delete "$rt-c$round" || $r delete -f "$rt-c$round" >/dev/null 2>&1
                fi
        done
        [ -z "${BENCH_FLOOR:-}" ] || tm floor floor "$BENCH_FLOOR" "$ns_flags" machine.slice -- /bin/true
        tm floor systemd-run systemd-run --quiet --scope /bin/true
        tm floor unshare "${floor_unshare[@]}"
done
# exec and state in rounds of their own, after the others; exec's floor is nsenter into the
# namespaces of runscope's live container, to the same /bin/true, without a cgroup move.
live_pid=$(${RT[runscope]} state runscope-live 2>/dev/null | jq -r '.pid // empty')
for round in $(seq 1 $((warmup + runs))); do
        BENCH_RECORD=$([ "$round" -gt "$warmup" ] && echo 1 || echo 0)
        for rt in $(rt_rotated "$round"); do
                r=${RT[$rt]}
                tm exec "$rt" $r exec "$rt-live" /bin/true
                tm state "$rt" $r state "$rt-live"
        done
        [ -z "$live_pid" ] || tm floor nsenter nsenter -t "$live_pid" -a /bin/true
done

n=$((runs < 5 ? runs : 5))
for rt in "${RT_KEYS[@]}"; do
        r=${RT[$rt]}
        for i in $(seq 1 "$n"); do
                rss run "$rt" $r run -b "$BENCH_WORK/true" "$rt-m$i"
                rss create "$rt" $r create -b "$BENCH_WORK/true" "$rt-m$i"
                $r delete -f "$rt-m$i" >/dev/null 2>&1
                rss exec "$rt" $r exec "$rt-live" /bin/true
                rss state "$rt" $r state "$rt-live"
        done
done
for i in $(seq 1 "$n"); do
        [ -z "${BENCH_FLOOR:-}" ] || rss floor floor "$BENCH_FLOOR" "$ns_flags" machine.slice -- /bin/true
        rss floor systemd-run systemd-run --quiet --scope /bin/true
        rss floor unshare "${floor_unshare[@]}"
done

for rt in "${RT_KEYS[@]}"; do
        ${RT[$rt]} delete -f "$rt-live" >/dev/null 2>&1
done
