#!/bin/bash
# Where `runscope --no-machine run`'s time over its floor goes, in the modern-host tier's guest: the
# busybox /bin/true bundle as bench/run.sh makes it (a), with every device allowed (b: no
# DevicePolicy=strict, so systemd makes no BPF device program), without the masked and read-only
# paths (c), with only /proc and /dev mounted (d), and bench/floor.c, interleaved, 2 warm-up rounds
# and 15 timed, medians printed as TAP comments (README, "On the modern-host tier"). A
# measurement, never a test. Run from the host:
#   bench/build-tools.sh tests/.work/bench-vm && tests/vm/run.sh bench/in-vm-variants.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export RUNSCOPE=$top/runscope
. tests/lib/rootfs.sh
w=$(mktemp -d /var/tmp/where.XXXXXX)
make_bundle "$w/a" /bin/true >/dev/null
bundle_edit "$w/a" '.root.readonly = false'
cp -a "$w/a" "$w/b"; bundle_edit "$w/b" '.linux.resources.devices = [{"allow": true, "access": "rwm"}]'
cp -a "$w/a" "$w/c"; bundle_edit "$w/c" '.linux.maskedPaths = [] | .linux.readonlyPaths = []'
cp -a "$w/a" "$w/d"; bundle_edit "$w/d" '.mounts = [.mounts[] | select(.destination == "/proc" or .destination == "/dev")]'
floor=$top/tests/.work/bench-vm/bench-floor
echo "1..1"
: >"$w/s"
for i in $(seq 1 17); do
        for v in a b c d floor; do
                s=${EPOCHREALTIME/./}
                if [ "$v" = floor ]; then
                        "$floor" pniumC machine.slice -- /bin/true >/dev/null 2>&1
                else
                        "$RUNSCOPE" --root "$w/state" --no-machine run -b "$w/$v" "w$v$i" >/dev/null 2>&1 </dev/null
                fi
                e=${EPOCHREALTIME/./}
                [ "$i" -gt 2 ] && echo "$v $((e - s))" >>"$w/s"
        done
done
for v in a b c d floor; do
        echo "# $v: median $(awk -v v=$v '$1 == v { print $2 }' "$w/s" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] / 1000 }') ms"
done
echo "# a: default bundle; b: devices all allowed; c: no masked/readonly paths; d: only /proc and /dev mounts"
echo "ok 1 - measured"
