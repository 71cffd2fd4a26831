# SPDX-License-Identifier: GPL-2.0
"""A leak in a network namespace no process is in: a child in a namespace
of its own leaves a socket in CLOSE_WAIT (its peer in FIN_WAIT2), passes
both out over a unix socket and exits; a holder here keeps it for HOLD seconds. No process and
no /run/netns entry leads into that namespace any more. With 'open', an
ESTABLISHED connection (both ends) goes out with it. Prints the holder's
pid, for the caller to end it sooner.
usage: orphan_ns.py PORT HOLD [open]"""
import os
import socket
import subprocess
import sys
import time

CHILD = r"""
import socket, subprocess, sys, time
port, fd, more = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "open"
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
out = socket.socket(fileno=fd)
l = socket.socket()
l.bind(("127.0.0.1", port))
l.listen()
c = socket.create_connection(("127.0.0.1", port))
s, _ = l.accept()
# its FIN, and c stays whole: closed, it could linger in FIN_WAIT2 or not
c.shutdown(socket.SHUT_WR)
time.sleep(0.2)  # the FIN arrives: s is in CLOSE_WAIT, c in FIN_WAIT2
fds = [s.fileno(), c.fileno()]
if more:
    c2 = socket.create_connection(("127.0.0.1", port))
    s2, _ = l.accept()
    fds += [c2.fileno(), s2.fileno()]
socket.send_fds(out, [b"s"], fds)
"""

port, hold = int(sys.argv[1]), float(sys.argv[2])
more = sys.argv[3:] == ["open"]
a, b = socket.socketpair()
subprocess.run(["unshare", "-n", sys.executable, "-c", CHILD, str(port),
                str(b.fileno()), "open" if more else "-"],
               pass_fds=[b.fileno()], check=True)
_, fds, _, _ = socket.recv_fds(a, 1, 4)
pid = os.fork()
if pid == 0:
    # no pipe of the caller's held open: its reads end with us
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    time.sleep(hold)
    os._exit(0)
print(f"holder {pid}", flush=True)
