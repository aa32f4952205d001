#!/bin/bash
# Builds the libFuzzer targets (tests/fuzz/fuzz-*.c) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer from the project's own sources (outside the gcc build), then runs each
# for SECONDS (default 20) from its seed corpus tests/fuzz/corpus/<target>/, which is never written
# to: new inputs go to tests/.work/fuzz/new/<target>/, a crashing input to tests/.work/fuzz/.
# Needs a configured tree (tests/setup.sh). Prints TAP and, last, "fuzz: N passed, N failed, N skipped".
# Usage: run.sh [SECONDS] [TARGET...]   (targets: spec state run-property annotation wire)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
secs=${1:-20}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(spec state run-property annotation wire)
out=$top/tests/.work/fuzz
pass=0 fail=0

bail() {
        echo "not ok - $1"
        echo "fuzz: 0 passed, 1 failed, 0 skipped"
        exit 1
}

[ -f config.h ] || bail "config.h is missing: run tests/setup.sh first"
command -v clang >/dev/null || bail "clang is not installed"
make -s src/spec/seccomp-default.inc || bail "generating src/spec/seccomp-default.inc"

# The modules the targets reach; src/launch, src/container*.c and src/cmd stay out.
sources=(src/util/*.c src/spec/*.c src/state/*.c src/bus/*.c)
# shellcheck disable=SC2207
cflags=(-std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
        -fno-sanitize-recover=all -I"$top/src" -I"$top" -include config.h
        $(pkg-config --cflags libsystemd libseccomp libcjson libcap))
# shellcheck disable=SC2207
# libsystemd too: fuzz-annotation calls it beyond what src/util/sd-shim.c forwards.
libs=($(pkg-config --libs libsystemd libseccomp libcjson libcap) -lm)
rm -rf "$out/obj" && mkdir -p "$out/obj" || bail "making $out/obj"

compile() { # SOURCE: one object; errors into build.log, a failure marked by the file "failed"
        clang "${cflags[@]}" -c "$1" -o "$out/obj/$(tr / _ <<<"${1%.c}").o" 2>>"$out/obj/build.log" ||
                touch "$out/obj/failed"
}
# Two compilers at a time at most: the machine is shared.
for s in "${sources[@]}"; do
        while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
        compile "$s" &
done
wait
if [ -e "$out/obj/failed" ] || ! ar rcs "$out/obj/libfuzzcore.a" "$out"/obj/src_*.o; then
        sed 's/^/# /' "$out/obj/build.log" | head -30
        bail "building the project's sources with clang"
fi

for t in "${targets[@]}"; do
        bin=$out/fuzz-$t
        if ! clang "${cflags[@]}" -fsanitize=fuzzer "tests/fuzz/fuzz-$t.c" "$out/obj/libfuzzcore.a" "${libs[@]}" \
                -o "$bin" 2>"$out/$t.log"; then
                sed 's/^/# /' "$out/$t.log" | head -30
                echo "not ok - fuzz-$t builds"
                fail=$((fail + 1))
                continue
        fi
        mkdir -p "$out/new/$t"
        dict=()
        [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
        # The seed corpus (regression inputs included) runs first, then SECONDS of mutations.
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
                -artifact_prefix="$out/crash-$t-" "${dict[@]}" "$out/new/$t" "tests/fuzz/corpus/$t" >"$out/$t.log" 2>&1
        rc=$?
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
        if [ $rc = 0 ]; then
                echo "ok - fuzz-$t: ${runs:-?} inputs in ${secs}s, no crash, leak or undefined behaviour"
                pass=$((pass + 1))
        else
                grep -E 'ERROR|SUMMARY|runtime error|Test unit written|^    #[0-9] ' "$out/$t.log" | head -25 | sed 's/^/# /'
                echo "not ok - fuzz-$t (exit $rc; log $out/$t.log)"
                fail=$((fail + 1))
        fi
done
echo "fuzz: $pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
