#!/bin/bash
# vm-boot: selinux
# In the modern-host guest booted with SELinux (permissive, Debian's default policy, which has
# container_t and container_file_t): process.selinuxLabel is the label the container's process runs
# with (/proc/PID/attr/current), and its session keyring's; linux.mountLabel is the context of its
# tmpfs, devpts and mqueue mounts, not of proc, sysfs or cgroup; exec keeps the container's label
# unless --process-label or an exec --process's selinuxLabel says otherwise; a label the policy does
# not know is one error that leaves nothing. Permissive mode shows the labels but denies nothing:
# enforcing would need a root file system labelled for the policy, which the guest's is not.
. "$(dirname "$0")/../lib/common.sh"

PLABEL=system_u:system_r:container_t:s0:c1,c2
MLABEL=system_u:object_r:container_file_t:s0:c1,c2
OTHER=system_u:system_r:spc_t:s0

t_match "$(cat /sys/kernel/security/lsm)" "(^|,)selinux(,|$)" "SELinux is among the active LSMs"
t_is "$(cat /sys/fs/selinux/enforce)" 0 "... in permissive mode"
for l in "$PLABEL" "$MLABEL" "$OTHER"; do
        t_ok "the policy knows $l" sh -c 'printf %s "$1" >/sys/fs/selinux/context' - "$l"
done
self=$(tr -d '\0' </proc/self/attr/current)

B=$T_WORK/bundle
make_bundle "$B" /bin/sleep 3000
bundle_edit "$B" --arg p "$PLABEL" --arg m "$MLABEL" '.process.selinuxLabel = $p | .linux.mountLabel = $m
        | .mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null 2>"$T_WORK/run.err"
t_is "$?:$(cat "$T_WORK/run.err")" "0:" "run with process.selinuxLabel and linux.mountLabel succeeds"
pid=$(rs state "$id" | jq -r .pid)
t_is "$(tr -d '\0' <"/proc/$pid/attr/current")" "$PLABEL" "the container's process runs with $PLABEL"

# The mounts: context="MLABEL" where a mount makes its own superblock, none on the shared ones.
mi=/proc/$pid/mountinfo
for dest in /scratch /dev /dev/shm /dev/pts; do
        t_match "$(awk -v d="$dest" '$5 == d' "$mi")" "context=\"$MLABEL\"" "$dest is mounted with context=\"$MLABEL\""
done
t_is "$(stat -c %C "/proc/$pid/root/scratch")" "$MLABEL" "... and the tmpfs's root has that label"
t_is "$(stat -c %C "/proc/$pid/root/dev/pts")" "$MLABEL" "... and devpts's"
t_is "$(stat -c %C "/proc/$pid/root/dev/mqueue")" "$MLABEL" "/dev/mqueue's root is labelled $MLABEL (mqueue takes no context=)"
# mounted_without_context MOUNTINFO DEST: DEST is a mount point there, and has no context= option.
mounted_without_context() {
        local line
        line=$(awk -v d="$2" '$5 == d' "$1")
        [ -n "$line" ] && not_contains "$line" "context="
}
for dest in /proc /sys /sys/fs/cgroup /dev/mqueue; do
        t_ok "$dest is mounted without a context=" mounted_without_context "$mi" "$dest"
done
masked=$(awk '/ - tmpfs / && / ro,/ && $5 ~ "^/(proc|sys)/"' "$mi")
t_ok "a masked directory has a tmpfs of its own" test -n "$masked"
t_is "$(grep -vc "context=\"$MLABEL\"" <<<"$masked")" 0 "... with context=\"$MLABEL\""

# The session keyring the launcher made has the process's label (keycreate, as runc and crun).
bundle_edit "$B" '.process.args = ["/bin/probe", "keylabel"]'
t_is "$(rs run -b "$B" "$(t_id)" 2>&1)" "$PLABEL" "the container's session keyring is labelled $PLABEL"

# exec: the container's label, or --process-label's, or an exec --process's selinuxLabel.
rs exec -d --pid-file "$T_WORK/e1.pid" "$id" /bin/sleep 3001
t_is "$(tr -d '\0' <"/proc/$(cat "$T_WORK/e1.pid")/attr/current")" "$PLABEL" "exec: the process runs with the container's label"
rs exec -d --pid-file "$T_WORK/e2.pid" --process-label "$OTHER" "$id" /bin/sleep 3002
t_is "$(tr -d '\0' <"/proc/$(cat "$T_WORK/e2.pid")/attr/current")" "$OTHER" "exec --process-label $OTHER: with that one"
jq --arg o "$OTHER" '.process | .args = ["/bin/sleep", "3003"] | .selinuxLabel = $o' "$B/config.json" >"$T_WORK/other.json"
rs exec -d --pid-file "$T_WORK/e3.pid" --process "$T_WORK/other.json" "$id"
t_is "$(tr -d '\0' <"/proc/$(cat "$T_WORK/e3.pid")/attr/current")" "$OTHER" "exec --process with selinuxLabel $OTHER: with that one"
jq '.process | .args = ["/bin/sleep", "3004"] | del(.selinuxLabel)' "$B/config.json" >"$T_WORK/none.json"
rs exec -d --pid-file "$T_WORK/e4.pid" --process "$T_WORK/none.json" "$id"
t_is "$(tr -d '\0' <"/proc/$(cat "$T_WORK/e4.pid")/attr/current")" "$PLABEL" \
        "exec --process without selinuxLabel: the container's label"

# Without labels: the caller's label, and no context= on the tmpfs.
bundle_edit "$B" 'del(.process.selinuxLabel) | del(.linux.mountLabel) | .process.args = ["/bin/sleep", "3005"]'
id2=$(t_id)
rs run -d -b "$B" "$id2" >/dev/null 2>&1
pid2=$(rs state "$id2" | jq -r .pid)
t_is "$(tr -d '\0' <"/proc/$pid2/attr/current")" "$self" "without selinuxLabel the process keeps the caller's label ($self)"
t_ok "... and /scratch has no context=" mounted_without_context "/proc/$pid2/mountinfo" /scratch

# A label the policy does not know: the kernel refuses it, one error, nothing left.
BAD=system_u:system_r:runscope_no_such_t:s0
bundle_edit "$B" --arg l "$BAD" '.process.selinuxLabel = $l | .process.args = ["/bin/true"]'
id3=$(t_id)
expect_clean 1 "create with a label the policy does not know" \
        "^runscope: process\.selinuxLabel \(the session keyring's\) '$BAD': /proc/thread-self/attr/keycreate: Invalid argument$" \
        "$id3" create -b "$B" "$id3"
id4=$(t_id)
expect_clean 1 "the same with --no-new-keyring, refused as the exec label" \
        "^runscope: process\.selinuxLabel '$BAD': /proc/thread-self/attr/exec: Invalid argument$" \
        "$id4" create --no-new-keyring -b "$B" "$id4"
before=$(rs ps --format json "$id2" | jq -c sort)
err=$(rs exec --process-label "$BAD" "$id2" /bin/true 2>&1)
t_is "$?:$err" "1:runscope: process.selinuxLabel '$BAD': /proc/thread-self/attr/exec: Invalid argument" \
        "exec --process-label the policy does not know: one error"
t_is "$(rs ps --format json "$id2" | jq -c sort)" "$before" "... and no process is left in the container"

rs delete --force "$id"
rs delete --force "$id2"
t_done
