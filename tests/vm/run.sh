#!/bin/bash
# The modern-host tier: boots the guest that tests/vm/build.sh makes (Debian 13, kernel 6.12,
# systemd 257 as PID 1, pure cgroup v2, AppArmor on) in QEMU, with this checkout shared read-only
# at the same absolute path (no guest can change or delete a file of it), and runs each
# tests/vm/test-*.sh there as root, as a systemd service of its own, with the binaries built on
# the host; their output comes back through a second share, a fresh directory of this run. Files
# with a header line "# vm-boot: selinux" run in a second boot with SELinux (permissive) instead
# of AppArmor. Prints each file's TAP and, last, "vm: N passed, N failed, N skipped".
# Usage: run.sh [test-file...]
#   RUNSCOPE_VM_TIMEOUT       seconds a boot may take in all (default 3000: the AppArmor boot runs
#                             some 17 files one after another under TCG), then QEMU is killed
#   RUNSCOPE_VM_FILE_TIMEOUT  seconds one test file may run in the guest (default 900)
#   RUNSCOPE_VM_MEMORY        the guest's memory in MiB (default 3072)
#   RUNSCOPE_VM_ACCEL         kvm or tcg to skip the probe (default: KVM if it boots this kernel)
#   RUNSCOPE_VM_TCG_THREAD    single (default) or multi: QEMU's TCG threads
#   RUNSCOPE_VM_DEBUG=1       also print what took the boot's time (systemd-analyze) and the console
#   RUNSCOPE_VM_KEEP=DIR      copy what each file wrote under $RUNSCOPE_VM_ARTIFACTS in the guest to
#                             DIR/NAME, NAME the file's name without .sh (bench/vm.sh's result)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

boot_timeout=${RUNSCOPE_VM_TIMEOUT:-3000}
file_timeout=${RUNSCOPE_VM_FILE_TIMEOUT:-900}
memory=${RUNSCOPE_VM_MEMORY:-3072}
# modprobe.blacklist: what udev would load for QEMU's emulated hardware (the CPU's SVM, PIIX's IDE,
# the PC speaker, the PS/2 mouse...), which only costs the slow guest CPU time while the tests run.
cmdline="console=ttyS0 root=/dev/vda rw systemd.unified_cgroup_hierarchy=1 panic=-1 mitigations=off quiet
modprobe.blacklist=kvm,kvm_amd,kvm_intel,ata_piix,pata_acpi,ata_generic,floppy,pcspkr,powernow_k8,acpi_cpufreq,psmouse,serio_raw,i2c_piix4,drm,efi_pstore"
cmdline=${cmdline//$'\n'/ }

bail() {
        echo "Bail out! $*"
        echo "vm: 0 passed, 1 failed, 0 skipped"
        exit 1
}

[ "$(id -u)" = 0 ] || bail "the VM tier needs root"
for f in runscope runscope-run tests/probe tests/runscope-faults tests/console-recv tests/seccomp-agent tests/seccomp-enosys; do
        [ -x "$f" ] || bail "$f is not built: run make first"
done

# The test files, as paths below the checkout (the guest sees only the checkout).
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(tests/vm/test-*.sh)
files=()
for f in "${args[@]}"; do
        abs=$(realpath -e -- "$f" 2>/dev/null) || bail "$f: no such test file"
        case $abs in
        "$top"/*) files+=("${abs#"$top"/}") ;;
        *) bail "$f is not in the checkout $top, which is all the guest sees" ;;
        esac
done
apparmor_files=() selinux_files=()
for f in "${files[@]}"; do
        if grep -q '^# vm-boot: selinux$' "$f"; then selinux_files+=("$f"); else apparmor_files+=("$f"); fi
done

image=$(tests/vm/build.sh) || bail "the guest could not be built (tests/vm/build.sh)"
# Held shared while the image is used: build.sh removes no image that a run holds.
exec {image_fd}<"$image" && flock -s "$image_fd" && [ -f "$image/ok" ] ||
        bail "the guest image $image went away (a build of another checkout's removed it): run again"

run=$(mktemp -d /tmp/runscope-vm.XXXXXX) || bail "no temporary directory"
qpid=
cleanup() {
        if [ -n "$qpid" ]; then
                kill -KILL "$qpid" 2>/dev/null
                wait "$qpid" 2>/dev/null
        fi
        rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# qemu NAME TIMEOUT CMDLINE QEMU-ARG...: runs QEMU on the image, its serial console into
# $run/NAME/console.log, for at most TIMEOUT seconds (then it is killed). Returns QEMU's status,
# 124 on the timeout.
qemu() {
        local d=$run/$1 limit=$2 append=$3 start=$SECONDS rc
        shift 3
        mkdir -p "$d"
        # snapshot=on: the guest's writes go to a temporary overlay in TMPDIR, never to root.img.
        TMPDIR=$d qemu-system-x86_64 -nodefaults -display none -no-reboot -machine pc "${accel[@]}" \
                -smp 2 -m "$memory" -kernel "$image/vmlinux" -initrd "$image/initrd.cpio" -append "$append" \
                -drive "file=$image/root.img,if=virtio,format=raw,snapshot=on" -device virtio-rng-pci \
                -serial "file:$d/console.log" "$@" >"$d/qemu.log" 2>&1 </dev/null &
        qpid=$!
        while kill -0 "$qpid" 2>/dev/null && [ $((SECONDS - start)) -lt "$limit" ]; do
                sleep 1
        done
        if kill -0 "$qpid" 2>/dev/null; then
                kill -KILL "$qpid"
                wait "$qpid" 2>/dev/null
                rc=124
        else
                wait "$qpid"
                rc=$?
        fi
        qpid=
        return "$rc"
}

# KVM only when it boots this kernel (a PVM /dev/kvm runs no stock kernel): the initramfs powers
# off at once when told runscope.probe.
accel_name=${RUNSCOPE_VM_ACCEL:-}
if [ -z "$accel_name" ]; then
        accel_name=tcg
        if [ -c /dev/kvm ] && [ -w /dev/kvm ]; then
                accel=(-accel kvm -cpu host)
                qemu probe 30 "console=ttyS0 panic=-1 runscope.probe" &&
                        grep -q "runscope-vm: probe ok" "$run/probe/console.log" && accel_name=kvm
        fi
fi
case $accel_name in
kvm) accel=(-accel kvm -cpu host) ;;
# One host thread for both vCPUs: with thread=multi the guest's kernel oopsed on the int3 of its
# own live code patching (text_poke_bp, a static key flipped while systemd set up cgroups) in 2 of
# some 20 boots: the other vCPU ran a stale translation of the patched code.
tcg) accel=(-accel tcg,thread="${RUNSCOPE_VM_TCG_THREAD:-single}" -cpu max) ;;
*) bail "RUNSCOPE_VM_ACCEL=$accel_name: kvm or tcg" ;;
esac

pass=0 fail=0 skip=0
# boot NAME EXTRA-CMDLINE FILE...: one boot of the guest that runs FILE... and accounts for them.
boot() {
        local name=$1 extra=$2 d=$run/$1 out=$run/$1/out start=$SECONDS rc f i=0
        shift 2
        mkdir -p "$out"
        cp tests/vm/in-guest.sh "$out/in-guest.sh"
        {
                printf 'top=%q\ntimeout=%q\ndebug=%q\nfiles=(' "$top" "$file_timeout" "${RUNSCOPE_VM_DEBUG:-}"
                printf '%q ' "$@"
                printf ')\n'
        } >"$out/job"
        local try
        for try in 1 2; do
                qemu "$name" "$boot_timeout" "$cmdline $extra" \
                        -virtfs "local,path=$top,mount_tag=rstop,security_model=none,readonly=on" \
                        -virtfs "local,path=$out,mount_tag=rsout,security_model=mapped-xattr"
                rc=$?
                # Under TCG the guest's kernel has, rarely, oopsed in its first seconds (seen once
                # in some twenty boots, in sched_clock_cpu): a guest that stopped before it reached
                # the tests is booted once more, and says so. A timeout is not retried.
                [ "$try" = 1 ] && [ "$rc" != 124 ] && [ ! -f "$out/guest" ] || break
                echo "# $name boot: the guest stopped (QEMU exit $rc) before the tests; booting it again; its console:"
                grep -A 30 -m 1 -e "Oops" -e "Kernel panic" -e "BUG:" "$d/console.log" | sed 's/^/#   /'
                tail -n 5 "$d/console.log" | sed 's/^/#   /'
                find "$out" -mindepth 1 ! -name job ! -name in-guest.sh -delete
                start=$SECONDS
                touch "$out/job"
        done
        local secs=$((SECONDS - start))
        if [ -f "$out/guest" ]; then
                sed "s/^/# $name boot: /" "$out/guest"
                echo "# $name boot: $(($(stat -c %Y "$out/guest") - $(stat -c %Y "$out/job"))) s from QEMU's start to the tests, $secs s in all ($accel_name)"
        else
                echo "# $name boot: the guest never ran its tests (QEMU exit $rc after $secs s); its console:"
                tail -n 40 "$d/console.log" 2>/dev/null | sed 's/^/#   /'
                sed 's/^/#   qemu: /' "$d/qemu.log" 2>/dev/null
        fi
        if [ -n "${RUNSCOPE_VM_DEBUG:-}" ]; then
                sed "s/^/# $name boot: /" "$out/debug" 2>/dev/null
                sed "s/^/# $name console: /" "$d/console.log"
        fi
        [ "$rc" = 124 ] && echo "not ok - the $name boot timed out after $boot_timeout s (QEMU killed)" && fail=$((fail + 1))
        [ -f "$out/error" ] && sed 's/^/# guest: /' "$out/error"
        for f in "$@"; do
                i=$((i + 1))
                echo "# $f ($name boot)"
                local text="" frc=none
                [ -f "$out/$i.out" ] && text=$(tr -d '\0' <"$out/$i.out")
                [ -f "$out/$i.rc" ] && frc=$(cat "$out/$i.rc")
                [ -n "$text" ] && echo "$text"
                if [ -n "${RUNSCOPE_VM_KEEP:-}" ] && [ -d "$out/artifacts/$i" ]; then
                        mkdir -p "$RUNSCOPE_VM_KEEP/$(basename "$f" .sh)" &&
                                cp -R "$out/artifacts/$i/." "$RUNSCOPE_VM_KEEP/$(basename "$f" .sh)/"
                fi
                local p s n planned
                p=$(grep -cE '^ok [0-9]+' <<<"$text" | tr -d ' ')
                s=$(grep -cE '^ok [0-9]+ .*# SKIP' <<<"$text" | tr -d ' ')
                n=$(grep -cE '^not ok [0-9]+' <<<"$text" | tr -d ' ')
                pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + n))
                planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$text" | tail -n1)
                if [ "$frc" != 0 ] || [ -z "$planned" ] || [ "$planned" != $((p + n)) ]; then
                        echo "not ok - $f ended badly (exit $frc, plan '${planned}', ran $((p + n)))"
                        fail=$((fail + 1))
                fi
        done
        if [ -f "$out/journal" ]; then
                echo "# $name boot: the guest's journal, last lines"
                tail -n 60 "$out/journal" | sed 's/^/#   /'
        fi
}

tier_start=$SECONDS
[ ${#apparmor_files[@]} -gt 0 ] && boot apparmor "" "${apparmor_files[@]}"
[ ${#selinux_files[@]} -gt 0 ] && boot selinux "security=selinux enforcing=0" "${selinux_files[@]}"
echo "# vm: $((SECONDS - tier_start)) s for ${#files[@]} file(s), image $(basename "$image")"
echo "vm: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
