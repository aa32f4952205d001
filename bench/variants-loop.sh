#!/bin/bash
# Where `runscope --no-machine run`'s time over its floor goes: the busybox /bin/true bundle as
# bench/run.sh makes it (a), with every device allowed (b: no DevicePolicy=strict, so systemd
# writes no device rules and, on cgroup v2, builds no BPF device program), without the masked and
# read-only paths (c), with only /proc and /dev mounted (d), and bench/floor.c, interleaved, 2
# warm-up rounds then RUNS timed, medians printed as "# VARIANT: median MS ms". Run inside a
# systemd by bench/variants.sh (the host) or bench/in-vm-variants.sh (the guest). A measurement,
# never a test. Usage: bench/variants-loop.sh FLOOR RUNS [warm]
#   warm: an untimed `exec` into a live container before each timed command, as bench/run.sh does
#         (its lib.sh says why)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
floor=${1:?usage: bench/variants-loop.sh FLOOR RUNS [warm]} runs=${2:?} warm=${3:-}
rs=$top/runscope
. tests/lib/rootfs.sh
w=$(mktemp -d /var/tmp/runscope-variants.XXXXXX) || exit 1
trap '"$rs" --root "$w/state" delete -f live >/dev/null 2>&1; rm -rf "$w"' EXIT
make_bundle "$w/a" /bin/true >/dev/null || exit 1
bundle_edit "$w/a" '.root.readonly = false' || exit 1
cp -a "$w/a" "$w/b" && bundle_edit "$w/b" '.linux.resources.devices = [{"allow": true, "access": "rwm"}]' || exit 1
cp -a "$w/a" "$w/c" && bundle_edit "$w/c" '.linux.maskedPaths = [] | .linux.readonlyPaths = []' || exit 1
cp -a "$w/a" "$w/d" &&
        bundle_edit "$w/d" '.mounts = [.mounts[] | select(.destination == "/proc" or .destination == "/dev")]' || exit 1
if [ -n "$warm" ]; then
        make_bundle "$w/sleep" /bin/sleep 100000 >/dev/null &&
                "$rs" --root "$w/state" run -d -b "$w/sleep" live </dev/null >/dev/null || exit 1
fi
: >"$w/s"
for i in $(seq 1 $((runs + 2))); do
        for v in a b c d floor; do
                [ -z "$warm" ] || "$rs" --root "$w/state" exec live /bin/true </dev/null >/dev/null 2>&1
                s=${EPOCHREALTIME/./}
                if [ "$v" = floor ]; then
                        "$floor" pniumC machine.slice -- /bin/true >/dev/null 2>&1
                else
                        "$rs" --root "$w/state" --no-machine run -b "$w/$v" "w$v$i" >/dev/null 2>&1 </dev/null
                fi
                e=${EPOCHREALTIME/./}
                [ "$i" -gt 2 ] && echo "$v $((e - s))" >>"$w/s"
        done
done
for v in a b c d floor; do
        echo "# $v: median $(awk -v v=$v '$1 == v { print $2 }' "$w/s" | sort -n |
                awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] / 1000 }') ms"
done
echo "# a: default bundle; b: devices all allowed; c: no masked/readonly paths; d: only /proc and /dev mounts"
