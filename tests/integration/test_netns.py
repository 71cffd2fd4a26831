# SPDX-License-Identifier: GPL-2.0
"""Sockets in other network namespaces, checked against the kernel's own
view there (ip netns exec NAME ss): the walks step into each namespace."""
import json
import re
import subprocess
import time

import pytest

from conftest import PY, PEER, TCPTRAIL, free_port


def ss_close_wait(ns, port):
    """(pid, fd) of each socket in CLOSE_WAIT on port, as ss sees them"""
    out = subprocess.run(["ip", "netns", "exec", ns, "ss", "-tanpH",
                          "state", "close-wait", f"( sport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    return [(int(p), int(f)) for p, f in
            re.findall(r"pid=(\d+),fd=(\d+)", out)]


def hold_in(ns, port, hold):
    """a peer.py server in ns holding one accepted socket in CLOSE_WAIT"""
    pre = ["ip", "netns", "exec", ns]
    srv = subprocess.Popen(pre + [PY, PEER, "server", "--port", str(port),
                                  "--hold", str(hold), "--comm",
                                  b"nsold".hex()],
                           stdout=subprocess.PIPE, text=True)
    assert srv.stdout.readline().startswith("ready")
    cli = subprocess.Popen(pre + [PY, PEER, "client", "--port", str(port)])
    deadline = time.monotonic() + 10
    while not ss_close_wait(ns, port):
        assert time.monotonic() < deadline, "no CLOSE_WAIT in the namespace"
        time.sleep(0.05)
    return srv, cli


def stop(*procs):
    for p in procs:
        p.kill()
        p.wait()


def summary_open(stdout):
    (s,) = [json.loads(ln) for ln in stdout.splitlines()
            if ln and json.loads(ln)["type"] == "summary"]
    return s["open"]


def test_predating_close_wait_in_another_namespace_at_exit(bpf, netns):
    """in CLOSE_WAIT before tcptrail starts, in a namespace of its own:
    listed at exit with or without --netns, as ss there sees it"""
    port = free_port()
    srv, cli = hold_in(netns, port, 20)
    try:
        (want,) = ss_close_wait(netns, port)
        for extra in ([], ["--netns", netns]):
            p = subprocess.run([TCPTRAIL, "closewait", "-j", "-d", "1s"]
                               + extra, capture_output=True, text=True,
                               timeout=30)
            assert p.returncode == 0, p.stderr
            (o,) = [o for o in summary_open(p.stdout)
                    if o["lport"] == port]
            assert (o["pid"], o["comm"]) == (want[0], "nsold"), extra
            assert o["age_estimated"]
    finally:
        stop(srv, cli)


def test_live_view_in_another_namespace(bpf, netns):
    """--live --netns NAME shows what ss shows there: pid, fd, count"""
    port = free_port()
    srv, cli = hold_in(netns, port, 20)
    try:
        (want,) = ss_close_wait(netns, port)
        tr = subprocess.Popen([TCPTRAIL, "closewait", "--live", "--json",
                               "--interval", "300ms", "--netns", netns],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
        first = json.loads(tr.stdout.readline())
        tr.send_signal(2)
        tr.communicate(timeout=10)
        assert first["type"] == "snapshot"
        (s,) = [x for x in first["sockets"] if x["lport"] == port]
        assert (s["pid"], s["fd"]) == want
        assert first["count"] == len(first["sockets"]) >= 1
    finally:
        stop(srv, cli)


def test_namespace_found_through_its_processes(bpf, netns):
    """a namespace no file names any more (ip netns del while a process is
    in it) is still walked, entered through /proc/PID/ns/net"""
    ino = int(subprocess.run(["stat", "-L", "-c", "%i",
                              f"/run/netns/{netns}"], capture_output=True,
                             text=True, check=True).stdout)
    port = free_port()
    srv, cli = hold_in(netns, port, 20)
    try:
        (want,) = ss_close_wait(netns, port)
        subprocess.run(["ip", "netns", "del", netns], check=True)
        p = subprocess.run([TCPTRAIL, "closewait", "-j", "-d", "500ms",
                            "--netns", str(ino)], capture_output=True,
                           text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        (o,) = [o for o in summary_open(p.stdout) if o["lport"] == port]
        assert o["pid"] == want[0]
    finally:
        stop(srv, cli)


# alone (the Makefile): it puts a file in /run/netns, which every walk of
# the namespaces on the host reads
@pytest.mark.serial
def test_a_plain_file_in_run_netns_is_no_namespace(bpf):
    """`ip netns add` makes /run/netns/NAME a plain file before it binds
    the namespace over it: a walk of every namespace meeting one must not
    take it for a namespace that refused setns"""
    import os
    import uuid
    os.makedirs("/run/netns", exist_ok=True)
    path = f"/run/netns/tt-plain-{uuid.uuid4().hex[:8]}"
    open(path, "w").close()
    try:
        p = subprocess.run([TCPTRAIL, "closewait", "--live", "-j", "-d",
                            "0.5"], capture_output=True, text=True,
                           timeout=30)
    finally:
        os.unlink(path)
    assert p.returncode == 0, p.stderr
    assert "refused setns" not in p.stderr, p.stderr
