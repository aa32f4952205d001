#!/bin/bash
# Mount options beyond the kernel's: tmpcopyup (runc's and crun's, podman puts it on /tmp, /run and
# /var/tmp) copies the image's directory into the tmpfs mounted over it, without following symlinks.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'ls -ln /data | awk "NR > 1 {print \$1, \$3, \$4, \$5, \$9, \$10, \$11}"; cat /data/sub/f;
        readlink /data/up; echo new >/data/new && echo written; mount | grep -c " /data type tmpfs"'
bundle_edit "$B" '.root.readonly = true | .mounts += [{destination: "/data", type: "tmpfs", source: "tmpfs",
        options: ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]}]'
mark=copyup-$$-$RANDOM
mkdir -p "$B/rootfs/data/sub"
echo secret >"$B/rootfs/data/file" && chmod 640 "$B/rootfs/data/file" && chown 123:456 "$B/rootfs/data/file"
echo in-sub >"$B/rootfs/data/sub/f" && chmod 750 "$B/rootfs/data/sub"
ln -s "/etc/$mark" "$B/rootfs/data/up"
mknod "$B/rootfs/data/fifo" p
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_is "$?" 0 "a tmpfs with tmpcopyup over a read-only root runs"
t_match "$out" "-rw-r----- 123 456 7 file" "the image's file is copied with its mode, owner and contents"
t_match "$out" "drwxr-x--- 0 0 [0-9]+ sub" "... its directory with its mode"
t_match "$out" "in-sub" "... and the directory's contents"
t_match "$out" "lrwxrwxrwx 0 0 [0-9]+ up -> /etc/$mark" "a symlink is copied as a symlink"
t_match "$out" "/etc/$mark" "... its target untouched"
t_match "$out" "prw-r--r-- 0 0 0 fifo" "a fifo is made again"
t_match "$out" "written" "the copy is writable though the root is read-only"
t_match "$out" "(^|
)1\$" "... and it is a tmpfs"
t_ok "nothing was written to the image" test ! -e "$B/rootfs/data/new"
t_ok "nothing was created on the host through the symlink" test ! -e "/etc/$mark"

# idmap (runc's and crun's option): a bind mount seen through the mount's own maps, or the
# container's. On-disk uid 0 of the source shows as the map's host id for 0.
src=$T_WORK/idsrc
mkdir -p "$src"
touch "$src/root-file" "$src/one-file" "$src/far-file"
chown 1:1 "$src/one-file"
chown 50:50 "$src/far-file"
chmod 755 "$T_WORK" "$src"
I=$T_WORK/idmap
make_bundle "$I" /bin/sh -c 'stat -c "%n %u:%g" /data/root-file /data/one-file /data/far-file'
bundle_edit "$I" --arg s "$src" '.mounts += [{destination: "/data", type: "bind", source: $s, options: ["bind", "idmap"],
        uidMappings: [{containerID: 0, hostID: 1000, size: 10}], gidMappings: [{containerID: 0, hostID: 2000, size: 10}]}]'
out=$(rs run -b "$I" "$(t_id)" 2>&1)
t_is "$out" "/data/root-file 1000:2000
/data/one-file 1001:2001
/data/far-file 65534:65534" "an idmap mount shows the source's ids through the mount's maps"
t_is "$(stat -c %u:%g "$src/root-file")" "0:0" "... the files on disk keep their owners"

# With a user namespace and no maps of its own, the container's: its root owns the host's root files.
bundle_edit "$I" '.mounts[-1] |= del(.uidMappings, .gidMappings) | .linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | .linux.gidMappings = .linux.uidMappings
        | .process.args = ["/bin/sh", "-c", "stat -c \"%n %u:%g\" /data/root-file; touch /data/made && echo made"]'
out=$(rs run -b "$I" "$(t_id)" 2>&1)
t_is "$out" "/data/root-file 0:0
made" "idmap with the container's maps: its root owns (and writes) what root owns on the host"
t_is "$(stat -c %u:%g "$src/made")" "0:0" "... and what it makes belongs to root on disk"
bundle_edit "$I" '.mounts[-1].options = ["bind"]'
t_match "$(rs run -b "$I" "$(t_id)" 2>&1)" "/data/root-file 65534:65534" "... which, without idmap, it sees as nobody's"

for case in 'idmap and ridmap need a bind mount%.mounts[-1] = {destination: "/data", type: "tmpfs", source: "tmpfs", options: ["idmap"]}' \
            'uidMappings and gidMappings need the idmap or ridmap option%.mounts[-1].uidMappings = [{containerID: 0, hostID: 1, size: 1}] | .mounts[-1].gidMappings = .mounts[-1].uidMappings' \
            'idmap needs uidMappings and gidMappings, the mount.s or the container.s%.mounts[-1].options = ["rbind", "ridmap"] | .linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'; do
        IFS='%' read -r msg filter <<<"$case"
        expect_refused "$I" "${msg%% need*}" "mounts\\[[0-9]+\\]: $msg" "$filter"
done
t_done
