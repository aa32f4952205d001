#!/bin/bash
# A hostile bundle that changes under runscope: while containers are made, a racing process keeps
# flipping a mount destination between a directory and symlinks that lead out of the rootfs (an
# absolute one and a ../ chain). Whatever it catches, nothing on the host is mounted over, created
# in or chmod'ed.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/true
mark=race-$$-$RANDOM
target=/var/tmp/$mark   # outside the sandbox's private /tmp: what a runtime that escaped would reach
mkdir -p "$target"
chmod 700 "$target"
before=$(stat -c '%a %u %g' "$target")
bundle_edit "$B" '.root.readonly = false | .mounts += [
        {destination: "/race/sub", type: "tmpfs", source: "tmpfs", options: ["mode=777"]},
        {destination: "/race/file", type: "bind", source: "/etc/hostname", options: ["bind", "ro"]}]'
flip() {
        local r=$B/rootfs
        while :; do
                rm -rf "$r/race"; mkdir -p "$r/race"
                rm -rf "$r/race"; ln -s "$target" "$r/race"
                rm -f "$r/race"; ln -s "../../../../../../../..$target" "$r/race"
                rm -f "$r/race"
        done
}
flip 2>/dev/null &
flipper=$!
ok=0 failed=0
for i in $(seq 1 40); do
        if rs run -b "$B" "$(t_id)" >/dev/null 2>&1; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
done
kill "$flipper"
wait "$flipper" 2>/dev/null
echo "# $ok runs succeeded, $failed were refused while the destination changed under them"
t_ok "no mount of the host was made on the racing target" bash -c "! grep -qF '$target' /proc/self/mountinfo"
t_is "$(find "$target" -mindepth 1 | wc -l)" 0 "nothing was created in it"
t_is "$(stat -c '%a %u %g' "$target")" "$before" "its mode and owner are untouched"
t_ok "every container is gone" eval "! rs list -q | grep -q ."
t_is "$(systemctl list-units --no-legend 'runscope-*' | wc -l)" 0 "... and so is every unit"
rm -rf "$target"
t_done
