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
t_done
