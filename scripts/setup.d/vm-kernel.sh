#!/usr/bin/env bash
# setup.d/vm-kernel.sh - cache Debian's guest kernel for the vm driver.
#
# Resolves the real kernel package behind the linux-image-amd64 metapackage
# (e.g. linux-image-6.1.0-56-amd64), fetches it with `apt-get download` and
# unpacks boot/vmlinuz-* with dpkg-deb -x into a temporary directory, without
# installing it on the host. The result is <cache>/vm/vmlinuz, cache being
# $ISOBENCH_CACHE or /var/cache/isobench. Idempotent and quiet when present.
set -euo pipefail
cache=${ISOBENCH_CACHE:-/var/cache/isobench}
dest=$cache/vm/vmlinuz
mods="virtio/virtio_ring.ko virtio/virtio.ko virtio/virtio_mmio.ko block/virtio_blk.ko"
have=1
[ -s "$dest" ] || have=0
for m in $mods; do [ -s "$cache/vm/modules/$(basename "$m")" ] || have=0; done
[ "$have" = 1 ] && exit 0

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
      awk '/Depends: linux-image-[0-9].*-amd64$/ {print $2; exit}')
if [ -z "$pkg" ]; then
  apt-get update -qq >/dev/null
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9].*-amd64$/ {print $2; exit}')
fi
if [ -z "$pkg" ]; then
  echo "setup: vm-kernel: cannot resolve the package behind linux-image-amd64" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1) || {
  apt-get update -qq >/dev/null
  (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null)
}
deb=$(ls "$tmp"/*.deb | head -n1)
mkdir "$tmp/x"
dpkg-deb -x "$deb" "$tmp/x"
kernel=$(ls "$tmp"/x/boot/vmlinuz-* | head -n1)
mkdir -p "$cache/vm/modules"
for m in $mods; do
  cp "$(ls -d "$tmp"/x/lib/modules/*/kernel/drivers | head -n1)/$m" "$cache/vm/modules/"
done
cp "$kernel" "$dest.tmp.$$"
mv "$dest.tmp.$$" "$dest"
[ "${ISOBENCH_SETUP_QUIET:-0}" = 1 ] || echo "setup: vm-kernel: cached $(basename "$kernel") from $pkg at $dest" >&2
