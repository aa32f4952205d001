# Sourced by tests that tell how runscope reached systemd-machined: every call to machined's D-Bus
# interface, watched by dbus-monitor and bracketed by marks (UnregisterMachine of a name no machine
# has, each waited for in the monitor's output), so that nothing sent between two marks is missed
# however late the monitor starts. Needs common.sh's wait_until.

# machine_bus_watch FILE: starts the monitor, its output in FILE and its pid in MACHINE_BUS_PID;
# the first mark, machine-bus-start, is seen when it returns 0.
machine_bus_watch() {
        MACHINE_BUS_OUT=$1
        dbus-monitor --system "interface='org.freedesktop.machine1.Manager'" >"$MACHINE_BUS_OUT" 2>&1 &
        MACHINE_BUS_PID=$!
        wait_until machine_bus_mark machine-bus-start
}

# machine_bus_mark NAME: sends the mark NAME; succeeds once the monitor has seen it.
machine_bus_mark() {
        busctl call org.freedesktop.machine1 /org/freedesktop/machine1 org.freedesktop.machine1.Manager \
                UnregisterMachine s "$1" >/dev/null 2>&1
        grep -q "string \"$1\"" "$MACHINE_BUS_OUT"
}

# machine_bus_calls MARK MARK: the RegisterMachine and UnregisterMachine calls seen between two
# marks, one "member name" a line.
machine_bus_calls() {
        awk '/^method call .*member=/ { sub(/.*member=/, ""); m = $0; next }
             m && /string "/ { sub(/.*string "/, ""); sub(/"$/, ""); print m, $0; m = "" }' "$MACHINE_BUS_OUT" |
                sed -n "/ $1\$/,/ $2\$/p" | grep -E '^(Register|Unregister)Machine ' | grep -v "^UnregisterMachine $1\$" |
                grep -v "^UnregisterMachine $2\$"
}
