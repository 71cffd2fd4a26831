# SPDX-License-Identifier: GPL-2.0
"""tcptrail hist: in-kernel histograms of time in a state, per port."""
import json
import subprocess

import pytest

from conftest import TCPTRAIL, free_port, run_exchange

HIST = b"Measuring"


def hists_of(t):
    lines = [json.loads(l) for l in t.stdout.splitlines() if l]
    assert lines, "no JSON output"
    return lines


def find(doc, state, port):
    for h in doc["hists"]:
        if h["state"] == state and h["port"] == port:
            return h
    return None


def bucket_of(h, ms):
    """the 'le' (in ms) of the slot that holds a time of ms"""
    for b in h["buckets"]:
        if b["le"] is None or ms <= b["le"]:
            return b["le"]
    return None


def test_holds_land_in_their_buckets_noise_elsewhere(tracer):
    p, q = free_port(), free_port()
    t = tracer("hist", "-j", "--port", f"{p},{q}", name="hist", ready=HIST)
    run_exchange(port=p, hold=[0.04, 0.3, 0.7], count=3)
    run_exchange(port=q, hold=0.0, count=2)
    assert t.stop() == 0, t.stderr
    doc = hists_of(t)[-1]
    assert doc["unit"] == "ms" and doc["key"] == "service"
    h = find(doc, "CLOSE_WAIT", p)
    assert h and h["count"] == 3, doc
    # (32,64], (256,512], (512,1024] ms: one each
    assert [(b["le"], b["count"]) for b in h["buckets"]] == \
        [(64, 1), (512, 1), (1024, 1)], h
    assert 700 <= h["max_ms"] < 800
    assert 1040 <= h["sum_ms"] < 1200
    assert h["p50_ms"] == 512 and h["p99_ms"] == h["max_ms"]
    n = find(doc, "CLOSE_WAIT", q)
    assert n and n["count"] == 2
    assert all(b["le"] is not None and b["le"] <= 32 for b in n["buckets"])
    # only the selected state, only the filtered ports
    assert {x["state"] for x in doc["hists"]} == {"CLOSE_WAIT"}
    assert {x["port"] for x in doc["hists"]} == {p, q}


def test_text_bars_and_percentiles(tracer):
    p = free_port()
    t = tracer("hist", "--lport", str(p), name="hist", ready=HIST)
    run_exchange(port=p, hold=[0.3, 0.3], count=2)
    assert t.stop() == 0, t.stderr
    out = t.stdout
    assert f"CLOSE_WAIT time, service port {p}: count 2, p50 <= " in out
    assert "msecs" in out and "   count distribution" in out
    row = [l for l in out.splitlines() if "257 -> 512" in l]
    assert row and ":        2 |" in row[0] and "|" + "*" * 40 + "|" in row[0], out


def test_us_all_states_and_interval(tracer):
    p = free_port(ephemeral=True)
    t = tracer("hist", "-j", "--us", "--all-states", "-i", "300ms",
               "--port", str(p), name="hist", ready=HIST)
    run_exchange(port=p, hold=0.05)
    assert t.stop() == 0, t.stderr
    docs = hists_of(t)
    assert len(docs) >= 2, "-i prints more than once"
    last = docs[-1]
    assert last["unit"] == "us"
    states = {h["state"] for h in last["hists"]}
    # client and server sides both count under the service port
    assert {"SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
            "CLOSE_WAIT", "LAST_ACK"} <= states, states
    # both ports are ephemeral: the opener, not the port, tells the service
    assert {h["port"] for h in last["hists"]} == {p}, last
    cw = find(last, "CLOSE_WAIT", p)
    # 50 ms in microseconds: (32768, 65536]
    assert bucket_of(cw, cw["max_ms"] * 1000) == 65536


def test_ports_beyond_the_map_go_under_other(tracer):
    p, q = free_port(), free_port()
    t = tracer("hist", "-j", "--max-ports", "1", "--port", f"{p},{q}",
               name="hist", ready=HIST)
    run_exchange(port=p, hold=0.01)
    run_exchange(port=q, hold=0.01, count=2)
    assert t.stop() == 0, t.stderr
    doc = hists_of(t)[-1]
    assert find(doc, "CLOSE_WAIT", p)["count"] == 1
    assert find(doc, "CLOSE_WAIT", q) is None
    assert find(doc, "CLOSE_WAIT", "other")["count"] == 2


def test_no_ring_buffer_traffic_in_hist_mode(tracer):
    """hist never reads its 4 KiB ring buffer: a single event sent there
    per transition would overflow it within 34 events and count as lost"""
    p = free_port()
    t = tracer("hist", "-j", "-v", "--port", str(p), name="hist", ready=HIST)
    run_exchange(port=p, hold=0.0, count=20)
    assert t.stop() == 0
    assert "ring buffer 4096 bytes" in t.stderr, t.stderr
    doc = hists_of(t)[-1]
    assert find(doc, "CLOSE_WAIT", p)["count"] == 20
    assert doc["lost"] == 0 and doc["missed"] == 0 and doc["gaps"] == 0


@pytest.mark.parametrize("args,msg", [
    (["--ms", "--us"], "--ms and --us exclude each other"),
    (["--state", "close"], "no time is measured in CLOSE"),
    (["--all-states", "--state", "listen"], "exclude each other"),
    (["--max-ports", "0"], "invalid --max-ports '0'"),
    (["-i", "0"], "invalid --interval '0'"),
    (["--key", "dport"], "invalid --key 'dport'"),
    (["extra"], "unexpected argument 'extra'"),
])
def test_bad_input_exits_2(args, msg):
    p = subprocess.run([TCPTRAIL, "hist"] + args, capture_output=True,
                       text=True, timeout=10)
    assert p.returncode == 2
    assert msg in p.stderr.splitlines()[0], p.stderr
