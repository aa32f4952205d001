#!/bin/bash
# linux.sysctl (and its agreement with hostname and domainname), linux.devices, namespaces joined
# by path, and podman 4.3's own config.json.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'cat /proc/sys/net/ipv4/ping_group_range; cat /proc/sys/kernel/shmmni; stat -c "%F %t:%T %a" /dev/myzero; head -c 4 /dev/myzero | wc -c'
bundle_edit "$B" '.linux.sysctl = {"net.ipv4.ping_group_range": "0 0", "kernel.shmmni": "1234"}
        | .linux.devices = [{path: "/dev/myzero", type: "c", major: 1, minor: 5, fileMode: 8624, uid: 0, gid: 0}]
        | .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 5, access: "rwm"}]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_match "$out" "^0	0" "linux.sysctl sets a network sysctl in the container's network namespace"
t_match "$out" "1234" "... and an ipc one in its ipc namespace"
t_match "$out" "character special file 1:5 660" "linux.devices makes the node with its mode"
t_match "$out" "4\$" "... and the device cgroup lets the container use it"
t_ok "the host's shmmni is untouched (not 1234)" test "$(cat /proc/sys/kernel/shmmni)" != 1234
t_ok "... nor its ping_group_range (not \"0 0\")" test "$(tr -s '\t ' ' ' </proc/sys/net/ipv4/ping_group_range)" != "0 0"

# A network namespace of its own (the launcher makes it while systemd starts the scope): not the
# host's, and what sysfs shows is its devices, the loopback only.
N=$T_WORK/netns
make_bundle "$N" /bin/sh -c 'readlink /proc/self/ns/net; ls /sys/class/net'
out=$(rs run -b "$N" "$(t_id)" 2>&1)
t_is "$(tail -n +2 <<<"$out")" lo "a new network namespace: sysfs shows the loopback device only"
t_ok "... and it is not the host's" test "$(head -n1 <<<"$out")" != "$(readlink /proc/self/ns/net)"
# The mount, uts and ipc ones are made by the launcher too, right after it is cloned: none is the host's.
make_bundle "$N" /bin/sh -c 'for ns in mnt uts ipc; do readlink /proc/self/ns/$ns; done'
out=$(rs run -b "$N" "$(t_id)" 2>&1)
for ns in mnt uts ipc; do
        t_ok "a new $ns namespace: not the host's" bash -c "grep -q '^$ns:' <<<'$out' && ! grep -qxF '$(readlink /proc/self/ns/$ns)' <<<'$out'"
done

for case in 'vm.swappiness|{"vm.swappiness":"10"}|not a namespaced sysctl' \
            'kernel.hostname|{"kernel.hostname":"x"}|needs a uts namespace'; do
        IFS='|' read -r key json msg <<<"$case"
        id=$(t_id)
        bundle_edit "$B" --argjson s "$json" '.linux.sysctl = $s | del(.linux.devices)
                | if ($s | has("kernel.hostname")) then .linux.namespaces |= map(select(.type != "uts")) | del(.hostname) else . end'
        expect_clean 1 "linux.sysctl.$key" "linux.sysctl.$key: $msg" "$id" create -b "$B" "$id"
done

# kernel.hostname and kernel.domainname against hostname and domainname: the same value is set, a
# different one is refused naming both (as crun does; before: accepted, and the sysctl won).
U=$T_WORK/uts
make_bundle "$U" /bin/sh -c 'hostname; cat /proc/sys/kernel/domainname'
bundle_edit "$U" '.hostname = "alpha" | .domainname = "example.org"
        | .linux.sysctl = {"kernel.hostname": "alpha", "kernel.domainname": "example.org"}'
err=$(rs run -b "$U" "$(t_id)" 2>&1)
t_is "$?:$(tr '\n' ' ' <<<"$err")" "0:alpha example.org " "linux.sysctl kernel.hostname and kernel.domainname equal to hostname and domainname: set"
expect_refused "$U" "linux.sysctl.kernel.hostname against hostname" \
        "^runscope: config.json: linux.sysctl.kernel.hostname: 'beta' conflicts with hostname 'alpha'\$" \
        '.linux.sysctl["kernel.hostname"] = "beta"'
expect_refused "$U" "linux.sysctl.kernel.domainname against domainname" \
        "^runscope: config.json: linux.sysctl.kernel.domainname: 'example.com' conflicts with domainname 'example.org'\$" \
        '.linux.sysctl["kernel.domainname"] = "example.com"'

# B joins A's network, uts and pid namespaces by path.
A=$T_WORK/a
make_bundle "$A" /bin/sleep 300
bundle_edit "$A" '.hostname = "alpha"'
ida=$(t_id)
rs run -d -b "$A" "$ida"
pa=$(rs state "$ida" | jq -r .pid)
bundle_edit "$B" --arg p "$pa" 'del(.linux.sysctl) | del(.linux.devices) | del(.hostname)
        | .linux.namespaces = [{type: "mount"}, {type: "ipc"},
                               {type: "network", path: ("/proc/" + $p + "/ns/net")},
                               {type: "uts", path: ("/proc/" + $p + "/ns/uts")},
                               {type: "pid", path: ("/proc/" + $p + "/ns/pid")}]
        | .process.args = ["/bin/sh", "-c", "hostname; readlink /proc/self/ns/net; ps -o comm | grep -c sleep"]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_match "$out" "^alpha" "a uts namespace joined by path gives the other container's hostname"
t_ok "... a network namespace joined by path is that one" grep -qF "$(readlink /proc/$pa/ns/net)" <<<"$out"
t_match "$out" "1\$" "... and in its pid namespace the other container's processes are seen"
id=$(t_id)
bundle_edit "$B" --arg p "$pa" '.linux.namespaces = [{type: "mount"}, {type: "uts", path: ("/proc/" + $p + "/ns/net")}]'
expect_clean 1 "a path of the wrong namespace type" "linux.namespaces\\[1\\].path: /proc/$pa/ns/net is not a uts namespace" \
        "$id" create -b "$B" "$id"
rs delete -f "$ida"

# CVE-2019-5736: while a created container's init still runs runscope's code, another container in
# its pid namespace must not reach runscope's binary through /proc/1/exe.
ida=$(t_id)
rs create -b "$A" "$ida"
pa=$(rs state "$ida" | jq -r .pid)
bundle_edit "$B" --arg p "$pa" '.linux.namespaces = [{type: "mount"}, {type: "pid", path: ("/proc/" + $p + "/ns/pid")}]
        | .process.args = ["/bin/sh", "-c", "readlink /proc/1/exe; cat /proc/1/exe 2>&1 | head -c 200"]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_match "$out" "can't open '/proc/1/exe': Permission denied" "the launcher's /proc/1/exe is closed to the container (not dumpable)"
t_ok "... and does not name runscope's binary" not_contains "$out" "$RUNSCOPE"
rs delete -f "$ida"

# podman 4.3's config.json, as written but for the rootfs, the command, and the binds of podman's own
# files (/etc/hosts, /dev/shm, ...), which exist only under podman's storage.
jq --arg r "$B/rootfs" '.root.path = $r | .process.args = ["/bin/sh", "-c", "echo podman-config-ok; exit 3"]
        | .process.terminal = false | .mounts |= map(select(.type != "bind"))' \
        "$RUNSCOPE_TOP/tests/data/podman/config-basic-systemd.json" >"$B/config.json"
out=$(rs run -b "$B" "$(t_id)" 2>&1)
rc=$?
t_is "$rc:$out" "3:podman-config-ok" "podman 4.3's config.json (seccomp, sysctl, caps, mounts) runs"

# No mount namespace (or no namespace at all): the container runs in runscope's, as with runc and
# crun. Nothing is mounted there: mounts and devices are left out with a warning, masked and
# read-only paths and a read-only root are refused; the mount table is the same after.
M=$T_WORK/nomnt
make_bundle "$M" /bin/sh -c 'readlink /proc/self/ns/mnt /proc/self/ns/pid'
bundle_edit "$M" '.linux.namespaces = [{type: "pid"}] | .linux.maskedPaths = [] | .linux.readonlyPaths = [] | .root.readonly = false
        | .linux.devices = [{path: "/dev/rs-nomnt", type: "c", major: 1, minor: 3}] | del(.hostname)'
before=$(wc -l </proc/self/mountinfo)
id=$(t_id)
out=$(rs run -b "$M" "$id" 2>"$T_WORK/nomnt.err")
t_is "$?" 0 "no mount namespace: run succeeds"
t_is "$(sed -n 1p <<<"$out")" "$(readlink /proc/self/ns/mnt)" "... in runscope's mount namespace"
t_ok "... and a pid namespace of its own" test "$(sed -n 2p <<<"$out")" != "$(readlink /proc/self/ns/pid)"
t_is "$(cat "$T_WORK/nomnt.err")" "runscope: config.json: mounts: left out without a mount namespace, as runc does
runscope: config.json: linux.devices: left out without a mount namespace, as runc does" "... saying in one line each what it left out"
t_is "$(wc -l </proc/self/mountinfo)" "$before" "... and the mount table is as it was"
t_ok "... with no device made on the host" test ! -e /dev/rs-nomnt
t_ok "... and nothing left" nothing_left "$id" "runscope-$id.scope"
bundle_edit "$M" '.linux.namespaces = [] | .mounts = [] | del(.linux.devices)'
out=$(rs run -b "$M" "$(t_id)" 2>&1)
t_is "$out" "$(readlink /proc/self/ns/mnt /proc/self/ns/pid)" "no namespace at all: the container runs in runscope's"
for case in 'linux.maskedPaths|.linux.maskedPaths = ["/proc/kcore"]' 'linux.readonlyPaths|.linux.readonlyPaths = ["/proc/sys"]' \
            'root.readonly|.root.readonly = true'; do
        IFS='|' read -r path filter <<<"$case"
        expect_refused "$M" "$path without a mount namespace" "^runscope: config.json: $path: needs a mount namespace of the container's own$" "$filter"
done
t_done
