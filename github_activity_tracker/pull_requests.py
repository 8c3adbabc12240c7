"""The GraphQL pull request stream of `GitHubActivityCollector`: merge data and reviews.

With GITHUB_ACTIVITY_PULLS_FROM=graphql (the default) the issue list stores every
pull request's issue row as before, and this stream stores the merge data
(`PullRequest`) and the reviews in pages of many pull requests per query (see
`github_activity_tracker.graphql`), instead of two REST requests per pull request.

When it runs: GraphQL has no conditional requests, so the stream asks nothing unless
a pull request's issue row, refreshed by the (conditional) issue list, is newer than
its checkpoint: an unchanged run costs no GraphQL point. It reads newest update first
and stops at the first pull request older than the checkpoint minus
GITHUB_ACTIVITY_OVERLAP_DAYS. Each page is stored in one transaction with a cursor
`{"updated_at": <old>, "newest": <so far>, "after": <end cursor>}`, so a killed run
resumes after the last stored page; the finished stream saves `{"updated_at": newest}`.
`--since/--until` read that window and leave the checkpoint alone; `--full` ignores it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

from core.bad_items import ParsedPage
from core.checkpoints import get_checkpoint, save_checkpoint
from core.http import GitHubClient
from core.quarantine import StoredPage
from github_activity_tracker import selectors, services
from github_activity_tracker.graphql import (
    PullRequestGraphQLFetcher,
    PullRequestPage,
    node_reviews,
    parse_pull_request,
    parse_review,
)
from github_activity_tracker.models import Repository

logger = logging.getLogger(__name__)

GRAPHQL = "graphql"
REST = "rest"
PULLS_FROM = (GRAPHQL, REST)
STREAM = "pull_requests"
# Quarantine scope of GraphQL pull request nodes (their reviews inside): kept apart from
# the REST `/pulls/{n}` payloads, which another parser reads.
GRAPHQL_SCOPE = "graphql_pull_requests"
GRAPHQL_REVIEWS = "graphql_reviews"
GRAPHQL_POINTS = "graphql_points"
SKIPPED = "graphql_skipped"


def pulls_from() -> str:
    """GITHUB_ACTIVITY_PULLS_FROM, checked: `graphql` or `rest`."""
    return str(getattr(settings, "GITHUB_ACTIVITY_PULLS_FROM", GRAPHQL) or GRAPHQL).lower()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


class GraphQLPullRequests:
    """Mixin of `GitHubActivityCollector`: the pull request stream read through GraphQL."""

    # Provided by GitHubActivityCollector.
    name: Any
    full: bool
    since: datetime | None
    until: datetime | None
    windowed: bool
    count: Any
    write: Any
    _store_page: Any
    _store: Any
    _detail_page: Any

    def _graphql_pull_requests(self, client: GitHubClient, repository: Repository) -> None:
        key = f"{repository.full_name}:{STREAM}"
        fresh = self.full or self.windowed
        cursor: dict = {} if fresh else get_checkpoint(collector=self.name, source_key=key) or {}
        newest_issue = selectors.newest_pull_request_update(repository=repository)
        if not fresh and not cursor.get("after"):
            known = _moment(cursor["updated_at"]) if cursor.get("updated_at") else None
            if newest_issue is None or (known is not None and newest_issue <= known):
                return
        floor = self._floor(cursor)
        newest = _moment(cursor["newest"]) if cursor.get("newest") else None
        fetcher = PullRequestGraphQLFetcher(
            client,
            repository.full_name,
            page_size=settings.GITHUB_ACTIVITY_GRAPHQL_PAGE,
            review_page=settings.GITHUB_ACTIVITY_GRAPHQL_REVIEWS,
            on_cost=lambda cost: self.count(GRAPHQL_POINTS, cost),
        )
        for page in fetcher.pages(after=cursor.get("after"), since=floor):
            stored = self._graphql_page(repository, page)
            newest = max([*stored, *_known(newest)], default=None)
            if not page.has_next_page:
                break
            if not self.windowed:
                resume = {
                    "updated_at": cursor.get("updated_at"),
                    "newest": newest.isoformat() if newest else None,
                    "after": page.end_cursor,
                }
                with transaction.atomic():
                    save_checkpoint(collector=self.name, source_key=key, cursor=resume)
        done = [*_known(newest), *_known(newest_issue)]
        if not self.windowed and done:
            with transaction.atomic():
                save_checkpoint(
                    collector=self.name,
                    source_key=key,
                    cursor={"updated_at": max(done).isoformat()},
                )

    def _floor(self, cursor: dict) -> datetime | None:
        """Pull requests updated before this moment are not read (None: read all)."""
        if self.windowed:
            return self.since
        if not cursor.get("updated_at"):
            return None
        return _moment(cursor["updated_at"]) - timedelta(days=settings.GITHUB_ACTIVITY_OVERLAP_DAYS)

    def _graphql_page(self, repository: Repository, page: PullRequestPage) -> list[datetime]:
        """Store the page's pull requests (within the window) whose issue rows exist.

        Returns the update times of the pull requests stored: an issue row the issue
        list has not brought yet (a pull request opened a moment ago) waits for the
        next run, whose issue list brings it and so reopens this stream.
        """
        for note in page.skipped:
            line = f"{repository.full_name}: {note}; its stored merge data and reviews are kept"
            logger.warning(line, extra={"collector": self.name, "repo": repository.full_name})
            self.write(line, style="WARNING")
            self.count(SKIPPED)
        wanted = {
            number
            for number, moment in page.updated.items()
            if self.until is None or moment <= self.until
        }
        present = selectors.stored_issue_numbers(repository=repository, numbers=wanted)
        with transaction.atomic():
            merges, reviewed = self._store_pulls(
                repository,
                page.pulls,
                page.reviews,
                numbers=present,
                scopes=(GRAPHQL_SCOPE, GRAPHQL_REVIEWS),
            )
        pulls = [p for p in page.pulls.items if p.number in present]
        self._store(pulls, *merges.results, *reviewed.results)
        return [page.updated[p.number] for p in merges.stored]

    def _store_pulls(
        self,
        repository: Repository,
        pulls: ParsedPage,
        reviews: ParsedPage,
        *,
        numbers: set[int],
        scopes: tuple[str, str],
    ) -> tuple[StoredPage, StoredPage]:
        """Store the merge data and the reviews of the pull requests `numbers` (those
        whose issue rows are stored)."""
        merges = self._store_page(
            repository,
            scopes[0],
            pulls,
            lambda chunk: services.ingest_pull_requests(repository=repository, items=chunk),
            items=[p for p in pulls.items if p.number in numbers],
        )
        reviewed = self._store_page(
            repository,
            scopes[1],
            reviews,
            lambda chunk: services.ingest_reviews(repository=repository, items=chunk),
            items=[r for r in reviews.items if r.pull_number in numbers],
        )
        return merges, reviewed

    def _graphql_retries(self, repository: Repository) -> dict[str, tuple[Callable, Callable]]:
        """The `_retry_quarantined` handlers of this stream's scopes: parse, then store."""
        return {
            GRAPHQL_SCOPE: (_retry_node, partial(self._graphql_retry, repository)),
            # Reviews alone, as the REST path retries its own (the scope picks the table).
            GRAPHQL_REVIEWS: (
                parse_review,
                partial(self._detail_page, repository, GRAPHQL_REVIEWS),
            ),
        }

    def _graphql_retry(self, repository: Repository, page: ParsedPage) -> None:
        """Store a kept pull request node again, with the reviews inside it."""
        sources = {id(p): page.source_of(pair) for pair in page.items for p in pair[:1]}
        pulls = ParsedPage(items=[p for p, _ in page.items], bad=page.bad, _sources=sources)
        found = PullRequestPage(
            pulls=pulls,
            reviews=ParsedPage.join(r for _, r in page.items),
            updated={p.number: p.updated_at for p, _ in page.items},
            end_cursor=None,
            has_next_page=False,
        )
        self._graphql_page(repository, found)


def _known(moment: datetime | None) -> list[datetime]:
    return [] if moment is None else [moment]


def _retry_node(value: Any, *, url: str) -> tuple[Any, ParsedPage]:
    """A kept pull request node parsed again: the item and the reviews inside it."""
    return parse_pull_request(value, url=url), node_reviews(value, url=url)
