"""Talk to GitHub for usage: code search pages (search bucket) and repository details
(GraphQL). No database access here: the collector stores.

Code search has its own budget, 10 requests a minute for an authenticated account,
apart from the hourly core and GraphQL budgets. `SearchFetcher` runs on a client of
its own (text-match media type, no ETag cache) and waits ahead of time: before each
request, when the search budget the token pool last recorded (`/rate_limit`'s
`resources.code_search` or `search` at the start, then every answer's
`x-ratelimit-remaining`/`x-ratelimit-reset` under its `x-ratelimit-resource`) is
spent, it sleeps until the reset. It
never sleeps a fixed time and never needs a 403 to slow down; a secondary limit
(403/429 with `retry-after`) that still comes is waited out by the access layer, or
stops the run at its checkpoint when the wait is longer than
GITHUB_MAX_RATE_LIMIT_WAIT.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from boost_usage_tracker.items import RepositoryDetailsItem, SearchPageItem
from boost_usage_tracker.parsers import FILE_ALIASES, parse_repository_node, parse_search_page
from boost_usage_tracker.planner import PER_PAGE, Slice
from core.errors import RateLimitExhausted
from core.http import GitHubClient, Payload
from core.http.clock import Clock

logger = logging.getLogger(__name__)

TEXT_MATCH = "application/vnd.github.text-match+json"
SEARCH_PATH = "/search/code"
# Repositories per GraphQL query: with four build files each, 25 keeps an answer small;
# a refresh asks for no files and takes GraphQL's maximum of 100 node ids.
DETAILS_PER_QUERY = 25
REFRESH_PER_QUERY = 100
# Seconds added to a reset time: GitHub gives it in whole seconds.
RESET_MARGIN = 1.0

SEARCH, GRAPHQL, CORE = "search", "graphql", "core"
# The names GitHub gives the search budget in `x-ratelimit-resource` and `/rate_limit`.
SEARCH_RESOURCES = ("search", "code_search")

REPOSITORY_FIELDS = """
  id databaseId nameWithOwner stargazerCount forkCount isArchived isFork
  createdAt pushedAt primaryLanguage { name } licenseInfo { spdxId }
"""


def bucket_of(response: httpx.Response) -> str:
    """The rate-limit bucket a response counted against (GitHub's header, else the path)."""
    named = response.headers.get("x-ratelimit-resource", "")
    if named:
        return SEARCH if named in SEARCH_RESOURCES else named
    path = urlsplit(str(response.request.url)).path
    if path.startswith("/search/"):
        return SEARCH
    return GRAPHQL if path.endswith("/graphql") else CORE


class RequestLimitReached(Exception):
    """`--max-requests` is used up; the run stops at its checkpoint (not a failure)."""


@dataclass
class RequestBudget:
    """Requests sent per bucket, against the run's `--max-requests` (0: no bound)."""

    limit: int = 0
    by_bucket: dict[str, int] = field(default_factory=dict)

    @property
    def used(self) -> int:
        return sum(self.by_bucket.values())

    def on_response(self, response: httpx.Response) -> None:
        bucket = bucket_of(response)
        self.by_bucket[bucket] = self.by_bucket.get(bucket, 0) + 1

    def check(self, needed: int = 1) -> None:
        """Raise RequestLimitReached when `needed` more requests would pass the limit."""
        if self.limit and self.used + needed > self.limit:
            raise RequestLimitReached(f"--max-requests {self.limit} reached")


def search_query(*, library: str | None, language: str = "C++") -> str:
    """The code search for `#include <boost/` lines, or one library's (`<boost/asio`)."""
    return term_query(f"boost/{library}" if library else "boost/", language=language)


def term_query(term: str, *, language: str = "C++") -> str:
    """The code search for `#include <TERM` lines (a planner split term: `boost/asio`)."""
    return f'"#include <{term}" language:{language}'


class SearchFetcher:
    """Code search pages, paced by the search bucket's own budget."""

    def __init__(
        self, client: GitHubClient, *, clock: Clock, budget: RequestBudget, max_wait: float
    ) -> None:
        self.client = client
        self.clock = clock
        self.budget = budget
        self.max_wait = max_wait
        self.waited = 0.0

    def read_budget(self) -> None:
        """Seed the pool with the search budget `/rate_limit` reports (it costs none)."""
        self.budget.check()
        body = self.client.get("/rate_limit")
        url = self.client.url_of("/rate_limit")
        resources = Payload.of(body, url=url, kind="rate limit").require_object("resources")
        name = "code_search" if resources.optional_object("code_search") else "search"
        bucket = resources.require_object(name)
        self.client.tokens.record_bucket(
            self.client.tokens.best(now=self.clock.now()),
            name,
            remaining=bucket.require_int("remaining", maximum=2**31),
            reset_at=float(bucket.require_int("reset", maximum=2**40)),
        )

    def spent_until(self) -> float:
        """When the search budget refills, if the last report says it is spent; else 0.

        The pool keeps what `/rate_limit` and each answer's `x-ratelimit-*` headers said
        per resource (`search`, or `code_search` as GitHub now names code search's).
        """
        now = self.clock.now()
        token = self.client.tokens.best(now=now)
        resets = [
            reset
            for name in SEARCH_RESOURCES
            if (found := token.buckets.get(name)) is not None
            for remaining, reset in [found]
            if remaining <= 0 and reset > now
        ]
        return max(resets, default=0.0)

    def _pace(self) -> None:
        """Wait for the search bucket's reset when the last reported budget is spent."""
        reset_at = self.spent_until()
        if not reset_at:
            return
        wait = reset_at - self.clock.now() + RESET_MARGIN
        if wait > self.max_wait:
            raise RateLimitExhausted(
                f"GitHub's search budget is spent until its reset in {wait:.0f}s, longer than "
                f"GITHUB_MAX_RATE_LIMIT_WAIT={self.max_wait:.0f}s",
                wait_seconds=wait,
            )
        logger.info("search budget spent; waiting %.0fs for its reset", wait)
        self.waited += wait
        self.clock.sleep(wait)

    def remaining(self) -> int | None:
        """The search requests left as last reported (for the progress display)."""
        token = self.client.tokens.best(now=self.clock.now())
        found = [token.buckets[n][0] for n in SEARCH_RESOURCES if n in token.buckets]
        return min(found) if found else None

    def page(self, *, query: str, piece: Slice, page: int) -> SearchPageItem:
        """One page of `query` restricted to `piece`'s file sizes."""
        self.budget.check()
        self._pace()
        params = {"q": f"{query} {piece.qualifier}", "per_page": PER_PAGE, "page": page}
        body = self.client.get(SEARCH_PATH, params=params)
        return parse_search_page(body, url=self.client.url_of(SEARCH_PATH, params=params))


def _files_fields() -> str:
    return " ".join(
        f"{alias}: object(expression: {json.dumps('HEAD:' + path)}) {{ ... on Blob {{ text }} }}"
        for alias, path in FILE_ALIASES.items()
    )


def details_query(full_names: Sequence[str]) -> str:
    """Aliased `repository(owner:, name:)` fields with the build files, r0, r1, ..."""
    parts = []
    for index, full_name in enumerate(full_names):
        owner, _, name = full_name.partition("/")
        parts.append(
            f"  r{index}: repository(owner: {json.dumps(owner)}, name: {json.dumps(name)}) "
            f"{{ {REPOSITORY_FIELDS} {_files_fields()} }}"
        )
    return "query {\n" + "\n".join(parts) + "\n}"


REFRESH_QUERY = (
    "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Repository { " + REPOSITORY_FIELDS + " } } }"
)


class RepositoryFetcher:
    """Repository details through GraphQL: new ones by name, known ones by node id."""

    def __init__(self, client: GitHubClient, *, budget: RequestBudget) -> None:
        self.client = client
        self.budget = budget

    def details(self, full_names: Sequence[str]) -> dict[str, RepositoryDetailsItem | None]:
        """Details and build-file versions by full name; None for a name GitHub lacks."""
        self.budget.check()
        data = self.client.graphql(details_query(full_names), tolerate=("NOT_FOUND",))
        answer = Payload.of(data, url=self.client.graphql_url, kind="repository details")
        found: dict[str, RepositoryDetailsItem | None] = {}
        for index, full_name in enumerate(full_names):
            node = answer.optional_object(f"r{index}")
            found[full_name] = parse_repository_node(node) if node is not None else None
        return found

    def refreshed(self, node_ids: Sequence[str]) -> dict[str, RepositoryDetailsItem | None]:
        """Current details by node id, `REFRESH_PER_QUERY` a request; None: not found."""
        self.budget.check()
        data = self.client.graphql(
            REFRESH_QUERY, variables={"ids": list(node_ids)}, tolerate=("NOT_FOUND",)
        )
        answer = Payload.of(data, url=self.client.graphql_url, kind="repository nodes")
        nodes = answer.values("nodes")
        if len(nodes) != len(node_ids):
            raise answer.fail("nodes", f"has {len(nodes)} entries for {len(node_ids)} ids")
        found: dict[str, RepositoryDetailsItem | None] = {}
        for node_id, value in zip(node_ids, nodes, strict=True):
            node = (
                None
                if value is None
                else Payload.of(
                    value, url=self.client.graphql_url, kind="repository node", item_id=node_id
                )
            )
            found[node_id] = parse_repository_node(node) if node is not None else None
        return found
