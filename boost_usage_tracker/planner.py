"""Plan code searches around GitHub's cap of 1,000 results per query.

**By size.** A query is read in slices by file size (`size:LOW..HIGH`, bytes), swept
from 0 up to the largest indexed size. Page 1 of a slice is its probe: GitHub's
`total_count` says whether the slice fits. A slice that fits is read to its last page
(its probe was page 1, so it costs no extra request) and the sweep moves on; one with
more than 1,000 results is dropped and asked again narrower. The width of the next
slice is chosen from the last answer, aiming at `SLICE_TARGET` results: the width
times `SLICE_TARGET / total`, growing at most `MAX_GROWTH` times a step so a sparse
range is crossed in a few requests and a dense one that follows it costs at most one
wasted probe. File sizes are far from uniform (most files are small), which is why
the width follows the answers instead of cutting ranges in equal parts.

**By library.** A term is an include prefix, its query `"#include <TERM"
language:C++`. The whole query's split terms cover every header of the catalogue's
header map, one per library where its headers live under its key (`boost/asio` for
`boost/asio.hpp` and `boost/asio/...`, `boost/numeric/conversion`), plus the top-level
names of headers outside it (`boost/call_traits`), a prefix under a shorter one left
out (`split_terms`). A file matches one term per library it includes, so the terms'
totals `S` add up to at least the whole query's `T` (about `2T` in real code, which
includes several libraries a file). A `--library` run's terms are its libraries'.

**Where each is cheaper**, from the answers. `sweep_requests(n)` estimates a sweep
by size: its pages, `ceil(n / 100)`, plus half a request per slice of 800 (the
narrowed probes and the part-filled last pages; measured: 534 and 555 requests for
50,000 results, uniform and skewed sizes, against the estimate's 532).

- *A one-byte slice over the cap* cannot be cut by size: read as it is, it gives
  1,000 results in 10 requests and loses the rest. Split by library (`BYTE_SPLIT`)
  it costs one probe per term plus the terms' pages, about `L + S/100` for `L`
  terms, and loses nothing (a term still over the cap within that byte is read to
  the cap and recorded). No request count is worth the results lost, so such a
  slice is always split when the pass has terms (`library_splits`).
- *The whole query, by library instead of by size*, would cost at least
  `S/100 + L/2` (each term's pages and its part-filled last one) against the size
  sweep's `T/100 + T/1600`. With `S >= T` it can win only when the terms do not
  overlap (`S = T`) and `T > 800 L`, and then by at most `T/1600 - L/2` requests,
  which is below `L/8` while every term fits in the cap (`T <= 1000 L`) and shrinks
  as soon as a term needs a sweep of its own; finding `S` out costs `L` probes,
  wasted when size wins. Measured on the loopback server (the usage benchmark: 5,100
  files of one library each, six terms, the most favourable case): 57 requests by
  library, probes included, against 55 by size. So the whole query
  is never read by library: it goes by size, with the byte split above.
- *Only some libraries wanted* (`--library`). One library's results are a subset of
  the whole query's, so its own query (`LIBRARY_ROUTE`) is never dearer: it is
  read directly. With several, their totals can add up past the whole query's
  (files that include several of them are counted once per library), so the pass
  asks the whole query's total first (one request, its page 1), then each term's
  (each the first request of its own sweep), and reads by library only when the
  terms' estimated requests left are below the whole query's
  (`library_route_cheaper`); otherwise it sweeps the whole query by size and keeps
  only the wanted libraries' headers.

A slice answered with `incomplete_results` (its search timed out; broad queries do)
is read as answered and recorded as incomplete, for the summary.

`PlanState` is the checkpoint: the main sweep, the route probes' totals, the term
sweeps in progress (a byte's split or the library route) with their slice and next
page, and what the pass found so far. It is plain JSON, saved with each page's rows,
so a run stopped at any request resumes at the same term and page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# What GitHub answers at most per query, and per page.
RESULT_CAP = 1000
PER_PAGE = 100
# Results aimed for per slice: below the cap, so an uneven range rarely overshoots.
SLICE_TARGET = 800
MAX_GROWTH = 4
# How the term sweeps of a pass came about (`PlanState.split_kind`).
BYTE_SPLIT, LIBRARY_ROUTE = "byte", "library"


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


def sweep_requests(total: int) -> int:
    """The requests a size sweep of `total` results is expected to take (see above)."""
    if total <= RESULT_CAP:
        return pages_for(total)
    return math.ceil(total / PER_PAGE) + math.ceil(total / (2 * SLICE_TARGET))


def requests_left(total: int) -> int:
    """What a sweep of `total` results has left after its probe (page 1 if it fit)."""
    return sweep_requests(total) - (1 if total <= RESULT_CAP else 0)


def library_route_cheaper(total: int, term_totals: list[int]) -> bool:
    """Whether the terms' queries have fewer requests left than the whole query's,
    after the probes of both (the requests already spent are the same either way)."""
    return sum(requests_left(n) for n in term_totals) < requests_left(total)


def covers(term: str, header: str) -> bool:
    """Whether `#include <TERM` matches `#include <HEADER>` (`boost/asio`: `boost/asio.hpp`)."""
    return header.startswith(term + "/") or header.startswith(term + ".")


def split_terms(owners: Mapping[str, str]) -> list[str]:
    """The include prefixes covering every header of a header map (header → library).

    A header under its library's key (`boost/<key>/...`, `boost/<key>.hpp`) gives
    `boost/<key>`; any other gives its first path part (`boost/call_traits`). A prefix
    under a shorter one (`boost/algorithm/string` under `boost/algorithm`) is left out.
    """
    found = set()
    for path, key in owners.items():
        own = f"boost/{key}"
        if covers(own, path):
            found.add(own)
        else:
            top = path.removeprefix("boost/").split("/")[0].split(".")[0]
            found.add(f"boost/{top}")
    return sorted(t for t in found if not any(t.startswith(s + "/") for s in found))


@dataclass
class Sweep:
    """One query's sweep by size over `low`..`high`: `term` "" is the pass's own query."""

    term: str
    low: int
    high: int
    next_low: int
    width: int
    current: list[int] | None = None  # [low, high, next page, total]

    @classmethod
    def over(cls, *, term: str, low: int, high: int) -> Sweep:
        return cls(term=term, low=low, high=high, next_low=low, width=high - low + 1)

    @property
    def finished(self) -> bool:
        return self.current is None and self.next_low > self.high

    def next_request(self) -> tuple[Slice, int]:
        if self.current is None:
            top = min(self.high, self.next_low + max(1, self.width) - 1)
            self.current = [self.next_low, top, 1, -1]
        low, high, page, _total = self.current
        return Slice(low, high), page

    def piece(self) -> tuple[Slice, int]:
        if self.current is None:
            raise ValueError("record() without next_request()")
        low, high, page, _ = self.current
        return Slice(low, high), page

    def narrow(self, total: int) -> bool:
        """Drop a probe over the cap that can be cut; True when it was."""
        piece, page = self.piece()
        if page != 1 or total <= RESULT_CAP or piece.width == 1:
            return False
        self.width = min(piece.width - 1, next_width(piece.width, total))
        self.current = None
        return True

    def skip(self) -> None:
        """Leave the current slice unread (another sweep reads it)."""
        piece, _ = self.piece()
        self.current = None
        self.next_low = piece.high + 1

    def advance(self, *, total: int, received: int) -> bool:
        """Move past a page read; True when it ended its slice."""
        piece, page = self.piece()
        if page == 1:
            self.width = next_width(piece.width, total)
        if page >= pages_for(total) or received == 0:
            self.skip()
            return True
        self.current = [piece.low, piece.high, page + 1, total]
        return False


@dataclass
class PlanState:
    """A search pass in progress: the checkpoint cursor of one query."""

    started_at: str
    max_size: int
    main: Sweep
    terms: list[str] = field(default_factory=list)  # split terms, fixed at the start
    wanted: bool = False  # the terms are the libraries asked for (`--library`)
    whole_total: int = -1  # the first probe's: the whole range's total_count
    probes: list[int] | None = None  # the route probes' totals while deciding
    route: str = ""  # "size" or "library" once decided
    split_kind: str = ""  # BYTE_SPLIT or LIBRARY_ROUTE while `splits_left` is read
    splits_left: list[Sweep] = field(default_factory=list)
    slices_done: int = 0
    splits: int = 0  # probes over the cap, asked again narrower
    capped: list[list[Any]] = field(default_factory=list)  # [low, high, total, term]
    incomplete: list[list[Any]] = field(default_factory=list)  # [low, high, term]
    library_splits: list[list[int]] = field(default_factory=list)  # [low, high, total]
    split_requests: int = 0  # requests of the byte splits' term sweeps
    route_probes: int = 0

    @classmethod
    def new(
        cls, *, started_at: str, max_size: int, terms: list[str], wanted: bool = False
    ) -> PlanState:
        """A pass of the whole query split by `terms` where needed, or, `wanted`, of
        only those terms (one is read directly; several are weighed against the whole)."""
        state = cls(
            started_at=started_at,
            max_size=max_size,
            main=Sweep.over(term="", low=0, high=max_size),
            terms=list(terms),
            wanted=wanted,
        )
        if wanted and len(terms) == 1:
            state.main.next_low = max_size + 1
            state.route = "library"
            state._split(LIBRARY_ROUTE, Slice(0, max_size))
        return state

    @classmethod
    def from_cursor(cls, cursor: Any) -> PlanState:
        fields = dict(cursor)
        if "main" not in fields:  # a checkpoint saved before the library split
            fields["main"] = {
                "term": "",
                "low": 0,
                "high": fields["max_size"],
                **{k: fields.pop(k) for k in ("next_low", "width", "current")},
            }
            for name in ("capped", "incomplete"):
                fields[name] = [[*entry, ""] for entry in fields.get(name, [])]
        fields["main"] = Sweep(**fields["main"])
        fields["splits_left"] = [Sweep(**s) for s in fields.get("splits_left", [])]
        return cls(**fields)

    def as_cursor(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def finished(self) -> bool:
        return self.probes is None and not self.splits_left and self.main.finished

    def next_request(self) -> tuple[str, Slice, int]:
        """The term ("" for the pass's query), slice and page to ask for next."""
        if self.probes is not None:
            return self.terms[len(self.probes)], Slice(0, self.max_size), 1
        if self.splits_left:
            sweep = self.splits_left[0]
            return (sweep.term, *sweep.next_request())
        return ("", *self.main.next_request())

    def record(self, *, total: int, incomplete: bool, received: int) -> bool:
        """Take one page's answer; return True when its items belong to the pass.

        A probe over the cap is dropped (its items too: the narrower slices, or the
        terms' queries, read them); a page at the slice's last one, or an empty page,
        ends the slice.
        """
        if self.probes is not None:
            return self._record_probe(total)
        if self.splits_left:
            if self.split_kind == BYTE_SPLIT:
                self.split_requests += 1
            return self._record_sweep(self.splits_left[0], total, incomplete, received)
        piece, page = self.main.piece()
        if page == 1 and total > RESULT_CAP and piece.width == 1 and self.terms:
            self.main.skip()
            self.library_splits.append([piece.low, piece.high, total])
            self._split(BYTE_SPLIT, piece)
            return False
        if page == 1 and piece == Slice(0, self.max_size) and not self.route:
            self.whole_total = total
            if self.wanted:
                self.probes = []
            else:
                self.route = "size"
        return self._record_sweep(self.main, total, incomplete, received)

    def _record_probe(self, total: int) -> bool:
        assert self.probes is not None
        self.probes.append(total)
        self.route_probes += 1
        if len(self.probes) < len(self.terms):
            return total <= RESULT_CAP
        totals, self.probes = self.probes, None
        if not library_route_cheaper(self.whole_total, totals):
            self.route = "size"
            return totals[-1] <= RESULT_CAP
        self.route = "library"
        self.main.next_low, self.main.current = self.max_size + 1, None
        self._split(LIBRARY_ROUTE, Slice(0, self.max_size))
        left = []
        for sweep, found in zip(self.splits_left, totals, strict=True):
            sweep.current = [0, self.max_size, 1, -1]
            if sweep.narrow(found):
                self.splits += 1
                left.append(sweep)
            elif not sweep.advance(total=found, received=min(found, PER_PAGE)):
                left.append(sweep)
            else:
                self.slices_done += 1
        self.splits_left = left
        if not left:
            self.split_kind = ""
        return totals[-1] <= RESULT_CAP

    def _split(self, kind: str, piece: Slice) -> None:
        self.split_kind = kind
        self.splits_left = [Sweep.over(term=t, low=piece.low, high=piece.high) for t in self.terms]

    def _record_sweep(self, sweep: Sweep, total: int, incomplete: bool, received: int) -> bool:
        if sweep.narrow(total):
            self.splits += 1
            return False
        piece, page = sweep.piece()
        if page == 1:
            if total > RESULT_CAP:
                self.capped.append([piece.low, piece.high, total, sweep.term])
            if incomplete:
                self.incomplete.append([piece.low, piece.high, sweep.term])
        if sweep.advance(total=total, received=received):
            self.slices_done += 1
            if sweep is not self.main and sweep.finished:
                self.splits_left.pop(0)
                if not self.splits_left:
                    self.split_kind = ""
        return True
