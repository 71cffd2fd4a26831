# SPDX-License-Identifier: GPL-2.0
"""Issue 18's "done when", end to end, along the README's steps ("From the
package to an alert"): the .deb installed with apt; export run as the
installed systemd unit runs it (its ExecStart, as an ordinary user holding
exactly its AmbientCapabilities, with no_new_privs: no systemd runs as PID
1 here); a real Prometheus scraping it with the installed rules file; a
real pile-up of sockets in CLOSE_WAIT on loopback; and the alerts, as
Prometheus's HTTP API reports them.

The shipped alerts wait minutes (for: 5m, over 300 s), so Prometheus also
loads a copy shortened by the substitution the README documents
(FAST_RULES below). The shipped file itself, unchanged, is held to what
can happen within the test: TcptrailCloseWaitPileUp pending (over 100
sockets, its 5 minutes not yet over), the others inactive."""
import glob
import json
import os
import re
import shlex
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from conftest import ROOT, free_port

# run alone, after the suites that run side by side (the Makefile):
# Prometheus' alerts fire on any port's CLOSE_WAIT, and apt
# installs the package for the whole machine
pytestmark = pytest.mark.serial

UNIT = "/lib/systemd/system/tcptrail-export.service"
RULES = "/usr/share/tcptrail/tcptrail.rules.yml"
# the README's substitution: every for: of minutes becomes 2s, and the
# CLOSE_WAIT age threshold 300 s becomes 3 s
FAST_RULES = ["sed", "-E", "-e", "s/for: [0-9]+m$/for: 2s/",
              "-e", "s/oldest_seconds > 300$/oldest_seconds > 3/", RULES]
PILE = 120  # sockets in CLOSE_WAIT: TcptrailCloseWaitPileUp wants > 100


def run(*args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, timeout=600,
                       **kw)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


@pytest.fixture(scope="module")
def installed_deb():
    """make deb, and apt install it; purged afterwards"""
    if subprocess.run(["dpkg", "-s", "tcptrail"],
                      capture_output=True).returncode == 0:
        pytest.fail("tcptrail is already installed as a package here")
    run("make", "-C", ROOT, "deb")
    (deb,) = glob.glob(f"{ROOT}/build/tcptrail_*.deb")
    try:
        run("apt-get", "install", "-y", "-q", "--no-install-recommends", deb,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        yield deb
    finally:
        subprocess.run(["apt-get", "purge", "-y", "-q", "tcptrail"],
                       capture_output=True, timeout=300)


def api(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}",
                                timeout=5) as r:
        d = json.load(r)
    assert d["status"] == "success", d
    return d["data"]


def wait_for(what, fn, timeout, diag=lambda: ""):
    deadline = time.monotonic() + timeout
    while True:
        try:
            v = fn()
            if v:
                return v
        except OSError:
            pass
        assert time.monotonic() < deadline, f"{what}: {diag()}"
        time.sleep(0.3)


def rule_states(port):
    """{(rule file, alert name): (state, [alerts' labels])}"""
    out = {}
    for g in api(port, "/api/v1/rules?type=alert")["groups"]:
        for r in g["rules"]:
            out[(g["file"], r["name"])] = (
                r["state"], [a["labels"] for a in r.get("alerts", [])])
    return out


def ss_closewait(port):
    out = run("ss", "-tanH", "state", "close-wait", f"sport = :{port}")
    return len(out.splitlines())


def test_from_apt_install_to_a_firing_alert(bpf, installed_deb, tmp_path):
    # export, as the installed unit starts it
    unit = open(UNIT).read()
    (execstart,) = re.findall(r"^ExecStart=(.*)$", unit, re.M)
    (ambient,) = re.findall(r"^AmbientCapabilities=(.*)$", unit, re.M)
    assert re.search(r"^NoNewPrivileges=yes$", unit, re.M)
    argv = shlex.split(execstart)
    assert argv[:2] == ["/usr/sbin/tcptrail", "export"], argv
    # its own port, not the unit's 9976: tests run side by side
    exp_port = free_port()
    i = argv.index("--listen")
    assert argv[i + 1] == "127.0.0.1:9976"
    argv[i + 1] = f"127.0.0.1:{exp_port}"
    caps = ",".join("+" + c[4:].lower() for c in ambient.split())
    exp_err = open(tmp_path / "export.err", "w")
    exporter = subprocess.Popen(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         f"--inh-caps={caps}", f"--ambient-caps={caps}", "--no-new-privs",
         *argv], stderr=exp_err, cwd="/")
    # Prometheus, configured as the README says, plus the shortened copy
    fast = tmp_path / "tcptrail-fast.rules.yml"
    fast.write_text(run(*FAST_RULES))
    assert "for: 5m" not in fast.read_text()
    prom_port = free_port()
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"rule_files:\n  - {RULES}\n  - {fast}\n"
        "scrape_configs:\n  - job_name: tcptrail\n"
        "    static_configs:\n"
        f"      - targets: ['127.0.0.1:{exp_port}']\n")
    prom_log = open(tmp_path / "prometheus.log", "wb")
    prom = subprocess.Popen(
        ["prometheus", f"--config.file={cfg}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{prom_port}"],
        stdout=prom_log, stderr=subprocess.STDOUT)
    srv = socket.socket()
    held = []
    try:
        log = lambda: (tmp_path / "prometheus.log").read_text()[-1500:] + \
            (tmp_path / "export.err").read_text()
        wait_for("prometheus ready", lambda: urllib.request.urlopen(
            f"http://127.0.0.1:{prom_port}/-/ready", timeout=5).status ==
            200, 30, log)
        wait_for("up == 1", lambda: [
            r for r in api(prom_port, "/api/v1/query?query=up")["result"]
            if r["value"][1] == "1"], 20, log)
        st = rule_states(prom_port)
        assert {n for _, n in st} == {
            "TcptrailCloseWaitStuck", "TcptrailCloseWaitPileUp",
            "TcptrailCloseWaitEpisodesRising", "TcptrailTransitionsUnseen",
            "TcptrailExporterDown"}, st
        assert all(s == "inactive" for s, _ in st.values()), st
        # the pile-up: PILE connections whose clients closed, the server
        # never did
        srv.bind(("127.0.0.1", 0))
        srv.listen(PILE)
        port = srv.getsockname()[1]
        for _ in range(PILE):
            c = socket.create_connection(("127.0.0.1", port))
            held.append(srv.accept()[0])
            c.close()
        assert ss_closewait(port) == PILE
        q = urllib.parse.quote(
            f'tcptrail_sockets{{state="close_wait",port="{port}"}}')
        got = wait_for("the gauge in prometheus", lambda: api(
            prom_port, f"/api/v1/query?query={q}")["result"], 15, log)
        assert float(got[0]["value"][1]) == ss_closewait(port) == PILE

        def fired():
            st = rule_states(prom_port)
            return all(st[(str(fast), n)][0] == "firing" for n in
                       ("TcptrailCloseWaitPileUp",
                        "TcptrailCloseWaitStuck")) and st
        st = wait_for("fast alerts firing", fired, 30,
                      lambda: str(rule_states(prom_port)) + log())
        for name, more in (("TcptrailCloseWaitPileUp",
                            {"severity": "critical", "state": "close_wait"}),
                           ("TcptrailCloseWaitStuck",
                            {"severity": "warning"})):
            state, alerts = st[(str(fast), name)]
            assert alerts == [{"alertname": name, "instance":
                               f"127.0.0.1:{exp_port}", "job": "tcptrail",
                               "port": str(port), **more}], alerts
        # the shipped rules, unchanged: the pile-up pending (5 m to go),
        # the stuck socket not yet over 300 s, the rest quiet
        assert st[(RULES, "TcptrailCloseWaitPileUp")][0] == "pending", st
        for name in ("TcptrailCloseWaitStuck",
                     "TcptrailCloseWaitEpisodesRising",
                     "TcptrailTransitionsUnseen", "TcptrailExporterDown"):
            for f in (RULES, str(fast)):
                if f == str(fast) and name == "TcptrailCloseWaitStuck":
                    continue
                assert st[(f, name)][0] == "inactive", (f, name, st)
        firing = api(prom_port, "/api/v1/alerts")["alerts"]
        assert sorted((a["labels"]["alertname"], a["state"])
                      for a in firing) == [
            ("TcptrailCloseWaitPileUp", "firing"),
            ("TcptrailCloseWaitPileUp", "pending"),
            ("TcptrailCloseWaitStuck", "firing")], firing
        assert "Warning" not in (tmp_path / "export.err").read_text()
    finally:
        for c in held:
            c.close()
        srv.close()
        prom.terminate()
        exporter.terminate()
        prom.wait(timeout=20)
        exporter.wait(timeout=20)
        prom_log.close()
        exp_err.close()
