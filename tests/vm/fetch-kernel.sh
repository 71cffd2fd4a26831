#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian suite's cloud kernel for the VM test, without installing
# it: the suite's linux-image-cloud-ARCH is resolved to the concrete
# linux-image-* it depends on, that .deb is downloaded with apt-get download
# through a private source list and lists directory (the host's apt setup
# is not touched), and only its ./boot is unpacked into OUTDIR.
#   tests/vm/fetch-kernel.sh OUTDIR SUITE [ARCH]
# SUITE: bullseye (5.10), bookworm (6.1) or trixie (6.12); ARCH: amd64
# (default) or arm64. Output: OUTDIR/vmlinuz, OUTDIR/config,
# OUTDIR/kernel-release. Checks that what the VM test needs is built in
# (no modules in the guest). Cached: does nothing when OUTDIR/vmlinuz
# exists (delete it to refetch). VM_KERNEL_PKG pins the package.
set -eu

out=$1
suite=$2
arch=${3:-amd64}
meta=linux-image-cloud-$arch
here=$(cd "$(dirname "$0")" && pwd)

if [ -s "$out/vmlinuz" ]; then
	rel=$(cat "$out/kernel-release" 2>/dev/null || echo '?')
	echo "fetch-kernel: cached $out/vmlinuz ($rel)"
	exit 0
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# apt, private: this suite's source only, lists kept beside the kernel
apt_private()
{
	"$here/../../scripts/debian-apt.sh" "$out/apt" "$suite" "$arch" "$@"
}

pkg=${VM_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	# the candidate's dependency, e.g. linux-image-6.1.0-56-cloud-amd64
	pkg=$(apt_private apt-cache show --no-all-versions "$meta" 2>/dev/null |
		sed -n "s/^Depends:.*\(linux-image-[0-9][^ ,]*-cloud-$arch\).*/\1/p" |
		head -n 1)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve $meta in $suite" >&2; exit 1; }

# the first file matching a glob, or nothing
first()
{
	[ -e "$1" ] && echo "$1"
	return 0
}

deb=$(first "$out/$pkg"_*.deb)
if [ -z "$deb" ]; then
	echo "fetch-kernel: downloading $pkg ($suite)"
	(cd "$out" && apt_private apt-get download -q "$pkg:$arch") ||
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
console=SERIAL_8250_CONSOLE
[ "$arch" = arm64 ] && console=SERIAL_AMBA_PL011_CONSOLE
missing=
for opt in $console BLK_DEV_INITRD DEVTMPFS TMPFS BPF_SYSCALL \
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
