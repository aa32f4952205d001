#!/bin/bash
# A bundle's symlinks never lead runscope out of the rootfs: mount destinations and bind targets
# that are absolute or ../ symlinks to the host resolve inside the container's root.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'ls -d /etc/rs-escape-* 2>/dev/null; grep -c rs-escape /proc/self/mountinfo'
bundle_edit "$B" '.root.readonly = false'
mark=rs-escape-$$
ln -s /etc "$B/rootfs/abs"
ln -s ../../../../../../../../etc "$B/rootfs/rel"
mkdir -p "$B/rootfs/etc"
bundle_edit "$B" --arg m "$mark" '.mounts += [
        {destination: ("/abs/" + $m + "-a"), type: "tmpfs", source: ("tmpfs-" + $m)},
        {destination: ("/rel/" + $m + "-b"), type: "tmpfs", source: ("tmpfs-" + $m)}]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_ok "nothing was created in the host's /etc" bash -c "! ls -d /etc/$mark-* 2>/dev/null | grep -q ."
t_match "$out" "/etc/$mark-a" "an absolute symlink in a destination resolves in the container's root"
t_match "$out" "/etc/$mark-b" "a ../ symlink chain stays in it too"
t_match "$out" "(^|
)2\$" "... where both tmpfs mounts are"
t_ok "the host has no such mount" bash -c "! grep -q $mark /proc/self/mountinfo"

# A symlinked cwd and a dangling destination symlink stay inside as well.
ln -s /nonexistent-$mark "$B/rootfs/dangling"
bundle_edit "$B" --arg m "$mark" '.mounts = [.mounts[] | select(.source | startswith("tmpfs-") | not)]
        | .mounts += [{destination: "/dangling/x", type: "tmpfs", source: "tmpfs"}] | .process.args = ["/bin/true"]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_is "$out" "" "a destination through a dangling symlink runs"
t_ok "a dangling symlink's target is not created on the host" test ! -e "/nonexistent-$mark"
t_ok "... but in the rootfs" test -d "$B/rootfs/nonexistent-$mark/x"
# proc and sysfs are mounted on an ordinary directory only: a rootfs whose /proc or /sys is a symlink
# (absolute or ../, however it would resolve) or a file is refused, naming the mount, as runc does.
P=$T_WORK/proclink
make_bundle "$P" /bin/true
mounts_now() { awk '{print $5, $(NF - 2)}' /proc/self/mountinfo | sort; }
before=$(mounts_now)
for link in proc:file proc:/ proc:../.. sys:/tmp; do
        name=${link%%:*} to=${link#*:}
        rm -rf "${P:?}/rootfs/proc" "$P/rootfs/sys"
        mkdir "$P/rootfs/proc" "$P/rootfs/sys"
        rmdir "$P/rootfs/$name"
        if [ "$to" = file ]; then touch "$P/rootfs/$name"; kind=file; else ln -s "$to" "$P/rootfs/$name"; kind=symlink; fi
        index=$(jq --arg d "/$name" '[.mounts[].destination] | index($d)' "$P/config.json")
        expect_refused "$P" "/$name as $to" "^.*mounts\\[$index\\]: /$name must be mounted on an ordinary directory, not a $kind\$" .
done
t_is "$(mounts_now)" "$before" "... and nothing was mounted anywhere"
t_is "$(readlink "$P/rootfs/sys")" /tmp "... the link was left as it was"
rm -rf "$P/rootfs/sys" && mkdir "$P/rootfs/sys" "$P/rootfs/alt" && ln -s alt "$P/rootfs/via"
bundle_edit "$P" '.mounts += [{destination: "/via/proc", type: "proc", source: "proc"}] | .process.args = ["/bin/ls", "/alt/proc/self/"]'
t_match "$(rs run -b "$P" "$(t_id)" 2>&1)" "cmdline" "a symlink before the last component, inside the rootfs, is followed there"
t_done
