#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the URI this host's apt takes Debian bookworm from (either sources
# format), for the tools that fetch from other suites or bootstrap a
# system: the same archive serves bullseye, bookworm and trixie.
# DEBIAN_MIRROR, when set, wins. Exit 1 when none is found.
set -eu
if [ -n "${DEBIAN_MIRROR:-}" ]; then
	echo "$DEBIAN_MIRROR"
	exit 0
fi
{
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { u = $2 } /^Suites:/ { for (i = 2; i <= NF; i++)
			if ($i == "bookworm") { print u; exit } }' "$f"
	done
	# one-line format, options in brackets dropped
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		sed 's/\[[^]]*\]//' |
		awk '$1 == "deb" && $3 == "bookworm" { print $2 }'
} | head -n 1 | grep . || {
	echo "debian-mirror: no Debian bookworm source in /etc/apt: set DEBIAN_MIRROR" >&2
	exit 1
}
