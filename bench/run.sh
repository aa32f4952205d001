#!/bin/bash
# Times runscope beside crun (with systemd and with its own cgroupfs) and runc (those installed) in
# one systemd (a private one when PID 1 is not systemd), same busybox bundle, runtimes interleaved;
# prints medians and the ratios to crun and runc, writes bench/result.json and draws
# bench/plots/ops.png and bench/plots/scale.png (bench/plot.sh). A measurement, never a test: the
# targets of issues #8 and #22 are printed as PASS/FAIL for information and the exit status does
# not depend on them.
#
# Usage: bench/run.sh [-q] [--no-scale] [--base BINARY] [--only RUNTIME,...] [--out DIR] [RUNS [SCALE]]
#   RUNS     timed samples of every figure (default 30; -q: 5)
#   SCALE    live containers of the scale run and the largest `list` (default 1000; -q: 100)
#   -q       a quick run: RUNS 5, SCALE 100
#   --no-scale  the per-operation figures only
#   --base BINARY  also time BINARY, a previous build of runscope, in the same rounds ("base");
#                  not under /tmp or /run, which the private systemd has of its own
#   --only RUNTIMES  the scale run of these runtimes only (runscope,runscope-nm,base,crun,crun-fs,runc)
#   --out DIR  result.json and plots/ in DIR, relative to the checkout (default bench/)
#   BENCH_PREBUILT=DIR  the measuring tools (bench-floor, bench-maxrss) as bench/vm.sh built them on
#                  the host, and no apt or compiler here: the guest has neither
# Phases: bench/micro.sh (run, create, start, delete, exec, state, floors, peak RSS) and
# bench/scale.sh (start, list and state with 1 .. SCALE live containers, delete all, leftovers).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

runs="" scale="" quick=0 do_scale=1 base="" only="" dest=bench
while [ $# -gt 0 ]; do
        a=$1
        shift
        case $a in
        -q) quick=1 ;;
        --no-scale) do_scale=0 ;;
        --base) base=$(realpath "${1:?--base needs a binary}") || exit 2; shift ;;
        --only) only=${1:?--only needs runtimes}; shift ;;
        --out) dest=${1:?--out needs a directory}; shift ;;
        -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *[!0-9]* | "") echo "bench/run.sh: unknown argument '$a'" >&2; exit 2 ;;
        *) if [ -z "$runs" ]; then runs=$a; else scale=$a; fi ;;
        esac
done
[ "$quick" = 1 ] && { runs=${runs:-5}; scale=${scale:-100}; }
runs=${runs:-30} scale=${scale:-1000}

mkdir -p "$dest" || exit 1
if [ -n "${BENCH_PREBUILT:-}" ]; then
        tools=$BENCH_PREBUILT
        out=$(mktemp -d "${TMPDIR:-/var/tmp}/runscope-bench.XXXXXX") || exit 1
else
        tests/setup.sh || exit 1
        command -v gnuplot >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
                install -y -qq --no-install-recommends gnuplot-nox >/dev/null || exit 1
        tools=$top/tests/.work
        bench/build-tools.sh "$tools" || exit 1
        out=$(mktemp -d "$top/tests/.work/bench.XXXXXX") || exit 1
fi
floor=$tools/bench-floor
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
benv=(env BENCH_OUT="$out" BENCH_WORK="$work" BENCH_FLOOR="$floor" BENCH_MAXRSS="$tools/bench-maxrss"
        BENCH_BASE="$base")
# The timed scripts run in a service of the private systemd, where a runtime's callers are on a
# host (containerd, a login session): a shell that nsenter puts there sits above the sandbox's
# cgroup namespace in the hierarchies systemd makes no unit cgroups in, where no caller on a host
# sits (runscope then mounts such a hierarchy rather than binding it, test-cgroupfs.sh).
in_unit() {
        if [ -z "$SANDBOX_PID" ]; then
                sb "$@"
        else
                sb systemd-run --quiet --wait --pipe --collect -p WorkingDirectory="$SANDBOX_CHECKOUT" "$@"
        fi
}
in_unit "${benv[@]}" bash bench/micro.sh "$runs"
if [ "$do_scale" = 1 ]; then
        echo "bench: scale run, $scale live containers, $runs samples a level" >&2
        # shellcheck disable=SC2046 # one runtime key a word
        in_unit "${benv[@]}" bash bench/scale.sh "$runs" "$scale" $(tr , ' ' <<<"$only")
fi
elapsed=$(($(date +%s) - start))

runtimes=$(sb "${benv[@]}" bash -c '. bench/lib.sh; printf "%s\n" "${RT_KEYS[@]}"' |
        jq -R . | jq -sc .)
version() { sb "$@" 2>/dev/null | head -n1; }
cgroups=legacy
[ "$(sb stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && cgroups=hybrid
[ "$(sb stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && cgroups=unified
meta=$(jq -n --argjson runs "$runs" --argjson scale "$scale" --argjson rts "$runtimes" \
        --arg nproc "$(nproc)" --arg mem "$(free -g | awk '/^Mem:/ {print $2}')" --arg kernel "$(uname -r)" \
        --arg private "$([ -n "$SANDBOX_PID" ] && echo true || echo false)" \
        --arg systemd "$(version systemctl --version)" --arg cgroups "$cgroups" \
        --arg runscope "$(version ./runscope --version) ($(git describe --always --dirty 2>/dev/null ||
                cat "${BENCH_PREBUILT:-/nonexistent}/describe" 2>/dev/null))" \
        --arg base "${base:+$base}" --arg crun "$(version crun --version)" \
        --arg runc "$(version runc --version)" --arg unshare "$(cat "$out/floor-unshare" 2>/dev/null)" \
        --arg load_before "$load_before" --arg load_after "$(cut -d' ' -f1-3 /proc/loadavg)" \
        --arg date "$(date -u +%FT%TZ)" --argjson elapsed "$elapsed" '{
        date: $date, elapsed_s: $elapsed,
        machine: {nproc: ($nproc | tonumber), mem_gib: ($mem | tonumber), kernel: $kernel,
                private_systemd: ($private == "true"), systemd: $systemd, cgroups: $cgroups,
                loadavg_before: $load_before, loadavg_after: $load_after},
        versions: {runscope: $runscope, base: $base, crun: $crun, runc: $runc},
        params: {runs: $runs, warmup: 2, scale: $scale, bundle: "busybox, /bin/true or /bin/sleep, writable root"},
        runtimes: $rts,
        floors: {floor: "bench/floor.c: StartTransientUnit + namespaces",
                "systemd-run": "systemd-run --scope true", unshare: ($unshare | sub(" /bin/true$"; " true")),
                nsenter: "nsenter -t INIT -a true"}}')
jq -n --rawfile samples "$out/samples" --rawfile rss "$out/rss" --rawfile scale "$out/scale" \
        --rawfile failures "$out/failures" --argjson meta "$meta" -f bench/result.jq >"$dest/result.json" || exit 1

bench/report.sh "$dest/result.json"
if command -v gnuplot >/dev/null; then
        bench/plot.sh "$dest/result.json" "$dest/plots" || echo "bench: the plots were not drawn" >&2
fi
[ -s "$out/errors.log" ] && { echo "errors (first lines of $(grep -c . "$out/errors.log")):"; head -n 5 "$out/errors.log"; }
echo "($dest/result.json written; $elapsed s; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg))"
