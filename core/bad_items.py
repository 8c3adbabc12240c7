"""Bad items: what a fetcher hands on instead of an item it could not parse.

One malformed object must not stop its stream, yet a fetcher never touches the
database. So a fetcher parses each object with `parse_each`/`parse_one` and passes
the failures on as plain `BadItem` values (the raw payload and the error); the
collector gives them to `core.quarantine`, which keeps them for the next run.
Plain values only: no Django here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# What a parser raises for an object of the wrong shape: ValueError, which
# core.http.MalformedResponse is. Anything else is a bug and must stop the run.
PARSE_FAILURES = (ValueError,)


@dataclass(frozen=True)
class BadItem:
    """An item that could not be parsed or stored: its key, where it came from, why."""

    key: str
    url: str
    payload: Any
    error: BaseException


def payload_key(payload: Any, *, fields: Sequence[str] = ("id", "sha", "key")) -> str:
    """The source's id of a raw item, or a digest of it when it has none.

    The digest is stable, so the same broken object quarantined twice is one row.
    """
    if isinstance(payload, dict):
        for name in fields:
            value = payload.get(name)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return str(value)
    text = json.dumps(payload, sort_keys=True, default=str)
    return "sha1:" + hashlib.sha1(text.encode()).hexdigest()


@dataclass(frozen=True)
class ParsedPage(Generic[T]):
    """The items of a page that parsed, the ones that did not, and where each came from.

    Each item's raw payload and URL are kept so that an item the database refuses
    later can still be quarantined as the source sent it.
    """

    items: list[T]
    bad: list[BadItem]
    _sources: dict[int, tuple[Any, str]] = field(default_factory=dict, repr=False)

    def source_of(self, item: T) -> tuple[Any, str]:
        """The raw payload and URL `item` was parsed from."""
        return self._sources.get(id(item), (None, ""))

    @classmethod
    def join(cls, pages: Iterable[ParsedPage[T]]) -> ParsedPage[T]:
        """One page of the items of several (e.g. one detail request per item)."""
        items: list[T] = []
        bad: list[BadItem] = []
        sources: dict[int, tuple[Any, str]] = {}
        for page in pages:
            items += page.items
            bad += page.bad
            sources.update(page._sources)
        return cls(items=items, bad=bad, _sources=sources)


def parse_each(payloads: Iterable[Any], parse: Callable[..., T], *, url: str) -> ParsedPage[T]:
    """Parse every object of a page; the ones of the wrong shape become `BadItem`s.

    `parse(payload, url=url)`: parsers name the URL in the MalformedResponse they raise.
    """
    items: list[T] = []
    bad: list[BadItem] = []
    sources: dict[int, tuple[Any, str]] = {}
    for payload in payloads:
        try:
            item = parse(payload, url=url)
        except PARSE_FAILURES as exc:
            bad.append(BadItem(key=payload_key(payload), url=url, payload=payload, error=exc))
            continue
        items.append(item)
        sources[id(item)] = (payload, url)
    return ParsedPage(items=items, bad=bad, _sources=sources)
