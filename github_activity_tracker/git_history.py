"""The commits stream read from git mirrors instead of the commit API.

`GITHUB_ACTIVITY_COMMITS_FROM=git` (the default when a `git` binary is on PATH): for
each repository the mirror is cloned or fetched (`git_mirror.GitMirror`), the default
branch's history is read with one `git log` and stored page by page with
`ingest_git_commits`, and the checkpoint `<owner/name>:commits` (the branch head
whose history is stored, the same cursor the API path keeps) moves only after the
whole range is stored. An interrupted run reads the range again; the upserts write
only what is missing. No API request is made for commit data.

What git cannot know, the GitHub account behind an author, comes from the commit
list afterwards (100 commits a request, `author.id`), only for commits not linked
yet: the checkpoint `<owner/name>:commit_accounts` holds the head up to which they
are, and the next run reads the compare of that head with the new one.

A mirror that cannot be fetched (network, authentication, a deleted repository) is
recorded (`git_failed`, a WARNING naming the repository) and the run goes on with the
other repositories; the checkpoint stays, so the next run reads what was missed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from core.bad_items import ParsedPage
from core.checkpoints import get_checkpoint, save_checkpoint
from core.quarantine import quarantine_items, retry_quarantined
from github_activity_tracker import services
from github_activity_tracker.fetchers import GitHubActivityFetcher
from github_activity_tracker.git_mirror import GitError, GitMirror, git_binary
from github_activity_tracker.items import CommitItem
from github_activity_tracker.models import Repository

if TYPE_CHECKING:
    from github_activity_tracker.collectors import GitHubActivityCollector

logger = logging.getLogger(__name__)

GIT, API = "git", "api"
NAME = "github_activity_tracker"
COMMITS, ACCOUNTS, GIT_COMMITS = "commits", "commit_accounts", "git_commits"
GIT_FAILED, FORCE_PUSHED = "git_failed", "force_pushed"
# Commits per transaction (as the ingest benchmark's pages); a page also ends once it
# holds this many file changes, so a history of huge commits keeps memory flat.
PAGE_COMMITS = 1000
PAGE_FILES = 20_000

_said: list[str] = []


def commits_source() -> str:
    """`git` or `api`: GITHUB_ACTIVITY_COMMITS_FROM, else git when a binary is found.

    The choice made without the setting is logged once per process.
    """
    chosen = settings.GITHUB_ACTIVITY_COMMITS_FROM
    found = git_binary()
    if chosen == GIT and found is None:
        raise CommandError(
            "GITHUB_ACTIVITY_COMMITS_FROM=git but no git binary is on PATH; "
            "install git or set GITHUB_ACTIVITY_COMMITS_FROM=api"
        )
    if chosen:
        return chosen
    source = GIT if found else API
    if not _said:
        _said.append(source)
        how = f"git found at {found}" if found else "no git binary on PATH"
        logger.info(
            "commits are read from %s (GITHUB_ACTIVITY_COMMITS_FROM is unset; %s)",
            source,
            how,
            extra={"collector": NAME},
        )
    return source


def pages(commits: Iterable[CommitItem]) -> Iterator[list[CommitItem]]:
    """Group a stream of commits into pages of PAGE_COMMITS (or PAGE_FILES files)."""
    page: list[CommitItem] = []
    files = 0
    for commit in commits:
        page.append(commit)
        files += len(commit.files or ())
        if len(page) >= PAGE_COMMITS or files >= PAGE_FILES:
            yield page
            page, files = [], 0
    if page:
        yield page


class GitHistory:
    """Read and store one run's commits from git, for the collector that owns it."""

    def __init__(self, collector: GitHubActivityCollector) -> None:
        self.collector = collector
        self.known = services.KnownIdentities()

    def collect(
        self, fetcher: GitHubActivityFetcher, repository: Repository, *, branch: str
    ) -> None:
        """Update the mirror, store the new commits, then link their accounts."""
        full_name = repository.full_name
        mirror = GitMirror(full_name)
        try:
            try:
                head = self._read(mirror, repository, branch=branch, fresh=False)
            except GitError as exc:
                if exc.remote:
                    raise
                logger.warning(
                    "%s: git could not read the mirror (%s); cloning it again",
                    full_name,
                    exc,
                    extra={"collector": NAME, "repo": full_name},
                )
                head = self._read(mirror, repository, branch=branch, fresh=True)
        except GitError as exc:
            self._failed(full_name, exc)
            return
        self._link_accounts(fetcher, mirror, repository, head=head)

    def _read(self, mirror: GitMirror, repository: Repository, *, branch: str, fresh: bool) -> str:
        """Update (or clone afresh) the mirror and store its new history; return the head."""
        if fresh:
            mirror.reclone()
        else:
            mirror.update()
        head = mirror.head(branch)
        if head is None:
            raise GitError(f"{mirror.full_name}: the mirror has no branch {branch!r}", remote=True)
        self._store_history(mirror, repository, head=head, branch=branch)
        return head

    def _failed(self, full_name: str, exc: GitError) -> None:
        note = f"{full_name}: commits not read this run ({exc})"
        logger.warning(note, extra={"collector": NAME, "repo": full_name})
        self.collector.count(GIT_FAILED)
        self.collector.write(note, style="WARNING")

    def _window(self) -> list[str]:
        c = self.collector
        options = []
        if c.since is not None:
            options.append(f"--since={c.since.isoformat()}")
        if c.until is not None:
            options.append(f"--until={c.until.isoformat()}")
        return options

    def _store_history(
        self, mirror: GitMirror, repository: Repository, *, head: str, branch: str
    ) -> None:
        c = self.collector
        key = f"{repository.full_name}:{COMMITS}"
        if c.windowed:
            self._store_log(mirror, repository, [*self._window(), head])
            return
        cursor = None if c.full else get_checkpoint(collector=NAME, source_key=key)
        old = cursor.get("head") if cursor else None
        if old == head:
            return
        revisions = [head]
        if old:
            if mirror.has_commit(old) and mirror.is_ancestor(old, head):
                revisions = [f"{old}..{head}"]
            else:
                note = f"{repository.full_name}: {branch} was force-pushed; reading it again"
                logger.warning(note, extra={"collector": NAME, "repo": repository.full_name})
                c.count(FORCE_PUSHED)
                c.write(note, style="WARNING")
        self._store_log(mirror, repository, revisions)
        with transaction.atomic():
            save_checkpoint(collector=NAME, source_key=key, cursor={"head": head})

    def _store_log(self, mirror: GitMirror, repository: Repository, revisions: list[str]) -> None:
        with mirror.log(revisions) as commits:
            for page in pages(commits):
                try:
                    with transaction.atomic():
                        self._store_page(repository, page)
                except BaseException:
                    self.known.discard()
                    raise
                self.known.commit()

    def _store_page(self, repository: Repository, page: list[CommitItem]) -> None:
        where = f"git:{repository.full_name}"
        parsed = ParsedPage(
            items=page, bad=[], _sources={id(i): ({"sha": i.sha}, where) for i in page}
        )
        stored = self.collector._store_page(
            repository,
            GIT_COMMITS,
            parsed,
            lambda chunk: services.ingest_git_commits(
                repository=repository, items=chunk, known=self.known
            ),
        )
        self.collector._store(page, *stored.results)

    def retry(self, repository: Repository) -> None:
        """Read the commits kept in quarantine again from the mirror and store them."""
        shas: list[str] = []
        retry_quarantined(
            collector=NAME,
            scope=f"{repository.full_name}:{GIT_COMMITS}",
            before=self.collector.started,
            attempt=lambda payload, _url: shas.append(str(payload.get("sha", ""))),
        )
        wanted = [s for s in shas if len(s) == 40]
        if not wanted:
            return
        mirror = GitMirror(repository.full_name)
        try:
            self._store_log(mirror, repository, ["--no-walk", *wanted])
        except GitError as exc:
            self._failed(repository.full_name, exc)

    def _link_accounts(
        self,
        fetcher: GitHubActivityFetcher,
        mirror: GitMirror,
        repository: Repository,
        *,
        head: str,
    ) -> None:
        """Link the commits up to `head` to accounts, reading only the unlinked ones."""
        c = self.collector
        key = f"{repository.full_name}:{ACCOUNTS}"
        if c.windowed:
            listed = fetcher.commits(branch=head, since=c.since, until=c.until)
        else:
            cursor = None if c.full else get_checkpoint(collector=NAME, source_key=key)
            linked = cursor.get("head") if cursor else None
            if linked == head:
                return
            if linked and mirror.is_ancestor(linked, head):
                listed = fetcher.new_commits(base=linked, head=head)
            else:
                listed = fetcher.commits(branch=head)
        for page in listed:
            with transaction.atomic():
                c.progress.page(stream=ACCOUNTS, items=len(page.items) + len(page.bad))
                scope = f"{repository.full_name}:{ACCOUNTS}"
                quarantine_items(collector=NAME, scope=scope, items=page.bad)
                counts = services.link_commit_accounts(repository=repository, items=page.items)
                c._tally(*counts.values())
        if not c.windowed:
            with transaction.atomic():
                save_checkpoint(collector=NAME, source_key=key, cursor={"head": head})
