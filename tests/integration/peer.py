#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One side of a known TCP exchange, run as its own process so that
tcptrail sees a distinct owner (pid, comm).

server: listen, print "ready PORT", accept --count connections; for each,
        read to EOF (the peer's FIN: we are now in CLOSE_WAIT), sleep
        --hold seconds, close.
client: connect --count times, send one byte, close first (shutdown),
        wait for the server to close too, then the next connection.
"""
import argparse
import ctypes
import os
import socket
import struct
import sys
import time

PR_SET_NAME = 15


def set_comm(name: bytes) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NAME)")


def join_cgroup(path: str) -> None:
    with open(f"{path}/cgroup.procs", "w") as f:
        f.write("0")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["server", "client"])
    ap.add_argument("--family", choices=["4", "6"], default="4")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--hold", type=float, nargs="*", default=[0.0],
                    help="CLOSE_WAIT hold per connection (last one repeats)")
    ap.add_argument("--delay-read", type=float, default=0.0,
                    help="sleep before reading: the peer's FIN then "
                    "arrives in softirq, not while we hold the socket")
    ap.add_argument("--comm", help="process name, as hex bytes")
    ap.add_argument("--cgroup")
    ap.add_argument("--reset", action="store_true",
                    help="server: end with a RST (SO_LINGER 0), not a FIN")
    ap.add_argument("--close-first", action="store_true",
                    help="server: read one byte and close at once")
    ap.add_argument("--delay-close", type=float, default=0.0,
                    help="client: wait this long before closing")
    ap.add_argument("--peer-closes", action="store_true",
                    help="client: wait for the server's FIN, hold, close")
    ap.add_argument("--wait-stdin", action="store_true",
                    help="print our pid, listen only after a line on stdin")
    a = ap.parse_args()

    if a.cgroup:
        join_cgroup(a.cgroup)
    if a.comm:
        set_comm(bytes.fromhex(a.comm))
    fam = socket.AF_INET6 if a.family == "6" else socket.AF_INET
    host = "::1" if a.family == "6" else "127.0.0.1"

    if a.role == "server":
        if a.wait_stdin:
            print("pid", os.getpid(), flush=True)
            sys.stdin.readline()
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, a.port))
        ls.listen(128)
        print("ready", ls.getsockname()[1], flush=True)
        for i in range(a.count):
            conn, _ = ls.accept()
            if a.close_first:
                conn.recv(1)
                conn.close()
                continue
            time.sleep(a.delay_read)
            while conn.recv(4096):
                pass
            time.sleep(a.hold[min(i, len(a.hold) - 1)])
            if a.reset:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
            conn.close()
        ls.close()
    else:
        for i in range(a.count):
            c = socket.create_connection((host, a.port), timeout=30)
            c.sendall(b"x")
            if a.peer_closes:
                while c.recv(4096):
                    pass
                time.sleep(a.hold[min(i, len(a.hold) - 1)])
                c.close()
                continue
            time.sleep(a.delay_close)
            # our FIN first, then wait for the server's: one at a time
            c.shutdown(socket.SHUT_WR)
            try:
                while c.recv(4096):
                    pass
            except ConnectionResetError:
                pass  # the server's --reset
            c.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
