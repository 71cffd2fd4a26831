# SPDX-License-Identifier: GPL-2.0
"""Every subcommand as an ordinary user (nobody) holding only capabilities,
granted with setpriv's ambient set; an error that names the capability
that is missing."""
import os
import shutil
import subprocess

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
