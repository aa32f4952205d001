#!/bin/bash
# bench/run.sh inside the modern-host tier's guest: the file that bench/vm.sh has tests/vm/run.sh
# run there (not one of the tier's tests: tests/vm/run.sh runs it only when named). Its arguments
# and the measuring tools are what bench/vm.sh put in tests/.work/bench-vm on the host (the guest
# sees the checkout read-only, and has no compiler); result.json and its output go to
# $RUNSCOPE_VM_ARTIFACTS, which tests/vm/run.sh copies back. Prints TAP: one check, that the
# benchmark ran and wrote its result (what it measured is information, never a pass or a fail).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tools=$top/tests/.work/bench-vm
echo "1..1"
if [ -z "${RUNSCOPE_VM_ARTIFACTS:-}" ] || [ ! -x "$tools/bench-floor" ] || [ ! -f "$tools/args" ]; then
        echo "not ok 1 - the benchmark ran in the guest # run it through bench/vm.sh"
        exit 1
fi
read -r -a args <"$tools/args"
BENCH_PREBUILT=$tools bench/run.sh --out "$RUNSCOPE_VM_ARTIFACTS" "${args[@]}" >"$RUNSCOPE_VM_ARTIFACTS/output.txt" 2>&1
rc=$?
# The tables come back in result.json, and bench/vm.sh prints them; here, its last line, or all of
# it when it failed.
if [ "$rc" = 0 ] && [ -s "$RUNSCOPE_VM_ARTIFACTS/result.json" ]; then
        tail -n 1 "$RUNSCOPE_VM_ARTIFACTS/output.txt" | sed 's/^/# /'
        echo "ok 1 - bench/run.sh ${args[*]} ran in the guest and wrote its result"
else
        sed 's/^/# /' "$RUNSCOPE_VM_ARTIFACTS/output.txt"
        echo "not ok 1 - bench/run.sh ${args[*]} ran in the guest and wrote its result (exit $rc)"
fi
