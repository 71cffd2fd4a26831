# SPDX-License-Identifier: GPL-2.0
"""tcptrail closewait against real CLOSE_WAIT holds on loopback."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import PY, PEER, TCPTRAIL, free_port, run_exchange


def within(measured_ms, expected_ms):
    return abs(measured_ms - expected_ms) <= expected_ms * 0.10 + 20


def records(t, kind):
    lines = [json.loads(ln) for ln in t.stdout.splitlines() if ln]
    return [r for r in lines if r["type"] == kind]


def test_holds_owner_and_summary(tracer):
    port = free_port()
    holds = [0.03, 0.12, 0.48]
    t = tracer("closewait", "-j", "--port", str(port))
    srv, _, _ = run_exchange(port=port, count=3, hold=holds, delay_read=0.05,
                             server_comm=b"cw-server")
    assert t.stop() == 0
    eps = records(t, "close_wait")
    assert len(eps) == 3
    for ep, hold in zip(eps, holds):
        # CLOSE_WAIT lasts from the FIN (before the 50 ms read delay)
        assert within(ep["ms"], (hold + 0.05) * 1000), (ep["ms"], hold)
        assert (ep["pid"], ep["comm"]) == (srv, "cw-server")
        assert ep["service"] == port and ep["lport"] == port
        assert ep["next"] == "LAST_ACK"
    (summary,) = records(t, "summary")
    assert summary["episodes"] == 3 and summary["open"] == []
    (p,) = summary["ports"]
    assert p["service"] == port and p["episodes"] == 3
    assert within(p["max_ms"], 530) and within(p["p50_ms"], 170)


def test_min_and_port_filter_hide_the_rest(tracer):
    a, b = free_port(), free_port()
    t = tracer("closewait", "-j", "--min", "100ms", "--lport", str(a))
    run_exchange(port=a, count=2, hold=[0.03, 0.2])
    run_exchange(port=b, hold=0.2)
    assert t.stop() == 0
    eps = records(t, "close_wait")
    assert [e["lport"] for e in eps] == [a]
    assert within(eps[0]["ms"], 200)
    # the summary still counts every episode of the filtered port
    (summary,) = records(t, "summary")
    assert [(p["service"], p["episodes"]) for p in summary["ports"]] == [(a, 2)]


def test_still_in_close_wait_at_exit(tracer):
    port = free_port()
    t = tracer("closewait", "-j", "--port", str(port))
    srv = subprocess.Popen([PY, PEER, "server", "--port", str(port),
                            "--hold", "4", "--comm", b"leaky".hex()],
                           stdout=subprocess.PIPE, text=True)
    try:
        assert srv.stdout.readline().startswith("ready")
        cli = subprocess.Popen([PY, PEER, "client", "--port", str(port)])
        time.sleep(1.5)
        assert t.stop() == 0
        (summary,) = records(t, "summary")
        (o,) = summary["open"]
        assert (o["pid"], o["comm"], o["lport"]) == (srv.pid, "leaky", port)
        assert 1000 <= o["age_ms"] <= 4000
        assert records(t, "close_wait") == []
    finally:
        srv.kill()
        srv.wait()
        cli.wait(timeout=10)


def test_still_in_close_wait_at_exit_in_another_namespace(tracer, netns):
    """the kernel lists the sockets it follows in every namespace: one held
    in a namespace of its own is in the summary, with its owner and age"""
    port = free_port()
    t = tracer("closewait", "-j", "--netns", netns)
    pre = ["ip", "netns", "exec", netns]
    srv = subprocess.Popen(pre + [PY, PEER, "server", "--port", str(port),
                                  "--hold", "4", "--comm", b"nsleak".hex()],
                           stdout=subprocess.PIPE, text=True)
    try:
        assert srv.stdout.readline().startswith("ready")
        cli = subprocess.Popen(pre + [PY, PEER, "client", "--port",
                                      str(port)])
        time.sleep(1.5)
        assert t.stop() == 0
        (summary,) = records(t, "summary")
        (o,) = summary["open"]
        assert (o["comm"], o["lport"]) == ("nsleak", port)
        assert 1000 <= o["age_ms"] <= 4000 and not o["age_estimated"]
    finally:
        srv.kill()
        srv.wait()
        cli.wait(timeout=10)


@pytest.mark.parametrize("refuse", ["iter_map", "iter_tcp,iter_map"])
def test_still_in_close_wait_in_a_namespace_nothing_leads_into(tracer,
                                                               refuse):
    """The socket's namespace outlives every process in it (the socket was
    passed out). Where iter/tcp lists the sockets at exit it cannot walk
    that namespace, and says how many it left out; where the sockets are
    kept here, it is listed."""
    port = free_port()
    t = tracer("closewait", "-j", "--port", str(port), refuse=refuse)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "orphan_ns.py")
    p = subprocess.run([PY, script, str(port), "20"], check=True,
                       timeout=20, capture_output=True, text=True)
    holder = int(re.search(r"holder (\d+)", p.stdout).group(1))
    try:
        time.sleep(0.5)
        assert t.stop() == 0
    finally:
        os.kill(holder, signal.SIGKILL)
    (summary,) = records(t, "summary")
    if refuse == "iter_map":
        assert summary["open"] == []
        assert "1 socket seen entering CLOSE_WAIT, in network namespaces " \
            "iter/tcp could not walk, not listed" in t.stderr
    else:
        (o,) = summary["open"]
        assert o["lport"] == port and "could not walk" not in t.stderr


@pytest.mark.parametrize("key", ["service", "lport"])
def test_active_side_service_port(tracer, key):
    """Our host opened the connection and the server closed first: the
    client's socket sits in CLOSE_WAIT, its service port is the remote.
    Both ports ephemeral: the opener, not the port, tells the service."""
    port = free_port(ephemeral=True)
    t = tracer("closewait", "-j", "--port", str(port), "--key", key)
    srv = subprocess.Popen([PY, PEER, "server", "--port", str(port),
                            "--close-first"], stdout=subprocess.PIPE, text=True)
    assert srv.stdout.readline().startswith("ready")
    cli = subprocess.run([PY, PEER, "client", "--port", str(port),
                          "--peer-closes", "--hold", "0.2", "--comm",
                          b"cw-client".hex()])
    assert cli.returncode == 0 and srv.wait(timeout=10) == 0
    assert t.stop() == 0
    (ep,) = records(t, "close_wait")
    assert ep["rport"] == port and ep["comm"] == "cw-client"
    assert ep["service"] == (port if key == "service" else ep["lport"])
    assert within(ep["ms"], 200)


def test_text_output(tracer):
    port = free_port()
    t = tracer("closewait", "--port", str(port), "-T")
    srv, _, _ = run_exchange(port=port, hold=0.1, server_comm=b"cw-text")
    assert t.stop() == 0
    lines = t.stdout.splitlines()
    assert lines[0].split() == ["TIME", "PID", "COMM", "LADDR:LPORT",
                                "RADDR:RPORT", "SERVICE", "NEXT", "MS"]
    row = lines[1].split()
    assert row[1:3] == [str(srv), "cw-text"]
    assert row[3] == f"127.0.0.1:{port}" and row[5] == str(port)
    assert within(float(row[7]), 100)
    i = lines.index("CLOSE_WAIT episodes by service port:")
    assert lines[i + 2].split()[:2] == [str(port), "1"]
    assert "Still in CLOSE_WAIT:" in lines


BAD = [
    (["closewait", "--min", "10parsecs"], "invalid --min '10parsecs'"),
    (["closewait", "--key", "foo"], "invalid --key 'foo'"),
    (["closewait", "--state", "listen"], "--state does not apply"),
    (["closewait", "--max-open", "0"], "invalid --max-open '0'"),
    (["closewait", "--list-max", "0"], "invalid --list-max '0'"),
    (["closewait", "--list-max", "many"], "invalid --list-max 'many'"),
    (["closewait", "--live", "--interval", "10ms"],
     "invalid --interval '10ms': at least 100ms"),
]


@pytest.mark.parametrize("args,msg", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2(args, msg):
    p = subprocess.run([TCPTRAIL] + args, capture_output=True, text=True)
    assert p.returncode == 2
    assert msg in p.stderr and p.stdout == ""


def hold_close_wait(port, hold, comm=b"leaky"):
    """A server holding one accepted socket in CLOSE_WAIT for `hold` s.
    Returns (server, client, time the FIN was sent)."""
    srv = subprocess.Popen([PY, PEER, "server", "--port", str(port),
                            "--hold", str(hold), "--comm", comm.hex()],
                           stdout=subprocess.PIPE, text=True)
    assert srv.stdout.readline().startswith("ready")
    t0 = time.monotonic()
    cli = subprocess.Popen([PY, PEER, "client", "--port", str(port)])
    return srv, cli, t0


def stop(*procs):
    for p in procs:
        p.kill()
        p.wait()


def test_preexisting_close_wait_in_first_live_snapshot(bpf):
    """Someone notices the pile-up, then starts tcptrail: the sockets
    already in CLOSE_WAIT appear at once, with owner and a lower-bound age."""
    port = free_port()
    srv, cli, t0 = hold_close_wait(port, 30)
    try:
        time.sleep(2)
        tr = subprocess.Popen([TCPTRAIL, "closewait", "--live", "--json",
                               "--interval", "500ms", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
        first = json.loads(tr.stdout.readline())
        since = time.monotonic() - t0
        tr.send_signal(2)
        tr.communicate(timeout=10)
        assert first["type"] == "snapshot"
        (s,) = [x for x in first["sockets"] if x["lport"] == port]
        assert (s["pid"], s["comm"]) == (srv.pid, "leaky")
        assert s["age_estimated"] and s["fd"] is not None
        # at least as old as the time since the FIN, minus a tolerance
        assert s["age_ms"] >= (since - 0.5) * 1000 - 300, (s, since)
        assert s["age_ms"] <= since * 1000 + 300
        assert s["service"] == port and s["recv_q"] == 0
    finally:
        stop(srv, cli)


def test_live_snapshot_ages_are_exact_for_sockets_seen_entering(bpf):
    port = free_port()
    tr = subprocess.Popen([TCPTRAIL, "closewait", "--live", "--json",
                           "--interval", "500ms", "--port", str(port)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    tr.stdout.readline()  # a first, empty snapshot: attached
    srv, cli, t0 = hold_close_wait(port, 30, b"fresh")
    try:
        time.sleep(1.6)
        snap = None
        while not snap or not snap["sockets"]:
            snap = json.loads(tr.stdout.readline())
        since = time.monotonic() - t0
        (s,) = snap["sockets"]
        assert not s["age_estimated"]
        assert (s["pid"], s["comm"]) == (srv.pid, "fresh")
        assert 0 < s["age_ms"] <= since * 1000 + 50
    finally:
        tr.send_signal(2)
        tr.communicate(timeout=10)
        stop(srv, cli)


def test_adopted_socket_episode_has_a_lower_bound(tracer):
    port = free_port()
    srv, cli, t0 = hold_close_wait(port, 2.5, b"slowpoke")
    try:
        time.sleep(1)
        t = tracer("closewait", "-j", "--port", str(port))
        assert srv.wait(timeout=10) == 0
        elapsed = time.monotonic() - t0
        assert t.stop() == 0
        (ep,) = records(t, "close_wait")
        assert ep["ms"] is None
        assert within(ep["ms_at_least"], 2500)
        assert ep["ms_at_least"] <= elapsed * 1000
        (summary,) = records(t, "summary")
        assert summary["predating"] == 1
    finally:
        stop(srv, cli)


def ends(line):
    """where each whitespace-separated field of line ends"""
    return [m.end() for m in re.finditer(r"\S+", line)]


def test_text_summary_lists_episodes_begun_before_tracing(tracer):
    """The text says what the JSON's "predating" counts, and names them."""
    ended, still = free_port(), free_port()
    s1, c1, _ = hold_close_wait(ended, 2.5, b"slowpoke")
    s2, c2, _ = hold_close_wait(still, 30, b"stuck")
    try:
        time.sleep(1)
        t = tracer("closewait", "--port", str(ended), "--port", str(still))
        assert s1.wait(timeout=10) == 0
        assert t.stop() == 0
        # one socket left CLOSE_WAIT while traced: one event, singular
        assert "tcptrail: 1 event, 0 lost" in t.stderr
        out = t.stdout.splitlines()
        (i,) = [n for n, ln in enumerate(out)
                if ln.startswith("Started before tracing")]
        assert out[i] == ("Started before tracing (ages are lower bounds): "
                          "1 episode ended, 1 socket still in CLOSE_WAIT")
        head = out[i + 1]
        assert head.split() == ["AGE", "PID", "COMM", "LADDR:LPORT",
                                "RADDR:RPORT", "SERVICE", "STATE"]
        rows = {r.split()[4]: r for r in out[i + 2:i + 4]}
        assert set(rows) == {"slowpoke", "stuck"}
        for comm, srv, port, state in [("slowpoke", s1, ended, "ended"),
                                       ("stuck", s2, still,
                                        "still in CLOSE_WAIT")]:
            row = rows[comm]
            f = row.split()
            assert f[:2] == ["at", "least"] and f[2].endswith("s")
            # a lower bound: at least the time traced, which was > 1 s
            assert 1.0 <= float(f[2][:-1]) <= 5.0, row
            assert f[3] == str(srv.pid) and f[5] == f"127.0.0.1:{port}"
            assert f[7] == str(port) and row.endswith(state)
            # numbers right-aligned under their titles
            # AGE, PID, SERVICE: the titles' fields 0, 1, 5
            assert [ends(head)[n] for n in (0, 1, 5)] == [
                ends(row)[n] for n in (2, 3, 7)], (head, row)
    finally:
        stop(s1, c1, s2, c2)


def test_live_view_under_tmux(bpf):
    port = free_port()
    srv, cli, _ = hold_close_wait(port, 30, b"tmux-leak")
    name = f"tt-live-{port}"
    try:
        time.sleep(0.5)
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "150",
                        "-y", "20", f"{TCPTRAIL} closewait --live --port {port}"],
                       check=True)
        deadline = time.monotonic() + 10
        screen = ""
        while "tmux-leak" not in screen and time.monotonic() < deadline:
            time.sleep(0.3)
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name],
                                    capture_output=True, text=True).stdout
        lines = screen.splitlines()
        assert lines[0].startswith("tcptrail closewait --live")
        assert "1 socket in CLOSE_WAIT" in lines[0]
        assert f"{port}:1 (oldest" in lines[1]
        assert lines[3].split() == ["AGE(s)", "PID", "COMM", "FD",
                                    "LADDR:LPORT", "RADDR:RPORT", "RECV-Q",
                                    "SEND-Q"]
        row = lines[4].split()
        assert row[1:3] == [str(srv.pid), "tmux-leak"]
        assert row[4] == f"127.0.0.1:{port}"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name])
        stop(srv, cli)


def test_filters_apply_to_sockets_that_predate_us(bpf):
    a, b = free_port(), free_port()
    sa, ca, _ = hold_close_wait(a, 30, b"leak-a")
    sb, cb, _ = hold_close_wait(b, 30, b"leak-b")
    try:
        time.sleep(1)
        p = subprocess.run([TCPTRAIL, "closewait", "-j", "-d", "500ms",
                            "--lport", str(a)], capture_output=True,
                           text=True, timeout=20)
        assert p.returncode == 0, p.stderr
        (summary,) = [json.loads(ln) for ln in p.stdout.splitlines()
                      if '"summary"' in ln]
        assert [(o["lport"], o["comm"]) for o in summary["open"]] == [
            (a, "leak-a")]
        assert summary["open"][0]["age_estimated"]
    finally:
        stop(sa, ca, sb, cb)


def test_cgroup_applies_to_sockets_that_predate_us(bpf, cgroup):
    """--cgroup reaches the sockets the kernel's walk lists too: of two
    sockets in CLOSE_WAIT since before tcptrail, only the one in the
    cgroup is listed"""
    a, b = free_port(), free_port()
    sa = subprocess.Popen([PY, PEER, "server", "--port", str(a), "--hold",
                           "30", "--comm", b"in-cg".hex(), "--cgroup",
                           cgroup], stdout=subprocess.PIPE, text=True)
    sb, cb, _ = hold_close_wait(b, 30, b"out-cg")
    ca = None
    try:
        assert sa.stdout.readline().startswith("ready")
        ca = subprocess.Popen([PY, PEER, "client", "--port", str(a)])
        time.sleep(1)
        p = subprocess.run([TCPTRAIL, "closewait", "-j", "-d", "500ms",
                            "--cgroup", cgroup], capture_output=True,
                           text=True, timeout=20)
        assert p.returncode == 0, p.stderr
        (summary,) = [json.loads(ln) for ln in p.stdout.splitlines()
                      if '"summary"' in ln]
        assert [(o["lport"], o["comm"]) for o in summary["open"]] == [
            (a, "in-cg")]
    finally:
        stop(*[x for x in (sa, ca, sb, cb) if x])


def close_wait_ports_in_ss(ports):
    """the local ports of the sockets the kernel has in CLOSE_WAIT"""
    out = subprocess.run(["ss", "-Htan", "state", "close-wait"],
                         capture_output=True, text=True, check=True).stdout
    return sorted(int(ln.split()[2].rsplit(":", 1)[1])
                  for ln in out.splitlines()
                  if int(ln.split()[2].rsplit(":", 1)[1]) in ports)


@pytest.mark.parametrize("json_out", [True, False], ids=["json", "text"])
def test_list_max_lists_the_oldest_and_counts_the_rest(tracer, json_out):
    """Four sockets left in CLOSE_WAIT, 0.4 s apart, --list-max 2: the
    two oldest are listed, oldest first, the other two counted"""
    ports = [free_port() for _ in range(4)]
    t = tracer("closewait", *(["-j"] if json_out else []), "--list-max",
               "2", "--lport", ",".join(map(str, ports)))
    held = []
    try:
        for i, port in enumerate(ports):
            srv, cli, _ = hold_close_wait(port, 10)
            held += [srv, cli]
            # in CLOSE_WAIT by the kernel's view before the next begins
            deadline = time.monotonic() + 5
            while close_wait_ports_in_ss(ports) != sorted(ports[:i + 1]):
                assert time.monotonic() < deadline, port
                time.sleep(0.05)
            time.sleep(0.2)
        assert t.stop() == 0, t.stderr
        if json_out:
            (summary,) = records(t, "summary")
            assert [o["lport"] for o in summary["open"]] == ports[:2]
            assert summary["open_not_listed"] == 2
        else:
            listed = [p for p in ports if f":{p} " in t.stdout]
            assert listed == ports[:2], t.stdout
            assert "(2 more, younger, not listed: --list-max)" in t.stdout
    finally:
        stop(*held)
