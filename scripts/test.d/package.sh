#!/usr/bin/env bash
# scripts/test.d/package.sh - the Debian package, installed into a clean root.
#
# Builds isobench_<version>_amd64.deb with scripts/package, checks its control
# fields (the Debian runtime libraries and busybox-static in Depends) and that
# apt would install it here (`apt-get install --simulate ./isobench_*.deb`),
# then installs it with `dpkg --root` into an empty directory, adds only the
# shared libraries the binary links and Debian's busybox-static, and runs the
# installed /usr/bin/isobench inside that root (chroot, private mount
# namespace with its own /proc): `help`, `drivers`, `image`, which must
# find isobench-payload next to the binary's own location through the
# /usr/bin symlink, and `run` from another folder, which must find the
# default scenario in /usr/share/isobench (harness/paths.h). Nothing of the
# build tree is visible in there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "package: FAILED: $*" >&2; exit 1; }
ok() { echo "package: ok: $*"; }

deb=$("$root/scripts/package" | tail -n1)
[ -f "$deb" ] || fail "scripts/package printed no .deb ($deb)"
case $(basename "$deb") in isobench_*_amd64.deb) ok "built $(basename "$deb")" ;; *) fail "name $deb" ;; esac

depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcjson1 libcsv3 libcurl4 libplot2c2 busybox-static; do
  grep -qw "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
ok "Depends: $depends"
files=$(dpkg-deb -c "$deb")
for f in ./usr/bin/isobench ./usr/lib/isobench/isobench ./usr/lib/isobench/isobench-payload \
         ./usr/share/isobench/scenarios/quick.json ./usr/share/man/man1/isobench.1.gz; do
  grep -q " $f" <<<"$files" || fail "$f not in the package"
done
ok "payload, scenarios and man page are in the package"
apt-get install --simulate -qq "$deb" >/dev/null 2>&1 || {
  apt-get install --simulate "$deb" >&2 || true
  fail "apt-get install --simulate $deb"
}
ok "apt would install it here"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chroot_dir=$tmp/root
mkdir -p "$chroot_dir/var/lib/dpkg/updates" "$chroot_dir/var/lib/dpkg/info" "$chroot_dir/tmp" \
  "$chroot_dir/proc" "$chroot_dir/bin"
touch "$chroot_dir/var/lib/dpkg/status"
dpkg --root="$chroot_dir" --force-depends -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg --root -i"; }
dpkg --root="$chroot_dir" -s isobench 2>/dev/null | grep -q '^Status: install ok installed' || fail "dpkg --root: not installed"
ok "dpkg --root installed it into an empty root"
# Only what the binary links (its Depends' libraries) and busybox-static.
for lib in $(ldd "$chroot_dir/usr/lib/isobench/isobench" | awk '/=>/ {print $3} /^\t\/[^ ]+ / {print $1}'); do
  cp -L --parents "$lib" "$chroot_dir/"
done
cp /bin/busybox "$chroot_dir/bin/busybox"
ln -s busybox "$chroot_dir/bin/sh"
in_root() { unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" && shift && exec chroot "$@"' sh "$chroot_dir" "$chroot_dir" "$@"; }

in_root /usr/bin/isobench help >"$tmp/help.txt" || fail "isobench help in the clean root"
grep -q '^  drivers' "$tmp/help.txt" || fail "help lists no drivers command"
zcat "$chroot_dir/usr/share/man/man1/isobench.1.gz" >"$tmp/man.txt"
for c in $(awk '/^  [a-z]+ / {print $1}' "$tmp/help.txt"); do
  grep -q "^\.B isobench $c\$" "$tmp/man.txt" || fail "man page lacks command $c"
done
ok "help and the man page list the same commands"
in_root /usr/bin/isobench drivers >"$tmp/drivers.txt" 2>&1 || { cat "$tmp/drivers.txt" >&2; fail "isobench drivers in the clean root"; }
grep -q '^ns ' "$tmp/drivers.txt" || { cat "$tmp/drivers.txt" >&2; fail "drivers lists no ns"; }
ok "isobench drivers runs from the clean root: $(grep -c . "$tmp/drivers.txt") lines"
ISOBENCH_CACHE=/tmp/cache in_root /usr/bin/isobench image /tmp/rootfs >"$tmp/image.txt" 2>&1 \
  || { cat "$tmp/image.txt" >&2; fail "isobench image in the clean root"; }
cmp -s "$chroot_dir/tmp/rootfs/isobench-payload" "$chroot_dir/usr/lib/isobench/isobench-payload" \
  || fail "the image did not get the installed payload"
ok "the installed binary found its payload (/usr/lib/isobench) through /usr/bin/isobench"
# The default scenario from the package's /usr/share/isobench, run from
# another folder (every mode is unavailable in this root: no cgroups, no
# runtimes; the run still completes and records which scenario file it used).
in_root /bin/sh -c 'cd /tmp && ISOBENCH_CACHE=/tmp/cache /usr/bin/isobench run --out /tmp/run --quiet --no-report' \
  >"$tmp/run.txt" 2>&1 || { cat "$tmp/run.txt" >&2; fail "isobench run in the clean root"; }
grep -Eq '"scenario_path":[[:space:]]*"/usr/lib/isobench/\.\./\.\./share/isobench/scenarios/quick\.json"' \
  "$chroot_dir/tmp/run/run.json" || { grep scenario_path "$chroot_dir/tmp/run/run.json" >&2; fail "run did not take /usr/share/isobench/scenarios/quick.json"; }
ok "isobench run from /tmp found the default scenario in /usr/share/isobench"
