"""A clock for tests: time moves only when the code under test sleeps."""

from __future__ import annotations

# 2023-11-14T22:13:20Z: any fixed instant works; a round one reads well in asserts.
FAKE_EPOCH = 1_700_000_000.0


class FakeClock:
    """Record every requested sleep and advance `now()` by it, without sleeping."""

    def __init__(self, start: float = FAKE_EPOCH) -> None:
        self.current = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += max(0.0, seconds)
