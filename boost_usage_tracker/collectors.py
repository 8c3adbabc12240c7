"""`BoostUsageCollector`: find public code that includes Boost headers, and keep it current.

`--task search` (weekly) runs one search pass (all of Boost, or the `--library`
libraries) through the planner (`planner.py`: by file size, and by library where
size cannot cut a slice or where only some libraries are wanted and their own
queries cost less), storing each page's repositories and usages with the pass's
checkpoint in one transaction; a complete
pass marks the usages it did not see as missed (gone after
BOOST_USAGE_GONE_AFTER_RUNS passes in a row) and clears its checkpoint. Then the
details of repositories never read (stars, language, licence, dates, the build files
that say which Boost version they use) come from GraphQL, 25 a request.
`--task refresh` (monthly) re-reads every known repository, 100 node ids a GraphQL
request, marking the deleted and recording renames; its start time is its checkpoint,
so a stopped refresh goes on with the repositories it has not read yet.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from boost_library_tracker.selectors import HeaderMap, header_map, library_ids_by_key
from boost_usage_tracker import search_documents, selectors, services
from boost_usage_tracker.fetchers import (
    DETAILS_PER_QUERY,
    REFRESH_PER_QUERY,
    TEXT_MATCH,
    RepositoryFetcher,
    RequestBudget,
    RequestLimitReached,
    SearchFetcher,
    search_query,
    term_query,
)
from boost_usage_tracker.items import CodeHitItem
from boost_usage_tracker.planner import PlanState, covers, split_terms
from core.checkpoints import clear_checkpoint, get_checkpoint, save_checkpoint
from core.collectors import AbstractCollector
from core.http import HttpOptions
from core.http.clock import Clock, SystemClock
from core.runs import CREATED, FETCHED, UPDATED
from cppa_pinecone_sync.sync import sync_within_run

logger = logging.getLogger(__name__)

SEARCH, REFRESH, ALL = "search", "refresh", "all"
TASKS = (SEARCH, REFRESH, ALL)
REFRESH_KEY = "refresh"


def source_key_of(libraries: list[str]) -> str:
    """The checkpoint key of a pass: `all`, or `library:<key>[,<key>...]`."""
    return f"library:{','.join(libraries)}" if libraries else "all"


def pass_label(libraries: list[str]) -> str:
    """How the summary names a pass: its query, or its libraries' queries."""
    queries = [search_query(library=k) for k in libraries] or [search_query(library=None)]
    return " + ".join(queries)


def wanted_terms(libraries: list[str], headers: HeaderMap | None) -> list[str]:
    """The include prefixes of `libraries`' headers (`utility/call_traits`:
    `boost/call_traits`), or `boost/<key>` for a library the map does not list."""
    owners = dict(headers.owners) if headers else {}
    mapped = {k for k in owners.values() if k in libraries}
    found = split_terms({path: key for path, key in owners.items() if key in mapped})
    return sorted({*found, *(f"boost/{k}" for k in libraries if k not in mapped)})


def only_terms(hits: list[CodeHitItem], terms: list[str]) -> list[CodeHitItem]:
    """The hits with only the headers `terms` match (a --library pass keeps no other)."""
    kept = []
    for hit in hits:
        headers = tuple(h for h in hit.headers if any(covers(t, h) for t in terms))
        if headers:
            kept.append(replace(hit, headers=headers))
    return kept


class BoostUsageCollector(AbstractCollector):
    """Search for Boost usage and refresh the repositories found."""

    def __init__(
        self,
        *,
        task: str,
        libraries: list[str],
        max_requests: int,
        dry_run: bool,
        http: HttpOptions,
        clock: Clock | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.task = task
        self.libraries = list(dict.fromkeys(libraries))
        self.max_requests = max_requests
        self.dry_run = dry_run
        self.http = http
        self.clock = clock or SystemClock()
        self.budget = RequestBudget(limit=max_requests)

    @property
    def name(self) -> str:
        return "boost_usage_tracker"

    def validate_config(self) -> None:
        if self.task not in TASKS:
            raise CommandError(f"--task {self.task!r} is not valid; use search, refresh or all")
        if self.max_requests < 0:
            raise CommandError(
                f"--max-requests {self.max_requests} is negative; use 0 (no bound) or more"
            )
        unknown = sorted(set(self.libraries) - set(library_ids_by_key(self.libraries)))
        if unknown:
            raise CommandError(
                f"--library {', '.join(unknown)}: not in the Boost catalogue; run "
                "run_boost_library_tracker first or use a key such as asio or numeric/conversion"
            )
        replaying = self.http.replay_path is not None
        if not replaying and not (settings.GITHUB_TOKEN or settings.GITHUB_TOKENS):
            raise CommandError(
                "GitHub code search answers only authenticated requests; set GITHUB_TOKEN or "
                "GITHUB_TOKENS in .env"
            )

    def sync_pinecone(self) -> None:
        """Index what the run stored: the `boost_usage` search source, counted as `search_*`."""
        if self.dry_run:
            return
        sync_within_run(names=[search_documents.SOURCE], counters=self.counters)

    # --- the run ----------------------------------------------------------------

    def collect(self) -> None:
        if self.dry_run:
            self._print_plan()
            return
        hooks = {"counters": self.counters, "on_response": self.budget.on_response}
        try:
            with self.http.github_client(**hooks, clock=self.clock) as client:
                repositories = RepositoryFetcher(client, budget=self.budget)
                if self.task in (SEARCH, ALL):
                    with self.http.github_client(
                        **hooks, clock=self.clock, accept=TEXT_MATCH, conditional=False
                    ) as search_client:
                        fetcher = SearchFetcher(
                            search_client,
                            clock=self.clock,
                            budget=self.budget,
                            max_wait=float(settings.GITHUB_MAX_RATE_LIMIT_WAIT),
                        )
                        self._search(fetcher)
                self._read_new_details(repositories)
                if self.task in (REFRESH, ALL):
                    self._refresh(repositories)
        except RequestLimitReached:
            self.write(
                f"{self.name}: --max-requests {self.max_requests} reached; the next run "
                "resumes at its checkpoint",
                style="WARNING",
            )
        finally:
            for bucket, used in sorted(self.budget.by_bucket.items()):
                self.count(f"{bucket}_requests", used)

    def _print_plan(self) -> None:
        self.write(f"{self.name}: dry run, task {self.task}; nothing is asked or stored")
        if self.task in (SEARCH, ALL):
            cursor = get_checkpoint(collector=self.name, source_key=source_key_of(self.libraries))
            where = "a new pass"
            if cursor:
                state = PlanState.from_cursor(cursor)
                where = (
                    f"resumes its pass of {state.started_at}: {state.slices_done} slices "
                    f"read, next at size {state.main.next_low} of {state.max_size}"
                )
                if state.splits_left:
                    term, piece, page = state.next_request()
                    where += (
                        f"; {len(state.splits_left)} terms left of a {state.split_kind} "
                        f"split, next {term_query(term)!r} {piece.qualifier} page {page}"
                    )
            self.write(f"search {pass_label(self.libraries)!r}: {where}")
        unread = len(selectors.repositories_without_details(limit=10**9))
        self.write(
            f"details: {unread} repositories, {math.ceil(unread / DETAILS_PER_QUERY)} requests"
        )
        if self.task in (REFRESH, ALL):
            known = selectors.count_repositories()
            self.write(
                f"refresh: up to {known} repositories, "
                f"{math.ceil(known / REFRESH_PER_QUERY)} requests"
            )

    # --- search -----------------------------------------------------------------

    def _wanted(self, hit: CodeHitItem) -> bool:
        if hit.owner.lower() in settings.BOOST_USAGE_EXCLUDED_OWNERS:
            return False
        return settings.BOOST_USAGE_INCLUDE_FORKS or not hit.is_fork

    def _search(self, fetcher: SearchFetcher) -> None:
        headers = header_map()
        if headers is None:
            logger.warning(
                "no Boost release has a header map; usages are stored without their library "
                "(run backfill_boost_library_headers)",
                extra={"collector": self.name},
            )
        fetcher.read_budget()
        self.progress.watch_budget(fetcher.remaining)
        for libraries in self.progress.scopes([self.libraries], total=1, noun="query"):
            self._search_pass(fetcher, libraries=libraries, headers=headers)

    def _search_pass(
        self, fetcher: SearchFetcher, *, libraries: list[str], headers: HeaderMap | None
    ) -> None:
        key = source_key_of(libraries)
        label = pass_label(libraries)
        cursor = get_checkpoint(collector=self.name, source_key=key)
        if cursor:
            state = PlanState.from_cursor(cursor)
            self.write(f"{label}: resuming the pass of {state.started_at}")
        else:
            # The whole query is split by the header map's terms where size cannot cut
            # it; a --library pass is weighed by its libraries' own terms.
            terms = wanted_terms(libraries, headers) if libraries else []
            if not libraries and headers:
                terms = split_terms(headers.owners)
            state = PlanState.new(
                started_at=timezone.now().isoformat(),
                max_size=settings.BOOST_USAGE_MAX_FILE_SIZE,
                terms=terms,
                wanted=bool(libraries),
            )
        query = search_query(library=None)
        while not state.finished:
            term, piece, page = state.next_request()
            answer = fetcher.page(query=term_query(term) if term else query, piece=piece, page=page)
            kept = state.record(
                total=answer.total_count, incomplete=answer.incomplete, received=answer.received
            )
            hits = [h for h in answer.hits if self._wanted(h)] if kept else []
            if kept:
                self.count(FETCHED, answer.received)
                self.count("excluded", answer.received - len(hits))
            if state.wanted:
                hits = only_terms(hits, state.terms)
            with transaction.atomic():
                if hits:
                    self._store_hits(hits, headers)
                save_checkpoint(collector=self.name, source_key=key, cursor=state.as_cursor())
            stream = f"{term} {piece.qualifier}" if term else piece.qualifier
            self.progress.page(stream=f"{stream} p{page}", items=len(hits))
        self._finish_pass(state, key=key, label=label, libraries=libraries)

    def _store_hits(self, hits: list[CodeHitItem], headers: HeaderMap | None) -> None:
        found = {h for hit in hits for h in hit.headers}
        owners = {h: headers.library_of(h) if headers else None for h in found}
        counts = services.upsert_search_hits(
            hits=hits,
            owners=owners,
            header_version=headers.version if headers else "",
            seen_at=timezone.now(),
        )
        for written in (counts.repositories, counts.usages, counts.versions):
            self.count(CREATED, written.created)
            self.count(UPDATED, written.updated)

    def _finish_pass(self, state: PlanState, *, key: str, label: str, libraries: list[str]) -> None:
        started = datetime.fromisoformat(state.started_at)
        with transaction.atomic():
            missed, gone = services.mark_missed_usages(
                searched_since=started,
                gone_after=settings.BOOST_USAGE_GONE_AFTER_RUNS,
                library_keys=libraries or None,
            )
            clear_checkpoint(collector=self.name, source_key=key)
        self.count("slices", state.slices_done)
        if state.splits:
            self.count("narrowed_probes", state.splits)
        if gone:
            self.count("gone", gone)
        if state.library_splits:
            self.count("library_split_slices", len(state.library_splits))
            self.count("library_split_requests", state.split_requests)
        if state.route_probes:
            self.count("route_probes", state.route_probes)
        for low, high, total, term in state.capped:
            logger.warning(
                "%s size:%s..%s has %s results: only the first 1000 could be read",
                term_query(term) if term else search_query(library=None),
                low,
                high,
                total,
                extra={"collector": self.name},
            )
        if state.capped:
            self.count("capped_slices", len(state.capped))
        if state.incomplete:
            self.count("incomplete_slices", len(state.incomplete))
        split = ""
        if state.library_splits:
            split = (
                f", {len(state.library_splits)} split by library in {state.split_requests} requests"
            )
        route = ""
        if state.route_probes:
            route = f"; {state.route} route, chosen after {state.route_probes} library probes"
        self.write(
            f"{label}: pass complete in {state.slices_done} slices ({state.splits} narrowed"
            f"{split}){route}, {missed} usages not seen, {gone} marked gone"
        )

    # --- repository details and refresh ----------------------------------------

    def _read_new_details(self, fetcher: RepositoryFetcher) -> None:
        while batch := selectors.repositories_without_details(limit=DETAILS_PER_QUERY):
            found = fetcher.details([name for _, name in batch])
            now = timezone.now()
            items, missing = [], []
            for github_id, full_name in batch:
                item = found[full_name]
                if item is None or item.github_id != github_id:
                    missing.append(github_id)  # gone, or the name is another repository's now
                else:
                    items.append(item)
            with transaction.atomic():
                counts = services.record_repository_details(
                    items=items, read_at=now, with_files=True
                )
                deleted = services.mark_repositories_deleted(github_ids=missing, read_at=now)
            self.count(UPDATED, counts.updated)
            self.count(CREATED, counts.created)
            if deleted:
                self.count("deleted", deleted)

    def _refresh(self, fetcher: RepositoryFetcher) -> None:
        cursor = get_checkpoint(collector=self.name, source_key=REFRESH_KEY)
        started = datetime.fromisoformat(cursor["started_at"]) if cursor else timezone.now()
        if not cursor:
            with transaction.atomic():
                save_checkpoint(
                    collector=self.name,
                    source_key=REFRESH_KEY,
                    cursor={"started_at": started.isoformat()},
                )
        refreshed = 0
        while batch := selectors.repositories_to_refresh(
            read_before=started, limit=REFRESH_PER_QUERY
        ):
            found = fetcher.refreshed([node for _, node in batch])
            now = timezone.now()
            items = [item for item in found.values() if item is not None]
            missing = [github_id for github_id, node in batch if found[node] is None]
            with transaction.atomic():
                counts = services.record_repository_details(
                    items=items, read_at=now, with_files=False
                )
                deleted = services.mark_repositories_deleted(github_ids=missing, read_at=now)
            refreshed += len(batch)
            self.count(UPDATED, counts.updated)
            if deleted:
                self.count("deleted", deleted)
        with transaction.atomic():
            clear_checkpoint(collector=self.name, source_key=REFRESH_KEY)
        self.write(f"refresh: {refreshed} repositories re-read")
