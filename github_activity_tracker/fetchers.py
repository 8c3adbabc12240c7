"""Read one repository's activity from the GitHub REST API, page by page, as plain items.

Time-ordered streams (issues, comments, review comments) are asked oldest-update-first
(`sort=updated&direction=asc&since=`): the last `updated_at` of a page is then a resume
point with no gaps behind it. Commits are read along the default branch; what is new
since a known head comes from the compare endpoint, which lists every commit reachable
from the new head and not from the old one, whatever its date (a long-lived branch
merged late included). Paging, ETags, retries and rate limits live in `core.http`;
nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

import httpx

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
    ) -> Iterator[list[T]]:
        for page in self.client.pages(f"{self.base}{path}", params=params):
            yield [parse(obj, url=page.url) for obj in page.items]

    def _one(
        self, path: str, parse: Callable[..., T], params: Mapping[str, Any] | None = None
    ) -> T:
        """GET one resource and parse it; its URL names it in a MalformedResponse."""
        url = self.client.url_of(path, params=params)
        return parse(self.client.get(path, params=params), url=url)

    def repository(self) -> RepositoryItem:
        """The repository's metadata; a rename (301) is followed, a 404 raises RepositoryGone."""
        try:
            return self._one(self.base, parsers.parse_repository)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:
                raise RepositoryGone(self.full_name) from exc
            raise

    def branch_head(self, branch: str) -> str:
        """The SHA at the tip of `branch` (one request, a 304 when unchanged)."""
        return self._one(f"{self.base}/branches/{branch}", parsers.parse_branch_head)

    def commits(
        self, *, branch: str, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[list[CommitItem]]:
        """Pages of the branch's commits, newest first, optionally within commit dates."""
        params: dict[str, Any] = {"sha": branch, **_iso(since)}
        if until is not None:
            params["until"] = until.strftime("%Y-%m-%dT%H:%M:%SZ")
        yield from self._pages("/commits", parsers.parse_commit, params)

    def new_commits(self, *, base: str, head: str) -> Iterator[list[CommitItem]]:
        """Pages of the commits reachable from `head` but not from `base` (compare API).

        Pages are numbered, so a server that answers every page number with the same
        commits would be read forever: a page of commits all read already stops it.
        """
        path = f"{self.base}/compare/{base}...{head}"
        page_number, read = 1, set()
        while True:
            params = {"per_page": PER_PAGE, "page": page_number}
            found = self._one(path, parsers.parse_compare, params)
            shas = {commit.sha for commit in found}
            if shas and shas <= read:
                url = self.client.url_of(path, params=params)
                raise PaginationLoopError(
                    f"{url}: page {page_number} repeats commits this compare already listed; "
                    "stopping instead of looping",
                    url=url,
                )
            read |= shas
            if found:
                yield found
            if len(found) < PER_PAGE:
                return
            page_number += 1

    def commit(self, sha: str) -> CommitItem:
        """One commit with its file changes and stats."""
        return self._one(f"{self.base}/commits/{sha}", parsers.parse_commit)

    def issues(self, *, since: datetime | None) -> Iterator[list[IssueItem]]:
        """Issues and pull requests, oldest update first (a gap-free resume point)."""
        params = {"state": "all", "sort": "updated", "direction": "asc", **_iso(since)}
        yield from self._pages("/issues", parsers.parse_issue, params)

    def issue(self, number: int) -> IssueItem:
        return self._one(f"{self.base}/issues/{number}", parsers.parse_issue)

    def pull_request(self, number: int) -> PullRequestItem:
        """Merge data, which only `/pulls/{n}` has."""
        return self._one(f"{self.base}/pulls/{number}", parsers.parse_pull_request)

    def reviews(self, number: int) -> list[ReviewItem]:
        """Every review of a pull request (approvals and change requests are data)."""
        path = f"/pulls/{number}/reviews"
        return [item for page in self._pages(path, parsers.parse_review) for item in page]

    def comments(self, *, since: datetime | None) -> Iterator[list[CommentItem]]:
        """Issue and pull request conversation comments, oldest update first."""
        params = {"sort": "updated", "direction": "asc", **_iso(since)}
        yield from self._pages("/issues/comments", parsers.parse_comment, params)

    def review_comments(self, *, since: datetime | None) -> Iterator[list[ReviewCommentItem]]:
        """Comments on pull request diffs, oldest update first."""
        params = {"sort": "updated", "direction": "asc", **_iso(since)}
        yield from self._pages("/pulls/comments", parsers.parse_review_comment, params)

    def releases(self) -> Iterator[list[ReleaseItem]]:
        """Every release, newest first; re-read in full (an unchanged list is all 304s)."""
        yield from self._pages("/releases", parsers.parse_release)
