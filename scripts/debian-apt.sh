#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run an apt command against another Debian suite or architecture through
# a private source list and lists directory (DIR), leaving the host's apt
# configuration and package state alone: for look-ups and downloads only.
#   scripts/debian-apt.sh DIR SUITE ARCH apt-get download PKG...
#   scripts/debian-apt.sh DIR SUITE ARCH apt-cache show PKG
# The lists are fetched once (delete DIR/lists to refresh). The mirror is
# the host's own (scripts/debian-mirror.sh).
set -eu

[ $# -ge 5 ] || { echo "usage: debian-apt.sh DIR SUITE ARCH apt-get|apt-cache ARGS..." >&2; exit 2; }
dir=$1
suite=$2
arch=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts"
dir=$(cd "$dir" && pwd)
mirror=$("$here/debian-mirror.sh")
echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
	>"$dir/sources.list"
sandbox=APT::Sandbox::User=_apt
# as root, apt hands downloads to its _apt user, which cannot write here
[ "$(id -u)" -eq 0 ] && sandbox=APT::Sandbox::User=root

private()
{
	cmd=$1
	shift
	"$cmd" -o "Dir::Etc::SourceList=$dir/sources.list" \
		-o "Dir::Etc::SourceParts=$dir/parts" \
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" \
		-o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" \
		-o "$sandbox" "$@"
}

if ! ls "$dir/lists" | grep -q Packages; then
	private apt-get -q update >"$dir/update.log" 2>&1 || {
		cat "$dir/update.log" >&2
		echo "debian-apt: apt-get update ($suite, $arch) failed" >&2
		exit 1
	}
fi
private "$@"
