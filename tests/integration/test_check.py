# SPDX-License-Identifier: GPL-2.0
"""tcptrail check: a command's sockets against the rules, exit codes,
JSON and JUnit reports."""
import json
import os
import re
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import PY, TCPTRAIL, free_port, run_exchange

# run alone, after the suites that run side by side (the Makefile):
# bpftool's list of every attached program, and the cgroups left
# behind, are the whole machine's
pytestmark = pytest.mark.serial

WORKLOAD = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "ck_workload.py")


def check(tmp_path, *args, cmd=None, timeout=60, pre=(), refuse=""):
    j, x = tmp_path / "r.json", tmp_path / "r.xml"
    argv = list(pre) + [TCPTRAIL, "check", "--json", str(j), "--junit",
                        str(x)] + list(args)
    if cmd:
        argv += ["--"] + cmd
    env = dict(os.environ, TCPTRAIL_REFUSE=refuse)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       env=env)
    rep = json.loads(j.read_text()) if j.exists() and j.stat().st_size \
        else None
    xml = ET.parse(x).getroot() if x.exists() and x.stat().st_size else None
    return p, rep, xml


def work(mode, port, arg):
    return [PY, WORKLOAD, mode, str(port), str(arg)]


def cases(xml):
    """{(classname, name): failure text or None}"""
    out = {}
    for tc in xml.iter("testcase"):
        f = tc.find("failure")
        out[(tc.get("classname"), tc.get("name"))] = \
            None if f is None else f.text
    return out


def cgroup2_mount():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            if " - cgroup2 " in line:
                return line.split()[4]
    pytest.skip("no cgroup v2 mount")


def leftover_cgroups():
    with open("/proc/self/cgroup") as f:
        own = [l.strip()[3:] for l in f if l.startswith("0::")][0]
    found = []
    for d in {cgroup2_mount(), os.path.normpath(cgroup2_mount() + own)}:
        found += [x for x in os.listdir(d) if x.startswith("tcptrail-check")]
    return found


def attached_programs():
    p = subprocess.run(["bpftool", "prog", "show"], capture_output=True,
                       text=True)
    return len(re.findall(r"name tt_state_", p.stdout))


def test_clean_command_passes(tmp_path, bpf):
    port = free_port()
    p, rep, xml = check(tmp_path, "--max-closewait", "1s",
                        cmd=work("clean", port, 3))
    assert p.returncode == 0, p.stderr
    assert "tcptrail check: PASS (watching cgroup" in p.stderr
    assert "rules: leak (after a 1.000s grace), max_closewait 1.000s, " \
        "open off" in p.stderr
    assert rep["result"] == "pass" and rep["watch"] == "cgroup"
    assert rep["cmd_exit"] == 0 and rep["violations"] == []
    assert rep["connections"] == 6 and rep["closewait_episodes"] == 3
    [ps] = [x for x in rep["ports"] if x["port"] == port]
    assert ps["closewait_episodes"] == 3 and ps["connections"] == 6
    assert xml.tag == "testsuites" and xml.get("failures") == "0"
    c = cases(xml)
    assert c[("tcptrail.leak",
              f"port {port}: no socket left in CLOSE_WAIT")] is None
    assert ("tcptrail.max_closewait", f"port {port}: no CLOSE_WAIT longer "
            "than the limit (1.000s)") in c


def test_leak_fails_with_3_and_names_the_socket(tmp_path, bpf):
    port = free_port()
    p, rep, xml = check(tmp_path, "--grace", "1s",
                        cmd=work("leak", port, 8))
    # the holder outlives the check: moved out, the cgroup removed
    assert leftover_cgroups() == []
    assert p.returncode == 3, p.stderr
    assert rep["result"] == "fail" and rep["cmd_exit"] == 0
    [v] = rep["violations"]
    assert v["rule"] == "leak" and v["port"] == port
    assert v["lport"] == port and v["laddr"] == "127.0.0.1"
    assert v["state"] == "CLOSE_WAIT" and v["owner_comm"] == "python3"
    assert 900 <= v["duration_ms"] < 5000
    f = cases(xml)[("tcptrail.leak",
                    f"port {port}: no socket left in CLOSE_WAIT")]
    assert f and f"127.0.0.1:{port} <-> 127.0.0.1:{v['rport']}" in f
    assert xml.get("failures") == "1"
    # who holds it now, as /proc says (the holder outlives the check)
    [h] = v["holders"]
    assert os.readlink(f"/proc/{h['pid']}/fd/{h['fd']}").startswith(
        "socket:[")
    assert f"leak: port {port}: held by pid {h['pid']} (python3) " \
        f"fd {h['fd']}" in p.stderr


def test_slow_close_breaks_max_closewait(tmp_path, bpf):
    port = free_port()
    p, rep, xml = check(tmp_path, "--max-closewait", "300ms",
                        cmd=work("slow", port, 0.8))
    assert p.returncode == 3, p.stderr
    [v] = rep["violations"]
    assert v["rule"] == "max_closewait" and 800 <= v["duration_ms"] < 1500
    assert v["state"] == "CLOSE_WAIT"
    assert rep["broken"] == {"max_closewait": 1, "leak": 0, "open": 0}
    # the same hold under a laxer limit passes
    p, rep, _ = check(tmp_path, "--max-closewait", "2s",
                      cmd=work("slow", free_port(), 0.8))
    assert p.returncode == 0 and rep["violations"] == []


# the end's list: the kernel's (iter/tcp), or the records of each socket
# where iter/tcp is refused
ENDS = ["", "iter_tcp"]


@pytest.mark.parametrize("refuse", ENDS)
def test_fail_on_open(tmp_path, bpf, refuse):
    port = free_port()
    p, rep, _ = check(tmp_path, "--fail-on-open", cmd=work("open", port, 6),
                      refuse=refuse)
    assert p.returncode == 3, p.stderr
    rules = sorted((v["rule"], v["state"]) for v in rep["violations"])
    # both ends of the connection, and not the listener (closed anyway)
    assert rules == [("open", "ESTABLISHED"), ("open", "ESTABLISHED")]
    ends = {(v["lport"], v["rport"]) for v in rep["violations"]}
    assert len(ends) == 2 and all(port in e for e in ends), ends
    # opened in the command's run, a few seconds before the grace ended
    assert all(900 <= v["duration_ms"] < 10000 and
               not v["duration_at_least"] for v in rep["violations"])
    # without the flag, an open connection is no failure
    p, rep, _ = check(tmp_path, cmd=work("open", free_port(), 6),
                      refuse=refuse)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("refuse", ENDS)
@pytest.mark.parametrize("open_too", [False, True])
def test_leak_in_a_namespace_nothing_leads_into(tmp_path, bpf, refuse,
                                                open_too):
    """The sockets' namespace outlives every process in it (they were
    passed out): the kernel's list cannot walk it, so what it would find
    there is counted unnamed; the records name them. Either way the check
    fails. With --fail-on-open, the CLOSE_WAIT socket's peer (FIN_WAIT2)
    counts, and an ESTABLISHED connection goes out too."""
    port = free_port()
    script = os.path.join(os.path.dirname(WORKLOAD), "orphan_ns.py")
    args = ["--fail-on-open"] if open_too else []
    p, rep, xml = check(tmp_path, *args,
                        cmd=[PY, script, str(port), "20"] +
                        (["open"] if open_too else []), refuse=refuse)
    m = re.search(r"holder (\d+)", p.stdout)
    if m:
        os.kill(int(m.group(1)), signal.SIGKILL)
    assert m, p.stdout
    assert p.returncode == 3, p.stderr
    # with the flag: the CLOSE_WAIT socket's peer (FIN_WAIT2) and both ends
    nopen = 3 if open_too else 0
    assert rep["broken"] == {"leak": 1, "open": nopen, "max_closewait": 0}
    if refuse:
        assert sorted((v["rule"], v["state"]) for v in rep["violations"]) \
            == [("leak", "CLOSE_WAIT")] + [("open", "ESTABLISHED")] * 2 * \
            open_too + [("open", "FIN_WAIT2")] * open_too
        assert all(port in (v["lport"], v["rport"])
                   for v in rep["violations"])
        assert rep["leaks_not_found"] == rep["open_not_found"] == 0
    else:
        assert rep["violations"] == [] and rep["leaks_not_found"] == 1
        assert rep["open_not_found"] == nopen
        assert "not found: 1 socket seen entering CLOSE_WAIT" in p.stderr
        assert ("not found: 3 sockets seen opening" in p.stderr) == open_too
        assert "only the first" not in p.stderr
        fails = {tc.get("classname"): tc.find("failure")
                 for tc in xml.iter("testcase")
                 if tc.get("name", "").startswith("namespaces not walked")}
        assert sorted(fails) == ["tcptrail.leak"] + \
            ["tcptrail.open"] * open_too
        assert all(f is not None for f in fails.values())
    assert xml.get("failures") == str(1 + open_too)


def test_command_failure_is_the_verdict(tmp_path, bpf):
    """rules held, but CMD failed: FAIL, saying so, and CMD's status"""
    p, rep, xml = check(tmp_path, cmd=work("exit", free_port(), 7))
    assert p.returncode == 7
    assert rep["cmd_exit"] == 7 and rep["result"] == "fail"
    assert "tcptrail check: FAIL: command exited 7 (" in p.stderr
    assert "PASS" not in p.stderr
    name = "the command ran to its end and exited 0"
    f = xml.find(f".//testcase[@name='{name}']/failure")
    assert f is not None and f.get("message") == "command exited 7"
    assert xml.get("failures") == "1"
    p, rep, _ = check(tmp_path, cmd=["sh", "-c", "kill -TERM $$"])
    assert p.returncode == 128 + 15
    assert "FAIL: command killed by SIGTERM" in p.stderr
    p, rep, xml = check(tmp_path, cmd=["true"])
    assert p.returncode == 0 and rep["result"] == "pass"
    assert xml.find(f".//testcase[@name='{name}']") is not None
    assert "Ctrl-C" not in p.stderr


def test_default_max_closewait_catches_a_slow_close(tmp_path, bpf):
    """a CLOSE_WAIT of 1.5 s that CMD ends itself: no leak, but slow"""
    port = free_port()
    p, rep, _ = check(tmp_path, cmd=work("slow", port, 1.5))
    assert p.returncode == 3, p.stderr
    assert rep["max_closewait_ms"] == 1000 and rep["max_closewait_default"]
    (v,) = rep["violations"]
    assert v["rule"] == "max_closewait" and 1400 <= v["duration_ms"] < 3000
    assert "rules: leak (after a 1.000s grace), max_closewait 1.000s " \
        "(default), open off" in p.stderr
    p, rep, _ = check(tmp_path, "--max-closewait", "off",
                      cmd=work("slow", free_port(), 1.5))
    assert p.returncode == 0, p.stderr
    assert rep["max_closewait_ms"] is None and rep["violations"] == []
    assert not rep["max_closewait_default"]


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


def interrupted(tmp_path, script, signals, gap=0.3):
    """check -- sh -c script; once it has written its pid, the signals
    to tcptrail, gap apart. (process, report, junit, pid, seconds from
    the first signal to tcptrail's end)"""
    pf = tmp_path / "pid"
    j, x = tmp_path / "r.json", tmp_path / "r.xml"
    for f in (pf, j, x):
        f.unlink(missing_ok=True)
    t = subprocess.Popen([TCPTRAIL, "check", "--json", str(j), "--junit",
                          str(x), "--", "sh", "-c",
                          f"echo $$ > {pf}; " + script],
                         stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not (pf.exists() and pf.read_text().strip()):
        assert time.monotonic() < deadline, "the command never started"
        time.sleep(0.05)
    pid = int(pf.read_text())
    t0 = time.monotonic()
    for sig in signals:
        t.send_signal(sig)
        time.sleep(gap)
    t.wait(timeout=20)
    took = time.monotonic() - t0
    t.stderr_text = t.stderr.read()
    return t, json.loads(j.read_text()), ET.parse(x).getroot(), pid, took


def test_interrupted_is_the_verdict_and_stops_the_command(tmp_path, bpf):
    t, rep, xml, pid, took = interrupted(tmp_path, "exec sleep 30",
                                         [signal.SIGTERM])
    assert t.returncode == 128 + 15, t.stderr_text
    assert not alive(pid) and took < 3
    assert rep["result"] == "interrupted"
    assert rep["interrupted_by"] == "SIGTERM" and rep["cmd_exit"] == 143
    assert "tcptrail check: INTERRUPTED by SIGTERM before the command " \
        "ended; then command killed by SIGTERM" in t.stderr_text
    assert "PASS" not in t.stderr_text
    err = xml.find(".//testcase[@classname='tcptrail.command']/error")
    assert err is not None and "SIGTERM" in err.get("message")
    assert xml.get("errors") == "1"
    assert leftover_cgroups() == []


def test_interrupted_command_that_ignores_it_is_killed(tmp_path, bpf):
    """5 s for the command to end, then SIGKILL; a second signal at once"""
    script = "trap '' TERM INT; while :; do sleep 0.1; done"
    t, rep, _, pid, took = interrupted(tmp_path, script, [signal.SIGTERM])
    assert 5 <= took < 8 and not alive(pid), took
    assert rep["result"] == "interrupted" and rep["cmd_exit"] == 128 + 9
    t, rep, _, pid, took = interrupted(tmp_path, script,
                                       [signal.SIGINT, signal.SIGINT])
    assert took < 3 and not alive(pid), took
    assert t.returncode == 128 + 2, (t.returncode, t.stderr_text, rep)
    assert rep["interrupted_by"] == "SIGINT"


def test_cgroup_of_a_killed_run_is_removed_by_the_next(tmp_path, bpf):
    pf = tmp_path / "pid"
    t = subprocess.Popen([TCPTRAIL, "check", "--", "sh", "-c",
                          f"echo $$ > {pf}; exec sleep 30"],
                         stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not (pf.exists() and pf.read_text().strip()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    t.kill()
    t.wait()
    pid = int(pf.read_text())
    try:
        left = leftover_cgroups()
        assert left == [f"tcptrail-check.{t.pid}"]
        # still holding the command: a new run leaves it alone
        p, _, _ = check(tmp_path, cmd=["true"])
        assert p.returncode == 0 and leftover_cgroups() == left
    finally:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    p, _, _ = check(tmp_path, cmd=["true"])
    assert p.returncode == 0 and leftover_cgroups() == []


def test_full_disk_leaves_no_partial_report(tmp_path, bpf):
    d = tmp_path / "small"
    d.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tt-full",
                    str(d)], check=True)
    try:
        (d / "r.json").write_text("the previous report\n")
        fd = os.open(d / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"x" * 4096):
                pass
        except OSError:
            pass
        os.close(fd)
        p = subprocess.run([TCPTRAIL, "check", "--json", str(d / "r.json"),
                            "--junit", str(d / "r.xml"), "--", "true"],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 1
        assert "cannot write" in p.stderr and "No space left" in p.stderr
        assert sorted(os.listdir(d)) == ["filler", "r.json"]
        assert (d / "r.json").read_text() == "the previous report\n"
    finally:
        subprocess.run(["umount", str(d)], check=True)


def test_only_the_command_is_watched(tmp_path, bpf):
    """a leak outside the command's cgroup, during the check, is not its"""
    outside = free_port()
    srv = subprocess.Popen(work("slow", outside, 3))
    try:
        p, rep, _ = check(tmp_path, cmd=work("clean", free_port(), 2))
    finally:
        srv.wait(timeout=20)
    assert p.returncode == 0, p.stderr
    assert all(x["port"] != outside for x in rep["ports"]), rep


@pytest.mark.parametrize("refuse", ENDS)
def test_process_tree_when_cgroup_is_read_only(tmp_path, bpf, refuse):
    port = free_port()
    cg = cgroup2_mount()
    # a leak outside the command's tree, at the same time, is not its
    outside = subprocess.Popen(work("leak", free_port(), 8))
    try:
        p, rep, _ = check(tmp_path, cmd=work("leak", port, 8),
                          pre=["unshare", "-m", "sh", "-c",
                               f"mount -o remount,bind,ro {cg} && "
                               "exec \"$0\" \"$@\""], refuse=refuse)
    finally:
        outside.wait(timeout=20)
    assert "following the command's process tree instead" in p.stderr
    assert p.returncode == 3, p.stderr
    assert rep["watch"] == "process tree"
    assert [(v["rule"], v["lport"]) for v in rep["violations"]] == \
        [("leak", port)]
    assert rep["broken"]["leak"] == 1


def test_host_mode_with_duration(tmp_path, tracer):
    port = free_port()
    j = tmp_path / "host.json"
    t = tracer("check", "-d", "3", "--lport", str(port), "--json", str(j),
               name="check")
    srv = subprocess.Popen(work("leak", port, 8))
    srv.wait(timeout=10)
    assert t.proc.wait(timeout=20) == 3, t.stderr
    rep = json.loads(j.read_text())
    assert rep["watch"] == "host" and rep["cmd"] is None
    assert [v["port"] for v in rep["violations"]] == [port]


def test_hostile_command_name_in_reports(tmp_path, bpf):
    """what a process puts in its name stays inert in XML and JSON"""
    port = free_port()
    name = "<x&\"\x1b]0;\n"
    script = (f"import ctypes,sys; ctypes.CDLL(None).prctl(15, "
              f"{name.encode()!r}, 0, 0, 0); sys.argv = "
              f"[{WORKLOAD!r}, 'leak', '{port}', '8']; "
              f"exec(open({WORKLOAD!r}).read())")
    p, rep, xml = check(tmp_path, cmd=[PY, "-c", script])
    assert p.returncode == 3, p.stderr
    [v] = rep["violations"]
    assert v["owner_comm"] == name
    f = cases(xml)[("tcptrail.leak",
                    f"port {port}: no socket left in CLOSE_WAIT")]
    assert "(<x&\"\\x1b]0;\\x0a)" in f, f
    assert "\x1b" not in p.stderr


@pytest.mark.parametrize("args,msg", [
    (["--max-closewait", "10parsecs"], "invalid --max-closewait"),
    (["--grace", "-1s"], "invalid --grace"),
    (["--"], "missing CMD after --"),
    (["extra"], "the command goes after --"),
    (["-d", "1", "--", "true"], "--duration is for watching without"),
    (["--key", "x", "--", "true"], "invalid --key"),
    (["--state", "syn_sent", "--", "true"], "--state does not apply"),
    (["--max-closewait", "soon"], "invalid --max-closewait"),
])
def test_bad_input_exits_2(args, msg):
    p = subprocess.run([TCPTRAIL, "check"] + args, capture_output=True,
                       text=True, timeout=10)
    assert p.returncode == 2
    assert msg in p.stderr.splitlines()[0], p.stderr


def test_unexecutable_command_exits_2_and_detaches(tmp_path, bpf):
    before = attached_programs()
    p, rep, _ = check(tmp_path, cmd=["/nonexistent/cmd", "x"])
    assert p.returncode == 2
    assert "cannot execute '/nonexistent/cmd': No such file" in p.stderr
    assert attached_programs() == before
    assert leftover_cgroups() == []


@pytest.mark.parametrize("limit,close_after,status", [("30s", 2.0, 0),
                                                      ("1s", 2.5, 3)])
def test_closewait_that_began_before_check(tmp_path, tracer, limit,
                                           close_after, status):
    """A socket already in CLOSE_WAIT when check starts (ss says so) and
    closed during the run: its length is unknown, at least the time since
    check attached. A rule fails only when that lower bound breaks it,
    never on an invented length (the machine's uptime, before)."""
    import socket
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    port = ls.getsockname()[1]
    c = socket.create_connection(("127.0.0.1", port))
    s, _ = ls.accept()
    c.close()
    time.sleep(0.2)
    ss = subprocess.run(["ss", "-tanH", "state", "close-wait",
                         f"sport = :{port}"], capture_output=True, text=True)
    assert f":{port}" in ss.stdout, ss.stdout  # the kernel's view
    j = tmp_path / "r.json"
    try:
        t = tracer("check", "-d", "4", "--lport", str(port),
                   "--max-closewait", limit, "--json", str(j),
                   name="check")
        time.sleep(close_after)
    finally:
        s.close()
        ls.close()
    assert t.proc.wait(timeout=20) == status, t.stderr
    rep = json.loads(j.read_text())
    assert rep["closewait_episodes"] == 1 and \
        rep["closewait_predating"] == 1, rep
    assert "(1 began before tcptrail)" in t.stderr, t.stderr
    if status == 0:
        assert rep["violations"] == [], rep
    else:
        [v] = rep["violations"]
        assert v["rule"] == "max_closewait" and v["duration_at_least"], v
        # at least the time since check attached, not more than the hold
        assert 1000 < v["duration_ms"] <= close_after * 1000 + 500, v
        assert ">=" in t.stderr and "began before tcptrail" in t.stderr
