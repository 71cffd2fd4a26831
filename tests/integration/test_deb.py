# SPDX-License-Identifier: GPL-2.0
"""make deb: a package lintian passes without an error, that apt installs
(on a fresh Debian 12 too: make test-fresh runs this test there) and
removes without a trace."""
import glob
import os
import subprocess

import pytest

from conftest import ROOT

# run alone, after the suites that run side by side (the Makefile):
# apt installs and purges the package for the whole machine
pytestmark = pytest.mark.serial


def run(*args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, timeout=600,
                       **kw)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


@pytest.fixture(scope="module")
def deb():
    run("make", "-C", ROOT, "deb")
    (path,) = glob.glob(f"{ROOT}/build/tcptrail_*.deb")
    return path


def test_lintian_finds_no_error(deb):
    out = subprocess.run(["lintian", deb], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert not [l for l in out.stdout.splitlines() if l.startswith("E:")], \
        out.stdout


def test_package_holds_what_make_install_installs_and_more(deb):
    files = {l.split()[-1].lstrip(".") for l in
             run("dpkg-deb", "-c", deb).splitlines() if l.startswith("-")}
    want = {"/usr/sbin/tcptrail", "/lib/systemd/system/tcptrail-export.service",
            "/usr/share/bash-completion/completions/tcptrail",
            "/usr/share/zsh/vendor-completions/_tcptrail",
            "/usr/share/tcptrail/tcptrail.rules.yml",
            "/usr/share/tcptrail/tcptrail-dashboard.json",
            "/usr/share/doc/tcptrail/copyright",
            "/usr/share/doc/tcptrail/changelog.Debian.gz",
            "/usr/share/man/man8/tcptrail.8.gz"}
    want |= {f"/usr/share/man/man8/tcptrail-{c}.8.gz" for c in
             ("trace", "timeline", "closewait", "hist", "export", "check",
              "version")}
    assert files == want, files ^ want


def test_apt_installs_and_purges_it(deb, bpf):
    assert subprocess.run(["dpkg", "-s", "tcptrail"],
                          capture_output=True).returncode != 0, \
        "tcptrail is already installed as a package here"
    try:
        run("apt-get", "install", "-y", "-q", "--no-install-recommends", deb,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        assert "Commands:" in run("/usr/sbin/tcptrail", "--help")
        assert run("/usr/sbin/tcptrail", "trace", "-d", "0.3") is not None
        assert run("man", "-w", "tcptrail-check").strip() == \
            "/usr/share/man/man8/tcptrail-check.8.gz"
        out = subprocess.run(["systemd-analyze", "verify", "--man=no",
                              "/lib/systemd/system/tcptrail-export.service"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0 and not out.stderr, out.stderr
        run("promtool", "check", "rules",
            "/usr/share/tcptrail/tcptrail.rules.yml")
    finally:
        subprocess.run(["apt-get", "purge", "-y", "-q", "tcptrail"],
                       capture_output=True, timeout=300)
    assert not os.path.exists("/usr/sbin/tcptrail")
    assert not os.path.exists("/usr/share/doc/tcptrail")
