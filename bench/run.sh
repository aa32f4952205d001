#!/bin/bash
# Times runscope beside crun and runc (those installed) in one systemd (a private one when PID 1 is
# not systemd), same busybox bundle, with hyperfine; prints medians and the ratios to crun and runc.
# A measurement, never a test: nothing here passes or fails. Usage: bench/run.sh [RUNS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
runs=${1:-30}
tests/setup.sh || exit 1
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null || exit 1; }
. tests/lib/sandbox.sh
trap sandbox_stop EXIT
sandbox_start || exit 1

sb bash -s "$runs" <<'BENCH'
runs=$1
. tests/lib/rootfs.sh
work=$(mktemp -d /tmp/runscope-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
make_bundle "$work/bundle" /bin/true >/dev/null
bundle_edit "$work/bundle" '.root.readonly = false'
cmds=(-n "runscope run" "$RUNSCOPE --root $work/rs run -b $work/bundle b1"
      -n "runscope --no-machine run" "$RUNSCOPE --root $work/rs --no-machine run -b $work/bundle b2")
command -v crun >/dev/null && cmds+=(-n "crun --systemd-cgroup run" "crun --root $work/crun --systemd-cgroup run -b $work/bundle b3")
command -v runc >/dev/null && cmds+=(-n "runc --systemd-cgroup run" "runc --root $work/runc --systemd-cgroup run -b $work/bundle b4")
cmds+=(-n "floor: systemd-run --scope true" "systemd-run --quiet --scope /bin/true"
       -n "floor: unshare -mpfuin true" "unshare -mpfuin --mount-proc /bin/true")
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/run.json" "${cmds[@]}" >/dev/null 2>&1 ||
        hyperfine --warmup 3 --runs "$runs" --export-json "$work/run.json" "${cmds[@]}" >/dev/null
"$RUNSCOPE" --root "$work/rs" run -d -b "$work/bundle" idle >/dev/null 2>&1
bundle_edit "$work/bundle" '.process.args = ["/bin/sleep", "600"]'
"$RUNSCOPE" --root "$work/rs" run -d -b "$work/bundle" sleeper
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/ops.json" \
        -n "runscope state" "$RUNSCOPE --root $work/rs state sleeper" \
        -n "runscope exec true" "$RUNSCOPE --root $work/rs exec sleeper /bin/true" >/dev/null 2>&1
"$RUNSCOPE" --root "$work/rs" delete -f sleeper
jq -s -r '[.[].results[]] | (map(select(.command | startswith("crun"))) | first | .median) as $crun
        | (map(select(.command | startswith("runc"))) | first | .median) as $runc
        | ["command", "median ms", "/crun", "/runc"], (.[] | [.command, (.median * 1000 | . * 100 | round / 100),
          (if $crun then (.median / $crun * 100 | round / 100) else "-" end),
          (if $runc then (.median / $runc * 100 | round / 100) else "-" end)]) | @tsv' \
        "$work/run.json" "$work/ops.json" | column -t -s $'\t'
jq -s '{run: .[0].results, ops: .[1].results} | map_values(map({command, median, mean, min, max}))' \
        "$work/run.json" "$work/ops.json" >"$PWD/bench/result.json"
echo "(bench/result.json written)"
BENCH
