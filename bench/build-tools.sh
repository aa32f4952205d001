#!/bin/bash
# Builds bench/run.sh's measuring tools into DIR: bench-floor (bench/floor.c, run's floor) and
# bench-maxrss (bench/maxrss.c, the peak RSS of a command). On the host, for bench/run.sh and for
# bench/vm.sh's guest, which has no compiler. Usage: bench/build-tools.sh DIR
set -eu
cd "$(dirname "$0")/.."
dir=${1:?usage: bench/build-tools.sh DIR}
mkdir -p "$dir"
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -O2 -Wall -o "$dir/bench-floor" bench/floor.c $(pkg-config --cflags --libs libsystemd)
cc -O2 -Wall -o "$dir/bench-maxrss" bench/maxrss.c
