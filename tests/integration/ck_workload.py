#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Workloads for 'tcptrail check': one server and one client on loopback,
in this process and its children.

clean PORT N       N connections; the server closes right after the FIN
slow PORT HOLD     one; the server sits HOLD s in CLOSE_WAIT, then closes
leak PORT HOLD     one; a forked child keeps the socket in CLOSE_WAIT for
                   HOLD s after this process has exited 0
open PORT HOLD     one connection left ESTABLISHED in a child for HOLD s
exit PORT CODE     one clean connection, then exit CODE
"""
import os
import socket
import sys
import time


def pair(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen()
    cli = socket.create_connection(("127.0.0.1", port))
    conn, _ = srv.accept()
    return srv, cli, conn


def to_close_wait(cli, conn):
    cli.close()  # our FIN: the server side enters CLOSE_WAIT
    assert conn.recv(1) == b""


def detach(hold):
    """a child that outlives us, holding whatever we hold, then exits"""
    if os.fork():
        return True
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    time.sleep(hold)
    os._exit(0)


def main():
    mode, port, arg = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    if mode == "clean" or mode == "exit":
        for _ in range(int(arg) if mode == "clean" else 1):
            srv, cli, conn = pair(port)
            to_close_wait(cli, conn)
            conn.close()
            srv.close()
            time.sleep(0.05)
        return int(arg) if mode == "exit" else 0
    srv, cli, conn = pair(port)
    if mode == "slow":
        to_close_wait(cli, conn)
        time.sleep(arg)
        conn.close()
    elif mode == "leak":
        to_close_wait(cli, conn)
        detach(arg)
    elif mode == "open":
        detach(arg)
    else:
        sys.exit(f"unknown mode {mode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
