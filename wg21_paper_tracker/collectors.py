"""`WG21PaperCollector`: WG21 mailings, papers, revisions and authors, incrementally.

A run reads the papers index (one conditional request), then the mailings it must:

- every mailing not stored yet, or stored without papers: a mailing whose page
  failed, or came back empty, is read again on every run until it has papers;
- the newest mailing that has papers, always: papers join a mailing after it opens;
- with `--full`, `--mailing`, `--year` or `--paper`, every mailing selected.

Mailings of one year share a page, fetched once per run (conditionally: an unchanged
page is a 304). Each mailing's rows and its checkpoint are stored in one transaction,
so a run killed at any moment keeps whole mailings only; the next run finds the
missing ones unstored and reads them. A row that cannot be parsed or stored is
quarantined and the mailing goes on. Then wg21.link's index fills what the pages
miss; its checkpoint is the validator (ETag / Last-Modified) of the last index fully
stored, so a 304 for that same index costs nothing, and a 304 after a run killed
mid-index parses the stored body again. A page that fails does not stop the others:
the run stores everything it can, then fails naming the mailings left for next time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from core.bad_items import ParsedPage, parse_each
from core.checkpoints import get_checkpoint, save_checkpoint
from core.collectors import AbstractCollector
from core.errors import one_line
from core.http import HttpOptions, NoNetworkError, WebClient, redact
from core.quarantine import QUARANTINED, RELEASED, retry_quarantined, store_page
from core.runs import CREATED, FETCHED, UPDATED
from core.selectors import count_quarantined
from cppa_pinecone_sync.sync import sync_within_run
from wg21_paper_tracker import search_documents, selectors, services
from wg21_paper_tracker.documents import extract_text
from wg21_paper_tracker.fetchers import WG21Fetcher, YearPage
from wg21_paper_tracker.items import MailingItem, RevisionItem
from wg21_paper_tracker.models import TextStatus
from wg21_paper_tracker.parsers import (
    file_format,
    parse_index_entry,
    parse_paper_id,
    parse_row,
    parse_section,
)
from wg21_paper_tracker.report import (
    EMPTY,
    FAILED,
    MISSING,
    MailingReport,
    RunReport,
    is_terminal,
    render,
)

logger = logging.getLogger(__name__)

NAME = "wg21_paper_tracker"
INDEX_SCOPE = INDEX = "index"  # the checkpoint, quarantine scope and report row
# Index entries stored per transaction: ~4,000 paper revisions of the 2017 index in
# a handful of batches, each a few hundred kilobytes of rows.
INDEX_BATCH = 1000
# Failures of one page that leave the other mailings worth reading.
PAGE_FAILURES = (httpx.HTTPStatusError, httpx.TransportError, ValueError)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class IncompleteRun(RuntimeError):
    """Some mailings could not be read; everything else was stored. Raised `from` the
    first failure, so the run's category is that failure's."""


def parse_month(flag: str, value: str | None) -> str | None:
    """A `YYYY-MM` flag value; anything else is a one-line CommandError."""
    if value is None:
        return None
    if not _MONTH.match(value.strip()):
        raise CommandError(f"{flag} {value!r} is not a mailing month; use YYYY-MM, e.g. 2023-01")
    return value.strip()


def parse_year(value: str) -> int:
    text = value.strip()
    if not (text.isdigit() and len(text) == 4 and 1989 <= int(text) <= 2200):
        raise CommandError(f"--year {value!r} is not a year; use four digits, e.g. 2023")
    return int(text)


def parse_paper_number(value: str) -> str:
    """`P2300`, `p2300r7` (its paper), `N4950` or `SD-1`; else a one-line CommandError."""
    paper = parse_paper_id(value)
    if paper is None:
        raise CommandError(
            f"--paper {value!r} is not a WG21 paper; use P2300, N4950 or SD-1 (a revision "
            "such as P2300R7 selects its paper)"
        )
    return paper.paper_number


def check_url(name: str, value: str) -> str:
    url = httpx.URL(value) if value else None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise CommandError(f"{name} {value!r} is not an http(s) URL; set it in .env")
    return value


@dataclass(frozen=True)
class Plan:
    """The mailings this run reads, from the index's list and the stored ones."""

    mailings: list[MailingItem]  # to read
    selected: list[MailingItem]  # chosen by the flags: their kept rows are retried


class WG21PaperCollector(AbstractCollector):
    """Collect WG21 mailings from open-std.org and fill gaps from wg21.link's index."""

    def __init__(
        self,
        *,
        http: HttpOptions,
        since: str | None = None,
        until: str | None = None,
        mailings: Sequence[str] | None = None,
        years: Sequence[str] | None = None,
        papers: Sequence[str] | None = None,
        full: bool = False,
        download: bool = False,
        dry_run: bool = False,
        output_format: str = "table",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.http = http
        self.options = {"since": since, "until": until}
        self.requested = {
            "mailings": list(mailings or []),
            "years": list(years or []),
            "papers": list(papers or []),
        }
        self.full, self.download, self.dry_run = full, download, dry_run
        self.output_format = output_format
        self.since: str | None = None
        self.until: str | None = None
        self.mailing_ids: set[str] = set()
        self.years: set[int] = set()
        self.papers: frozenset[str] = frozenset()
        self.papers_url = ""
        self.index_url = ""
        self.report = RunReport(dry_run=dry_run)
        self.started = timezone.now()
        self._years: dict[int, YearPage | BaseException] = {}
        self._failures: list[tuple[str, BaseException]] = []

    @property
    def name(self) -> str:
        return NAME

    @property
    def narrowed(self) -> bool:
        """Whether flags chose the mailings (then every chosen one is read)."""
        return bool(self.mailing_ids or self.years or self.papers)

    def validate_config(self) -> None:
        self.since = parse_month("--from", self.options["since"])
        self.until = parse_month("--to", self.options["until"])
        if self.since and self.until and self.since > self.until:
            raise CommandError(f"--from {self.since} is after --to {self.until}")
        self.mailing_ids = {
            m for m in (parse_month("--mailing", v) for v in self.requested["mailings"]) if m
        }
        self.years = {parse_year(v) for v in self.requested["years"]}
        self.papers = frozenset(parse_paper_number(v) for v in self.requested["papers"])
        if self.output_format not in ("table", "json"):
            raise CommandError(f"--format {self.output_format!r} is not table or json")
        if self.download and self.dry_run:
            raise CommandError(
                "--download and --dry-run cannot be combined: a dry run fetches no documents"
            )
        self.papers_url = check_url("WG21_PAPERS_URL", settings.WG21_PAPERS_URL)
        self.index_url = check_url("WG21_INDEX_URL", settings.WG21_INDEX_URL)

    # --- the run ----------------------------------------------------------------

    def collect(self) -> None:
        self.started = timezone.now()
        transport = self.http.transport()
        papers_client = self._client(self.papers_url, transport, setting="WG21_PAPERS_URL")
        index_client = self._client(self.index_url, transport, setting="WG21_INDEX_URL")
        with papers_client, index_client:
            fetcher = WG21Fetcher(
                papers=papers_client, index=index_client, index_url=self.index_url
            )
            plan = self._plan(fetcher)
            read: list[str] = []
            for mailing in self.progress.scopes(
                plan.mailings, total=len(plan.mailings), noun="mailing"
            ):
                if self._read_mailing(fetcher, mailing):
                    read.append(mailing.mailing_id)
            self._retry_kept([m.mailing_id for m in plan.selected])
            try:
                self._read_index(fetcher)
            except NoNetworkError:
                raise
            except PAGE_FAILURES as exc:
                self._failures.append((INDEX, exc))
                self.report.mailings[-1].outcome = FAILED
                self.report.mailings[-1].error = _reason(exc)
            if self.download and read:
                self._download(fetcher, read)
        kept = count_quarantined(collector=NAME, since=self.started)
        if kept:
            self.count(QUARANTINED, kept)
        self.write(
            render(self.report, output_format=self.output_format, terminal=is_terminal(self.stdout))
        )
        if self._failures:
            raise IncompleteRun(
                f"could not read {_failure_list(self._failures)}; the next run reads them again"
            ) from self._failures[0][1]

    def _client(self, base_url: str, transport: Any, *, setting: str) -> WebClient:
        return WebClient(
            base_url=base_url,
            url_setting=setting,
            transport=transport,
            counters=self.counters,
            store_validators=not self.dry_run,
            max_bytes=settings.WG21_MAX_RESPONSE_BYTES,
        )

    def _selected(self, mailing: MailingItem) -> bool:
        if self.since and mailing.mailing_id < self.since:
            return False
        if self.until and mailing.mailing_id > self.until:
            return False
        if self.mailing_ids and mailing.mailing_id not in self.mailing_ids:
            return False
        return not (self.years and mailing.year not in self.years)

    def _plan(self, fetcher: WG21Fetcher) -> Plan:
        fetched, listed = fetcher.mailings()
        known = {m.mailing_id for m in listed}
        unknown = sorted(self.mailing_ids - known)
        if unknown:
            raise CommandError(f"--mailing {unknown[0]} is not listed in {fetched.url}")
        selected = [m for m in listed if self._selected(m)]
        if not self.dry_run and selected:
            with transaction.atomic():
                services.upsert_mailings(items=selected)
        if self.full or self.narrowed:
            return Plan(selected, selected)
        counts = selectors.mailing_paper_counts()
        newest = selectors.newest_mailing_with_papers()
        wanted = [m for m in selected if not counts.get(m.mailing_id) or m.mailing_id == newest]
        return Plan(wanted, selected)

    # --- one mailing --------------------------------------------------------------

    def _year(self, fetcher: WG21Fetcher, year: int) -> YearPage:
        if year not in self._years:
            try:
                self._years[year] = fetcher.year_page(year)
            except NoNetworkError:
                raise  # no other page would load either
            except PAGE_FAILURES as exc:
                self._years[year] = exc
        found = self._years[year]
        if isinstance(found, BaseException):
            raise found
        return found

    def _read_mailing(self, fetcher: WG21Fetcher, mailing: MailingItem) -> bool:
        """Read and store one mailing; False when its page failed or shows no papers."""
        report = self.report.add(MailingReport(mailing.mailing_id, mailing.title))
        try:
            year_page = self._year(fetcher, mailing.year)
        except NoNetworkError:
            raise
        except PAGE_FAILURES as exc:
            report.outcome, report.error = FAILED, _reason(exc)
            # Not logged here: the run's one failure line names every mailing left.
            self._failures.append((mailing.mailing_id, exc))
            return False
        section = year_page.sections.get(mailing.mailing_id)
        if section is None:
            report.outcome = MISSING
            logger.warning(
                "mailing %s: %s has no mailing%s anchor; read again next run",
                mailing.mailing_id,
                year_page.fetched.url,
                mailing.mailing_id,
                extra={"collector": NAME},
            )
            return False
        report.not_modified = year_page.fetched.not_modified
        page = parse_section(section, url=year_page.fetched.url)
        if self.papers:
            page = _only_papers(page, self.papers)
        report.papers = len(page.items)
        report.quarantined = len(page.bad)
        self.count(FETCHED, len(page.items))
        self.progress.page(stream=mailing.mailing_id, items=len(page.items))
        if not page.items and not page.bad:
            report.outcome = EMPTY
            return False
        if self.dry_run:
            planned = services.plan_revisions(items=page.items, source=services.PAGE)
            report.created, report.updated, report.unchanged = (
                planned.created,
                planned.updated,
                planned.unchanged,
            )
            return True
        counts = self._store_rows(
            mailing.mailing_id,
            page,
            checkpoint=not self.papers,
            validator=year_page.fetched.validator,
        )
        report.created, report.updated = counts.revisions.created, counts.revisions.updated
        report.unchanged = counts.revisions.unchanged
        return True

    def _store(
        self,
        page: ParsedPage[RevisionItem],
        *,
        scope: str,
        source: str,
        key: Callable[[RevisionItem], str],
        checkpoint: tuple[str, dict] | None,
    ) -> services.RevisionCounts:
        """Store a page of revisions (bad ones quarantined) and its checkpoint, if any,
        in one transaction."""
        with transaction.atomic():
            stored = store_page(
                collector=NAME,
                scope=scope,
                page=page,
                store=lambda items: services.store_revisions(items=items, source=source),
                key=key,
            )
            if checkpoint is not None:
                _save_if_changed(*checkpoint)
        counts = sum(stored.results, services.RevisionCounts())
        self._count(counts)
        if stored.released:
            self.count(RELEASED, stored.released)
        return counts

    def _store_rows(
        self,
        mailing_id: str,
        page: ParsedPage[RevisionItem],
        *,
        checkpoint: bool,
        validator: str = "",
    ) -> services.RevisionCounts:
        """A mailing's rows and, when asked, its checkpoint (rows read, the page's ETag)."""
        scope = f"mailing:{mailing_id}"
        cursor = {"papers": len(page.items), "validator": validator}
        return self._store(
            page,
            scope=scope,
            source=services.PAGE,
            key=lambda item: _row_key(page, item),
            checkpoint=(scope, cursor) if checkpoint else None,
        )

    def _count(self, counts: services.RevisionCounts) -> None:
        if counts.revisions.created:
            self.count(CREATED, counts.revisions.created)
        if counts.revisions.updated:
            self.count(UPDATED, counts.revisions.updated)
        if counts.authors.created:
            self.count("authors_created", counts.authors.created)

    def _retry_kept(self, mailing_ids: Sequence[str]) -> None:
        """Parse and store again the rows kept before this run, with today's code."""
        if self.dry_run:
            return
        for mailing_id in mailing_ids:
            scope = f"mailing:{mailing_id}"

            def attempt(payload: Any, url: str, mailing_id: str = mailing_id) -> None:
                page = parse_each([payload], parse_row, url=url)
                self._store_rows(mailing_id, page, checkpoint=False)

            retry_quarantined(collector=NAME, scope=scope, before=self.started, attempt=attempt)

        def attempt_index(payload: Any, url: str) -> None:
            page = parse_each(
                [payload], partial(parse_index_entry, origin=self.papers_url), url=url
            )
            self._store_index_batch(page, checkpoint=None)

        retry_quarantined(
            collector=NAME, scope=INDEX_SCOPE, before=self.started, attempt=attempt_index
        )

    # --- wg21.link's index --------------------------------------------------------

    def _index_window(self, item: RevisionItem) -> bool:
        if not (self.since or self.until):
            return True
        if item.document_date is None:
            return False
        month = f"{item.document_date:%Y-%m}"
        return (not self.since or month >= self.since) and (not self.until or month <= self.until)

    def _index_key(self) -> str:
        """The index checkpoint's key: one per selection, so a narrowed run has its own."""
        parts = [self.since or "", self.until or "", ",".join(sorted(self.papers))]
        return INDEX_SCOPE if not any(parts) else f"{INDEX_SCOPE}:{'|'.join(parts)}"

    def _read_index(self, fetcher: WG21Fetcher) -> None:
        """Fill gaps from wg21.link's index; an index already stored whole costs a 304."""
        report = MailingReport(INDEX, "wg21.link index")
        self.report.add(report)
        fetched = fetcher.index()
        report.not_modified = fetched.not_modified
        key = self._index_key()
        stored = get_checkpoint(collector=NAME, source_key=key) or {}
        if (
            fetched.not_modified
            and fetched.validator
            and not self.full
            and stored.get("validator") == fetched.validator
        ):
            return  # reported as "unchanged (304)"
        answer = fetcher.parse_index(fetched, papers=self.papers)
        items = [item for item in answer.page.items if self._index_window(item)]
        report.papers, report.quarantined = len(items), len(answer.page.bad)
        self.count(FETCHED, len(items))
        if self.dry_run:
            planned = services.plan_revisions(items=items, source=services.INDEX)
            report.created, report.updated = planned.created, planned.updated
            return
        total = services.RevisionCounts()
        batches = [items[i : i + INDEX_BATCH] for i in range(0, len(items), INDEX_BATCH)] or [[]]
        for number, batch in enumerate(batches):
            last = number == len(batches) - 1
            page = ParsedPage(
                items=batch, bad=answer.page.bad if last else [], _sources=answer.page._sources
            )
            cursor = {"validator": fetched.validator, "papers": len(items)} if last else None
            total += self._store_index_batch(page, checkpoint=(key, cursor) if cursor else None)
        report.created, report.updated = total.revisions.created, total.revisions.updated
        report.unchanged = total.revisions.unchanged

    def _store_index_batch(
        self, page: ParsedPage[RevisionItem], *, checkpoint: tuple[str, dict] | None
    ) -> services.RevisionCounts:
        """One batch of index entries (and, for the last, the index's checkpoint)."""
        return self._store(
            page,
            scope=INDEX_SCOPE,
            source=services.INDEX,
            key=lambda item: item.document_id,
            checkpoint=checkpoint,
        )

    # --- documents ----------------------------------------------------------------

    def _download(self, fetcher: WG21Fetcher, mailing_ids: Sequence[str]) -> None:
        """Fetch each revision's preferred file of the mailings read, and its text."""
        root = Path(settings.WORKSPACE_DIR) / "raw" / NAME
        for document_id, url, year in selectors.revisions_without_document(mailing_ids=mailing_ids):
            name = httpx.URL(url).path.rsplit("/", 1)[-1] or f"{document_id.lower()}"
            path = root / str(year) / name
            kind = file_format(url)
            try:
                downloaded = fetcher.document(
                    url, path=path, max_bytes=settings.WG21_MAX_DOCUMENT_BYTES
                )
            except NoNetworkError:
                raise
            except PAGE_FAILURES as exc:
                logger.warning(
                    "%s: download of %s failed: %s",
                    document_id,
                    url,
                    one_line(exc),
                    extra={"collector": NAME},
                )
                services.record_document(
                    document_id=document_id,
                    url=url,
                    file_format=kind,
                    status=TextStatus.FAILED,
                    note=one_line(exc, limit=500),
                )
                self.count("documents_failed")
                continue
            extracted = extract_text(downloaded.path, file_format=kind)
            services.record_document(
                document_id=document_id,
                url=url,
                file_format=kind,
                status=extracted.status,
                path=str(downloaded.path.relative_to(root)),
                size=downloaded.size,
                sha256=downloaded.sha256,
                note=extracted.note,
                text=extracted.text,
            )
            self.count("documents_downloaded")

    # --- search ---------------------------------------------------------------------

    def sync_pinecone(self) -> None:
        """Index what the run stored: the `wg21` search source, counted as `search_*`."""
        if self.dry_run:
            return
        sync_within_run(names=[search_documents.SOURCE], counters=self.counters)


def _reason(exc: BaseException) -> str:
    """The failure's own first line (the access layer's messages name the URL already)."""
    lines = str(exc).strip().splitlines()
    return redact(lines[0])[:300] if lines else type(exc).__name__


def _failure_list(failures: Sequence[tuple[str, BaseException]]) -> str:
    """`mailings 2023-01, 2023-02 (their page's error), index (its error)`: one error once."""
    groups: dict[int, tuple[list[str], BaseException]] = {}
    for name, exc in failures:
        groups.setdefault(id(exc), ([], exc))[0].append(name)
    parts = []
    for names, exc in groups.values():
        mailings = [n for n in names if n != INDEX]
        label = ", ".join(mailings) if mailings else INDEX
        noun = "" if not mailings else ("mailing " if len(mailings) == 1 else "mailings ")
        parts.append(f"{noun}{label} ({_reason(exc)})")
    return ", ".join(parts)


def _save_if_changed(source_key: str, cursor: dict) -> None:
    """Save a checkpoint inside the caller's transaction; an equal one is not rewritten."""
    if get_checkpoint(collector=NAME, source_key=source_key) != cursor:
        save_checkpoint(collector=NAME, source_key=source_key, cursor=cursor)


def _row_key(page: ParsedPage[RevisionItem], item: RevisionItem) -> str:
    """The quarantine key of an item: its row's key, as the parse failures are kept."""
    payload, _ = page.source_of(item)
    if isinstance(payload, dict) and isinstance(payload.get("key"), str):
        return payload["key"]
    return f"{item.mailing_id}:{item.document_id}"


def _only_papers(
    page: ParsedPage[RevisionItem], papers: frozenset[str]
) -> ParsedPage[RevisionItem]:
    items = [item for item in page.items if item.paper.paper_number in papers]
    return ParsedPage(items=items, bad=[], _sources=page._sources)
