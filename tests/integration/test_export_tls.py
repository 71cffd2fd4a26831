# SPDX-License-Identifier: GPL-2.0
"""tcptrail export --web.config.file: TLS and basic auth from
node_exporter's web configuration file, checked with curl and a real
Prometheus scraping over TLS with basic auth."""
import os
import subprocess
import time

import pytest

from conftest import TCPTRAIL, free_port
from test_export import SERVING, Prometheus, need

USER, PASSWORD = "prom", "s3cret pass"


@pytest.fixture
def certs(tmp_path):
    """a self-signed certificate for 127.0.0.1, its key readable by
    another user only: root must read it before dropping capabilities"""
    subprocess.run(
        [need("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1",
         "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
        check=True, capture_output=True)
    os.chmod(tmp_path / "key.pem", 0o600)
    os.chown(tmp_path / "key.pem", 65534, 65534)
    return tmp_path


def bcrypt_hash(password):
    bcrypt = pytest.importorskip("bcrypt")  # python3-bcrypt
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(10)).decode()


@pytest.fixture
def web_config(certs):
    cfg = certs / "web.yml"
    # paths relative to the file, as exporter-toolkit reads them
    cfg.write_text("tls_server_config:\n"
                   "  cert_file: cert.pem\n"
                   "  key_file: key.pem\n"
                   "basic_auth_users:\n"
                   f"  {USER}: {bcrypt_hash(PASSWORD)}\n")
    return cfg


@pytest.fixture
def tls_exporter(tracer, web_config):
    port = free_port()
    t = tracer("export", "--listen", f"127.0.0.1:{port}",
               "--web.config.file", str(web_config), name="export",
               ready=SERVING)
    t.port = port
    t.cert = web_config.parent / "cert.pem"
    return t


def curl(t, *args, scheme="https"):
    p = subprocess.run(
        [need("curl"), "-sS", "-m", "5", "--cacert", str(t.cert),
         "-o", "-", "-D", "/dev/stderr", "-w", "\n%{http_code}",
         *args, f"{scheme}://127.0.0.1:{t.port}/metrics"],
        capture_output=True, text=True, timeout=20)
    body, _, code = p.stdout.rpartition("\n")
    return p.returncode, int(code or 0), p.stderr, body


def test_basic_auth_over_tls(tls_exporter):
    t = tls_exporter
    rc, code, head, _ = curl(t)
    assert (rc, code) == (0, 401), head
    assert 'WWW-Authenticate: Basic realm="tcptrail"' in head, head
    rc, code, head, _ = curl(t, "-u", f"{USER}:wrong")
    assert (rc, code) == (0, 401), head
    rc, code, head, _ = curl(t, "-u", f"nobody:{PASSWORD}")
    assert (rc, code) == (0, 401), head
    rc, code, head, body = curl(t, "-u", f"{USER}:{PASSWORD}")
    assert (rc, code) == (0, 200), head
    assert "tcptrail_build_info" in body
    assert t.stop() == 0


def test_plain_http_to_the_tls_port_is_refused(tls_exporter):
    t = tls_exporter
    start = time.monotonic()
    rc, code, _, _ = curl(t, "-u", f"{USER}:{PASSWORD}", scheme="http")
    assert rc != 0 and code != 200
    assert time.monotonic() - start < 5
    # and the server goes on: the next TLS scrape is answered
    rc, code, head, body = curl(t, "-u", f"{USER}:{PASSWORD}")
    assert (rc, code) == (0, 200), head
    assert "tcptrail_build_info" in body
    assert t.stop() == 0


def test_real_prometheus_scrapes_over_tls_with_basic_auth(tls_exporter,
                                                         tmp_path):
    need("prometheus")
    t = tls_exporter
    prom_dir = tmp_path / "prom"
    prom_dir.mkdir()
    prom = Prometheus(prom_dir, t.port, job_extra=(
        "    scheme: https\n"
        f"    tls_config: {{ca_file: '{t.cert}'}}\n"
        f"    basic_auth: {{username: {USER}, password: '{PASSWORD}'}}\n"))
    try:
        deadline = time.monotonic() + 20
        while prom.query('up{job="tcptrail"}') != [1.0]:
            assert time.monotonic() < deadline, prom.log_tail()
            time.sleep(0.5)
        assert prom.query('tcptrail_build_info{job="tcptrail"}')
    finally:
        prom.close()
    assert t.stop() == 0


@pytest.mark.parametrize("text,msg", [
    ("tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n"
     "  client_auth: x\n", "unknown key 'tls_server_config.client_auth'"),
    ("basic_auth_user:\n  a: b\n", "unknown key 'basic_auth_user'"),
    ("basic_auth_users:\n  a: plain\n", "basic_auth_users.a: not a bcrypt"),
    ("tls_server_config:\n  cert_file: cert.pem\n", "needs key_file"),
    ("tls_server_config:\n  cert_file: nope.pem\n  key_file: key.pem\n",
     "nope.pem"),
    ("tls_server_config: [a]\n", "'tls_server_config' must be a mapping"),
    ("basic_auth_users:\n  a: 'unterminated\n", "web.yml: line"),
])
def test_bad_web_config_exits_2(certs, text, msg):
    cfg = certs / "web.yml"
    cfg.write_text(text)
    p = subprocess.run([TCPTRAIL, "export", "--web.config.file", str(cfg)],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.splitlines()) == 1, p.stderr
    assert str(cfg) in p.stderr or "nope.pem" in p.stderr, p.stderr
    assert msg in p.stderr, p.stderr


def test_missing_web_config_exits_2(tmp_path):
    cfg = tmp_path / "absent.yml"
    p = subprocess.run([TCPTRAIL, "export", "--web-config", str(cfg)],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("\n") == 1 and str(cfg) in p.stderr, p.stderr
