#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The layers of user/ (README.md, "How it works"): a file includes only
its own folder and the folders below it. Prints each include that runs
upward and exits 1 if there is one."""
import glob
import re
import sys

ORDER = ["main", "cmd", "cli", "output", "kernel", "sys", "model", "util"]
RANK = {name: i for i, name in enumerate(ORDER)}

bad = []
for path in sorted(glob.glob("user/**/*.[ch]", recursive=True)):
    parts = path.split("/")
    layer = "main" if len(parts) == 2 else parts[1]
    if layer not in RANK:
        bad.append(f"{path}: folder {layer} is not a layer")
        continue
    with open(path) as f:
        for n, line in enumerate(f, 1):
            m = re.match(r'#include "([a-z]+)/', line)
            if m and (m.group(1) not in RANK
                      or RANK[m.group(1)] < RANK[layer]):
                bad.append(f"{path}:{n}: {layer} includes {m.group(1)}")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
