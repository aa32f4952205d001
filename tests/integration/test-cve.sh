#!/bin/bash
# The container-runtime escapes of 2024-2026, each built as a hostile bundle whose outcome is read on
# the host: a leaked fd as cwd (CVE-2024-21626), a sysctl or oom_score_adj written through a bind
# mount (CVE-2025-52881), masking with a fake /dev/null (CVE-2025-31133), /dev as a symlink out of
# the rootfs, and the default devices without a tmpfs on /dev.
. "$(dirname "$0")/../lib/common.sh"
shopt -s extglob

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'touch /tmp/ran'
bundle_edit "$B" '.root.readonly = false'

# --- process.cwd and exec --cwd as /proc/self/fd/N, with runscope holding fds 7-12 of its own.
fails=""
for n in $(seq 3 20); do
        rm -f "$B/rootfs/tmp/ran"
        bundle_edit "$B" --arg c "/proc/self/fd/$n" '.process.cwd = $c'
        id=$(t_id)
        err=$( (exec 7</ 8</ 9</ 10</ 11</ 12</; rs run -b "$B" "$id") 2>&1)
        rc=$?
        [ "$rc" != 0 ] && [ ! -e "$B/rootfs/tmp/ran" ] && [[ $err == *"process.cwd /proc/self/fd/$n"* ]] || fails+=" $n(rc=$rc: $err)"
        rs delete --force "$id" 2>/dev/null
done
t_is "${fails:-none}" none "process.cwd /proc/self/fd/3..20: run fails naming process.cwd, the process never starts"

# ... and through ../ from such an fd: nothing is created or read on the host.
bundle_edit "$B" '.process.cwd = "/proc/self/fd/9/../../../../../../.."'
id=$(t_id)
rm -f "$B/rootfs/tmp/ran"
(exec 7</ 8</ 9</ 10</; rs run -b "$B" "$id") >/dev/null 2>&1
t_ok "cwd /proc/self/fd/9/../..: the process does not start" test ! -e "$B/rootfs/tmp/ran"
rs delete --force "$id" 2>/dev/null
bundle_edit "$B" --arg c "/proc/self/fd/9/rs-cve-$$" '.process.cwd = $c'
(exec 7</ 8</ 9</ 10</; rs run -b "$B" "$(t_id)") >/dev/null 2>&1
t_ok "a missing cwd below /proc/self/fd/9 is made nowhere on the host" \
        bash -c "! find /run /tmp '$T_ROOT' -maxdepth 4 -name 'rs-cve-$$' 2>/dev/null | grep -q ."

# A cwd through a symlink inside the rootfs still works, and a missing one is made there.
ln -s /tmp "$B/rootfs/tmplink"
bundle_edit "$B" '.process.cwd = "/tmplink/new/dir" | .process.args = ["/bin/sh", "-c", "pwd"]'
t_is "$(rs run -b "$B" "$(t_id)" 2>&1)" /tmp/new/dir "a cwd through a symlink in the rootfs resolves there and is made"

# exec --cwd the same way, and the fds the container's processes hold.
bundle_edit "$B" '.process.cwd = "/" | .process.args = ["/bin/sleep", "3132"]'
id=$(t_id)
rs run -d -b "$B" "$id"
fails=""
for n in $(seq 3 20); do
        out=$( (exec 7</ 8</ 9</ 10</ 11</ 12</; rs exec --cwd "/proc/self/fd/$n" "$id" /bin/pwd) 2>&1) && fails+=" $n($out)"
done
t_is "${fails:-none}" none "exec --cwd /proc/self/fd/3..20 fails"
fds() { ls "/proc/$1/fd" | sort -n | tr '\n' ' '; }
t_is "$(fds "$(rs state "$id" | jq -r .pid)")" "0 1 2 " "the init holds no fd above 2"
# ls's own fd 3 is the directory it reads.
t_is "$( (exec 7</ 8</ 9</; rs exec "$id" /bin/ls /proc/self/fd) | tr '\n' ' ')" "0 1 2 3 " \
        "an exec'd process holds no fd above 2 (3 is ls's reading /proc/self/fd)"

# exec -u (crun CVE-2026-30892): uid and gid exactly as asked (gid 0 when none, as runc), never root
# by a value that is not one.
ids() { rs exec -u "$1" "$id" /bin/sh -c 'echo $(id -u):$(id -g)' 2>&1; }
t_is "$(ids 1)" 1:0 "exec -u 1: uid 1, gid 0"
t_is "$(ids 1:1)" 1:1 "exec -u 1:1: uid 1, gid 1"
t_is "$(ids 4294967294:7)" 4294967294:7 "exec -u 4294967294:7: the largest uid"
for bad in name 1:name "" : 1: :1 -1 -0 +0 " 0" 0x1 1:1:1 4294967295 4294967296 18446744073709551616 1:4294967296; do
        err=$(rs exec -u "$bad" "$id" /bin/sh -c 'echo ran as $(id -u)' 2>&1)
        rc=$?
        [[ $err == "runscope: --user $bad: "@(expected UID*|out of range) ]] && ok=yes || ok=no
        t_is "$rc $(wc -l <<<"$err" | tr -d ' ') $ok" "1 1 yes" "exec -u '$bad' fails with one line naming it"
        [ $ok = yes ] || echo "#   $err"
done
rs delete --force "$id"

# --- A sysctl whose /proc/sys file the bundle covered with a host file: refused, the file unwritten.
host=$T_WORK/hostfile
echo untouched >"$host"
bundle_edit "$B" --arg h "$host" '.process.args = ["/bin/true"]
        | .mounts += [{destination: "/proc/sys/kernel/domainname", type: "bind", source: $h, options: ["bind"]}]
        | .linux.sysctl = {"kernel.domainname": "written"}'
id=$(t_id)
expect_clean 1 "kernel.domainname covered by a bind mount" "linux.sysctl.kernel.domainname: .*covered" "$id" run -b "$B" "$id"
t_is "$(cat "$host")" untouched "... and the host file over it is not written"
# The same sysctl with nothing over it is set in the container.
bundle_edit "$B" '.mounts = [.mounts[] | select(.destination != "/proc/sys/kernel/domainname")]
        | .process.args = ["/bin/cat", "/proc/sys/kernel/domainname"]'
t_is "$(rs run -b "$B" "$(t_id)" 2>&1)" written "an uncovered sysctl is written"

# oom_score_adj through a bind over the init's own /proc entry (pid 1 in its namespace).
bundle_edit "$B" --arg h "$host" 'del(.linux.sysctl) | .process.args = ["/bin/true"] | .process.oomScoreAdj = 500
        | .mounts += [{destination: "/proc/1/oom_score_adj", type: "bind", source: $h, options: ["bind"]}]'
rs run -b "$B" "$(t_id)" >/dev/null 2>&1
t_is "$(cat "$host")" untouched "oomScoreAdj does not write a host file bound over /proc/1/oom_score_adj"
bundle_edit "$B" '.mounts = [.mounts[] | select(.destination != "/proc/1/oom_score_adj")]
        | .process.args = ["/bin/cat", "/proc/self/oom_score_adj"]'
t_is "$(rs run -b "$B" "$(t_id)" 2>&1)" 500 "oomScoreAdj is still set"
# ... and with the host's /proc bound at /proc in a pid namespace, the launcher's pid there is not 1:
# the host's PID 1 keeps its oom_score_adj.
before=$(cat /proc/1/oom_score_adj)
bundle_edit "$B" '.mounts = [.mounts[] | select(.destination != "/proc")] + [{destination: "/proc", type: "bind", source: "/proc", options: ["rbind"]}]
        | .linux.maskedPaths = [] | .linux.readonlyPaths = [] | .process.args = ["/bin/true"]'
rs run -b "$B" "$(t_id)" >/dev/null 2>&1
t_is "$(cat /proc/1/oom_score_adj)" "$before" "oomScoreAdj with the host's /proc bound in: the host's PID 1 keeps its own"
echo "$before" >/proc/1/oom_score_adj

# --- No tmpfs on /dev: the default devices are made in the rootfs's /dev, masked paths masked.
N=$T_WORK/nodev
make_bundle "$N" /bin/sh -c 'for d in null zero full random urandom tty; do [ -c /dev/$d ] && echo -n "$d "; done;
        [ -L /dev/ptmx ] && echo -n "ptmx "; cat /proc/timer_list /proc/keys | wc -c'
bundle_edit "$N" '.mounts = [.mounts[] | select(.destination | startswith("/dev") | not)] | .root.readonly = false'
t_is "$(rs run -b "$N" "$(t_id)" 2>&1)" "null zero full random urandom tty ptmx 0" \
        "without a tmpfs on /dev: the default devices are made and /proc/timer_list, /proc/keys are masked"

# A rootfs whose /dev/null is a symlink to a host-global sysctl file, or a plain file: masking with
# it would bind that file over the masked paths. run fails, and nothing is masked with it.
bundle_edit "$N" '.process.args = ["/bin/cat", "/proc/keys"]'
for fake in link file; do
        rm -f "$N/rootfs/dev/null"
        if [ $fake = link ]; then ln -s /proc/sys/kernel/core_pattern "$N/rootfs/dev/null"; else echo fake >"$N/rootfs/dev/null"; fi
        id=$(t_id)
        expect_clean 1 "/dev/null a $fake" "linux.maskedPaths: /dev/null .*not the null device" "$id" run -b "$N" "$id"
done
rm -f "$N/rootfs/dev/null"
# ... or a host file bound over /dev/null by the bundle, over a tmpfs /dev.
echo fake >"$T_WORK/fakenull"
bundle_edit "$N" --arg f "$T_WORK/fakenull" '.mounts += [{destination: "/dev", type: "tmpfs", source: "tmpfs"},
        {destination: "/dev/null", type: "bind", source: $f, options: ["bind"]}]'
id=$(t_id)
expect_clean 1 "/dev/null a bound file" "linux.maskedPaths: /dev/null .*not the null device" "$id" run -b "$N" "$id"
bundle_edit "$N" '.mounts = [.mounts[] | select(.destination | startswith("/dev") | not)]'

# --- /dev a symlink out of the rootfs, absolute or ../: nothing is made, linked or mounted outside.
out=$T_WORK/outside
# With a user namespace, the host's devices are bound in before pivot_root, while the host is in reach.
# The host directory is one anybody may write to, as /tmp.
chmod 755 "$T_WORK"
userns='.linux.namespaces += [{type: "user"}] | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = .linux.uidMappings'
for link in "$out" "../../../../../../../..$out"; do
        for ns in none user; do
                rm -rf "$out" "$N/rootfs/dev" && mkdir -p "$out" && chmod 1777 "$out" && ln -s "$link" "$N/rootfs/dev"
                cp "$N/config.json" "$T_WORK/nodev.json"
                [ $ns = user ] && bundle_edit "$N" "$userns"
                for tmpfs in no yes; do
                        [ $tmpfs = yes ] && bundle_edit "$N" '.mounts += [{destination: "/dev", type: "tmpfs", source: "tmpfs"}]'
                        rs run -b "$N" "$(t_id)" >/dev/null 2>&1
                        t_is "$(ls -A "$out" | tr '\n' ' ')" "" \
                                "dev -> $link, user namespace: $ns, tmpfs on /dev: $tmpfs: nothing is made in the host's $out"
                        bundle_edit "$N" '.mounts = [.mounts[] | select(.destination != "/dev")]'
                done
                cp "$T_WORK/nodev.json" "$N/config.json"
        done
        t_ok "dev -> $link: no mount of the host's" bash -c "! grep -q ' $out' /proc/self/mountinfo"
done
rm -f "$N/rootfs/dev"
mkdir -p "$N/rootfs/dev"
# --- /dev/console from a hostile /dev/pts (CVE-2025-52565): the bundle binds a directory of its own
# on /dev/pts whose ptmx leads to a real devpts elsewhere and whose 0..3 are symlinks to a file.
# The pty's name would lead to that file; /dev/console and stdio are the pty itself.
P=$T_WORK/pts
make_bundle "$P" /bin/sh -c 'stat -c %t /dev/console; stat -L -c %t /proc/self/fd/0; cat /tmp/target'
mkdir -p "$P/fakepts"
ln -s /dev/realpts/ptmx "$P/fakepts/ptmx"
for n in 0 1 2 3; do ln -s /tmp/target "$P/fakepts/$n"; done
bundle_edit "$P" --arg f "$P/fakepts" '.process.terminal = true | .root.readonly = false
        | .mounts = [.mounts[] | select(.destination != "/dev/pts")]
        | .mounts += [{destination: "/dev/realpts", type: "devpts", source: "devpts", options: ["newinstance", "ptmxmode=0666"]},
                      {destination: "/dev/pts", type: "bind", source: $f, options: ["bind"]}]'
echo target-untouched >"$P/rootfs/tmp/target"
# The pty echoes a NUL as "^@" at times, where it comes between the lines (seen before the first
# and, under load, before the second): taken out wherever it is.
out=$(script -qec "$RUNSCOPE --root $T_ROOT run -b $P $(t_id)" /dev/null | tr -d '\r' | sed 's/\^@//g')
t_is "$out" $'88\n88\ntarget-untouched' "/dev/pts/N a symlink: /dev/console and stdin are the pty (136), not its target"
# --- A directory of a mount destination swapped for a symlink to the host while runscope makes the
# missing rest (CVE-2024-45310): the fault build swaps it at that very step.
R=$T_WORK/race
make_bundle "$R" /bin/true
mkdir -p "$R/rootfs/a" "$T_WORK/hostdir"
bundle_edit "$R" '.mounts += [{destination: "/a/b/c", type: "tmpfs", source: "tmpfs"}]'
for dir in a a/b; do
        rm -rf "$R/rootfs/a" "$R/rootfs/a.swapped" "$T_WORK/hostdir" && mkdir -p "$R/rootfs/a" "$T_WORK/hostdir"
        [ $dir = a/b ] && mkdir -p "$R/rootfs/a/b"
        RUNSCOPE_FAULT_SWAP="mkdir:$R/rootfs/$dir:$T_WORK/hostdir" "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" \
                run -b "$R" "$(t_id)" >/dev/null 2>&1
        t_is "$(ls -A "$T_WORK/hostdir" | tr '\n' ' ')$(test -L "$R/rootfs/$dir" && echo swapped)" swapped \
                "/$dir swapped for a symlink to the host while /a/b/c is made: nothing is made on the host"
done
# --- A --root others can write to: an id planted there by another user (a directory of theirs with a
# state.json naming a running container's unit and pid, or a symlink to that container's state) is
# refused by state, kill and delete --force, and the container it names runs on.
S=$(mktemp -d /tmp/runscope-shared.XXXXXX) && chmod 1777 "$S"
V=$T_WORK/victim
make_bundle "$V" /bin/sleep 3133
victim=$(t_id)
"$RUNSCOPE" --root "$S" run -d -b "$V" "$victim"
runuser -u nobody -- mkdir "$S/planted"
jq '.id = "planted"' "$S/$victim/state.json" >"$S/planted.json"
chown nobody "$S/planted.json"
runuser -u nobody -- cp "$S/planted.json" "$S/planted/state.json"
runuser -u nobody -- ln -s "$S/$victim" "$S/linked"
for planted in planted linked; do
        for verb in state "kill" "delete --force"; do
                # shellcheck disable=SC2086
                err=$("$RUNSCOPE" --root "$S" $verb "$planted" 2>&1 >/dev/null)
                rc=$?
                t_match "$rc $err" "^1 runscope: (The state directory of planted is owned by another user, not runscope's: refusing it|container linked does not exist)$" \
                        "$planted by another user: $verb refuses it in one line"
        done
done
t_is "$("$RUNSCOPE" --root "$S" state "$victim" | jq -r .status)" running "... and the container it names runs on"
t_is "$(systemctl show -P ActiveState "runscope-$victim.scope")" active "... in its scope"
"$RUNSCOPE" --root "$S" delete --force "$victim"
rm -rf "$S"
t_done
