"""Crash injection for fault tests: a process killed at a named point, as `kill -9` would.

`CORRIDOR_KILL_AT=<point>:<n>` makes the n-th arrival at `point` end the process at once with
status 137 (no cleanup, no atexit, no flush beyond what was already written). Points used:
`deploy.recorded` (a deployment book was just written), `deploy.sent` (a transaction was just
mined, before the book records it), `demo.step` (the demo just logged a step: its n-th line),
`demo.report` (the demo's report is written to a temporary file, not yet renamed over the old one),
`reporter.scheduled` (the feed reporter opened a fixing window, the rate not sent yet) and
`quote.recorded` (the quote server wrote a nonce to its state file, the quote not answered yet).
Unset in normal runs, where `checkpoint` costs one dict lookup.

In-process tests arm a point with `armed(point, n)` instead: the n-th arrival raises `Killed`, a
BaseException nothing in the corridor catches, and everything the run had done stays as it was.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import Counter
from collections.abc import Iterator

_ENV = "CORRIDOR_KILL_AT"
_arrivals: Counter[str] = Counter()
_armed: tuple[str, int] | None = None


class Killed(BaseException):
    """The in-process stand-in for `kill -9` at an armed checkpoint (see `armed`)."""


def checkpoint(point: str) -> None:
    """Ends the process (or raises `Killed` when armed in-process) if this point and arrival count
    are the ones named."""
    if _armed is not None:
        name, count = _armed
        in_process = True
    else:
        spec = os.environ.get(_ENV)
        if not spec:
            return
        name, _, text = spec.partition(":")
        count, in_process = int(text or 1), False
    if name != point:
        return
    _arrivals[point] += 1
    if _arrivals[point] == count:
        if in_process:
            raise Killed(f"{point}:{count}")
        sys.stdout.flush()
        os._exit(137)


@contextlib.contextmanager
def armed(point: str, count: int = 1) -> Iterator[None]:
    """Within the block, the `count`-th arrival at `point` raises `Killed` (arrivals counted afresh)."""
    global _armed
    previous, _armed = _armed, (point, count)
    _arrivals.clear()
    try:
        yield
    finally:
        _armed = previous
        _arrivals.clear()
