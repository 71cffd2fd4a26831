# SPDX-License-Identifier: GPL-2.0
"""Fixtures: the real tcptrail binary against real kernel traffic.

Tests skip only where BPF cannot load (not root, no BTF), and say so
loudly; with CI set they fail instead, since CI here can load BPF.
"""
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TCPTRAIL = os.environ.get("TCPTRAIL", os.path.join(ROOT, "build", "tcptrail"))
PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer.py")
PY = sys.executable

_bpf_checked = None


def bpf_unavailable():
    """None if BPF loads here, else why not."""
    global _bpf_checked
    if _bpf_checked is None:
        if os.geteuid() != 0:
            _bpf_checked = "not root"
        elif not os.path.exists("/sys/kernel/btf/vmlinux"):
            _bpf_checked = "no kernel BTF"
        else:
            p = subprocess.run([TCPTRAIL, "trace", "-d", "200ms"],
                               capture_output=True, text=True, timeout=30)
            _bpf_checked = "" if p.returncode == 0 else p.stderr.strip()
    return _bpf_checked or None


@pytest.fixture
def bpf():
    why = bpf_unavailable()
    if why:
        msg = f"BPF UNAVAILABLE, REAL-KERNEL TEST SKIPPED: {why}"
        if os.environ.get("CI"):
            pytest.fail(msg + " (CI must run these)")
        sys.stderr.write("\n*** " + msg + " ***\n")
        pytest.skip(msg)


class Tracer:
    """tcptrail running in the background, output to a file."""

    def __init__(self, tmp_path, args, name="trace", ready=b"Tracing",
                 refuse=""):
        self.out_path = tmp_path / f"{name}.out"
        self.err_path = tmp_path / f"{name}.err"
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        # refuse: program kinds the loader must treat as refused
        env = dict(os.environ, TCPTRAIL_REFUSE=refuse)
        self.proc = subprocess.Popen([TCPTRAIL] + args, stdout=self.out,
                                     stderr=self.err, env=env)
        deadline = time.monotonic() + 20
        while ready not in self.err_path.read_bytes():
            if self.proc.poll() is not None:
                raise AssertionError("tcptrail exited early: "
                                     + self.err_path.read_text())
            if time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError("tcptrail did not attach in 20 s")
            time.sleep(0.02)

    def stop(self, sig=signal.SIGINT, timeout=10):
        if self.proc.poll() is None:
            # let the last batch (flushed at most 100 ms later) arrive
            time.sleep(0.3)
            self.proc.send_signal(sig)
        self.proc.wait(timeout=timeout)
        self.out.close()
        self.err.close()
        return self.proc.returncode

    @property
    def stdout(self):
        return self.out_path.read_text(errors="surrogateescape")

    @property
    def stderr(self):
        return self.err_path.read_text(errors="replace")

    def json_events(self):
        evs = [json.loads(line) for line in self.stdout.splitlines() if line]
        return [e for e in evs if e["type"] == "transition"]

    def missed(self):
        """transitions the kernel skipped (program busy on that CPU)"""
        m = re.search(r"(\d+) missed", self.stderr)
        return int(m.group(1)) if m else 0

    def gaps(self):
        """steps a socket's next transition showed were never seen"""
        m = re.search(r"(\d+) gaps? \(", self.stderr)
        return int(m.group(1)) if m else 0

    def summary(self):
        m = re.search(r"tcptrail: (\d+) events?, (\d+) lost", self.stderr)
        assert m, "no summary on stderr: " + self.stderr
        return int(m.group(1)), int(m.group(2))


# Tests that must wait out a kernel timer (TIME_WAIT's 60 s) start their
# traffic when the session starts, through the function their mark
# names, and look at it at their turn: the wait overlaps the other tests.
_early = {}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "serial: run alone (make integration runs these after "
        "the others, which run side by side): the test looks at the whole "
        "machine, or needs it quiet")
    config.addinivalue_line(
        "markers", "early(start=fn): fn(tmp_path) runs when the session "
        "starts; the test's 'early' fixture gets what it returned")


def pytest_collection_finish(session):
    for item in session.items:
        m = item.get_closest_marker("early")
        if m and item.nodeid not in _early and not bpf_unavailable():
            tmp = pathlib.Path(tempfile.mkdtemp(prefix="tcptrail-early-"))
            try:
                _early[item.nodeid] = m.kwargs["start"](tmp)
            except Exception as e:  # the test reports it at its turn
                _early[item.nodeid] = e


def _end_early(v):
    """kill the tracer an early start returned first, if still running"""
    t = v[0] if isinstance(v, tuple) else None
    if isinstance(t, Tracer) and t.proc.poll() is None:
        t.proc.kill()
        t.proc.wait()


def pytest_sessionfinish(session):
    for v in _early.values():
        _end_early(v)


@pytest.fixture
def early(request, bpf):
    """what the test's early mark started (started now if it was not)"""
    v = _early.pop(request.node.nodeid, None)
    if v is None:
        m = request.node.get_closest_marker("early")
        v = m.kwargs["start"](
            pathlib.Path(tempfile.mkdtemp(prefix="tcptrail-early-")))
    if isinstance(v, Exception):
        raise v
    yield v
    _end_early(v)


@pytest.fixture
def tracer(tmp_path, bpf):
    started = []

    def start(*args, name="trace", ready=b"Tracing", refuse=""):
        t = Tracer(tmp_path, list(args), name, ready, refuse)
        started.append(t)
        return t

    yield start
    for t in started:
        if t.proc.poll() is None:
            t.proc.kill()
            t.proc.wait()


def run_exchange(port=0, family="4", hold=0.0, count=1, netns=None,
                 server_comm=None, client_comm=None, cgroup=None,
                 client_cgroup=None, delay_read=0.0, reset=False,
                 delay_close=0.0):
    """A server that holds CLOSE_WAIT for `hold` s; a client closing first
    (after `delay_close` s). Returns (server pid, client pid, port)."""
    pre = ["ip", "netns", "exec", netns] if netns else []
    holds = [str(h) for h in (hold if isinstance(hold, list) else [hold])]
    cmd = pre + [PY, PEER, "server", "--family", family, "--port", str(port),
                 "--count", str(count), "--delay-read", str(delay_read),
                 "--hold"] + holds
    if server_comm:
        cmd += ["--comm", server_comm.hex()]
    if reset:
        cmd += ["--reset"]
    if cgroup:
        cmd += ["--cgroup", cgroup]
    srv = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = srv.stdout.readline().split()
    assert line and line[0] == "ready", "server did not start"
    port = int(line[1])
    cmd = pre + [PY, PEER, "client", "--family", family, "--port", str(port),
                 "--count", str(count), "--delay-close", str(delay_close)]
    if client_comm:
        cmd += ["--comm", client_comm.hex()]
    if client_cgroup:
        cmd += ["--cgroup", client_cgroup]
    cli = subprocess.Popen(cmd)
    assert cli.wait(timeout=30) == 0
    assert srv.wait(timeout=30 + count * max(float(h) for h in holds)) == 0
    return srv.pid, cli.pid, port


_ports_given = set()


def _outside_ephemeral():
    """ports no connect() picks as its local port: below (or above) the
    kernel's ip_local_port_range"""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = map(int, f.read().split())
    if lo - 10000 >= 4096:
        return range(10000, lo)
    if 65535 - hi >= 4096:
        return range(hi + 1, 65536)
    raise RuntimeError(f"ip_local_port_range {lo}-{hi} leaves no room")


def free_port(family="4", ephemeral=False):
    """A port nothing is bound to now. Outside the ephemeral range unless
    asked: a filter on it then matches only the test's own sockets, never
    another connection that happened to take it as its local port (other
    tests run side by side: the Makefile)."""
    import random
    import socket
    fam = socket.AF_INET6 if family == "6" else socket.AF_INET
    addr = "::1" if family == "6" else "127.0.0.1"
    if ephemeral:
        with socket.socket(fam) as s:
            s.bind((addr, 0))
            return s.getsockname()[1]
    ports = _outside_ephemeral()
    # pytest-xdist's workers (gw0, gw1, ...) each draw from a slice of
    # their own: no two of them can hand out the same port
    w = os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:]
    ports = ports[int(w)::int(os.environ.get("PYTEST_XDIST_WORKER_COUNT",
                                              "1"))]
    for _ in range(1000):
        port = random.choice(ports)
        if port in _ports_given:
            continue
        with socket.socket(fam) as s:
            try:
                s.bind((addr, port))
            except OSError:
                continue
        _ports_given.add(port)
        return port
    raise RuntimeError("no free port outside the ephemeral range")


@pytest.fixture
def netns():
    name = f"tt-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"],
                       check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def cgroup2_root():
    """where cgroup v2 is mounted, or None"""
    for line in open("/proc/self/mountinfo"):
        if " - cgroup2 " in line:
            return line.split()[4]
    return None


@pytest.fixture
def cgroup():
    """a cgroup v2 child of the mount's root, removed after the test"""
    root = cgroup2_root()
    if not root:
        pytest.skip("no cgroup v2 mount")
    cg = os.path.join(root, f"tt-test-{uuid.uuid4().hex[:8]}")
    os.mkdir(cg)
    try:
        yield cg
    finally:
        os.rmdir(cg)


def holes(evs):
    """steps the stream lacks that a socket's next step shows: a
    transition from another state than the one it was seen entering"""
    paths = {}
    for e in sorted(evs, key=lambda e: e["ts_ns"]):
        paths.setdefault(e["sock_id"], []).append(e)
    return sum(b["old"] != a["new"]
               for path in paths.values() for a, b in zip(path, path[1:]))


def timed_across_holes(evs):
    """steps after a hole (see holes()) that carry a time: there should
    be none, as the time since the last step seen spans states that
    cannot be told apart"""
    paths = {}
    for e in sorted(evs, key=lambda e: e["ts_ns"]):
        paths.setdefault(e["sock_id"], []).append(e)
    return [b for path in paths.values() for a, b in zip(path, path[1:])
            if b["old"] != a["new"] and b["ms"] is not None]


def by_socket(events):
    """sock_id -> list of (old, new) in order"""
    socks = {}
    for e in events:
        socks.setdefault(e["sock_id"], []).append(e)
    return socks


def _time_wait_room():
    """free places in the kernel's time-wait table (tcp_max_tw_buckets)"""
    with open("/proc/sys/net/ipv4/tcp_max_tw_buckets") as f:
        cap = int(f.read())
    n = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(name) as f:
            next(f)
            n += sum(1 for line in f if line.split()[3] == "06")
    return cap - n


@pytest.fixture(scope="session", autouse=True)
def time_wait_table_not_full():
    """Right after `make bench` the time-wait table is full for a minute:
    connections then close without a time-wait socket, which the timeline
    tests would rightly report. Wait for room rather than fail."""
    deadline = time.monotonic() + 75
    if _time_wait_room() < 10000:
        print("\nWAITING: the time-wait table is full (a benchmark just ran?)",
              file=sys.stderr)
    while _time_wait_room() < 10000 and time.monotonic() < deadline:
        time.sleep(1)
    yield
