#!/bin/bash
# The Debian package, as an admin gets it: tests/deb.sh builds it (lintian without errors), dpkg
# installs it in the private sandbox's overlay root (the host's dpkg database and /usr are never
# touched), everything is in Debian's places, nothing is enabled or started, the demo runs with the
# installed /usr/bin/runscope, runscope@.service runs a bundle, and dpkg --purge takes it all away.
# Prints TAP and last "deb: N passed, N failed, N skipped". Needs root; run by tests/run-all.sh.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tests/lib/sandbox.sh

n=0 pass=0 fail=0 skip=0
result() {
        n=$((n + 1))
        if [ "$1" = 0 ]; then echo "ok $n - $2"; pass=$((pass + 1)); else echo "not ok $n - $2"; fail=$((fail + 1)); fi
}
t_ok() { local d=$1; shift; "$@"; result $? "$d"; }
t_match() {
        [[ $1 =~ $2 ]]
        result $? "$3"
        [[ $1 =~ $2 ]] || printf '#   got:   %s\n#   match: %s\n' "$1" "$2" | head -20
}
finish() {
        echo "1..$n"
        echo "deb: $pass passed, $fail failed, $skip skipped"
        [ "$fail" = 0 ]
        exit
}

if sandbox_host_is_systemd; then
        # Installing would then be on this host itself: there is no overlay root to install into.
        n=$((n + 1)) skip=$((skip + 1))
        echo "ok $n - the package in a sandbox # SKIP PID 1 is systemd: no private overlay root to install into"
        finish
fi

out=$(mktemp -d /tmp/runscope-debtest.XXXXXX)
trap 'sandbox_stop; rm -rf "$out"' EXIT
trap 'sandbox_stop; rm -rf "$out"; exit 130' INT TERM
# make check has run already (make check, in run-all.sh and CI): the package's build need not.
DEB_BUILD_OPTIONS=nocheck tests/deb.sh "$out" >"$out/deb.out" 2>&1
rc=$?
grep '^# lintian' "$out/deb.out"
deb=$(tail -n1 "$out/deb.out")
t_ok "tests/deb.sh builds the package and lintian finds no error" test "$rc" = 0 -a -f "$deb"
[ "$rc" = 0 ] || { sed 's/^/# /' "$out/deb.out" | tail -n 30; finish; }
t_ok "... outside the tree and its parent" bash -c "[ -z \"\$(ls '$top'/../runscope_* '$top'/debian/runscope 2>/dev/null)\" ]"
host_before=$(dpkg-query -W -f='${Status}' runscope 2>&1)

if ! sandbox_start; then
        result 1 "the private systemd boots"
        finish
fi
# The sandbox has its own /tmp: the package goes in through a pipe.
sb sh -c 'cat >/tmp/runscope.deb' <"$deb"
sb dpkg -i /tmp/runscope.deb >"$out/dpkg.log" 2>&1
rc=$?
sed 's/^/# /' "$out/dpkg.log"
t_ok "dpkg -i installs it in the sandbox (its dependencies are there)" test "$rc" = 0
files=$(sb dpkg -L runscope)
for f in /usr/bin/runscope /usr/bin/runscope-run /usr/lib/systemd/system/runscope@.service \
         /usr/share/man/man8/runscope.8.gz /usr/share/man/man1/runscope-run.1.gz /usr/share/man/man8/runscope@.service.8.gz \
         /usr/share/bash-completion/completions/runscope /usr/share/bash-completion/completions/runscope-run \
         /usr/share/runscope/seccomp-default.json; do
        t_ok "it installs $f" grep -qx "$f" <<<"$files"
done
t_match "$(sb grep ^ExecStart= /usr/lib/systemd/system/runscope@.service)" "^ExecStart=/usr/bin/runscope run --keep-unit" \
        "runscope@.service runs the installed /usr/bin/runscope"
t_match "$(sb systemctl is-enabled runscope@x.service 2>&1)" "^disabled$" "... and is not enabled"
t_match "$(sb systemctl list-units --all --no-legend 'runscope*' 2>&1)" "^$" "... nor is anything of runscope loaded or started"
t_ok "the installed runscope-run knows its properties" sb bash -c '/usr/bin/runscope-run -p help | grep -qx MemoryMax'
t_match "$(sb ldd /usr/bin/runscope)" "libseccomp" "its libraries resolve (ldd)"
no_lib_missing() { ! sb ldd /usr/bin/runscope | grep -q 'not found'; }
t_ok "... with none missing" no_lib_missing

# The demo, with the installed binary.
sb env RUNSCOPE=/usr/bin/runscope bash tests/lib/demo.sh >"$out/demo.out" 2>&1
demo=$(sed 's/\x1b\[[0-9;]*m//g' "$out/demo.out")
sed 's/^/# /' <<<"$demo"
t_match "$demo" "runscope is /usr/bin/runscope \\(runscope version " "the demo runs the installed /usr/bin/runscope"
t_match "$demo" "hello from [^ ]+, pid 1 of its own pid namespace" "... its container runs"
t_match "$demo" "\\(exit status 3, the container's own\\)" "... and returns its status"
t_match "$demo" "MemoryMax=134217728" "... in a scope with the bundle's memory limit"
t_match "$demo" "inactive" "... which is gone after delete"

# runscope@.service with a bundle in the place the unit names.
sb bash -c '. tests/lib/rootfs.sh && RUNSCOPE=/usr/bin/runscope make_bundle /var/lib/runscope/bundles/debtest /bin/sleep 300' \
        >/dev/null 2>&1
# What an admin sees: no "changed on disk, run daemon-reload" (the package reloaded systemd).
t_match "$(sb systemctl start runscope@debtest.service 2>&1)" "^$" "systemctl start runscope@debtest says nothing"
t_match "$(sb systemctl is-active runscope@debtest.service)" "^active$" "... and runs the bundle"
t_match "$(sb /usr/bin/runscope state debtest | jq -r .status)" "^running$" "... as a container of the installed runscope"
sb systemctl stop runscope@debtest.service

sb dpkg --purge runscope >"$out/dpkg.log" 2>&1
t_ok "dpkg --purge removes it" test "$(sb dpkg-query -W -f='${Status}' runscope 2>&1 | grep -c 'install ok')" = 0
files_gone() { ! sb test -e /usr/bin/runscope && ! sb test -e /usr/lib/systemd/system/runscope@.service; }
t_ok "... and its files" files_gone
t_ok "the host's dpkg database and /usr never had it" \
        test "$(dpkg-query -W -f='${Status}' runscope 2>&1)" = "$host_before" -a ! -e /usr/lib/systemd/system/runscope@.service
finish
