#!/bin/bash
# Runs every tests/integration/test-*.sh as root inside a systemd: the host's when PID 1 is systemd,
# else a private one booted for this run (tests/lib/sandbox.sh). Prints TAP and, last, one line
# "integration: N passed, N failed, N skipped". Usage: run.sh [test-file...]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
. tests/lib/sandbox.sh

if [ "$(id -u)" != 0 ]; then
        echo "integration tests need root" >&2
        exit 1
fi
for f in runscope runscope-run tests/probe tests/runscope-faults tests/console-recv tests/seccomp-agent tests/seccomp-enosys; do
        [ -x "$f" ] || { echo "$f is not built: run make first" >&2; exit 1; }
done

trap sandbox_stop EXIT
trap 'sandbox_stop; exit 130' INT TERM
if ! sandbox_start; then
        echo "Bail out! could not boot a private systemd"
        echo "integration: 0 passed, 1 failed, 0 skipped"
        exit 1
fi
[ -n "$SANDBOX_PID" ] && echo "# private systemd: pid $SANDBOX_PID ($SANDBOX_NAME)"

SANDBOX_LOG=$(mktemp /tmp/runscope-it-log.XXXXXX)
trap 'sandbox_stop; rm -f "$SANDBOX_LOG"' EXIT
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/integration/test-*.sh)
pass=0 fail=0 skip=0
for f in "${files[@]}"; do
        echo "# $f"
        # Into a file, not $(...): a container a test left running would hold a pipe open forever.
        # The timeout only ends a hang: test-kill's 60 lifecycles take 3 min with both cores busy.
        sb timeout 900 bash "$f" >"$SANDBOX_LOG" 2>&1 </dev/null
        rc=$?
        out=$(cat "$SANDBOX_LOG")
        echo "$out"
        p=$(grep -cE '^ok [0-9]+' <<<"$out" | tr -d ' ')
        s=$(grep -cE '^ok [0-9]+ .*# SKIP' <<<"$out" | tr -d ' ')
        n=$(grep -cE '^not ok [0-9]+' <<<"$out" | tr -d ' ')
        pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + n))
        planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$out" | tail -n1)
        if [ "$rc" != 0 ] || [ -z "$planned" ] || [ "$planned" != $((p + n)) ]; then
                echo "not ok - $f ended badly (exit $rc, plan '${planned}', ran $((p + n)))"
                fail=$((fail + 1))
        fi
done
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
