#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Print podman's default seccomp profile with what tcptrail export needs.

    scripts/container/gen-seccomp.py [DEFAULT] > tcptrail-seccomp.json

DEFAULT is /usr/share/containers/seccomp.json (Debian 12's
golang-github-containers-common). The default blocks bpf() and
perf_event_open() unless CAP_SYS_ADMIN; export needs them with only
CAP_BPF and CAP_PERFMON. strace -f of export on 6.18 shows bpf() as the
one call out of the default's unconditional allow list (arch_prctl and
socket have rules of their own); perf_event_open() is for older kernels,
where the tracepoint is attached through perf and events come through a
perf buffer. setns() stays as the default has it: allowed with
CAP_SYS_ADMIN, which the kernel wants for it anyway.
tests/integration/test_container.py regenerates it and compares, so the
shipped file cannot drift from the default plus EXTRA.
"""
import json
import sys

EXTRA = ["bpf", "perf_event_open"]


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/containers/seccomp.json"
    if len(sys.argv) > 2:
        sys.stderr.write("usage: gen-seccomp.py [DEFAULT]\n")
        return 2
    with open(src) as f:
        prof = json.load(f)
    # the default allows them only with CAP_SYS_ADMIN and returns EPERM
    # otherwise: out of that EPERM rule, so CAP_BPF and CAP_PERFMON are enough
    for rule in prof["syscalls"]:
        if rule["action"] == "SCMP_ACT_ERRNO":
            rule["names"] = [n for n in rule["names"] if n not in EXTRA]
    prof["syscalls"] = [r for r in prof["syscalls"] if r["names"]]
    prof["syscalls"].insert(0, {
        "names": EXTRA,
        "action": "SCMP_ACT_ALLOW",
        "args": [],
        "comment": "tcptrail export: BPF programs and maps; perf events on older kernels",
        "includes": {},
        "excludes": {},
    })
    json.dump(prof, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
