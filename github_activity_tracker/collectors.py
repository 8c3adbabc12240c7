"""`GitHubActivityCollector`: repository metadata, releases, commits, issues, pull
requests, reviews and comments of the tracked repositories, incrementally.

Checkpoints, one per (repository, stream), saved in the same transaction as the page
they cover:

- issues, comments, review comments: the newest `updated_at` stored. The next run asks
  from that moment minus GITHUB_ACTIVITY_OVERLAP_DAYS, so items whose update became
  visible late are read again; upserts on GitHub ids make the overlap write nothing.
  When a read moved the checkpoint, the stream is read once more from the new one:
  the URLs the next run will ask are then in the ETag cache, so an unchanged next run
  is answered 304 throughout.
- commits: the default branch head whose history is fully stored. The next run reads
  the compare of that head with the new one: every commit reachable from the new head
  and not from the old, whatever its commit date, so a long-lived branch merged late
  is stored too. The head moves only after the whole compare is stored; an interrupted
  run re-reads it and stores only the SHAs still missing (details are fetched only for
  those).

`--since`/`--until` read a window (a backfill) and leave the checkpoints alone; `--full`
ignores them and re-reads everything, then saves new ones. A 404 repository is recorded
as deleted and a renamed one (301, followed) as renamed, and the run goes on. Any other
failure (a rate limit that would wait too long included) ends the run: every page
before it is stored with its checkpoint, so the next run resumes there. One item that
cannot be parsed or stored is quarantined (`core.quarantine`) and its stream goes on;
after its streams, each repository's kept items are parsed and stored again.

After the repositories, the account profile step (`github_activity_tracker.profiles`)
reads the names, companies and web sites of the accounts that need it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from boost_library_tracker.selectors import library_repo_names
from core.bad_items import ParsedPage, parse_each
from core.checkpoints import get_checkpoint, save_checkpoint
from core.collectors import AbstractCollector
from core.dates import parse_window
from core.http import GitHubClient, HttpOptions
from core.http.github import full_name_problem
from core.quarantine import (
    QUARANTINED,
    RELEASED,
    StoredPage,
    quarantine_items,
    release_items,
    retry_quarantined,
    store_page,
)
from core.runs import CREATED, FETCHED, UPDATED
from core.selectors import count_quarantined
from cppa_pinecone_sync.sync import sync_within_run
from github_activity_tracker import (
    budget,
    git_history,
    parsers,
    search_documents,
    selectors,
    services,
)
from github_activity_tracker.budget import BucketMeter, remaining_counters
from github_activity_tracker.fetchers import GitHubActivityFetcher, RepositoryGone
from github_activity_tracker.items import PULL_REQUEST
from github_activity_tracker.models import Repository, RepositoryStatus
from github_activity_tracker.profiles import AccountProfiles, account_ids, refresh_days
from github_activity_tracker.pull_requests import (
    GRAPHQL,
    PULLS_FROM,
    GraphQLPullRequests,
    pulls_from,
)
from github_activity_tracker.services import TableCounts

logger = logging.getLogger(__name__)

NAME = "github_activity_tracker"
ISSUES, COMMENTS, REVIEW_COMMENTS, COMMITS = "issues", "comments", "review_comments", "commits"
# Scopes of quarantined items that are not checkpointed streams of their own.
REPOSITORY, RELEASES, PULL_REQUESTS, REVIEWS = "repository", "releases", "pull_requests", "reviews"
SETTLE_PASSES = 3


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _resume_from(cursor: dict | None) -> datetime | None:
    """Where a time-ordered stream is read from: its checkpoint minus the overlap window."""
    if not cursor:
        return None
    return _moment(cursor["updated_at"]) - timedelta(days=settings.GITHUB_ACTIVITY_OVERLAP_DAYS)


def _reparse(
    parse: Callable[..., Any], handle: Callable[[ParsedPage], None]
) -> Callable[[Any, str], None]:
    """Turn a kept payload back into a page of one item and store it like a stream page."""
    return lambda payload, url: handle(parse_each([payload], parse, url=url))


def check_repo(value: str, *, where: str = "--repo", example: str = "--repo boostorg/json") -> str:
    """Return `value` as owner/name; a name GitHub would refuse is a one-line CommandError."""
    full_name = value.strip()
    problem = full_name_problem(full_name)
    if problem is not None:
        raise CommandError(f"{where} {value!r} {problem}; e.g. {example}")
    return full_name


def default_repos() -> list[str]:
    """GITHUB_ACTIVITY_REPOS when set, else the catalogue's library repositories + boost."""
    if settings.GITHUB_ACTIVITY_REPOS:
        example = "GITHUB_ACTIVITY_REPOS=boostorg/json,boostorg/url"
        return [
            check_repo(r, where="GITHUB_ACTIVITY_REPOS entry", example=example)
            for r in settings.GITHUB_ACTIVITY_REPOS
        ]
    names = ["boost", *library_repo_names()]
    return [f"boostorg/{name}" for name in dict.fromkeys(names)]


class GitHubActivityCollector(GraphQLPullRequests, AccountProfiles, AbstractCollector):
    """Collect the activity of the repositories (owner/name), each stream from its checkpoint."""

    def __init__(
        self,
        *,
        repos: list[str] | None,
        http: HttpOptions,
        since: str | None = None,
        until: str | None = None,
        full: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.requested_repos = repos or []
        self.repos: list[str] = []
        self.http = http
        self.since_text, self.until_text = since, until
        self.since: datetime | None = None
        self.until: datetime | None = None
        self.full = full
        self.started = timezone.now()
        self.commits_from = git_history.API
        self.git = git_history.GitHistory(self)
        self.graphql_pulls = True
        # GitHub ids of the accounts in the pages this run stored (the profile step).
        self.seen_accounts: set[int] = set()

    @property
    def name(self) -> str:
        return NAME

    @property
    def windowed(self) -> bool:
        return self.since is not None or self.until is not None

    def validate_config(self) -> None:
        self.since, self.until = parse_window(self.since_text, self.until_text)
        self.repos = [check_repo(r) for r in self.requested_repos] or default_repos()
        if pulls_from() not in PULLS_FROM:
            raise CommandError(
                f"GITHUB_ACTIVITY_PULLS_FROM={pulls_from()!r} is not one of "
                f"{', '.join(PULLS_FROM)}; set it in .env"
            )
        self.graphql_pulls = pulls_from() == GRAPHQL
        self.commits_from = git_history.commits_source()

    def collect(self) -> None:
        self.started = timezone.now()
        meter = BucketMeter(self.counters)
        with self.http.github_client(counters=self.counters, on_response=meter) as client:
            self.progress.watch_budget(lambda: client.rate_limit_remaining)
            repos = self.progress.scopes(self.repos, total=len(self.repos), noun="repository")
            try:
                for full_name in repos:
                    self._collect_repository(client, full_name)
                self._account_profiles(client)
            finally:
                remaining_counters(client.tokens, self.counters)
        # Counted once at the end: the settling pass may meet the same bad item twice.
        kept = count_quarantined(collector=NAME, since=self.started)
        if kept:
            self.count(QUARANTINED, kept)

    def plan(self) -> None:
        """Write what a run would cost, by bucket, without collecting (`--plan`)."""
        self.validate_config()
        tracked = {
            r
            for r in self.repos
            if get_checkpoint(collector=NAME, source_key=f"{r}:{ISSUES}") is not None
        }
        with self.http.github_client() as client:
            budget.plan(
                client=client,
                repos=self.repos,
                tracked=tracked,
                commits_from=self.commits_from,
                pulls_from=pulls_from(),
                write=self.write,
                profiles=budget.profiles_due(refresh_days=refresh_days()),
            )

    def sync_pinecone(self) -> None:
        """Index what the run stored: the `github` search source, counted as `search_*`.

        Only rows our database changed since the source's watermark are read, so an
        unchanged run costs one query and writes nothing.
        """
        sync_within_run(names=[search_documents.SOURCE], counters=self.counters)

    # --- one repository -------------------------------------------------------

    def _collect_repository(self, client: GitHubClient, full_name: str) -> None:
        fetcher = GitHubActivityFetcher(client, full_name)
        try:
            answer = fetcher.repository()
        except RepositoryGone:
            self._record_missing(full_name, status=RepositoryStatus.DELETED)
            return
        scope = f"{full_name}:{REPOSITORY}"
        if answer.bad:
            # Nothing of a repository whose metadata cannot be read is collected; it is
            # read again (and released) by the next run.
            bad = [replace(b, key=full_name) for b in answer.bad]
            quarantine_items(collector=NAME, scope=scope, items=bad)
            return
        (item,) = answer.items
        self._tally(services.upsert_repositories(items=[item]))
        self._count_released(release_items(collector=NAME, scope=scope, keys=[full_name]))
        repository = selectors.get_repository(github_id=item.github_id)
        if item.full_name.lower() != full_name.lower():
            self._record_missing(full_name, status=RepositoryStatus.RENAMED, to=item.full_name)
            fetcher = GitHubActivityFetcher(client, item.full_name)
        for page in fetcher.releases():
            self._release_page(repository, page)
        self._commits(fetcher, repository, branch=item.default_branch)
        self._issues(fetcher, repository)
        if self.graphql_pulls:
            self._graphql_pull_requests(client, repository)
        self._comments(fetcher, repository, stream=COMMENTS)
        self._comments(fetcher, repository, stream=REVIEW_COMMENTS)
        self._retry_quarantined(fetcher, repository)
        if self.commits_from == git_history.GIT:
            self.git.retry(repository)

    def _record_missing(self, full_name: str, *, status: str, to: str = "") -> None:
        services.mark_repository_missing(full_name=full_name, status=status, renamed_to=to)
        self.count(str(status))
        note = f"{full_name}: {status}" + (f" to {to}" if to else "") + "; recorded"
        logger.warning(note, extra={"collector": NAME, "repo": full_name})
        self.write(note, style="WARNING")

    # --- streams --------------------------------------------------------------

    def _commits(self, fetcher: GitHubActivityFetcher, repository: Repository, *, branch: str):
        if self.commits_from == git_history.GIT:
            self.git.collect(fetcher, repository, branch=branch)
            return
        key = f"{repository.full_name}:{COMMITS}"
        cursor = None if self.full else get_checkpoint(collector=NAME, source_key=key)
        if self.windowed:
            pages = fetcher.commits(branch=branch, since=self.since, until=self.until)
            head = None
        else:
            head = fetcher.branch_head(branch)
            if cursor and cursor.get("head") == head:
                return
            pages = (
                fetcher.new_commits(base=cursor["head"], head=head)
                if cursor
                else fetcher.commits(branch=branch)
            )
        for page in pages:
            with transaction.atomic():
                self._commit_page(fetcher, repository, page)
        if head is not None:
            with transaction.atomic():
                save_checkpoint(collector=NAME, source_key=key, cursor={"head": head})

    def _commit_page(
        self, fetcher: GitHubActivityFetcher, repository: Repository, page: ParsedPage
    ) -> None:
        """Store a page of listed commits, reading the details of those not stored yet."""
        shas = [c.sha for c in page.items]
        known = selectors.stored_commit_shas(repository=repository, shas=shas)
        details = ParsedPage.join(fetcher.commit(c.sha) for c in page.items if c.sha not in known)
        both = ParsedPage.join([page, details])
        fresh = [c for c in page.items if c.sha in known] + details.items
        stored = self._store_page(
            repository,
            COMMITS,
            both,
            lambda chunk: services.ingest_commits(repository=repository, items=chunk),
            items=fresh,
        )
        self._store(page.items, *stored.results)

    def _release_page(self, repository: Repository, page: ParsedPage) -> None:
        stored = self._store_page(
            repository,
            RELEASES,
            page,
            lambda chunk: services.ingest_releases(repository=repository, items=chunk),
        )
        self._store(page.items, *stored.results)

    def _start(self, repository: Repository, stream: str) -> tuple[str, datetime | None]:
        """The checkpoint key of a stream and the moment to read from."""
        key = f"{repository.full_name}:{stream}"
        if self.windowed:
            return key, self.since
        cursor = None if self.full else get_checkpoint(collector=NAME, source_key=key)
        return key, _resume_from(cursor)

    def _within(self, items: list) -> list:
        return [i for i in items if self.until is None or i.updated_at <= self.until]

    def _settle(self, repository: Repository, stream: str, read: Callable) -> None:
        """Read a stream with `read(key, since)`; then again from the checkpoint it saved.

        The extra pass asks exactly the URLs the next run will ask (`since` = the new
        checkpoint minus the overlap), so their ETags are stored now: when nothing
        changes before the next run, every one of its list requests is answered 304 and
        costs no rate limit. It costs a page per stream, and only when the checkpoint
        moved; a stream that keeps moving (a very busy thread) stops after SETTLE_PASSES.
        """
        key, since = self._start(repository, stream)
        for _ in range(SETTLE_PASSES):
            before = get_checkpoint(collector=NAME, source_key=key)
            read(key, since)
            after = get_checkpoint(collector=NAME, source_key=key)
            if self.windowed or not after or after == before:
                return
            since = _resume_from(after)

    def _issues(self, fetcher: GitHubActivityFetcher, repository: Repository) -> None:
        def read(key: str, since: datetime | None) -> None:
            for page in fetcher.issues(since=since):
                self._issue_page(fetcher, repository, page, checkpoint=key)

        self._settle(repository, ISSUES, read)

    def _issue_page(
        self,
        fetcher: GitHubActivityFetcher,
        repository: Repository,
        page: ParsedPage,
        *,
        checkpoint: str | None,
    ) -> None:
        """Store a page of issues, with the merge data and reviews of its pull requests."""
        items = self._within(page.items)
        # With GraphQL, merge data and reviews come from the pull request stream.
        rest = not self.graphql_pulls
        pulls = [i.number for i in items if i.category == PULL_REQUEST and rest]
        details = ParsedPage.join(fetcher.pull_request(n) for n in pulls)
        reviews = ParsedPage.join(fetcher.reviews(n) for n in pulls)
        with transaction.atomic():
            issues = self._store_page(
                repository,
                ISSUES,
                page,
                lambda chunk: services.ingest_issues(repository=repository, items=chunk),
                items=items,
            )
            # Merge data and reviews of an issue that was quarantined come with its retry.
            stored = {i.number for i in issues.stored}
            merges, reviewed = self._store_pulls(
                repository, details, reviews, numbers=stored, scopes=(PULL_REQUESTS, REVIEWS)
            )
            self._save(checkpoint, items)
        self._store(items, *issues.results, *merges.results, *reviewed.results)

    def _comments(self, fetcher: GitHubActivityFetcher, repository: Repository, *, stream: str):
        def read(key: str, since: datetime | None) -> None:
            list_pages = fetcher.comments if stream == COMMENTS else fetcher.review_comments
            for page in list_pages(since=since):
                self._comment_page(fetcher, repository, page, stream=stream, checkpoint=key)

        self._settle(repository, stream, read)

    def _comment_page(
        self,
        fetcher: GitHubActivityFetcher,
        repository: Repository,
        page: ParsedPage,
        *,
        stream: str,
        checkpoint: str | None,
    ) -> None:
        """Store a page of (review) comments, reading first the issues not stored yet."""
        ingest = services.ingest_comments if stream == COMMENTS else services.ingest_review_comments
        items = self._within(page.items)
        numbers = {getattr(i, "issue_number", None) or i.pull_number for i in items}
        stored = selectors.stored_issue_numbers(repository=repository, numbers=numbers)
        # An issue updated after --until (or outside the window) has comments in it.
        missing = ParsedPage.join(fetcher.issue(n) for n in sorted(numbers - stored))
        with transaction.atomic():
            issues = self._store_page(
                repository,
                ISSUES,
                missing,
                lambda chunk: services.ingest_issues(repository=repository, items=chunk),
            )
            comments = self._store_page(
                repository,
                stream,
                page,
                lambda chunk: ingest(repository=repository, items=chunk),
                items=items,
            )
            self._save(checkpoint, items)
        self._store(items, *issues.results, *comments.results)

    def _save(self, key: str | None, items: list) -> None:
        """Advance a time checkpoint to the page's newest update (never backwards)."""
        if key is None or self.windowed or not items:
            return
        newest = max(i.updated_at for i in items)
        cursor = get_checkpoint(collector=NAME, source_key=key)
        if cursor and _moment(cursor["updated_at"]) >= newest:
            return
        save_checkpoint(collector=NAME, source_key=key, cursor={"updated_at": newest.isoformat()})

    # --- bad items ------------------------------------------------------------

    def _store_page(
        self,
        repository: Repository,
        stream: str,
        page: ParsedPage,
        store: Callable[[Any], TableCounts],
        *,
        items: list | None = None,
    ) -> StoredPage:
        """Store a page with `core.quarantine.store_page`, counting what it kept and released."""
        self.progress.page(stream=stream, items=len(page.items) + len(page.bad))
        self.seen_accounts |= account_ids(page.items)
        stored = store_page(
            collector=NAME,
            scope=f"{repository.full_name}:{stream}",
            page=page,
            store=store,
            key=lambda item: item.source_id,
            items=items,
        )
        self._count_released(stored.released)
        return stored

    def _retry_quarantined(self, fetcher: GitHubActivityFetcher, repository: Repository) -> None:
        """Give the items kept by earlier runs another try, with today's parsers and services.

        The stored payload is parsed again rather than fetched again: a fix on our side
        (a parser, a wider column, the NUL filter) is what most failures wait for, and
        it costs no request; an item the source corrects gets a new `updated_at`, so
        its stream reads it again anyway and releases it.
        """
        handlers: dict[str, tuple[Callable[..., Any], Callable[[ParsedPage], None]]] = {
            RELEASES: (parsers.parse_release, partial(self._release_page, repository)),
            COMMITS: (parsers.parse_commit, partial(self._commit_page, fetcher, repository)),
            ISSUES: (
                parsers.parse_issue,
                partial(self._issue_page, fetcher, repository, checkpoint=None),
            ),
            PULL_REQUESTS: (
                parsers.parse_pull_request,
                partial(self._detail_page, repository, PULL_REQUESTS),
            ),
            REVIEWS: (parsers.parse_review, partial(self._detail_page, repository, REVIEWS)),
            COMMENTS: (
                parsers.parse_comment,
                partial(self._comment_page, fetcher, repository, stream=COMMENTS, checkpoint=None),
            ),
            REVIEW_COMMENTS: (
                parsers.parse_review_comment,
                partial(
                    self._comment_page,
                    fetcher,
                    repository,
                    stream=REVIEW_COMMENTS,
                    checkpoint=None,
                ),
            ),
        }
        handlers.update(self._graphql_retries(repository))
        for stream, (parse, handle) in handlers.items():
            retry_quarantined(
                collector=NAME,
                scope=f"{repository.full_name}:{stream}",
                before=self.started,
                attempt=_reparse(parse, handle),
            )

    def _detail_page(self, repository: Repository, stream: str, page: ParsedPage) -> None:
        """Store pull request merge data or reviews alone (a retried one)."""
        ingest = (
            services.ingest_pull_requests if stream == PULL_REQUESTS else services.ingest_reviews
        )
        with transaction.atomic():
            stored = self._store_page(
                repository, stream, page, lambda chunk: ingest(repository=repository, items=chunk)
            )
        self._store(page.items, *stored.results)

    # --- counting -------------------------------------------------------------

    def _store(self, items: list, *counts: TableCounts) -> None:
        self.count(FETCHED, len(items))
        for table_counts in counts:
            self._tally(*table_counts.values())

    def _count_released(self, released: int) -> None:
        """Quarantined items stored at last; shown only when there are any."""
        if released:
            self.count(RELEASED, released)

    def _tally(self, *counts: Any) -> None:
        for c in counts:
            self.count(CREATED, c.created)
            self.count(UPDATED, c.updated)
