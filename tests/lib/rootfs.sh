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

# make_bundle DIR ARGS...: a bundle whose config is `runscope spec` with process.args set to ARGS,
# and no terminal (spec's default, as runc's, is one). Further changes: bundle_edit DIR JQ-FILTER.
make_bundle() {
        local dir=$1
        shift
        mkdir -p "$dir"
        [ -d "$dir/rootfs" ] || make_rootfs "$dir/rootfs"
        rm -f "$dir/config.json"
        "$RUNSCOPE" spec --bundle "$dir" || return 1
        local args="[]" a
        for a in "$@"; do args=$(jq -c --arg a "$a" '. + [$a]' <<<"$args"); done
        bundle_edit "$dir" --argjson args "$args" '.process.args = $args | .process.terminal = false'
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

# add_mounted_hook BUNDLE PATH: a createContainer hook (BUNDLE/mounted-hook) that fails unless PATH,
# a path of the container's, exists in its rootfs: the hook runs after the mounts, before
# pivot_root, and finds what they made there.
add_mounted_hook() {
        local dir=$1 path=$2
        cat >"$dir/mounted-hook" <<EOF
#!/bin/sh
test -e "$dir/rootfs$path" || { echo "hook: $path is not mounted yet" >&2; exit 1; }
EOF
        chmod +x "$dir/mounted-hook" &&
                bundle_edit "$dir" --arg hook "$dir/mounted-hook" '.hooks.createContainer = [{path: $hook}]'
}

# oci_blob BLOBS FILE: moves FILE into BLOBS under its sha256; sets digest and blob_size of the caller.
oci_blob() {
        digest=$(sha256sum "$2" | cut -d' ' -f1)
        blob_size=$(stat -c %s "$2")
        mv "$2" "$1/$digest"
}

# make_oci_image DIR NAME [ENTRYPOINT]: DIR/image.tar, an OCI image layout of one uncompressed layer
# holding make_rootfs, for `ctr image import` (named NAME through io.containerd.image.name). Offline.
# ENTRYPOINT, a JSON array, is the image's Entrypoint; without it, Cmd is /bin/sh.
make_oci_image() {
        local dir=$1 name=$2 entrypoint=${3:-null} blobs=$1/layout/blobs/sha256 digest blob_size
        mkdir -p "$blobs"
        make_rootfs "$dir/rootfs"
        tar -C "$dir/rootfs" --numeric-owner --owner=0 --group=0 -cf "$dir/layer" . || return 1
        oci_blob "$blobs" "$dir/layer"
        local layer="{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$digest\",\"size\":$blob_size}"
        jq -n --arg d "sha256:$digest" --argjson entrypoint "$entrypoint" '{architecture: "amd64", os: "linux",
                config: ({Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
                         + if $entrypoint then {Entrypoint: $entrypoint} else {Cmd: ["/bin/sh"]} end),
                rootfs: {type: "layers", diff_ids: [$d]}}' >"$dir/config" || return 1
        oci_blob "$blobs" "$dir/config"
        jq -n --argjson layer "$layer" --arg d "sha256:$digest" --argjson size "$blob_size" \
                '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
                  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $d, size: $size},
                  layers: [$layer]}' >"$dir/manifest" || return 1
        oci_blob "$blobs" "$dir/manifest"
        jq -n --arg d "sha256:$digest" --argjson size "$blob_size" --arg name "$name" \
                '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
                  digest: $d, size: $size, annotations: {"io.containerd.image.name": $name,
                  "org.opencontainers.image.ref.name": ($name | sub(".*:"; ""))}}]}' >"$dir/layout/index.json" || return 1
        echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/layout/oci-layout"
        tar -C "$dir/layout" -cf "$dir/image.tar" oci-layout index.json blobs
}
