"""`MailingListCollector`: the Boost lists from HyperKitty, or an mbox, into the database.

HyperKitty, per list (each with its own checkpoint, so a lagging list loses nothing):
the `emails/` pages are read newest first down to the list's checkpoint minus
MAILING_LIST_OVERLAP_DAYS; the details of the emails to store (new ones, every one in
the overlap window, and stored ones whose listed subject, date or parent changed) are
read and stored page by page, each page in one transaction. The checkpoint (the newest
date of the walk) moves only once the walk reached its end, so a run killed midway is
walked again from the top by the next run and stores exactly what is missing. A list
whose page fails stops there (its checkpoint unchanged) and the other lists go on;
the run then ends failed, naming the lists and the first failure's category.

`--mbox PATH|URL` imports a mailbox instead (history, or archives HyperKitty lacks),
streaming, in batches of MBOX_BATCH messages, through the same services: a message
already stored from HyperKitty is the same row. A message that cannot be parsed or
stored is quarantined (`core.quarantine`) with its reason, and the run goes on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from boost_mailing_list_tracker import parsers, search_documents, selectors, services
from boost_mailing_list_tracker.fetchers import EmailPage, HyperKittyFetcher, mbox_stream
from boost_mailing_list_tracker.items import MessageItem, message_id_hash
from boost_mailing_list_tracker.mbox import NotAMailbox, RawMessage, split_mailbox
from boost_mailing_list_tracker.models import MailingList
from boost_mailing_list_tracker.services import IngestCounts
from core.bad_items import BadItem, ParsedPage, parse_each, payload_key
from core.checkpoints import get_checkpoint, save_checkpoint
from core.collectors import AbstractCollector
from core.dates import parse_window
from core.errors import classify_failure, one_line
from core.http import HttpOptions
from core.quarantine import (
    QUARANTINED,
    RELEASED,
    quarantine_items,
    release_items,
    retry_quarantined,
    store_page,
)
from core.runs import CREATED, FETCHED, UPDATED
from core.selectors import count_quarantined
from cppa_pinecone_sync.sync import sync_within_run

logger = logging.getLogger(__name__)

NAME = "boost_mailing_list_tracker"
MBOX_BATCH = 500
UNLISTED = "unlisted"
# What stops one list and lets the others go on: the source's failures (HTTP status,
# transport, a malformed page). A database failure still ends the run.
LIST_FAILURES = (httpx.HTTPError, ValueError, ConnectionError, TimeoutError)


class ListsFailed(Exception):
    """Some lists stopped at their checkpoints; the cause is the first list's failure."""


@dataclass
class ListTally:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    quarantined: int = 0

    def line(self, name: str) -> str:
        parts = [f"{self.fetched} fetched", f"{self.created} created", f"{self.updated} updated"]
        if self.quarantined:
            parts.append(f"{self.quarantined} quarantined")
        return f"{name}: " + ", ".join(parts)


def list_address(value: str) -> str:
    """`boost` or `boost@lists.boost.org` as a configured list address; else a CommandError."""
    wanted = value.strip().lower()
    for address in settings.MAILING_LIST_NAMES:
        if wanted in (address.lower(), address.split("@")[0].lower()):
            return address
    known = ", ".join(a.split("@")[0] for a in settings.MAILING_LIST_NAMES) or "none"
    raise CommandError(
        f"--list {value!r} is not a configured list; known: {known} (MAILING_LIST_NAMES)"
    )


class MailingListCollector(AbstractCollector):
    """Collect the configured lists from HyperKitty, or import mailboxes with `mbox`."""

    def __init__(
        self,
        *,
        lists: list[str] | None,
        http: HttpOptions,
        since: str | None = None,
        until: str | None = None,
        full: bool = False,
        mbox: list[str] | None = None,
        dry_run: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.requested = lists or []
        self.http = http
        self.since_text, self.until_text = since, until
        self.since: datetime | None = None
        self.until: datetime | None = None
        self.full = full
        self.mbox = mbox or []
        self.dry_run = dry_run
        self.addresses: list[str] = []
        self.started = timezone.now()
        self.tallies: dict[str, ListTally] = defaultdict(ListTally)

    @property
    def name(self) -> str:
        return NAME

    @property
    def windowed(self) -> bool:
        return self.since is not None or self.until is not None

    def validate_config(self) -> None:
        self.since, self.until = parse_window(self.since_text, self.until_text)
        if self.mbox:
            if len(self.requested) > 1:
                raise CommandError("--mbox imports into one list; give at most one --list")
            for location in self.mbox:
                if not location.startswith(("http://", "https://")):
                    path = Path(location)
                    if not path.is_file():
                        raise CommandError(f"--mbox {location}: no such file")
            return
        if not settings.MAILING_LIST_ARCHIVE_URL.startswith(("http://", "https://")):
            raise CommandError(
                f"MAILING_LIST_ARCHIVE_URL {settings.MAILING_LIST_ARCHIVE_URL!r} is not an "
                "http(s) URL; set it in .env"
            )
        self.addresses = [list_address(v) for v in self.requested] or list(
            settings.MAILING_LIST_NAMES
        )
        if not self.addresses:
            raise CommandError("MAILING_LIST_NAMES is empty; name the lists to collect in .env")

    def collect(self) -> None:
        self.started = timezone.now()
        if self.mbox:
            for location in self.progress.scopes(self.mbox, total=len(self.mbox), noun="mbox"):
                self._import_mbox(location)
        else:
            self._collect_hyperkitty()
        for name, tally in sorted(self.tallies.items()):
            self.write(("would store — " if self.dry_run else "") + tally.line(name))
        kept = count_quarantined(collector=NAME, since=self.started)
        if kept:
            self.count(QUARANTINED, kept)

    def sync_pinecone(self) -> None:
        """Index what the run stored: the `mailing_lists` search source, as `search_*`."""
        if self.dry_run:
            return
        sync_within_run(names=[search_documents.SOURCE], counters=self.counters)

    # --- HyperKitty -----------------------------------------------------------

    def _collect_hyperkitty(self) -> None:
        failures: list[tuple[str, BaseException]] = []
        with HyperKittyFetcher(counters=self.counters, transport=self.http.transport()) as fetcher:
            for address in self.progress.scopes(
                self.addresses, total=len(self.addresses), noun="list"
            ):
                try:
                    self._collect_list(fetcher, address)
                except LIST_FAILURES as exc:
                    failures.append((address, exc))
                    category = classify_failure(exc).value
                    note = f"{address}: stopped at its checkpoint ({category}): {one_line(exc)}"
                    logger.warning(note, extra={"collector": NAME, "failure_category": category})
                    self.write(note, style="WARNING")
        if failures:
            names = ", ".join(a for a, _ in failures)
            address, first = failures[0]
            raise ListsFailed(
                f"{len(failures)} of {len(self.addresses)} lists failed ({names}); "
                f"first: {address}: {one_line(first)}"
            ) from first

    def _collect_list(self, fetcher: HyperKittyFetcher, address: str) -> None:
        about = fetcher.mailing_list(address)
        mailing_list = None if self.dry_run else services.upsert_list(item=about)
        key = address
        cursor = (
            None if (self.full or self.windowed) else get_checkpoint(collector=NAME, source_key=key)
        )
        newest_known = datetime.fromisoformat(cursor["newest"]) if cursor else None
        overlap = timedelta(days=settings.MAILING_LIST_OVERLAP_DAYS)
        stop_before = (
            self.since if self.windowed else (newest_known - overlap if newest_known else None)
        )
        newest_seen = newest_known
        for page in fetcher.emails(address):
            listed = [
                e for e in page.entries.items if self.until is None or e["date"] <= self.until
            ]
            reached_end = any(stop_before and e["date"] < stop_before for e in listed)
            listed = [e for e in listed if not (stop_before and e["date"] < stop_before)]
            for entry in listed:
                if newest_seen is None or entry["date"] > newest_seen:
                    newest_seen = entry["date"]
            self.progress.page(stream=address, items=len(page.entries.items))
            self._email_page(
                fetcher, address, mailing_list, page, listed, in_window=cursor is not None
            )
            if reached_end:
                break
        if not (self.windowed or self.dry_run) and newest_seen is not None:
            with transaction.atomic():
                save_checkpoint(
                    collector=NAME, source_key=key, cursor={"newest": newest_seen.isoformat()}
                )
        if mailing_list is not None:
            self._retry_list(fetcher, address, mailing_list)

    def _email_page(
        self,
        fetcher: HyperKittyFetcher,
        address: str,
        mailing_list: MailingList | None,
        page: EmailPage,
        listed: list[dict[str, Any]],
        *,
        in_window: bool,
    ) -> None:
        """Read the details the page needs and store them with the page's bad entries."""
        known = (
            {}
            if mailing_list is None
            else selectors.listed_fields(
                mailing_list=mailing_list, hashes=[e["hash"] for e in listed]
            )
        )
        needed = [
            e
            for e in listed
            if in_window
            or e["hash"] not in known
            or known[e["hash"]] != (e["subject"], e["date"], e["parent"])
        ]
        details = ParsedPage.join(fetcher.email(e["detail_url"]) for e in needed)
        tally = self.tallies[about_name(address)]
        tally.fetched += len(listed)
        tally.quarantined += len(page.entries.bad)
        self.count(FETCHED, len(listed))
        if mailing_list is None:
            tally.created += sum(1 for e in needed if e["hash"] not in known)
            return
        listed_scope = f"{address}:listed"
        with transaction.atomic():
            if page.entries.bad:
                bad = [replace(b, key=_entry_key(b.payload)) for b in page.entries.bad]
                quarantine_items(collector=NAME, scope=listed_scope, items=bad)
            self._store(address, mailing_list, details, scope=f"{address}:email")
            # An entry kept because its listing was malformed leaves once it is stored.
            released = release_items(
                collector=NAME, scope=listed_scope, keys=[e["hash"] for e in listed]
            )
            if released:
                self.count(RELEASED, released)

    def _store(
        self, name: str, mailing_list: MailingList, page: ParsedPage[MessageItem], *, scope: str
    ) -> None:
        stored = store_page(
            collector=NAME,
            scope=scope,
            page=page,
            store=lambda chunk: services.ingest_messages(mailing_list=mailing_list, items=chunk),
            key=lambda item: item.message_hash,
        )
        tally = self.tallies[about_name(name)]
        tally.quarantined += len(page.items) - len(stored.stored) + len(page.bad)
        for counts in stored.results:
            self._tally(tally, counts)
        if stored.released:
            self.count(RELEASED, stored.released)

    def _tally(self, tally: ListTally, counts: IngestCounts) -> None:
        tally.created += counts.messages.created
        tally.updated += counts.messages.updated
        for part in (counts.messages, counts.senders, counts.threads):
            self.count(CREATED, part.created)
            self.count(UPDATED, part.updated)

    def _retry_list(self, fetcher: HyperKittyFetcher, address: str, mailing_list: MailingList):
        """Give the list's kept items another try with today's parsers (no new request for
        a kept detail; a kept list entry is parsed, then its detail is read)."""

        def detail(payload: Any, url: str) -> None:
            page = parse_each([payload], parsers.parse_email, url=url)
            with transaction.atomic():
                self._store(address, mailing_list, page, scope=f"{address}:email")

        def entry(payload: Any, url: str) -> None:
            listed = parse_each([payload], parsers.parse_listed_email, url=url)
            if not listed.items:
                with transaction.atomic():
                    quarantine_items(collector=NAME, scope=f"{address}:listed", items=listed.bad)
                return
            page = ParsedPage.join(fetcher.email(e["detail_url"]) for e in listed.items)
            with transaction.atomic():
                release_items(collector=NAME, scope=f"{address}:listed", keys=[_entry_key(payload)])
                self._store(address, mailing_list, page, scope=f"{address}:email")

        retry_quarantined(
            collector=NAME, scope=f"{address}:email", before=self.started, attempt=detail
        )
        retry_quarantined(
            collector=NAME, scope=f"{address}:listed", before=self.started, attempt=entry
        )

    # --- mbox -----------------------------------------------------------------

    def _import_mbox(self, location: str) -> None:
        with mbox_stream(location, transport=self.http.transport()) as stream:
            raws = split_mailbox(
                stream,
                max_bytes=settings.MAILING_LIST_MAX_MESSAGE_BYTES,
                where=f"--mbox {location}",
            )
            try:
                for chunk in _chunks(raws, MBOX_BATCH):
                    self._mbox_batch(location, chunk)
            except NotAMailbox as exc:
                raise CommandError(str(exc)) from None

    def _mbox_batch(self, location: str, raws: list[RawMessage]) -> None:
        by_list: dict[str, tuple[list[MessageItem], list[BadItem], dict[int, tuple[Any, str]]]] = {}
        forced = self.requested[0].strip().lower().split("@")[0] if self.requested else ""
        for raw in raws:
            summary = _raw_summary(location, raw)
            try:
                item = parsers.parse_rfc822(raw)
            except ValueError as exc:
                name = forced or UNLISTED
                by_list.setdefault(name, ([], [], {}))[1].append(
                    BadItem(
                        key=f"{Path(location).name}@{raw.offset}",
                        url=location,
                        payload=summary,
                        error=exc,
                    )
                )
                continue
            name = forced or item.list_name or UNLISTED
            items, _, sources = by_list.setdefault(name, ([], [], {}))
            items.append(item)
            sources[id(item)] = (summary, location)
        for name, (items, bad, sources) in by_list.items():
            self.progress.page(stream=name, items=len(items) + len(bad))
            tally = self.tallies[name]
            tally.fetched += len(items)
            self.count(FETCHED, len(items))
            if self.dry_run:
                tally.quarantined += len(bad)
                continue
            with transaction.atomic():
                mailing_list = services.ensure_list(name=name)
                page = ParsedPage(items=items, bad=bad, _sources=sources)
                self._store(name, mailing_list, page, scope=f"mbox:{name}")


def _entry_key(payload: Any) -> str:
    """A kept list entry's key: its message's hash when the Message-ID is readable, so
    the entry leaves the quarantine when the archive's corrected listing is stored."""
    if isinstance(payload, dict) and isinstance(payload.get("message_id"), str):
        message_id = parsers.clean_id(payload["message_id"])
        if message_id:
            return message_id_hash(message_id)
    return payload_key(payload)


def about_name(address: str) -> str:
    return address.split("@")[0].lower()


def _raw_summary(location: str, raw: RawMessage) -> dict[str, Any]:
    """What the quarantine keeps of a raw message: where it is and its first 4 KB."""
    return {
        "mbox": location,
        "number": raw.number + 1,
        "offset": raw.offset,
        "size": raw.size,
        "head": raw.data[:4096].decode("utf-8", "replace"),
    }


def _chunks(values: Iterable[RawMessage], size: int) -> Iterable[list[RawMessage]]:
    chunk: list[RawMessage] = []
    for value in values:
        chunk.append(value)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
