#!/bin/bash
# README command 1: builds runscope if needed, makes a busybox bundle, runs it with `runscope run`
# in a transient scope of systemd (a private systemd when PID 1 is not systemd), and shows the
# scope unit and its cgroup limits. Leaves nothing behind.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tests/setup.sh || exit 1
. tests/lib/sandbox.sh

trap sandbox_stop EXIT
trap 'sandbox_stop; exit 130' INT TERM
if ! sandbox_host_is_systemd; then
        echo "PID 1 is not systemd: booting a private systemd in fresh namespaces..."
fi
sandbox_start || exit 1

# RUNSCOPE, when set, is the runscope the demo runs (tests/test-deb.sh: the installed one).
sb env ${RUNSCOPE:+RUNSCOPE="$RUNSCOPE"} bash tests/lib/demo.sh
