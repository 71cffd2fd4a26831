#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The libraries a cross build links statically, and the guest's busybox,
# from Debian 12's packages for ARCH, unpacked into SYSROOT (never
# installed: libevent-dev cannot be co-installed for two architectures).
#   scripts/cross-sysroot.sh SYSROOT ARCH       (make ARCH=arm64 runs it)
# Done once: SYSROOT/.done marks a complete unpack.
set -eu

root=$1
arch=$2
here=$(cd "$(dirname "$0")" && pwd)
pkgs="libbpf-dev libelf-dev zlib1g-dev libevent-dev libyaml-dev libssl-dev"
pkgs="$pkgs libcrypt-dev busybox-static"

[ -f "$root/.done" ] && exit 0
mkdir -p "$root/debs"
root=$(cd "$root" && pwd)
for p in $pkgs; do
	ls "$root/debs/${p}_"*.deb >/dev/null 2>&1 && continue
	(cd "$root/debs" &&
		"$here/debian-apt.sh" "$root/apt" bookworm "$arch" \
			apt-get download -q "$p:$arch") ||
		{ echo "cross-sysroot: cannot download $p:$arch" >&2; exit 1; }
done
for deb in "$root/debs/"*.deb; do
	dpkg-deb -x "$deb" "$root"
done
touch "$root/.done"
echo "cross-sysroot: $root ($arch: $pkgs)"
