"""Plan code searches around GitHub's cap of 1,000 results per query.

A query is read in slices by file size (`size:LOW..HIGH`, bytes), swept from 0 up to
the largest indexed size. Page 1 of a slice is its probe: GitHub's `total_count` says
whether the slice fits. A slice that fits is read to its last page (its probe was
page 1, so it costs no extra request) and the sweep moves on; one with more than
1,000 results is dropped and asked again narrower. The width of the next slice is
chosen from the last answer, aiming at `SLICE_TARGET` results: the width times
`SLICE_TARGET / total`, growing at most `MAX_GROWTH` times a step so a sparse range
is crossed in a few requests and a dense one that follows it costs at most one wasted
probe. File sizes are far from uniform (most files are small), which is why the width
follows the answers instead of cutting ranges in equal parts.

A one-byte slice that still has more than 1,000 results cannot be cut further by
size: it is read to the cap and recorded as capped (with its `total_count`), never
silently. A slice answered with `incomplete_results` (its search timed out; broad
queries do) is read as answered and recorded as incomplete, for the summary.

`PlanState` is the checkpoint: where the sweep is, the slice being read and its next
page, and what the pass found so far. It is plain JSON, saved with each page's rows,
so a run stopped at any request resumes at the same page.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

# What GitHub answers at most per query, and per page.
RESULT_CAP = 1000
PER_PAGE = 100
# Results aimed for per slice: below the cap, so an uneven range rarely overshoots.
SLICE_TARGET = 800
MAX_GROWTH = 4


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


def pages_for(total: int) -> int:
    """The pages a slice of `total` results has within the cap (at least one)."""
    return max(1, math.ceil(min(total, RESULT_CAP) / PER_PAGE))


def next_width(width: int, total: int) -> int:
    """The width aiming at SLICE_TARGET results, given `total` in `width` bytes."""
    if total <= 0:
        return width * MAX_GROWTH
    return max(1, min(width * MAX_GROWTH, width * SLICE_TARGET // total))


@dataclass
class PlanState:
    """A search pass in progress: the checkpoint cursor of one query."""

    started_at: str
    max_size: int
    next_low: int = 0
    width: int = 0  # the next slice's width; 0: the whole range first
    current: list[int] | None = None  # [low, high, next page, total]
    slices_done: int = 0
    splits: int = 0  # probes over the cap, asked again narrower
    capped: list[list[int]] = field(default_factory=list)  # [low, high, total]
    incomplete: list[list[int]] = field(default_factory=list)  # [low, high]

    @classmethod
    def new(cls, *, started_at: str, max_size: int) -> PlanState:
        return cls(started_at=started_at, max_size=max_size, width=max_size + 1)

    @classmethod
    def from_cursor(cls, cursor: Any) -> PlanState:
        return cls(**cursor)

    def as_cursor(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def finished(self) -> bool:
        return self.current is None and self.next_low > self.max_size

    def next_request(self) -> tuple[Slice, int]:
        """The slice and page to ask for next (a new slice starts with its probe)."""
        if self.current is None:
            high = min(self.max_size, self.next_low + max(1, self.width) - 1)
            self.current = [self.next_low, high, 1, -1]
        low, high, page, _total = self.current
        return Slice(low, high), page

    def record(self, *, total: int, incomplete: bool, received: int) -> bool:
        """Take one page's answer; return True when its items belong to the pass.

        A probe over the cap is dropped (its items too: the narrower slice reads
        them); a page at the slice's last one, or an empty page, ends the slice.
        """
        if self.current is None:
            raise ValueError("record() without next_request()")
        low, high, page, _ = self.current
        piece = Slice(low, high)
        if page == 1 and total > RESULT_CAP and piece.width > 1:
            self.width = min(piece.width - 1, next_width(piece.width, total))
            self.splits += 1
            self.current = None
            return False
        if page == 1:
            if total > RESULT_CAP:
                self.capped.append([low, high, total])
            if incomplete:
                self.incomplete.append([low, high])
            self.width = next_width(piece.width, total)
        if page >= pages_for(total) or received == 0:
            self.current = None
            self.slices_done += 1
            self.next_low = high + 1
        else:
            self.current = [low, high, page + 1, total]
        return True
