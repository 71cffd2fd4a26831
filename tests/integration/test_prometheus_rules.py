# SPDX-License-Identifier: GPL-2.0
"""The Prometheus rules shipped in scripts/prometheus: valid, unit-tested
by promtool (alerts that fire and alerts that do not), and naming only
metrics that export serves."""
import re
import subprocess
import time
import urllib.request

from conftest import ROOT, TCPTRAIL, free_port

RULES = f"{ROOT}/scripts/prometheus/tcptrail.rules.yml"
RULES_TEST = f"{ROOT}/tests/prometheus/tcptrail.rules.test.yml"


def promtool(*args):
    p = subprocess.run(["promtool", *args], capture_output=True, text=True,
                       timeout=120, cwd=f"{ROOT}/tests/prometheus")
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def test_rules_pass_promtool_check():
    assert "SUCCESS: 8 rules found" in promtool("check", "rules", RULES)


def test_rules_unit_tests_pass():
    assert "SUCCESS" in promtool("test", "rules", RULES_TEST)


def test_rules_name_only_metrics_export_serves(bpf):
    port = free_port()
    p = subprocess.Popen([TCPTRAIL, "export", "--listen",
                          f"127.0.0.1:{port}", "-d", "10"],
                         stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                body = urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/metrics", timeout=5).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "export never answered"
                time.sleep(0.1)
    finally:
        p.terminate()
        p.wait(timeout=20)
    served = set(re.findall(r"^# TYPE (\w+) (\w+)", body.decode(), re.M))
    names = {n for n, _ in served}
    names |= {n + s for n, t in served if t == "histogram"
              for s in ("_bucket", "_count", "_sum")}
    with open(RULES) as f:
        used = set(re.findall(r"\btcptrail_[a-z_]+", f.read()))
    assert used and used <= names, used - names
