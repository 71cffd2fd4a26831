# SPDX-License-Identifier: GPL-2.0
"""Every subcommand as an ordinary user (nobody) holding only capabilities,
granted with setpriv's ambient set; an error that names the capability
that is missing."""
import os
import re
import shutil
import subprocess
import time
import urllib.request

import pytest

from conftest import TCPTRAIL, free_port


@pytest.fixture(scope="module")
def tt(tmp_path_factory):
    """the binary where nobody can run it (the tree may be root's alone)"""
    d = tmp_path_factory.mktemp("unpriv")
    os.chmod(d, 0o755)
    path = d / "tcptrail"
    shutil.copy(TCPTRAIL, path)
    os.chmod(path, 0o755)
    return str(path)


def as_nobody(tt, caps, *args, timeout=30):
    priv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    if caps:
        c = ",".join("+" + x for x in caps)
        priv += [f"--inh-caps={c}", f"--ambient-caps={c}"]
    else:
        priv += ["--inh-caps=-all"]
    return subprocess.run(priv + [tt, *args], capture_output=True, text=True,
                          timeout=timeout, cwd="/")


TRACER = ["bpf", "perfmon"]


@pytest.mark.parametrize("caps,missing", [
    ([], "CAP_BPF and CAP_PERFMON"),
    (["bpf"], "CAP_PERFMON"),
    (["perfmon"], "CAP_BPF"),
])
def test_missing_capability_is_named(bpf, tt, caps, missing):
    p = as_nobody(tt, caps, "trace", "-d", "1")
    assert p.returncode == 1
    assert p.stderr.startswith("Error: loading the tracer needs CAP_BPF "
                               f"and CAP_PERFMON (missing: {missing}):"), \
        p.stderr


@pytest.mark.parametrize("args", [
    ["trace", "-d", "1"],
    ["timeline", "-d", "1"],
    ["closewait", "-d", "1"],
    ["hist", "-d", "1"],
    ["check", "--port", "9", "-d", "1"],
    ["check", "--", "true"],
], ids=lambda a: " ".join(a))
def test_each_subcommand_runs_with_bpf_and_perfmon(bpf, tt, args):
    p = as_nobody(tt, TRACER, *args)
    assert p.returncode == 0, p.stderr


def test_export_runs_with_bpf_and_perfmon(bpf, tt):
    port = free_port()
    p = as_nobody(tt, TRACER, "export", "--listen", f"127.0.0.1:{port}",
                  "-d", "1")
    assert p.returncode == 0, p.stderr


def scrape_as_nobody(tt, caps):
    """export as nobody with caps, scraped once: its stderr"""
    port = free_port()
    priv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=" + ",".join("+" + x for x in caps),
            "--ambient-caps=" + ",".join("+" + x for x in caps)]
    p = subprocess.Popen(priv + [tt, "export", "--listen",
                                 f"127.0.0.1:{port}", "-d", "3"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, cwd="/")
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                   timeout=5).read()
            break
        except OSError:
            assert time.monotonic() < deadline and p.poll() is None
            time.sleep(0.1)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    return err


def test_export_says_when_namespaces_of_processes_are_unreadable(bpf, tt):
    """without CAP_SYS_PTRACE, root's processes' /proc/PID/ns/net cannot
    be read: a namespace only they are in would be missed, and export
    says so once; with it (and setns's CAP_SYS_ADMIN), not"""
    hidden = "could not be read (it needs CAP_SYS_PTRACE)"
    err = scrape_as_nobody(tt, TRACER)
    assert err.count(hidden) == 1, err
    err = scrape_as_nobody(tt, TRACER + ["sys_admin", "sys_ptrace"])
    assert hidden not in err and "Warning" not in err, err


def test_version_probes_under_capabilities(bpf, tt):
    p = as_nobody(tt, TRACER, "version")
    assert p.returncode == 0 and "not probed" not in p.stdout, p.stdout
    assert "tp_btf/inet_sock_set_state attaches              yes" in p.stdout
    p = as_nobody(tt, [], "version")
    assert "not probed (needs CAP_BPF, CAP_PERFMON)" in p.stdout


def test_accept_owners_need_dac_read_search(bpf, tt):
    """without it, one warning naming it; with it, the accept hook runs
    and an accepted socket's owner is the process that accepted it"""
    p = as_nobody(tt, TRACER, "trace", "-d", "0.5")
    assert p.returncode == 0
    assert "owners at accept() need CAP_DAC_READ_SEARCH" in p.stderr
    p = as_nobody(tt, TRACER + ["dac_read_search"], "trace", "-v", "-d",
                  "0.5")
    assert p.returncode == 0 and "CAP_DAC_READ_SEARCH" not in p.stderr
    assert "owners at accept() from syscalls" in p.stderr, p.stderr


HOLDER = """
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
c = socket.create_connection(s.getsockname())
a, _ = s.accept()
c.close()  # a: CLOSE_WAIT, held here
print(s.getsockname()[1], flush=True)
sys.stdin.read()
"""


def test_holders_of_other_users_need_sys_ptrace(bpf, tt):
    """a socket in CLOSE_WAIT held by a process of another user (daemon,
    UID 1) than tcptrail's (nobody): without CAP_SYS_PTRACE (and
    CAP_DAC_READ_SEARCH) one warning naming what is missing, and no
    holder; with both, the holder's PID, COMM and fd, as ss -p says"""
    h = subprocess.Popen(["setpriv", "--reuid=1", "--regid=1",
                          "--clear-groups", "/usr/bin/python3", "-c",
                          HOLDER], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, cwd="/")
    try:
        port = int(h.stdout.readline())
        ss = subprocess.run(["ss", "-tanpH", "state", "close-wait",
                             f"sport = :{port}"], capture_output=True,
                            text=True, timeout=10).stdout
        m = re.search(r'"python3",pid=(\d+),fd=(\d+)', ss)
        assert m and int(m.group(1)) == h.pid, ss
        row = re.compile(rf"\s{h.pid} python3\s+{m.group(2)} "
                         rf"127\.0\.0\.1:{port}\s")
        cases = [
            (TRACER, "CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH"),
            (TRACER + ["dac_read_search"], "CAP_SYS_PTRACE"),
            (TRACER + ["sys_ptrace"], "CAP_DAC_READ_SEARCH"),
        ]
        for caps, missing in cases:
            p = as_nobody(tt, caps, "closewait", "--port", str(port), "-d",
                          "0.3")
            assert p.returncode == 0, p.stderr
            assert "Warning: holders in other users' processes need " \
                "CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (to read their " \
                f"/proc/PID/fd; missing: {missing}): their sockets show " \
                "no holder" in p.stderr.splitlines(), (caps, p.stderr)
            assert f"127.0.0.1:{port}" in p.stdout and \
                not row.search(p.stdout), p.stdout
        p = as_nobody(tt, TRACER + ["sys_ptrace", "dac_read_search"],
                      "closewait", "--port", str(port), "-d", "0.3")
        assert p.returncode == 0 and "holders" not in p.stderr, p.stderr
        assert row.search(p.stdout), p.stdout
    finally:
        h.kill()
        h.wait()


LEAKER = """
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
sys.stdin.readline()  # go: check is watching
c = socket.create_connection(s.getsockname())
a, _ = s.accept()
c.close()  # a: CLOSE_WAIT, held here
sys.stdin.read()
"""


@pytest.mark.parametrize("ptrace", [False, True])
def test_check_names_other_users_leakers_with_sys_ptrace(bpf, tt, ptrace):
    """check watching a port: a leak by a process of UID 1 is named with
    CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH; without them, the warning,
    and the owner unknown"""
    h = subprocess.Popen(["setpriv", "--reuid=1", "--regid=1",
                          "--clear-groups", "/usr/bin/python3", "-c",
                          LEAKER], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, cwd="/")
    try:
        port = int(h.stdout.readline())
        caps = TRACER + (["sys_ptrace", "dac_read_search"] if ptrace else [])
        c = ",".join("+" + x for x in caps)
        chk = subprocess.Popen(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             f"--inh-caps={c}", f"--ambient-caps={c}", tt, "check",
             "--port", str(port), "-d", "3"], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd="/")
        head = ""
        while "Tracing" not in head:  # check is loaded and watching
            line = chk.stderr.readline()
            assert line, "check exited early"
            head += line
        h.stdin.write("go\n")
        h.stdin.flush()
        out, err = chk.communicate(timeout=30)
        err = head + err
        assert chk.returncode == 3, out + err
        warned = "Warning: holders in other users' processes need " \
            "CAP_SYS_PTRACE" in err
        assert warned != ptrace, err
        named = f"held by pid {h.pid} (python3) fd " in out + err
        assert named == ptrace, out + err
    finally:
        h.kill()
        h.wait()
