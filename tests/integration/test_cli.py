# SPDX-License-Identifier: GPL-2.0
"""One grammar for the command line, and help that answers."""
import os
import pty
import shlex
import signal
import subprocess
import time

import pytest

from conftest import TCPTRAIL, free_port

HINT = "use seconds, or a number with ns, us, ms, s, m or h"

# every TIME option, each given a bare number, and with units
TIME_OPTS = [
    ["trace", "-d", "{}"],
    ["timeline", "-d", "{}"],
    ["closewait", "-d", "0.3", "--min", "{}"],
    ["closewait", "--live", "-j", "-d", "0.3", "--interval", "{}"],
    ["hist", "-d", "{}"],
    ["hist", "-d", "0.3", "-i", "{}"],
    ["check", "--max-closewait", "{}", "--", "true"],
    ["check", "--grace", "{}", "--", "true"],
    # on a port nothing uses: the host's own sockets are not this test's
    ["check", "--port", "9", "-d", "{}"],
    ["export", "--listen", "127.0.0.1:{port}", "-d", "0.3", "--timeout", "{}"],
]


def run(args, **kw):
    return subprocess.run([TCPTRAIL] + args, capture_output=True, text=True,
                          timeout=60, **kw)


@pytest.mark.parametrize("opt", TIME_OPTS, ids=[" ".join(o) for o in TIME_OPTS])
def test_every_time_option_takes_bare_seconds_and_units(bpf, opt):
    for value in ["0.3", "300ms"]:
        p = run([a.format(value, port=free_port()) for a in opt])
        assert p.returncode == 0, (value, p.stderr)


@pytest.mark.parametrize("opt", TIME_OPTS, ids=[" ".join(o) for o in TIME_OPTS])
def test_every_time_option_refuses_the_same_way(opt):
    name = next(a for a, b in zip(opt, opt[1:]) if b == "{}")
    long = {"-d": "--duration", "-i": "--interval"}.get(name, name)
    p = run([a.format("2parsecs", port=free_port()) for a in opt])
    assert p.returncode == 2
    assert f"invalid {long} '2parsecs': {HINT}" in p.stderr


def test_help_command_prints_that_commands_help():
    for cmd in ["trace", "timeline", "closewait", "hist", "export", "check",
                "version"]:
        p = run(["help", cmd])
        assert p.returncode == 0, p.stderr
        want = run([cmd, "--help"]).stdout
        assert p.stdout == want and f"Usage: tcptrail {cmd}" in want
    general = run(["help"])
    assert general.returncode == 0 and "Commands:" in general.stdout
    assert "TIME values are seconds" in general.stdout
    bad = run(["help", "nope"])
    assert bad.returncode == 2
    assert "unknown command 'nope'" in bad.stderr


def banner(args, tty):
    """stderr of a short run, through a terminal or a pipe"""
    if not tty:
        return run(args).stderr
    master, slave = pty.openpty()
    try:
        p = subprocess.run([TCPTRAIL] + args, stdout=subprocess.DEVNULL,
                           stderr=slave, timeout=60)
        assert p.returncode == 0
        os.close(slave)
        slave = -1
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        return out.decode()
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)


@pytest.mark.parametrize("args", [["trace", "-d", "0.2"], ["hist", "-d", "0.2"]])
def test_ctrl_c_hint_only_on_a_terminal(bpf, args):
    assert "Hit Ctrl-C to end." in banner(args, tty=True)
    piped = banner(args, tty=False)
    assert "..." in piped and "Ctrl-C" not in piped


# options --help lists that would change nothing where they were given
DOES_NOT_APPLY = [
    (["trace", "-j", "-T"], "--wall is for text"),
    (["timeline", "-j", "-w"], "--wide is for text"),
    (["closewait", "-j", "--wall"], "--wall is for text"),
    (["hist", "-j", "-T"], "--wall is for text"),
    (["hist", "--ringbuf-size", "1M"], "--ringbuf-size does not apply"),
    (["hist", "--perf-buffer"], "--perf-buffer does not apply"),
    (["export", "--ringbuf-size", "1M"], "--ringbuf-size does not apply"),
    (["export", "--perf-buffer"], "--perf-buffer does not apply"),
    (["closewait", "--interval", "2s"], "--interval is the --live refresh"),
    (["closewait", "--live", "--min", "1s"], "--min does not apply to --live"),
    (["closewait", "--state", "listen"], "--state does not apply"),
    (["timeline", "--state", "listen"], "--state does not apply"),
    (["check", "--state", "syn_sent", "--", "true"], "--state does not apply"),
    (["hist", "--all-states", "--state", "listen"], "exclude each other"),
]


@pytest.mark.parametrize("args,msg", DOES_NOT_APPLY,
                         ids=[" ".join(a) for a, _ in DOES_NOT_APPLY])
def test_an_option_that_does_not_apply_is_refused(args, msg):
    p = run(args)
    assert p.returncode == 2 and msg in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 2  # the error, the hint


def help_examples():
    """(command, example) from every --help and from 'tcptrail help'"""
    out = []
    for cmd in ["", "trace", "timeline", "closewait", "hist", "export",
                "check", "version"]:
        text = run([cmd, "--help"] if cmd else ["help"]).stdout
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.strip().lower() != "examples:":
                continue
            for ex in lines[i + 1:]:
                if not ex.strip():
                    break
                out.append((cmd or "help", ex.strip()))
    return out


EXAMPLES = help_examples()


def example_argv(example):
    """as printed, but: no sudo, the comment and a redirection or pipe
    dropped (stdout goes to a file), a check's CMD replaced by 'true'"""
    argv = shlex.split(example.split("#")[0].split(">")[0].split("|")[0])
    if argv[0] == "sudo":
        argv = argv[1:]
    assert argv[0] == "tcptrail", example
    if "--" in argv:
        argv = argv[:argv.index("--") + 1] + ["true"]
    return argv[1:]


# run alone, after the tests that run side by side (the Makefile): the
# examples trace unfiltered, in a namespace named "blue", and export on
# the default port
@pytest.mark.serial
def test_every_help_example_runs(bpf, tmp_path):
    """every example at once, each in a directory of its own, Ctrl-C after
    2 s for those that run until it or a long -d (not check -- CMD, which
    ends with CMD); the exports on the default port one after the other"""
    subprocess.run(["ip", "netns", "add", "blue"], check=True)
    try:
        # the exports on the default port: one batch each
        default_port = [e for _, e in EXAMPLES
                        if "export" in e and "--listen" not in e]
        batches = [[e for _, e in EXAMPLES if e not in default_port]]
        batches += [[e] for e in default_port]
        for b, batch in enumerate(batches):
            procs = []
            for k, example in enumerate(batch):
                d = tmp_path / f"ex{b}-{k}"
                d.mkdir()
                # a web config file, empty: plain HTTP, no users
                (d / "web.yml").write_text("")
                out = open(d / "out", "w")
                procs.append((example, out, subprocess.Popen(
                    [TCPTRAIL] + example_argv(example), stdout=out,
                    stderr=subprocess.PIPE, text=True, cwd=d)))
            time.sleep(2)
            # check -- CMD ends by itself: a Ctrl-C would interrupt it
            for example, _, p in procs:
                if p.poll() is None and " -- " not in example:
                    p.send_signal(signal.SIGINT)
            for example, out, p in procs:
                _, err = p.communicate(timeout=30)
                out.close()
                assert p.returncode == 0, (example, err)
    finally:
        subprocess.run(["ip", "netns", "delete", "blue"], check=True)
