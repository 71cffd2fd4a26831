# SPDX-License-Identifier: GPL-2.0
"""A pytest plugin for every suite under tests/ (PYTEST in the Makefile
loads it): in CI (CI set), a skip is a failure, except the skips listed
here, which depend on how the host's kernel is set up rather than on
anything scripts/install-deps.sh can install."""
import os

import pytest

# reason (a substring of the skip's message) -> why CI may meet it
KERNEL_SKIPS = {
    "no cgroup v2 mount":
        "the host mounts no cgroup2 hierarchy (cgroup v1 only)",
    "tcp_tw_reuse is off here":
        "net.ipv4.tcp_tw_reuse is 0: a time-wait socket is never reused",
}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not os.environ.get("CI") or not rep.skipped or hasattr(rep, "wasxfail"):
        return
    lr = rep.longrepr
    reason = lr[2] if isinstance(lr, tuple) and len(lr) == 3 else str(lr)
    if any(k in reason for k in KERNEL_SKIPS):
        return
    rep.outcome = "failed"
    rep.longrepr = (f"skipped in CI, which must run it: {reason} "
                    f"(only {sorted(KERNEL_SKIPS)} may skip there)")
