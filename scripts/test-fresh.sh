#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The README's promise on a fresh Debian 12: a debootstrap'd minbase system
# (its pristine tarball cached in /var/cache/tcptrail/, outside any clone,
# for 30 days), the project copied in from `git archive HEAD`,
# and inside it exactly the README's install-and-run line and test line,
# read from the README itself. A missing install step fails here even when
# the developer's machine has the package.
#   scripts/test-fresh.sh            (make test-fresh; root)
# Environment: FRESH_DIR (default build/fresh: the system, unpacked anew
# each run), FRESH_CACHE (default /var/cache/tcptrail), DEBIAN_MIRROR (default: the
# host's own Debian source, scripts/debian-mirror.sh), FRESH_RUN_SECS (how long the
# README's `make run` traces before SIGINT, default 5), CI (passed in).
# Uncommitted changes are not tested: the copy is HEAD.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
dir=${FRESH_DIR:-build/fresh}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cache=${FRESH_CACHE:-/var/cache/tcptrail}
base=$cache/bookworm-minbase.tar
root=$dir/root
run_secs=${FRESH_RUN_SECS:-5}

fail()
{
	echo "test-fresh: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, mounts, chroot)"
for t in debootstrap unshare chroot git; do
	command -v "$t" >/dev/null || fail "$t not found (scripts/install-deps.sh)"
done

# the README's own lines: the indented commands of its Quick start
quick=$(sed -n '/^## Quick start/,/^## [^Q]/p' README.md)
install_line=$(printf '%s\n' "$quick" | sed -n 's/^    \(.*install-deps.*\)$/\1/p' | head -n 1)
test_line=$(printf '%s\n' "$quick" | sed -n 's/^    \(.*make test\)$/\1/p' | head -n 1)
[ -n "$install_line" ] || fail "no install-deps line in the README's Quick start"
[ -n "$test_line" ] || fail "no 'make test' line in the README's Quick start"

mirror=$(scripts/debian-mirror.sh) || exit 1

# every mount below is made in a private namespace that ends with the run:
# nothing of an earlier run is still mounted here
rm -rf --one-file-system "$root"

start=$(date +%s)
# a month old, it is made again: a fresh install is of today's packages
if [ -s "$base" ] && [ -n "$(find "$base" -mtime +30)" ]; then
	rm -f "$base"
fi
if [ ! -s "$base" ]; then
	echo "test-fresh: debootstrap bookworm minbase from $mirror (cached in $base)"
	mkdir -p "$cache"
	tmp=$dir/debootstrap.tmp
	rm -rf --one-file-system "$tmp"
	# sudo: the README's commands are typed as a user with sudo would
	debootstrap --variant=minbase --include=sudo bookworm "$tmp" "$mirror" \
		>"$dir/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$dir/debootstrap.log" >&2; fail "debootstrap failed"; }
	tar -C "$tmp" -cf "$base.tmp" .
	mv "$base.tmp" "$base"
	rm -rf --one-file-system "$tmp"
fi
mkdir -p "$root"
tar -C "$root" -xf "$base"
echo "test-fresh: base ready in $(($(date +%s) - start)) s"

# apt as on this host: its Debian sources for bookworm (those whose keys a
# fresh system has) and its Acquire settings (e.g. a snapshot mirror's
# Valid-Until); nothing else of the host
: >"$root/etc/apt/sources.list"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	grep -qw bookworm "$f" && cp "$f" "$root/etc/apt/sources.list.d/"
done
cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
	sed 's/\[[^]]*\]//' |
	awk '$1 == "deb" && $3 ~ /^bookworm(-updates|-security)?$/' \
		>>"$root/etc/apt/sources.list"
# none copied (options in brackets, say): the mirror debootstrap used
if [ ! -s "$root/etc/apt/sources.list" ] &&
	! ls "$root/etc/apt/sources.list.d/"*.sources >/dev/null 2>&1; then
	echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
fi
for f in /etc/apt/apt.conf.d/*; do
	[ -f "$f" ] && grep -q '^Acquire::' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/"
done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

mkdir -p "$root/src"
git archive HEAD | tar -x -C "$root/src"

# inside: the README's lines. `make run` traces until Ctrl-C: it gets
# SIGINT (tcptrail alone, as Ctrl-C would end it) after run_secs.
cat >"$root/fresh-test.sh" <<EOF
#!/bin/sh
set -eu
cd /src
echo "test-fresh: \\\$ $install_line"
( $install_line ) >/fresh-run.log 2>&1 &
job=\$!
# installing and building take minutes; tracing starts after them
n=0
until grep -q '^Tracing' /fresh-run.log 2>/dev/null; do
	if ! kill -0 \$job 2>/dev/null || [ \$n -ge 1800 ]; then
		cat /fresh-run.log
		echo "test-fresh: no tracing from the install-and-run line after \$n s" >&2
		kill \$job 2>/dev/null || true
		exit 1
	fi
	n=\$((n + 1))
	sleep 1
done
sleep $run_secs
# /proc is the host's: only the tcptrail started here (its cwd is /src)
found=0
for p in /proc/[0-9]*; do
	if [ "\$(cat \$p/comm 2>/dev/null)" = tcptrail ] &&
		[ "\$(readlink \$p/cwd 2>/dev/null)" = /src ]; then
		kill -INT "\${p#/proc/}" 2>/dev/null && found=1
	fi
done
if [ \$found -eq 0 ]; then
	cat /fresh-run.log
	echo "test-fresh: make run's tracer is gone before Ctrl-C" >&2
	kill \$job 2>/dev/null || true
	exit 1
fi
rc=0
wait \$job || rc=\$?
tail -n 5 /fresh-run.log
[ \$rc -eq 0 ] || { echo "test-fresh: install-and-run exited \$rc" >&2; exit 1; }
echo "test-fresh: \\\$ $test_line"
$test_line
EOF
chmod 755 "$root/fresh-test.sh"

# a private mount namespace: root is a mount point of its own (ip netns
# and unshare -m need that), the kernel's file systems bound in
# recursively (cgroups, bpffs, tracefs come along), /run private
rc=0
unshare --mount --propagation private -- sh -c '
	set -e
	r=$1
	mount --bind "$r" "$r"
	for fs in proc sys dev; do mount --rbind "/$fs" "$r/$fs"; done
	mount -t tmpfs -o mode=755 run "$r/run"
	mount -t tmpfs -o mode=1777 tmp "$r/tmp"
	exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root TERM=dumb LANG=C.UTF-8 CI="$2" /fresh-test.sh
' fresh "$root" "${CI:-}" || rc=$?
echo "test-fresh: $(($(date +%s) - start)) s in all, status $rc"
exit $rc
