"""Time as the HTTP layer sees it: the current time and a way to wait.

Backoff and rate-limit waits go through a `Clock` object instead of `time.sleep`
so tests can pass a fake one, check the waits that were asked for, and never sleep
for real; production code uses `SystemClock`.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What the HTTP layer needs from time: now (epoch seconds) and sleep."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: `time.time()` and `time.sleep()`."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
