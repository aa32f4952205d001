# The demo proper, run by tests/demo.sh inside a systemd (and by tests/test-deb.sh with the runscope
# a Debian package installed): a busybox bundle run with `runscope run` in a transient scope, the
# scope unit and its cgroup limits. $RUNSCOPE is the runscope it runs (default: the checkout's).
# Leaves nothing behind.
. tests/lib/rootfs.sh
work=$(mktemp -d /tmp/runscope-demo.XXXXXX)
trap 'runscope --root "$work/state" delete --force demo >/dev/null 2>&1; rm -rf "$work"' EXIT
runscope() { "$RUNSCOPE" --root "$work/state" "$@"; }
show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
echo "runscope is $RUNSCOPE ($("$RUNSCOPE" --version | head -n1))"

make_bundle "$work/bundle" /bin/sh -c 'echo "hello from $(hostname), pid $$ of its own pid namespace"; echo "my cgroup (through a cgroup namespace):"; cat /proc/self/cgroup | tail -n 2; exit 3'
bundle_edit "$work/bundle" '.linux.resources.memory.limit = 134217728 | .linux.resources.pids.limit = 64
        | .linux.resources.cpu = {quota: 50000, period: 100000}'

show runscope run --bundle "$work/bundle" demo
echo "(exit status $?, the container's own)"

bundle_edit "$work/bundle" '.process.args = ["/bin/sleep", "300"]'
show runscope run --detach --bundle "$work/bundle" demo
show runscope list
show systemctl status --no-pager --lines=0 runscope-demo.scope
show systemctl show -p MemoryMax -p TasksMax -p CPUQuotaPerSecUSec -p Slice -p ControlGroup runscope-demo.scope
cg=$(systemctl show -P ControlGroup runscope-demo.scope)
if [ -f "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes" ]; then
        printf '\n\033[1mThe kernel'"'"'s cgroup files of the scope (cgroup v1 controllers):\033[0m\n'
        echo "  memory.limit_in_bytes = $(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes")"
        echo "  pids.max              = $(cat "/sys/fs/cgroup/pids$cg/pids.max")"
        echo "  cpu.cfs_quota_us      = $(cat "/sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us" 2>/dev/null || echo n/a)"
else
        printf '\n\033[1mThe kernel'"'"'s cgroup files of the scope:\033[0m\n'
        echo "  memory.max = $(cat "/sys/fs/cgroup$cg/memory.max")"
        echo "  pids.max   = $(cat "/sys/fs/cgroup$cg/pids.max")"
        echo "  cpu.max    = $(cat "/sys/fs/cgroup$cg/cpu.max")"
fi
show runscope delete --force demo
show systemctl is-active runscope-demo.scope
true
