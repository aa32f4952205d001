#!/bin/bash
# bench/variants-loop.sh in the modern-host tier's guest, without the warm-up exec (README, "On the
# modern-host tier"): 15 timed rounds, TAP for tests/vm/run.sh. A measurement, never a test. Run
# from the host:
#   bench/build-tools.sh tests/.work/bench-vm && tests/vm/run.sh bench/in-vm-variants.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
echo "1..1"
if bash "$top/bench/variants-loop.sh" "$top/tests/.work/bench-vm/bench-floor" 15; then
        echo "ok 1 - measured"
else
        echo "not ok 1 - measured"
fi
