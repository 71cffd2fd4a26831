#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install what tcptrail needs to build and test on Debian 12 (bookworm).
# Idempotent: does nothing when everything is present.
#   scripts/install-deps.sh          build and test dependencies
#   scripts/install-deps.sh --bench  also the tools 'make bench' compares with
set -eu

# build: compiler for user space, clang for BPF, bpftool for the skeleton,
# static archives of libbpf, libelf and zlib; libevent for export's HTTP
pkgs="make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libevent-dev"
# export --web.config.file: the YAML file, TLS (libevent_openssl over
# OpenSSL 3), bcrypt hashes of basic auth (libxcrypt); static archives
pkgs="$pkgs libyaml-dev libssl-dev libcrypt-dev"
# test: unit tests, integration tests, netns, format check; promtool and a
# real Prometheus server for export's tests
pkgs="$pkgs libcmocka-dev python3 python3-pytest python3-pytest-xdist iproute2 tmux clang-format"
pkgs="$pkgs prometheus"
# export's TLS tests: openssl makes the certificate, python3-bcrypt the
# basic auth hash (Python's crypt module is deprecated)
pkgs="$pkgs openssl python3-bcrypt"
# tests/integration/test_realprogs.py: real programs to hold sockets
pkgs="$pkgs nginx-light python3-requests socat netcat-openbsd redis-server curl"
# the fuzz targets' sanitizer runtime; valgrind over a real run
pkgs="$pkgs libclang-rt-14-dev valgrind"
# the VM test: Debian's own kernels in qemu, a busybox initramfs; on
# amd64, the arm64 build (its libraries are unpacked, not installed:
# scripts/cross-sysroot.sh) and its guests too
pkgs="$pkgs qemu-system-x86 busybox-static"
if [ "$(dpkg --print-architecture)" = amd64 ]; then
	pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm"
fi
# make install: man pages made from --help (help2man); the test reads
# them with man --warnings
pkgs="$pkgs help2man man-db"
# scripts/_tcptrail, the zsh completion: the test types into a real zsh
pkgs="$pkgs zsh"
# systemd-analyze verify and security for export's unit; lintian over
# make deb's package
pkgs="$pkgs systemd lintian"
# tests/integration/test_container.py: make image and a rootful run of it
# (podman, with runc: crun refuses some hybrid cgroup layouts); its
# seccomp.json is what scripts/container/gen-seccomp.py starts from;
# python3-yaml reads the DaemonSet the run is checked against
pkgs="$pkgs podman runc python3-yaml"
# make test-fresh: a Debian 12 minbase to run the README's commands in
pkgs="$pkgs debootstrap git"
if [ "${1:-}" = "--bench" ]; then
	pkgs="$pkgs libbpf-tools bpftrace"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install:$missing (run with sudo)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
# the tests start their own nginx and redis on ports they pick: the
# services these packages enable (and start, under systemd) must not run
for svc in nginx redis-server; do
	case " $missing " in *" $svc"[-\ ]*) ;; *) continue ;; esac
	if command -v systemctl >/dev/null; then
		systemctl disable "$svc" 2>/dev/null || true
		systemctl stop "$svc" 2>/dev/null || true
	fi
done
