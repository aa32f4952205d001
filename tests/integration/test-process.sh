#!/bin/bash
# The rest of process and linux: domainname, personality, ioPriority, scheduler, execCPUAffinity,
# oomScoreAdj, umask, rlimits, additionalGids; unknown capabilities.
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

for case in 'process.scheduler.policy|{"scheduler":{"policy":"SCHED_FAST"}}|unknown scheduling policy SCHED_FAST' \
            'process.ioPriority.class|{"ioPriority":{"class":"IOPRIO_CLASS_FAST","priority":1}}|expected IOPRIO_CLASS_RT' \
            'process.execCPUAffinity.initial|{"execCPUAffinity":{"initial":"0-"}}|is not a CPU list'; do
        IFS='|' read -r path json msg <<<"$case"
        id=$(t_id)
        bundle_edit "$B" --argjson p "$json" '.process += $p'
        expect_clean 1 "$path" "$path: .*$msg|$path: $msg" "$id" create -b "$B" "$id"
        bundle_edit "$B" 'del(.process.scheduler) | del(.process.ioPriority) | del(.process.execCPUAffinity)'
done
t_done
