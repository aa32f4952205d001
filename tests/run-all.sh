#!/bin/bash
# The whole test suite, from a fresh Debian 12 as root: installs what is missing, builds with
# warnings as errors, runs the unit tests (make check, and under the sanitizers), the fuzzers
# briefly, cppcheck and clang-tidy, checks `make install`, builds the Debian package and tries it in
# the sandbox (tests/test-deb.sh), and runs the integration tests in a systemd (a private one when
# PID 1 is not systemd), then again with the sanitizer build, and last the tests of tests/vm/ in a
# Debian 13 guest under QEMU. Last line: "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

pass=0 fail=0 skip=0
count() { pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3)); }
# tally PREFIX FILE: counts FILE's last "PREFIX: N passed, N failed, N skipped" line (a failure if none).
tally() {
        local line
        line=$(grep "^$1: " "$2" | tail -n1)
        if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped ]]; then
                count "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
        else
                count 0 1 0
        fi
}

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

echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
# A copy of the tree built with the sanitizers; LeakSanitizer counts leaks as failures.
asan=$(mktemp -d /tmp/runscope-asan.XXXXXX)
if git -C "$top" ls-files -z | (cd "$top" && xargs -0 cp --parents -t "$asan") &&
   (cd "$asan" && autoreconf -fi >/dev/null 2>&1 &&
    ./configure -q CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
        LDFLAGS="-fsanitize=address,undefined" >/dev/null &&
    make -s -j"$(nproc)" all tests/runscope-faults tests/console-recv tests/seccomp-agent tests/seccomp-enosys \
        tests/unit/test-util tests/unit/test-spec tests/unit/test-state tests/unit/test-bus tests/unit/test-wire tests/unit/test-wire-stream tests/unit/test-wire-msg >/dev/null 2>&1); then
        for t in util spec state bus wire wire-stream wire-msg; do
                if ASAN_OPTIONS=detect_leaks=1 "$asan/tests/unit/test-$t" >"$asan/$t.log" 2>&1; then
                        echo "ok - test-$t is clean under ASan, LSan and UBSan"
                        count 1 0 0
                else
                        sed 's/^/# /' "$asan/$t.log" | tail -20
                        echo "not ok - test-$t under the sanitizers"
                        count 0 1 0
                fi
        done
else
        echo "not ok - the sanitizer build"
        count 0 1 0
        rm -rf "$asan"
        asan=""
fi

echo "== unit tests under valgrind memcheck"
# Any memcheck error or leak fails the program (exit 99); a test that needs what this valgrind
# does not know (pidfd_open in 3.19) says so as a TAP skip.
for t in util spec state bus wire wire-stream wire-msg; do
        if valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
                "tests/unit/test-$t" >/tmp/runscope-vg.$$ 2>&1 && ! grep -q "^not ok" /tmp/runscope-vg.$$; then
                echo "ok - test-$t is clean under valgrind memcheck"
                count 1 0 0
        else
                sed 's/^/# /' /tmp/runscope-vg.$$ | grep -v "^# runscope: " | tail -20
                echo "not ok - test-$t under valgrind memcheck"
                count 0 1 0
        fi
        grep "# SKIP" /tmp/runscope-vg.$$ | sed "s/^/# test-$t: /"
        count 0 0 "$(grep -c "# SKIP" /tmp/runscope-vg.$$)"
done
rm -f /tmp/runscope-vg.$$

echo "== fuzzing: each libFuzzer target for 10 s from its corpus (tests/fuzz/run.sh)"
tests/fuzz/run.sh 10 >/tmp/runscope-fuzz.$$ 2>&1
cat /tmp/runscope-fuzz.$$
tally fuzz /tmp/runscope-fuzz.$$
rm -f /tmp/runscope-fuzz.$$

echo "== cppcheck"
if cppcheck -q --enable=warning,portability --std=c11 --error-exitcode=1 -Isrc --include=config.h src \
        >/tmp/runscope-cppcheck.$$ 2>&1; then
        echo "ok - cppcheck finds nothing in src/"
        count 1 0 0
else
        sed 's/^/# /' /tmp/runscope-cppcheck.$$ | head -30
        echo "not ok - cppcheck"
        count 0 1 0
fi
rm -f /tmp/runscope-cppcheck.$$

echo "== clang-tidy"
# The checks are in .clang-tidy, with why each one left out is. It needs config.h, which setup made.
if clang-tidy -quiet $(git ls-files 'src/*.c' 'src/**/*.c') -- -std=gnu11 -Isrc -Itests -I. -include config.h \
        -DTEST_DATA='""' $(pkg-config --cflags libsystemd libseccomp libcjson libcap) >/tmp/runscope-tidy.$$ 2>&1 &&
   ! grep -q "warning:\|error:" /tmp/runscope-tidy.$$; then
        echo "ok - clang-tidy finds nothing in src/"
        count 1 0 0
else
        grep -v "warnings\? generated\.$" /tmp/runscope-tidy.$$ | sed 's/^/# /' | head -40
        echo "not ok - clang-tidy"
        count 0 1 0
fi
rm -f /tmp/runscope-tidy.$$

echo "== make install"
dest=$(mktemp -d /tmp/runscope-install.XXXXXX)
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
compdir=$(pkg-config --variable=completionsdir bash-completion)
# loads CMD: bash-completion's own loader, pointed at what was installed, finds CMD's completion there.
loads() {
        BASH_COMPLETION_USER_DIR=$dest${compdir%/completions} bash -c \
                '. /usr/share/bash-completion/bash_completion && __load_completion "$1" && complete -p "$1"' - "$1" 2>/dev/null |
                grep -q " $1\$"
}
if make -s install DESTDIR="$dest" >/dev/null 2>&1 && [ -x "$dest/usr/local/bin/runscope" ] &&
   [ -x "$dest/usr/local/bin/runscope-run" ] && [ -f "$dest/usr/local/share/man/man8/runscope.8" ] &&
   [ -f "$dest/usr/local/share/man/man1/runscope-run.1" ] && [ -f "$dest/usr/local/share/man/man8/runscope@.service.8" ] &&
   grep -q "ExecStart=/usr/local/bin/runscope run --keep-unit" "$dest$unitdir/runscope@.service" &&
   [ -f "$dest$compdir/runscope" ] && [ -f "$dest$compdir/runscope-run" ] && loads runscope && loads runscope-run; then
        echo "ok - make install puts runscope, runscope-run, the man pages, runscope@.service and the bash completions in place"
        count 1 0 0
else
        echo "not ok - make install"
        count 0 1 0
fi
rm -rf "$dest"

echo "== the Debian package: built, linted, installed in the sandbox, demo run (tests/test-deb.sh)"
tests/test-deb.sh >/tmp/runscope-deb.$$ 2>&1
cat /tmp/runscope-deb.$$
tally deb /tmp/runscope-deb.$$
rm -f /tmp/runscope-deb.$$

echo "== integration tests"
tests/integration/run.sh >/tmp/runscope-it.$$ 2>&1
cat /tmp/runscope-it.$$
tally integration /tmp/runscope-it.$$
rm -f /tmp/runscope-it.$$

echo "== integration tests again, with runscope built with AddressSanitizer and UndefinedBehaviorSanitizer"
# Leaks are LeakSanitizer's job in the unit tests above: it hangs at exit in a runscope that has
# setns'd into a container's pid namespace. The probe is static, so it comes from the normal build.
if [ -n "$asan" ]; then
        cp tests/probe "$asan/tests/probe"
        ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 "$asan/tests/integration/run.sh" \
                >/tmp/runscope-it-asan.$$ 2>&1
        cat /tmp/runscope-it-asan.$$
        if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" /tmp/runscope-it-asan.$$; then
                echo "not ok - a sanitizer reported an error (above)"
                count 0 1 0
        fi
        tally integration /tmp/runscope-it-asan.$$
        rm -f /tmp/runscope-it-asan.$$
        rm -rf "$asan"
fi

echo "== the modern-host tier: a Debian 13 guest under QEMU, systemd 257, pure cgroup v2 (tests/vm/run.sh)"
# A guest that cannot be built or booted counts as a failure (run.sh says so in its last line).
tests/vm/run.sh >/tmp/runscope-vm.$$ 2>&1
cat /tmp/runscope-vm.$$
tally vm /tmp/runscope-vm.$$
rm -f /tmp/runscope-vm.$$

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
