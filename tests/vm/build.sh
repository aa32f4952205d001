#!/bin/bash
# Builds the guest of the modern-host tier, from Debian packages only, and caches it: a Debian 13
# (trixie) root image (systemd 257 as PID 1, the packages of tests/vm/packages), trixie's kernel
# as an uncompressed vmlinux, and a small busybox initramfs that mounts /dev/vda and hands over to
# systemd. Prints the directory that holds vmlinux, initrd and root.img (the cache key is a hash of
# this script, the package list and tests/vm/guest/*). The host's apt stays on bookworm: trixie is
# read through a private apt configuration. Needs root; installs the host tools it uses.
#   RUNSCOPE_VM_CACHE  where images are kept (default /var/cache/runscope-vm)
#   RUNSCOPE_VM_MIRROR Debian mirror (default http://deb.debian.org/debian)
set -euo pipefail
vmdir=$(cd "$(dirname "$0")" && pwd)
cache=${RUNSCOPE_VM_CACHE:-/var/cache/runscope-vm}
mirror=${RUNSCOPE_VM_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
suite=trixie
keep=3 # images of other keys kept (other checkouts may use them), the most recently used first

say() { echo "vm-build: [$((SECONDS - ${start:-SECONDS}))s] $*" >&2; }

key=$(cd "$vmdir" && cat build.sh packages guest/* | sha256sum | cut -c1-16)
out=$cache/$key
if [ -f "$out/ok" ]; then
        touch "$out"
        echo "$out"
        exit 0
fi

if [ "$(id -u)" != 0 ]; then
        say "building the guest needs root"
        exit 1
fi

host_packages=(qemu-system-x86 mmdebstrap zstd xz-utils e2fsprogs cpio busybox-static debian-archive-keyring)
missing=()
for p in "${host_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
        apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# One build at a time: a second caller waits, then finds the image made.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/ok" ]; then
        echo "$out"
        exit 0
fi
# Left by a build that died (we hold the lock, so none is running).
rm -rf "$cache"/.build.*

start=$SECONDS
tmp=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

# trixie's package lists and its kernel, through an apt configuration of our own.
mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial" "$tmp/deb"
echo "deb [signed-by=$keyring] $mirror $suite main" >"$tmp/apt/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$tmp/apt/sources.list" -o Dir::Etc::sourceparts=-
          -o "Dir::State::Lists=$tmp/apt/lists" -o "Dir::Cache=$tmp/apt/cache"
          -o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
say "reading $suite's package lists"
apt-get "${apt_opts[@]}" update -qq >/dev/null
kpkg=$(apt-cache "${apt_opts[@]}" depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
[ -n "$kpkg" ] || { say "no kernel package behind $suite's linux-image-amd64"; exit 1; }
kver=${kpkg#linux-image-}
(cd "$tmp/deb" && apt-get "${apt_opts[@]}" download -qq "$kpkg" >/dev/null)

mapfile -t packages < <(sed 's/#.*//; s/[[:space:]]//g; /^$/d' "$vmdir/packages")
say "mmdebstrap $suite: ${#packages[@]} packages and $kpkg (a few minutes)"
# In a mount namespace of its own: the /proc, /sys and /dev that mmdebstrap mounts in the tree
# cannot outlive it on the host. No fsync (a failed build is thrown away), no manuals or
# translations.
unshare --mount --propagation private mmdebstrap --mode=root --variant=minbase --quiet \
        --include="$(IFS=,; echo "${packages[*]}")" \
        --aptopt='APT::Install-Recommends "false"' --dpkgopt=force-unsafe-io \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --customize-hook="dpkg-deb -x $tmp/deb/${kpkg}_*.deb \"\$1\"" \
        --customize-hook="chroot \"\$1\" depmod -a $kver" \
        "$suite" "$root" "deb [signed-by=$keyring] $mirror $suite main" >&2

# The kernel: trixie's bzImage holds a zstd-compressed vmlinux; booting the ELF vmlinux directly
# (QEMU's PVH entry) skips the decompressor, which is slow under TCG.
bz=$root/boot/vmlinuz-$kver
off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$bz" | head -n1 | cut -d: -f1)
[ -n "$off" ] || { say "no zstd frame in $bz"; exit 1; }
tail -c +$((off + 1)) "$bz" | zstd -dcq 2>/dev/null >"$tmp/vmlinux" || true # trailing data after the frame
[ "$(head -c 4 "$tmp/vmlinux" | od -An -c | tr -d ' ')" = 177ELF ] || { say "$bz: no ELF vmlinux in it"; exit 1; }

# The initramfs: busybox, the modules to reach /dev/vda and the 9p shares, and guest/init.
ird=$tmp/initrd
mkdir -p "$ird"/{bin,dev,proc,sys,lib/modules,newroot}
cp "$root/bin/busybox" "$ird/bin/busybox"
cp "$vmdir/guest/init" "$ird/init"
chmod 755 "$ird/init"
: >"$ird/modules"
# modprobe of the guest, in its tree: the host may have no kmod.
for m in virtio_pci virtio_blk virtio_rng ext4 9p 9pnet_virtio overlay; do
        chroot "$root" modprobe -S "$kver" --show-depends "$m" || { say "no module $m in $kpkg"; exit 1; }
done >"$tmp/depends"
while read -r verb path _; do
        [ "$verb" = insmod ] || continue
        name=$(basename "$path")
        name=${name%.xz}
        name=${name%.zst}
        grep -qxF "$name" "$ird/modules" && continue
        case $path in
        *.xz) xz -dc "$root$path" >"$ird/lib/modules/$name" ;;
        *.zst) zstd -dcq "$root$path" >"$ird/lib/modules/$name" ;;
        *) cp "$root$path" "$ird/lib/modules/$name" ;;
        esac
        echo "$name" >>"$ird/modules"
done <"$tmp/depends"
(cd "$ird" && find . | cpio -o -H newc --quiet) >"$tmp/initrd.cpio"

# The guest's configuration: the unit that runs run.sh's job, and what only slows the boot under
# TCG masked.
install -m 644 "$vmdir"/guest/*.service "$root/etc/systemd/system/"
echo runscope-vm >"$root/etc/hostname"
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
echo >>"$root/etc/machine-id"
: >"$root/etc/fstab"
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$root/etc/systemd/journald.conf.d/runscope-vm.conf"
printf 'SELINUX=permissive\nSELINUXTYPE=default\n' >"$root/etc/selinux/config"
units() { systemctl --root="$root" --quiet "$@"; }
units set-default multi-user.target
units enable runscope-vm.service
units mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
        e2scrub_reap.service fstrim.timer systemd-timesyncd.service serial-getty@ttyS0.service \
        getty@tty1.service getty.target systemd-firstboot.service systemd-tmpfiles-clean.timer \
        man-db.timer logrotate.timer podman-auto-update.timer podman-clean-transient.timer \
        selinux-autorelabel-mark.service
# containerd is started by the tests that need it.
units disable containerd.service
units enable runscope-vm-warmup.service
rm -f "$root/.autorelabel"

size=$(( $(du -sm "$root" | cut -f1) * 5 / 4 + 3072 ))
mkfs.ext4 -q -F -L runscope-vm -d "$root" "$tmp/root.img" "${size}M" >&2

# The first boot, kept in the image (guest/runscope-vm-warmup.service): under TCG it takes minutes
# once here instead of a minute in every run.
say "first boot of the image (minutes under TCG)"
accel=(-accel tcg,thread=multi -cpu max)
[ "${RUNSCOPE_VM_ACCEL:-}" = kvm ] && accel=(-accel kvm -cpu host)
if ! timeout -k 10 1200 qemu-system-x86_64 -nodefaults -display none -no-reboot -machine pc "${accel[@]}" \
        -smp 2 -m 2048 -kernel "$tmp/vmlinux" -initrd "$tmp/initrd.cpio" -device virtio-rng-pci \
        -append "console=ttyS0 root=/dev/vda rw panic=-1 mitigations=off quiet runscope.warmup" \
        -drive "file=$tmp/root.img,if=virtio,format=raw" -serial "file:$tmp/warmup.log" </dev/null >&2 ||
   ! debugfs -R "stat /var/lib/runscope-vm-warm" "$tmp/root.img" 2>/dev/null | grep -q "^Inode:"; then
        say "the first boot of the image did not complete; its console:"
        tail -n 30 "$tmp/warmup.log" >&2
        exit 1
fi
e2fsck -fp "$tmp/root.img" >&2

mkdir "$tmp/image"
mv "$tmp/vmlinux" "$tmp/initrd.cpio" "$tmp/root.img" "$tmp/image/"
echo "$kver" >"$tmp/image/kernel-version"
echo "$((SECONDS - start))" >"$tmp/image/build-seconds"
: >"$tmp/image/ok"
mv "$tmp/image" "$out"
say "built $out in $((SECONDS - start)) s"

# Images of other keys: the $keep most recently used stay, unless a run holds them (flock -s).
ls -dt "$cache"/*/ 2>/dev/null | grep -vxF "$out/" | tail -n +$((keep + 1)) | while read -r old; do
        (flock -xn 8 && rm -rf "$old") 8<"$old" || true
done
echo "$out"
