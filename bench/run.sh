#!/bin/bash
# Times runscope beside crun and runc (those installed) in one systemd (a private one when PID 1 is
# not systemd), same busybox bundle, runtimes interleaved; prints medians and the ratios to crun
# and runc, and writes bench/result.json. A measurement, never a test: the targets of issue #8
# are printed as PASS/FAIL for information and the exit status does not depend on them.
#
# Usage: bench/run.sh [-q] [--no-scale] [RUNS [SCALE]]
#   RUNS     timed samples of every figure (default 30; -q: 5)
#   SCALE    live containers of the scale run and the largest `list` (default 1000; -q: 100)
#   -q       a quick run: RUNS 5, SCALE 100
#   --no-scale  the per-operation figures only
# Phases: bench/micro.sh (run, create, start, delete, exec, state, floors, peak RSS) and
# bench/scale.sh (start, list and state with 1 .. SCALE live containers, delete all, leftovers).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

runs="" scale="" quick=0 do_scale=1
for a in "$@"; do
        case $a in
        -q) quick=1 ;;
        --no-scale) do_scale=0 ;;
        -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *[!0-9]* | "") echo "bench/run.sh: unknown argument '$a'" >&2; exit 2 ;;
        *) if [ -z "$runs" ]; then runs=$a; else scale=$a; fi ;;
        esac
done
[ "$quick" = 1 ] && { runs=${runs:-5}; scale=${scale:-100}; }
runs=${runs:-30} scale=${scale:-1000}

tests/setup.sh || exit 1
[ -x /usr/bin/time ] || {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null || exit 1
}

mkdir -p "$top/tests/.work"
out=$(mktemp -d "$top/tests/.work/bench.XXXXXX") || exit 1
. tests/lib/sandbox.sh
trap 'sandbox_stop; [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$out"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
sandbox_start || exit 1
[ -n "$SANDBOX_PID" ] && echo "bench: private systemd, pid $SANDBOX_PID ($SANDBOX_NAME)" >&2
work=$(sb mktemp -d /tmp/runscope-bench.XXXXXX) || exit 1
: >"$out/samples"
: >"$out/rss"
: >"$out/scale"
: >"$out/failures"
: >"$out/errors.log"

start=$(date +%s)
echo "bench: per-operation figures, $runs rounds" >&2
sb env BENCH_OUT="$out" BENCH_WORK="$work" bash bench/micro.sh "$runs"
if [ "$do_scale" = 1 ]; then
        echo "bench: scale run, $scale live containers, $runs samples a level" >&2
        sb env BENCH_OUT="$out" BENCH_WORK="$work" bash bench/scale.sh "$runs" "$scale"
fi
elapsed=$(($(date +%s) - start))

runtimes=$(sb env BENCH_OUT="$out" BENCH_WORK="$work" bash -c '. bench/lib.sh; printf "%s\n" "${RT_KEYS[@]}"' |
        jq -R . | jq -sc .)
version() { sb "$@" 2>/dev/null | head -n1; }
cgroups=legacy
[ "$(sb stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && cgroups=hybrid
[ "$(sb stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && cgroups=unified
meta=$(jq -n --argjson runs "$runs" --argjson scale "$scale" --argjson rts "$runtimes" \
        --arg nproc "$(nproc)" --arg mem "$(free -g | awk '/^Mem:/ {print $2}')" --arg kernel "$(uname -r)" \
        --arg private "$([ -n "$SANDBOX_PID" ] && echo true || echo false)" \
        --arg systemd "$(version systemctl --version)" --arg cgroups "$cgroups" \
        --arg runscope "$(version ./runscope --version)" --arg crun "$(version crun --version)" \
        --arg runc "$(version runc --version)" --arg unshare "$(cat "$out/floor-unshare" 2>/dev/null)" \
        --arg load_before "$load_before" --arg load_after "$(cut -d' ' -f1-3 /proc/loadavg)" \
        --arg date "$(date -u +%FT%TZ)" --argjson elapsed "$elapsed" '{
        date: $date, elapsed_s: $elapsed,
        machine: {nproc: ($nproc | tonumber), mem_gib: ($mem | tonumber), kernel: $kernel,
                private_systemd: ($private == "true"), systemd: $systemd, cgroups: $cgroups,
                loadavg_before: $load_before, loadavg_after: $load_after},
        versions: {runscope: $runscope, crun: $crun, runc: $runc},
        params: {runs: $runs, warmup: 2, scale: $scale, bundle: "busybox, /bin/true or /bin/sleep, writable root"},
        runtimes: $rts,
        floors: {"systemd-run": "systemd-run --scope true", unshare: ($unshare | sub(" /bin/true$"; " true")),
                nsenter: "nsenter -t INIT -a true"}}')
jq -n --rawfile samples "$out/samples" --rawfile rss "$out/rss" --rawfile scale "$out/scale" \
        --rawfile failures "$out/failures" --argjson meta "$meta" -f bench/result.jq >bench/result.json || exit 1

jq -r --arg part ops -f bench/table.jq bench/result.json | column -t -s $'\t'
if [ "$do_scale" = 1 ]; then
        echo
        jq -r --arg part scale -f bench/table.jq bench/result.json | column -t -s $'\t'
fi
echo
jq -r '.targets[] | "\(if .pass == true then "PASS" elif .pass == false then "FAIL" else "n/a " end)  \(.name): \(.value | tojson) (limit \(.limit // "-"))"' \
        bench/result.json
jq -r '.failures | to_entries[] | "failed: \(.key) x\(.value)"' bench/result.json
[ -s "$out/errors.log" ] && { echo "errors (first lines of $(grep -c . "$out/errors.log")):"; head -n 5 "$out/errors.log"; }
echo "(bench/result.json written; $elapsed s; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg))"
