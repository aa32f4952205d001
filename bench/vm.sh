#!/bin/bash
# bench/run.sh in the modern-host tier's guest (tests/vm/: Debian 13, systemd 257, pure cgroup v2,
# trixie's crun and runc beside runscope): the measuring tools are built here, the guest
# runs bench/in-vm.sh through tests/vm/run.sh, and its result comes back as bench/result-vm.json
# (plots in bench/plots-vm/ when gnuplot is here). Under TCG (this machine has no usable KVM) the
# absolute times are the emulator's and mean nothing; the ratios against crun and runc in the same
# guest, same rounds, do. A measurement, never a test.
# Usage: bench/vm.sh [bench/run.sh's arguments]   (default -q: 5 rounds, 100 live)
#   RUNSCOPE_VM_FILE_TIMEOUT  seconds the benchmark may take in the guest (default 5400)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
[ -x runscope ] || { echo "bench/vm.sh: runscope is not built: run make first" >&2; exit 1; }
tests/setup.sh || exit 1
tools=$top/tests/.work/bench-vm
rm -rf "$tools"
bench/build-tools.sh "$tools" || exit 1
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(-q)
echo "${args[*]}" >"$tools/args"
git describe --always --dirty >"$tools/describe" 2>/dev/null
keep=$(mktemp -d "$top/tests/.work/bench-vm-keep.XXXXXX") || exit 1
trap 'rm -rf "$keep"' EXIT
RUNSCOPE_VM_KEEP=$keep RUNSCOPE_VM_FILE_TIMEOUT=${RUNSCOPE_VM_FILE_TIMEOUT:-5400} \
        RUNSCOPE_VM_TIMEOUT=${RUNSCOPE_VM_TIMEOUT:-$((${RUNSCOPE_VM_FILE_TIMEOUT:-5400} + 1200))} \
        tests/vm/run.sh bench/in-vm.sh
if [ ! -s "$keep/in-vm/result.json" ]; then
        echo "bench/vm.sh: the guest wrote no result; its output:" >&2
        cat "$keep/in-vm/output.txt" >&2 2>/dev/null
        exit 1
fi
cp "$keep/in-vm/result.json" bench/result-vm.json || exit 1
bench/report.sh bench/result-vm.json
if command -v gnuplot >/dev/null; then
        bench/plot.sh bench/result-vm.json bench/plots-vm || echo "bench/vm.sh: the plots were not drawn" >&2
fi
echo "(bench/result-vm.json written)"
