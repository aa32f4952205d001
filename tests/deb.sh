#!/bin/bash
# Builds runscope's Debian package from this tree (debian/: dpkg-buildpackage -us -uc -b) in a
# temporary copy, so that neither the tree nor its parent directory gets a build product, then runs
# lintian on the .deb. Installs what the build needs first (dpkg-checkbuilddeps says what).
# Usage: tests/deb.sh [OUTDIR]: the .deb, the build log and lintian's report go to OUTDIR (default:
# a new directory under /tmp); the last line printed is the .deb's path. Exits 1 when the build
# fails or lintian reports an error (debian/source/lintian-overrides explains the ones it may not).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d /tmp/runscope-deb.XXXXXX)}
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1

cd "$top" || exit 1
needs=(dpkg-dev debhelper lintian)
for p in "${needs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# "Unmet build dependencies: a b (>= 1) c | d": the first of each alternative, without versions.
unmet=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/^.*Unmet build dependencies: //p' |
        sed 's/([^)]*)//g; s/|[^ ]*//g; s/  */ /g')
missing+=($unmet)
if [ ${#missing[@]} -gt 0 ]; then
        echo "deb: installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
                "${missing[@]}" >/dev/null || exit 1
fi

version=$(dpkg-parsechangelog -S Version) || exit 1
work=$(mktemp -d /tmp/runscope-debbuild.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
src=$work/runscope-$version
mkdir "$src"
# The files of the tree, tracked or new, without what a build in it made (as .gitignore says).
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$top" ls-files -z --cached --others --exclude-standard | (cd "$top" && xargs -0 cp --parents -t "$src")
else
        cp -a "$top/." "$src" && make -C "$src" -s distclean >/dev/null 2>&1
fi
# Deleted in the working tree but still tracked: the copy skips it.
[ -f "$src/debian/control" ] || { echo "deb: no debian/control in $top" >&2; exit 1; }

echo "deb: building runscope $version in $work"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
        tail -n 40 "$out/build.log" | sed 's/^/# /'
        echo "deb: dpkg-buildpackage failed (all of it: $out/build.log)" >&2
        exit 1
fi
deb=$(ls "$work"/runscope_"$version"_*.deb)
cp "$deb" "$work"/*.buildinfo "$work"/*.changes "$out/"
deb=$out/$(basename "$deb")

# Errors fail; warnings and the rest are shown. Overrides are in the package (debian/source/...).
lintian --fail-on error --display-info --tag-display-limit 0 "$deb" >"$out/lintian.txt" 2>&1
rc=$?
sed 's/^/# lintian: /' "$out/lintian.txt"
if [ "$rc" != 0 ]; then
        echo "deb: lintian reports an error in $(basename "$deb")" >&2
        exit 1
fi
echo "$deb"
