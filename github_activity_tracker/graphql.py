"""Read pull requests, their merge data and their reviews through GitHub's GraphQL API.

One query answers a page of PULL_PAGE pull requests, newest update first, each with
its merge data and its first REVIEW_PAGE reviews; GitHub prices that page at one
point (a connection of 100 under a page of 100 is 101 "requests", /100, rounded),
where the REST path pays two requests per pull request (`/pulls/{n}` and
`/pulls/{n}/reviews`). A pull request with more reviews than a page gets follow-up
queries for its reviews only. Every query asks `rateLimit { cost remaining resetAt }`:
the cost is counted as `graphql_points`, the remaining budget goes to the token pool.

Items are the REST path's own (`PullRequestItem`, `ReviewItem`), keyed on the REST
ids (`fullDatabaseId`, else `databaseId`), so both paths store the same rows.

An error GitHub reports at one pull request of a page (NOT_FOUND, FORBIDDEN for a
SAML-protected part) leaves that pull request out of the page, with one warning; the
rest of the page is stored. An error anywhere else (the repository, a rate limit, the
query) ends the stream with a GraphQLError, which `classify_failure` files by its
type (rate_limit, permission, not_found; validation otherwise).

`ProfileGraphQLFetcher` reads account profiles (name, company, web site) for up to
PROFILE_BATCH logins per query, one `repositoryOwner(login:)` alias each (see
`github_activity_tracker.profiles`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.bad_items import ParsedPage, parse_each
from core.http import GitHubClient, MalformedResponse, Payload, redact
from core.http.github import graphql_error
from core.http.paging import connection_page
from core.http.payload import BIGINT_MAX, INT_MAX
from cppa_user_tracker.items import GitHubAccountItem, GitHubProfileItem
from github_activity_tracker.items import PullRequestItem, ReviewItem

logger = logging.getLogger(__name__)

PULL_PAGE = 100
REVIEW_PAGE = 100

_ACCOUNT = """login avatarUrl __typename
  ... on User { databaseId } ... on Bot { databaseId }
  ... on Organization { databaseId } ... on Mannequin { databaseId }"""

_REVIEW = f"""databaseId fullDatabaseId state body submittedAt pullRequest {{ number }}
  commit {{ oid }} author {{ {_ACCOUNT} }}"""

PULL_REQUESTS_QUERY = f"""query PullRequestPage(
  $owner: String!, $name: String!, $first: Int!, $after: String, $reviews: Int!) {{
  rateLimit {{ cost remaining resetAt }}
  repository(owner: $owner, name: $name) {{
    pullRequests(first: $first, after: $after,
                 orderBy: {{field: UPDATED_AT, direction: DESC}}) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        databaseId fullDatabaseId number updatedAt isDraft headRefName baseRefName
        merged mergedAt mergeCommit {{ oid }} potentialMergeCommit {{ oid }}
        mergedBy {{ {_ACCOUNT} }}
        reviews(first: $reviews) {{
          pageInfo {{ hasNextPage endCursor }}
          nodes {{ {_REVIEW} }}
        }}
      }}
    }}
  }}
}}"""

REVIEWS_QUERY = f"""query PullRequestReviews(
  $owner: String!, $name: String!, $number: Int!, $after: String, $reviews: Int!) {{
  rateLimit {{ cost remaining resetAt }}
  repository(owner: $owner, name: $name) {{
    pullRequest(number: $number) {{
      reviews(first: $reviews, after: $after) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {_REVIEW} }}
      }}
    }}
  }}
}}"""


# Error types that mean "this one pull request cannot be read now": it is left out of
# its page (and keeps what is stored), the page goes on.
PER_PULL_ERRORS = frozenset({"NOT_FOUND", "FORBIDDEN"})


class _PullGone(Exception):
    """A follow-up query for one pull request's reviews answered NOT_FOUND or FORBIDDEN."""


@dataclass(frozen=True)
class PullRequestPage:
    """One page of pull requests with their reviews (all pages of them).

    `updated` holds each pull request's update time by number: the stream's resume
    point and stop condition. `skipped` describes the pull requests GitHub answered
    with an error instead of data.
    """

    pulls: ParsedPage[PullRequestItem]
    reviews: ParsedPage[ReviewItem]
    updated: dict[int, datetime]
    end_cursor: str | None
    has_next_page: bool
    skipped: list[str] = field(default_factory=list)


def _rest_id(obj: Payload) -> int:
    """The REST id of a node: `fullDatabaseId` (a BigInt, sent as text) or `databaseId`."""
    full = obj.data.get("fullDatabaseId")
    if isinstance(full, str) and full.isdigit() and 1 <= int(full) <= BIGINT_MAX:
        return int(full)
    if full is not None and not (isinstance(full, str) and full.isdigit()):
        raise obj.wrong("fullDatabaseId", full, "a numeric id as text")
    return obj.require_id("databaseId")


def parse_account(obj: Payload | None) -> GitHubAccountItem | None:
    """A GraphQL actor as the REST user object gives it; null (a deleted user) is None."""
    if obj is None:
        return None
    return GitHubAccountItem(
        github_id=obj.require_id("databaseId"),
        login=obj.require_str("login"),
        account_type=obj.optional_str("__typename"),
        avatar_url=obj.optional_str("avatarUrl"),
    )


def ask(
    client: GitHubClient,
    query: str,
    variables: dict[str, Any],
    *,
    on_cost: Callable[[int], None] | None,
) -> tuple[dict, list]:
    """Send a query that asks `rateLimit { cost ... }`; pass its cost to `on_cost`.

    Returns `data` ({} when absent) and `errors`; the client has already recorded the
    remaining budget in the token pool.
    """
    data, errors = client.graphql_answer(query, variables=variables)
    limit = (data or {}).get("rateLimit")
    if on_cost is not None and isinstance(limit, dict):
        cost = limit.get("cost")
        if isinstance(cost, int) and not isinstance(cost, bool) and cost >= 0:
            on_cost(cost)
    return data or {}, errors


def _oid(obj: Payload, name: str) -> str:
    commit = obj.optional_object(name)
    return commit.optional_str("oid") if commit else ""


def parse_pull_request(value: Any, *, url: str) -> PullRequestItem:
    """A `pullRequests` node as the REST `/pulls/{n}` item.

    REST's `merge_commit_sha` is the merge commit once merged and the test merge
    commit before: GraphQL's `mergeCommit`, else `potentialMergeCommit`.
    """
    obj = Payload.of(value, url=url, kind="pull request")
    merged_at = obj.optional_moment("mergedAt")
    return PullRequestItem(
        source_id=str(_rest_id(obj)),
        updated_at=obj.require_moment("updatedAt"),
        number=obj.require_int("number", minimum=1, maximum=INT_MAX),
        draft=obj.flag("isDraft"),
        head_ref=obj.optional_str("headRefName"),
        base_ref=obj.optional_str("baseRefName"),
        merged=obj.flag("merged", default=merged_at is not None),
        merged_at=merged_at,
        merge_commit_sha=_oid(obj, "mergeCommit") or _oid(obj, "potentialMergeCommit"),
        merged_by=parse_account(obj.optional_object("mergedBy")),
    )


def parse_review(value: Any, *, url: str) -> ReviewItem:
    """A `reviews` node as the REST review item; a PENDING review has no `submittedAt`."""
    obj = Payload.of(value, url=url, kind="review")
    pull = obj.require_object("pullRequest")
    return ReviewItem(
        source_id=str(_rest_id(obj)),
        updated_at=obj.optional_moment("submittedAt"),
        pull_number=pull.require_int("number", minimum=1, maximum=INT_MAX),
        author=parse_account(obj.optional_object("author")),
        state=obj.require_str("state"),
        body=obj.optional_str("body"),
        commit_sha=_oid(obj, "commit"),
    )


def node_reviews(node: Any, *, url: str) -> ParsedPage[ReviewItem]:
    """The reviews inside a pull request node (its first page of them)."""
    reviews = node.get("reviews") if isinstance(node, dict) else None
    nodes = reviews.get("nodes") if isinstance(reviews, dict) else None
    return parse_each([n for n in nodes or [] if n is not None], parse_review, url=url)


def _node_errors(errors: list[Any], *, connection: tuple[str, ...]) -> tuple[dict[int, str], list]:
    """Split `errors` into per-pull ones at one node of `connection` (by index) and the rest."""
    at_node: dict[int, str] = {}
    other = []
    depth = len(connection)
    for error in errors:
        path = error.get("path") if isinstance(error, dict) else None
        if (
            isinstance(path, list)
            and len(path) > depth + 1
            and tuple(path[:depth]) == connection
            and path[depth] == "nodes"
            and isinstance(path[depth + 1], int)
            and error.get("type") in PER_PULL_ERRORS
        ):
            kind = error.get("type") or "ERROR"
            at_node[path[depth + 1]] = f"{kind}: {' '.join(str(error.get('message', '')).split())}"
        else:
            other.append(error)
    return at_node, other


def _newer_than(nodes: list[Any], since: datetime | None) -> tuple[list[Any], bool]:
    """The nodes before the first one updated before `since`, and whether one was."""
    if since is None:
        return nodes, False
    for index, node in enumerate(nodes):
        text = node.get("updatedAt") if isinstance(node, dict) else None
        if isinstance(text, str):
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                continue
            if moment.tzinfo is not None and moment < since:
                return nodes[:index], True
    return nodes, False


class PullRequestGraphQLFetcher:
    """Pages of one repository's pull requests (`owner/name`), newest update first.

    Newest first because the connection has no `since`: the stream stops at the first
    pull request older than the point it resumes from, and its checkpoint moves once
    the stream is done (see `github_activity_tracker.pull_requests`).
    """

    def __init__(
        self,
        client: GitHubClient,
        full_name: str,
        *,
        page_size: int = PULL_PAGE,
        review_page: int = REVIEW_PAGE,
        on_cost=None,
    ) -> None:
        self.client = client
        self.owner, self.name = full_name.split("/", 1)
        self.full_name = full_name
        # GitHub refuses `first` above 100.
        self.page_size = min(page_size, 100)
        self.review_page = min(review_page, 100)
        self.on_cost = on_cost
        self.url = redact(client.graphql_url)

    def _ask(self, query: str, variables: dict[str, Any]) -> tuple[dict, list]:
        return ask(self.client, query, variables, on_cost=self.on_cost)

    def _repository(self, data: dict, errors: list) -> Payload:
        repository = data.get("repository")
        if repository is None:
            raise graphql_error(
                errors or [{"message": f"{self.full_name} is not visible to GraphQL"}],
                url=self.url,
            )
        return Payload.of(repository, url=self.url, kind="repository", item_id=self.full_name)

    def pages(
        self, *, after: str | None = None, since: datetime | None = None
    ) -> Iterator[PullRequestPage]:
        """Pull request pages from `after` (a stored cursor) or from the newest.

        With `since`, the stream ends at the first pull request updated before it
        (newest first: every one after it is older); that one and the rest of its page
        are left out, and cost no follow-up query.
        """
        cursor, read = after, set[str]()
        while True:
            variables = {
                "owner": self.owner,
                "name": self.name,
                "first": self.page_size,
                "after": cursor,
                "reviews": self.review_page,
            }
            data, errors = self._ask(PULL_REQUESTS_QUERY, variables)
            at_node, other = _node_errors(errors, connection=("repository", "pullRequests"))
            if other:
                raise graphql_error(other, url=self.url)
            connection = self._repository(data, errors).require_object("pullRequests")
            page = connection_page(dict(connection.data), url=self.url)
            nodes, older = _newer_than(page.nodes, since)
            more = page.has_next_page and not older
            yield self._page(nodes, at_node, page.end_cursor, more)
            if not more or not page.end_cursor:
                return
            if page.end_cursor in read:
                raise graphql_error(
                    [{"message": f"pullRequests sent the cursor {page.end_cursor!r} again"}],
                    url=self.url,
                )
            read.add(page.end_cursor)
            cursor = page.end_cursor

    def _page(
        self, nodes: list[Any], at_node: dict[int, str], end_cursor: str | None, more: bool
    ) -> PullRequestPage:
        kept, skipped = [], []
        for index, node in enumerate(nodes):
            if index in at_node or node is None:
                number = node.get("number") if isinstance(node, dict) else None
                which = f"#{number}" if number else f"at position {index} of the page"
                skipped.append(f"pull request {which}: {at_node.get(index, 'null node')}")
                continue
            kept.append(node)
        parsed = parse_each(kept, parse_pull_request, url=self.url)
        items, review_pages = [], []
        for item in parsed.items:
            try:
                review_pages.append(self._reviews(item, parsed.source_of(item)[0]))
            except _PullGone as gone:
                skipped.append(f"pull request #{item.number}: {gone}")
                continue
            items.append(item)
        pulls = ParsedPage(items=items, bad=parsed.bad, _sources=parsed._sources)
        updated = {item.number: item.updated_at for item in items}
        return PullRequestPage(
            pulls, ParsedPage.join(review_pages), updated, end_cursor, more, skipped
        )

    def _reviews(self, item: PullRequestItem, node: dict) -> ParsedPage[ReviewItem]:
        """The reviews in the node, and the follow-up pages when there are more."""
        first = node.get("reviews") if isinstance(node, dict) else None
        if not isinstance(first, dict):
            return ParsedPage(items=[], bad=[])
        page = connection_page(first, url=self.url)
        pages = [node_reviews(node, url=self.url)]
        cursor, read = page.end_cursor, set[str]()
        while page.has_next_page and cursor and cursor not in read:
            read.add(cursor)
            variables = {
                "owner": self.owner,
                "name": self.name,
                "number": item.number,
                "after": cursor,
                "reviews": self.review_page,
            }
            data, errors = self._ask(REVIEWS_QUERY, variables)
            kinds = {e.get("type") for e in errors if isinstance(e, dict)}
            if errors and kinds <= PER_PULL_ERRORS:
                raise _PullGone(graphql_error(errors, url=self.url).messages[0])
            if errors:
                raise graphql_error(errors, url=self.url)
            pull = self._repository(data, errors).require_object("pullRequest")
            page = connection_page(dict(pull.require_object("reviews").data), url=self.url)
            nodes = [n for n in page.nodes if n is not None]
            pages.append(parse_each(nodes, parse_review, url=self.url))
            cursor = page.end_cursor
        return ParsedPage.join(pages)


# --- account profiles ---------------------------------------------------------

# Aliases per query; GitHub answers a query without connections for one point.
PROFILE_BATCH = 100

_OWNER = """a{index}: repositoryOwner(login: $l{index}) {{
  __typename login
  ... on User {{ databaseId name company websiteUrl }}
  ... on Organization {{ databaseId name websiteUrl }}
}}"""


def profiles_query(count: int) -> str:
    """The query for `count` logins: variables `$l0..`, aliases `a0..`."""
    variables = ", ".join(f"$l{i}: String!" for i in range(count))
    owners = "\n".join(_OWNER.format(index=i) for i in range(count))
    return (
        f"query AccountProfiles({variables}) {{\n"
        f"rateLimit {{ cost remaining resetAt }}\n{owners}\n}}"
    )


@dataclass(frozen=True)
class ProfileAnswer:
    """What one batch said about each login asked (by the login as asked).

    `found`: a user or organisation, with its `databaseId`; `absent`: no owner by that
    login (null: a bot, a deleted or unknown account; or a NOT_FOUND error for its
    alias); `bad`: an answer that could not be read, with why.
    """

    found: dict[str, GitHubProfileItem] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    bad: dict[str, str] = field(default_factory=dict)


def parse_profile(value: Any, *, url: str) -> GitHubProfileItem:
    """A `repositoryOwner` answer (User or Organization) as a profile item."""
    obj = Payload.of(value, url=url, kind="repository owner")
    return GitHubProfileItem(
        github_id=obj.require_id("databaseId"),
        login=obj.require_str("login"),
        name=obj.optional_str("name"),
        company=obj.optional_str("company"),
        blog=obj.optional_str("websiteUrl"),
    )


# Error types that mean "nothing to read at this login": its alias answers null.
PER_OWNER_ERRORS = frozenset({"NOT_FOUND"})


class ProfileGraphQLFetcher:
    """Profiles of accounts by login, PROFILE_BATCH per query."""

    def __init__(self, client: GitHubClient, *, batch: int = PROFILE_BATCH, on_cost=None) -> None:
        self.client = client
        self.batch = max(1, min(batch, PROFILE_BATCH))
        self.on_cost = on_cost
        self.url = redact(client.graphql_url)

    def batches(self, logins: Sequence[str]) -> Iterator[ProfileAnswer]:
        """One answer per batch of `logins`, in order.

        An error at one alias (NOT_FOUND) makes that login absent; any other error
        (a rate limit, the query) raises a GraphQLError and ends the step.
        """
        for start in range(0, len(logins), self.batch):
            yield self._batch(list(logins[start : start + self.batch]))

    def _batch(self, logins: list[str]) -> ProfileAnswer:
        variables = {f"l{i}": login for i, login in enumerate(logins)}
        data, errors = ask(
            self.client, profiles_query(len(logins)), variables, on_cost=self.on_cost
        )
        gone = set[str]()
        other = []
        for error in errors:
            path = error.get("path") if isinstance(error, dict) else None
            if (
                isinstance(path, list)
                and len(path) == 1
                and str(path[0]).startswith("a")
                and error.get("type") in PER_OWNER_ERRORS
            ):
                gone.add(str(path[0]))
            else:
                other.append(error)
        if other or not data:
            raise graphql_error(
                other or [{"message": "no data for the profile query"}], url=self.url
            )
        answer = ProfileAnswer()
        for index, login in enumerate(logins):
            alias = f"a{index}"
            node = data.get(alias)
            if node is None or alias in gone:
                answer.absent.append(login)
                continue
            try:
                item = parse_profile(node, url=self.url)
            except MalformedResponse as exc:
                answer.bad[login] = str(exc)
                continue
            answer.found[login] = item
        return answer
