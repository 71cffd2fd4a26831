# SPDX-License-Identifier: GPL-2.0
"""Orphaned FIN_WAIT2: our side closed, the peer has not. The kernel hands
the connection to a time-wait socket in substate FIN_WAIT2 (ss shows
FIN-WAIT-2) until the peer's FIN, or until tcp_fin_timeout ends it.
timeline's steps are checked against ss sampled during the hold."""
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from conftest import TCPTRAIL, free_port

# a connection on loopback: server socket s, client socket c; then a story
PAIR = r"""
import socket, sys, time
port = int(sys.argv[1])
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port))
l.listen()
c = socket.create_connection(("127.0.0.1", port))
s, _ = l.accept()
"""

# the server closes first; the client sits in CLOSE_WAIT for argv[2] s
ORPHAN = PAIR + r"""
s.close()
time.sleep(float(sys.argv[2]))
c.close()
time.sleep(0.3)
"""


class SsWatch(threading.Thread):
    """times at which ss shows the server's side in FIN-WAIT-2"""

    def __init__(self, port, pre=()):
        super().__init__(daemon=True)
        self.cmd = list(pre) + ["ss", "-tanH", "state", "fin-wait-2",
                                f"( sport = :{port} )"]
        self.seen = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            t = time.monotonic()
            out = subprocess.run(self.cmd, capture_output=True,
                                 text=True).stdout
            if out.strip():
                self.seen.append(t)
            time.sleep(0.02)

    def span(self):
        self.done.set()
        self.join(5)
        assert self.seen, "ss never showed FIN-WAIT-2"
        return self.seen[-1] - self.seen[0]


def server_side(out, port):
    conns = [json.loads(ln) for ln in out.splitlines() if ln]
    (c,) = [c for c in conns if c.get("type") == "connection"
            and c["lport"] == port and c["opened"] == "passive"]
    return c


def run_script(script, port, *args, pre=(), duration="5s", refuse=""):
    """timeline over the story, ss watching: (server's entry, ss's time)"""
    pre = list(pre)
    t = subprocess.Popen(pre + [TCPTRAIL, "timeline", "-j", "--port",
                                str(port), "-d", duration],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True,
                         env=dict(os.environ, TCPTRAIL_REFUSE=refuse))
    time.sleep(1.5)  # attached (timeline prints nothing until the end)
    ss = SsWatch(port, pre)
    ss.start()
    subprocess.run(pre + [sys.executable, "-c", script, str(port)]
                   + list(args), check=True, timeout=20)
    held = ss.span()
    out, err = t.communicate(timeout=30)
    assert t.returncode == 0, err
    entry = server_side(out, port)
    entry["stderr"] = err  # in the failure message of any assert on it
    return entry, held


@pytest.mark.parametrize("refuse", ["", "tc"])
def test_orphaned_fin_wait2_lasts_until_the_peers_fin(bpf, refuse):
    """FIN_WAIT2 goes on after the hand-off until the client closes; then
    TIME_WAIT. refuse=tc: the iter/tcp walk reads the substate instead of
    the lookup by tuple."""
    c, held = run_script(ORPHAN, free_port(), "2.5", duration="6s",
                         refuse=refuse)
    states = [s["state"] for s in c["path"]]
    assert states[-3:-1] == ["FIN_WAIT1", "FIN_WAIT2"] and \
        states[-1] == "TIME_WAIT", c
    fw2 = c["path"][-2]
    assert abs(fw2["ms"] / 1000 - held) < 0.3, (fw2, held)
    assert "fin_timeout" not in fw2
    assert c["open"]  # TIME_WAIT lasts 60 s: still there at exit


def test_orphan_ended_by_fin_timeout(bpf, netns):
    """the client never closes: tcp_fin_timeout (2 s in this namespace)
    ends the FIN_WAIT2, which never becomes TIME_WAIT"""
    pre = ["ip", "netns", "exec", netns]
    # no sysctl(8) on a minimal Debian (procps): the file itself
    subprocess.run(pre + ["sh", "-c", "echo 2 > "
                          "/proc/sys/net/ipv4/tcp_fin_timeout"], check=True)
    c, held = run_script(ORPHAN, free_port(), "4.5", pre=pre,
                         duration="7s")
    assert 1.5 < held < 3, held  # the kernel's own view: about 2 s
    fw2 = c["path"][-2]
    assert (fw2["state"], fw2.get("fin_timeout")) == ("FIN_WAIT2", True), c
    assert c["path"][-1]["state"] == "CLOSE" and not c["open"]
    # gone at the first look after it went: within a second of ss's view
    assert held - 0.2 < fw2["ms"] / 1000 < held + 1.3, (fw2, held)


# the server closes first; the client, its pool's connection stale, sends
# a request after 1.5 s: the time-wait socket answers with a reset and goes
STALE = PAIR + r"""
s.close()
time.sleep(1.5)
c.send(b"GET / HTTP/1.1\r\n\r\n")
time.sleep(0.5)
c.close()
"""

# nginx's lingering close: shutdown(SHUT_WR), a while, then close()
LINGER = PAIR + r"""
s.shutdown(socket.SHUT_WR)
time.sleep(1)
s.close()
time.sleep(1)
c.close()
time.sleep(0.3)
"""




def test_orphan_cut_short_is_not_fin_timeout(bpf):
    """new data from the peer resets the time-wait socket 1.5 s in, long
    before tcp_fin_timeout: the FIN_WAIT2 is cut short, not timed out"""
    c, held = run_script(STALE, free_port())
    fw2 = c["path"][-2]
    assert fw2["state"] == "FIN_WAIT2" and c["path"][-1]["state"] == "CLOSE"
    assert fw2.get("cut_short") is True and "fin_timeout" not in fw2, c
    assert held - 0.2 < fw2["ms"] / 1000 < held + 1.3, (fw2, held)


def test_shutdown_then_close_is_one_fin_wait2(bpf):
    """FIN_WAIT2 -> FIN_WAIT2 at close() after shutdown(SHUT_WR) is no new
    step: one FIN_WAIT2, as long as ss showed it"""
    c, held = run_script(LINGER, free_port())
    states = [s["state"] for s in c["path"]]
    assert states.count("FIN_WAIT2") == 1, c
    (fw2,) = [s for s in c["path"] if s["state"] == "FIN_WAIT2"]
    assert fw2["ms"] is not None, c
    assert abs(fw2["ms"] / 1000 - held) < 0.3, (fw2, held)
