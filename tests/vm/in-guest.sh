#!/bin/bash
# Runs in the guest (its runscope-vm.service, from the results share that tests/vm/run.sh filled
# and the unit mounted at /run/runscope-vm): mounts the checkout read-only at its host path (9p tag
# rstop), then runs each test file of the job as a transient service of its own (Type=exec,
# Delegate=yes, after multi-user.target: in a real cgroup), its output and exit status into the
# results share; what a file writes under $RUNSCOPE_VM_ARTIFACTS comes back to the host too
# (tests/vm/run.sh's RUNSCOPE_VM_KEEP). The job sets top, timeout and files. Never writes to the
# checkout.
set -u
out=/run/runscope-vm
. "$out/job"
if ! mkdir -p "$top" || ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro,cache=loose rstop "$top"; then
        echo "cannot mount the checkout at $top" >"$out/error"
        exit 1
fi
{
        echo "kernel: $(uname -r)"
        echo "systemd: $(systemctl --version | head -n1)"
        echo "cgroup: $(stat -fc %T /sys/fs/cgroup)"
        echo "lsm: $(cat /sys/kernel/security/lsm)"
        echo "boot: $(systemd-analyze time 2>&1 | head -n1)"
} >"$out/guest"
if [ -n "${debug:-}" ]; then
        systemd-analyze blame 2>&1 | head -n 25
        systemd-analyze critical-chain 2>&1
        echo "modules: $(lsmod | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' ')"
fi >"$out/debug"
bad=0
i=0
for f in "${files[@]}"; do
        i=$((i + 1))
        mkdir -p "$out/artifacts/$i"
        systemd-run --quiet --wait --collect --unit="runscope-vm-test-$i" \
                -p Type=exec -p Delegate=yes -p After=multi-user.target \
                -p WorkingDirectory="$top" -p RuntimeMaxSec="$timeout" -p StandardInput=null \
                -p StandardOutput="file:$out/$i.out" -p StandardError=inherit \
                -E HOME=/root -E RUNSCOPE_VM=1 -E T_SLOW=20 -E RUNSCOPE_VM_ARTIFACTS="$out/artifacts/$i" \
                /bin/bash "$top/$f"
        rc=$?
        echo "$rc" >"$out/$i.rc"
        [ "$rc" = 0 ] || bad=1
done
[ "$bad" = 0 ] || journalctl -b -o short-monotonic --no-pager >"$out/journal" 2>&1
: >"$out/done"
