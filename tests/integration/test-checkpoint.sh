#!/bin/bash
# checkpoint and restore where criu cannot run (this machine: no criu in PATH, or a kernel whose
# vDSO criu does not understand): every refusal is one line that says why (criu check's own line),
# a checkpoint leaves the container running and untouched, and a restore leaves no unit, state,
# mount or process. Also podman's probes of a runtime's checkpoint support, and what --version and
# features say of CRIU. The real checkpoint and restore run in the modern-host tier
# (tests/vm/test-criu.sh).
. "$(dirname "$0")/../lib/common.sh"

NOCRIU_PATH=/usr/bin:/bin # Debian's criu is /usr/sbin/criu
command -v criu >/dev/null && CRIU=$(command -v criu) || CRIU=""

# podman 5 (pkg/checkpoint/crutils): `checkpoint --help` succeeds, and `restore --lsm-mount-context`
# without its value says "requires an argument" (pod restore support).
out=$(rs checkpoint --help 2>&1)
t_is "$?" 0 "checkpoint --help succeeds (podman's probe of checkpoint support)"
t_match "$out" "--leave-running" "... and lists runc's flags"
out=$(rs restore --lsm-mount-context 2>&1)
t_is "$?" 1 "restore --lsm-mount-context without a value fails"
t_match "$out" "requires an argument" "... saying it requires an argument (podman's probe of pod restore)"

# --version and features say whether there is a criu for checkpoint and restore.
out=$(PATH=$NOCRIU_PATH "$RUNSCOPE" --version)
t_is "$(tail -n1 <<<"$out")" "criu: none in PATH (checkpoint and restore need it)" "--version says when there is no criu"
t_is "$(PATH=$NOCRIU_PATH "$RUNSCOPE" features | jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]')" \
        false "features: runc's checkpoint.enabled is false without criu"
if [ -n "$CRIU" ]; then
        v=$(criu --version | sed -n 's/^Version: //p')
        t_is "$("$RUNSCOPE" --version | tail -n1)" "criu: $v ($CRIU)" "--version names criu's version and path"
        t_is "$("$RUNSCOPE" features | jq -r '.annotations | .["org.opencontainers.runc.checkpoint.enabled"] + " " + .["org.runscope.criu"]')" \
                "true $CRIU $v" "features: checkpoint.enabled and which criu"
else
        t_skip "--version names criu's version and path" "criu is not installed here"
        t_skip "features: checkpoint.enabled and which criu" "criu is not installed here"
fi

B=$T_WORK/bundle
# The count is renamed into place: a reader never sees the file truncated and not yet written.
make_bundle "$B" /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.05; done'
bundle_edit "$B" '.root.readonly = false'
id=$(t_id)
count() { cat "$B/rootfs/tmp/count" 2>/dev/null; }
above() { [ "$(count)" -gt "$1" ] 2>/dev/null; }
# counting: the count goes up from what it is now (a wait for a higher one, not a fixed sleep).
counting() { local a; a=$(count); [ -n "$a" ] && wait_until above "$a"; }
rs run -d -b "$B" "$id"
for i in $(seq 1 50); do [ -n "$(count)" ] && break; sleep 0.1; done
before=$(rs state "$id")
pid=$(jq -r .pid <<<"$before")
t_is "$(ps -o sid= -p "$pid" | tr -d ' ')" "$pid" \
        "the container's init leads a session of its own (as runc's), which CRIU needs to dump it"

# untouched ID WHAT: the container runs on, as it was.
untouched() {
        t_is "$(rs state "$1")" "$before" "$2: the container's state is unchanged"
        t_ok "$2: its process still counts" counting
        t_is "$(systemctl show -P ActiveState "runscope-$1.scope")" active "$2: its unit is still active"
}

err=$(PATH=$NOCRIU_PATH "$RUNSCOPE" --root "$T_ROOT" checkpoint --image-path "$T_WORK/img0" "$id" 2>&1)
t_is "$?:$(wc -l <<<"$err")" "1:1" "checkpoint without criu fails with one line"
t_is "$err" "runscope: checkpoint of $id refused: criu is not installed (no criu in PATH), and runscope checkpoints and restores through it" \
        "... which says there is no criu"
untouched "$id" "checkpoint without criu"

if [ -n "$CRIU" ] && ! why=$(criu check 2>&1); then
        why=$(grep -m1 '^Error' <<<"$why")
        err=$(rs checkpoint --image-path "$T_WORK/img1" "$id" 2>&1)
        t_is "$?:$(wc -l <<<"$err")" "1:1" "checkpoint where criu cannot run fails with one line"
        t_is "$err" "runscope: checkpoint of $id refused: criu cannot run on this host: criu check: $why" \
                "... which is criu check's own line"
        untouched "$id" "checkpoint where criu cannot run"
        # Its stdio is this script's (/dev/null, a log file): files outside the container, which
        # CRIU is told are external, named by mount id and inode, as restore will connect them.
        want=$(for fd in 0 1 2; do
                printf 'file[%x:%x]\n' "$(sed -n 's/^mnt_id:\s*//p' "/proc/$pid/fdinfo/$fd")" "$(stat -Lc %i "/proc/$pid/fd/$fd")"
        done | jq -R . | jq -sc .)
        t_is "$(jq -c . "$T_WORK/img1/descriptors.json")" "$want" "descriptors.json names the init's stdio outside the container as CRIU's external files"
        err=$(rs checkpoint --leave-running --pre-dump --image-path "$T_WORK/img2" "$id" 2>&1)
        t_is "$?:$err" "1:runscope: checkpoint of $id refused: criu cannot run on this host: criu check: $why" \
                "a pre-dump where criu cannot run says the same"
        untouched "$id" "pre-dump where criu cannot run"
else
        for w in "fails with one line" "which is criu check's own line" "state unchanged" "still counts" "unit active" "descriptors.json" \
                 "a pre-dump says the same" "pre-dump: state unchanged" "pre-dump: still counts" "pre-dump: unit active"; do
                t_skip "checkpoint where criu cannot run: $w" "${CRIU:+criu check passes here}${CRIU:-criu is not installed here}"
        done
fi

err=$(rs checkpoint --manage-cgroups-mode props "$id" 2>&1)
t_is "$?:$err" "1:runscope: --manage-cgroups-mode props: use soft, full, strict or ignore" \
        "checkpoint refuses a cgroups mode runc does not know"
rs pause "$id"
err=$(rs checkpoint --image-path "$T_WORK/img3" "$id" 2>&1)
t_is "$?:$err" "1:runscope: cannot checkpoint container $id: it is paused (resume it first)" \
        "a paused container is not checkpointed"
rs resume "$id"
err=$(rs checkpoint --image-path "$T_WORK/img3" nosuch 2>&1)
t_is "$?:$err" "1:runscope: container nosuch does not exist" "checkpoint of no container fails"

# restore: an image directory as a checkpoint leaves it (descriptors.json), under a new id.
img=$T_WORK/img
mkdir -p "$img"
echo '["/dev/null","/dev/null","/dev/null"]' >"$img/descriptors.json"
rid=$(t_id)
criu_root_mounts() { grep -c "criu-root" /proc/self/mountinfo; }
err=$(PATH=$NOCRIU_PATH "$RUNSCOPE" --root "$T_ROOT" restore -d -b "$B" --image-path "$img" "$rid" 2>&1)
t_is "$?:$(wc -l <<<"$err")" "1:1" "restore without criu fails with one line"
t_match "$err" "^runscope: restore of $rid refused: criu is not installed" "... which says there is no criu"
t_ok "... and leaves nothing" nothing_left "$rid" "runscope-$rid.scope"

expect_clean 1 "restore from a missing image directory" "^runscope: --image-path $T_WORK/nosuch: No such file or directory$" \
        "$rid" restore -d -b "$B" --image-path "$T_WORK/nosuch" "$rid"
expect_clean 1 "restore with --manage-cgroups-mode full" \
        "^runscope: --manage-cgroups-mode full: CRIU would write cgroup limits of the scope systemd makes" \
        "$rid" restore -d -b "$B" --image-path "$img" --manage-cgroups-mode full "$rid"
err=$(rs restore -d -b "$B" --image-path "$img" "$id" 2>&1)
t_is "$?" 1 "restore under an id in use fails"
t_match "$err" "$id" "... naming the id"
untouched "$id" "a restore under its id"

if [ -n "$CRIU" ] && ! criu check >/dev/null 2>&1; then
        # The whole path up to criu: the scope is made with criu in it, then everything goes.
        expect_clean 1 "restore where criu cannot run" \
                "^runscope: restore of $rid refused: criu cannot run on this host: criu check: $(printf '%s' "$why" | sed 's/[][().*^$]/\\&/g')$" \
                "$rid" restore -d -b "$B" --image-path "$img" "$rid"
        t_is "$(criu_root_mounts)" 0 "... leaves no criu-root mount"
        t_is "$(pgrep -x criu | wc -l)" 0 "... and no criu process"
else
        for w in "exits 1" "one line of error" "the error names what is wrong" "nothing is left" "no criu-root mount" "no criu process"; do
                t_skip "restore where criu cannot run: $w" "${CRIU:+criu check passes here}${CRIU:-criu is not installed here}"
        done
fi

rs delete -f "$id"
t_ok "the container is deleted as any other" nothing_left "$id" "runscope-$id.scope"
t_done
