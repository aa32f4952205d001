# Sourced by test scripts: a systemd to talk to. Uses the host's when PID 1 is systemd, otherwise
# boots a private one in fresh pid/mount/cgroup/uts/ipc namespaces on an overlay root (never on
# the real root: its tmpfiles service would wipe the host's /tmp). See DESIGN.md, "Testing".
#
#   sandbox_start        boots it (or notes the host's); sets SANDBOX_PID
#   sb CMD...            runs CMD inside it, in the checkout's directory
#   sandbox_stop         kills the private PID 1 and removes its cgroups and scratch dir
#
# Every sandbox has a unique name, so two runs can coexist; callers install the trap.

SANDBOX_NAME=""
SANDBOX_PID=""
SANDBOX_DIR=""
SANDBOX_CHECKOUT=${SANDBOX_CHECKOUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

sandbox_host_is_systemd() {
        [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && [ -d /run/systemd/system ]
}

sb() {
        if [ -z "$SANDBOX_PID" ]; then
                (cd "$SANDBOX_CHECKOUT" && "$@")
        else
                nsenter -t "$SANDBOX_PID" -a --wdns="$SANDBOX_CHECKOUT" "$@"
        fi
}

# The hierarchies we give the private systemd: every v1 controller mounted on the host, name=systemd
# and the unified one. The host's set is what the kernel lets us mount again inside the namespace.
sandbox_hierarchies() {
        local d
        for d in /sys/fs/cgroup/*/; do
                d=${d%/}
                [ -f "$d/cgroup.procs" ] && echo "${d##*/}"
        done
}

sandbox_start() {
        if sandbox_host_is_systemd; then
                SANDBOX_PID=""
                return 0
        fi
        SANDBOX_NAME="runscope-sbx-$$-$RANDOM"
        SANDBOX_DIR=$(mktemp -d "/var/tmp/$SANDBOX_NAME.XXXXXX") || return 1

        # A child cgroup of every hierarchy, so that the cgroup namespace made below is rooted there.
        local h
        for h in $(sandbox_hierarchies); do
                mkdir -p "/sys/fs/cgroup/$h/$SANDBOX_NAME" || return 1
                if [ "$h" = cpuset ]; then
                        cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$SANDBOX_NAME/cpuset.cpus"
                        cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$SANDBOX_NAME/cpuset.mems"
                fi
        done

        cat >"$SANDBOX_DIR/boot.sh" <<'EOF'
set -e
dir=$1 checkout=$2 hierarchies=$3
root=$dir/root
mkdir -p "$dir/rw" "$root"
mount -t tmpfs -o mode=755 tmpfs "$dir/rw"
mkdir -p "$dir/rw/upper" "$dir/rw/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$dir/rw/upper,workdir=$dir/rw/work" "$root"
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount -t tmpfs -o mode=755 tmpfs "$root/sys/fs/cgroup"
for h in $hierarchies; do
        mkdir -p "$root/sys/fs/cgroup/$h"
        case $h in
        unified) mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup/unified" ;;
        systemd) mount -t cgroup -o none,name=systemd cgroup "$root/sys/fs/cgroup/systemd" ;;
        *) mount -t cgroup -o "$h" cgroup "$root/sys/fs/cgroup/$h" ;;
        esac
done
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
# After the tmpfs mounts: the checkout may itself live under /tmp or /run.
mkdir -p "$root$checkout"
mount --bind "$checkout" "$root$checkout"
# The overlay copy of /etc must not carry the host's machine id or a failed-boot leftover.
rm -f "$root/etc/machine-id"
: >"$root/etc/machine-id"
hostname "$(basename "$dir")" 2>/dev/null || true
mkdir -p "$root/.oldroot"
cd "$root"
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot 2>/dev/null || true
export container=runscope-test
exec /lib/systemd/systemd --log-target=kmsg --show-status=no 2>/dev/null
EOF
        local hier
        hier=$(sandbox_hierarchies | tr '\n' ' ')
        # The subshell moves itself into the child cgroups before unsharing: the cgroup namespace
        # takes the cgroups of the process that creates it as its root.
        (
                for h in $hier; do echo $BASHPID >"/sys/fs/cgroup/$h/$SANDBOX_NAME/cgroup.procs"; done
                exec unshare --fork --pid --mount --cgroup --uts --ipc --propagation private \
                        bash "$SANDBOX_DIR/boot.sh" "$SANDBOX_DIR" "$SANDBOX_CHECKOUT" "$hier"
        ) </dev/null >"$SANDBOX_DIR/boot.log" 2>&1 &
        # Deadlines, not counts of tries: on a loaded machine a boot can take many times its 1-3 s.
        local unshare_pid=$! end=$((SECONDS + 60))
        while [ "$SECONDS" -lt "$end" ]; do
                SANDBOX_PID=$(pgrep -P "$unshare_pid" 2>/dev/null | head -n1)
                [ -n "$SANDBOX_PID" ] && [ "$(cat "/proc/$SANDBOX_PID/comm" 2>/dev/null)" = systemd ] && break
                SANDBOX_PID=""
                kill -0 "$unshare_pid" 2>/dev/null || break
                sleep 0.05
        done
        if [ -z "$SANDBOX_PID" ]; then
                echo "sandbox: private systemd did not start:" >&2
                cat "$SANDBOX_DIR/boot.log" >&2
                SANDBOX_PID=$unshare_pid
                return 1
        fi
        local st
        end=$((SECONDS + 60))
        while [ "$SECONDS" -lt "$end" ]; do
                nsenter -t "$SANDBOX_PID" -a test -S /run/systemd/private && break
                sleep 0.05
        done
        st=$(timeout 120 nsenter -t "$SANDBOX_PID" -a systemctl is-system-running --wait 2>&1)
        case $st in
        running | degraded) return 0 ;;
        esac
        echo "sandbox: private systemd is '$st'" >&2
        return 1
}

sandbox_stop() {
        [ -n "$SANDBOX_NAME" ] || return 0
        if [ -n "$SANDBOX_PID" ]; then
                # The namespace's PID 1 dies and the kernel kills everything else in the pid namespace.
                kill -9 "$SANDBOX_PID" 2>/dev/null
                local i
                for i in $(seq 1 100); do
                        kill -0 "$SANDBOX_PID" 2>/dev/null || break
                        sleep 0.05
                done
        fi
        local h
        for h in $(sandbox_hierarchies); do
                [ -d "/sys/fs/cgroup/$h/$SANDBOX_NAME" ] || continue
                # Children first: systemd made a tree below our cgroup.
                find "/sys/fs/cgroup/$h/$SANDBOX_NAME" -depth -type d -exec rmdir {} + 2>/dev/null
                for i in $(seq 1 50); do
                        [ -d "/sys/fs/cgroup/$h/$SANDBOX_NAME" ] || break
                        find "/sys/fs/cgroup/$h/$SANDBOX_NAME" -depth -type d -exec rmdir {} + 2>/dev/null
                        sleep 0.05
                done
        done
        [ -n "$SANDBOX_DIR" ] && rm -rf "$SANDBOX_DIR"
        SANDBOX_NAME="" SANDBOX_PID="" SANDBOX_DIR=""
}
