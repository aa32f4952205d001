#!/bin/bash
# runscope run under valgrind memcheck: runscope and its launcher (valgrind follows the fork; the
# container's own command is not traced) make no memory error and leak nothing. Debian 12's
# valgrind 3.19 knows neither clone3 nor openat2 nor pidfd_open, so this run also goes through the
# clone(2) fallback and the openat2-less walk; what needs pidfd_open (exec, kill of a live
# container) cannot run under it and is left to the ASan build.
. "$(dirname "$0")/../lib/common.sh"

if ! command -v valgrind >/dev/null; then
        t_skip "runscope run under valgrind" "valgrind is not installed"
        t_done
        exit 0
fi
if ldd "$RUNSCOPE" | grep -q libasan; then
        t_skip "runscope run under valgrind" "this runscope is built with ASan, which valgrind cannot run"
        t_done
        exit 0
fi
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --suppressions="$RUNSCOPE_TOP/tests/valgrind.supp")
# valgrind's own messages ("--PID-- WARNING: unhandled syscall …") are not memcheck's findings;
# memcheck's are "==PID== …" lines.
memcheck_clean() { ! grep -q '^==[0-9]*== ' "$1"; }

# The plain bundle: namespaces, mounts, /dev, masked paths, no rlimits (valgrind holds the
# RLIMIT_NOFILE hard limit below the bundle's).
B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'echo hi-from-valgrind; exit 3'
bundle_edit "$B" 'del(.process.rlimits)'
id=$(t_id)
out=$("${VG[@]}" "$RUNSCOPE" --root "$T_ROOT" run -b "$B" "$id" 2>"$T_WORK/vg1.err")
t_is "$?:$out" "3:hi-from-valgrind" "run under valgrind: the container's exit code and output"
t_ok "... no memcheck error or leak in runscope or its launcher" memcheck_clean "$T_WORK/vg1.err"
[ -s "$T_WORK/vg1.err" ] && grep '^==' "$T_WORK/vg1.err" | head -20 | sed 's/^/# /'
t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"

# A user namespace, a seccomp filter, a hook, resources as unit properties.
bundle_edit "$B" '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]}
        | .linux.resources = {memory: {limit: 268435456}, pids: {limit: 100}}
        | .hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "cat >/dev/null"]}]
        | .process.args = ["/bin/sh", "-c", "id -u; mkdir /tmp/x 2>&1; exit 4"]'
chmod 755 "$T_WORK"
id=$(t_id)
out=$("${VG[@]}" "$RUNSCOPE" --root "$T_ROOT" run -b "$B" "$id" 2>"$T_WORK/vg2.err")
t_is "$?:$out" "4:0
mkdir: can't create directory '/tmp/x': Function not implemented" \
        "run with a user namespace, seccomp, a hook and resources under valgrind"
t_ok "... no memcheck error or leak" memcheck_clean "$T_WORK/vg2.err"
[ -s "$T_WORK/vg2.err" ] && grep '^==' "$T_WORK/vg2.err" | head -20 | sed 's/^/# /'
t_ok "... and nothing is left" nothing_left "$id" "runscope-$id.scope"

# A bundle it refuses: the error path frees what it made, too.
bundle_edit "$B" '.linux.namespaces += [{type: "bogus"}]'
id=$(t_id)
"${VG[@]}" "$RUNSCOPE" --root "$T_ROOT" run -b "$B" "$id" >/dev/null 2>"$T_WORK/vg3.err"
t_is "$?" 1 "a refused bundle under valgrind exits 1"
t_ok "... no memcheck error or leak" memcheck_clean "$T_WORK/vg3.err"
t_done
