# SPDX-License-Identifier: GPL-2.0
"""tcptrail hist: in-kernel histograms of time in a state, per port."""
import json
import re
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
    # (32,64], (256,512], (512,1024] ms: one each, unless the loaded host
    # stretched one (the holds are each CLOSE_WAIT's least)
    got = [(b["le"], b["count"]) for b in h["buckets"]]
    assert sum(c for _, c in got) == 3 and got[0][0] >= 64, h
    assert 700 <= h["max_ms"] and 1040 <= h["sum_ms"], h
    if got == [(64, 1), (512, 1), (1024, 1)]:
        assert h["max_ms"] < 800 and h["sum_ms"] < 1200, h
    # p50: the second sample's slot; p99 the max; both capped at the max
    second = next(le for le, _ in got
                  if sum(c for l2, c in got if l2 <= le) >= 2)
    assert h["p50_ms"] == min(second, h["max_ms"]), h
    assert h["p99_ms"] == h["max_ms"], h
    n = find(doc, "CLOSE_WAIT", q)
    assert n and n["count"] == 2
    assert all(b["le"] is not None and b["le"] <= 32 for b in n["buckets"])
    # only the selected state, only the filtered ports
    assert {x["state"] for x in doc["hists"]} == {"CLOSE_WAIT"}
    assert {x["port"] for x in doc["hists"]} == {p, q}


def text_ms(v, unit):
    return float(v) * (1000 if unit == "s" else 1)


def test_text_bars_and_percentiles(tracer):
    """Rows from the first slot used to the last, bars scaled to the
    fullest row (40 stars), p50 at its sample's slot. Which slots is the
    kernel's: 0.3 s is each CLOSE_WAIT's least, and a loaded host has
    stretched one to 1.76 s (in CI, in the 1025 -> 2048 row)"""
    p = free_port()
    t = tracer("hist", "--lport", str(p), name="hist", ready=HIST)
    run_exchange(port=p, hold=[0.3, 0.3], count=2)
    assert t.stop() == 0, t.stderr
    out = t.stdout
    title = re.search(rf"CLOSE_WAIT time, service port {p}: count 2, "
                      r"p50 <= ([\d.]+)(ms|s), p99 <= ([\d.]+)(ms|s), "
                      r"max ([\d.]+)(ms|s)$", out, re.M)
    assert title, out
    assert "msecs" in out and "   count distribution" in out
    rows = [re.match(r"\s*(\d+) -> (\d+)\s+:\s+(\d+) \|(\**) *\|$", l)
            for l in out.splitlines()]
    rows = [tuple(int(x) for x in m.groups()[:3]) + (len(m[4]),)
            for m in rows if m]
    assert sum(r[2] for r in rows) == 2, out
    assert rows[0][0] >= 257 and rows[0][2] > 0 and rows[-1][2] > 0, out
    assert all(b[0] == a[1] + 1 for a, b in zip(rows, rows[1:])), out
    most = max(r[2] for r in rows)
    assert all(stars == n * 40 // most for _, _, n, stars in rows), out
    p50, p99, mx = (text_ms(title[i], title[i + 1]) for i in (1, 3, 5))
    # percentiles and max as the slot bounds them, capped at the max
    assert p50 == min(rows[0][1], mx), out
    assert rows[-1][0] <= mx <= rows[-1][1] and p99 == mx, out


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
