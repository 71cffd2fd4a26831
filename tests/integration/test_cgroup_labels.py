# SPDX-License-Identifier: GPL-2.0
"""Where a socket lives: cgroup, container id, pod UID and QoS class in
trace -j, closewait -j, timeline -j, and hist and export with --labels
container.

Real cgroup v2 hierarchies, named as kubelet (systemd and cgroupfs
drivers), containerd, CRI-O and docker name them, with a real process
moved into each by writing its PID to cgroup.procs. The ground truth is
the kernel's: /proc/PID/cgroup for the process, and ss -e's cgroup: for
the socket itself."""
import errno
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid

import pytest

from conftest import free_port
from test_export import SERVING, get, samples, value

# listens on port argv[1], accepts argv[2] connections and holds them; on
# "close" it closes the first (its CLOSE_WAIT ends), the others stay until
# it is killed
HOLDER = r"""
import socket, sys
sys.stdin.readline()  # moved into its cgroup by then
l = socket.socket()
l.bind(("127.0.0.1", int(sys.argv[1])))
l.listen()
print("listening", flush=True)
held = [l.accept()[0] for _ in range(int(sys.argv[2]))]
print("accepted", flush=True)
sys.stdin.readline()
held[0].close()
print("closed", flush=True)
sys.stdin.readline()
"""


def start_holder(h, port, n):
    """the holder, moved into h's cgroup before it makes a socket"""
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(port), str(n)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    try:
        h.join(p.pid)
        say(p, "go")
        wait_line(p, "listening")
    except BaseException:
        p.kill()
        p.wait()
        raise
    return p


def say(p, word):
    p.stdin.write(word + "\n")
    p.stdin.flush()


def cgroup2_mount():
    for line in open("/proc/self/mountinfo"):
        if " - cgroup2 " in line:
            return line.split()[4]
    pytest.skip("no cgroup v2 mount")


def own_cgroup(pid="self"):
    """the 0:: line of /proc/PID/cgroup: cgroup v2's path"""
    for line in open(f"/proc/{pid}/cgroup"):
        if line.startswith("0::"):
            return line[3:].strip()
    raise AssertionError(f"no cgroup v2 line in /proc/{pid}/cgroup")


def socket_cgroup(port):
    """ss -e's cgroup: of the sockets in CLOSE_WAIT at local port"""
    out = subprocess.run(["ss", "-tanpe", "state", "close-wait", "sport",
                          "=", f":{port}"], capture_output=True,
                         text=True, check=True).stdout
    return set(re.findall(r"cgroup:(\S+)", out))


CID = secrets.token_hex(32)
UID = str(uuid.uuid4())
U_ = UID.replace("-", "_")

# path under the mount, and the labels it names
FORMS = {
    "systemd-containerd": (
        f"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{U_}"
        f".slice/cri-containerd-{CID}.scope",
        {"container_id": CID, "pod_uid": UID, "qos": "burstable"}),
    "cgroupfs-containerd": (
        f"kubepods/besteffort/pod{UID}/{CID}",
        {"container_id": CID, "pod_uid": UID, "qos": "besteffort"}),
    "systemd-crio-guaranteed": (
        f"kubepods.slice/kubepods-pod{U_}.slice/crio-{CID}.scope",
        {"container_id": CID, "pod_uid": UID, "qos": "guaranteed"}),
    "docker": (
        f"system.slice/docker-{CID}.scope",
        {"container_id": CID}),
}


class Hierarchy:
    """the directories of rel under the mount, made where missing; undone
    (processes moved out, then rmdir, deepest first) even on failure"""

    def __init__(self, rel):
        self.root = cgroup2_mount()
        self.made = []
        d = self.root
        for part in rel.split("/"):
            d = os.path.join(d, part)
            if not os.path.isdir(d):
                os.mkdir(d)
                self.made.append(d)
        self.leaf = d

    def join(self, pid):
        with open(os.path.join(self.leaf, "cgroup.procs"), "w") as f:
            f.write(str(pid))

    def remove(self):
        back = os.path.join(self.root, own_cgroup().lstrip("/"))
        for d in reversed(self.made):
            # a process killed a moment ago keeps its cgroup busy until it
            # is gone for good: longer on a loaded machine
            for _ in range(100):
                self._empty(d, back)
                try:
                    os.rmdir(d)
                    break
                except OSError as e:
                    if e.errno != errno.EBUSY:
                        raise
                    time.sleep(0.05)
            else:
                os.rmdir(d)

    @staticmethod
    def _empty(d, back):
        for pid in open(os.path.join(d, "cgroup.procs")).read().split():
            try:
                with open(os.path.join(back, "cgroup.procs"), "w") as f:
                    f.write(pid)
            except OSError:
                pass  # gone meanwhile


@pytest.fixture
def hierarchy():
    made = []

    def make(rel):
        h = Hierarchy(rel)
        made.append(h)
        return h

    yield make
    for h in reversed(made):  # a later one may be inside an earlier one's
        h.remove()


def wait_line(proc, want):
    line = proc.stdout.readline()
    assert line.strip() == want, f"holder said {line!r}, not {want!r}"


def where(e):
    return {k: e[k] for k in ("container_id", "pod_uid", "qos") if k in e}


@pytest.mark.parametrize("form", FORMS)
def test_cgroup_and_labels_everywhere(form, tracer, hierarchy, bpf):
    rel, labels = FORMS[form]
    h = hierarchy(rel)
    port = free_port()
    holder = start_holder(h, port, 2)
    try:
        path = own_cgroup(holder.pid)
        assert path == "/" + rel  # the kernel moved it
        mine = own_cgroup()

        tr = tracer("trace", "-j", "--port", str(port))
        tl = tracer("timeline", "-j", "--open", "--port", str(port),
                    name="timeline")
        cw = tracer("closewait", "-j", "--port", str(port), name="closewait")
        hi = tracer("hist", "-j", "--labels", "container", "--port",
                    str(port), name="hist", ready=b"Measuring")
        ht = tracer("hist", "--labels", "container", "--port", str(port),
                    name="hist-text", ready=b"Measuring")
        xport = free_port()
        ex = tracer("export", "--listen", f"127.0.0.1:{xport}", "--labels",
                    "container", "--port", str(port), name="export",
                    ready=SERVING)
        plain = free_port()
        ex0 = tracer("export", "--listen", f"127.0.0.1:{plain}", "--port",
                     str(port), name="export0", ready=SERVING)

        clients = [socket.create_connection(("127.0.0.1", port))
                   for _ in range(2)]
        wait_line(holder, "accepted")
        for c in clients:
            c.close()
        time.sleep(0.5)
        # the kernel's view: both accepted sockets in CLOSE_WAIT, in the
        # listener's cgroup (a socket keeps the cgroup it was made in)
        assert socket_cgroup(port) == {path}

        time.sleep(1.1)  # past the exporter's refresh
        s = samples(get(xport)[2])
        assert value(s, "tcptrail_sockets", state="close_wait", port=port,
                     container_id=CID, pod_uid=labels.get("pod_uid", ""),
                     qos=labels.get("qos", "")) == 2
        assert value(s, "tcptrail_label_sets_folded") == 0
        say(holder, "close")
        wait_line(holder, "closed")
        time.sleep(1.2)
        s = samples(get(xport)[2])
        assert value(s, "tcptrail_state_duration_seconds_count",
                     state="close_wait", port=port, container_id=CID,
                     pod_uid=labels.get("pod_uid", ""),
                     qos=labels.get("qos", "")) == 1
        # default export: no label of these, the same counts
        s0 = samples(get(plain)[2])
        assert value(s0, "tcptrail_state_duration_seconds_count",
                     state="close_wait", port=port) == 1
        assert value(s0, "tcptrail_sockets", state="close_wait",
                     port=port) == 1
        assert not [k for k in s0 if dict(k[1]).get("container_id")]

        for t in (tr, tl, cw, hi, ht, ex, ex0):
            assert t.stop() == 0, t.stderr
    finally:
        holder.kill()
        holder.wait()

    # trace: the server's sockets (listener, accepted) in the holder's
    # cgroup, the clients in ours
    evs = tr.json_events()
    server = [e for e in evs if e["lport"] == port]
    client = [e for e in evs if e["rport"] == port]
    assert server and client
    for e in server:
        assert e["cgroup"] == path and where(e) == labels, e
        assert e["cgroup_id"] == os.stat(h.leaf).st_ino
    for e in client:
        assert e["cgroup"] == mine, e
        assert "container_id" not in e or mine != "/"

    # closewait: the episode that ended, and the socket still in it
    lines = [json.loads(x) for x in cw.stdout.splitlines() if x]
    episodes = [x for x in lines if x["type"] == "close_wait"]
    assert len(episodes) == 1
    assert episodes[0]["cgroup"] == path and where(episodes[0]) == labels
    summary = [x for x in lines if x["type"] == "summary"][0]
    assert len(summary["open"]) == 1
    assert summary["open"][0]["cgroup"] == path
    assert where(summary["open"][0]) == labels

    # timeline: the accepted connections, one closed, one open at exit
    conns = [json.loads(x) for x in tl.stdout.splitlines() if x]
    srv = [c for c in conns if c["type"] == "connection"
           and c["lport"] == port and c["opened"] == "passive"]
    assert sorted(c["open"] for c in srv) == [False, True]
    for c in srv:
        assert c["cgroup"] == path and where(c) == labels, c

    # hist: the one CLOSE_WAIT that ended, under the holder's labels
    out = json.loads(hi.stdout.splitlines()[-1])
    assert out["containers_folded"] == 0
    rows = [r for r in out["hists"] if r["state"] == "CLOSE_WAIT"]
    assert [(where(r), r["count"]) for r in rows] == [(labels, 1)], out
    head = [x for x in ht.stdout.splitlines() if x.startswith("CLOSE_WAIT")]
    want = f"CLOSE_WAIT time, service port {port}, container {CID[:12]}"
    if "pod_uid" in labels:
        want += f", pod {labels['pod_uid']} ({labels['qos']})"
    assert len(head) == 1 and head[0].startswith(want + ": count 1,"), head


def test_container_labels_are_bounded(tracer, hierarchy, bpf):
    """two containers, --max-containers 1: the busier keeps its labels,
    the other is summed under "other" and counted"""
    port, port2 = sorted((free_port(), free_port()))
    ids = [secrets.token_hex(32) for _ in range(2)]
    hs = [hierarchy(f"system.slice/docker-{i}.scope") for i in ids]
    xport = free_port()
    ex = tracer("export", "--listen", f"127.0.0.1:{xport}", "--labels",
                "container", "--max-containers", "1", "--port",
                f"{port},{port2}", name="export", ready=SERVING)
    hi = tracer("hist", "-j", "--labels", "container", "--max-containers",
                "1", "--port", f"{port},{port2}", name="hist",
                ready=b"Measuring")
    holders = []
    try:
        # the first container: three sockets in CLOSE_WAIT, the other one
        for h, k, p in zip(hs, (3, 1), (port, port2)):
            holders.append(start_holder(h, p, k))
            for _ in range(k):
                socket.create_connection(("127.0.0.1", p)).close()
            wait_line(holders[-1], "accepted")
        time.sleep(1.5)
        text = get(xport)[2]
        s = samples(text)
        assert value(s, "tcptrail_label_sets_folded") == 1
        assert value(s, "tcptrail_sockets", state="close_wait", port=port,
                     container_id=ids[0], pod_uid="", qos="") == 3
        assert value(s, "tcptrail_sockets", state="close_wait",
                     port=port2, container_id="other", pod_uid="other",
                     qos="other") == 1
        assert ids[1] not in text
        assert ex.stop() == 0
    finally:
        for p in holders:
            p.kill()
            p.wait()
    # the holders' deaths ended the 4 CLOSE_WAITs: hist folds the same way
    time.sleep(0.5)
    assert hi.stop() == 0, hi.stderr
    out = json.loads(hi.stdout.splitlines()[-1])
    assert out["containers_folded"] == 1
    rows = sorted((r["port"], r.get("container_id"), r.get("pod_uid"),
                   r["count"]) for r in out["hists"]
                  if r["state"] == "CLOSE_WAIT")
    assert rows == [(port, ids[0], None, 3),
                    (port2, "other", "other", 1)], out


def test_removed_cgroup_keeps_its_id(tracer, hierarchy, bpf):
    """a socket whose cgroup is gone before tcptrail looks (its process
    moved out, the directory removed): the id alone, the path null"""
    port = free_port()
    h = hierarchy(f"system.slice/docker-{secrets.token_hex(32)}.scope")
    ino = os.stat(h.leaf).st_ino
    holder = start_holder(h, port, 1)
    try:
        c = socket.create_connection(("127.0.0.1", port))
        wait_line(holder, "accepted")
        h.remove()
        h.made = []
        assert not os.path.exists(h.leaf)
        assert own_cgroup(holder.pid) == own_cgroup()
        t = tracer("trace", "-j", "--port", str(port))
        c.close()  # the accepted socket enters CLOSE_WAIT
        time.sleep(0.3)
        assert t.stop() == 0
    finally:
        holder.kill()
        holder.wait()
    evs = [e for e in t.json_events() if e["lport"] == port]
    assert [e["new"] for e in evs] == ["CLOSE_WAIT"]
    assert evs[0]["cgroup_id"] == ino and evs[0]["cgroup"] is None
    assert "container_id" not in evs[0]


def test_check_names_the_commands_cgroup(tmp_path, bpf):
    """check --json: a leaked socket's violation names the cgroup check
    made for the command (written before that cgroup is removed)"""
    from test_check import check, work
    port = free_port()
    p, rep, _ = check(tmp_path, "--grace", "1s", cmd=work("leak", port, 2))
    assert p.returncode == 3, p.stderr
    [v] = rep["violations"]
    assert re.fullmatch(r"(/.*)?/tcptrail-check\.\d+(-\d+)?", v["cgroup"]), v
    assert isinstance(v["cgroup_id"], int) and "container_id" not in v


@pytest.mark.parametrize("how", [["--attach", "tracepoint"],
                                 ["--perf-buffer"]])
def test_other_attach_points_and_buffers(how, tracer, hierarchy, bpf):
    """the classic tracepoint (timeline from events, not kernel paths)
    and the perf buffer carry the cgroup as well"""
    rel, labels = FORMS["systemd-containerd"]
    h = hierarchy(rel)
    port = free_port()
    holder = start_holder(h, port, 1)
    try:
        tr = tracer("trace", "-j", "--port", str(port), *how)
        tl = tracer("timeline", "-j", "--open", "--port", str(port), *how,
                    name="timeline")
        socket.create_connection(("127.0.0.1", port)).close()
        wait_line(holder, "accepted")
        time.sleep(0.3)
        assert socket_cgroup(port) == {"/" + rel}
        assert tr.stop() == 0 and tl.stop() == 0
    finally:
        holder.kill()
        holder.wait()
    evs = [e for e in tr.json_events() if e["lport"] == port]
    assert [e["new"] for e in evs] == ["SYN_RECV", "ESTABLISHED",
                                       "CLOSE_WAIT"]
    for e in evs:
        assert e["cgroup"] == "/" + rel and where(e) == labels, e
    conns = [json.loads(x) for x in tl.stdout.splitlines() if x]
    [c] = [c for c in conns if c["type"] == "connection"
           and c["lport"] == port and c["opened"] == "passive"]
    assert c["cgroup"] == "/" + rel and where(c) == labels, c


@pytest.mark.parametrize("args,msg", [
    (["--labels", "pod"], "invalid --labels 'pod'"),
    (["--labels"], "requires an argument"),
    (["--labels", "container", "--max-containers", "0"],
     "invalid --max-containers '0'"),
    (["--labels", "container", "--max-containers", "4097"],
     "invalid --max-containers '4097'"),
    (["--max-containers", "8"], "--max-containers bounds the labels"),
])
@pytest.mark.parametrize("cmd", ["export", "hist"])
def test_bad_label_options(cmd, args, msg):
    from conftest import TCPTRAIL
    p = subprocess.run([TCPTRAIL, cmd, *args], capture_output=True,
                       text=True, timeout=10)
    assert p.returncode == 2 and p.stdout == ""
    assert msg in p.stderr.splitlines()[0], p.stderr
