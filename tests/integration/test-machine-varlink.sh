#!/bin/bash
# The system's systemd-machined over its Varlink socket (systemd 257 and later), against a stand-in
# for it at /run/systemd/machine/io.systemd.Machine (this host's systemd has none): Register and
# Unregister go there and not through dbus-daemon, a refusal is a warning, systemd 256's machined
# (no Varlink Unregister) is unregistered over D-Bus, and a socket nobody listens on (machined
# exited) means D-Bus. The real machined of systemd 257 is tests/vm/test-v2-faces.sh's.
. "$(dirname "$0")/../lib/common.sh"

sock=/run/systemd/machine/io.systemd.Machine
if [ -e "$sock" ]; then
        t_skip "machined's Varlink socket against a stand-in" "$sock is the host's own machined's"
        t_done
        exit 0
fi

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
calls=$T_WORK/varlink.calls mode=$T_WORK/varlink.mode
: >"$calls"
echo ok >"$mode"
made_dir=
[ -d "${sock%/*}" ] || { mkdir -p "${sock%/*}" && made_dir=1; }

# The stand-in: one JSON object a line in $calls per call; the answer per $mode (ok, exists: Register
# refused as machined refuses a name it has, v256: Unregister unknown, as before systemd 257).
python3 - "$sock" "$calls" "$mode" <<'EOF' &
import json, socket, sys
path, calls, mode = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(16)
while True:
    c, _ = s.accept()
    buf = b""
    while True:
        d = c.recv(4096)
        if not d:
            break
        buf += d
        while b"\0" in buf:
            msg, buf = buf.split(b"\0", 1)
            call = json.loads(msg)
            with open(calls, "a") as f:
                f.write(json.dumps(call, sort_keys=True) + "\n")
            m = open(mode).read().strip()
            verb = call["method"].rsplit(".", 1)[1]
            reply = {"parameters": {}}
            if verb == "Register" and m == "exists":
                reply = {"error": "io.systemd.Machine.MachineExists", "parameters": {}}
            elif verb == "Unregister" and m == "v256":
                reply = {"error": "org.varlink.service.MethodNotFound", "parameters": {"method": call["method"]}}
            c.sendall(json.dumps(reply).encode() + b"\0")
    c.close()
EOF
server=$!
. "$RUNSCOPE_TOP/tests/lib/machine-bus.sh"
trap 'kill "$server" "$MACHINE_BUS_PID" 2>/dev/null; wait "$server" "$MACHINE_BUS_PID" 2>/dev/null; rm -f "$sock";
      [ -z "$made_dir" ] || rmdir "${sock%/*}"; t_cleanup' EXIT
machine_bus_watch "$T_WORK/monitor.out"
wait_until listening "$sock"
call_of() { grep "\"method\": \"io.systemd.Machine.$1\"" "$calls" | grep -F "\"name\": \"$2\""; }

id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null
pid=$(rs state "$id" | jq -r .pid)
reg=$(call_of Register "$id")
t_is "$(jq -c '.parameters | [.name, .class, .service, .leader, .rootDirectory]' <<<"$reg")" \
        "[\"$id\",\"container\",\"runscope\",$pid,\"$B/rootfs\"]" \
        "run -d registers with machined over Varlink: name, class, service, leader and root"
t_match "$(jq -r .parameters.id <<<"$reg")" '^[0-9a-f]{32}$' "... and the machine id, 32 hex digits"
rs delete -f "$id"
t_is "$(call_of Unregister "$id" | jq -c .parameters)" "{\"name\":\"$id\"}" "delete unregisters it there"
wait_until machine_bus_mark mark-1
t_is "$(machine_bus_calls machine-bus-start mark-1)" "" "... and neither call went through dbus-daemon"

# A foreground run, the unregister sent as its init exits.
id=$(t_id)
bundle_edit "$B" '.process.args = ["/bin/true"]'
rs run -b "$B" "$id"
t_is "$?:$(call_of Register "$id" | wc -l):$(call_of Unregister "$id" | wc -l)" "0:1:1" \
        "a foreground run registers and unregisters over Varlink, once each"
bundle_edit "$B" '.process.args = ["/bin/sh", "-c", "trap \"exit 0\" TERM; while :; do sleep 0.1; done"]'

echo exists >"$mode"
id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null 2>"$T_WORK/err" # not through $(...): the container keeps its stderr
t_is "$?:$(cat "$T_WORK/err")" "0:runscope: systemd-machined refused to register machine $id, going on without it: io.systemd.Machine.MachineExists" \
        "machined refusing the name is one warning, and the container runs"
t_ok "... it runs" status_is "$id" running
rs delete -f "$id"

echo v256 >"$mode"
id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null
err=$(rs delete -f "$id" 2>&1)
t_is "$?:$err" "0:" "systemd 256's machined (no Varlink Unregister): delete goes on quietly"
wait_until machine_bus_mark mark-2
t_is "$(machine_bus_calls mark-1 mark-2)" "UnregisterMachine $id" "... and unregisters over D-Bus instead"
t_ok "... nothing is left" nothing_left "$id" "runscope-$id.scope"

# machined gone (its socket left behind): over D-Bus, to the machined that dbus-daemon starts.
kill "$server"
wait "$server" 2>/dev/null
t_ok "a socket nobody listens on is left" test -S "$sock"
id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null
t_match "$(machinectl status --no-pager "$id" 2>&1)" "Unit: runscope-$id.scope" "then run -d registers over D-Bus"
rs delete -f "$id"
t_ok "... and delete unregisters it" nothing_left "$id" "runscope-$id.scope"
wait_until machine_bus_mark mark-3
t_is "$(machine_bus_calls mark-2 mark-3)" "RegisterMachine $id
UnregisterMachine $id" "... both through dbus-daemon"

t_done
