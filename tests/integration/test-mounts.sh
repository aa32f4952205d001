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

# The cgroup hierarchies on a hybrid or legacy host: a read-only tmpfs holding one mount per
# hierarchy, each rooted at the container's cgroup: its own cgroup, bound in the spec's order (only
# a unified host's cgroup2 waits until after pivot_root, tests/vm/test-v2-mounts.sh).
if [ -f /sys/fs/cgroup/memory/cgroup.procs ]; then
        CG=$T_WORK/cgview
        make_bundle "$CG" /bin/sh -c 'grep " /sys/fs/cgroup" /proc/self/mountinfo |
                        awk "{for (i = 7; \$i != \"-\"; i++); print \$4, \$5, \$6, \$(i + 1), \$(i + 2), \$(i + 3)}" | sort
                head -n1 /sys/fs/cgroup/memory/cgroup.procs; head -n1 /sys/fs/cgroup/unified/cgroup.procs
                cut -d: -f3 /proc/self/cgroup | sort -u; touch /sys/fs/cgroup/x 2>&1 | sed "s/.*: //"'
        hierarchies=$(grep -c " /sys/fs/cgroup/[^/ ]* .* - cgroup2\? " /proc/self/mountinfo)
        view=$(rs run -b "$CG" "$(t_id)" 2>&1)
        has_line() { grep -qxF "$2" <<<"$1"; }
        t_ok "a hierarchy: read-only, rooted at the container's cgroup" \
                has_line "$view" "/ /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime cgroup cgroup rw,memory"
        usrc=$(awk '$5 == "/sys/fs/cgroup/unified" {for (i = 7; $i != "-"; i++); print $(i + 2)}' /proc/self/mountinfo)
        t_ok "... the unified one too" has_line "$view" "/ /sys/fs/cgroup/unified ro,nosuid,nodev,noexec,relatime cgroup2 $usrc rw"
        t_is "$(grep -c "^/ /sys/fs/cgroup/[^ ]* [^ ]* cgroup2\? " <<<"$view")" "$hierarchies" "... as many as the host has"
        t_match "$view" $'\n1\n1\n/\nRead-only file system$' "... the container's init first in them, in a read-only tmpfs"
        # A createContainer hook runs after the mounts, before pivot_root: it finds them mounted.
        add_mounted_hook "$CG" /sys/fs/cgroup/memory/cgroup.procs
        t_is "$(rs run -b "$CG" "$(t_id)" 2>&1)" "$view" "the same when a hook sees the mounts, which it finds mounted"
        # Each hierarchy is the container's own cgroup bound, never a cgroup mount of its own: a v1
        # mount first walks every cgroup of the host, holding cgroup_mutex (README, "Fourth pass").
        # Called from a service, as containerd or a login shell calls runscope: the tests' shell,
        # entered with nsenter, sits above the sandbox's cgroup namespace in some hierarchies,
        # where the container's cgroup is out of reach and its hierarchy mounted (test-cgroupfs.sh).
        # The service gets what this shell's environment says of runscope's build.
        unit_env=()
        for v in ASAN_OPTIONS UBSAN_OPTIONS RUNSCOPE_NO_OPENAT2; do
                [ -z "${!v:-}" ] || unit_env+=(-E "$v=${!v}")
        done
        from_unit=$(systemd-run --quiet --wait --pipe --collect "${unit_env[@]}" \
                strace -f -qq -e trace=mount,fsopen -o "$T_WORK/cgcalls" "$RUNSCOPE" --root "$T_ROOT" run -b "$CG" "$(t_id)" \
                2>&1 </dev/null)
        t_is "$from_unit" "$view" "called from a service, the container sees the same"
        t_is "$(grep -c 'mount("cgroup\|fsopen("cgroup' "$T_WORK/cgcalls")" 0 "... with no hierarchy mounted anew"
        t_is "$(grep -c 'mount("/sys/fs/cgroup/[^"]*", "[^"]*", NULL, MS_BIND' "$T_WORK/cgcalls")" "$hierarchies" \
                "... each one's own cgroup bound"
        # Bound in the spec's order, before pivot_root and the read-only paths: their lines in
        # mountinfo come before /proc/sys's (mounts are listed as made).
        CO=$T_WORK/cgorder
        make_bundle "$CO" /bin/sh -c 'awk "\$5 == \"/proc/sys\" {k = NR} \$5 == \"/sys/fs/cgroup/memory\" {m = NR}
                END {print (k == 0 || m == 0) ? \"missing\" : (m > k) ? \"after\" : \"before\"}" /proc/self/mountinfo'
        t_is "$(rs run -b "$CO" "$(t_id)" 2>&1)" before "the hierarchies are bound before the read-only paths"
        # A masked path reaching a hierarchy through a symlink of the image, or relative: masked
        # all the same, as in the spec's order (the hierarchy goes beneath the mask).
        CM=$T_WORK/cgmask
        make_bundle "$CM" /bin/sh -c 'ls /sys/fs/cgroup/memory | wc -l; ls /sys/fs/cgroup/pids | wc -l; ls /sys/fs/cgroup/cpu | wc -l'
        ln -s /sys/fs/cgroup "$CM/rootfs/cg"
        bundle_edit "$CM" '.linux.maskedPaths += ["/cg/memory", "sys/fs/cgroup/pids"]'
        out=$(rs run -b "$CM" "$(t_id)" 2>&1)
        t_is "$(head -n2 <<<"$out" | tr '\n' ' ')" "0 0 " "a hierarchy masked through a symlink, or by a relative path, is masked"
        t_ok "... and the others are there" test "$(tail -n1 <<<"$out")" -gt 0
        bundle_edit "$CM" '.linux.maskedPaths -= ["sys/fs/cgroup/pids"]'
        out=$(rs run -b "$CM" "$(t_id)" 2>&1)
        t_is "$(head -n1 <<<"$out")" 0 "... the symlink alone too"
        # A read-only path that copies them (a recursive bind) must find them mounted.
        bundle_edit "$CG" 'del(.hooks) | .linux.readonlyPaths += ["/sys/fs/cgroup"]'
        view=$(rs run -b "$CG" "$(t_id)" 2>&1)
        t_is "$(grep -c "^/ /sys/fs/cgroup/[^ ]* [^ ]* cgroup2\? " <<<"$view")" $((2 * hierarchies)) \
                "readonlyPaths /sys/fs/cgroup: each hierarchy in the copy too"
        t_match "$view" $'\n1\n1\n/\nRead-only file system$' "... and the copy holds them"
fi
# A destination that is, or passes through, a symlink dangling inside the rootfs: the link is
# followed inside the rootfs and its target made there (as runc and crun do), never on the host.
D=$T_WORK/dangling
mark=dangle-$$-$RANDOM
make_bundle "$D" /bin/sh -c "grep -o ' /[^ ]*$mark[^ ]* ' /proc/self/mountinfo | sort; cat /tmp/$mark-f"
ln -s "/tmp/$mark/abs" "$D/rootfs/abs"
ln -s "../../../$mark-rel" "$D/rootfs/rel"
ln -s "/tmp/$mark-f" "$D/rootfs/fileln"
echo in-file >"$T_WORK/bindfile"
bundle_edit "$D" --arg f "$T_WORK/bindfile" '.mounts += [
        {destination: "/abs", type: "tmpfs", source: "tmpfs"},
        {destination: "/rel/sub", type: "tmpfs", source: "tmpfs"},
        {destination: "/fileln", type: "bind", source: $f, options: ["bind", "ro"]}]'
out=$(rs run -b "$D" "$(t_id)" 2>&1)
t_is "$out" " /$mark-rel/sub 
 /tmp/$mark-f 
 /tmp/$mark/abs 
in-file" "a dangling symlink as, or in, a destination is followed inside the rootfs and its target made there"
t_ok "... nothing is made on the host" bash -c "! ls -d /tmp/$mark* $T_WORK/$mark* /$mark* 2>/dev/null | grep -q ."
t_ok "... the targets are made in the rootfs" test -d "$D/rootfs/tmp/$mark/abs" -a -d "$D/rootfs/$mark-rel/sub" \
        -a -f "$D/rootfs/tmp/$mark-f"
ln -s loop1 "$D/rootfs/loop2" && ln -s loop2 "$D/rootfs/loop1"
expect_refused "$D" "a destination through a symlink loop" "mounts\\[[0-9]+\\]: destination /loop1/x in the rootfs: Too many levels" \
        '.mounts += [{destination: "/loop1/x", type: "tmpfs", source: "tmpfs"}]'
# Repeated slashes are one; a relative destination is relative to the container's / (runtime-spec 1.2).
N=$T_WORK/normal
make_bundle "$N" /bin/sh -c "awk '\$5 ~ /^\\/(test|rel)/ {print \$5}' /proc/self/mountinfo"
bundle_edit "$N" '.mounts += [{destination: "/test//test/", type: "tmpfs", source: "tmpfs"},
        {destination: "rel/./dir", type: "tmpfs", source: "tmpfs"}]'
t_is "$(rs run -b "$N" "$(t_id)" 2>&1)" "/test/test
/rel/dir" "a destination with repeated slashes, or a relative one, is mounted where it names"
# Read-only holds: a tmpfs with ro; rro (runc's recursive read-only, mount_setattr AT_RECURSIVE)
# makes every submount of an rbind read-only too, where ro alone reaches the top mount only.
R=$T_WORK/rro
mkdir -p "$T_WORK/rsrc/sub"
mount -t tmpfs tmpfs "$T_WORK/rsrc/sub"
make_bundle "$R" /bin/sh -c 'for d in /t /a /a/sub /b /b/sub /c/sub; do touch $d/f 2>/dev/null && echo "$d rw" || echo "$d ro"; done'
bundle_edit "$R" --arg s "$T_WORK/rsrc" '.mounts += [{destination: "/t", type: "tmpfs", source: "tmpfs", options: ["ro"]},
        {destination: "/a", type: "bind", source: $s, options: ["rbind", "rro"]},
        {destination: "/b", type: "bind", source: $s, options: ["rbind", "ro", "rro"]},
        {destination: "/c", type: "bind", source: $s, options: ["rbind", "ro"]}]'
t_is "$(rs run -b "$R" "$(t_id)" 2>&1 | tr '\n' ' ')" "/t ro /a ro /a/sub ro /b ro /b/sub ro /c/sub rw " \
        "a ro tmpfs is read-only; rro makes an rbind and its submounts read-only (ro alone, the top only)"
umount "$T_WORK/rsrc/sub"
# A read-only /dev (a tmpfs with ro): the default devices, links, submounts and /dev/console are made
# in it first, then it turns read-only, as runc orders it.
V=$T_WORK/devro
make_bundle "$V" /bin/sh -c 'for d in null zero full random urandom tty; do test -c /dev/$d && echo -n "$d "; done; echo
        readlink /dev/fd; readlink /dev/ptmx; ls -d /dev/pts/ptmx /dev/shm /dev/mqueue; echo x >/dev/null && echo null-writes
        touch /dev/x 2>&1 | sed "s/.*: //"; touch /dev/shm/x && echo shm-rw'
bundle_edit "$V" '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
t_is "$(rs run -b "$V" "$(t_id)" 2>&1)" "null zero full random urandom tty 
/proc/self/fd
pts/ptmx
/dev/mqueue
/dev/pts/ptmx
/dev/shm
null-writes
Read-only file system
shm-rw" "a /dev mounted ro has its devices, links and submounts, and is read-only (EROFS), not what is mounted in it"
bundle_edit "$V" '.process.terminal = true | .process.args = ["/bin/sh", "-c", "test -c /dev/console && echo console; touch /dev/y 2>&1 | sed \"s/.*: //\""]'
t_match "$(script -qec "$RUNSCOPE --root $T_ROOT run -b $V $(t_id)" /dev/null | tr -d '\r')" \
        'console.*Read-only file system' "... with a terminal, its /dev/console too"
t_done
