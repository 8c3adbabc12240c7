"""Read one repository's activity from the GitHub REST API, page by page, as plain items.

Time-ordered streams (issues, comments, review comments) are asked oldest-update-first
(`sort=updated&direction=asc&since=`): the last `updated_at` of a page is then a resume
point with no gaps behind it. Commits are read along the default branch; what is new
since a known head comes from the compare endpoint, which lists every commit reachable
from the new head and not from the old one, whatever its date (a long-lived branch
merged late included). Paging, ETags, retries and rate limits live in `core.http`;
nothing here touches the database. Every answer comes back as a `ParsedPage`: the items
that parsed, and the ones of the wrong shape as `BadItem`s for the collector to
quarantine, so one malformed object never stops its stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

import httpx

from core.bad_items import ParsedPage, parse_each
from core.http import GitHubClient, PaginationLoopError
from github_activity_tracker import parsers
from github_activity_tracker.items import (
    CommentItem,
    CommitItem,
    IssueItem,
    PullRequestItem,
    ReleaseItem,
    RepositoryItem,
    ReviewCommentItem,
    ReviewItem,
)

T = TypeVar("T")
PER_PAGE = 100
# "Get a commit" lists 300 files an answer, and at most 3,000 in all.
FILES_PER_PAGE, MAX_FILE_PAGES = 300, 10


class RepositoryGone(Exception):
    """`GET /repos/{owner}/{name}` answered 404: deleted, or hidden from this token."""

    def __init__(self, full_name: str) -> None:
        super().__init__(f"{full_name} answered 404 (deleted or not visible)")
        self.full_name = full_name


def _iso(moment: datetime | None) -> dict[str, str]:
    return {} if moment is None else {"since": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


class GitHubActivityFetcher:
    """Yield pages of items of one repository (`owner/name`)."""

    def __init__(self, client: GitHubClient, full_name: str) -> None:
        self.client = client
        self.full_name = full_name
        self.base = f"/repos/{full_name}"

    def _pages(
        self, path: str, parse: Callable[..., T], params: Mapping[str, Any] | None = None
    ) -> Iterator[ParsedPage[T]]:
        for page in self.client.pages(f"{self.base}{path}", params=params):
            yield parse_each(page.items, parse, url=page.url)

    def _one(self, path: str, parse: Callable[..., T]) -> ParsedPage[T]:
        """A detail answer as a page of one item (or of one bad item)."""
        url = self.client.url_of(f"{self.base}{path}")
        return parse_each([self.client.get(f"{self.base}{path}")], parse, url=url)

    def repository(self) -> ParsedPage[RepositoryItem]:
        """The repository's metadata; a rename (301) is followed, a 404 raises RepositoryGone."""
        try:
            return self._one("", parsers.parse_repository)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:
                raise RepositoryGone(self.full_name) from exc
            raise

    def branch_head(self, branch: str) -> str:
        """The SHA at the tip of `branch` (one request, a 304 when unchanged)."""
        path = f"{self.base}/branches/{branch}"
        return parsers.parse_branch_head(self.client.get(path), url=self.client.url_of(path))

    def commits(
        self, *, branch: str, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[ParsedPage[CommitItem]]:
        """Pages of the branch's commits, newest first, optionally within commit dates."""
        params: dict[str, Any] = {"sha": branch, **_iso(since)}
        if until is not None:
            params["until"] = until.strftime("%Y-%m-%dT%H:%M:%SZ")
        yield from self._pages("/commits", parsers.parse_commit, params)

    def new_commits(self, *, base: str, head: str) -> Iterator[ParsedPage[CommitItem]]:
        """Pages of the commits reachable from `head` but not from `base` (compare API).

        Pages are numbered, so a server that answers every page number with the same
        commits would be read forever: a page of commits all listed already stops it.
        """
        path = f"{self.base}/compare/{base}...{head}"
        page_number, listed = 1, set[str]()
        while True:
            params = {"per_page": PER_PAGE, "page": page_number}
            url = self.client.url_of(path, params=params)
            found = parsers.compare_commits(self.client.get(path, params=params), url=url)
            page = parse_each(found, parsers.parse_commit, url=url)
            shas = {commit.sha for commit in page.items}
            if shas and shas <= listed:
                raise PaginationLoopError(
                    f"{url}: page {page_number} repeats commits this compare already listed; "
                    "stopping instead of looping",
                    url=url,
                )
            listed |= shas
            if found:
                yield page
            if len(found) < PER_PAGE:
                return
            page_number += 1

    def commit(self, sha: str) -> ParsedPage[CommitItem]:
        """One commit with its file changes and stats.

        GitHub lists at most FILES_PER_PAGE files an answer; a full list is followed by
        `?page=2`, ... (each answer repeats the commit with the next files) up to its
        limit of MAX_FILE_PAGES pages, so a 400-file commit is stored with 400 files.
        """
        path = f"{self.base}/commits/{sha}"
        body = self.client.get(path)
        files = body.get("files") if isinstance(body, dict) else None
        number = 1
        while isinstance(files, list) and len(files) == FILES_PER_PAGE * number:
            if number == MAX_FILE_PAGES:
                break
            number += 1
            more = self.client.get(path, params={"page": number})
            extra = more.get("files") if isinstance(more, dict) else None
            if not isinstance(extra, list) or not extra:
                break
            files = files + extra
        if isinstance(files, list) and isinstance(body, dict):
            body = {**body, "files": files}
        return parse_each([body], parsers.parse_commit, url=self.client.url_of(path))

    def issues(self, *, since: datetime | None) -> Iterator[ParsedPage[IssueItem]]:
        """Issues and pull requests, oldest update first (a gap-free resume point)."""
        params = {"state": "all", "sort": "updated", "direction": "asc", **_iso(since)}
        yield from self._pages("/issues", parsers.parse_issue, params)

    def issue(self, number: int) -> ParsedPage[IssueItem]:
        return self._one(f"/issues/{number}", parsers.parse_issue)

    def pull_request(self, number: int) -> ParsedPage[PullRequestItem]:
        """Merge data, which only `/pulls/{n}` has."""
        return self._one(f"/pulls/{number}", parsers.parse_pull_request)

    def reviews(self, number: int) -> ParsedPage[ReviewItem]:
        """Every review of a pull request (approvals and change requests are data)."""
        return ParsedPage.join(self._pages(f"/pulls/{number}/reviews", parsers.parse_review))

    def comments(self, *, since: datetime | None) -> Iterator[ParsedPage[CommentItem]]:
        """Issue and pull request conversation comments, oldest update first."""
        params = {"sort": "updated", "direction": "asc", **_iso(since)}
        yield from self._pages("/issues/comments", parsers.parse_comment, params)

    def review_comments(self, *, since: datetime | None) -> Iterator[ParsedPage[ReviewCommentItem]]:
        """Comments on pull request diffs, oldest update first."""
        params = {"sort": "updated", "direction": "asc", **_iso(since)}
        yield from self._pages("/pulls/comments", parsers.parse_review_comment, params)

    def releases(self) -> Iterator[ParsedPage[ReleaseItem]]:
        """Every release, newest first; re-read in full (an unchanged list is all 304s)."""
        yield from self._pages("/releases", parsers.parse_release)
