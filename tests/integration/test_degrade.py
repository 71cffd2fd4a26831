# SPDX-License-Identifier: GPL-2.0
"""Kernels that refuse optional program kinds (older kernels, lockdown, BPF
LSM policies) or lack the ring buffer (before 5.8: perf buffers instead): TCPTRAIL_REFUSE makes the loader treat a kind as refused,
so that every fallback runs on any machine. version reports each refusal,
and every subcommand still gives the right answer with all of them at
once."""
import json
import os
import subprocess
import time

import pytest

from conftest import PEER, PY, TCPTRAIL, free_port, run_exchange

# TCPTRAIL_REFUSE kind -> the feature version reports for it
KINDS = {"tp_btf": "tp_btf", "fexit": "accept_fexit", "fentry": "tw_fentry",
         "iter_tcp": "iter_tcp", "iter_map": "iter_map", "tc": "tc",
         "ringbuf": "ringbuf"}
WORKLOAD = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "ck_workload.py")
ALL = ",".join(list(KINDS) + ["alloc"])


def run(args, refuse, **kw):
    env = dict(os.environ, TCPTRAIL_REFUSE=refuse)
    return subprocess.run([TCPTRAIL] + args, capture_output=True, text=True,
                          env=env, timeout=60, **kw)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_version_reports_each_refusal(bpf, kind):
    base = json.loads(run(["version", "--json"], "").stdout)["features"]
    p = run(["version", "--json"], kind)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)["features"]
    assert got[KINDS[kind]] is False, got
    # nothing else changes, but the path that replaces a refused one
    same = {k for k in base if k != KINDS[kind]}
    if kind == "tp_btf":
        same -= {"accept_fexit", "tw_fentry"}
    assert {k: got[k] for k in same} == {k: base[k] for k in same}


def test_perf_buffers_where_there_is_no_ring_buffer(bpf):
    p = run(["trace", "-v", "-d", "300ms"], "ringbuf")
    assert p.returncode == 0, p.stderr
    assert "; perf buffers 8388608 bytes" in p.stderr, p.stderr
    p = run(["trace", "-v", "-d", "300ms", "--perf-buffer"], "")
    assert "; perf buffers 8388608 bytes" in p.stderr, p.stderr


def test_preallocated_tables_where_run_time_allocation_is_unsafe(bpf):
    """before 6.1 the per-socket tables are preallocated (65536 by
    default, --max-sockets still wins), with the same answers"""
    p = run(["trace", "-v", "-d", "300ms"], "alloc")
    assert p.returncode == 0, p.stderr
    assert "(up to 65536, preallocated)" in p.stderr, p.stderr
    p = run(["trace", "-v", "-d", "300ms", "--max-sockets", "4096"], "alloc")
    assert "(up to 4096, preallocated)" in p.stderr, p.stderr
    p = run(["trace", "-v", "-d", "300ms"], "")
    assert "preallocated" not in p.stderr, p.stderr


def one_warning_at_most(stderr):
    """one line for each thing lost, never repeated, never an error"""
    lines = [ln for ln in stderr.splitlines() if ln.startswith("Warning")]
    assert len(lines) == len(set(lines)) <= 2, stderr
    assert "Error" not in stderr, stderr


def test_trace_with_every_optional_kind_refused(tracer):
    port = free_port()
    t = tracer("trace", "--json", "--port", str(port), refuse=ALL)
    srv, _, _ = run_exchange(port=port, hold=0.3)
    assert t.stop() == 0, t.stderr
    evs = t.json_events()
    cw = [e for e in evs if e["old"] == "CLOSE_WAIT"]
    assert len(cw) == 1 and 300 <= cw[0]["ms"] < 1300, evs
    assert cw[0]["pid"] == srv, cw
    one_warning_at_most(t.stderr)


def test_closewait_with_every_optional_kind_refused(tracer):
    port = free_port()
    t = tracer("closewait", "--json", "--port", str(port), refuse=ALL)
    srv, _, _ = run_exchange(port=port, hold=0.3)
    assert t.stop() == 0, t.stderr
    recs = [json.loads(ln) for ln in t.stdout.splitlines() if ln]
    (ep,) = [r for r in recs if r["type"] == "close_wait"]
    assert ep["pid"] == srv and 300 <= ep["ms"] < 1300, ep
    one_warning_at_most(t.stderr)


@pytest.mark.parametrize("refuse", [ALL, "ringbuf"])
def test_timeline_with_every_optional_kind_refused(tracer, refuse):
    """all refused: the classic tracepoint builds paths from events; only
    the ring buffer refused: the kernel's paths come through perf buffers"""
    port = free_port()
    t = tracer("timeline", "-j", "--open", "--port", str(port),
               refuse=refuse)
    run_exchange(port=port, hold=0.3)
    assert t.stop() == 0, t.stderr
    cs = [json.loads(ln) for ln in t.stdout.splitlines() if ln]
    (srv,) = [c for c in cs if c.get("opened") == "passive"]
    states = [s["state"] for s in srv["path"]]
    assert states == ["SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK",
                      "CLOSE"], srv
    assert 300 <= srv["path"][2]["ms"] < 1300, srv


def test_hist_with_every_optional_kind_refused(tracer):
    port = free_port()
    t = tracer("hist", "--json", "--port", str(port), refuse=ALL,
               ready=b"Measuring")
    run_exchange(port=port, hold=0.3)
    assert t.stop() == 0, t.stderr
    (h,) = [json.loads(ln) for ln in t.stdout.splitlines() if ln.strip()]
    (cw,) = [x for x in h["hists"] if x["state"] == "CLOSE_WAIT"]
    assert cw["count"] == 1 and cw["buckets"] == [{"le": 512, "count": 1}]


@pytest.mark.parametrize("mode,arg,status", [("clean", 3, 0),
                                              ("leak", 8, 3)])
def test_check_with_every_optional_kind_refused(bpf, tmp_path, mode, arg,
                                                status):
    port = free_port()
    j = tmp_path / "r.json"
    p = run(["check", "--json", str(j), "--grace", "1s", "--", PY,
             WORKLOAD, mode, str(port), str(arg)], ALL)
    assert p.returncode == status, p.stderr
    rep = json.loads(j.read_text())
    if mode == "leak":
        [v] = rep["violations"]
        assert v["rule"] == "leak" and v["port"] == port, v
    else:
        assert rep["violations"] == [] and rep["closewait_episodes"] == 3


@pytest.mark.parametrize("refuse", ["iter_tcp", "iter_tcp,iter_map"])
def test_closewait_live_without_iter_tcp(bpf, refuse):
    """--live shows the sockets seen entering CLOSE_WAIT, exact ages, and
    says the queues are unknown: a warning, not a failure"""
    port = free_port()
    env = dict(os.environ, TCPTRAIL_REFUSE=refuse)
    tr = subprocess.Popen([TCPTRAIL, "closewait", "--live", "--json",
                           "--interval", "200ms", "--port", str(port)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env)
    srv = cli = None
    try:
        json.loads(tr.stdout.readline())  # attached: a first snapshot
        srv = subprocess.Popen([PY, PEER, "server", "--port", str(port),
                                "--hold", "3"], stdout=subprocess.PIPE,
                               text=True)
        assert srv.stdout.readline().startswith("ready")
        cli = subprocess.Popen([PY, PEER, "client", "--port", str(port)])
        deadline, seen = time.monotonic() + 10, None
        while not seen and time.monotonic() < deadline:
            snap = json.loads(tr.stdout.readline())
            seen = [s for s in snap["sockets"] if s["lport"] == port]
        assert seen, "never listed"
        (s,) = seen
        assert not s["age_estimated"] and s["age_ms"] < 3000
        assert s["recv_q"] is None and s["send_q"] is None
    finally:
        tr.send_signal(2)
        _, err = tr.communicate(timeout=10)
        if srv:
            srv.kill()
            srv.wait()
        if cli:
            cli.wait(timeout=10)
    assert tr.returncode == 0, err
    assert "--live shows those seen entering it" in err
