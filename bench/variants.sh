#!/bin/bash
# bench/variants-loop.sh on this host, in one systemd (a private one when PID 1 is not systemd), with
# the warm-up exec of bench/run.sh: where `run --no-machine`'s time over its floor goes (README,
# "Second round"). A measurement, never a test. Usage: bench/variants.sh [RUNS]   (default 25)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
runs=${1:-25}
tests/setup.sh || exit 1
bench/build-tools.sh tests/.work || exit 1
. tests/lib/sandbox.sh
trap 'sandbox_stop' EXIT
sandbox_start || exit 1
sb bash bench/variants-loop.sh "$top/tests/.work/bench-floor" "$runs" warm
