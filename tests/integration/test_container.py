# SPDX-License-Identifier: GPL-2.0
"""export in a FROM scratch image under podman, set up as the DaemonSet says.

The capabilities, seccomp profile, host namespaces and mounts podman gets
are read from scripts/kubernetes/tcptrail-daemonset.yaml, so the manifest
cannot promise what was not run here. Ground truth for the metrics is
ss -tanpe on the host. Rootful podman with runc (crun refuses this
machine's hybrid cgroup layout), no registry: the image is FROM scratch.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid

import pytest
import yaml

from conftest import ROOT, free_port
from test_cgroup_labels import (CID, FORMS, hierarchy, say, socket_cgroup,
                                start_holder, wait_line)
from test_export import samples, value

MANIFEST = os.path.join(ROOT, "scripts/kubernetes/tcptrail-daemonset.yaml")
PROFILE = os.path.join(ROOT, "scripts/container/tcptrail-seccomp.json")
GEN = os.path.join(ROOT, "scripts/container/gen-seccomp.py")
DEFAULT_PROFILE = "/usr/share/containers/seccomp.json"
# podman's defaults come from the host's limits, more than a chroot allows
PODMAN_RUN = ["podman", "run", "--runtime", "runc",
              "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]


def manifest():
    with open(MANIFEST) as f:
        ds = yaml.safe_load(f)
    pod = ds["spec"]["template"]
    return ds, pod["metadata"], pod["spec"], pod["spec"]["containers"][0]


def podman_flags():
    """podman run flags for what the DaemonSet's pod spec says."""
    _, _, spec, c = manifest()
    sc = c["securityContext"]
    flags = []
    if spec.get("hostPID"):
        flags.append("--pid=host")
    if spec.get("hostNetwork"):
        flags.append("--network=host")
    flags += ["--cap-drop=" + d.lower() for d in sc["capabilities"]["drop"]]
    flags += ["--cap-add=CAP_" + a for a in sc["capabilities"]["add"]]
    if sc.get("readOnlyRootFilesystem"):
        flags.append("--read-only")
    vols = {v["name"]: v["hostPath"]["path"] for v in spec["volumes"]}
    for m in c.get("volumeMounts", []):
        ro = ":ro" if m.get("readOnly") else ""
        flags += ["-v", f"{vols[m['name']]}:{m['mountPath']}{ro}"]
    return flags


def test_seccomp_profile_is_the_default_plus_bpf():
    if not os.path.exists(DEFAULT_PROFILE):
        pytest.skip(f"{DEFAULT_PROFILE} missing: podman not installed "
                    "(scripts/install-deps.sh)")
    p = subprocess.run([GEN, DEFAULT_PROFILE], capture_output=True,
                       text=True, timeout=30, check=True)
    with open(PROFILE) as f:
        assert p.stdout == f.read(), \
            "scripts/container/tcptrail-seccomp.json drifted: regenerate it " \
            "with scripts/container/gen-seccomp.py > it"
    prof = json.loads(p.stdout)
    allowed = [r for r in prof["syscalls"] if r["action"] == "SCMP_ACT_ALLOW"
               and not r["includes"] and not r["args"]]
    names = {n for r in allowed for n in r["names"]}
    assert {"bpf", "perf_event_open"} <= names
    # nothing else changed: every other rule is the default's
    with open(DEFAULT_PROFILE) as f:
        default = json.load(f)
    assert prof["defaultAction"] == default["defaultAction"] == "SCMP_ACT_ERRNO"
    refused = {n for r in prof["syscalls"] if r["action"] != "SCMP_ACT_ALLOW"
               for n in r["names"]}
    assert not refused & {"bpf", "perf_event_open"}


def test_manifest_matches_what_podman_ran():
    ds, meta, spec, c = manifest()
    assert ds["kind"] == "DaemonSet"
    assert spec["hostPID"] is True and spec["hostNetwork"] is True
    sc = c["securityContext"]
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert sorted(sc["capabilities"]["add"]) == ["BPF", "PERFMON"]
    assert sc["seccompProfile"] == {
        "type": "Localhost",
        "localhostProfile": os.path.basename(PROFILE)}
    port = c["ports"][0]["containerPort"]
    assert c["args"] == ["--listen", f"0.0.0.0:{port}", "--labels",
                         "container"]
    # the node's cgroup tree, where a socket's cgroup id names its pod
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    vols = {v["name"]: v["hostPath"]["path"] for v in spec["volumes"]}
    host_cg = mounts["/host/sys/fs/cgroup"]
    assert host_cg["readOnly"] and vols[host_cg["name"]] == "/sys/fs/cgroup"
    a = meta["annotations"]
    assert a["prometheus.io/scrape"] == "true"
    assert a["prometheus.io/port"] == str(port) == "9976"
    assert a["prometheus.io/path"] == "/metrics"
    # the image the Containerfile builds listens there by default too
    with open(os.path.join(ROOT, "scripts/container/Containerfile")) as f:
        cf = f.read()
    assert f'CMD ["--listen", "0.0.0.0:{port}"]' in cf
    assert 'ENTRYPOINT ["/tcptrail", "export"]' in cf


def scrape(port, timeout=5):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                timeout=timeout) as r:
        return r.read().decode()


def curl(port):
    return subprocess.run(["curl", "-sf", "--max-time", "5",
                           f"http://127.0.0.1:{port}/metrics"],
                          capture_output=True, text=True, timeout=10,
                          check=True).stdout


def metric(text, name, labels):
    pat = re.compile(re.escape(name) + r"\{" + re.escape(labels)
                     + r"\} (\S+)$", re.M)
    m = pat.search(text)
    return float(m.group(1)) if m else None


def ss_close_wait(service_port):
    """CLOSE_WAIT sockets on the host whose peer is service_port."""
    out = subprocess.run(["ss", "-tanpeH", "state", "close-wait",
                          f"dport = :{service_port}"], capture_output=True,
                         text=True, timeout=10, check=True).stdout
    return [l for l in out.splitlines() if l.strip()]


def ss_close_wait_at(port):
    """CLOSE_WAIT sockets on the host at local port"""
    out = subprocess.run(["ss", "-tanH", "state", "close-wait",
                          f"sport = :{port}"], capture_output=True,
                         text=True, timeout=10, check=True).stdout
    return [l for l in out.splitlines() if l.strip()]


@pytest.fixture
def podman():
    if not shutil.which("podman") or not shutil.which("runc"):
        pytest.skip("podman or runc not installed (scripts/install-deps.sh)")


@pytest.fixture
def image(bpf, podman):
    tag = f"localhost/tcptrail-test-{uuid.uuid4().hex[:12]}:latest"
    subprocess.run(["make", "-s", "-C", ROOT, "image", f"IMAGE={tag}"],
                   check=True, timeout=300, capture_output=True)
    yield tag
    subprocess.run(["podman", "rmi", "-f", tag], capture_output=True,
                   timeout=60)


def manifest_args(port):
    """the DaemonSet's arguments, listening on 127.0.0.1:port"""
    args = list(manifest()[3]["args"])
    args[args.index("--listen") + 1] = f"127.0.0.1:{port}"
    return args


def wait_serving(name, port):
    deadline = time.monotonic() + 20
    while True:
        try:
            return curl(port)
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                logs = subprocess.run(["podman", "logs", name],
                                      capture_output=True, text=True,
                                      timeout=10)
                pytest.fail("export did not serve in 20 s: "
                            + logs.stdout + logs.stderr)
            time.sleep(0.2)


def run_flags(seccomp):
    flags = podman_flags()
    if seccomp:
        flags += ["--security-opt", f"seccomp={seccomp}"]
    return flags


def test_export_in_podman_with_only_bpf_and_perfmon(image, tmp_path):
    port = free_port()
    name = f"tcptrail-test-{uuid.uuid4().hex[:12]}"
    cmd = PODMAN_RUN + ["-d", "--name", name] + run_flags(PROFILE) + \
        [image, "--listen", f"127.0.0.1:{port}"]
    subprocess.run(cmd, check=True, timeout=60, capture_output=True)
    lsock = socket.socket()
    held = []
    try:
        wait_serving(name, port)
        # the container has only the capabilities it was given
        pid = subprocess.run(["podman", "inspect", "-f", "{{.State.Pid}}",
                              name], capture_output=True, text=True,
                             timeout=30, check=True).stdout.strip()
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
        # CAP_PERFMON is 38, CAP_BPF 39
        for field in ("CapEff", "CapPrm", "CapBnd"):
            assert re.search(rf"^{field}:\s+000000c000000000$", status,
                             re.M), status
        # 3 sockets in CLOSE_WAIT held here: the server side closes first
        lsock.bind(("127.0.0.1", free_port()))
        lsock.listen(8)
        sport = lsock.getsockname()[1]
        for _ in range(3):
            c = socket.create_connection(("127.0.0.1", sport))
            a, _ = lsock.accept()
            a.close()
            held.append(c)
        t0 = time.monotonic()
        deadline = time.monotonic() + 10
        while len(ss_close_wait(sport)) < 3:
            assert time.monotonic() < deadline, "no CLOSE_WAIT in ss"
            time.sleep(0.05)
        time.sleep(1.5)  # export renders at most once a second
        text = curl(port)
        elapsed = time.monotonic() - t0
        truth = ss_close_wait(sport)
        assert len(truth) == 3, truth
        assert all(f"pid={os.getpid()}," in l for l in truth), truth
        n = metric(text, "tcptrail_sockets",
                   f'state="close_wait",port="{sport}"')
        assert n == len(truth), text
        oldest = metric(text, "tcptrail_closewait_oldest_seconds",
                        f'port="{sport}"')
        assert oldest is not None and 0 < oldest <= elapsed + 0.1, \
            (oldest, elapsed)
        # the transitions were seen live, not only walked
        m = metric(text, "tcptrail_transitions_total",
                   'from="established",to="close_wait"')
        assert m is not None and m >= 3
        # closing them: the histogram gets the 3 CLOSE_WAIT times
        for c in held:
            c.close()
        held = []
        time.sleep(1.5)
        text = curl(port)
        count = metric(text, "tcptrail_state_duration_seconds_count",
                       f'state="close_wait",port="{sport}"')
        assert count == 3, text
    finally:
        for c in held:
            c.close()
        lsock.close()
        subprocess.run(["podman", "rm", "-f", "-t", "5", name],
                       capture_output=True, timeout=60)


# alone (the Makefile): test_cgroup_labels.py makes and removes the same
# kubepods.slice parents
@pytest.mark.serial
def test_export_in_podman_names_the_pod(image, hierarchy):
    """The DaemonSet's arguments and mounts: a socket held in a cgroup
    named as kubelet and containerd name a pod's container gets its
    container and pod labels, read from the node's cgroup tree."""
    rel, labels = FORMS["systemd-containerd"]
    h = hierarchy(rel)
    sport = free_port()
    holder = start_holder(h, sport, 2)
    port = free_port()
    name = f"tcptrail-test-{uuid.uuid4().hex[:12]}"
    cmd = PODMAN_RUN + ["-d", "--name", name] + run_flags(PROFILE) + \
        [image] + manifest_args(port)
    try:
        subprocess.run(cmd, check=True, timeout=60, capture_output=True)
        wait_serving(name, port)
        clients = [socket.create_connection(("127.0.0.1", sport))
                   for _ in range(2)]
        wait_line(holder, "accepted")
        for c in clients:
            c.close()
        # the kernel's view: 2 in CLOSE_WAIT, made in the pod's cgroup
        deadline = time.monotonic() + 10
        while len(ss_close_wait_at(sport)) != 2 or \
                socket_cgroup(sport) != {"/" + rel}:
            assert time.monotonic() < deadline, ss_close_wait_at(sport)
            time.sleep(0.05)
        time.sleep(1.5)  # export renders at most once a second
        s = samples(curl(port))
        pod = dict(container_id=CID, pod_uid=labels["pod_uid"],
                   qos=labels["qos"])
        assert value(s, "tcptrail_sockets", state="close_wait", port=sport,
                     **pod) == 2, s
        say(holder, "close")
        wait_line(holder, "closed")
        time.sleep(1.5)
        s = samples(curl(port))
        assert value(s, "tcptrail_state_duration_seconds_count",
                     state="close_wait", port=sport, **pod) == 1, s
    finally:
        holder.kill()
        holder.wait()
        subprocess.run(["podman", "rm", "-f", "-t", "5", name],
                       capture_output=True, timeout=60)


def test_default_seccomp_profile_refuses_bpf(image):
    """Same capabilities, podman's own profile: bpf() gets EPERM."""
    name = f"tcptrail-test-{uuid.uuid4().hex[:12]}"
    p = subprocess.run(PODMAN_RUN + ["--rm", "--name", name]
                       + run_flags(None)
                       + [image, "--listen", f"127.0.0.1:{free_port()}",
                          "-d", "2s"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "the kernel refused the BPF program: Operation not permitted " \
        "(a seccomp filter is on" in p.stderr, p.stderr
    assert "tcptrail-seccomp.json" in p.stderr
    assert "Serving metrics" not in p.stderr
