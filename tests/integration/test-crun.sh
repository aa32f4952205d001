#!/bin/bash
# The same bundles under runscope and under crun: what the container sees (credentials,
# capabilities, no_new_privs, seccomp, namespaces, /dev, mounts, masked and read-only paths,
# sysctl, rlimits, user, umask, cwd, env, fds) must be the same, so a bundle moved from crun gives
# the same container. Where runscope differs on purpose, the comparison leaves that fact out and
# says why, citing the runtime spec.
. "$(dirname "$0")/../lib/common.sh"

if ! command -v crun >/dev/null; then
        t_skip "the same bundles under crun" "crun is not installed"
        t_done
        exit 0
fi

devnull_owner=$(stat -c %u:%g /dev/null)
B=$T_WORK/bundle
# The user namespace variant's root is host uid 100000: the way to the rootfs must be open to it.
chmod 755 "$T_WORK"
make_bundle "$B" /bin/sh /report
for a in sort awk cut tr; do ln -sf busybox "$B/rootfs/bin/$a"; done
for n in cgroup ipc mnt net pid time user uts; do echo "$n $(readlink "/proc/self/ns/$n")"; done >"$B/rootfs/hostns"
cat >"$B/rootfs/report" <<'EOF'
echo "== status"
grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):' /proc/self/status
echo "== umask $(umask) cwd $(pwd) hostname $(hostname) domainname $(cat /proc/sys/kernel/domainname)"
echo "== oom_score_adj $(cat /proc/self/oom_score_adj)"
grep -E '^Max (open files|core file size|processes|stack size)' /proc/self/limits | tr -s ' '
echo "== namespaces"
while read -r n link; do
        if [ "$(readlink /proc/self/ns/$n)" = "$link" ]; then echo "$n host"; else echo "$n own"; fi
done </hostns
echo "== dev"
for f in /dev/* /dev/pts/ptmx; do
        if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else stat -c '%n %F %a %t:%T %u:%g' "$f"; fi
done
echo "== mounts"
# mount point, its fs type and the options that mean something to the container (not sizes, ids).
# A file masked with /dev/null (root "/null") is shown by what matters: read-only or not. runscope
# binds the container's /dev/null as runc does, crun the host's: both read empty.
sed 's/ - / /' /proc/self/mountinfo | awk '{
        n = split($6, o, ","); keep = ""
        for (i = 1; i <= n; i++) if (o[i] ~ /^(ro|rw|nosuid|nodev|noexec)$/) keep = keep "," o[i]
        if ($4 == "/null") print $5, "masked", o[1]; else print $5, $(NF - 2), substr(keep, 2) }' | sort
echo "== masked and read-only"
for p in /proc/kcore /proc/keys /proc/timer_list /proc/acpi /sys/firmware /proc/scsi; do
        [ -e "$p" ] && echo "$p $(head -c1 "$p" 2>/dev/null | wc -c) $(ls "$p" 2>/dev/null | wc -l)"
done
for p in /proc/sys/kernel/domainname /proc/sysrq-trigger /proc/irq /proc/bus; do
        [ -e "$p" ] && { (: >>"$p") 2>/dev/null && echo "$p writable" || echo "$p read-only"; }
done
echo "== sysctl $(cat /proc/sys/net/ipv4/ping_group_range | tr '\t' ' ') $(cat /proc/sys/kernel/shmmni)"
echo "== env"
env | sort
echo "== fds"
probe fds | tr '\n' ' '
echo
EOF
cp "$B/config.json" "$T_WORK/base.json"

# Differences on purpose, left out of the comparison:
# - /sys/fs/cgroup on a v1 or hybrid host: runscope remounts the tmpfs holding the hierarchies
#   read-only when the mount says "ro", as runc does (crun leaves the tmpfs writable); the spec
#   applies a mount's options to the mount at its destination (config.md, "Mounts").
# - /sys/fs/cgroup/unified: runscope also shows the host's unified hierarchy, which systemd in a
#   container on a hybrid host looks for (systemd-nspawn mounts it too); crun leaves it out.
# - /dev/core: runscope links it to /proc/kcore only where the kernel has one, as runc does; crun
#   makes the link dangle where it has not.
normalize() {
        local core=""
        [ -e /proc/kcore ] || core='/^\/dev\/core -> /d'
        sed -e '/^\/sys\/fs\/cgroup tmpfs /d' -e '/^\/sys\/fs\/cgroup\/unified /d' ${core:+-e "$core"} "$1"
}
: >"$T_WORK/empty"

both() {
        local name=$1 id
        id=$(t_id)
        # stdin a file of the test's own: crun 1.8 chowns the container's stdio to its user, and
        # with /dev/null as stdin that would be the host's /dev/null.
        rs run -b "$B" "$id" >"$T_WORK/rs.raw" 2>&1 <"$T_WORK/empty"
        echo "rc $?" >>"$T_WORK/rs.raw"
        crun --root "$T_WORK/crun" --systemd-cgroup run -b "$B" "crun-$id" >"$T_WORK/crun.raw" 2>&1 <"$T_WORK/empty"
        echo "rc $?" >>"$T_WORK/crun.raw"
        normalize "$T_WORK/rs.raw" >"$T_WORK/rs.out"
        normalize "$T_WORK/crun.raw" >"$T_WORK/crun.out"
        crun --root "$T_WORK/crun" delete -f "crun-$id" >/dev/null 2>&1
        # Both must have run the whole report: two identical failures prove nothing.
        if ! grep -q '^== fds' "$T_WORK/rs.out" || ! grep -qx 'rc 0' "$T_WORK/rs.out"; then
                t_ok "$name: the container sees the same under runscope and crun" false
                sed 's/^/# /' "$T_WORK/rs.raw" | tail -5
        elif diff -u "$T_WORK/crun.out" "$T_WORK/rs.out" >"$T_WORK/diff"; then
                t_ok "$name: the container sees the same under runscope and crun" true
        else
                t_ok "$name: the container sees the same under runscope and crun" false
                sed 's/^/# /' "$T_WORK/diff" | head -60
        fi
}

variant() {
        local name=$1
        shift
        cp "$T_WORK/base.json" "$B/config.json"
        bundle_edit "$B" "$@"
        both "$name"
}

variant "runscope spec's default config" '.'
variant "user, groups, umask, cwd, env" '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20], umask: 63}
        | .process.cwd = "/tmp/work" | .process.env += ["FOO=bar"] | .root.readonly = false'
variant "capabilities and no_new_privs" '.process.capabilities = {bounding: ["CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"],
        effective: ["CAP_KILL"], permitted: ["CAP_KILL", "CAP_CHOWN"], inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"]}
        | .process.noNewPrivileges = false'
variant "rlimits and oomScoreAdj" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 512, hard: 1024},
        {type: "RLIMIT_CORE", soft: 0, hard: 0}, {type: "RLIMIT_NPROC", soft: 100, hard: 200}] | .process.oomScoreAdj = 123'
variant "hostname, domainname, sysctl" '.hostname = "alpha" | .domainname = "example.org"
        | .linux.sysctl = {"net.ipv4.ping_group_range": "0 1000", "kernel.shmmni": "1234"}'
variant "namespaces: only mount and pid" '.linux.namespaces = [{type: "mount"}, {type: "pid"}] | del(.hostname)'
variant "masked and read-only paths" '.linux.maskedPaths = ["/proc/kcore", "/proc/acpi", "/proc/keys"]
        | .linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"]'
variant "mounts: tmpfs with options, binds with flags" '.mounts += [
        {destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "noexec", "size=1m"]},
        {destination: "/hostetc", type: "bind", source: "/etc", options: ["rbind", "ro", "nosuid", "rslave"]},
        {destination: "/run/x", type: "bind", source: "/tmp", options: ["bind", "rw", "noexec"]}]'
variant "devices" '.linux.devices = [{path: "/dev/myzero", type: "c", major: 1, minor: 5, fileMode: 432, uid: 5, gid: 6}]
        | .linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 5, access: "rw"}]'
variant "a user namespace" '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]' 
podman=$RUNSCOPE_TOP/tests/data/podman/config-basic-systemd.json
variant "podman 4.3's seccomp profile" --slurpfile p "$podman" '.linux.seccomp = $p[0].linux.seccomp'
t_is "$(stat -c %u:%g /dev/null)" "$devnull_owner" "the host's /dev/null keeps its owner"
t_done
