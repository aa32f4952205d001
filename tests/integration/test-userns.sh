#!/bin/bash
# A new user namespace: uidMappings and gidMappings written by runscope, the container's root is an
# unprivileged host uid, the default devices come from the host, exec joins it too.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
# The namespace's root is host uid 100000: the way to the rootfs must be open to it (as with runc).
chmod 755 "$T_WORK"
make_bundle "$B" /bin/sh -c 'id; cat /proc/self/uid_map /proc/self/gid_map; ls -l /dev/null; head -c 3 /dev/zero | wc -c; ls /sys/fs/cgroup | head -n1; sleep 300'
bundle_edit "$B" '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
id=$(t_id)
rs run -d -b "$B" "$id" >"$T_WORK/out" 2>&1
wait_until grep -qs cgroup "$T_WORK/out" 2>/dev/null
out=$(cat "$T_WORK/out")
t_match "$out" "^uid=0\\(root\\) gid=0\\(root\\)" "inside, the process is root of its user namespace"
t_match "$out" "0 +100000 +65536" "uidMappings are the namespace's uid_map"
t_match "$out" "0 +200000 +65536" "gidMappings are its gid_map"
pid=$(rs state "$id" | jq -r .pid)
t_is "$(awk '/^Uid:/ {print $2}' /proc/$pid/status):$(awk '/^Gid:/ {print $2}' /proc/$pid/status)" "100000:200000" \
        "outside, it runs as host uid 100000, gid 200000"
t_match "$out" "crw-rw-rw-.* 1, +3 .*/dev/null" "/dev/null is the host's, bound in (no mknod in a user namespace)"
t_match "$out" "(^|
)3(
|\$)" "... and usable"
t_is "$(rs exec "$id" /bin/sh -c 'id -u; readlink /proc/self/ns/user')" "0
$(readlink /proc/$pid/ns/user)" "exec joins the user namespace"
t_is "$(systemctl is-active "runscope-$id.scope")" active "the container is in its scope"

# A second container joins the first one's user namespace by path: its own namespaces belong to
# that user namespace (it may set its hostname and mount its proc), its root is the same host uid.
Jb=$T_WORK/joiner
make_bundle "$Jb" /bin/sh -c 'readlink /proc/self/ns/user; id -u; hostname; cat /proc/self/uid_map | tr -s " "; exit 4'
bundle_edit "$Jb" --arg p "/proc/$pid/ns/user" '.linux.namespaces += [{type: "user", path: $p}] | .hostname = "joiner"'
jid=$(t_id)
out=$(rs run -b "$Jb" "$jid" 2>&1)
t_is "$?" 4 "a container joining a user namespace by path runs, and its exit code is runscope's"
t_is "$out" "$(readlink /proc/$pid/ns/user)
0
joiner
 0 100000 65536" "... in that user namespace, as its root, with its own uts namespace owned by it"
t_ok "... and leaves nothing" nothing_left "$jid" "runscope-$jid.scope"
bundle_edit "$Jb" '.process.args = ["/bin/sleep", "300"]'
jid=$(t_id)
rs run -d -b "$Jb" "$jid"
jpid=$(rs state "$jid" | jq -r .pid)
t_is "$(awk '/^Uid:/ {print $2}' /proc/$jpid/status)" 100000 "outside, its init is the namespace's root, host uid 100000"
rs delete -f "$jid"
t_ok "... delete leaves nothing" nothing_left "$jid" "runscope-$jid.scope"
bundle_edit "$Jb" '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 1}] | .linux.gidMappings = .linux.uidMappings'
jid=$(t_id)
expect_clean 1 "mappings for a user namespace joined by path" \
        "linux.uidMappings: a user namespace joined by path has its mappings already" "$jid" create -b "$Jb" "$jid"

rs delete -f "$id"
t_ok "... and delete leaves nothing" nothing_left "$id" "runscope-$id.scope"

# Without a cgroup namespace of its own a user namespace may not mount a cgroup hierarchy (podman's
# --uidmap config.json has none): like runc and crun, runscope binds the container's own cgroup.
cp "$B/config.json" "$T_WORK/saved.json"
bundle_edit "$B" '.linux.namespaces |= map(select(.type != "cgroup")) | .linux.resources.pids.limit = 77
        | .process.args = ["/bin/sh", "-c", "cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null; cat /sys/fs/cgroup/pids/cgroup.procs /sys/fs/cgroup/cgroup.procs 2>/dev/null | grep -x 1"]'
id=$(t_id)
out=$(rs run -b "$B" "$id" 2>&1)
t_match "$out" "^77(
|\$)" "a user namespace without a cgroup namespace sees its own cgroup's limits under /sys/fs/cgroup"
t_match "$out" "(^|
)1\$" "... with its own processes in it (its init is pid 1 there)"
t_ok "... and leaves nothing" nothing_left "$id" "runscope-$id.scope"
cp "$T_WORK/saved.json" "$B/config.json"

# linux.devices in a user namespace: mknod is refused there, so the host's node is bound in (runc,
# crun), provided it is the device asked for.
cp "$B/config.json" "$T_WORK/saved.json"
bundle_edit "$B" '.linux.devices = [{path: "/dev/net/tun", type: "c", major: 10, minor: 200}]
        | .linux.resources.devices = [{allow: true, type: "c", major: 10, minor: 200, access: "rwm"}]
        | .process.args = ["/bin/sh", "-c", "ls -l /dev/net/tun | cut -c1-10; [ -e /dev/net/tun ] && echo present"]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_match "$out" "^crw-------
present" "linux.devices in a user namespace: the host's node is bound in"
# A device the host has nowhere (a node elsewhere, or the host's node at that path being another
# device, is bound in: test-devices.sh).
bundle_edit "$B" '.linux.devices = [{path: "/dev/null", type: "c", major: 1, minor: 250}]'
id=$(t_id)
expect_clean 1 "a device the host has no node of" \
        "linux.devices\\[0\\]: /dev/null: no c 1:250 node on the host to bind into a user namespace" "$id" run -b "$B" "$id"
cp "$T_WORK/saved.json" "$B/config.json"

# Bind sources are opened by runscope, as the host's root, before the user namespace is entered (as
# runc does): one below a directory only root may search, or reached through a symlink into one.
S=$T_WORK/secret
mkdir -p "$S/locked/data" "$S/closed/data"
echo locked >"$S/locked/data/f"
echo closed >"$S/closed/data/f"
chmod 000 "$S/locked"
chmod 700 "$S/closed"
ln -s "$S/closed/data" "$S/link"
mkdir "$B/rootfs/locked" "$B/rootfs/linked"
: >"$B/rootfs/file"
cp "$B/config.json" "$T_WORK/saved.json"
bundle_edit "$B" --arg s "$S" '.mounts += [{destination: "/locked", type: "bind", source: ($s + "/locked/data"), options: ["rbind", "ro"]},
                {destination: "/linked", type: "bind", source: ($s + "/link"), options: ["bind"]},
                {destination: "/file", type: "bind", source: ($s + "/locked/data/f"), options: ["bind"]}]
        | .process.args = ["/bin/sh", "-c", "cat /locked/f /linked/f /file; touch /locked/x 2>&1 | sed \"s/.*: //\""]'
t_is "$(rs run -b "$B" "$(t_id)" 2>&1)" "locked
closed
locked
Read-only file system" "bind sources below a mode 000 or 700 directory, or through a symlink, mount in a user namespace"
cp "$T_WORK/saved.json" "$B/config.json"
chmod 755 "$S/locked"

for case in 'uidMappings%del(.linux.uidMappings)%a user namespace needs uidMappings and gidMappings' \
            'uidMappings%.linux.namespaces |= map(select(.type != "user"))%mappings need a user namespace'; do
        IFS='%' read -r key filter msg <<<"$case"
        id=$(t_id)
        cp "$B/config.json" "$T_WORK/saved.json"
        bundle_edit "$B" "$filter"
        expect_clean 1 "$msg" "linux.$key: $msg" "$id" create -b "$B" "$id"
        cp "$T_WORK/saved.json" "$B/config.json"
done
t_done
