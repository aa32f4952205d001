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
# A foreground run returns with its empty scope's stop queued: systemd ends it a moment later.
units_gone() {
        local i
        for i in $(seq 1 50); do
                [ "$(systemctl list-units --all --no-legend "runscope-t$$-*" | wc -l)" = 0 ] && return 0
                sleep 0.1
        done
        systemctl list-units --all --no-legend "runscope-t$$-*" | sed 's/^/#   /'
        return 1
}
t_ok "... and so is every unit" units_gone
rm -rf "$target"

# CVE-2019-5736: a container watching its pid namespace while runscope execs into it must never
# reach runscope's binary through /proc/PID/exe, for reading or for writing. The watcher is
# privileged (CAP_SYS_PTRACE), so not being dumpable does not keep it out: runscope runs from a
# sealed in-memory copy of itself then. The test build stops the exec'd process just before its
# execve until the watcher has met it.
E=$T_WORK/watcher
make_bundle "$E" /bin/sh -c 'while :; do for p in /proc/[0-9]*; do readlink $p/exe; head -c 4 $p/exe 2>/dev/null | wc -c; (: >>$p/exe) 2>/dev/null && echo "WROTE $p"; done; done >/tmp/seen 2>&1'
# Every capability, as a privileged container has: then only not being dumpable protects the launcher.
# (those in this runscope's bounding set; features lists them in the kernel's order, bit by bit).
bnd=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
caps=$(rs features | jq -c --argjson b "$bnd" '[.linux.capabilities | to_entries[] | select(($b / pow(2; .key) | floor) % 2 == 1) | .value]')
bundle_edit "$E" --argjson c "$caps" '.root.readonly = false | .process.capabilities = {bounding: $c, effective: $c, permitted: $c}'
id=$(t_id)
rs run -d -b "$E" "$id" || echo "# the watcher did not start"
met() { grep -qs "memfd:runscope-sealed" "$E/rootfs/tmp/seen"; }
RUNSCOPE_FAULT_STOP=exec:before-exec "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" exec "$id" /bin/true &
epid=$!
wait_until stopped_child "$epid" >/dev/null || echo "# the exec'd process did not stop before its execve"
wait_until met
kill -CONT "$(stopped_child "$epid")"
reap "$epid"
seen=$(rs exec "$id" /bin/cat /tmp/seen 2>&1)
rs delete -f "$id"
t_match "$seen" "/memfd:runscope-sealed" "the watcher met the exec launcher: a sealed copy of runscope"
t_ok "... never runscope's binary on the host" not_contains "$seen" "$RUNSCOPE_TOP/"
t_ok "... and could write to none of them" not_contains "$seen" "WROTE"

# An unprivileged container whose exec adds CAP_SYS_PTRACE (--cap): that exec, and every later one
# (the privileged process may still run), runs from the sealed copy too.
U=$T_WORK/unprivileged
make_bundle "$U" /bin/sleep 300
id=$(t_id)
rs run -d -b "$U" "$id"
t_ok "a plain exec into an unprivileged container leaves no mark" eval "rs exec $id /bin/true && test ! -e $T_ROOT/$id/ptrace-exec"
rs exec --cap CAP_SYS_PTRACE "$id" /bin/true
t_ok "exec --cap CAP_SYS_PTRACE is remembered, so later execs are sealed too" test -e "$T_ROOT/$id/ptrace-exec"
# The kernel refuses F_SEAL_WRITE with EBUSY while it holds a passing reference to the copy's pages
# for longer than it waits (once in CI, under load); runscope tries again. The test build stands a
# writable mapping in for those references, on the first $RUNSCOPE_FAULT_SEAL_BUSY tries.
busy_exec() { RUNSCOPE_FAULT_SEAL_BUSY=$1 "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" exec "$id" /bin/echo sealed; }
t_is "$(busy_exec 2 2>&1)" "sealed" "an exec whose seal meets EBUSY twice runs from the copy sealed on the third try"
before=$(rs ps --format json "$id" | jq -c sort)
err=$(busy_exec 1000 2>&1)
t_is "$?:$err" "1:runscope: Failed to run from a sealed copy of runscope: Device or resource busy" \
        "an exec whose seal meets EBUSY on every try: one error"
t_is "$(rs ps --format json "$id" | jq -c sort)" "$before" "... and no process is left in the container"
rs delete -f "$id"
t_done
