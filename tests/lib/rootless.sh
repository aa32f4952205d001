# Sourced after tests/lib/common.sh by tests/integration/test-rootless.sh and tests/vm/test-rootless.sh:
# a user made for the test (lingering, with subordinate ids, removed at the end) and another without
# a manager, and the rootless scenarios both files run, runscope's own and podman's. What differs
# between hosts (the controllers user@.service delegates, cgroup v1 or v2) is read, not assumed.
. "$(dirname "${BASH_SOURCE[0]}")/clients.sh"

RL=rsrl$$
NM=rsnm$$
rl_cleanup() {
        local u
        for u in "$RL" "$NM"; do
                id "$u" >/dev/null 2>&1 || continue
                loginctl disable-linger "$u" 2>/dev/null
                systemctl stop "user@$(id -u "$u").service" 2>/dev/null
                # podman's pause process, where it could not go into a scope of the user's manager.
                pkill -KILL -U "$(id -u "$u")" 2>/dev/null
                userdel -r "$u" 2>/dev/null
        done
        [ -n "${RL_BIN:-}" ] && rm -rf "$RL_BIN"
        t_cleanup
}

as_rl() { runuser -u "$RL" -- env XDG_RUNTIME_DIR="$RT" "$@"; }
rrs() { as_rl "$RUNSCOPE" "$@"; }
uctl() { as_rl systemctl --user "$@"; }
# unit_gone_user UNIT: the user's manager has no such unit (it may take a moment to collect it).
unit_gone_user() {
        for i in $(seq 1 $((50 * T_SLOW))); do
                [ "$(uctl show -P LoadState "$1" 2>/dev/null)" = not-found ] && return 0
                sleep 0.1
        done
        return 1
}
# rl_refused DESC PATTERN JQ-FILTER [VERB ARG...]: with the filter applied to the user's bundle (put back
# afterwards), `run -d` (or VERB ARG...) fails in one line matching PATTERN, and leaves nothing.
rl_refused() {
        local desc=$1 pattern=$2 filter=$3 err rc id
        shift 3
        [ $# -gt 0 ] || set -- run -d
        cp "$B/config.json" "$H/saved.json"
        redit "$filter"
        id=$(t_id)
        rrs "$@" -b "$B" "$id" >/dev/null 2>"$H/err"
        rc=$?
        err=$(cat "$H/err")
        t_is "$rc:$(wc -l <<<"$err" | tr -d ' ')" "1:1" "$desc: fails in one line"
        t_match "$err" "$pattern" "$desc: the error says why"
        t_ok "$desc: nothing is left" gone "$id" "runscope-$id.scope"
        cp "$H/saved.json" "$B/config.json"
}
# redit JQ-FILTER: bundle_edit of the user's bundle $B, which stays the user's.
redit() { bundle_edit "$B" "$@" && chown "$RL:" "$B/config.json"; }
# gone ID UNIT: no state directory in the user's runtime directory and no unit.
gone() { [ ! -e "$RT/runscope/$1" ] && unit_gone_user "$2"; }

# The controllers the user's manager was delegated: its own cgroup's, on the v2 hierarchy.
rl_controllers() {
        local root=/sys/fs/cgroup
        [ -d /sys/fs/cgroup/unified ] && root=/sys/fs/cgroup/unified
        cat "$root$(uctl show -P ControlGroup)/cgroup.controllers"
}

# rl_setup: the users, and the first's manager up; 1 (a skip said) when a tool is missing.
rl_setup() {
        local tool i
        for tool in useradd loginctl runuser newuidmap; do
                if ! command -v "$tool" >/dev/null; then
                        t_skip "rootless" "$tool is not installed"
                        return 1
                fi
        done
        useradd -m -s /bin/sh "$RL" && useradd -m -s /bin/sh "$NM" || { echo "Bail out! useradd failed"; exit 1; }
        trap rl_cleanup EXIT
        # The users run a copy of the binary: the checkout may sit below a directory only root may
        # enter (CI's clone does), as a user's own runtime would not.
        RL_BIN=$(mktemp -d /run/runscope-rl.XXXXXX) && chmod 755 "$RL_BIN" &&
                install -m 755 "$RUNSCOPE" "$RL_BIN/runscope" || { echo "Bail out! copying $RUNSCOPE failed"; exit 1; }
        RUNSCOPE=$RL_BIN/runscope
        UID_RL=$(id -u "$RL") GID_RL=$(id -g "$RL") UID_NM=$(id -u "$NM")
        # Debian's useradd gives a new user subordinate ids; elsewhere they are added here.
        grep -q "^$RL:" /etc/subuid || usermod --add-subuids 300000-365535 "$RL"
        grep -q "^$RL:" /etc/subgid || usermod --add-subgids 300000-365535 "$RL"
        SUB=$(awk -F: -v u="$RL" '$1 == u {print $2; exit}' /etc/subuid)
        SUBN=$(awk -F: -v u="$RL" '$1 == u {print $3; exit}' /etc/subuid)
        loginctl enable-linger "$RL"
        RT=/run/user/$UID_RL
        H=$(getent passwd "$RL" | cut -d: -f6)
        chmod 755 "$H" # the way to the rootfs, for a container root mapped to a subordinate uid
        for i in $(seq 1 $((300 * T_SLOW))); do
                systemctl is-active -q "user@$UID_RL.service" && [ -S "$RT/systemd/private" ] && break
                sleep 0.1
        done
        t_ok "the lingering user's manager is up" systemctl is-active -q "user@$UID_RL.service"
}

# rl_runscope: runscope run by the user, and by the one without a manager.
rl_runscope() {
        t_is "$(rrs features | jq -r .linux.cgroup.systemdUser)" true "features: cgroup.systemdUser is true"

        # The bundle is the user's, as its rootfs is: made by root here, then given to the user.
        B=$H/bundle
        mkdir -p "$B" && make_rootfs "$B/rootfs"
        chown -R "$RL:" "$B"
        rrs spec --rootless --bundle "$B"
        t_is "$(jq -c '[.linux.namespaces[].type] | index("user") != null and index("network") == null' "$B/config.json")" true \
                "spec --rootless: a user namespace, and the host's network (as runc's)"
        t_is "$(jq -c '.linux.uidMappings' "$B/config.json")" \
                "[{\"containerID\":0,\"hostID\":$UID_RL,\"size\":1},{\"containerID\":1,\"hostID\":$SUB,\"size\":$SUBN}]" \
                "... the caller as root and its subordinate uids above, as podman maps them"
        t_is "$(jq -c '.linux.resources' "$B/config.json")" null "... and no resources"
        redit '.process.terminal = false | .process.args = ["/bin/sh", "-c", "id -u; cat /proc/self/uid_map | tr -s \" \"; exit 3"]'

        # No manager: one line, saying what is missing and how to get it; nothing is made.
        NB=$(getent passwd "$NM" | cut -d: -f6)/bundle
        cp -a "$B" "$NB" && chown -R "$NM:" "$NB"
        id=$(t_id)
        err=$(runuser -u "$NM" -- "$RUNSCOPE" run -b "$NB" "$id" 2>&1 >/dev/null)
        t_is "$?" 1 "without a user manager, run fails"
        t_is "$(wc -l <<<"$err" | tr -d ' ')" 1 "... in one line"
        t_match "$err" "rootless \\(uid $UID_NM\\).*no /run/user/$UID_NM .*loginctl enable-linger $NM'" \
                "... naming the missing runtime directory and loginctl enable-linger"
        X=$(runuser -u "$NM" -- mktemp -d)
        err=$(runuser -u "$NM" -- env XDG_RUNTIME_DIR="$X" "$RUNSCOPE" run -b "$NB" "$id" 2>&1 >/dev/null)
        t_match "$err" "answers neither at $X/systemd/private nor on a user bus at $X/bus: run 'loginctl enable-linger $NM'" \
                "with a runtime directory but no manager in it, the line names both sockets"
        t_ok "... and no state is made" test ! -e "$X/runscope/$id"
        rm -rf "$X"

        id=$(t_id)
        out=$(rrs run -b "$B" "$id" 2>&1)
        t_is "$?" 3 "run as the user: the container's exit status"
        t_is "$out" "0
 0 $UID_RL 1
 1 $SUB $SUBN" "... as root of a user namespace newuidmap mapped from the subordinate uids"
        t_ok "... and leaves nothing" gone "$id" "runscope-$id.scope"

        redit '.process.args = ["/bin/sleep", "300"]'
        id=$(t_id)
        # Into files: the container keeps what it was given open.
        rrs run -d -b "$B" "$id" >/dev/null 2>"$H/err"
        t_is "$(cat "$H/err")" "" "run -d: no word on stderr (no machined to register with before systemd 259)"
        t_ok "the state is in \$XDG_RUNTIME_DIR/runscope" test -f "$RT/runscope/$id/state.json"
        t_is "$(jq -r .machine "$RT/runscope/$id/state.json")" null "... and names no machine"
        t_is "$(uctl is-active "runscope-$id.scope")" active "the scope is the user manager's"
        t_is "$(uctl show -P Slice "runscope-$id.scope")" app.slice "... in its app.slice"
        pid=$(rrs state "$id" | jq -r .pid)
        t_match "$(grep '^0::' "/proc/$pid/cgroup")" "user@$UID_RL\\.service/app\\.slice/runscope-$id\\.scope\$" \
                "the init's cgroup is the scope's, in the user's delegated subtree"
        t_is "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "$UID_RL" "its root is the user on the host"
        t_is "$(rrs exec "$id" id -u)" 0 "exec runs in the container"
        rrs exec -d --pid-file "$H/exec.pid" "$id" /bin/sleep 300
        epid=$(cat "$H/exec.pid")
        t_is "$(grep '^0::' "/proc/$epid/cgroup")" "$(grep '^0::' "/proc/$pid/cgroup")" "... and AttachProcessesToUnit put it in the scope"
        rrs pause "$id"
        t_is "$(rrs state "$id" | jq -r .status)" paused "pause"
        rrs resume "$id"
        t_is "$(rrs state "$id" | jq -r .status)" running "resume"
        t_match "$(rrs ps "$id")" "sleep 300" "ps lists the unit's processes"
        rrs kill "$id" KILL
        for i in $(seq 1 $((50 * T_SLOW))); do [ "$(rrs state "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
        rrs delete "$id"
        t_ok "kill and delete leave nothing" gone "$id" "runscope-$id.scope"

        # cgroupsPath names the slice, in the user's manager.
        id=$(t_id)
        redit --arg p "user.slice:rl:$id" '.linux.cgroupsPath = $p'
        rrs run -d -b "$B" "$id"
        t_is "$(uctl show -P Slice "rl-$id.scope")" user.slice "cgroupsPath slice:prefix:name names the unit and its slice"
        rrs delete -f "$id"
        t_ok "... and delete -f leaves nothing" gone "$id" "rl-$id.scope"
        redit 'del(.linux.cgroupsPath)'

        # Limits: only those of controllers the user manager was delegated (its cgroup.controllers).
        have=$(rl_controllers)
        rl_refused "blockIO.weight (io, which user@.service does not delegate)" \
                "config.json: linux.resources.blockIO: IOWeight needs the cgroup controller 'io', which the systemd manager of uid $UID_RL was not delegated \\(it has: ${have:-none}\\)" \
                '.linux.resources = {blockIO: {weight: 500}}'
        rl_refused "a deny-all device rule (runscope spec's default)" \
                "DevicePolicy needs the cgroup controller 'devices'" '.linux.resources = {devices: [{allow: false, access: "rwm"}]}'
        if [[ " $have " == *" memory "* ]]; then
                id=$(t_id)
                redit '.annotations["org.systemd.property.MemoryHigh"] = "uint64 67108864"'
                rrs run -d -b "$B" "$id" >/dev/null 2>&1
                t_is "$(uctl show -P MemoryHigh "runscope-$id.scope")" 67108864 "an annotation's MemoryHigh, memory being delegated"
                rrs delete -f "$id"
                redit 'del(.annotations)'
        else
                rl_refused "an annotation's MemoryHigh, memory not being delegated here" \
                        "annotations.org.systemd.property.MemoryHigh: MemoryHigh needs the cgroup controller 'memory'" \
                        '.annotations["org.systemd.property.MemoryHigh"] = "uint64 67108864"'
        fi
        if [[ " $have " == *" pids "* ]]; then
                id=$(t_id)
                redit '.linux.resources = {pids: {limit: 77}}'
                rrs run -d -b "$B" "$id"
                t_is "$(uctl show -P TasksMax "runscope-$id.scope")" 77 "pids.limit, pids being delegated, is the unit's TasksMax"
                t_is "$(rrs update --pids-limit 78 "$id" && uctl show -P TasksMax "runscope-$id.scope")" 78 "... and update changes it"
                rrs delete -f "$id"
                redit 'del(.linux.resources)'
        else
                rl_refused "pids.limit, pids not being delegated here" \
                        "TasksMax needs the cgroup controller 'pids'" '.linux.resources = {pids: {limit: 77}}'
                id=$(t_id)
                rrs run -d -b "$B" "$id"
                err=$(rrs update --pids-limit 78 "$id" 2>&1)
                t_is "$?:$(wc -l <<<"$err" | tr -d ' ')" "1:1" "update of a limit the user manager cannot hold fails in one line"
                t_match "$err" "TasksMax needs the cgroup controller 'pids'" "... naming it"
                rrs delete -f "$id"
        fi

        # Container root a subordinate uid: the launcher switches to it only once systemd has put it in its
        # scope (a user manager that asks the system manager to move it would be refused otherwise before
        # systemd 258); exec's process joins the scope before it joins the namespaces.
        cp "$B/config.json" "$H/saved2.json"
        redit --argjson s "$SUB" '.linux.uidMappings = [{containerID: 0, hostID: $s, size: 65536}] | .linux.gidMappings = .linux.uidMappings'
        id=$(t_id)
        rrs run -d -b "$B" "$id"
        pid=$(rrs state "$id" | jq -r .pid)
        t_is "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "$SUB" "root mapped to a subordinate uid: the init runs as it on the host"
        t_is "$(uctl is-active "runscope-$id.scope")" active "... in its scope"
        t_is "$(rrs exec "$id" id -u)" 0 "... and exec joins it"
        rrs delete -f "$id"

        # Only the caller's own ids: written without newuidmap, setgroups denied as the kernel wants it.
        redit --argjson u "$UID_RL" --argjson g "$GID_RL" '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}]
                | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}]
                | .process.args = ["/bin/sh", "-c", "cat /proc/self/uid_map /proc/self/setgroups | tr -s \" \""]'
        t_is "$(rrs run -b "$B" "$(t_id)")" " 0 $UID_RL 1
deny" "a map of the caller's own uid and gid alone needs no helper (setgroups is denied)"
        rl_refused "additionalGids where setgroups is denied" "process.user.additionalGids: setgroups is denied" \
                '.process.user.additionalGids = [0]' create
        rl_refused "ids the user was not given" "config.json: linux.uidMappings: newuidmap refused the mappings: newuidmap: .*" \
                '.linux.uidMappings = [{containerID: 0, hostID: 1000000000, size: 10}]'
        cp "$H/saved2.json" "$B/config.json"

        id=$(t_id)
        as_rl mkdir -p "$H/state"
        rrs --root "$H/state" run -d -b "$B" "$id"
        t_ok "--root puts the state elsewhere" test -f "$H/state/$id/state.json" -a ! -e "$RT/runscope/$id"
        rrs --root "$H/state" delete -f "$id"
        t_ok "... and delete finds it there" gone "$id" "runscope-$id.scope"
}

# rl_podman: podman run by the user, with runscope as its runtime: podman makes the user namespace
# (root the user, subordinate uids above) and runs runscope in it, as root there.
rl_podman() {
        local P_OUT=$H/podman.out id pid have cid
        if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
                t_skip "rootless podman" "podman or conmon is not installed"
                return 0
        fi
        # Made as root, then the user's: its storage and runroot are the user's too, on the runtime
        # directory's tmpfs (podman's overlay driver cannot use an overlayfs, the private systemd's root).
        PD=$RT/podman
        podman_setup "$PD" && chown -R "$RL:" "$PD"
        P() { (cd "$H" && timeout $((60 * T_SLOW)) runuser -u "$RL" -- env XDG_RUNTIME_DIR="$RT" HOME="$H" \
                CONTAINERS_CONF="$CONTAINERS_CONF" RUNTIME="$RUNSCOPE" "$PD/p" "$@"); }
        P import -q "$PD/rootfs.tar" localhost/rl >/dev/null 2>&1
        t_ok "podman (rootless) imports an image built offline" P image exists localhost/rl

        P run --rm --network none localhost/rl sh -c 'exit 3' 2>/dev/null
        t_is "$?" 3 "podman run as the user: the exit code"
        t_is "$(P run --rm --network none localhost/rl sh -c 'id -u; cat /proc/self/uid_map | tr -s " "' 2>/dev/null)" \
                "0
 0 $UID_RL 1
 1 $SUB $SUBN" "... in podman's user namespace, shared (root the user, subordinate uids above)"
        cid=$(P run -d --network none --name rl-c localhost/rl sleep 300 2>/dev/null)
        pid=$(P inspect -f '{{.State.Pid}}' rl-c 2>/dev/null)
        t_match "$(grep '^0::' "/proc/$pid/cgroup")" "user@$UID_RL\\.service/user\\.slice/libpod-$cid\\.scope\$" \
                "podman's cgroupsPath user.slice:libpod:ID: the unit in the user manager's user.slice"
        t_ok "... and the state in the user's runtime directory" test -f "$RT/runscope/$cid/state.json"
        t_is "$(P exec rl-c sh -c 'echo in exec; exit 4' 2>/dev/null; echo "rc $?")" "in exec
rc 4" "podman exec: output and exit code"
        if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
                P pause rl-c >/dev/null 2>&1
                t_is "$(P inspect -f '{{.State.Status}}' rl-c 2>/dev/null)" paused "podman pause"
                P unpause rl-c >/dev/null 2>&1
                t_is "$(P inspect -f '{{.State.Status}}' rl-c 2>/dev/null)" running "podman unpause"
        else
                t_skip "podman pause" "podman refuses it for rootless containers on cgroup v1"
        fi
        have=$(rl_controllers)
        P update --memory 64m rl-c >/dev/null 2>"$P_OUT"
        if [[ " $have " == *" memory "* ]]; then
                t_is "$(uctl show -P MemoryMax "libpod-$cid.scope")" 67108864 "podman update --memory: the unit's MemoryMax"
        else
                t_match "$(cat "$P_OUT")" "MemoryMax needs the cgroup controller 'memory', which the systemd manager of uid $UID_RL was not delegated" \
                        "podman update --memory, memory not being delegated: runscope's one line, in podman's error"
        fi
        P stop -t 1 rl-c >/dev/null 2>&1
        t_is "$(P inspect -f '{{.State.Status}} {{.State.ExitCode}}' rl-c 2>/dev/null)" "exited 137" "podman stop -t 1: SIGKILL, 137"
        P rm rl-c >/dev/null 2>&1
        t_ok "podman rm leaves nothing" gone "$cid" "libpod-$cid.scope"
        t_is "$(P run --rm --network none --userns=keep-id localhost/rl sh -c 'id -u; cat /proc/self/uid_map | tr -s " "' 2>/dev/null)" \
                "$UID_RL
 0 1 $UID_RL
 $UID_RL 0 1
 $((UID_RL + 1)) $((UID_RL + 1)) $((SUBN - UID_RL))" \
                "podman --userns=keep-id: the user is itself inside, maps runscope wrote in podman's namespace"
        # -it: a pty from runscope, through conmon's console socket, as a terminal to the user.
        out=$(cd "$H" && script -qec "runuser -u $RL -- env XDG_RUNTIME_DIR=$RT HOME=$H CONTAINERS_CONF=$CONTAINERS_CONF RUNTIME=$RUNSCOPE \
                $PD/p run -it --rm --network none localhost/rl sh -c 'tty; echo hi'" /dev/null </dev/null 2>/dev/null | tr -d '\r')
        t_match "$out" "/dev/pts/[0-9]+.*hi" "podman run -it: the container's stdio is a terminal"
}
