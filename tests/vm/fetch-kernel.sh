#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian 12's cloud kernel for the VM test, without installing it:
# linux-image-cloud-amd64 is resolved to the concrete
# linux-image-6.1.0-N-cloud-amd64 it depends on, that .deb is downloaded
# with apt-get download, and only its ./boot is unpacked into build/vm/.
#   tests/vm/fetch-kernel.sh [OUTDIR]      (default build/vm)
# Output: OUTDIR/vmlinuz, OUTDIR/config, OUTDIR/kernel-release.
# Checks that what the VM test needs is built in (no modules in the guest).
# Cached: does nothing when OUTDIR/vmlinuz exists (delete it to refetch).
# VM_KERNEL_PKG=linux-image-6.1.0-N-cloud-amd64 pins the package.
set -eu

out=${1:-build/vm}
meta=linux-image-cloud-amd64

if [ -s "$out/vmlinuz" ]; then
	rel=$(cat "$out/kernel-release" 2>/dev/null || echo '?')
	echo "fetch-kernel: cached $out/vmlinuz ($rel)"
	exit 0
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

pkg=${VM_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	# the candidate version's dependency, e.g. linux-image-6.1.0-56-cloud-amd64
	pkg=$(apt-cache show --no-all-versions "$meta" 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-cloud-amd64\).*/\1/p' |
		head -n 1)
fi
if [ -z "$pkg" ]; then
	echo "fetch-kernel: cannot resolve $meta (run apt-get update?)" >&2
	exit 1
fi

# the first file matching a glob, or nothing
first()
{
	[ -e "$1" ] && echo "$1"
	return 0
}

deb=$(first "$out/$pkg"_*.deb)
if [ -z "$deb" ]; then
	echo "fetch-kernel: downloading $pkg"
	# as root, apt hands the download to its _apt user, which cannot
	# write here: download as root instead of warning about it
	sandbox=
	[ "$(id -u)" -eq 0 ] && sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	(cd "$out" && apt-get download -q $sandbox "$pkg") ||
		{ echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
	deb=$(first "$out/$pkg"_*.deb)
	[ -n "$deb" ] || { echo "fetch-kernel: no $pkg .deb in $out" >&2; exit 1; }
fi

tmp=$(mktemp -d "$out/boot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./boot
img=$(first "$tmp"/boot/vmlinuz-*)
[ -n "$img" ] || { echo "fetch-kernel: no vmlinuz in $deb" >&2; exit 1; }
rel=${img##*/vmlinuz-}
cp "$tmp/boot/config-$rel" "$out/config"
echo "$rel" >"$out/kernel-release"
# the initramfs carries no modules: what the test needs must be built in
# (the serial console, BTF, BPF on tracepoints, IPv6, syscall tracepoints)
missing=
for opt in SERIAL_8250_CONSOLE BLK_DEV_INITRD DEVTMPFS TMPFS BPF_SYSCALL \
	BPF_EVENTS DEBUG_INFO_BTF CGROUPS CGROUP_BPF FTRACE_SYSCALLS INET IPV6; do
	grep -q "^CONFIG_$opt=y" "$out/config" || missing="$missing $opt"
done
if [ -n "$missing" ]; then
	echo "fetch-kernel: $rel lacks (built in):$missing" >&2
	exit 1
fi
# last, so that a partial run is never taken as cached
cp "$img" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "fetch-kernel: $out/vmlinuz ($rel, from ${deb##*/})"
