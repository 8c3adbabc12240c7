"""Plan code searches around GitHub's cap of 1,000 results per query.

A query is cut into slices by file size (`size:LOW..HIGH`, bytes). Page 1 of a slice
is its probe: GitHub's `total_count` says whether the slice fits. A slice with more
than 1,000 results is split into about `total / SLICE_TARGET` equal ranges, and each
part probes again, so a crowded size range is cut finer where the files really are. A
slice that fits is read to its last page: its probe was its first page, so only the
probes of split slices cost extra requests. A one-byte slice that still has more than
1,000 results cannot be cut further by size: it is read to the cap and recorded as
capped (its `total_count` is kept), never silently. A slice GitHub answers with
`incomplete_results` (its search timed out; broad queries do) is read as answered
and recorded as incomplete, for the summary and the next pass.

`PlanState` is the checkpoint: the slices still to read, the one being read and its
next page, and what the pass found so far. It is plain JSON, saved with each page's
rows, so a run stopped at any request resumes at the same page.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

# What GitHub answers at most per query, and per page.
RESULT_CAP = 1000
PER_PAGE = 100
# Results aimed for per slice when cutting: below the cap, so the parts of an uneven
# range rarely need a second cut.
SLICE_TARGET = 800


@dataclass(frozen=True)
class Slice:
    """Files of `low`..`high` bytes (inclusive), as a code search `size:` qualifier."""

    low: int
    high: int

    @property
    def qualifier(self) -> str:
        return f"size:{self.low}..{self.high}"

    @property
    def width(self) -> int:
        return self.high - self.low + 1

    def split(self, total: int) -> list[Slice]:
        """Cut into about `total / SLICE_TARGET` equal ranges (at least two)."""
        parts = min(self.width, max(2, math.ceil(total / SLICE_TARGET)))
        step = self.width / parts
        bounds = [self.low + round(step * i) for i in range(parts)] + [self.high + 1]
        return [Slice(bounds[i], bounds[i + 1] - 1) for i in range(parts)]


def pages_for(total: int) -> int:
    """The pages a slice of `total` results has within the cap (at least one)."""
    return max(1, math.ceil(min(total, RESULT_CAP) / PER_PAGE))


@dataclass
class PlanState:
    """A search pass in progress: the checkpoint cursor of one query."""

    started_at: str
    pending: list[list[int]]
    current: list[int] | None = None  # [low, high, next page, total]
    slices_done: int = 0
    splits: int = 0
    capped: list[list[int]] = field(default_factory=list)  # [low, high, total]
    incomplete: list[list[int]] = field(default_factory=list)  # [low, high]

    @classmethod
    def new(cls, *, started_at: str, max_size: int) -> PlanState:
        return cls(started_at=started_at, pending=[[0, max_size]])

    @classmethod
    def from_cursor(cls, cursor: Any) -> PlanState:
        return cls(**cursor)

    def as_cursor(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def finished(self) -> bool:
        return self.current is None and not self.pending

    def next_request(self) -> tuple[Slice, int]:
        """The slice and page to ask for next (a pending slice starts at its probe)."""
        if self.current is None:
            low, high = self.pending.pop(0)
            self.current = [low, high, 1, -1]
        low, high, page, _total = self.current
        return Slice(low, high), page

    def record(self, *, total: int, incomplete: bool, received: int) -> bool:
        """Take one page's answer; return True when its items belong to the pass.

        A probe that shows a slice too big is split (its items are dropped: the parts
        will read them); a page past the slice's last one, or an empty page, ends it.
        """
        assert self.current is not None
        low, high, page, _ = self.current
        piece = Slice(low, high)
        if page == 1 and total > RESULT_CAP and piece.width > 1:
            self.pending[:0] = [[s.low, s.high] for s in piece.split(total)]
            self.splits += 1
            self.current = None
            return False
        if page == 1 and total > RESULT_CAP:
            self.capped.append([low, high, total])
        if page == 1 and incomplete:
            self.incomplete.append([low, high])
        if page >= pages_for(total) or received == 0:
            self.current = None
            self.slices_done += 1
        else:
            self.current = [low, high, page + 1, total]
        return True
