"""What a run costs of GitHub's budgets, by bucket, and what a run would cost (`--plan`).

GitHub meters three budgets per token: REST `core` (5,000 requests an hour), GraphQL
(5,000 points an hour, a query's cost computed from the connections it asks) and
`search` (30 a minute). `BucketMeter` counts each response into the run's counters
(`core_requests`, `graphql_requests`, `search_requests`; 304s are requests that cost
no point), the GraphQL stream adds `graphql_points`, and at the end of the run
`remaining_counters` adds what the token pool has left per bucket, so the ledger row
and the summary line carry them.

`estimate` is the cost model of a first full run of one repository, the one the
request benchmark checks against measured runs: one request per REST list page of 100,
two per commit on the API commit path (list + detail) and none on the git path
beyond author linking, one GraphQL point per page of 100 pull requests. The account
profile step costs one GraphQL point per 100 accounts whose profile is due
(`profiles_due`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from core.http import GitHubClient
from core.http.tokens import TokenPool
from core.runs import RunCounters
from cppa_user_tracker.selectors import count_github_profiles_due

CORE, GRAPHQL, SEARCH = "core", "graphql", "search"
PAGE = 100
# A run's fixed REST requests per repository: metadata, releases, branch head, and the
# settling pass's re-read of the three time-ordered lists.
FIXED_REQUESTS = 6
# Comments per issue and diff comments per pull request the plan assumes when it
# cannot count them (GraphQL totals need a connection per issue).
COMMENTS_PER_ISSUE = 3
REVIEW_COMMENTS_PER_PULL = 2
HOURLY = 5000

_REPO_TOTALS = """r{index}: repository(owner: "{owner}", name: "{name}") {{
  issues {{ totalCount }} pullRequests {{ totalCount }}
  defaultBranchRef {{ target {{ ... on Commit {{ history {{ totalCount }} }} }} }}
}}"""


def bucket_of(response: httpx.Response) -> str:
    """The budget a response counted against: GitHub's header, else the path."""
    resource = response.headers.get("x-ratelimit-resource", "")
    if resource in (CORE, GRAPHQL, SEARCH):
        return resource
    path = response.request.url.path
    if path.endswith("/graphql"):
        return GRAPHQL
    return SEARCH if "/search/" in path else CORE


class BucketMeter:
    """An httpx response hook: count every response into `<bucket>_requests`."""

    def __init__(self, counters: RunCounters) -> None:
        self.counters = counters

    def __call__(self, response: httpx.Response) -> None:
        self.counters.add(f"{bucket_of(response)}_requests")


def remaining_counters(tokens: TokenPool, counters: RunCounters) -> None:
    """Add the pool's remaining budget per bucket as `<bucket>_remaining`."""
    for bucket, remaining in tokens.remaining_by_bucket().items():
        counters.add(f"{bucket}_remaining", max(0, remaining))


@dataclass(frozen=True)
class Estimate:
    """Requests (core, search) and points (graphql) of a run, by bucket."""

    core: int
    graphql: int
    search: int = 0
    commit_requests: int = 0

    @property
    def total(self) -> int:
        return self.core + self.graphql + self.search

    def hours(self, *, core_left: int, graphql_left: int, tokens: int) -> float:
        """Hours to wait for budget: 0 when what is left covers it, else the shortfall
        at HOURLY requests (points) an hour per token."""
        short = max(self.core - core_left, self.graphql - graphql_left, 0)
        return short / (HOURLY * max(tokens, 1))

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(
            core=self.core + other.core,
            graphql=self.graphql + other.graphql,
            search=self.search + other.search,
            commit_requests=self.commit_requests + other.commit_requests,
        )


def _pages(count: int) -> int:
    return math.ceil(count / PAGE)


@dataclass(frozen=True)
class ProfilesDue:
    """Accounts the profile step may read: never read, and read more than `days` ago
    (those only when a run meets them), at most `per_run`."""

    unread: int
    stale: int
    per_run: int
    days: int

    @property
    def accounts(self) -> int:
        return min(self.unread + self.stale, self.per_run)

    @property
    def points(self) -> int:
        """One point per query of up to 100 logins (a query without connections)."""
        return _pages(self.accounts)


def profiles_due(*, refresh_days: int) -> ProfilesDue | None:
    """What the profile step would read now; None when it is off (0 days)."""
    if refresh_days <= 0:
        return None
    unread, stale = count_github_profiles_due(
        stale_before=timezone.now() - timedelta(days=refresh_days)
    )
    return ProfilesDue(
        unread=unread,
        stale=stale,
        per_run=settings.GITHUB_ACTIVITY_PROFILES_PER_RUN,
        days=refresh_days,
    )


def estimate(
    *,
    commits: int,
    issues: int,
    pulls: int,
    comments: int | None = None,
    review_comments: int | None = None,
    commits_from: str = "api",
    pulls_from: str = "graphql",
) -> Estimate:
    """The requests and points of a first full run of one repository (see the module)."""
    comments = (issues + pulls) * COMMENTS_PER_ISSUE if comments is None else comments
    review = pulls * REVIEW_COMMENTS_PER_PULL if review_comments is None else review_comments
    commit_requests = _pages(commits) + (commits if commits_from == "api" else 0)
    lists = _pages(issues + pulls) + _pages(comments) + _pages(review)
    core = FIXED_REQUESTS + commit_requests + lists
    if pulls_from == "graphql":
        return Estimate(core=core, graphql=_pages(pulls), commit_requests=commit_requests)
    return Estimate(core=core + 2 * pulls, graphql=0, commit_requests=commit_requests)


def repository_totals(client: GitHubClient, repos: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """(commits, issues, pull requests) of each repository, 25 per GraphQL query.

    A repository GitHub cannot find is left out (and said so by the caller).
    """
    found: dict[str, tuple[int, ...]] = {}
    names = list(repos)
    for start in range(0, len(names), 25):
        batch = names[start : start + 25]
        parts = [
            _REPO_TOTALS.format(index=i, owner=n.split("/")[0], name=n.split("/")[1])
            for i, n in enumerate(batch)
        ]
        data = client.graphql(
            "query Plan { rateLimit { cost remaining resetAt } " + " ".join(parts) + " }",
            tolerate=("NOT_FOUND",),
        )
        for i, name in enumerate(batch):
            repo = data.get(f"r{i}")
            if not isinstance(repo, dict):
                continue
            target = ((repo.get("defaultBranchRef") or {}).get("target")) or {}
            commits = (target.get("history") or {}).get("totalCount") or 0
            issues = (repo.get("issues") or {}).get("totalCount") or 0
            pulls = (repo.get("pullRequests") or {}).get("totalCount") or 0
            found[name] = (int(commits), int(issues), int(pulls))
    return found


def budget_left(client: GitHubClient) -> dict[str, int]:
    """Every bucket's remaining budget from `GET /rate_limit`, which costs none of it."""
    body = client.get("/rate_limit")
    resources = body.get("resources") if isinstance(body, dict) else None
    left: dict[str, int] = {}
    for bucket in (CORE, GRAPHQL, SEARCH):
        entry = (resources or {}).get(bucket)
        if isinstance(entry, dict) and isinstance(entry.get("remaining"), int):
            left[bucket] = entry["remaining"]
    return left


# A tracked repository's next run: its fixed requests plus the branch head, commits and
# three lists, answered 304 (no point) when nothing changed.
INCREMENTAL_REQUESTS = FIXED_REQUESTS + 3


def plan(
    *,
    client: GitHubClient,
    repos: list[str],
    tracked: set[str],
    commits_from: str,
    pulls_from: str,
    write: Callable[[str], None],
    profiles: ProfilesDue | None = None,
) -> Estimate:
    """Write what a run of `repos` would cost, per repository and in all; return the sum.

    Costs `GET /rate_limit` (free) and one GraphQL query (about a point) per 25
    repositories not collected yet, for their totals. `profiles`: the account profile
    step's accounts (None: the step is off).
    """
    left = budget_left(client)
    fresh = [r for r in repos if r not in tracked]
    totals = repository_totals(client, fresh) if fresh else {}
    whole = Estimate(core=0, graphql=0)
    for name in repos:
        if name in tracked:
            cost = Estimate(core=INCREMENTAL_REQUESTS, graphql=0)
            write(
                f"{name}: incremental, about {cost.core} conditional requests "
                "(0 points if unchanged)"
            )
        elif name in totals:
            commits, issues, pulls = totals[name]
            cost = estimate(
                commits=commits,
                issues=issues,
                pulls=pulls,
                commits_from=commits_from,
                pulls_from=pulls_from,
            )
            write(
                f"{name}: first run ({commits} commits, {issues} issues, {pulls} pull requests): "
                f"{cost.core} core requests, {cost.graphql} GraphQL points"
            )
        else:
            write(f"{name}: not found by GraphQL; not estimated")
            continue
        whole = whole + cost
    if profiles is not None:
        write(
            f"account profiles: {profiles.unread} never read, {profiles.stale} read over "
            f"{profiles.days} days ago (read when the run meets them), at most "
            f"{profiles.per_run} a run: up to {profiles.points} GraphQL points"
        )
        whole = whole + Estimate(core=0, graphql=profiles.points)
    core_left, graphql_left = left.get(CORE, 0), left.get(GRAPHQL, 0)
    hours = whole.hours(core_left=core_left, graphql_left=graphql_left, tokens=len(client.tokens))
    write(
        f"plan: {len(repos)} repositories, {whole.core} core requests, {whole.graphql} GraphQL "
        f"points, {whole.search} search requests; budget left {core_left} core, "
        f"{graphql_left} GraphQL, {left.get(SEARCH, 0)} search; "
        + ("fits in the budget left now" if hours == 0 else f"about {hours:.1f} hours of budget")
    )
    return whole
