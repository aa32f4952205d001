#!/bin/bash
# In the modern-host guest, AppArmor on (Debian's kernel): process.apparmorProfile, exec --apparmor
# and an exec --process's apparmorProfile confine the process. A profile loaded with apparmor_parser
# that denies reading one file makes the container's read of it fail, and only that read; the
# process shows the profile in /proc/PID/attr/current; a profile not loaded is one error naming it
# (from securityfs's list, else from the kernel's refusal of the write), and leaves nothing; an attribute file covered by the bundle's bind mount is not written.
. "$(dirname "$0")/../lib/common.sh"

PROFILE=runscope-test-deny
t_is "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" Y "AppArmor is enabled"
t_ok "... and the kernel has AppArmor's own attr directory (Linux 5.8)" test -e /proc/self/attr/apparmor/exec

# Everything allowed, but reading /secret (paths as the container sees them, from its root;
# attach_disconnected for the files opened before pivot_root, as docker-default has it).
cat >"$T_WORK/profile" <<EOF
profile $PROFILE flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  mount,
  umount,
  pivot_root,
  deny /secret r,
}
EOF
apparmor_parser -r -W "$T_WORK/profile" 2>"$T_WORK/parser.err"
t_is "$?:$(cat "$T_WORK/parser.err")" "0:" "apparmor_parser loads $PROFILE"
t_match "$(cat /sys/kernel/security/apparmor/profiles)" "^$PROFILE \(enforce\)" "... and the kernel lists it"

B=$T_WORK/bundle
make_bundle "$B" /bin/sh -c 'cat /secret; echo "rc=$?"; cat /public'
echo secret-text >"$B/rootfs/secret"
echo public-text >"$B/rootfs/public"

# The container with the profile: its read of /secret fails, the other read works.
bundle_edit "$B" --arg p "$PROFILE" '.process.apparmorProfile = $p'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_is "$?" 0 "run with process.apparmorProfile $PROFILE succeeds"
t_match "$out" "Permission denied" "... and the container cannot read /secret"
t_match "$out" "rc=1" "... (cat fails)"
t_ok "... nor sees its text" not_contains "$out" secret-text
t_match "$out" "public-text" "... while it reads /public"

# Without the profile: both reads work.
bundle_edit "$B" 'del(.process.apparmorProfile)'
out=$(rs run -b "$B" "$(t_id)" 2>&1)
t_is "$(tr '\n' ' ' <<<"$out")" "secret-text rc=0 public-text " "without a profile the container reads /secret"

# The running process shows its profile; the launcher, before execve, did not have it (runscope is
# unconfined here).
bundle_edit "$B" --arg p "$PROFILE" '.process.apparmorProfile = $p | .process.args = ["/bin/sleep", "3000"]'
id=$(t_id)
rs run -d -b "$B" "$id" >/dev/null 2>&1
pid=$(rs state "$id" | jq -r .pid)
t_is "$(cat "/proc/$pid/attr/current")" "$PROFILE (enforce)" "/proc/PID/attr/current of the container's process: $PROFILE (enforce)"
t_is "$(cat "/proc/$pid/attr/apparmor/current")" "$PROFILE (enforce)" "... and attr/apparmor/current"
t_is "$(cat /proc/self/attr/current)" "unconfined" "(the test itself runs unconfined)"

# exec: the container's profile by default, --apparmor's, or an exec --process's apparmorProfile.
t_match "$(rs exec "$id" /bin/cat /secret 2>&1)" "Permission denied" "exec into it: the container's profile, /secret denied"
rs exec -d --pid-file "$T_WORK/exec.pid" "$id" /bin/sleep 3001
t_is "$(cat "/proc/$(cat "$T_WORK/exec.pid")/attr/current")" "$PROFILE (enforce)" "... and /proc/PID/attr/current of the exec'd process says it"
t_is "$(rs exec --apparmor unconfined "$id" /bin/cat /secret 2>&1)" "secret-text" "exec --apparmor unconfined reads /secret"
jq '.process | .args = ["/bin/cat", "/secret"] | del(.apparmorProfile)' "$B/config.json" >"$T_WORK/none.json"
t_match "$(rs exec --process "$T_WORK/none.json" "$id" 2>&1)" "Permission denied" \
        "exec --process without apparmorProfile: the container's profile"
jq '.process | .args = ["/bin/cat", "/secret"] | .apparmorProfile = "unconfined"' "$B/config.json" >"$T_WORK/unconfined.json"
t_is "$(rs exec --process "$T_WORK/unconfined.json" "$id" 2>&1)" "secret-text" "exec --process with apparmorProfile unconfined reads /secret"

bundle_edit "$B" 'del(.process.apparmorProfile)'
id2=$(t_id)
rs run -d -b "$B" "$id2" >/dev/null 2>&1
pid2=$(rs state "$id2" | jq -r .pid)
t_is "$(cat "/proc/$pid2/attr/current")" "unconfined" "a container without a profile runs unconfined"
t_is "$(rs exec "$id2" /bin/cat /secret 2>&1)" "secret-text" "... exec into it reads /secret"
t_match "$(rs exec --apparmor "$PROFILE" "$id2" /bin/cat /secret 2>&1)" "Permission denied" \
        "... exec --apparmor $PROFILE cannot"
jq --arg p "$PROFILE" '.process | .args = ["/bin/cat", "/secret"] | .apparmorProfile = $p' "$B/config.json" >"$T_WORK/deny.json"
t_match "$(rs exec --process "$T_WORK/deny.json" "$id2" 2>&1)" "Permission denied" \
        "... nor can exec --process with apparmorProfile $PROFILE"

# A profile the kernel has not loaded: one error naming it, before anything is made.
bundle_edit "$B" '.process.apparmorProfile = "runscope-not-loaded" | .process.args = ["/bin/true"]'
id3=$(t_id)
expect_clean 1 "create with a profile not loaded" \
        "^runscope: config\.json: process\.apparmorProfile: AppArmor profile 'runscope-not-loaded' is not loaded$" \
        "$id3" create -b "$B" "$id3"
before=$(rs ps --format json "$id2" | jq -c sort)
err=$(rs exec --apparmor runscope-not-loaded "$id2" /bin/true 2>&1)
t_is "$?:$err" "1:runscope: --apparmor: AppArmor profile 'runscope-not-loaded' is not loaded" \
        "exec --apparmor with a profile not loaded: one error naming it"
t_is "$(rs ps --format json "$id2" | jq -c sort)" "$before" "... and no process is left in the container"

# CVE-2025-52881: the bundle binds a host file over the attribute file the launcher (pid 1 of its
# pid namespace) writes the profile to. The verified procfs handle refuses it; the file stays empty.
: >"$T_WORK/host-file"
bundle_edit "$B" --arg p "$PROFILE" --arg f "$T_WORK/host-file" '.process.apparmorProfile = $p
        | .mounts += [{destination: "/proc/1/task/1/attr/apparmor/exec", type: "bind", source: $f, options: ["bind"]}]'
id4=$(t_id)
expect_clean 1 "a bind mount over attr/apparmor/exec" \
        "^runscope: process\.apparmorProfile '$PROFILE': /proc/thread-self/attr/apparmor/exec is covered by a mount, not written$" \
        "$id4" create -b "$B" "$id4"
t_is "$(stat -c %s "$T_WORK/host-file")" 0 "... and the host's file stays unwritten"

# Where the list cannot tell (securityfs's apparmor/profiles out of reach: here a tmpfs hides it from
# runscope), the kernel does: the launcher's write gets ENOENT, one error naming the profile.
bundle_edit "$B" 'del(.mounts[-1]) | .process.apparmorProfile = "runscope-not-loaded"'
id5=$(t_id)
err=$(unshare -m sh -c 'mount -t tmpfs none /sys/kernel/security/apparmor && exec "$@"' - \
        "$RUNSCOPE" --root "$T_ROOT" create -b "$B" "$id5" 2>&1)
t_is "$?:$err" "1:runscope: process.apparmorProfile: AppArmor profile 'runscope-not-loaded' is not loaded" \
        "a profile not loaded, where the list of profiles cannot be read: the kernel's refusal, one error naming it"
t_ok "... and nothing is left" nothing_left "$id5" "runscope-$id5.scope"

rs delete --force "$id"
rs delete --force "$id2"
apparmor_parser -R "$T_WORK/profile"
t_done
