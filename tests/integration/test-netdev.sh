#!/bin/bash
# linux.netDevices (runtime-spec 1.3): an interface of runscope's network namespace moves into the
# container's under its new name, keeps its addresses and is up. The interfaces are veth ends (this
# kernel has no dummy module) in a network namespace of this test's own, which runscope runs in:
# never the host's.
. "$(dirname "$0")/../lib/common.sh"

NS=rs-netdev-$$
ip netns add "$NS" || { echo "Bail out! ip netns add"; exit 1; }
trap 'ip netns del "$NS" 2>/dev/null; t_cleanup' EXIT
nsrs() { ip netns exec "$NS" "$RUNSCOPE" --root "$T_ROOT" "$@"; }
ip -n "$NS" link add dummy0 type veth peer name peer0
ip -n "$NS" addr add 10.99.0.1/24 dev dummy0
ip -n "$NS" addr add fd99::1/64 dev dummy0
ip -n "$NS" link add dummy1 type veth peer name peer1

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'ip -o addr show dev ctr0 | awk "{ print \$4 }"; ip -o link show ctr0 | grep -o "<[^>]*>"; ip -o link show dummy1 | cut -d" " -f2'
ln -s busybox "$B/rootfs/bin/ip"
ln -s busybox "$B/rootfs/bin/awk"
ln -s busybox "$B/rootfs/bin/cut"
bundle_edit "$B" '.linux.netDevices = {dummy0: {name: "ctr0"}, dummy1: {}}'
out=$(nsrs run -b "$B" "$(t_id)" 2>&1)
t_match "$out" "10.99.0.1/24" "linux.netDevices: dummy0 is ctr0 in the container with its IPv4 address"
t_match "$out" "fd99::1/64" "... and its IPv6 one"
t_match "$out" "<[^>]*UP[^>]*>" "... and up"
t_match "$out" "dummy1(@[a-z0-9]+)?:" "an entry without a name keeps its own"
t_is "$(ip -n "$NS" -o link show | grep -c 'dummy[01]')" 0 "both left runscope's network namespace, and were not moved back"

# Errors: one line naming the JSON path, and nothing left.
id=$(t_id)
bundle_edit "$B" '.linux.netDevices = {nosuch0: {}}'
err=$(nsrs run -b "$B" "$id" 2>&1)
t_is "$?" 1 "an interface runscope's namespace does not have: run fails"
t_match "$err" "^runscope: linux.netDevices.nosuch0: no such interface in runscope's network namespace: No such device$" \
        "... in one line naming it"
t_ok "... leaving nothing" nothing_left "$id" "runscope-$id.scope"
# A network namespace joined by path that is runscope's own: nothing is renamed there.
id=$(t_id)
bundle_edit "$B" '.linux.netDevices = {dummy0: {name: "ctr0"}}'
ip -n "$NS" link add dummy0 type veth peer name peer0
bundle_edit "$B" --arg p "/run/netns/$NS" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
err=$(nsrs run -b "$B" "$id" 2>&1)
t_is "$?:$err" "1:runscope: linux.netDevices: the container's network namespace is runscope's own" \
        "a network namespace joined by path that is runscope's own is refused in one line"
t_ok "... and its interface keeps its name" ip -n "$NS" link show dummy0
bundle_edit "$B" '.linux.namespaces |= map(del(.path))'

for case in 'linux.netDevices.ctr/0|{"ctr/0":{}}|not an interface name' \
            'linux.netDevices.dummy0|{"dummy0":{"name":"a-name-far-too-long"}}|name: .a-name-far-too-long. is not an interface name' \
            'linux.netDevices|{"dummy0":{}}|needs a network namespace'; do
        IFS='|' read -r path json msg <<<"$case"
        filter=".linux.netDevices = $json"
        [ "$msg" = "needs a network namespace" ] && filter="$filter | .linux.namespaces |= map(select(.type != \"network\"))"
        expect_refused "$B" "$path" "config.json: $path: $msg" "$filter"
done
t_done
