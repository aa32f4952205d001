#!/bin/bash
# Installs every Debian package runscope needs to build and test, then builds it (warnings are
# errors). Idempotent: quiet when nothing is missing and the build is current.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

packages=(
        build-essential autoconf automake pkg-config
        libsystemd-dev libseccomp-dev libcjson-dev libcap-dev
        systemd systemd-container dbus util-linux procps psmisc
        busybox-static jq groff-base man-db bash-completion
        clang libclang-rt-14-dev cppcheck clang-tidy
        crun runc podman conmon catatonit containerd
        valgrind strace iproute2 uidmap criu
        python3-grpcio python3-protobuf python3-grpc-tools containernetworking-plugins
)
missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "setup: installing ${missing[*]}"
        if [ "$(id -u)" != 0 ]; then
                echo "setup: run as root to install packages" >&2
                exit 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
        autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
        ./configure -q CFLAGS="-O2 -g -Werror"
fi
make -s -j"$(nproc)" all tests/probe tests/runscope-faults tests/console-recv tests/seccomp-agent >/dev/null
