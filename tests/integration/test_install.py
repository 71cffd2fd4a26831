# SPDX-License-Identifier: GPL-2.0
"""make install / uninstall: the binary, man pages that render without a
warning and say what --help says, and bash and zsh completion that follow
the binary."""
import os
import re
import subprocess
import time

import pytest

from conftest import ROOT, TCPTRAIL

# run alone, after the suites that run side by side (the Makefile):
# it runs make in this tree, as test_deb does: two at once would race
# in build/
pytestmark = pytest.mark.serial

CMDS = ["trace", "timeline", "closewait", "hist", "export", "check",
        "version"]


def make(*args):
    p = subprocess.run(["make", "-C", ROOT, *args], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    dest = tmp_path_factory.mktemp("dest")
    make("install", f"DESTDIR={dest}", "PREFIX=/usr")
    return dest


def files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, fs in os.walk(root) for f in fs)


def test_install_puts_each_file_in_its_place(installed):
    want = ["usr/sbin/tcptrail",
            "usr/share/bash-completion/completions/tcptrail",
            "usr/share/zsh/vendor-completions/_tcptrail",
            "usr/lib/systemd/system/tcptrail-export.service",
            "usr/share/man/man8/tcptrail.8"]
    want += [f"usr/share/man/man8/tcptrail-{c}.8" for c in CMDS]
    assert files(installed) == sorted(want)
    sbin = installed / "usr/sbin/tcptrail"
    assert os.stat(sbin).st_mode & 0o777 == 0o755
    p = subprocess.run([sbin, "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "Commands:" in p.stdout


def test_default_prefix_is_usr_local():
    out = make("-n", "install", "DESTDIR=/nonexistent")
    assert "/nonexistent/usr/local/sbin/tcptrail" in out


@pytest.mark.parametrize("cmd", [""] + CMDS)
def test_man_page_renders_cleanly_and_says_what_help_says(installed, cmd):
    name = f"tcptrail-{cmd}" if cmd else "tcptrail"
    page = installed / f"usr/share/man/man8/{name}.8"
    p = subprocess.run(["man", "--warnings", "-l", str(page)],
                       capture_output=True, text=True,
                       env=dict(os.environ, MANWIDTH="80", LANG="C.UTF-8"))
    assert p.returncode == 0 and p.stderr == "", p.stderr
    text = re.sub(r"[\u2010\u00ad]\n\s*", "", p.stdout)  # hyphenation
    text = re.sub(r"\s+", " ", text)
    help_text = subprocess.run([TCPTRAIL] + ([cmd] if cmd else []) +
                               ["--help"], capture_output=True,
                               text=True).stdout
    for opt in sorted(set(re.findall(r"^ +(?:-\w, )?(--[a-z0-9][a-z0-9.-]*)",
                                     help_text, re.M))):
        assert opt in text, (name, opt)
    if cmd:
        summary = next(line.split(None, 1)[1] for line in
                       subprocess.run([TCPTRAIL, "help"], capture_output=True,
                                      text=True).stdout.splitlines()
                       if line.split()[:1] == [cmd])
        assert re.sub(r"\s+", " ", summary) in text
    assert "SEE ALSO" in text


COMPLETE = r'''
source "$1"
PATH=$(dirname "$2"):$PATH
shift 2
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_tcptrail
printf '%s\n' "${COMPREPLY[@]}"
'''


def complete(installed, *words):
    script = installed / "usr/share/bash-completion/completions/tcptrail"
    p = subprocess.run(["bash", "-c", COMPLETE, "bash", str(script),
                        str(installed / "usr/sbin/tcptrail"), "tcptrail",
                        *words], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return sorted(set(p.stdout.split()))


def test_completion_follows_the_binary(installed, netns):
    assert complete(installed, "") == sorted(CMDS + ["help"])
    assert complete(installed, "help", "cl") == ["closewait"]
    assert complete(installed, "check", "--max") == ["--max-closewait",
                                                     "--max-sockets"]
    # every long option of every command, as its --help lists them
    for cmd in CMDS:
        opts = {o for o in help_options(cmd) if o.startswith("--")}
        assert set(complete(installed, cmd, "--")) == opts, cmd
    assert "--web-config" in complete(installed, "export", "--web")
    assert complete(installed, "export", "--user", "nob") == ["nobody"]
    assert complete(installed, "trace", "--state", "fin") == \
        ["fin_wait1", "fin_wait2"]
    assert complete(installed, "trace", "--state", "close_wait,la") == \
        ["close_wait,last_ack"]
    assert complete(installed, "hist", "--key", "") == \
        ["lport", "rport", "service"]
    assert complete(installed, "export", "--labels", "") == ["container"]
    assert netns in complete(installed, "trace", "--netns", "")
    # check --json takes a FILE; trace --json takes nothing
    assert "--wall" in complete(installed, "trace", "--json", "")
    assert "--wall" not in complete(installed, "check", "--json", "")


def help_options(cmd):
    """every option, long and short, its --help lists (aliases too:
    '--web.config.file=FILE, --web-config=FILE'), but help's own"""
    text = subprocess.run([TCPTRAIL, cmd, "--help"], capture_output=True,
                          text=True).stdout
    opts = set()
    for line in text.splitlines():
        if not re.match(r" +(-\S, +)?--[a-z0-9]", line):
            continue
        head = re.split(r" {2,}", line.strip())[0]
        for o in re.split(r", +", head):
            o = o.split("=")[0]
            if re.fullmatch(r"-[A-Za-z0-9]|--[a-z0-9][a-z0-9.-]*", o):
                opts.add(o)
    return opts - {"--help", "--usage", "--version", "-V"}


def zcomplete(installed, *words):
    """what real zsh (compinit, the installed _tcptrail on fpath) offers
    for 'tcptrail WORDS', the last word being completed"""
    p = subprocess.run(
        ["zsh", "-f", f"{ROOT}/tests/integration/zsh_capture.zsh",
         str(installed / "usr/share/zsh/vendor-completions"),
         str(installed.parent / f"{installed.name}.zcompdump"), "tcptrail",
         *words], capture_output=True, text=True, timeout=30,
        env=dict(os.environ, PATH=f"{installed}/usr/sbin:/usr/bin:/bin"))
    assert p.returncode == 0, p.stderr
    return sorted(set(p.stdout.split()))


def test_zsh_completion_follows_the_binary(installed, netns):
    script = installed / "usr/share/zsh/vendor-completions/_tcptrail"
    p = subprocess.run(["zsh", "-n", str(script)], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0 and not p.stderr, p.stderr
    assert zcomplete(installed, "") == sorted(CMDS + ["help"])
    assert zcomplete(installed, "help", "cl") == ["closewait"]
    assert zcomplete(installed, "check", "--max") == ["--max-closewait",
                                                      "--max-sockets"]
    for cmd in CMDS:
        want = help_options(cmd)
        assert "--duration" in want or cmd == "version", (cmd, want)
        assert set(zcomplete(installed, cmd, "-")) == want, cmd
    assert "--web-config" in help_options("export")
    assert zcomplete(installed, "trace", "--state", "fin") == \
        ["fin_wait1", "fin_wait2"]
    assert zcomplete(installed, "trace", "--state", "close_wait,la") == \
        ["close_wait,last_ack"]
    assert zcomplete(installed, "trace", "--state=close_") == \
        ["--state=close_wait"]
    assert zcomplete(installed, "hist", "--key", "") == \
        ["lport", "rport", "service"]
    assert zcomplete(installed, "export", "--labels", "") == ["container"]
    assert zcomplete(installed, "export", "--user", "nob") == ["nobody"]
    assert netns in zcomplete(installed, "trace", "--netns", "")
    # check --json takes a FILE; trace --json takes nothing
    # (zsh shows a file's name, its directory a hidden prefix)
    assert zcomplete(installed, "trace", "--json", f"{ROOT}/Make") == []
    assert zcomplete(installed, "check", "--json", f"{ROOT}/Make") == \
        ["Makefile"]
    # check -- CMD: an ordinary command line
    assert "true" in zcomplete(installed, "check", "--", "tru")


def test_uninstall_leaves_nothing(tmp_path):
    make("install", f"DESTDIR={tmp_path}", "PREFIX=/opt/tt")
    assert files(tmp_path)
    make("uninstall", f"DESTDIR={tmp_path}", "PREFIX=/opt/tt")
    assert files(tmp_path) == []


def unit_here(installed):
    """the installed unit, its ExecStart pointed at the installed binary
    (systemd-analyze checks that it exists)"""
    text = (installed / "usr/lib/systemd/system/tcptrail-export.service"
            ).read_text()
    assert "ExecStart=/usr/sbin/tcptrail export" in text
    here = installed / "tcptrail-export.service"
    here.write_text(text.replace("/usr/sbin/tcptrail",
                                 str(installed / "usr/sbin/tcptrail")))
    return here, text


def test_systemd_unit_verifies_and_is_hardened(installed):
    here, _ = unit_here(installed)
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", str(here)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout + p.stderr == "", p.stderr
    p = subprocess.run(["systemd-analyze", "security", "--offline=true",
                        str(here)], capture_output=True, text=True,
                       timeout=60)
    m = re.search(r"Overall exposure level for \S+: ([\d.]+)", p.stdout)
    assert m and float(m.group(1)) <= 3.0, p.stdout[-400:]


def test_systemd_units_capabilities_are_enough(bpf, installed):
    """export as the unit runs it: an ordinary user holding exactly the
    unit's AmbientCapabilities serves metrics, namespaces walked"""
    import urllib.request
    from conftest import free_port
    _, text = unit_here(installed)
    caps = re.search(r"^AmbientCapabilities=(.*)$", text, re.M).group(1)
    caps = ",".join("+" + c[4:].lower() for c in caps.split())
    binary = installed / "usr/sbin/tcptrail"
    os.chmod(installed, 0o755)
    for d in binary.parents:
        if d == installed.parent:
            break
        os.chmod(d, 0o755)
    port = free_port()
    p = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534",
                          "--clear-groups", f"--inh-caps={caps}",
                          f"--ambient-caps={caps}", str(binary), "export",
                          "--listen", f"127.0.0.1:{port}", "-d", "10"],
                         stderr=subprocess.PIPE, text=True, cwd="/")
    try:
        body, deadline = None, time.monotonic() + 10
        while body is None:
            try:
                body = urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/metrics", timeout=5).read()
            except OSError:
                assert p.poll() is None, p.stderr.read()
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        p.terminate()
        err = p.communicate(timeout=20)[1]
    assert b"tcptrail_sockets" in body and b"tcptrail_build_info" in body
    assert "Warning" not in err, err
