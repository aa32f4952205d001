# Sourced by tests and the demo: busybox rootfses and bundles, made offline from /bin/busybox and
# the static probe. Never pulls an image.

RUNSCOPE_TOP=${RUNSCOPE_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
RUNSCOPE=${RUNSCOPE:-$RUNSCOPE_TOP/runscope}
PROBE=${PROBE:-$RUNSCOPE_TOP/tests/probe}

# make_rootfs DIR: busybox with its applets as links, the probe at /bin/probe, a passwd file.
make_rootfs() {
        local dir=$1 applet
        mkdir -p "$dir"/{bin,proc,sys,dev,tmp,etc,root,var/empty}
        cp /bin/busybox "$dir/bin/busybox"
        for applet in sh ash true false sleep cat echo ls id hostname env ps mount touch mkdir rm test \
                      grep sed head wc stat readlink kill uname; do
                ln -sf busybox "$dir/bin/$applet"
        done
        cp "$PROBE" "$dir/bin/probe"
        chmod 1777 "$dir/tmp"
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
}

# make_bundle DIR ARGS...: a bundle whose config is `runscope spec` with process.args set to ARGS.
# Further changes: bundle_edit DIR JQ-FILTER.
make_bundle() {
        local dir=$1
        shift
        mkdir -p "$dir"
        [ -d "$dir/rootfs" ] || make_rootfs "$dir/rootfs"
        rm -f "$dir/config.json"
        "$RUNSCOPE" spec --bundle "$dir" || return 1
        local args="[]" a
        for a in "$@"; do args=$(jq -c --arg a "$a" '. + [$a]' <<<"$args"); done
        bundle_edit "$dir" --argjson args "$args" '.process.args = $args'
}

bundle_edit() {
        local dir=$1
        shift
        local tmp
        tmp=$(mktemp "$dir/.config.XXXXXX") || return 1
        if jq "${@:1:$#-1}" "${@: -1}" "$dir/config.json" >"$tmp" 2>&1; then
                mv "$tmp" "$dir/config.json"
        else
                cat "$tmp" >&2
                rm -f "$tmp"
                return 1
        fi
}
