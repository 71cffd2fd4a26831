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

from conftest import PY, ROOT, cgroup2_root, run_exchange

# run alone, after the suites that run side by side (the Makefile):
# fixed ports, churn, and the kernel's list of sockets (ss) compared whole
pytestmark = pytest.mark.serial

CHURN = os.path.join(ROOT, "build", "churn")
P, Q, R = 4242, 4343, 4444  # held and matched, held and not, churned
HELD_Q = 20

S = 4545  # held in the cgroup of test_tables_hold_only_the_cgroups

# holds HELD = [(port, connections)], each with its listener, until stdin
# closes
HOLDER = """
import socket, sys
def listen(port):
    s = socket.socket()
    s.bind(("127.0.0.1", port))
    s.listen(64)
    return s
keep = []
for port, n in HELD:
    l = listen(port)
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = l.accept()
        keep += [c, a]
    keep.append(l)
print("ready", flush=True)
sys.stdin.read()
"""


def join(cgroup):
    with open(cgroup + "/cgroup.procs", "w") as f:
        f.write("0")


def hold(ns, held, cgroup=None):
    """a holder in namespace ns; in cgroup too when set (joined before ip
    netns exec, whose own /sys hides the cgroup mount)"""
    code = f"HELD = {held!r}\n" + HOLDER
    p = subprocess.Popen(["ip", "netns", "exec", ns, PY, "-c", code],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True,
                         preexec_fn=(lambda: join(cgroup)) if cgroup else None)
    assert p.stdout.readline().strip() == "ready"
    return p


def release(p):
    p.stdin.close()
    p.wait(timeout=10)


def churn(ns):
    """thousands of connections that never match, each made and gone"""
    if not os.path.exists(CHURN):
        subprocess.run(["make", "-C", ROOT, "build/churn"], check=True,
                       capture_output=True)
    subprocess.run(["ip", "netns", "exec", ns, CHURN, "-t", "2", "-d", "1",
                    "-p", str(R)], check=True, capture_output=True,
                   timeout=30)
    time.sleep(0.3)


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


def kernel_sockets(ns, cgroups=False):
    """(state, local port, remote port) of the namespace's TCP sockets, a
    listener's remote port 0; with cgroups, (state, cgroup) instead, the
    cgroup as ss -e gives it (relative to the cgroup v2 mount)"""
    # nsenter, not ip netns exec: ss names cgroups through their mount
    out = subprocess.run(["nsenter", f"--net=/run/netns/{ns}", "ss",
                          "-tanHe"],
                         capture_output=True, text=True, check=True).stdout
    socks = []
    for line in out.splitlines():
        f = line.split()
        if cgroups:
            m = re.search(r"cgroup:(\S+)", line)  # none for time-wait
            socks.append((f[0], m and m.group(1)))
            continue
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
    args, table, owners, ready = MODES[mode]
    t = tracer(*args, "--netns", netns, flt, str(P), name=mode, ready=ready)
    holder = hold(netns, [(P, 1), (Q, HELD_Q)])
    try:
        churn(netns)
        got = map_entries(t.proc.pid)
        live = [s for s in kernel_sockets(netns) if s[0] != "TIME-WAIT"]
    finally:
        release(holder)
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
    # the client's FIN after accept() has returned: before it, the socket
    # is still in the accept queue and its owner is the listener's
    srv, cli, port = run_exchange(port=P, netns=netns, hold=0.1, count=3,
                                  server_comm=b"ro-server", delay_close=0.2)
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


@pytest.mark.parametrize("mode", ["trace", "hist"])
def test_tables_hold_only_the_cgroups(tracer, netns, cgroup, mode):
    """--cgroup rules out every socket made outside the cgroup: a
    socket's cgroup is the one it was made in, for life"""
    args, table, owners, ready = MODES[mode]
    t = tracer(*args, "--netns", netns, "--cgroup", cgroup, name=mode,
               ready=ready)
    outside = hold(netns, [(P, 1), (Q, HELD_Q)])
    inside = hold(netns, [(S, 2)], cgroup=cgroup)
    try:
        churn(netns)
        got = map_entries(t.proc.pid)
        live = [s for s in kernel_sockets(netns, cgroups=True)
                if s[0] != "TIME-WAIT"]
    finally:
        release(inside)
        release(outside)
    assert t.stop() == 0
    ours = "/" + os.path.relpath(cgroup, cgroup2_root())
    assert len(live) == 2 * (1 + HELD_Q + 2) + 3, live
    want = sum(1 for _, c in live if c == ours)
    assert want == 5 and got[table] == want, (got, live)
    if owners:
        assert got["accepted"] == 2, got
