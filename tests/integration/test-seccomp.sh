#!/bin/bash
# linux.seccomp: the filter the spec describes, loaded last before exec (or before the user switch
# without no_new_privs), for the container and for exec; unknown names fail create.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'mkdir /tmp/x 2>&1; kill -0 $$ 2>&1 && echo kill0-ok; kill -CONT $$ && echo cont-ok'
bundle_edit "$B" '.root.readonly = false | .linux.seccomp = {
        defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
        syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38},
                   {names: ["kill"], action: "SCMP_ACT_ERRNO", args: [{index: 1, value: 0, op: "SCMP_CMP_EQ"}]}]}'
out=$(rs run -b "$B" "$(t_id)")
t_match "$out" "mkdir: can't create directory '/tmp/x': Function not implemented" "a filtered syscall fails with errnoRet"
t_match "$out" "Operation not permitted" "an argument comparison filters kill(pid, 0)"
t_match "$out" "cont-ok" "... and lets kill(pid, SIGCONT) through"

id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/sleep", "300"]'
rs run -d -b "$B" "$id"
t_match "$(rs exec "$id" /bin/mkdir /tmp/y 2>&1)" "Function not implemented" "exec'd processes get the container's filter"
rs delete -f "$id"

bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "mkdir /tmp/z 2>&1; id -u"] | .process.noNewPrivileges = false
        | .process.user = {uid: 65534, gid: 65534}'
t_match "$(rs run -b "$B" "$(t_id)")" "Function not implemented.*65534" \
        "without no_new_privs the filter is loaded before the user switch, and holds for the user"

# SCMP_ACT_NOTIFY: the listener goes to the agent at listenerPath with the container process state;
# the agent decides the notified syscalls (here: ENOSPC), for the container and for exec.
AGENT=$RUNSCOPE_TOP/tests/seccomp-agent
sock=$T_WORK/agent.sock
bundle_edit "$B" --arg s "$sock" '.process.args = ["/bin/sh", "-c", "mkdir /tmp/n 2>&1; ls /proc/self/fd | tr \"\\n\" \" \"; echo; sleep 300"]
        | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $s, listenerMetadata: "runscope-test",
                            syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}'
"$AGENT" "$sock" 28 >"$T_WORK/agent.out" 2>&1 &
agent=$!
wait_until listening "$sock"
id=$(t_id)
rs run -d -b "$B" "$id" >"$T_WORK/out" 2>&1
t_is "$?" 0 "a container with SCMP_ACT_NOTIFY rules starts once the agent has its listener"
wait_until grep -qs "0 1 2" "$T_WORK/out"
state=$(head -n1 "$T_WORK/agent.out")
t_is "$(jq -c '[.ociVersion, .fds, .metadata, .state.id, .state.status] | .[1:]' <<<"$state")" \
        "[[\"seccompFd\"],\"runscope-test\",\"$id\",\"creating\"]" "the agent gets the container process state (fds, metadata, state)"
t_is "$(jq -r .pid <<<"$state")" "$(rs state "$id" | jq -r .pid)" "... with the container's pid"
t_match "$(cat "$T_WORK/out")" "can't create directory '/tmp/n': No space left on device" "a notified syscall gets the agent's answer"
t_match "$(cat "$T_WORK/out")" "(^|
)0 1 2 3 (
|\$)" "the container does not hold its own listener (3 is ls's own)"
t_match "$(rs exec "$id" /bin/mkdir /tmp/e 2>&1)" "No space left on device" "exec'd processes are under the agent too"
# The exec'd process sends its listener on the socket the exec launcher sends its pid on; with the
# launcher slow to send the pid (held a second), the listener must still come second.
t_match "$(RUNSCOPE_FAULT_PAUSE=exec:before-pid "$RUNSCOPE_TOP/tests/runscope-faults" --root "$T_ROOT" exec "$id" /bin/mkdir /tmp/f 2>&1)" \
        "No space left on device" "... also when the process is ready before its launcher has sent its pid"
rs delete -f "$id"
t_is "$(grep -c '^notified mkdir' "$T_WORK/agent.out")" 3 "the agent saw the three mkdir calls"
# A notified syscall the launcher itself makes after loading the filter (prctl, before it reports
# ready) is the agent's to answer at once: the listener goes to it the moment it comes.
bundle_edit "$B" '.linux.seccomp.syscalls[0].names += ["prctl"] | .process.noNewPrivileges = true | .process.args = ["/bin/sh", "-c", "mkdir /tmp/p 2>&1"]'
id=$(t_id)
out=$(timeout 20 "$RUNSCOPE" --root "$T_ROOT" run -b "$B" "$id" 2>&1)
t_is "$?:$out" "1:mkdir: can't create directory '/tmp/p': No space left on device" \
        "a filter notifying a syscall the launcher makes after loading it does not hang create"
kill "$agent" 2>/dev/null; wait "$agent" 2>/dev/null
id=$(t_id)
expect_clean 1 "an agent that is not listening" "linux.seccomp.listenerPath: $sock: Connection refused" "$id" run -d -b "$B" "$id"

# podman's default profile, as podman 4.3 writes it.
podman=$RUNSCOPE_TOP/tests/data/podman/config-basic-systemd.json
bundle_edit "$B" --slurpfile p "$podman" '.linux.seccomp = $p[0].linux.seccomp | .process.user = {uid: 0, gid: 0}
        | .process.noNewPrivileges = true | .process.args = ["/bin/sh", "-c", "echo up; unshare -r true 2>&1 | head -c 40; echo"]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_match "$out" "^up" "podman's default seccomp profile loads and runs a shell"

# A syscall newer than the profile (above the highest number it names) gets ENOSYS, as runc answers
# it, so that libcs fall back; one the profile leaves out below that gets the default action.
bundle_edit "$B" --slurpfile p "$podman" '.linux.seccomp = ($p[0].linux.seccomp | del(.defaultErrnoRet) | .defaultAction = "SCMP_ACT_ERRNO")
        | .process.args = ["/bin/sh", "-c", "/bin/probe nr 1000; /bin/probe nr 183"]'
t_is "$(rs run -b "$B" "$(t_id)" 2>&1 | tr '\n' ' ')" "Function not implemented Operation not permitted " \
        "a syscall newer than the profile fails with ENOSYS, an older one it leaves out with the default errno"
bundle_edit "$B" '.linux.seccomp.defaultAction = "SCMP_ACT_KILL_PROCESS" | .process.args = ["/bin/probe", "nr", "1000"]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_is "$?:$out" "0:Function not implemented" "... also where the default action kills: the process lives"
bundle_edit "$B" '.linux.seccomp.defaultAction = "SCMP_ACT_ALLOW" | .linux.seccomp.syscalls = [{names: ["getcwd"], action: "SCMP_ACT_ERRNO"}]
        | .process.args = ["/bin/probe", "nr", "1000"]'
t_is "$(rs run -b "$B" "$(t_id)" 2>&1)" "Function not implemented" "... and with a permissive default the kernel's own answer stands"

# startContainer hooks run under the filter; one that it kills is a hook error.
bundle_edit "$B" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_KILL"}]}
        | .process.args = ["/bin/true"] | .hooks = {startContainer: [{path: "/bin/sh", args: ["sh", "-c", "mkdir /tmp/hook"]}]}'
id=$(t_id)
expect_clean 1 "a startContainer hook killed by the filter" "hooks.startContainer\[0\] \(/bin/sh\) was killed by signal 31 \(Bad system call\)" \
        "$id" run -b "$B" "$id"
bundle_edit "$B" 'del(.hooks)'

for case in 'syscalls\[0\].names|{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["nosuchcall"],"action":"SCMP_ACT_ERRNO"}]}|unknown syscall .nosuchcall.' \
            'defaultAction|{"defaultAction":"SCMP_ACT_MAYBE"}|unknown seccomp action .SCMP_ACT_MAYBE.' \
            'architectures\[0\]|{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_PDP11"]}|unknown architecture' \
            'syscalls\[0\].args\[0\].op|{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_SOMETIMES"}]}]}|unknown comparison' \
            'defaultAction|{"defaultAction":"SCMP_ACT_NOTIFY"}|SCMP_ACT_NOTIFY cannot be the default action' \
            'listenerPath|{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}|SCMP_ACT_NOTIFY needs a listenerPath' \
            'listenerPath|{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"rel/sock","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}|' \
            'listenerPath|{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/nonexistent/agent.sock","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}|/nonexistent/agent.sock: No such file or directory' \
            'syscalls\[1\].names|{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"},{"names":["getpid","write"],"action":"SCMP_ACT_NOTIFY"}]}|SCMP_ACT_NOTIFY on write would deadlock the runtime'; do
        IFS='|' read -r path json msg <<<"$case"
        id=$(t_id)
        bundle_edit "$B" --argjson s "$json" '.linux.seccomp = $s'
        expect_clean 1 "linux.seccomp.$path" "linux.seccomp.$path: $msg" "$id" create -b "$B" "$id"
done
t_done
