# SPDX-License-Identifier: GPL-2.0
"""The Prometheus rules shipped in scripts/prometheus and the Grafana
dashboard in scripts/grafana: valid (promtool), the rules unit-tested
(alerts that fire and alerts that do not), and naming only metrics that
export serves."""
import json
import re
import subprocess
import time
import urllib.request

from conftest import ROOT, TCPTRAIL, free_port

RULES = f"{ROOT}/scripts/prometheus/tcptrail.rules.yml"
RULES_TEST = f"{ROOT}/tests/prometheus/tcptrail.rules.test.yml"
DASHBOARD = f"{ROOT}/scripts/grafana/tcptrail-dashboard.json"


def dashboard_exprs():
    """every panel's PromQL, Grafana's variables given plain values"""
    with open(DASHBOARD) as f:
        dash = json.load(f)
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    exprs += [v["query"] for v in dash["templating"]["list"]
              if v["type"] == "query"]
    out = []
    for e in exprs:
        e = e.replace("$__rate_interval", "5m")
        e = re.sub(r"\$(instance|port)\b", ".*", e)
        # label_values(X, label) is Grafana's: the selector X is PromQL
        m = re.fullmatch(r"label_values\((.*), *\w+\)", e)
        out.append(m.group(1) if m else e)
    assert "$" not in "".join(out), out
    return out


def test_dashboard_queries_pass_promtool(tmp_path):
    rules = tmp_path / "dashboard.rules.yml"
    lines = ["groups:", "  - name: dashboard", "    rules:"]
    for i, e in enumerate(dashboard_exprs()):
        lines += [f"      - record: dashboard:panel_{i}",
                  f"        expr: {json.dumps(e)}"]
    rules.write_text("\n".join(lines) + "\n")
    n = len(dashboard_exprs())
    assert f"SUCCESS: {n} rules found" in promtool("check", "rules",
                                                   str(rules))


def promtool(*args):
    p = subprocess.run(["promtool", *args], capture_output=True, text=True,
                       timeout=120, cwd=f"{ROOT}/tests/prometheus")
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def test_rules_pass_promtool_check():
    assert "SUCCESS: 8 rules found" in promtool("check", "rules", RULES)


def test_rules_unit_tests_pass():
    assert "SUCCESS" in promtool("test", "rules", RULES_TEST)


def test_rules_and_dashboard_name_only_metrics_export_serves(bpf):
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
    used = set(re.findall(r"\btcptrail_[a-z_]+", " ".join(dashboard_exprs())))
    assert used and used <= names, used - names
