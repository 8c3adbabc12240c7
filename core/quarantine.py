"""Quarantine: keep the items a collector could not parse or store, and retry them.

One bad item must never block a stream (a page that fails on every run stops every
repository after it). So a collector stores each page with `store_page`: the items
that parsed go in with the bulk fast path; when the database refuses the page, the
items are stored one by one, each in its own savepoint, and the ones it still
refuses join the parse failures in `core.QuarantinedItem` with their payload and
reason. The page's checkpoint then moves on, and the next run hands the kept
payloads back to the collector (`retry_quarantined`), which parses and stores them
with the code of that day: an item that now passes leaves the quarantine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from core.bad_items import BadItem, ParsedPage
from core.errors import classify_failure, one_line
from core.http.redaction import redact
from core.models import QuarantinedItem
from core.text import strip_nul

T = TypeVar("T")
R = TypeVar("R")

QUARANTINED = "quarantined"  # run counter: items kept this run (new or still failing)
# (count it at the end of a run with core.selectors.count_quarantined)
RELEASED = "released"  # run counter: kept items stored this run

# What makes the database or a service refuse one item rather than the whole run:
# a value it cannot hold, a broken constraint, a service's own check (ValueError).
# A lost connection or any other error still ends the run.
ITEM_FAILURES = (ValueError, DataError, IntegrityError)
REASON_MAX_CHARS = 1000

_KEEP_SQL = f"""
INSERT INTO {QuarantinedItem._meta.db_table}
    (collector, scope, item_key, url, payload, category, reason, attempts, first_seen, last_seen)
VALUES (%s, %s, %s, %s, %s::jsonb, %s, %s, 1, %s, %s)
ON CONFLICT (collector, scope, item_key) DO UPDATE SET
    url = EXCLUDED.url, payload = EXCLUDED.payload, category = EXCLUDED.category,
    reason = EXCLUDED.reason, last_seen = EXCLUDED.last_seen,
    attempts = {QuarantinedItem._meta.db_table}.attempts + 1
"""


@dataclass(frozen=True)
class StoredPage(Generic[T, R]):
    """What `store_page` did: the store results, the items stored, and how many items
    kept earlier left the quarantine."""

    results: list[R] = field(default_factory=list)
    stored: list[T] = field(default_factory=list)
    released: int = 0


def quarantine_items(*, collector: str, scope: str, items: Iterable[BadItem]) -> int:
    """Keep each bad item; one kept before is updated (reason, payload, attempts + 1).

    One statement per item: bad items are rare, and an upsert keeps a retried failure
    to one row even when two runs race.
    """
    now = timezone.now()
    kept = 0
    with connection.cursor() as cursor:
        for item in items:
            payload = json.dumps(strip_nul(item.payload), default=str)
            cursor.execute(
                _KEEP_SQL,
                [
                    strip_nul(collector),
                    strip_nul(scope)[:500],
                    strip_nul(item.key)[:500],
                    redact(strip_nul(item.url)),
                    payload,
                    classify_failure(item.error).value,
                    one_line(item.error, limit=REASON_MAX_CHARS),
                    now,
                    now,
                ],
            )
            kept += 1
    return kept


def release_items(*, collector: str, scope: str, keys: Collection[str]) -> int:
    """Forget the kept items with these keys (they were stored); return how many."""
    if not keys:
        return 0
    deleted, _ = QuarantinedItem.objects.filter(
        collector=collector, scope=scope, item_key__in=[strip_nul(k) for k in keys]
    ).delete()
    return deleted


def store_page(
    *,
    collector: str,
    scope: str,
    page: ParsedPage[T],
    store: Callable[[Sequence[T]], R],
    key: Callable[[T], str],
    items: Sequence[T] | None = None,
) -> StoredPage[T, R]:
    """Store `items` (default: all the page's) with `store`, keeping what cannot be stored.

    The page's parse failures are kept first. Then `store(items)` runs once, in a
    savepoint; only when it raises one of ITEM_FAILURES is each item stored alone, in
    a savepoint of its own, and the ones still refused are kept with the payload they
    were parsed from. Stored items leave the quarantine. Call it inside the page's
    transaction (with its checkpoint), so a crash keeps or loses both together.
    """
    wanted = list(page.items if items is None else items)
    bad = list(page.bad)
    results: list[R] = []
    stored: list[T] = []
    try:
        with transaction.atomic():
            results.append(store(wanted))
        stored = wanted
    except ITEM_FAILURES:
        results = []
        for item in wanted:
            try:
                with transaction.atomic():
                    results.append(store([item]))
            except ITEM_FAILURES as exc:
                payload, url = page.source_of(item)
                bad.append(BadItem(key=key(item), url=url, payload=payload, error=exc))
            else:
                stored.append(item)
    quarantine_items(collector=collector, scope=scope, items=bad)
    released = release_items(collector=collector, scope=scope, keys=[key(item) for item in stored])
    return StoredPage(results=results, stored=stored, released=released)


def retry_quarantined(
    *, collector: str, scope: str, before: datetime, attempt: Callable[[Any, str], object]
) -> int:
    """Hand every item of `scope` kept before `before` back to `attempt(payload, url)`.

    `attempt` parses and stores the payload the way the stream does (with
    `store_page`, which releases an item that now passes and updates one that still
    fails). `before` is the start of the run, so an item kept by this run is not
    tried twice. Returns how many items it handed back.
    """
    rows = list(
        QuarantinedItem.objects.filter(collector=collector, scope=scope, last_seen__lt=before)
        .order_by("first_seen", "id")
        .values_list("payload", "url")
    )
    for payload, url in rows:
        attempt(payload, url)
    return len(rows)
