#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tally: count the JSON lines a tracer writes, for bench/soak.sh.

    tcptrail trace -j | tally.py STATS

Reads stdin to EOF and throws it away, counting lines, bytes and the
{"type":"lost","count":N} markers tcptrail puts in the stream when the
ring buffer overflowed. About once a second, and at EOF, it replaces STATS
with one line:

    lines bytes markers lost eof

where lines counts every line (markers included), lost is the sum of the
markers' counts, and eof is 1 once stdin has ended. Only the standard
library: it has to run wherever the benchmark runs.
"""

import os
import re
import sys
import time

CHUNK = 1 << 20
MARKER = re.compile(rb'\{"type":"lost","count":([0-9]+)')


def write_stats(path, lines, nbytes, markers, lost, eof):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{lines} {nbytes} {markers} {lost} {int(eof)}\n")
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 2:
        print("usage: tally.py STATS", file=sys.stderr)
        return 2
    path = sys.argv[1]
    fd = sys.stdin.fileno()
    lines = nbytes = markers = lost = 0
    tail = b""  # the last, incomplete line: markers are matched whole
    last = 0.0
    write_stats(path, 0, 0, 0, 0, False)
    while True:
        buf = os.read(fd, CHUNK)
        if not buf:
            break
        nbytes += len(buf)
        lines += buf.count(b"\n")
        if b'"lost"' in buf or b'"lost"' in tail + buf[:16]:
            text = tail + buf
            cut = text.rfind(b"\n") + 1
            for m in MARKER.finditer(text, 0, cut):
                markers += 1
                lost += int(m.group(1))
            tail = text[cut:]
        else:
            cut = buf.rfind(b"\n")
            tail = tail + buf if cut < 0 else buf[cut + 1:]
        if len(tail) > CHUNK:  # no newline for a megabyte: not JSON lines
            tail = tail[-64:]
        now = time.monotonic()
        if now - last >= 1.0:
            write_stats(path, lines, nbytes, markers, lost, False)
            last = now
    write_stats(path, lines, nbytes, markers, lost, True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
