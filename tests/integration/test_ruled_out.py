# SPDX-License-Identifier: GPL-2.0
"""Sockets the filters rule out for good (family, ports, namespace) get no
state in the kernel: the tracer's tables hold what could still match, as
the kernel's own list of sockets (ss) says, and nothing else."""
import json
import os
import re
import subprocess
import time

import pytest

from conftest import PY, ROOT, run_exchange

CHURN = os.path.join(ROOT, "build", "churn")
P, Q, R = 4242, 4343, 4444  # held and matched, held and not, churned
HELD_Q = 20

HOLDER = f"""
import socket, sys
def listen(port):
    s = socket.socket()
    s.bind(("127.0.0.1", port))
    s.listen(64)
    return s
keep = []
for port, n in (({P}, 1), ({Q}, {HELD_Q})):
    l = listen(port)
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = l.accept()
        keep += [c, a]
    keep.append(l)
print("ready", flush=True)
sys.stdin.read()
"""


TABLES = ("sk_states_hash", "sk_paths", "entered", "accepted")


def map_entries(pid):
    """name -> entries, for the per-socket tables process pid holds"""
    ids = set()
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                ids.update(re.findall(r"^map_id:\s*(\d+)", f.read(), re.M))
        except OSError:
            pass
    got = {}
    for i in ids:
        show = subprocess.run(["bpftool", "-j", "map", "show", "id", i],
                              capture_output=True, text=True)
        if show.returncode or json.loads(show.stdout)["name"] not in TABLES:
            continue
        dump = subprocess.run(["bpftool", "-j", "map", "dump", "id", i],
                              capture_output=True, text=True, check=True)
        got[json.loads(show.stdout)["name"]] = len(json.loads(dump.stdout))
    return got


def kernel_sockets(ns):
    """(state, local port, remote port) of the namespace's TCP sockets;
    a listener's remote port is 0"""
    out = subprocess.run(["ip", "netns", "exec", ns, "ss", "-tanH"],
                         capture_output=True, text=True, check=True).stdout
    socks = []
    for line in out.splitlines():
        f = line.split()
        port = lambda a: 0 if a.endswith("*") else int(a.rsplit(":", 1)[1])
        socks.append((f[0], port(f[3]), port(f[4])))
    return socks


# the filter, and whether a socket's ports could still match it: a port of
# 0 is not known yet and refuses nothing
FILTERS = {
    "--port": lambda l, r: l == P or r == P or not r,
    "--lport": lambda l, r: l == P,
    "--rport": lambda l, r: r == P or not r,
}
# the mode, the table of its per-socket state, whether it notes owners at
# accept()
MODES = {
    "trace": (["trace"], "sk_states_hash", True, b"Tracing"),
    "timeline": (["timeline"], "sk_paths", True, b"Tracing"),
    "hist": (["hist", "--all-states"], "entered", False, b"Measuring"),
}


@pytest.mark.parametrize("mode,flt", [("trace", "--port"),
                                      ("trace", "--lport"),
                                      ("trace", "--rport"),
                                      ("timeline", "--port"),
                                      ("hist", "--lport")])
def test_tables_hold_only_what_could_match(tracer, netns, mode, flt):
    if not os.path.exists(CHURN):
        subprocess.run(["make", "-C", ROOT, "build/churn"], check=True,
                       capture_output=True)
    args, table, owners, ready = MODES[mode]
    t = tracer(*args, "--netns", netns, flt, str(P), name=mode, ready=ready)
    holder = subprocess.Popen(["ip", "netns", "exec", netns, PY, "-c",
                               HOLDER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        # thousands of connections that never match, each made and gone
        subprocess.run(["ip", "netns", "exec", netns, CHURN, "-t", "2",
                        "-d", "1", "-p", str(R)], check=True,
                       capture_output=True, timeout=30)
        time.sleep(0.3)
        got = map_entries(t.proc.pid)
        live = [s for s in kernel_sockets(netns) if s[0] != "TIME-WAIT"]
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert t.stop() == 0
    could = FILTERS[flt]
    # every live socket but the churn's gone ones: the held pairs and
    # their listeners
    assert len(live) == 2 * (1 + HELD_Q) + 2, live
    want = sum(1 for _, l, r in live if could(l, r))
    assert got[table] == want, (got, live)
    if owners:
        # accepted sockets not yet moved on since accept(): the held ones
        accepted = sum(1 for st, l, r in live
                       if st == "ESTAB" and l in (P, Q) and could(l, r))
        assert got["accepted"] == accepted, (got, live)


def test_owner_of_an_accepted_socket_under_rport(tracer, netns):
    """--rport on the clients' ephemeral ports: the clients' own sockets
    are ruled out, the accepted ones match only once their remote port is
    known, after they were made; their owner still comes from accept()"""
    t = tracer("trace", "-j", "--netns", netns, "--rport", "32768-60999")
    srv, cli, port = run_exchange(port=P, netns=netns, hold=0.1, count=3,
                                  server_comm=b"ro-server")
    assert t.stop() == 0
    evs = t.json_events()
    assert evs and all(e["lport"] == port for e in evs), evs
    into_cw = [e for e in evs if e["new"] == "CLOSE_WAIT"]
    assert len(into_cw) == 3, evs
    for e in into_cw:
        assert 32768 <= e["rport"] <= 60999
        assert (e["pid"], e["comm"], e["owner"]) == (srv, "ro-server",
                                                     "accept"), e
    assert not [e for e in evs if e["rport"] == port]
