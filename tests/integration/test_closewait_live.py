# SPDX-License-Identifier: GPL-2.0
"""closewait --live on a real pseudo-terminal, and with stdout to a pipe."""
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from conftest import TCPTRAIL, free_port

CLEAR = b"\x1b[H\x1b[2J"
# a name that would clear the screen if written as it is
EVIL_COMM = b"\x1b[2Jcw-evil"

HOLDER = r"""
import ctypes, socket, sys, time
ctypes.CDLL(None).prctl(15, bytes.fromhex(sys.argv[3]), 0, 0, 0)
port, n = int(sys.argv[1]), int(sys.argv[2])
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(n)
clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
held = [ls.accept()[0] for _ in range(n)]
for c in clients:
    c.close()
print("ready", flush=True)
time.sleep(600)
"""


@pytest.fixture
def close_waits(bpf):
    """n accepted sockets left in CLOSE_WAIT by a process named EVIL_COMM"""
    procs = []

    def start(n):
        port = free_port()
        p = subprocess.Popen([sys.executable, "-c", HOLDER, str(port), str(n),
                              EVIL_COMM.hex()], stdout=subprocess.PIPE)
        procs.append(p)
        assert p.stdout.readline() == b"ready\n"
        return port

    yield start
    for p in procs:
        p.kill()
        p.wait()


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Screen:
    """what tcptrail wrote to the pseudo-terminal, split into frames"""

    def __init__(self, master):
        self.master = master
        self.data = b""

    def read_for(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r, _, _ = select.select([self.master], [], [], 0.05)
            if r:
                try:
                    self.data += os.read(self.master, 65536)
                except OSError:
                    return

    def frames(self):
        # the last one may be partial: only those another frame followed
        return self.data.split(CLEAR)[1:-1]

    def wait_frames(self, n, seconds):
        end = time.monotonic() + seconds
        while len(self.frames()) < n and time.monotonic() < end:
            self.read_for(0.1)
        return self.frames()


def lines_of(frame):
    # the terminal turns each \n into \r\n
    return frame.replace(b"\r\n", b"\n").split(b"\n")


def check_fits(frame, rows, cols):
    lines = lines_of(frame)
    assert len(lines) <= rows, lines
    for ln in lines:
        assert len(ln.decode()) <= cols, (cols, ln)
    assert b"\x1b" not in frame


def test_live_fits_the_terminal_and_redraws_on_resize(close_waits):
    port = close_waits(25)
    master, slave = os.openpty()
    set_size(slave, 24, 80)
    # a long interval: a frame within it can only come from the resize
    tr = subprocess.Popen([TCPTRAIL, "closewait", "--live", "--interval",
                           "30s", "--port", str(port)],
                          stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    scr = Screen(master)
    try:
        # the first frame, then a second one: the resize must draw it
        scr.read_for(0)
        deadline = time.monotonic() + 20
        while CLEAR not in scr.data and time.monotonic() < deadline:
            scr.read_for(0.1)
        scr.read_for(0.5)
        first = scr.data.split(CLEAR)[-1]
        check_fits(first, 24, 80)
        lines = lines_of(first)
        assert len(lines) == 24
        assert lines[0].startswith(b"tcptrail closewait --live")
        assert b"25 sockets in CLOSE_WAIT" in lines[0]
        assert lines[3].split()[:3] == [b"AGE(s)", b"PID", b"COMM"]
        rows = lines[4:-1]
        assert len(rows) == 19, lines
        # the name is shown, escaped: no raw escape reaches the terminal
        assert all(b"\\x1b[2Jcw-evil" in r for r in rows), rows
        assert lines[-1] == b"... 6 more"

        n = len(scr.data.split(CLEAR))
        set_size(master, 20, 60)
        tr.send_signal(signal.SIGWINCH)
        frames = scr.wait_frames(n - 1, 5)
        assert len(frames) >= n - 1, "no redraw after SIGWINCH"
        scr.read_for(0.5)
        resized = scr.data.split(CLEAR)[n]
        check_fits(resized, 20, 60)
        lines = lines_of(resized)
        assert len(lines) == 20
        assert b"25 sockets in CLOSE_WAIT" in lines[0]
        assert lines[-1] == b"... 10 more"
        # COMM narrowed, but never cut inside an escape
        assert all(b" \\x1b[2J" in ln for ln in lines[4:-1])
    finally:
        tr.send_signal(signal.SIGINT)
        tr.wait(timeout=10)
        os.close(master)


def test_live_to_a_pipe_writes_plain_snapshots(close_waits):
    port = close_waits(3)
    tr = subprocess.Popen([TCPTRAIL, "closewait", "--live", "--interval",
                           "100ms", "--port", str(port)],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(2)
    tr.send_signal(signal.SIGINT)
    out, _ = tr.communicate(timeout=10)
    assert b"\x1b" not in out
    snaps = [s for s in out.split(b"\n\n") if s]
    assert len(snaps) >= 2, out
    for s in snaps:
        lines = s.split(b"\n")
        assert lines[0].startswith(b"tcptrail closewait --live")
        assert lines[1].startswith(b"by service port:")
        assert lines[2].split()[:3] == [b"AGE(s)", b"PID", b"COMM"]
    last = snaps[-1].split(b"\n")
    assert b"3 sockets in CLOSE_WAIT" in last[0]
    assert len(last) == 6
    assert all(b"\\x1b[2Jcw-evil" in ln for ln in last[3:])
