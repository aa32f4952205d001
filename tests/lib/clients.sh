# Sourced by the tests that drive runscope through real clients (podman, containerd), on the
# hybrid host (tests/integration) and in the modern-host guest (tests/vm): their set-up, offline.

# podman_setup DIR: DIR/rootfs.tar, a busybox image to import; DIR/containers.conf, exported as
# CONTAINERS_CONF, which names runscope JSON-log capable (podman passes --log-format=json --log only
# to runtimes whose basename it knows so); and DIR/p, podman with its storage in DIR, the systemd
# cgroup manager and the runtime $RUNTIME (runscope unless set when DIR/p runs).
podman_setup() {
        local pd=$1 a
        mkdir -p "$pd/rootfs/bin" "$pd/rootfs/etc" "$pd/rootfs/root" "$pd/rootfs/mnt" "$pd/rootfs/tmp"
        chmod 1777 "$pd/rootfs/tmp"
        cp /bin/busybox "$pd/rootfs/bin/"
        for a in sh true sleep cat ls echo id tty stty ps touch grep mount head wc awk tr; do ln -s busybox "$pd/rootfs/bin/$a"; done
        echo 'root:x:0:0:root:/root:/bin/sh' >"$pd/rootfs/etc/passwd"
        echo 'root:x:0:' >"$pd/rootfs/etc/group"
        tar -C "$pd/rootfs" -cf "$pd/rootfs.tar" . || return 1
        cat >"$pd/containers.conf" <<CONF
[engine]
runtime_supports_json = ["crun", "runc", "runscope"]
[engine.runtimes]
runscope = ["$RUNSCOPE"]
CONF
        export CONTAINERS_CONF=$pd/containers.conf
        export RUNTIME=${RUNTIME:-$RUNSCOPE}
        cat >"$pd/p" <<WRAP
#!/bin/sh
exec podman --root "$pd/storage" --runroot "$pd/run" --storage-driver overlay --cgroup-manager systemd \\
        --events-backend file --runtime "\$RUNTIME" "\$@"
WRAP
        chmod +x "$pd/p"
}

# containerd_start DIR: a containerd of the test's own (root, state, socket DIR/c.sock, config and
# log in DIR, no CRI plugin) in the background; sets CTD_PID. Fails when it does not answer.
containerd_start() {
        local cd=$1
        mkdir -p "$cd"
        cat >"$cd/config.toml" <<CONF
version = 2
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[plugins."io.containerd.internal.v1.opt"]
  path = "$cd/opt"
CONF
        containerd --root "$cd/root" --state "$cd/state" --address "$cd/c.sock" --config "$cd/config.toml" \
                >"$cd/log" 2>&1 </dev/null &
        CTD_PID=$!
        # A deadline, not a count of tries: a loaded machine can take many times the usual second.
        local end=$((SECONDS + 60 * T_SLOW))
        until [ -S "$cd/c.sock" ] && ctr --address "$cd/c.sock" version >/dev/null 2>&1; do
                kill -0 "$CTD_PID" 2>/dev/null && [ "$SECONDS" -lt "$end" ] || return 1
                sleep 0.05
        done
}
