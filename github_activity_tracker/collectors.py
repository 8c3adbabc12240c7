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
before it is stored with its checkpoint, so the next run resumes there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from boost_library_tracker.selectors import library_repo_names
from core.checkpoints import get_checkpoint, save_checkpoint
from core.collectors import AbstractCollector
from core.http import GitHubClient, HttpOptions
from core.http.github import full_name_problem
from core.runs import CREATED, FETCHED, UPDATED
from github_activity_tracker import selectors, services
from github_activity_tracker.fetchers import GitHubActivityFetcher, RepositoryGone
from github_activity_tracker.items import PULL_REQUEST
from github_activity_tracker.models import Repository, RepositoryStatus
from github_activity_tracker.services import TableCounts

logger = logging.getLogger(__name__)

NAME = "github_activity_tracker"
ISSUES, COMMENTS, REVIEW_COMMENTS, COMMITS = "issues", "comments", "review_comments", "commits"
SETTLE_PASSES = 3


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _resume_from(cursor: dict | None) -> datetime | None:
    """Where a time-ordered stream is read from: its checkpoint minus the overlap window."""
    if not cursor:
        return None
    return _moment(cursor["updated_at"]) - timedelta(days=settings.GITHUB_ACTIVITY_OVERLAP_DAYS)


def parse_utc_date(flag: str, value: str | None) -> datetime | None:
    """Read a YYYY-MM-DD flag value as midnight UTC; a bad value is a one-line CommandError."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise CommandError(f"{flag} {value!r} is not a date; use YYYY-MM-DD (UTC)") from None


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


class GitHubActivityCollector(AbstractCollector):
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

    @property
    def name(self) -> str:
        return NAME

    @property
    def windowed(self) -> bool:
        return self.since is not None or self.until is not None

    def validate_config(self) -> None:
        self.since = parse_utc_date("--since", self.since_text)
        until = parse_utc_date("--until", self.until_text)
        self.until = None if until is None else until + timedelta(days=1, microseconds=-1)
        if self.since and self.until and self.since > self.until:
            raise CommandError(f"--since {self.since_text} is after --until {self.until_text}")
        self.repos = [check_repo(r) for r in self.requested_repos] or default_repos()

    def collect(self) -> None:
        with self.http.github_client(counters=self.counters) as client:
            for full_name in self.repos:
                self._collect_repository(client, full_name)

    # --- one repository -------------------------------------------------------

    def _collect_repository(self, client: GitHubClient, full_name: str) -> None:
        fetcher = GitHubActivityFetcher(client, full_name)
        try:
            item = fetcher.repository()
        except RepositoryGone:
            self._record_missing(full_name, status=RepositoryStatus.DELETED)
            return
        self._tally(services.upsert_repositories(items=[item]))
        repository = selectors.get_repository(github_id=item.github_id)
        if item.full_name.lower() != full_name.lower():
            self._record_missing(full_name, status=RepositoryStatus.RENAMED, to=item.full_name)
            fetcher = GitHubActivityFetcher(client, item.full_name)
        for page in fetcher.releases():
            self._store(page, services.ingest_releases(repository=repository, items=page))
        self._commits(fetcher, repository, branch=item.default_branch)
        self._issues(fetcher, repository)
        self._comments(fetcher, repository, stream=COMMENTS)
        self._comments(fetcher, repository, stream=REVIEW_COMMENTS)

    def _record_missing(self, full_name: str, *, status: str, to: str = "") -> None:
        services.mark_repository_missing(full_name=full_name, status=status, renamed_to=to)
        self.count(str(status))
        note = f"{full_name}: {status}" + (f" to {to}" if to else "") + "; recorded"
        logger.warning(note, extra={"collector": NAME, "repo": full_name})
        self.write(note, style="WARNING")

    # --- streams --------------------------------------------------------------

    def _commits(self, fetcher: GitHubActivityFetcher, repository: Repository, *, branch: str):
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
            known = selectors.stored_commit_shas(repository=repository, shas=[c.sha for c in page])
            fresh = [fetcher.commit(c.sha) if c.sha not in known else c for c in page]
            self._store(page, services.ingest_commits(repository=repository, items=fresh))
        if head is not None:
            with transaction.atomic():
                save_checkpoint(collector=NAME, source_key=key, cursor={"head": head})

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
                items = self._within(page)
                pulls = [i.number for i in items if i.category == PULL_REQUEST]
                details = [fetcher.pull_request(n) for n in pulls]
                reviews = [r for n in pulls for r in fetcher.reviews(n)]
                with transaction.atomic():
                    counts = services.ingest_issues(repository=repository, items=items)
                    counts |= services.ingest_pull_requests(repository=repository, items=details)
                    reviewed = services.ingest_reviews(repository=repository, items=reviews)
                    self._save(key, items)
                self._store(items, counts, reviewed)

        self._settle(repository, ISSUES, read)

    def _comments(self, fetcher: GitHubActivityFetcher, repository: Repository, *, stream: str):
        list_pages = fetcher.comments if stream == COMMENTS else fetcher.review_comments
        ingest = services.ingest_comments if stream == COMMENTS else services.ingest_review_comments

        def read(key: str, since: datetime | None) -> None:
            for page in list_pages(since=since):
                items = self._within(page)
                numbers = {getattr(i, "issue_number", None) or i.pull_number for i in items}
                stored = selectors.stored_issue_numbers(repository=repository, numbers=numbers)
                # An issue updated after --until (or outside the window) has comments in it.
                missing = [fetcher.issue(n) for n in sorted(numbers - stored)]
                with transaction.atomic():
                    counts = services.ingest_issues(repository=repository, items=missing)
                    counts |= ingest(repository=repository, items=items)
                    self._save(key, items)
                self._store(items, counts)

        self._settle(repository, stream, read)

    def _save(self, key: str, items: list) -> None:
        """Advance a time checkpoint to the page's newest update (never backwards)."""
        if self.windowed or not items:
            return
        newest = max(i.updated_at for i in items)
        cursor = get_checkpoint(collector=NAME, source_key=key)
        if cursor and _moment(cursor["updated_at"]) >= newest:
            return
        save_checkpoint(collector=NAME, source_key=key, cursor={"updated_at": newest.isoformat()})

    # --- counting -------------------------------------------------------------

    def _store(self, items: list, *counts: TableCounts) -> None:
        self.count(FETCHED, len(items))
        for table_counts in counts:
            self._tally(*table_counts.values())

    def _tally(self, *counts: Any) -> None:
        for c in counts:
            self.count(CREATED, c.created)
            self.count(UPDATED, c.updated)
