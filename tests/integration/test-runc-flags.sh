#!/bin/bash
# runc's create/run flags that clients pass: --preserve-fds, LISTEN_FDS, --no-pivot,
# --no-new-keyring, --keep; and `features`.
. "$(dirname "$0")/../lib/common.sh"

B=$T_WORK/bundle
make_bundle "$B" /bin/probe fds
t_is "$(rs run --preserve-fds 2 -b "$B" "$(t_id)" 3</dev/null 4</dev/null 5</dev/null | tr '\n' ' ')" "0 1 2 3 4 " \
        "run --preserve-fds 2 passes fds 3 and 4, not 5"
id=$(t_id)
rs create --preserve-fds 1 -b "$B" "$id" 3<"$B/config.json" >"$T_WORK/create.out"
rs start "$id"
wait_until status_is "$id" stopped
t_is "$(tr '\n' ' ' <"$T_WORK/create.out")" "0 1 2 3 " "create --preserve-fds 1 keeps fd 3 until start"
rs delete "$id"

bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; ls /proc/self/fd | wc -l"]'
t_is "$(LISTEN_FDS=1 rs run -b "$B" "$(t_id)" 3</dev/null | tr '\n' ' ')" "1 1 5 " \
        "LISTEN_FDS passes through: the fd, LISTEN_FDS and LISTEN_PID=1"

bundle_edit "$B" '.process.args = ["/bin/probe", "keyring"]'
# One session keyring for this shell's children: the host side and runscope inherit it.
P=$RUNSCOPE_TOP/tests/probe
ids=$("$P" session "rs-$$" /bin/sh -c "'$P' keyring; '$RUNSCOPE' --root '$T_ROOT' run -b '$B' '$(t_id)';
        '$RUNSCOPE' --root '$T_ROOT' run --no-new-keyring -b '$B' '$(t_id)'" | tr '\n' ' ')
read -r host own kept <<<"$ids"
t_ok "each container gets a session keyring of its own ($own, not $host)" test -n "$own" -a "$own" != "$host"
t_is "$kept" "$host" "--no-new-keyring keeps the caller's"

bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "ls /; cat /proc/self/mountinfo | grep -c \" / / \""]'
out=$(rs run --no-pivot -b "$B" "$(t_id)" 2>&1)
t_match "$out" "bin" "--no-pivot runs the container in its rootfs (MS_MOVE and chroot)"

id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/true"]'
rs run --keep -b "$B" "$id"
t_is "$(rs state "$id" | jq -r .status)" stopped "run --keep leaves the stopped container"
rs delete "$id"
t_ok "... until delete" nothing_left "$id" "runscope-$id.scope"

f=$(rs features)
t_is "$(jq -r .ociVersionMax <<<"$f")" 1.3.0 "features prints OCI features JSON, of runtime-spec 1.3.0"
t_is "$(jq -r '.linux.seccomp.enabled' <<<"$f")" true "... with seccomp"
t_match "$(jq -r '.linux.capabilities | join(" ")' <<<"$f")" "CAP_SYS_ADMIN" "... and the capabilities it knows"
# What features lists, runscope does: each namespace, mount option and seccomp action is used once.
B2=$T_WORK/features
make_bundle "$B2" /bin/true
bundle_edit "$B2" '.linux.uidMappings = [{containerID: 0, hostID: 0, size: 65536}] | .linux.gidMappings = .linux.uidMappings'
cp "$B2/config.json" "$T_WORK/features.json"
refused=""
use() {
        cp "$T_WORK/features.json" "$B2/config.json"
        bundle_edit "$B2" --arg v "$2" "$3" || return 1
        rs run -b "$B2" "$(t_id)" >/dev/null 2>"$T_WORK/err" || refused+=" $1 $2 ($(cat "$T_WORK/err"))"
}
for ns in $(jq -r '.linux.namespaces[]' <<<"$f"); do
        use namespace "$ns" '.linux.namespaces |= (map(select(.type != $v)) + [{type: $v}])
                | if $v == "user" then . else del(.linux.uidMappings, .linux.gidMappings) end'
done
for o in $(jq -r '.mountOptions[]' <<<"$f"); do
        use "mount option" "$o" 'if ($v | test("idmap")) then .mounts += [{destination: "/mnt", type: "bind", source: "/tmp",
                        options: ["rbind", $v], uidMappings: [{containerID: 0, hostID: 1000, size: 1}], gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]
                elif ($v | test("bind")) then .mounts += [{destination: "/mnt", type: "bind", source: "/tmp", options: [$v]}]
                else .mounts += [{destination: "/mnt", type: "tmpfs", source: "tmpfs", options: [$v]}] end
                | del(.linux.uidMappings, .linux.gidMappings)'
done
for m in $(jq -r '.linux.memoryPolicy.modes[]' <<<"$f"); do
        use "memory policy mode" "$m" '.linux.memoryPolicy = {mode: $v, nodes: (if ($v == "MPOL_DEFAULT" or $v == "MPOL_LOCAL") then "" else "0" end)}
                | del(.linux.uidMappings, .linux.gidMappings)'
done
for fl in $(jq -r '.linux.memoryPolicy.flags[]' <<<"$f"); do
        use "memory policy flag" "$fl" '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0", flags: [$v]} | del(.linux.uidMappings, .linux.gidMappings)'
done
# SCMP_ACT_NOTIFY needs an agent to send the listener to.
"$RUNSCOPE_TOP/tests/seccomp-agent" "$T_WORK/agent.sock" 1 >/dev/null 2>&1 &
agent=$!
wait_until listening "$T_WORK/agent.sock"
for a in $(jq -r '.linux.seccomp.actions[]' <<<"$f"); do
        use "seccomp action" "$a" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["acct"], action: $v}]}
                | if $v == "SCMP_ACT_NOTIFY" then .linux.seccomp.listenerPath = "'"$T_WORK/agent.sock"'" else . end
                | del(.linux.uidMappings, .linux.gidMappings)'
done
kill "$agent"
t_is "${refused:-none}" none "every namespace, mount option, memory policy mode and flag and seccomp action features lists is accepted and used"
t_is "$(jq -c '[.linux.intelRdt.enabled, .linux.netDevices.enabled, .linux.mountExtensions.idmap.enabled]' <<<"$f")" "[false,true,true]" \
        "features: no intelRdt (refused), netDevices, idmapped mounts"
cp "$T_WORK/features.json" "$B2/config.json"
expect_refused "$B2" "linux.intelRdt, which features says is not enabled" "^runscope: config.json: linux.intelRdt: Intel RDT is not supported" \
        '.linux.intelRdt = {closID: "x"} | del(.linux.uidMappings, .linux.gidMappings)'
t_is "$(jq -c .potentiallyUnsafeConfigAnnotations <<<"$f")" '["org.systemd.property.","org.runscope."]' \
        "features: the annotation prefixes that change what runscope does"
t_match "$(rs --version)" "runscope version [0-9.]+
spec: 1.3.0
libseccomp: [0-9.]+" "--version in runc's layout"
t_done
