"""Crash injection for fault tests: a process killed at a named point, as `kill -9` would.

`CORRIDOR_KILL_AT=<point>:<n>` makes the n-th arrival at `point` end the process at once with
status 137 (no cleanup, no atexit, no flush beyond what was already written). Points used:
`deploy.recorded` (a deployment book was just written) and `deploy.sent` (a transaction was just
mined, before the book records it). Unset in normal runs, where `checkpoint` costs one dict lookup.
"""

from __future__ import annotations

import os
import sys
from collections import Counter

_ENV = "CORRIDOR_KILL_AT"
_arrivals: Counter[str] = Counter()


def checkpoint(point: str) -> None:
    """Ends the process if `CORRIDOR_KILL_AT` names this point and arrival count."""
    spec = os.environ.get(_ENV)
    if not spec:
        return
    name, _, count = spec.partition(":")
    if name != point:
        return
    _arrivals[point] += 1
    if _arrivals[point] == int(count or 1):
        sys.stdout.flush()
        os._exit(137)
