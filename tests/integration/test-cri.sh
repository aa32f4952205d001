#!/bin/bash
# Kubernetes' path to runscope: containerd 1.6's CRI plugin with a runtime handler "runscope" (runc v2
# shim, BinaryName = this checkout's runscope, SystemdCgroup = true), driven the way kubelet drives it
# through the CRI runtime service (tests/cri/cri-client.py speaks tests/cri/api.proto), on images built
# offline: a pod on the host's network with a container with limits and a locked-down one, and a pod
# with a network namespace of its own (CNI bridge). Checks that each pod is a slice and each container,
# the pause included, a scope of it with the limits the request set, and that nothing is left.
. "$(dirname "$0")/../lib/common.sh"

PY=/usr/bin/python3
CNI_BIN=/usr/lib/cni
for tool in containerd ctr containerd-shim-runc-v2 "$PY" "$CNI_BIN/bridge" "$CNI_BIN/host-local" "$CNI_BIN/loopback"; do
        if ! command -v "$tool" >/dev/null; then
                t_skip "CRI" "$tool is not installed (tests/setup.sh installs it)"
                t_done
                exit 0
        fi
done
if ! "$PY" -c 'import grpc, google.protobuf, grpc_tools.protoc' 2>/dev/null; then
        t_skip "CRI" "python3-grpcio, python3-protobuf or python3-grpc-tools is missing (tests/setup.sh installs them)"
        t_done
        exit 0
fi

CD=$T_WORK/containerd
NS=k8s.io                        # the CRI plugin's containerd namespace
RT_ROOT=/run/containerd/runc/$NS # the shim's --root for it
IMG=docker.io/library/runscope-busybox:test
PAUSE=docker.io/library/runscope-pause:test
GEN=$T_WORK/cri-py
CTD_PID="" POD="" CID="" CID2="" POD_SLICE="" NPOD="" NCID="" NPOD_SLICE=""
# kubelet's parent slices, to be stopped at the end only where this test made them.
NEW_SLICES=""
for slice in kubepods-burstable.slice kubepods-besteffort.slice kubepods.slice; do
        [ "$(systemctl show -P ActiveState "$slice")" = active ] || NEW_SLICES="$NEW_SLICES $slice"
done

# Every wait is T_SLOW times longer where processes are slow (the VM tier's guest).
WAIT=$((60 * T_SLOW))
EXEC_TIMEOUT=$((30 * T_SLOW))

c() { timeout "$WAIT" ctr --address "$CD/c.sock" --namespace "$NS" "$@"; }

# cri Service.Method [JSON]: the response as JSON; the error line on stderr and status 1.
cri() {
        local request=${2:-'{}'}
        "$PY" "$RUNSCOPE_TOP/tests/cri/cri-client.py" "$GEN" "$CD/c.sock" "$1" "$WAIT" <<<"$request"
}

# slice_gone SLICE: systemd no longer has the slice loaded (unit_gone cannot tell: any slice name
# loads), and no cgroup hierarchy has a directory of that name.
slice_gone() {
        local i
        for i in $(seq 1 $((50 * T_SLOW))); do
                [ -z "$(systemctl list-units --all --no-legend "$1")" ] && break
                sleep 0.1
        done
        systemctl list-units --all --no-legend "$1" | sed 's/^/#   /' | grep . && return 1
        ! find /sys/fs/cgroup -maxdepth 5 -type d -name "$1" | sed 's/^/#   left: /' | grep .
}

# left_nothing ID UNIT: nothing_left under the shim's --root.
left_nothing() { T_ROOT=$RT_ROOT nothing_left "$@"; }

ctd_stop() {
        local i
        [ -n "$CTD_PID" ] || return 0
        kill "$CTD_PID" 2>/dev/null
        for i in $(seq 1 100); do kill -0 "$CTD_PID" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$CTD_PID" 2>/dev/null
        wait "$CTD_PID" 2>/dev/null
        CTD_PID=""
}

cri_cleanup() {
        local id m
        if [ -n "$CTD_PID" ]; then
                for id in $(cri RuntimeService.ListPodSandbox 2>/dev/null | jq -r '.items[].id'); do
                        cri RuntimeService.StopPodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null 2>&1
                        cri RuntimeService.RemovePodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null 2>&1
                done
                ctd_stop
        fi
        # What a test that failed half-way left: the runtime's state of our containers (the shim's
        # root may be shared with a containerd of the host), the shims' mounts, the slices.
        for id in $POD $CID $CID2 $NPOD $NCID; do
                [ -d "$RT_ROOT/$id" ] && "$RUNSCOPE" --root "$RT_ROOT" delete --force "$id" >/dev/null 2>&1
        done
        findmnt -rn -o TARGET | grep "^$CD/" | sort -r | while read -r m; do umount -l "$m"; done
        for m in $POD_SLICE $NPOD_SLICE $NEW_SLICES; do systemctl stop "$m" 2>/dev/null; done
        t_cleanup
}
trap cri_cleanup EXIT

# The sandbox container's oomScoreAdj is -998, and lowering oom_score_adj takes CAP_SYS_RESOURCE: where
# the machine's bounding set lacks it (runc, crun and runscope all fail with EACCES there), the CRI
# plugin's restrict_oom_score_adj keeps the request at containerd's own score, as on a rootless node.
RESTRICT_OOM=false
((0x$(awk '/^CapBnd:/ {print $2}' /proc/self/status) >> 24 & 1)) || RESTRICT_OOM=true

# Where AppArmor is on, containerd's CRI puts its profile cri-containerd.apparmor.d in every
# container's config.json. Until runscope applies profiles (`runscope features` says whether it
# does), it refuses such a config, and the test runs the CRI with disable_apparmor, and says so.
AA_HOST=false AA_RUNSCOPE=false
[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && AA_HOST=true
[ "$("$RUNSCOPE" features | jq -r .linux.apparmor.enabled)" = true ] && AA_RUNSCOPE=true
DISABLE_AA=false
if $AA_HOST && ! $AA_RUNSCOPE; then
        DISABLE_AA=true
        t_skip "containers under containerd's AppArmor profile" \
                "AppArmor is on here and runscope cannot apply profiles yet (issue 18): the CRI runs with disable_apparmor"
fi

# A pod network for the CRI plugin: Debian's CNI bridge, addresses from TEST-NET-1 (RFC 5737), no
# masquerade. containerd runs in a network namespace of its own, so the bridge, its address and the
# pods' veth peers are made there, never on the machine; no packet is sent.
mkdir -p "$CD/cni/conf"
cat >"$CD/cni/conf/10-runscope-test.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "runscope-test",
 "plugins": [{"type": "bridge", "bridge": "rstest0", "isGateway": true, "ipMasq": false,
              "ipam": {"type": "host-local", "ranges": [[{"subnet": "192.0.2.0/24"}]],
                       "dataDir": "$CD/cni/ipam"}}]}
EOF

# ctd_start SNAPSHOTTER: containerd of our own with the CRI plugin; its root, state, socket, config
# and pods' network namespaces in the test's directory. Returns 1 when it does not answer.
ctd_start() {
        local i
        cat >"$CD/config.toml" <<EOF
version = 2
[plugins."io.containerd.internal.v1.opt"]
  path = "$CD/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  restrict_oom_score_adj = $RESTRICT_OOM
  netns_mounts_under_state_dir = true
  disable_apparmor = $DISABLE_AA
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "$1"
    default_runtime_name = "runscope"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runscope]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runscope.options]
        BinaryName = "$RUNSCOPE"
        SystemdCgroup = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$CD/cni/conf"
EOF
        unshare --net containerd --root "$CD/root" --state "$CD/state" --address "$CD/c.sock" --config "$CD/config.toml" \
                >>"$CD/log" 2>&1 </dev/null &
        CTD_PID=$!
        for i in $(seq 1 $((200 * T_SLOW))); do
                [ -S "$CD/c.sock" ] && cri RuntimeService.Version >/dev/null 2>&1 && return 0
                kill -0 "$CTD_PID" 2>/dev/null || break
                sleep 0.05
        done
        return 1
}

mkdir -p "$GEN"
"$PY" -m grpc_tools.protoc -I "$RUNSCOPE_TOP/tests/cri" --python_out="$GEN" --grpc_python_out="$GEN" api.proto
t_is "$?" 0 "CRI stubs generated from tests/cri/api.proto (grpc_tools.protoc)"

# overlayfs where the kernel allows it on the test's /tmp, else the native snapshotter.
SNAP=overlayfs
if ! ctd_start "$SNAP"; then
        tail -5 "$CD/log" | sed 's/^/#   /'
        t_skip "CRI" "containerd with its CRI plugin did not start here"
        t_done
        exit 0
fi
if [ "$(c plugins ls | awk '$1 == "io.containerd.snapshotter.v1" && $2 == "overlayfs" {print $4}')" != ok ]; then
        SNAP=native
        ctd_stop
        ctd_start "$SNAP"
fi
version=$(cri RuntimeService.Version '{"version": "v1"}')
t_is "$(jq -r '.runtime_name + " " + .runtime_api_version' <<<"$version")" "containerd v1" \
        "containerd's CRI plugin answers runtime.v1 Version (snapshotter $SNAP)"

t_is "$(cri RuntimeService.Status | jq -r '.status.conditions[] | select(.type | test("^(Runtime|Network)Ready$")) |
        .type + "=" + (.status | tostring)' | sort | tr '\n' ' ')" "NetworkReady=true RuntimeReady=true " "the CRI plugin's runtime and its network (the CNI bridge) are ready"

# The images, built offline, where the CRI plugin looks for them: containerd's namespace k8s.io.
make_oci_image "$T_WORK/image" "$IMG" >/dev/null
make_oci_image "$T_WORK/pause" "$PAUSE" '["/bin/sleep", "inf"]' >/dev/null
c image import --snapshotter "$SNAP" "$T_WORK/image/image.tar" >/dev/null &&
        c image import --snapshotter "$SNAP" "$T_WORK/pause/image.tar" >/dev/null
t_is "$?" 0 "ctr -n k8s.io image import of the two images"
t_is "$(cri ImageService.ImageStatus "{\"image\": {\"image\": \"$PAUSE\"}}" | jq -r '.image.repo_tags[0]')" "$PAUSE" \
        "the CRI plugin sees the sandbox image"

# pod_config NAME UID SLICE NETWORK: a PodSandboxConfig as kubelet with the systemd cgroup driver makes
# it: the parent cgroup is the pod's slice, NETWORK is NODE (the host's) or POD (a namespace of its own).
pod_config() {
        jq -nc --arg name "$1" --arg uid "$2" --arg slice "$3" --arg net "$4" --arg logs "$T_WORK/logs" '{
                metadata: {name: $name, uid: $uid, namespace: "default", attempt: 0},
                log_directory: $logs,
                labels: {app: $name},
                linux: {cgroup_parent: $slice,
                        security_context: {namespace_options: {network: $net, pid: "CONTAINER", ipc: "POD"}}}}'
}

# A Burstable pod on the host's network. kubelet writes the pod uid's dashes as underscores.
UID_POD=$(cat /proc/sys/kernel/random/uuid)
POD_SLICE=kubepods-burstable-pod${UID_POD//-/_}.slice
mkdir -p "$T_WORK/logs"
POD_CONFIG=$(pod_config web "$UID_POD" "$POD_SLICE" NODE)
out=$(cri RuntimeService.RunPodSandbox "$(jq -nc --argjson c "$POD_CONFIG" '{config: $c, runtime_handler: "runscope"}')")
t_is "$?" 0 "RunPodSandbox with the runtime handler runscope"
POD=$(jq -r .pod_sandbox_id <<<"$out")
t_is "$(cri RuntimeService.PodSandboxStatus "{\"pod_sandbox_id\": \"$POD\"}" |
        jq -r '.status.state + " " + .status.runtime_handler')" "SANDBOX_READY runscope" "... the sandbox is ready"

# The sandbox (pause) container is a runscope container named by the CRI's cgroupsPath
# "SLICE:cri-containerd:ID": the unit cri-containerd-ID.scope in the pod's slice.
state=$("$RUNSCOPE" --root "$RT_ROOT" state "$POD")
t_is "$(jq -r .status <<<"$state")" running "runscope state of the sandbox container: running"
t_is "$(jq -r .unit <<<"$state")" "cri-containerd-$POD.scope" "... its unit is cri-containerd-ID.scope"
t_is "$(systemctl show -P Slice "cri-containerd-$POD.scope")" "$POD_SLICE" "... in the pod's slice"
t_is "$(systemctl show -P ControlGroup "cri-containerd-$POD.scope")" \
        "/kubepods.slice/kubepods-burstable.slice/$POD_SLICE/cri-containerd-$POD.scope" \
        "... whose cgroup is under kubepods.slice/kubepods-burstable.slice"
t_is "$(systemctl show -P ActiveState "$POD_SLICE")" active "the pod's slice is active"

# A container with limits, as kubelet asks for one with resources.limits memory: 64Mi, cpu: 500m and
# requests cpu: 500m (shares 512). Its shell ends on SIGTERM, as a well-behaved workload does.
MEM=$((64 * 1024 * 1024))
CTR_CONFIG=$(jq -nc --arg img "$IMG" --argjson mem "$MEM" '{
        metadata: {name: "app", attempt: 0},
        image: {image: $img},
        command: ["/bin/sh", "-c", "trap \"echo got-TERM; exit 0\" TERM; echo app-started; while :; do sleep 0.1; done"],
        log_path: "app_0.log",
        linux: {resources: {cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512, memory_limit_in_bytes: $mem}}}')
out=$(cri RuntimeService.CreateContainer "$(jq -nc --arg pod "$POD" --argjson c "$CTR_CONFIG" --argjson s "$POD_CONFIG" \
        '{pod_sandbox_id: $pod, config: $c, sandbox_config: $s}')")
t_is "$?" 0 "CreateContainer with memory and cpu limits"
CID=$(jq -r .container_id <<<"$out")
cri RuntimeService.StartContainer "{\"container_id\": \"$CID\"}" >/dev/null
t_is "$?" 0 "StartContainer"
status=$(cri RuntimeService.ContainerStatus "{\"container_id\": \"$CID\", \"verbose\": true}")
t_is "$(jq -r .status.state <<<"$status")" CONTAINER_RUNNING "... ContainerStatus: running"
pid=$(jq -r '.info.info | fromjson | .pid' <<<"$status")
t_is "$(pgrep -c -f -- "containerd-shim-runc-v2 .*-address $CD/c.sock")" 1 "one shim serves the pod"

UNIT=cri-containerd-$CID.scope
t_is "$(jq -r .unit <<<"$("$RUNSCOPE" --root "$RT_ROOT" state "$CID")")" "$UNIT" "the container's unit is cri-containerd-ID.scope"
t_is "$(systemctl show -P ActiveState "$UNIT")" active "... which is active"
t_is "$(systemctl show -P Slice "$UNIT")" "$POD_SLICE" "... a scope of the pod's slice"
CG=$(systemctl show -P ControlGroup "$UNIT")
t_match "$(cat "/proc/$pid/cgroup")" "(::|name=systemd:)$CG\$" "the container's process is in the scope's cgroup"
t_is "$(systemctl show -P MemoryMax "$UNIT")" "$MEM" "MemoryMax is the request's memory_limit_in_bytes"
t_is "$(systemctl show -P CPUQuotaPerSecUSec "$UNIT")" 500ms "CPUQuotaPerSecUSec: cpu_quota 50000 of cpu_period 100000"
t_is "$(systemctl show -P CPUQuotaPeriodUSec "$UNIT")" 100ms "CPUQuotaPeriodUSec: cpu_period 100000"
# On a hybrid host systemd writes these to the v1 controllers, and cpu.shares goes as CPUShares (as
# runc and crun send it there); where the host is unified, as CPUWeight on their curve, to cgroup2.
V1=false
[ -f "/sys/fs/cgroup/memory$CG/memory.limit_in_bytes" ] && V1=true
if $V1; then
        t_is "$(systemctl show -P CPUShares "$UNIT")" 512 "CPUShares is the request's cpu_shares"
        t_is "$(cat "/sys/fs/cgroup/memory$CG/memory.limit_in_bytes")" "$MEM" "memory.limit_in_bytes of the scope"
        t_is "$(cat "/sys/fs/cgroup/cpu$CG/cpu.cfs_quota_us") $(cat "/sys/fs/cgroup/cpu$CG/cpu.cfs_period_us")" \
                "50000 100000" "cpu.cfs_quota_us and cpu.cfs_period_us of the scope"
        t_is "$(cat "/sys/fs/cgroup/cpu$CG/cpu.shares")" 512 "cpu.shares of the scope"
else
        t_is "$(systemctl show -P CPUWeight "$UNIT")" 59 "CPUWeight: cpu_shares 512 on runc's and crun's curve"
        t_is "$(cat "/sys/fs/cgroup$CG/memory.max")" "$MEM" "memory.max of the scope"
        t_is "$(cat "/sys/fs/cgroup$CG/cpu.max")" "50000 100000" "cpu.max of the scope"
        t_is "$(cat "/sys/fs/cgroup$CG/cpu.weight")" 59 "cpu.weight of the scope"
fi

out=$(cri RuntimeService.ExecSync "{\"container_id\": \"$CID\", \"cmd\": [\"/bin/sh\", \"-c\", \"echo out; echo err >&2; exit 3\"], \"timeout\": $EXEC_TIMEOUT}")
t_is "$(jq -r '(.stdout | @base64d) + (.stderr | @base64d) + (.exit_code | tostring)' <<<"$out")" \
        $'out\nerr\n3' "ExecSync: stdout, stderr and exit code"
# On cgroup v2 the CRI gives the container a cgroup namespace: the scope is its root there.
out=$(cri RuntimeService.ExecSync "{\"container_id\": \"$CID\", \"cmd\": [\"/bin/cat\", \"/proc/self/cgroup\", \"/sys/fs/cgroup/memory.max\"], \"timeout\": $EXEC_TIMEOUT}")
if $V1; then
        t_match "$(jq -r '.stdout | @base64d' <<<"$out")" "(::|name=systemd:)$CG"$'\n' "ExecSync: the exec'd process is in the scope"
else
        t_is "$(jq -r '.stdout | @base64d' <<<"$out")" "0::/
$MEM" "ExecSync: the exec'd process is at the root of its cgroup namespace, the scope (memory.max)"
fi
if $AA_HOST && ! $DISABLE_AA; then
        out=$(cri RuntimeService.ExecSync "{\"container_id\": \"$CID\", \"cmd\": [\"/bin/cat\", \"/proc/self/attr/current\"], \"timeout\": $EXEC_TIMEOUT}")
        t_is "$(jq -r '.stdout | @base64d' <<<"$out")" "cri-containerd.apparmor.d (enforce)" \
                "ExecSync: the exec'd process is confined by containerd's AppArmor profile"
fi
out=$(cri RuntimeService.ExecSync "{\"container_id\": \"$CID\", \"cmd\": [\"/bin/cat\", \"/proc/1/cmdline\"], \"timeout\": $EXEC_TIMEOUT}")
t_is "$(jq -r '.stdout | @base64d' <<<"$out" | tr '\0' ' ')" "/bin/sleep inf " \
        "the container joined the pod's pid namespace (PID 1 is the sandbox's pause)"
# Stats come from the scope's cgroup, which the shim finds through the init's /proc/PID/cgroup.
stats=$(cri RuntimeService.ContainerStats "{\"container_id\": \"$CID\"}")
t_is "$(jq -r .stats.attributes.id <<<"$stats")" "$CID" "ContainerStats of the container"
t_ok "... its CPU time is counted" test "$(jq -r '.stats.cpu.usage_core_nano_seconds.value' <<<"$stats")" -gt 0
t_ok "... and its memory" test "$(jq -r '.stats.memory.working_set_bytes.value' <<<"$stats")" -gt 0
t_is "$(jq -r '(.stats.memory.working_set_bytes.value | tonumber) + (.stats.memory.available_bytes.value | tonumber)' <<<"$stats")" \
        "$MEM" "... from the scope's cgroup: the working set plus what is available is the memory limit"

# UpdateContainerResources: what kubelet sends on an in-place resize, `runscope update` below it.
cri RuntimeService.UpdateContainerResources "{\"container_id\": \"$CID\", \"linux\": {\"cpu_period\": 100000, \"cpu_quota\": 20000, \"cpu_shares\": 512, \"memory_limit_in_bytes\": $((2 * MEM))}}" >/dev/null
t_is "$?" 0 "UpdateContainerResources"
t_is "$(systemctl show -P MemoryMax "$UNIT") $(systemctl show -P CPUQuotaPerSecUSec "$UNIT")" "$((2 * MEM)) 200ms" \
        "... MemoryMax and CPUQuotaPerSecUSec of the scope follow"

# A second container as kubelet sends a locked-down BestEffort one: a pid namespace of its own, a user,
# a read-only root, no new privileges, no capability, a read-only volume, an env, cpu shares 2 and
# oom_score_adj 1000. It ignores SIGTERM (PID 1 without a handler): StopContainer with no grace
# period kills it.
mkdir -p "$T_WORK/volume"
echo volume-data >"$T_WORK/volume/file"
CTR2_CONFIG=$(jq -nc --arg img "$IMG" --arg vol "$T_WORK/volume" '{
        metadata: {name: "locked", attempt: 0},
        image: {image: $img},
        command: ["/bin/sleep", "100000"],
        envs: [{key: "GREETING", value: "hello"}],
        mounts: [{container_path: "/data", host_path: $vol, readonly: true}],
        log_path: "locked_0.log",
        linux: {resources: {cpu_shares: 2, oom_score_adj: 1000},
                security_context: {namespace_options: {network: "NODE", pid: "CONTAINER", ipc: "POD"},
                                   run_as_user: {value: 65534}, run_as_group: {value: 65534},
                                   readonly_rootfs: true, no_new_privs: true,
                                   capabilities: {drop_capabilities: ["ALL"]}}}}')
out=$(cri RuntimeService.CreateContainer "$(jq -nc --arg pod "$POD" --argjson c "$CTR2_CONFIG" --argjson s "$POD_CONFIG" \
        '{pod_sandbox_id: $pod, config: $c, sandbox_config: $s}')")
t_is "$?" 0 "CreateContainer of a locked-down BestEffort container in the same pod"
CID2=$(jq -r .container_id <<<"$out")
cri RuntimeService.StartContainer "{\"container_id\": \"$CID2\"}" >/dev/null
t_is "$?" 0 "... StartContainer"
UNIT2=cri-containerd-$CID2.scope
t_is "$(systemctl show -P Slice "$UNIT2") $(systemctl show -P MemoryMax "$UNIT2")" "$POD_SLICE infinity" \
        "... another scope of the pod's slice, with no memory limit"
if $V1; then
        t_is "$(systemctl show -P CPUShares "$UNIT2")" 2 "... CPUShares 2"
else
        t_is "$(systemctl show -P CPUWeight "$UNIT2")" 1 "... CPUWeight 1 (cpu_shares 2)"
fi
check='id -u; id -g; cat /proc/self/oom_score_adj; echo "$GREETING"; cat /data/file; cat /proc/1/cmdline; echo
grep -E "^(NoNewPrivs|CapEff|CapBnd):" /proc/self/status; touch /rootfs-write 2>&1 || echo refused; touch /data/x 2>&1 || echo refused'
out=$(cri RuntimeService.ExecSync "$(jq -nc --arg id "$CID2" --arg c "$check" --argjson t "$EXEC_TIMEOUT" '{container_id: $id, cmd: ["/bin/sh", "-c", $c], timeout: $t}')")
t_is "$(jq -r '.stdout | @base64d' <<<"$out" | tr '\0' ' ' | sed 's/touch: .*/touch-error/')" "65534
65534
1000
hello
volume-data
/bin/sleep 100000 
CapEff:	0000000000000000
CapBnd:	0000000000000000
NoNewPrivs:	1
touch-error
refused
touch-error
refused" "ExecSync in it: user, oom_score_adj, env, volume, own pid namespace, no new privileges, no capability, read-only root and volume"
cri RuntimeService.StopContainer "{\"container_id\": \"$CID2\", \"timeout\": 0}" >/dev/null
t_is "$(cri RuntimeService.ContainerStatus "{\"container_id\": \"$CID2\"}" | jq -r '.status.state + " " + (.status.exit_code | tostring)')" \
        "CONTAINER_EXITED 137" "StopContainer with no grace period: SIGKILL, exit code 137"
t_ok "... no runscope state and no unit are left" left_nothing "$CID2" "$UNIT2"
cri RuntimeService.RemoveContainer "{\"container_id\": \"$CID2\"}" >/dev/null
t_is "$?" 0 "... RemoveContainer"

cri RuntimeService.StopContainer "{\"container_id\": \"$CID\", \"timeout\": 60}" >/dev/null
t_is "$?" 0 "StopContainer"
status=$(cri RuntimeService.ContainerStatus "{\"container_id\": \"$CID\"}")
t_is "$(jq -r '.status.state + " " + (.status.exit_code | tostring)' <<<"$status")" "CONTAINER_EXITED 0" \
        "... the container ended on SIGTERM with its own exit code"
t_is "$(grep -o 'app-started\|got-TERM' "$T_WORK/logs/app_0.log" | tr '\n' ' ')" "app-started got-TERM " \
        "... its output is in the CRI log file"
t_ok "... no runscope state and no unit are left" left_nothing "$CID" "$UNIT"
cri RuntimeService.RemoveContainer "{\"container_id\": \"$CID\"}" >/dev/null
t_is "$?" 0 "RemoveContainer"
t_is "$(cri RuntimeService.ListContainers '{}' | jq '.containers | length')" 0 "... ListContainers is empty"

cri RuntimeService.StopPodSandbox "{\"pod_sandbox_id\": \"$POD\"}" >/dev/null
t_is "$?" 0 "StopPodSandbox"
t_is "$(cri RuntimeService.PodSandboxStatus "{\"pod_sandbox_id\": \"$POD\"}" | jq -r .status.state)" SANDBOX_NOTREADY \
        "... the sandbox is not ready"
t_ok "... no runscope state and no unit are left of the sandbox container" \
        left_nothing "$POD" "cri-containerd-$POD.scope"
cri RuntimeService.RemovePodSandbox "{\"pod_sandbox_id\": \"$POD\"}" >/dev/null
t_is "$?" 0 "RemovePodSandbox"
t_is "$(cri RuntimeService.ListPodSandbox '{}' | jq '.items | length')" 0 "... ListPodSandbox is empty"

# A BestEffort pod with a network namespace of its own, made by containerd and set up by the CNI
# bridge: the pause joins it by path, the container joins the pause's, and sysfs mounted in the
# container shows that namespace's devices (mounted after the join).
UID_NPOD=$(cat /proc/sys/kernel/random/uuid)
NPOD_SLICE=kubepods-besteffort-pod${UID_NPOD//-/_}.slice
NPOD_CONFIG=$(pod_config net "$UID_NPOD" "$NPOD_SLICE" POD)
out=$(cri RuntimeService.RunPodSandbox "$(jq -nc --argjson c "$NPOD_CONFIG" '{config: $c, runtime_handler: "runscope"}')")
t_is "$?" 0 "RunPodSandbox of a pod with its own network namespace (CNI bridge)"
NPOD=$(jq -r .pod_sandbox_id <<<"$out")
IP=$(cri RuntimeService.PodSandboxStatus "{\"pod_sandbox_id\": \"$NPOD\"}" | jq -r .status.network.ip)
t_match "$IP" '^192\.0\.2\.[0-9]+$' "... it has an address of the CNI network"
t_is "$(systemctl show -P Slice "cri-containerd-$NPOD.scope")" "$NPOD_SLICE" "... its pause is a scope of its slice"
NCTR_CONFIG=$(jq -nc --arg img "$IMG" '{metadata: {name: "netapp", attempt: 0}, image: {image: $img},
        command: ["/bin/sleep", "100000"], log_path: "netapp_0.log"}')
out=$(cri RuntimeService.CreateContainer "$(jq -nc --arg pod "$NPOD" --argjson c "$NCTR_CONFIG" --argjson s "$NPOD_CONFIG" \
        '{pod_sandbox_id: $pod, config: $c, sandbox_config: $s}')")
NCID=$(jq -r .container_id <<<"$out")
cri RuntimeService.StartContainer "{\"container_id\": \"$NCID\"}" >/dev/null
t_is "$?" 0 "... CreateContainer and StartContainer in it"
check="ls /sys/class/net; grep -c ' $IP\$' /proc/net/fib_trie"
out=$(cri RuntimeService.ExecSync "$(jq -nc --arg id "$NCID" --arg c "$check" --argjson t "$EXEC_TIMEOUT" '{container_id: $id, cmd: ["/bin/sh", "-c", $c], timeout: $t}')")
t_is "$(jq -j '.stdout | @base64d' <<<"$out" | tr '\n' ' ')" "eth0 lo 2 " \
        "ExecSync: the container is in the pod's network namespace, with the pod's address"
cri RuntimeService.StopPodSandbox "{\"pod_sandbox_id\": \"$NPOD\"}" >/dev/null
t_is "$?" 0 "StopPodSandbox of a pod whose container runs: the container is stopped with it"
t_ok "... no runscope state and no unit are left of the container" left_nothing "$NCID" "cri-containerd-$NCID.scope"
t_ok "... nor of the pause" left_nothing "$NPOD" "cri-containerd-$NPOD.scope"
t_is "$(ls "$CD/cni/ipam/runscope-test" | grep -c '^192')" 0 "... the pod's address is given back (CNI DEL)"
cri RuntimeService.RemovePodSandbox "{\"pod_sandbox_id\": \"$NPOD\"}" >/dev/null
t_is "$?" 0 "RemovePodSandbox removes the pod with its container"
t_is "$(cri RuntimeService.ListContainers '{}' | jq '.containers | length') $(cri RuntimeService.ListPodSandbox '{}' | jq '.items | length')" \
        "0 0" "... ListContainers and ListPodSandbox are empty"
t_is "$(findmnt -rn -o TARGET | grep -c "^$CD/")" 0 "no mount is left under containerd's root and state"
t_is "$(pgrep -c -f -- "containerd-shim-runc-v2 .*-address $CD/c.sock")" 0 "no shim is left"
# kubelet removes the pod's cgroup once the pod is gone: the slice, which holds no unit any more.
t_is "$(systemctl list-dependencies --plain --no-legend "$POD_SLICE" | grep -c '\.scope$')" 0 \
        "the pod's slice holds no unit"
systemctl stop "$POD_SLICE" "$NPOD_SLICE"
t_ok "... and once kubelet stops it, it is gone, and so is its cgroup" slice_gone "$POD_SLICE"
t_ok "... and so are the other pod's" slice_gone "$NPOD_SLICE"
# As in test-containerd.sh: the cleanup `delete --force` after each shim ends only warns in the log;
# "exit status 255" is the cleanup shim's reaper taking the status first, not runscope's.
t_is "$(grep -o 'failed to remove runc container[^,]*exit status [0-9]*' "$CD/log" | grep -v 'exit status 255$')" "" \
        "containerd's cleanup delete --force never failed"
t_done
