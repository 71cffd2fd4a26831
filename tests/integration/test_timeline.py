# SPDX-License-Identifier: GPL-2.0
"""tcptrail timeline against real connections on loopback."""
import json
import re
import subprocess
import sys
import time

import pytest

from conftest import PY, PEER, TCPTRAIL, Tracer, free_port, run_exchange

# the client closes first: its connection ends in a time-wait socket
CLIENT = ["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"]
SERVER = ["SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"]


def within(measured_ms, expected_ms):
    return abs(measured_ms - expected_ms) <= expected_ms * 0.10 + 20


def conns(t):
    out = [json.loads(ln) for ln in t.stdout.splitlines() if ln]
    return [c for c in out if c["type"] == "connection"]


def states(c):
    return [s["state"] for s in c["path"]]


@pytest.mark.parametrize("family", ["4", "6"])
def test_known_exchange(tracer, family):
    port = free_port(family)
    t = tracer("timeline", "-j", "--port", str(port))
    srv, cli, _ = run_exchange(port=port, family=family, hold=0.25,
                               delay_read=0.05, server_comm=b"tl-server",
                               client_comm=b"tl-client")
    assert t.stop() == 0
    by_open = {c["opened"]: c for c in conns(t)}
    assert set(by_open) == {"active", "passive", "listen"}
    a, p, lst = by_open["active"], by_open["passive"], by_open["listen"]
    assert states(a) == CLIENT and a["closed_first"] == "local"
    assert states(p) == SERVER and p["closed_first"] == "peer"
    assert states(lst) == ["LISTEN", "CLOSE"]
    assert (a["pid"], a["comm"]) == (cli, "tl-client")
    assert (p["pid"], p["comm"]) == (srv, "tl-server")
    cw = p["path"][2]
    assert within(cw["ms"], 300)
    # the client's connection is in TIME_WAIT at exit: printed as open
    assert a["open"] and a["path"][-1]["inferred"]
    for c in (p, lst):
        assert not c["open"] and c["path"][-1]["ms"] is None
    for c in (a, p, lst):
        assert c["complete"]
        # the steps add up to the lifetime
        total = sum(s["ms"] for s in c["path"] if s["ms"] is not None)
        assert abs(total - c["lifetime_ms"]) < 0.01
    assert a["lport"] == p["rport"] and a["rport"] == p["lport"] == port


def test_churn_never_merges_connections(tracer):
    """The kernel reuses socket memory at once under churn: every
    connection must still get its own complete, exact timeline."""
    port = free_port()
    n = 300
    t = tracer("timeline", "-j", "--port", str(port))
    run_exchange(port=port, count=n)
    assert t.stop() == 0
    cs = conns(t)
    assert len({c["sock_id"] for c in cs}) == len(cs) == 2 * n + 1
    act = [c for c in cs if c["opened"] == "active"]
    pas = [c for c in cs if c["opened"] == "passive"]
    assert len(act) == len(pas) == n
    bad = [c for c in act if states(c) != CLIENT]
    bad += [c for c in pas if states(c) != SERVER]
    if bad:
        # a transition the kernel skipped (program busy on that CPU) must
        # be counted in the summary and leave the timeline incomplete
        m = re.search(r"(\d+) missed", t.stderr)
        assert m and len(bad) <= int(m.group(1)), (bad[:3], t.stderr)
        assert not any(c["complete"] for c in bad)
    assert len({c["lport"] for c in act}) == n


def open_at_exit(tracer, refuse, name):
    """a server holds its CLOSE_WAIT 4 s; timeline stops 1.5 s in: its
    output, and the client's state then as ss says"""
    port = free_port()
    t = tracer("timeline", "-j", "--open", "--port", str(port),
               refuse=refuse, name=name)
    srv = subprocess.Popen([PY, PEER, "server", "--port", str(port),
                            "--hold", "4"], stdout=subprocess.PIPE, text=True)
    try:
        assert srv.stdout.readline().startswith("ready")
        cli = subprocess.Popen([PY, PEER, "client", "--port", str(port)])
        time.sleep(1.5)
        ss = subprocess.run(["ss", "-tanH", "state", "fin-wait-2",
                             f"dport = :{port}"], capture_output=True,
                            text=True).stdout
        assert t.stop() == 0
        return t, conns(t), bool(ss.strip())
    finally:
        srv.kill()
        srv.wait()
        cli.wait(timeout=10)


@pytest.mark.parametrize("refuse", ["", "iter_map"])
def test_open_connections_at_exit(tracer, refuse):
    """the same answer whether the kernel walks the table of paths
    (iter/bpf_map_elem) or user space does, where that iterator is
    refused (as some kernels and lockdown policies do)"""
    for attempt in (1, 2):
        t, cs, fw2 = open_at_exit(tracer, refuse, f"timeline{attempt}")
        assert fw2  # the kernel's view: the client waits in FIN_WAIT2
        held = [c for c in cs if c["opened"] == "passive"]
        assert len(held) == 1 and held[0]["open"]
        assert states(held[0]) == ["SYN_RECV", "ESTABLISHED", "CLOSE_WAIT"]
        assert 1000 <= held[0]["path"][-1]["ms"] <= 4000
        # the client waits for the server's FIN: open too, in FIN_WAIT2
        (act,) = [c for c in cs if c["opened"] == "active"]
        assert act["open"]
        # A step the kernel ran no program for, with no later step to
        # show it, stays uncounted (the README, "N gaps"): once, in CI,
        # the path ended in FIN_WAIT1 while the client was in FIN_WAIT2.
        # Once more then; twice is a failure.
        if states(act)[-1] == "FIN_WAIT1" and attempt == 1:
            print("RETRY: the client's FIN_WAIT2 step is not in the path",
                  file=sys.stderr)
            continue
        assert states(act)[-1] == "FIN_WAIT2", act
        break
    if refuse:
        warn = [ln for ln in t.stderr.splitlines() if "iterator" in ln]
        assert len(warn) == 1 and "read from user space" in warn[0], \
            t.stderr


def test_text_output(tracer):
    port = free_port()
    t = tracer("timeline", "--port", str(port))
    run_exchange(port=port, hold=0.1)
    assert t.stop() == 0
    lines = t.stdout.splitlines()
    assert lines[0].split() == ["TIME(s)", "PID", "COMM", "LADDR:LPORT",
                                "RADDR:RPORT", "OPENED", "CLOSED", "LIFETIME",
                                "PATH"]
    passive = next(ln for ln in lines if " passive " in ln)
    path = passive.split(None, 8)[8]
    assert path.startswith("SYN_RECV ") and path.endswith(" -> CLOSE")
    assert " -> CLOSE_WAIT " in path


@pytest.mark.parametrize("args,msg", [
    (["timeline", "--state", "listen"], "--state does not apply"),
    (["timeline", "--max-conns", "0"], "invalid --max-conns '0'"),
    (["timeline", "now"], "unexpected argument 'now'"),
])
def test_bad_input_exits_2(args, msg):
    p = subprocess.run([TCPTRAIL] + args, capture_output=True, text=True)
    assert p.returncode == 2
    assert msg in p.stderr and p.stdout == ""


def test_time_wait_inferred_and_confirmed(tracer):
    """The tracepoint shows the time-wait hand-off as FIN_WAIT2 -> CLOSE;
    tcptrail tells it from a real close, and the kernel's socket table
    confirms a TIME-WAIT socket for that connection."""
    port = free_port()
    t = tracer("timeline", "-j", "--port", str(port), name="tl")
    tt = tracer("trace", "-j", "--port", str(port), name="tr")
    run_exchange(port=port, hold=0.05)
    assert t.stop() == 0 and tt.stop() == 0
    (act,) = [c for c in conns(t) if c["opened"] == "active"]
    assert states(act) == CLIENT
    assert act["path"][-1].get("inferred") is True
    (fin,) = [e for e in tt.json_events()
              if e["old"] == "FIN_WAIT2" and e["new"] == "CLOSE"]
    assert fin.get("time_wait") is True
    ss = subprocess.run(["ss", "-tanH", "state", "time-wait",
                         f"( sport = :{act['lport']} )"],
                        capture_output=True, text=True).stdout
    assert f"127.0.0.1:{port}" in ss


def test_reset_is_a_real_close_not_time_wait(tracer):
    port = free_port()
    t = tracer("timeline", "-j", "--port", str(port))
    run_exchange(port=port, hold=0.05, reset=True)
    assert t.stop() == 0
    by_open = {c["opened"]: c for c in conns(t)}
    act, pas = by_open["active"], by_open["passive"]
    # the client waited in FIN_WAIT2 and got a RST: no time-wait socket
    assert states(act) == ["SYN_SENT", "ESTABLISHED", "FIN_WAIT1",
                           "FIN_WAIT2", "CLOSE"]
    assert "inferred" not in act["path"][-1]
    assert states(pas) == ["SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "CLOSE"]



def start_time_wait(tmp):
    port = free_port()
    t = Tracer(tmp, ["timeline", "-j", "--port", str(port)])
    run_exchange(port=port)
    return t, time.monotonic()


@pytest.mark.early(start=start_time_wait)
def test_time_wait_followed_until_the_kernel_drops_it(early):
    """The time-wait socket lives TCP_TIMEWAIT_LEN (60 s): the entry comes
    when the lookup no longer finds it, with that length. (Started with
    the session: see conftest's early mark.)"""
    t, start = early
    deadline = start + 75
    while True:  # looked at least once: the deadline may be long past
        done = [c for c in conns(t) if c["opened"] == "active"]
        if done or time.monotonic() >= deadline:
            break
        time.sleep(1)
    assert t.stop() == 0
    (a,) = done
    assert not a["open"]
    assert states(a) == CLIENT + ["CLOSE"]
    tw = a["path"][-2]
    assert tw["state"] == "TIME_WAIT" and tw["inferred"]
    # the kernel's timer for 60 s fires up to 512 jiffies late (the timer
    # wheel's granularity at that range: 2.048 s at HZ=250), and the
    # lookup looks once a second: gone between two looks a second apart
    assert 59000 <= tw["ms"] <= 60000 + 2048 + 1000 + 500, tw


def test_time_wait_cut_short_by_reuse(tracer):
    """A client that connects again from the same port takes over its own
    time-wait socket (tcp_tw_reuse, on for loopback by default): the
    lookup a second later finds the tuple in use by the new connection,
    so the first one's TIME_WAIT ends there, seconds long, not 60 s."""
    import socket
    with open("/proc/sys/net/ipv4/tcp_tw_reuse") as f:
        if f.read().strip() == "0":
            pytest.skip("tcp_tw_reuse is off here")
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", free_port()))
    ls.listen(8)
    port = ls.getsockname()[1]
    cport = free_port()
    t = tracer("timeline", "-j", "-v", "--port", str(port), name="tl")

    def connect():
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("127.0.0.1", cport))
        c.connect(("127.0.0.1", port))
        s, _ = ls.accept()
        return c, s

    try:
        c, s = connect()
        c.close()  # the client closes first: it keeps the time-wait socket
        time.sleep(0.2)
        s.close()
        time.sleep(2.5)  # tcp_tw_reuse_delay is 1 s
        c2, s2 = connect()
        time.sleep(2.5)
        c2.close()
        s2.close()
    finally:
        ls.close()
    assert t.stop() == 0, t.stderr
    firsts = [c for c in conns(t) if c["opened"] == "active"
              and not c["open"]]
    assert len(firsts) == 1, conns(t)
    tw = firsts[0]["path"][-2]
    assert tw["state"] == "TIME_WAIT" and tw["inferred"]
    assert 2000 <= tw["ms"] <= 5000, tw
    if "fentry/inet_twsk_kill:" in t.stderr:
        assert "time-wait sockets looked up by tuple" in t.stderr, t.stderr


def test_time_wait_handed_over_twice_within_a_look(tracer):
    """The tuple's next connection enters TIME_WAIT before the lookup has
    seen the first one go: the first ends where the second began, and the
    second is followed in its place."""
    import socket
    with open("/proc/sys/net/ipv4/tcp_tw_reuse") as f:
        if f.read().strip() == "0":
            pytest.skip("tcp_tw_reuse is off here")
    ls = socket.socket()
    ls.bind(("127.0.0.1", free_port()))
    ls.listen(8)
    port = ls.getsockname()[1]
    cport = free_port()
    t = tracer("timeline", "-j", "--port", str(port), name="tl")
    try:
        for pause in (1.5, 1.5):
            c = socket.socket()
            c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            c.bind(("127.0.0.1", cport))
            c.connect(("127.0.0.1", port))
            s, _ = ls.accept()
            c.close()
            s.close()
            time.sleep(pause)
    finally:
        ls.close()
    assert t.stop() == 0, t.stderr
    # ids are unique, not in time order across CPUs: order by when each
    # was printed (the first when its TIME_WAIT ended, the second at exit)
    clients = sorted((c for c in conns(t) if c["opened"] == "active"),
                     key=lambda c: c["time"])
    assert len(clients) == 2, conns(t)
    first, second = clients
    assert not first["open"], first
    tw = first["path"][-2]
    assert tw["state"] == "TIME_WAIT" and 1000 <= tw["ms"] <= 2600, tw
    assert second["open"] and second["path"][-1]["state"] == "TIME_WAIT"


def test_time_wait_of_a_dual_stack_server(tracer):
    """An IPv4 client of a server listening on [::]: the server's socket
    is IPv6 with v4-mapped addresses, its time-wait socket is filed under
    IPv4; the lookup must still find it, not end TIME_WAIT at once."""
    import socket
    ls = socket.socket(socket.AF_INET6)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.bind(("::", free_port("6")))
    ls.listen(8)
    port = ls.getsockname()[1]
    t = tracer("timeline", "-j", "--port", str(port), name="tl")
    try:
        c = socket.create_connection(("127.0.0.1", port))
        s, _ = ls.accept()
        s.close()  # the server closes first: it keeps the time-wait socket
        time.sleep(0.2)
        c.close()
        time.sleep(2.5)
    finally:
        ls.close()
    assert t.stop() == 0, t.stderr
    (srv,) = [c for c in conns(t) if c["opened"] == "passive"]
    assert srv["family"] == "ipv6" and srv["raddr"].startswith("::ffff:")
    assert srv["open"] and srv["path"][-1]["state"] == "TIME_WAIT", srv


def test_time_wait_followers_are_bounded(tracer):
    """under churn, time-wait sockets would fill the table and starve new
    connections: at most a quarter of --max-conns is spent on them, the
    rest end their path at the hand-off, and nothing goes unreported"""
    port = free_port()
    t = tracer("timeline", "-j", "--max-conns", "8", "--port", str(port),
               name="tl")
    run_exchange(port=port, hold=0.01, count=5)
    assert t.stop() == 0, t.stderr
    clients = [c for c in conns(t) if c["opened"] == "active"]
    assert len(clients) == 5
    followed = [c for c in clients if c["open"]]
    ended = [c for c in clients if not c["open"]]
    # two still followed in TIME_WAIT at exit, three ended at the hand-off
    assert len(followed) == 2 and len(ended) == 3, clients
    assert all(c["path"][-1]["state"] == "TIME_WAIT" for c in clients)
    assert "3 connections entered TIME_WAIT while a quarter of " \
        "--max-conns (2) were there already" in t.stderr, t.stderr
    servers = [c for c in conns(t) if c["opened"] == "passive"]
    assert len(servers) == 5
