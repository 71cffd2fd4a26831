# SPDX-License-Identifier: GPL-2.0
"""tcptrail export: Prometheus metrics over HTTP, checked by promtool and
scraped by a real Prometheus server."""
import contextlib
import json
import os
import re
import select
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import PEER, PY, TCPTRAIL, free_port, run_exchange

SERVING = b"Serving metrics"


def need(tool):
    path = shutil.which(tool)
    if not path:
        msg = f"{tool} NOT INSTALLED: test skipped (scripts/install-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def get(port, path="/metrics", method="GET", timeout=5):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def samples(text):
    """{(name, frozenset(labels)): value}"""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'([a-z_]+)(?:\{(.*)\})? (\S+)$', line)
        assert m, f"unparsable sample line: {line!r}"
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(s, name, **labels):
    return s.get((name, frozenset((k, str(v)) for k, v in labels.items())))


def buckets(s, state, port):
    """[(le, cumulative count)] sorted by le, +Inf last"""
    out = []
    for (name, labels), v in s.items():
        d = dict(labels)
        if name == "tcptrail_state_duration_seconds_bucket" and \
                d["state"] == state and d["port"] == str(port):
            out.append((float(d["le"]), v))
    return sorted(out)


@pytest.fixture
def exporter(tracer):
    def start(*args):
        port = free_port()
        t = tracer("export", "--listen", f"127.0.0.1:{port}", *args,
                   name="export", ready=SERVING)
        t.port = port
        return t
    return start


def test_metrics_pass_promtool_and_match_the_traffic(exporter):
    promtool = need("promtool")
    p = free_port()
    t = exporter("--port", str(p))
    run_exchange(port=p, hold=[0.04, 0.3, 0.7], count=3)
    time.sleep(1.1)  # past the exporter's one-second refresh
    code, headers, text = get(t.port)
    assert code == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    chk = subprocess.run([promtool, "check", "metrics"], input=text,
                         capture_output=True, text=True, timeout=30)
    assert chk.returncode == 0, chk.stdout + chk.stderr
    s = samples(text)
    cw = dict(state="close_wait", port=p)
    assert value(s, "tcptrail_state_duration_seconds_count", **cw) == 3
    total = value(s, "tcptrail_state_duration_seconds_sum", **cw)
    assert 1.04 <= total < 1.2
    b = buckets(s, "close_wait", p)
    les = [le for le, _ in b]
    assert les[-1] == float("inf") and les == sorted(les)
    counts = [c for _, c in b]
    assert counts == sorted(counts), "buckets must be cumulative"
    assert counts[-1] == 3
    # each hold is in the first bucket whose bound is >= it, not before:
    # the edges 0.065536 (0.04 s), 0.524288 (0.3 s), 1.048576 (0.7 s)
    at = dict(b)
    assert at[0.032768] == 0 and at[0.065536] == 1
    assert at[0.262144] == 1 and at[0.524288] == 2
    assert at[0.524288] == 2 and at[1.048576] == 3
    # server and client sides, every transition, counted once each
    tr = lambda f, to: value(s, "tcptrail_transitions_total", **{
        "from": f, "to": to})
    assert tr("established", "close_wait") == 3
    assert tr("close_wait", "last_ack") == 3
    assert tr("fin_wait2", "time_wait") == 3
    assert value(s, "tcptrail_lost_events_total") == 0
    info = [k for k in s if k[0] == "tcptrail_build_info"]
    assert len(info) == 1 and ("attach", "tp_btf/inet_sock_set_state") in \
        info[0][1]
    assert t.stop() == 0


@contextlib.contextmanager
def closewait_server(port, hold, settle):
    """a server on port whose connection sits in CLOSE_WAIT for hold s,
    settle s of it gone by when this yields the server's process"""
    srv = subprocess.Popen([PY, PEER, "server", "--port", str(port),
                            "--hold", str(hold)], stdout=subprocess.PIPE,
                           text=True)
    cli = None
    try:
        assert srv.stdout.readline().startswith("ready")
        cli = subprocess.Popen([PY, PEER, "client", "--port", str(port)])
        time.sleep(settle)
        yield srv
    finally:
        srv.kill()
        srv.wait()
        if cli:
            cli.wait(timeout=10)


def test_sockets_gauge_seeded_with_sockets_older_than_tcptrail(exporter):
    """a socket already in CLOSE_WAIT when export starts is counted, with
    an age, at the first scrape"""
    p = free_port()
    with closewait_server(p, hold=6, settle=1.5):
        t = exporter("--port", str(p))
        _, _, text = get(t.port)
        s = samples(text)
        assert value(s, "tcptrail_sockets", state="close_wait", port=p) == 1
        age = value(s, "tcptrail_closewait_oldest_seconds", port=p)
        assert age is not None and 1.0 <= age < 6, text
        assert t.stop() == 0


NS_HOLDER = r"""
import socket, subprocess, sys, time
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
ls = socket.socket()
ls.bind(("127.0.0.1", int(sys.argv[1])))
ls.listen(1)
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s, _ = ls.accept()
c.close()
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_namespace_only_a_process_is_in_is_counted(exporter):
    """a CLOSE_WAIT in a network namespace no /run/netns entry names
    (unshare -n): export finds it through the process, after it has
    dropped what it no longer needs; the count is ss's in that namespace"""
    p = free_port()
    holder = subprocess.Popen(["unshare", "-n", PY, "-c", NS_HOLDER, str(p),
                               "20"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().startswith("ready")
        ss = subprocess.run(["nsenter", "-t", str(holder.pid), "-n", "ss",
                             "-tanH", "state", "close-wait"],
                            capture_output=True, text=True, check=True)
        want = len(ss.stdout.splitlines())
        assert want == 1, ss.stdout
        t = exporter("--port", str(p))
        _, _, text = get(t.port)
        s = samples(text)
        assert value(s, "tcptrail_sockets", state="close_wait",
                     port=p) == want, text
        assert t.stop() == 0
        assert "Warning" not in t.stderr, t.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_gauge_drops_to_zero_before_it_goes(exporter):
    """a socket older than tcptrail leaves no histogram behind: its port's
    series is shown at 0 at the next rendering, then no more"""
    p = free_port()
    with closewait_server(p, hold=4, settle=0.3) as srv:
        t = exporter("--port", str(p))
        s = samples(get(t.port)[2])
        assert value(s, "tcptrail_sockets", state="close_wait", port=p) == 1
        assert srv.wait(timeout=10) == 0
        time.sleep(1.1)  # past the exporter's one-second refresh
        s = samples(get(t.port)[2])
        assert value(s, "tcptrail_sockets", state="close_wait", port=p) == 0
        assert value(s, "tcptrail_closewait_oldest_seconds", port=p) == 0
        time.sleep(1.1)
        s = samples(get(t.port)[2])
        assert value(s, "tcptrail_sockets", state="close_wait",
                     port=p) is None
        assert t.stop() == 0


@pytest.mark.parametrize("self_", [False, True])
def test_own_port_left_out(exporter, self_):
    """the scrapes' own connections (client and server side) are not
    measured, unless --self"""
    t = exporter(*(["--self"] if self_ else []))
    for _ in range(3):
        assert get(t.port)[0] == 200
    time.sleep(1.1)
    s = samples(get(t.port)[2])
    own = {n for n, labels in s if ("port", str(t.port)) in labels}
    if self_:
        assert value(s, "tcptrail_state_duration_seconds_count",
                     state="close_wait", port=t.port) >= 3, own
    else:
        assert not own, own
    assert t.stop() == 0


def test_port_labels_are_bounded(exporter):
    p, q, r = free_port(), free_port(), free_port()
    t = exporter("--max-ports", "1", "--port", f"{p},{q},{r}")
    run_exchange(port=p, hold=0.01, count=3)
    run_exchange(port=q, hold=0.01)
    run_exchange(port=r, hold=0.01)
    time.sleep(1.1)
    s = samples(get(t.port)[2])
    ports = {dict(l)["port"] for n, l in s
             if n == "tcptrail_state_duration_seconds_count"}
    assert ports == {str(p), "other"}, ports
    assert value(s, "tcptrail_state_duration_seconds_count",
                 state="close_wait", port="other") == 2
    assert t.stop() == 0


def test_paths_methods_and_head(exporter):
    t = exporter()
    assert get(t.port, "/nope")[0] == 404
    assert get(t.port, "/metrics/x")[0] == 404
    code, headers, _ = get(t.port, "/metrics", "POST")
    assert code == 405 and headers["Allow"] == "GET, HEAD"
    assert get(t.port, "/metrics", "DELETE")[0] == 405
    code, _, body = get(t.port, "/")
    assert code == 200 and 'href="/metrics"' in body
    code, _, body = get(t.port, "/metrics", "HEAD")
    assert code == 200 and body == ""
    assert get(t.port, "/metrics?x=1")[0] == 200
    assert t.stop() == 0


def read_response(f, head=False):
    """(status line, headers, body) of one response from a file of a
    socket; the body as long as Content-Length says, none after HEAD"""
    status = f.readline().decode().rstrip("\r\n")
    headers = {}
    assert status.startswith("HTTP/1.1 "), f"not a response: {status!r}"
    for line in iter(f.readline, b"\r\n"):
        assert b":" in line, f"not a header: {line!r}"
        k, v = line.decode().split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", 0))
    return status, headers, f.read(n) if n and not head else b""


def test_head_on_a_kept_alive_connection(exporter):
    """HEAD answers the headers GET would, Content-Length included, and
    no body: the next response on the connection is read right"""
    t = exporter()
    for path, code in [("/metrics", 200), ("/", 200), ("/nope", 404)]:
        for _ in range(3):  # the text may be rendered anew in between
            with socket.create_connection(("127.0.0.1", t.port),
                                          timeout=5) as s:
                s.sendall(f"HEAD {path} HTTP/1.1\r\nHost: x\r\n\r\n"
                          f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"
                          "GET /nope HTTP/1.1\r\nHost: x\r\n"
                          "Connection: close\r\n\r\n".encode())
                f = s.makefile("rb")
                head = read_response(f, head=True)
                got = read_response(f)
                last = read_response(f)
                assert f.read() == b"", "bytes after the last response"
            assert head[0] == f"HTTP/1.1 {code} " + \
                ("OK" if code == 200 else "Not Found"), head
            assert got[0] == head[0], got
            assert last[0] == "HTTP/1.1 404 Not Found", last
            assert head[1]["content-type"] == got[1]["content-type"]
            if head[1]["content-length"] == str(len(got[2])):
                break
        assert head[1]["content-length"] == str(len(got[2])), (head, got)
        assert len(got[2]) > 0
    assert t.stop() == 0


def test_curl_head(exporter, tmp_path):
    curl = need("curl")
    t = exporter()
    url = f"http://127.0.0.1:{t.port}/metrics"
    t0 = time.monotonic()
    p = subprocess.run([curl, "-sI", "--max-time", "5", url],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 0 and time.monotonic() - t0 < 2, p
    assert p.stdout.startswith("HTTP/1.1 200 OK"), p.stdout
    length = re.search(r"(?im)^content-length: (\d+)", p.stdout)
    assert length and int(length.group(1)) > 0, p.stdout
    # -X HEAD makes curl wait for the announced body: none may come
    body, hdrs = tmp_path / "body", tmp_path / "headers"
    p = subprocess.run([curl, "-s", "-X", "HEAD", "--max-time", "1",
                        "-D", str(hdrs), "-o", str(body), url],
                       capture_output=True, text=True, timeout=10)
    assert hdrs.read_text().startswith("HTTP/1.1 200 OK")
    assert not body.exists() or body.read_bytes() == b"", body.read_bytes()
    assert t.stop() == 0


# alone (the Makefile): its bounds are tight times under a crowd
@pytest.mark.serial
def test_slow_client_times_out_and_stalls_nobody(exporter):
    t = exporter("--timeout", "2")
    slow = socket.create_connection(("127.0.0.1", t.port))
    slow.sendall(b"GET /metr")  # and nothing more
    t0 = time.monotonic()
    assert get(t.port, timeout=2)[0] == 200, "a slow client stalled others"
    assert time.monotonic() - t0 < 1.5
    slow.settimeout(10)
    got = slow.recv(4096)  # the server gives up on it
    waited = time.monotonic() - t0
    slow.close()
    assert 1.5 <= waited < 6, waited
    assert not got or got.startswith(b"HTTP/1.1 408") or b" 400 " in got
    assert t.stop() == 0


# alone (the Makefile): its bounds are tight times under a crowd
@pytest.mark.serial
def test_connection_limit_closes_the_longest_waiting(exporter):
    t = exporter("--max-conns", "2", "--timeout", "30")
    idle = [socket.create_connection(("127.0.0.1", t.port))
            for _ in range(2)]
    time.sleep(0.3)
    # a third connection makes room: the oldest idle one is closed
    t0 = time.monotonic()
    assert get(t.port, timeout=3)[0] == 200
    assert time.monotonic() - t0 < 1
    idle[0].settimeout(3)
    assert idle[0].recv(100) == b""
    idle[1].setblocking(False)
    with pytest.raises(BlockingIOError):
        idle[1].recv(100)  # still open, nothing said
    for s in idle:
        s.close()
    assert t.stop() == 0
    assert re.search(r"\b1 closed at --max-conns", t.stderr), t.stderr


class Crowd:
    """n clients on one thread: idle ones send nothing, slow ones one
    byte of a request a second. Notes when the server closes each."""

    REQUEST = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"

    def __init__(self, port, idle, slow):
        self.socks = []
        for i in range(idle + slow):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))  # no wait on a full queue
            self.socks.append(s)
        self.t0 = time.monotonic()
        self.slow = set(self.socks[idle:])
        self.sent = {s: 0 for s in self.socks}
        self.closed = {}  # socket: seconds after t0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        next_byte = time.monotonic() + 1
        while not self.stop:
            live = [s for s in self.socks if s not in self.closed]
            if not live:
                return
            r, _, _ = select.select(live, [], [], 0.05)
            for s in r:
                try:
                    if s.recv(4096):
                        continue  # an answer: not expected, not a close
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                self.closed[s] = time.monotonic() - self.t0
            if time.monotonic() >= next_byte:
                next_byte += 1
                for s in self.slow:
                    if s in self.closed or \
                            self.sent[s] >= len(self.REQUEST) - 1:
                        continue
                    try:
                        s.send(self.REQUEST[self.sent[s]:self.sent[s] + 1])
                        self.sent[s] += 1
                    except (BlockingIOError, OSError):
                        pass

    def close(self):
        self.stop = True
        self.thread.join(timeout=5)
        for s in self.socks:
            s.close()


def curl_scrape(port):
    """seconds a real scrape took (curl), and its status"""
    t0 = time.monotonic()
    p = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "--max-time", "10",
                        f"http://127.0.0.1:{port}/metrics"],
                       capture_output=True, text=True, timeout=20)
    return time.monotonic() - t0, p.stdout


# alone (the Makefile): its bounds are tight times under a crowd
@pytest.mark.serial
def test_slow_and_idle_clients_never_hold_up_a_scrape(exporter):
    """100 idle and 100 slow clients against the default --max-conns 16
    and --timeout 10s: scrapes are still answered at once"""
    need("curl")
    t = exporter()
    crowd = Crowd(t.port, idle=100, slow=100)
    try:
        time.sleep(0.5)
        took = []
        for _ in range(3):
            took.append(curl_scrape(t.port))
            time.sleep(0.5)
        for secs, code in took:
            assert code == "200" and secs < 2, took
        # the crowd made room for the scrapes
        assert len(crowd.closed) >= 200 - 16, len(crowd.closed)
    finally:
        crowd.close()
    assert t.stop() == 0
    assert re.search(r"\b[1-9]\d* closed at --max-conns", t.stderr), t.stderr


# alone (the Makefile): its bounds are tight times under a crowd
@pytest.mark.serial
def test_timeout_bounds_the_whole_request(exporter):
    """one header byte a second does not keep a connection past
    --timeout, nor does sending nothing"""
    need("curl")
    t = exporter("--timeout", "2s", "--max-conns", "300")
    crowd = Crowd(t.port, idle=100, slow=100)
    try:
        time.sleep(0.5)
        secs, code = curl_scrape(t.port)
        assert code == "200" and secs < 2, (secs, code)
        deadline = time.monotonic() + 6
        while len(crowd.closed) < 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(crowd.closed) == 200, \
            f"{200 - len(crowd.closed)} clients never cut off"
        slow = sorted(crowd.closed[s] for s in crowd.slow)
        idle = sorted(v for s, v in crowd.closed.items()
                      if s not in crowd.slow)
        # 2 s from accept; the crowd connects within its first moments
        assert 1.8 <= slow[0] and slow[-1] < 3.5, slow
        assert 1.8 <= idle[0] and idle[-1] < 3.5, idle
        assert max(crowd.sent[s] for s in crowd.slow) <= 3
    finally:
        crowd.close()
    assert t.stop() == 0
    assert re.search(r"\b200 connections cut at --timeout", t.stderr), \
        t.stderr


class Prometheus:
    """a real Prometheus server scraping export every second"""

    def __init__(self, tmp_path, target_port, job_extra=""):
        """job_extra: more lines of the job's config (scheme, tls_config)"""
        self.tmp_path = tmp_path
        self.web = free_port()
        cfg = tmp_path / "prometheus.yml"
        cfg.write_text(
            "global:\n  scrape_interval: 1s\n"
            "scrape_configs:\n  - job_name: tcptrail\n"
            + job_extra +
            "    static_configs:\n"
            f"      - targets: ['127.0.0.1:{target_port}']\n")
        self.log = open(tmp_path / "prometheus.log", "wb")
        self.proc = subprocess.Popen(
            [need("prometheus"), f"--config.file={cfg}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.web}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(self.web, "/-/ready")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "prometheus did not start"
            time.sleep(0.2)

    def query(self, q):
        url = (f"http://127.0.0.1:{self.web}/api/v1/query?"
               + urllib.parse.urlencode({"query": q}))
        with urllib.request.urlopen(url, timeout=5) as r:
            d = json.load(r)
        assert d["status"] == "success", d
        return [float(x["value"][1]) for x in d["data"]["result"]]

    def log_tail(self):
        return (self.tmp_path / "prometheus.log").read_text()[-2000:]

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()


def test_real_prometheus_scrapes_and_answers_queries(exporter, tmp_path):
    need("prometheus")
    p = free_port()
    t = exporter("--port", str(p))
    prom = Prometheus(tmp_path, t.port)
    query = prom.query
    try:
        run_exchange(port=p, hold=[0.3, 0.35, 0.4, 0.7], count=4)
        sel = f'{{state="close_wait",port="{p}"}}'
        deadline = time.monotonic() + 20
        while query(f"tcptrail_state_duration_seconds_count{sel}") != [4.0]:
            assert time.monotonic() < deadline, prom.log_tail()
            time.sleep(0.5)
        [median] = query("histogram_quantile(0.5, "
                         f"tcptrail_state_duration_seconds_bucket{sel})")
        # 3 of 4 in (0.262144, 0.524288]: Prometheus interpolates there
        assert 0.262144 < median <= 0.524288, median
        [p99] = query("histogram_quantile(0.99, "
                      f"tcptrail_state_duration_seconds_bucket{sel})")
        assert 0.524288 < p99 <= 1.048576, p99
        [s] = query(f"tcptrail_state_duration_seconds_sum{sel}")
        assert 1.75 <= s < 2.0
        up = query('up{job="tcptrail"}')
        assert up == [1.0]
    finally:
        prom.close()
    assert t.stop() == 0


# alone (the Makefile): its bounds are tight times under a crowd
@pytest.mark.serial
def test_real_prometheus_scrapes_past_a_crowd(exporter, tmp_path):
    """100 idle and 100 slow clients against the default limits: every
    scrape of a real Prometheus (1 s interval, so a 1 s scrape timeout)
    still succeeds"""
    need("prometheus")
    t = exporter()
    crowd = Crowd(t.port, idle=100, slow=100)
    try:
        prom = Prometheus(tmp_path, t.port)
        try:
            deadline = time.monotonic() + 20
            while prom.query('count_over_time(up{job="tcptrail"}[1h])') \
                    < [5.0]:
                assert time.monotonic() < deadline, prom.log_tail()
                time.sleep(0.5)
            ups = prom.query('min_over_time(up{job="tcptrail"}[1h])')
            assert ups == [1.0], (ups, prom.log_tail())
            [took] = prom.query('max_over_time(scrape_duration_seconds'
                                '{job="tcptrail"}[1h])')
            assert took < 1, took
        finally:
            prom.close()
    finally:
        crowd.close()
    assert t.stop() == 0


@pytest.mark.parametrize("args,msg", [
    (["--listen", "localhost:9976"], "not a numeric IPv4 or IPv6"),
    (["--listen", "127.0.0.1"], "expected ADDR:PORT"),
    (["--listen", "::1:9976"], "in brackets"),
    (["--listen", "127.0.0.1:0"], "invalid --listen"),
    (["--listen", "127.0.0.1:70000"], "invalid --listen"),
    (["--max-conns", "0"], "invalid --max-conns"),
    (["--timeout", "x"], "invalid --timeout"),
    (["--timeout", "0"], "invalid --timeout '0': at least 100ms"),
    (["--timeout", "50ms"], "invalid --timeout '50ms': at least 100ms"),
    (["--timeout", "2h"], "invalid --timeout '2h': at most 1h"),
])
def test_bad_input_exits_2(args, msg):
    p = subprocess.run([TCPTRAIL, "export"] + args, capture_output=True,
                       text=True, timeout=10)
    assert p.returncode == 2
    assert msg in p.stderr.splitlines()[0], p.stderr


def test_port_in_use_is_one_clear_error(bpf):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        p = subprocess.run([TCPTRAIL, "export", "--listen",
                            f"127.0.0.1:{port}"], capture_output=True,
                           text=True, timeout=20)
    assert p.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in p.stderr, p.stderr


def test_drops_what_it_no_longer_needs_once_listening(exporter):
    """started as root: once serving, only CAP_SYS_ADMIN (setns for the
    gauges), CAP_SYS_PTRACE (namespaces found through processes),
    CAP_PERFMON and CAP_BPF are left, in every set, the
    bounding set too, with no_new_privs; and a scrape still walks the
    sockets"""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    cli = socket.create_connection(srv.getsockname())
    conn, _ = srv.accept()
    cli.close()  # conn: CLOSE_WAIT
    try:
        t = exporter()
        status = {}
        deadline = time.monotonic() + 10
        while status.get("CapEff") != "000000c000280000":
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
            with open(f"/proc/{t.proc.pid}/status") as f:
                status = dict(line.split(":\t", 1) for line in
                              f.read().splitlines() if ":\t" in line)
        for k in ("CapPrm", "CapBnd"):
            assert status[k] == "000000c000280000", (k, status[k])
        assert status["CapInh"] == status["CapAmb"] == "0000000000000000"
        assert status["NoNewPrivs"] == "1"
        port = srv.getsockname()[1]
        body = urllib.request.urlopen(
            f"http://127.0.0.1:{t.port}/metrics", timeout=10).read().decode()
        assert f'tcptrail_sockets{{state="close_wait",port="{port}"}} 1' \
            in body
        assert t.stop() == 0 and "Warning" not in t.stderr, t.stderr
    finally:
        conn.close()
        srv.close()


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.split(":\t", 1) for line in f.read().splitlines()
                    if ":\t" in line)


def ss_count(state, port):
    """the kernel's own count of sockets in state with port at either end
    (the client ends' service port is their peer's): ss, not us"""
    out = subprocess.run(["ss", "-tanH", "state", state,
                          f"( sport = :{port} or dport = :{port} )"],
                         capture_output=True, text=True, timeout=10,
                         check=True).stdout
    return len(out.splitlines())


def test_user_runs_as_that_user_and_still_scrapes_right(exporter):
    """--user nobody, started as root: once serving it is nobody (every
    UID and GID, nobody's groups), holds CAP_BPF, CAP_PERFMON,
    CAP_SYS_ADMIN and CAP_SYS_PTRACE alone with no_new_privs, and its gauges still say
    what ss says of the same sockets"""
    srv = socket.socket()
    srv.bind(("127.0.0.1", free_port()))
    srv.listen(16)
    port = srv.getsockname()[1]
    held = []
    try:
        for _ in range(3):
            cli = socket.create_connection(("127.0.0.1", port))
            held.append(srv.accept()[0])
            cli.close()  # the accepted end: CLOSE_WAIT
        for _ in range(2):  # ESTABLISHED on both ends
            held.append(socket.create_connection(("127.0.0.1", port)))
            held.append(srv.accept()[0])
        t = exporter("--user", "nobody", "--all-states")
        deadline = time.monotonic() + 10
        while proc_status(t.proc.pid)["Uid"].split()[0] != "65534":
            assert time.monotonic() < deadline, proc_status(t.proc.pid)
            time.sleep(0.05)
        st = proc_status(t.proc.pid)
        assert st["Uid"].split() == ["65534"] * 4, st["Uid"]
        assert st["Gid"].split() == ["65534"] * 4, st["Gid"]
        assert st["Groups"].split() in ([], ["65534"]), st["Groups"]
        for k in ("CapEff", "CapPrm", "CapBnd"):
            assert st[k] == "000000c000280000", (k, st[k])
        assert st["CapInh"] == st["CapAmb"] == "0000000000000000"
        assert st["NoNewPrivs"] == "1"
        s = samples(get(t.port)[2])
        for state, ss_state, n in (("close_wait", "close-wait", 3),
                                   ("established", "established", 4)):
            want = ss_count(ss_state, port)
            assert want == n, (state, want)
            assert value(s, "tcptrail_sockets", state=state,
                         port=port) == want, (state, want)
        assert t.stop() == 0 and "Warning" not in t.stderr, t.stderr
    finally:
        for c in held:
            c.close()
        srv.close()


def test_user_unknown_or_without_root_exits_2(bpf, tmp_path):
    p = subprocess.run([TCPTRAIL, "export", "--user", "no-such-user-tt"],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 2
    assert p.stderr.splitlines()[0] == \
        "Error: invalid --user 'no-such-user-tt': no such user", p.stderr
    # a copy nobody can run: the tree may be root's alone
    os.chmod(tmp_path, 0o755)
    tt = shutil.copy(TCPTRAIL, tmp_path / "tcptrail")
    os.chmod(tt, 0o755)
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                        "--clear-groups", "--inh-caps=-all", tt, "export",
                        "--user", "nobody"], capture_output=True, text=True,
                       timeout=10, cwd="/")
    assert p.returncode == 2
    assert p.stderr.splitlines()[0] == \
        "Error: --user needs root (CAP_SETUID and CAP_SETGID)", p.stderr


def test_user_by_a_uid_without_a_passwd_entry(exporter):
    """a bare UID (as systemd's dynamic users are to other programs):
    the GID of the same number, no supplementary groups"""
    uid = 12345
    assert subprocess.run(["getent", "passwd", str(uid)]).returncode == 2
    t = exporter("--user", str(uid))
    deadline = time.monotonic() + 10
    while proc_status(t.proc.pid)["Uid"].split()[0] != str(uid):
        assert time.monotonic() < deadline, proc_status(t.proc.pid)
        time.sleep(0.05)
    st = proc_status(t.proc.pid)
    assert st["Uid"].split() == st["Gid"].split() == [str(uid)] * 4, st
    assert st["Groups"].split() == [] and st["NoNewPrivs"] == "1", st
    assert "tcptrail_build_info" in get(t.port)[2]
    assert t.stop() == 0, t.stderr
