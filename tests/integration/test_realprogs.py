# SPDX-License-Identifier: GPL-2.0
"""tcptrail against real Debian programs, checked against the kernel's view.

The programs come from scripts/install-deps.sh: nginx-light,
python3-requests, socat, netcat-openbsd, redis-server (and redis-tools'
redis-cli). A missing one fails the test: nothing here skips for it. Each
scenario starts its own instances on a free port on 127.0.0.1 and stops
them; the Debian services are not used (install-deps.sh disables the
nginx and redis-server units the packages enable).

What is right comes from the kernel, never from what the test meant to
do: `ss -tanpeo` sampled every 50 ms (state, holders, inode) and
/proc/PID/fd. A time in a state is bracketed by the samples either side of
its start and of its end, so the bounds hold however loaded the machine.

An answer that is not the kernel's raises Wrong (wanted()); a broken
premise or scenario fails as a plain assertion.
"""
import json
import os
import re
import signal
import subprocess
import threading
import time
from types import SimpleNamespace

import pytest

from conftest import PY, TCPTRAIL, Tracer, bpf_unavailable, free_port


class Wrong(AssertionError):
    """tcptrail's answer is not the kernel's"""


def wanted(ok, *why):
    if not ok:
        raise Wrong(*why)



EPS = 0.001  # s: float rounding only, the brackets are exact

# a requests.Session client: GET, then keep the pool (and its socket) for
# HOLD s; "daemon": in a double-forked grandchild; "shared": in the parent
# and a child both. Each holder prints its pid.
CLIENT = r"""
import os, sys, time, requests
url, hold, mode = sys.argv[1], float(sys.argv[2]), sys.argv[3]
s = requests.Session()
s.get(url).raise_for_status()
if mode == "daemon":
    if os.fork():
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
elif mode == "shared":
    os.fork()
print(os.getpid(), flush=True)
time.sleep(hold)
"""

NGINX_CONF = """
worker_processes 1;
user root root;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    keepalive_timeout 1s;
    server {{ listen 127.0.0.1:{port}; root {d}; }}
}}
"""

USERS = re.compile(r'\("([^"]*)",pid=(\d+),fd=(\d+)\)')


class SS:
    """`ss -tanpeo` on one port every 50 ms, in a thread. samples:
    [(t0, t1, {(local, peer): row})], the kernel's answer coming from
    between t0 and t1 (time.monotonic: the kernel's clock)."""

    def __init__(self, port):
        self.port, self.samples = port, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.wait(lambda rows: True)

    def _run(self):
        flt = f"( sport = :{self.port} or dport = :{self.port} )"
        while not self._stop.is_set():
            t0 = time.monotonic()
            out = subprocess.run(["ss", "-tanpeoH", flt], capture_output=True,
                                 text=True, timeout=10, check=True).stdout
            t1 = time.monotonic()
            rows = {}
            for line in out.splitlines():
                f, ino = line.split(), re.search(r"\bino:(\d+)", line)
                rows[(f[3], f[4])] = SimpleNamespace(
                    state=f[0], ino=int(ino.group(1)) if ino else 0,
                    users={(c, int(p), int(fd))
                           for c, p, fd in USERS.findall(line)})
            self.samples.append((t0, t1, rows))
            time.sleep(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=15)

    def wait(self, pred, timeout=15):
        """the rows of the first sample from now on where pred(rows)"""
        n, deadline = len(self.samples), time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, _, rows in self.samples[n:]:
                if pred(rows):
                    return rows
            time.sleep(0.02)
        raise AssertionError(f"ss never showed it: {self.samples[-1:]}")

    def rows_at(self, t):
        """the last sample taken wholly before t"""
        return next(rows for _, t1, rows in reversed(self.samples) if t1 <= t)

    def row_at(self, key, t):
        """key's row in the last sample before t that lists it"""
        return next(rows[key] for _, t1, rows in reversed(self.samples)
                    if t1 <= t and key in rows)

    def keys(self, state):
        return {k for _, _, rows in self.samples for k, x in rows.items()
                if x.state == state}

    def pids(self):
        return {p for _, _, rows in self.samples for x in rows.values()
                for _, p, _ in x.users}

    def stretch(self, key, state):
        """bounds on the start and end of key's first stretch in state
        (end None: still there at the last sample)"""
        seq = [(t0, t1, key in rows and rows[key].state == state)
               for t0, t1, rows in self.samples]
        i = next((i for i, s in enumerate(seq) if s[2]), None)
        assert i, f"ss did not see {key} enter {state}"
        j = i
        while j + 1 < len(seq) and seq[j + 1][2]:
            j += 1
        end = (seq[j][0], seq[j + 1][1]) if j + 1 < len(seq) else None
        return SimpleNamespace(start=(seq[i - 1][0], seq[i][1]), end=end,
                               last_seen=seq[j][0])

    def duration_ms(self, key, state):
        s = self.stretch(key, state)
        assert s.end, f"{key} still in {state} at the last sample"
        return ((s.end[0] - s.start[1] - EPS) * 1000,
                (s.end[1] - s.start[0] + EPS) * 1000)

    def age_ms(self, key, state, when):
        """bounds on key's age in state at a moment within when=(lo, hi)"""
        s = self.stretch(key, state)
        assert not s.end or s.end[0] >= when[0], (key, "left before", when)
        return ((when[0] - s.start[1] - EPS) * 1000,
                (when[1] - s.start[0] + EPS) * 1000)

    def holders(self, key, t):
        """{(comm, pid, fd)} holding key just before t"""
        return self.row_at(key, t).users


def proc_holders(ino):
    """{(pid, fd)} whose /proc/PID/fd links to socket:[ino]"""
    found, link = set(), f"socket:[{ino}]"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == link:
                    found.add((int(pid), int(fd)))
        except OSError:
            pass  # gone meanwhile
    return found


def inside(x, bounds):
    return bounds[0] <= x <= bounds[1]


def key_of(rec):
    return (f"{rec['laddr']}:{rec['lport']}", f"{rec['raddr']}:{rec['rport']}")


def records(t, kind):
    recs = [json.loads(ln) for ln in t.stdout.splitlines() if ln]
    return [r for r in recs if r["type"] == kind]


def exit_list(t):
    """closewait's sockets still in CLOSE_WAIT at exit, by connection"""
    (s,) = records(t, "summary")
    return {key_of(o): o for o in s["open"]}


def snapshot_with(t, key):
    """the last --live snapshot that lists key, by connection"""
    for snap in reversed(records(t, "snapshot")):
        socks = {key_of(s): s for s in snap["sockets"]}
        if key in socks:
            return socks
    raise AssertionError(f"no snapshot lists {key}:\n{t.stdout[-2000:]}")


class Run:
    """one scenario: its ss sampler, processes and tracers, on one port"""

    def __init__(self, tmp, port):
        self.tmp, self.port, self.tr, self.procs = tmp, port, {}, []
        self.ss = SS(port)

    def trace(self, name, *args):
        self.tr[name] = Tracer(self.tmp, [*args, "--port", str(self.port)],
                               name)

    def start(self, argv, **kw):
        self.procs.append(subprocess.Popen(argv, **kw))
        return self.procs[-1]

    def listener(self):
        """(key, {(comm, pid)}) of the listener once ss names a holder (ss
        reads /proc before the sockets: a brand new one may have none)"""
        rows = self.ss.wait(lambda rows: any(
            x.state == "LISTEN" and x.users for x in rows.values()))
        ((k, x),) = [(k, x) for k, x in rows.items() if x.state == "LISTEN"]
        return k, {(c, p) for c, p, _ in x.users}

    def stop(self, name):
        """stop a tracer; bounds on when it took its exit list"""
        lo = time.monotonic() + 0.3  # Tracer.stop waits 0.3 s, then SIGINT
        assert self.tr[name].stop() == 0, self.tr[name].stderr
        return lo, time.monotonic()

    def close(self, pids=()):
        self.ss.stop()
        for t in self.tr.values():
            if t.proc.poll() is None:
                t.proc.kill()
                t.proc.wait()
        for pid in pids:  # holders that are not our children
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for p in self.procs:  # SIGTERM: nginx's master stops its workers
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.fixture(scope="module")
def kernel():
    """the bpf fixture for module-scoped scenarios (each runs once, and
    several tests read what it recorded)"""
    why = bpf_unavailable()
    if why:
        msg = f"BPF UNAVAILABLE, REAL-KERNEL TEST SKIPPED: {why}"
        if os.environ.get("CI"):
            pytest.fail(msg + " (CI must run these)")
        pytest.skip(msg)


def nginx_scenario(tmp, mode, npids=1, timeline=False):
    """nginx closes the idle keep-alive after 1 s; the client's pool keeps
    its socket in CLOSE_WAIT ~3 s more. closewait -j and text run to the
    end, another -j is stopped mid-hold (its exit list), --live runs."""
    run = r = Run(tmp, free_port())
    (tmp / "index.html").write_text("hello\n")
    (tmp / "nginx.conf").write_text(NGINX_CONF.format(d=tmp, port=r.port))
    r.client_pids = []
    try:
        run.start(["nginx", "-e", str(tmp / "error.log"), "-c",
                   str(tmp / "nginx.conf"), "-g", "daemon off;"])
        r.lkey, _ = run.listener()
        run.trace("cw", "closewait", "-j")
        run.trace("cwtext", "closewait")
        run.trace("mid", "closewait", "-j")
        run.trace("live", "closewait", "--live", "-j", "--interval", "200ms")
        if timeline:
            run.trace("tl", "timeline", "-j", "--open")
        cli = run.start([PY, "-c", CLIENT, f"http://127.0.0.1:{r.port}/",
                         "4", mode], stdout=subprocess.PIPE, text=True)
        r.client_pids = [int(cli.stdout.readline()) for _ in range(npids)]
        srv = f"127.0.0.1:{r.port}"
        r.ss.wait(lambda rows: any(k[1] == srv and x.state == "CLOSE-WAIT"
                                   for k, x in rows.items()))
        time.sleep(1.5)
        (r.key,) = r.ss.keys("CLOSE-WAIT")
        r.proc = proc_holders(r.ss.samples[-1][2][r.key].ino)
        r.mid_when = run.stop("mid")
        run.stop("live")
        cli.wait(timeout=15)
        r.ss.wait(lambda rows: r.key not in rows)
        for n in ("cw", "cwtext") + (("tl",) if timeline else ()):
            run.stop(n)
        return r, r.ss
    finally:
        run.close(r.client_pids)


# --- 1: a requests pool against nginx's keep-alive timeout ---------------

@pytest.fixture(scope="module")
def pool(kernel, tmp_path_factory):
    return nginx_scenario(tmp_path_factory.mktemp("pool"), "plain",
                          timeline=True)


def test_requests_pool_close_wait_against_nginx(pool):
    r, ss = pool
    ((comm, pid, fd),) = ss.holders(r.key, r.mid_when[0])
    assert (comm, pid) == ("python3", r.client_pids[0])
    assert r.proc == {(pid, fd)}
    cw = ss.duration_ms(r.key, "CLOSE-WAIT")
    (ep,) = records(r.tr["cw"], "close_wait")
    assert key_of(ep) == r.key and (ep["pid"], ep["comm"]) == (pid, comm)
    assert ep["service"] == ep["rport"] == r.port and ep["next"] == "LAST_ACK"
    assert inside(ep["ms"], cw), (ep, cw)
    # the text output says the same
    row = r.tr["cwtext"].stdout.splitlines()[1].split()
    assert row[1:7] == [str(pid), comm, *r.key, str(r.port), "LAST_ACK"]
    assert inside(float(row[7]), cw)
    # the exit list mid-hold, and the live view (its fd comes from /proc
    # only for sockets without an owner from the kernel side)
    o = exit_list(r.tr["mid"])[r.key]
    assert (o["pid"], o["service"]) == (pid, r.port)
    assert inside(o["age_ms"], ss.age_ms(r.key, "CLOSE-WAIT", r.mid_when))
    s = snapshot_with(r.tr["live"], r.key)[r.key]
    assert s["pid"] == pid and s["fd"] in (None, fd), s


def test_timeline_of_the_pool_connection(pool):
    r, ss = pool
    conns = {key_of(c): c for c in records(r.tr["tl"], "connection")}
    cli, srv = conns[r.key], conns[r.key[::-1]]
    assert (cli["pid"], cli["opened"], cli["closed_first"]) == (
        r.client_pids[0], "active", "peer")
    (cw,) = [s["ms"] for s in cli["path"] if s["state"] == "CLOSE_WAIT"]
    assert inside(cw, ss.duration_ms(r.key, "CLOSE-WAIT"))
    # nginx's side: the worker, as ss names it while established
    seen = ss.stretch(r.key[::-1], "ESTAB").last_seen
    (worker,) = {p for _, p, _ in ss.holders(r.key[::-1], seen)}
    nginx = {p for _, p, _ in ss.holders(r.lkey, seen)}
    assert srv["pid"] == worker and len(nginx) == 2 and worker in nginx
    assert (srv["opened"], srv["closed_first"]) == ("passive", "local")
    # nginx closed its fd: ss shows FIN-WAIT-2, no holder, through the hold
    assert ss.keys("FIN-WAIT-2") == {r.key[::-1]}
    assert ss.duration_ms(r.key[::-1], "FIN-WAIT-2")[0] > 2000


def test_timeline_nginx_side_fin_wait2_lasts_the_hold(pool):
    r, ss = pool
    srv = {key_of(c): c for c in records(r.tr["tl"], "connection")}[
        r.key[::-1]]
    fw2 = ss.duration_ms(r.key[::-1], "FIN-WAIT-2")
    steps = [s["ms"] for s in srv["path"] if s["state"] == "FIN_WAIT2"]
    wanted(steps and inside(steps[0], fw2), srv["path"], "ss:", fw2)


# --- 2: socat's forked child holds the accepted socket -------------------

def socat_and_nc(run):
    """socat forks a child per connection; nc sends a line and its FIN at
    once, then waits for socat's close (-t 4: 4 s after the FIN)"""
    run.start(["socat", "-t", "4", f"TCP-LISTEN:{run.port},bind=127.0.0.1,"
               "fork,reuseaddr", "EXEC:sleep 10"])
    _, run.parent = run.listener()
    nc = run.start(["nc", "-q0", "127.0.0.1", str(run.port)],
                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    nc.stdin.write(b"hi\n")
    nc.stdin.close()
    # in CLOSE_WAIT and held (not only in the accept queue)
    rows = run.ss.wait(lambda rows: any(
        x.state == "CLOSE-WAIT" and x.users for x in rows.values()))
    (run.key,) = [k for k, x in rows.items() if x.state == "CLOSE-WAIT"]


@pytest.fixture(scope="module")
def socat(kernel, tmp_path_factory):
    run = r = Run(tmp_path_factory.mktemp("socat"), free_port())
    try:
        run.trace("cw", "closewait", "-j")
        run.trace("mid", "closewait", "-j")
        run.trace("live", "closewait", "--live", "-j", "--interval", "200ms")
        socat_and_nc(run)
        time.sleep(1.2)
        # a live view started now: the socket predates it
        run.trace("late", "closewait", "--live", "-j", "--interval", "200ms")
        time.sleep(0.5)
        r.proc = proc_holders(r.ss.samples[-1][2][r.key].ino)
        r.mid_when = run.stop("mid")
        run.stop("live")
        run.stop("late")
        r.ss.wait(lambda rows: r.key not in rows)
        run.stop("cw")
        return r, r.ss
    finally:
        run.close()


def socat_child(r, ss, when):
    """the holder at `when`, per ss and /proc: socat's child, not the
    process that accepted"""
    ((comm, pid, fd),) = ss.holders(r.key, when)
    assert comm == "socat" and (comm, pid) not in r.parent
    assert r.proc == {(pid, fd)}
    return pid, fd


def test_socat_fork_close_wait_listed(socat):
    r, ss = socat
    pid, fd = socat_child(r, ss, r.mid_when[0])
    o = exit_list(r.tr["mid"])[r.key]
    assert (o["comm"], o["lport"], o["service"]) == ("socat", r.port, r.port)
    assert inside(o["age_ms"], ss.age_ms(r.key, "CLOSE-WAIT", r.mid_when))
    (ep,) = records(r.tr["cw"], "close_wait")
    assert key_of(ep) == r.key and ep["next"] == "LAST_ACK"
    assert inside(ep["ms"], ss.duration_ms(r.key, "CLOSE-WAIT"))
    assert ep["pid"] == pid  # the child's close() is the last transition
    # a live view started after the FIN scans /proc: holder and fd right
    s = snapshot_with(r.tr["late"], r.key)[r.key]
    assert (s["pid"], s["fd"]) == (pid, fd) and s["age_estimated"]


def test_socat_fork_exit_list_names_the_child(socat):
    r, ss = socat
    pid, _ = socat_child(r, ss, r.mid_when[0])
    o = exit_list(r.tr["mid"])[r.key]
    wanted(o["pid"] == pid, o, "ss:", ss.holders(r.key, r.mid_when[0]))


def test_socat_fork_live_names_the_child(socat):
    """a live view that saw the socket enter CLOSE_WAIT"""
    r, ss = socat
    pid, fd = socat_child(r, ss, r.mid_when[0])
    s = snapshot_with(r.tr["live"], r.key)[r.key]
    wanted(s["pid"] == pid and s["fd"] in (None, fd), s, "ss:", (pid, fd))


CHECK_CMD = """
exec </dev/null >/dev/null 2>&1  # what outlives us must not hold check's pipes
socat -t 4 TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr 'EXEC:sleep 10' &
until ss -Hltn 'sport = :{port}' | grep -q .; do sleep 0.05; done
echo hi | nc -q0 127.0.0.1 {port} &
sleep 0.5
"""


@pytest.fixture(scope="module")
def socat_check(kernel, tmp_path_factory):
    """tcptrail check -- a script that leaves socat's child in CLOSE_WAIT
    when it exits (4 s after the FIN; the grace is 1 s)"""
    run = r = Run(tmp_path_factory.mktemp("check"), free_port())
    try:
        r.p = subprocess.run(
            [TCPTRAIL, "check", "--json", str(run.tmp / "r.json"), "--", "sh",
             "-c", CHECK_CMD.format(port=r.port)],
            capture_output=True, text=True, timeout=25)
        r.when = (time.monotonic() - 0.5, time.monotonic())
        r.rep = json.loads((run.tmp / "r.json").read_text())
        (r.key,) = r.ss.keys("CLOSE-WAIT")
        r.proc = proc_holders(r.ss.samples[-1][2][r.key].ino)
        (lkey,) = r.ss.keys("LISTEN")
        r.parent = {(c, p) for c, p, _ in r.ss.holders(lkey, r.when[0])}
        return r, r.ss
    finally:
        run.close(r.ss.pids())  # check leaves socat running, as it should


def leak(r):
    (v,) = [v for v in r.rep["violations"] if v["rule"] == "leak"]
    return v


def test_socat_fork_check_reports_the_leak(socat_check):
    r, ss = socat_check
    assert r.p.returncode == 3, r.p.stderr
    v = leak(r)
    assert (key_of(v), v["state"], v["port"]) == (r.key, "CLOSE_WAIT", r.port)
    # older than the grace (CMD exited after the FIN), younger than ss says
    top = ss.age_ms(r.key, "CLOSE-WAIT", r.when)[1]
    assert 1000 <= v["duration_ms"] <= top and not v["duration_at_least"]
    assert v["owner_comm"] == "socat"


def test_socat_fork_check_names_the_child(socat_check):
    r, ss = socat_check
    pid, _ = socat_child(r, ss, r.when[0])
    v = leak(r)
    wanted([h["pid"] for h in v["holders"]] == [pid], r.p.stderr, "ss:",
           ss.holders(r.key, r.when[0]))
    assert f"held by pid {pid} (socat)" in r.p.stderr


# --- 3: a client that daemonizes, its grandchild keeps the pool ----------

@pytest.fixture(scope="module")
def daemon(kernel, tmp_path_factory):
    return nginx_scenario(tmp_path_factory.mktemp("daemon"), "daemon")


def test_daemonized_client_close_wait_listed(daemon):
    r, ss = daemon
    (o,) = exit_list(r.tr["mid"]).values()
    assert key_of(o) == r.key and o["service"] == r.port
    assert inside(o["age_ms"], ss.age_ms(r.key, "CLOSE-WAIT", r.mid_when))
    (ep,) = records(r.tr["cw"], "close_wait")
    assert inside(ep["ms"], ss.duration_ms(r.key, "CLOSE-WAIT"))
    # the grandchild's close() is the last transition
    assert ep["pid"] == r.client_pids[0]


def test_daemonized_client_exit_list_names_the_grandchild(daemon):
    r, ss = daemon
    ((comm, pid, fd),) = ss.holders(r.key, r.mid_when[0])
    assert r.proc == {(pid, fd)} and pid == r.client_pids[0]
    o = exit_list(r.tr["mid"])[r.key]
    wanted((o["pid"], o["comm"]) == (pid, comm), o, "ss:", (comm, pid))


# --- 4: connections the peer closed while in redis's accept queue --------

@pytest.fixture(scope="module")
def redis(kernel, tmp_path_factory):
    """redis-server blocked in DEBUG SLEEP 6; three nc clients connect and
    close meanwhile: their sockets wait in the accept queue in CLOSE_WAIT"""
    run = r = Run(tmp_path_factory.mktemp("redis"), free_port())
    try:
        run.trace("cw", "closewait", "-j")
        run.trace("mid", "closewait", "-j")
        run.start(["redis-server", "--port", str(r.port), "--bind",
                   "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--daemonize", "no", "--dir", str(run.tmp),
                   "--enable-debug-command", "local"],
                  stdout=subprocess.DEVNULL)
        _, r.listener = run.listener()
        cli = run.start(["redis-cli", "-p", str(r.port), "DEBUG", "SLEEP",
                         "6"], stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        for _ in range(3):
            subprocess.run(["nc", "-z", "127.0.0.1", str(r.port)],
                           check=True, timeout=5)
        time.sleep(1)
        # a live view started now: the sockets predate it
        run.trace("late", "closewait", "--live", "-j", "--interval", "200ms")
        time.sleep(0.4)
        r.mid_when = run.stop("mid")
        run.stop("late")
        r.queued = {k for k, x in r.ss.rows_at(r.mid_when[0]).items()
                    if x.state == "CLOSE-WAIT"}
        assert cli.wait(timeout=10) == 0
        r.ss.wait(lambda rows: not r.queued & rows.keys())
        run.stop("cw")
        return r, r.ss
    finally:
        run.close()


def test_redis_accept_queue_close_wait(redis):
    r, ss = redis
    ((comm, pid),) = r.listener
    assert len(r.queued) == 3
    # ss: nobody holds a socket nobody has accepted yet
    for k in r.queued:
        assert not ss.holders(k, r.mid_when[0])
        assert ss.row_at(k, r.mid_when[0]).ino == 0
    # the exit list: each one, its age, the listener's holder as owner
    listed = exit_list(r.tr["mid"])
    assert set(listed) == r.queued
    for k, o in listed.items():
        assert (o["pid"], o["comm"], o["service"]) == (pid, comm, r.port)
        assert inside(o["age_ms"], ss.age_ms(k, "CLOSE-WAIT", r.mid_when))
    # accepted when DEBUG SLEEP ends, and closed by redis at once
    eps = {key_of(e): e for e in records(r.tr["cw"], "close_wait")}
    for k in r.queued:
        assert eps[k]["pid"] == pid and eps[k]["next"] == "LAST_ACK"
        assert inside(eps[k]["ms"], ss.duration_ms(k, "CLOSE-WAIT"))


def marked_accept_queue(o):
    """the entry says the socket is in the accept queue"""
    return o.get("queued") is True


def test_redis_exit_list_marks_the_accept_queue(redis):
    r, ss = redis
    for o in exit_list(r.tr["mid"]).values():
        wanted(marked_accept_queue(o), o)


def test_redis_live_view_names_the_listener_for_the_queue(redis):
    """the live view started after the FINs: the sockets predate it"""
    r, ss = redis
    ((comm, pid),) = r.listener
    socks = snapshot_with(r.tr["late"], next(iter(r.queued)))
    assert set(socks) == r.queued
    for s in socks.values():
        wanted((s["pid"], s["comm"]) == (pid, comm), s, "listener:", pid)
        wanted(marked_accept_queue(s), s)


# --- 5: one socket, two processes -----------------------------------------

@pytest.fixture(scope="module")
def shared(kernel, tmp_path_factory):
    return nginx_scenario(tmp_path_factory.mktemp("shared"), "shared", 2)


def test_shared_socket_close_wait_listed(shared):
    r, ss = shared
    pids = {p for _, p, _ in ss.holders(r.key, r.mid_when[0])}
    assert pids == set(r.client_pids) == {p for p, _ in r.proc}
    o = exit_list(r.tr["mid"])[r.key]
    assert o["pid"] in pids and o["service"] == r.port
    assert inside(o["age_ms"], ss.age_ms(r.key, "CLOSE-WAIT", r.mid_when))


def test_shared_socket_lists_both_holders(shared):
    """every holder, as ss lists them"""
    r, ss = shared
    pids = {p for _, p, _ in ss.holders(r.key, r.mid_when[0])}
    named = set()
    for o in records(r.tr["mid"], "summary")[0]["open"]:
        if key_of(o) == r.key:
            named |= {o["pid"]} | {h["pid"] for h in o.get("holders", [])}
    wanted(named == pids, "tcptrail:", named, "ss:", pids)


# --- 6: check's default catches the pool leak -----------------------------

def pool_check(tmp, *opts):
    """tcptrail check [opts] -- the requests client, against nginx: the
    pool keeps its socket in CLOSE_WAIT ~2 s after nginx's keep-alive
    timeout, and closes it only when the process exits"""
    run = r = Run(tmp, free_port())
    (tmp / "index.html").write_text("hello\n")
    (tmp / "nginx.conf").write_text(NGINX_CONF.format(d=tmp, port=r.port))
    try:
        run.start(["nginx", "-e", str(tmp / "error.log"), "-c",
                   str(tmp / "nginx.conf"), "-g", "daemon off;"])
        run.listener()
        r.p = subprocess.run(
            [TCPTRAIL, "check", *opts, "--json", str(tmp / "r.json"), "--",
             PY, "-c", CLIENT, f"http://127.0.0.1:{r.port}/", "3", "plain"],
            capture_output=True, text=True, timeout=30)
        time.sleep(0.2)
        r.rep = json.loads((tmp / "r.json").read_text())
        (r.key,) = r.ss.keys("CLOSE-WAIT")
        return r, r.ss
    finally:
        run.close()


def test_check_default_fails_the_requests_pool_leak(kernel, tmp_path):
    r, ss = pool_check(tmp_path)
    assert r.p.returncode == 3, r.p.stderr
    assert r.rep["max_closewait_ms"] == 1000 and r.rep["max_closewait_default"]
    (v,) = r.rep["violations"]
    wanted((v["rule"], key_of(v)) == ("max_closewait", r.key), v, r.key)
    wanted(inside(v["duration_ms"], ss.duration_ms(r.key, "CLOSE-WAIT")),
           v, ss.duration_ms(r.key, "CLOSE-WAIT"))
    assert "FAIL: max_closewait broken" in r.p.stderr
    assert "max_closewait 1.000s (default)" in r.p.stderr


def test_check_max_closewait_off_passes_the_pool(kernel, tmp_path):
    r, ss = pool_check(tmp_path, "--max-closewait", "off")
    assert r.p.returncode == 0, r.p.stderr
    assert r.rep["max_closewait_ms"] is None and r.rep["violations"] == []
    assert ss.duration_ms(r.key, "CLOSE-WAIT")[0] > 1000
    assert "max_closewait off" in r.p.stderr
