#!/bin/bash
# The rest of process and linux: domainname, personality, ioPriority, scheduler, execCPUAffinity,
# oomScoreAdj, umask, rlimits, additionalGids; unknown capabilities; LSM labels.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'cat /proc/sys/kernel/domainname; uname -m; probe ioprio; probe sched; grep Cpus_allowed_list /proc/self/status; cat /proc/self/oom_score_adj; umask; ulimit -n; id -G'
bundle_edit "$B" '.domainname = "example.org" | .linux.personality = {domain: "LINUX32"}
        | .process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}
        | .process.scheduler = {policy: "SCHED_BATCH", nice: 5}
        | .process.execCPUAffinity = {initial: "0", final: "0"}
        | .process.oomScoreAdj = 500 | .process.user.umask = 63 | .process.user.additionalGids = [10, 20]
        | .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 333, hard: 444}]'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_match "$out" "^example.org" "domainname"
t_match "$out" "i686" "linux.personality LINUX32: uname -m says i686"
t_match "$out" "class=3 prio=0" "process.ioPriority IOPRIO_CLASS_IDLE"
t_match "$out" "policy=3 nice=5" "process.scheduler SCHED_BATCH with nice 5"
t_match "$out" "Cpus_allowed_list:	0" "process.execCPUAffinity.final"
t_match "$out" "500" "process.oomScoreAdj"
t_match "$out" "0077" "process.user.umask"
t_match "$out" "333" "process.rlimits RLIMIT_NOFILE"
t_match "$out" "0 10 20" "process.user.additionalGids"

# runtime-spec 1.1: an unknown capability is logged as a warning naming it, and ignored: the
# process runs with the others (before: create failed).
C=$T_WORK/caps
make_bundle "$C" /bin/probe caps
bundle_edit "$C" '.process.capabilities = {bounding: ["CAP_KILL", "CAP_NET_RAW"], effective: ["CAP_KILL", "CAP_BOGUS", "CAP_NET_RAW"],
        permitted: ["CAP_KILL", "CAP_NET_RAW"]}'
rs run -b "$C" "$(t_id)" >"$T_WORK/caps.out" 2>"$T_WORK/caps.err"
t_is "$?" 0 "an unknown capability: run succeeds"
t_is "$(cat "$T_WORK/caps.err")" "runscope: config.json: process.capabilities.effective[1]: unknown capability 'CAP_BOGUS', ignoring" \
        "... with one warning naming its JSON path and the name"
t_match "$(cat "$T_WORK/caps.out")" "CapEff:	0000000000002020" "... and the process has the other capabilities (CAP_KILL, CAP_NET_RAW)"
t_match "$(cat "$T_WORK/caps.out")" "CapBnd:	0000000000002020" "... in every set"

# SELinux labels and an AppArmor profile: this host has neither LSM, so they mean nothing here and
# are ignored, as crun and runc do (before: "not supported by runscope yet"). features says both are
# supported, as runc's does (runtime-spec: whatever the host has).
L=$T_WORK/labels
make_bundle "$L" /bin/sleep 3140
bundle_edit "$L" '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"
        | .process.apparmorProfile = "container-default" | .linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
        | .mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
lid=$(t_id)
rs run -d -b "$L" "$lid" >/dev/null 2>"$T_WORK/labels.err"
t_is "$?:$(cat "$T_WORK/labels.err")" "0:" "labels on a host without SELinux or AppArmor: run succeeds and says nothing"
t_match "$(grep ' /scratch ' "/proc/$(rs state "$lid" | jq -r .pid)/mountinfo")" "size=1024k" \
        "... and the tmpfs is mounted with its options alone (no context= where SELinux is off)"
jq '.process | .args = ["/bin/probe", "hostname"] | .selinuxLabel = "system_u:system_r:spc_t:s0"
        | .apparmorProfile = "unconfined"' "$L/config.json" >"$T_WORK/labels.json"
err=$(rs exec --process "$T_WORK/labels.json" "$lid" 2>&1 >/dev/null)
t_is "$?:$err" "0:" "... and so are those of an exec --process"
t_is "$(rs features | jq -c '[.linux.selinux.enabled, .linux.apparmor.enabled]')" "[true,true]" \
        "features: SELinux and AppArmor supported"

# A host with AppArmor enabled, as sysfs and securityfs show it to one runscope (runc's and crun's
# check), and the profiles its first argument lists loaded. This kernel has no AppArmor: the
# launcher's write of the profile gets EINVAL, which shows that it was made, and where.
fake_apparmor() {
        unshare -m bash -c 'mount -t tmpfs none /sys/kernel/security && mkdir /sys/kernel/security/apparmor &&
                printf "%b" "$0" >/sys/kernel/security/apparmor/profiles &&
                mount -t tmpfs none /sys/module && mkdir -p /sys/module/apparmor/parameters &&
                echo Y >/sys/module/apparmor/parameters/enabled && exec "$@"' "$@"
}
aa_run() { fake_apparmor "$1" "$RUNSCOPE" --root "$T_ROOT" "${@:2}"; }
# aa_clean LIST DESC WANT ID ARGS...: with LIST loaded, runscope ARGS fails with the one line WANT,
# and leaves neither state nor unit for ID.
aa_clean() {
        local err
        err=$(aa_run "$1" "${@:5}" 2>&1)
        t_is "$?:$err" "1:runscope: $3" "$2"
        t_ok "... and nothing is left" nothing_left "$4" "runscope-$4.scope"
}
bundle_edit "$L" '.process.args = ["/bin/true"]'
id=$(t_id)
aa_clean 'docker-default (enforce)\n' "where AppArmor is enabled, a profile the kernel has not loaded is one error naming it" \
        "config.json: process.apparmorProfile: AppArmor profile 'container-default' is not loaded" "$id" create -b "$L" "$id"
id=$(t_id)
aa_clean 'container-default (enforce)\n' "a loaded one is written for the process's execve, /proc/thread-self/attr/exec here" \
        "process.apparmorProfile 'container-default': /proc/thread-self/attr/exec: Invalid argument" "$id" create -b "$L" "$id"
# CVE-2025-52881: the bundle binds a host file over the attribute file the launcher (pid 1 of the
# container) writes. The write goes through a verified procfs handle, which refuses the mount; a
# plain open would have written "exec container-default" into the host's file.
: >"$T_WORK/host-file"
bundle_edit "$L" --arg f "$T_WORK/host-file" '.mounts += [{destination: "/proc/1/task/1/attr/exec", type: "bind", source: $f,
        options: ["bind"]}]'
id=$(t_id)
aa_clean 'container-default (enforce)\n' "an attribute file covered by the bundle's bind mount is refused" \
        "process.apparmorProfile 'container-default': /proc/thread-self/attr/exec is covered by a mount, not written" \
        "$id" create -b "$L" "$id"
t_is "$(stat -c %s "$T_WORK/host-file")" 0 "... and the host's file stays unwritten"
bundle_edit "$L" 'del(.mounts[-1])'

# exec: --apparmor, an exec --process's apparmorProfile, or else the container's own profile (as
# runc: an exec'd process is not less confined than the container), each checked and written the same.
pids() { rs ps --format json "$lid" | jq -c 'sort'; }
before=$(pids)
aa_exec() {
        local err
        err=$(aa_run "$1" exec "${@:4}" 2>&1)
        t_is "$?:$err" "1:runscope: $3" "$2"
        t_is "$(pids)" "$before" "... and no process is left in the container"
}
aa_exec 'container-default (enforce)\n' "exec --apparmor with a profile not loaded" \
        "--apparmor: AppArmor profile 'other' is not loaded" --apparmor other "$lid" /bin/true
aa_exec 'other (enforce)\n' "exec --apparmor with a loaded one: written for the process's execve" \
        "process.apparmorProfile 'other': /proc/thread-self/attr/exec: Invalid argument" --apparmor other "$lid" /bin/true
jq '.process | .args = ["/bin/true"] | .apparmorProfile = "other"' "$L/config.json" >"$T_WORK/other.json"
aa_exec 'container-default (enforce)\n' "exec --process with an apparmorProfile not loaded" \
        "--process: apparmorProfile: AppArmor profile 'other' is not loaded" --process "$T_WORK/other.json" "$lid"
jq '.process | .args = ["/bin/true"] | del(.apparmorProfile)' "$L/config.json" >"$T_WORK/none.json"
aa_exec 'other (enforce)\n' "exec --process without one: the container's profile, checked" \
        "config.json: process.apparmorProfile: AppArmor profile 'container-default' is not loaded" --process "$T_WORK/none.json" "$lid"
aa_exec 'other (enforce)\n' "exec with no flag: the container's profile" \
        "config.json: process.apparmorProfile: AppArmor profile 'container-default' is not loaded" "$lid" /bin/true
rs delete --force "$lid"

# The caller's CPU affinity does not reach the container (runc 1.3.1 and crun reset it): run and exec
# under taskset see every CPU the host gives this shell.
all=$(sed -n 's/^Cpus_allowed_list:\t//p' /proc/self/status)
bundle_edit "$B" 'del(.process.execCPUAffinity) | .process.args = ["/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status; sleep 3134"]'
id=$(t_id)
taskset -c 0 "$RUNSCOPE" --root "$T_ROOT" run -d -b "$B" "$id" >/dev/null
t_is "$(sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$(rs state "$id" | jq -r .pid)/status")" "$all" \
        "taskset -c 0 around run: the container's process has every CPU ($all)"
t_is "$(taskset -c 0 "$RUNSCOPE" --root "$T_ROOT" exec "$id" grep Cpus_allowed_list /proc/self/status | cut -f2)" "$all" \
        "... and so does a process exec'd under taskset -c 0"
# execCPUAffinity.initial alone: runscope sets it on the launcher before systemd moves that into the
# unit, and the process keeps it; exec --process the same.
rs delete --force "$id"
bundle_edit "$B" '.process.execCPUAffinity = {initial: "1"}'
id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null
t_is "$(sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$(rs state "$id" | jq -r .pid)/status")" 1 \
        "process.execCPUAffinity.initial 1 without final: the container's process runs on CPU 1"
jq '.process | .args = ["/bin/grep", "Cpus_allowed_list", "/proc/self/status"] | .execCPUAffinity = {initial: "1"}' \
        "$B/config.json" >"$T_WORK/affinity.json"
t_is "$(rs exec --process "$T_WORK/affinity.json" "$id" | cut -f2)" 1 "... and so does exec --process with it"
# exec --process takes process.scheduler and process.ioPriority too (runtime-spec 1.3).
jq '.process | .args = ["/bin/sh", "-c", "probe sched; probe ioprio"] | .scheduler = {policy: "SCHED_IDLE"}
        | .ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}' "$B/config.json" >"$T_WORK/sched.json"
t_is "$(rs exec --process "$T_WORK/sched.json" "$id" | tr '\n' ' ')" "policy=5 nice=0 class=2 prio=6 " \
        "exec --process with process.scheduler SCHED_IDLE and ioPriority IOPRIO_CLASS_BE 6"
rs delete --force "$id"
bundle_edit "$B" 'del(.process.execCPUAffinity)'

# linux.memoryPolicy: set_mempolicy for the container's process, seen in its numa_maps.
for m in "MPOL_BIND|0|bind:0" "MPOL_INTERLEAVE|0|interleave:0" "MPOL_PREFERRED_MANY|0|prefer [(]many[)]:0" \
         "MPOL_WEIGHTED_INTERLEAVE|0|weighted interleave:0" "MPOL_LOCAL||local" "MPOL_BIND|0|bind=static:0|MPOL_F_STATIC_NODES"; do
        IFS='|' read -r mode nodes want flag <<<"$m"
        bundle_edit "$B" --arg m "$mode" --arg n "$nodes" --arg f "$flag" '.process.args = ["/bin/head", "-n1", "/proc/self/numa_maps"]
                | .linux.memoryPolicy = {mode: $m, nodes: $n, flags: (if $f == "" then [] else [$f] end)}'
        out=$(rs run -b "$B" "$(t_id)" 2>&1)
        t_match "$out" "^[0-9a-f]+ $want " "linux.memoryPolicy $mode ${flag:+$flag }nodes '$nodes': $want"
done
bundle_edit "$B" 'del(.linux.memoryPolicy)'

# process.scheduler.flags: SCHED_FLAG_RESET_ON_FORK is set (the kernel reports it with
# SCHED_RESET_ON_FORK, 0x40000000).
bundle_edit "$B" '.process.scheduler = {policy: "SCHED_BATCH", nice: 5, flags: ["SCHED_FLAG_RESET_ON_FORK"]}
        | .process.args = ["/bin/probe", "sched"]'
t_is "$(rs run -b "$B" "$(t_id)" 2>&1)" "policy=1073741827 nice=5" "process.scheduler.flags SCHED_FLAG_RESET_ON_FORK: the process has it"
bundle_edit "$B" 'del(.process.scheduler)'

# Each refused in one line naming its JSON path, leaving nothing (the config is put back after each).
for case in 'linux.memoryPolicy.mode|.linux.memoryPolicy = {"mode":"MPOL_FAST","nodes":"0"}|unknown mode MPOL_FAST' \
            'linux.memoryPolicy.nodes|.linux.memoryPolicy = {"mode":"MPOL_BIND"}|required with mode MPOL_BIND' \
            'linux.memoryPolicy.nodes|.linux.memoryPolicy = {"mode":"MPOL_LOCAL","nodes":"0"}|must be empty with mode MPOL_LOCAL' \
            'linux.memoryPolicy.nodes|.linux.memoryPolicy = {"mode":"MPOL_BIND","nodes":"0-"}|is not a node list' \
            'linux.memoryPolicy.flags|.linux.memoryPolicy = {"mode":"MPOL_BIND","nodes":"0","flags":["MPOL_F_FAST"]}|unknown flag MPOL_F_FAST' \
            'linux.memoryPolicy|.linux.memoryPolicy = {"mode":"MPOL_BIND","nodes":"1000"}|Invalid argument' \
            'process.scheduler.policy|.process.scheduler = {"policy":"SCHED_FAST"}|unknown scheduling policy SCHED_FAST' \
            'process.ioPriority.class|.process.ioPriority = {"class":"IOPRIO_CLASS_FAST","priority":1}|expected IOPRIO_CLASS_RT' \
            'process.scheduler.flags|.process.scheduler = {"policy":"SCHED_BATCH","flags":["SCHED_FLAG_FAST"]}|unknown flag SCHED_FLAG_FAST' \
            'process.execCPUAffinity.initial|.process.execCPUAffinity = {"initial":"0-"}|is not a CPU list'; do
        IFS='|' read -r path filter msg <<<"$case"
        expect_refused "$B" "$path" "$path: .*$msg|$path: $msg" "$filter"
done
t_done
