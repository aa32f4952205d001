#!/bin/bash
# The whole test suite, from a fresh Debian 12 as root: installs what is missing, builds with
# warnings as errors, runs the unit tests (make check), checks `make install`, and runs the
# integration tests in a systemd (a private one when PID 1 is not systemd). Last line:
# "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

pass=0 fail=0 skip=0
count() { pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3)); }

if ! tests/setup.sh; then
        echo "setup or build failed"
        echo "0 passed, 1 failed, 0 skipped"
        exit 1
fi

echo "== unit tests (make check)"
make -s check >/tmp/runscope-check.$$ 2>&1
cat /tmp/runscope-check.$$
num() { sed -n "s/^# $1: *\([0-9]*\)$/\1/p" /tmp/runscope-check.$$ | tail -n1; }
p=$(num PASS) f=$(num FAIL) e=$(num ERROR) s=$(num SKIP)
if [ -z "$p" ]; then
        count 0 1 0
        echo "make check did not run"
else
        count "$p" $((f + e)) "$s"
fi
rm -f /tmp/runscope-check.$$

echo "== make install"
dest=$(mktemp -d /tmp/runscope-install.XXXXXX)
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
if make -s install DESTDIR="$dest" >/dev/null 2>&1 && [ -x "$dest/usr/local/bin/runscope" ] &&
   [ -x "$dest/usr/local/bin/runscope-run" ] && [ -f "$dest/usr/local/share/man/man8/runscope.8" ] &&
   [ -f "$dest/usr/local/share/man/man1/runscope-run.1" ] && [ -f "$dest/usr/local/share/man/man8/runscope@.service.8" ] &&
   grep -q "ExecStart=/usr/local/bin/runscope run --keep-unit" "$dest$unitdir/runscope@.service"; then
        echo "ok - make install puts runscope, runscope-run, the man pages and runscope@.service in place"
        count 1 0 0
else
        echo "not ok - make install"
        count 0 1 0
fi
rm -rf "$dest"

echo "== integration tests"
tests/integration/run.sh >/tmp/runscope-it.$$ 2>&1
cat /tmp/runscope-it.$$
line=$(grep '^integration: ' /tmp/runscope-it.$$ | tail -n1)
if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped ]]; then
        count "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
else
        count 0 1 0
fi
rm -f /tmp/runscope-it.$$

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
