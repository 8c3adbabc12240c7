"""The GitHub client collectors use: REST with Link pagination, GraphQL with cursor
pagination, a token pool, rate-limit waits and conditional requests.

Rate limits, in the order GitHub documents them: a primary limit per account
(`x-ratelimit-remaining: 0`), answered by switching to the pool token with the most
budget left and, when every token is out, waiting for the earliest reset; and
secondary limits (403/429 with `retry-after` or a message saying so), answered by
waiting. A wait longer than GITHUB_MAX_RATE_LIMIT_WAIT raises `RateLimitExhausted`,
which `classify_failure` files under `rate_limit`: the run stops cleanly and its
last checkpoint lets the next run resume.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings

from core.errors import CollectorFailureCategory, RateLimitExhausted, classify_http_status
from core.http.client import (
    SERVER_ERROR_STATUSES,
    RetryPolicy,
    build_http_client,
    retry_after_seconds,
    send_reaching,
    status_error,
)
from core.http.clock import Clock, SystemClock
from core.http.errors import GraphQLError, MalformedResponse, PaginationLoopError
from core.http.etag_cache import ETagCache
from core.http.metering import RequestMeter
from core.http.paging import (
    GraphQLPage,
    Page,
    check_same_origin,
    connection_at,
    connection_page,
    next_link,
    page_items,
    page_key,
)
from core.http.payload import decode_json
from core.http.redaction import redact
from core.http.tokens import TokenBudget, TokenPool
from core.runs import RunCounters

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Fetched:
    body: Any
    url: str
    link: str
    not_modified: bool


DEFAULT_PER_PAGE = 100
# GitHub asks clients to wait at least a minute after a secondary limit without
# a retry-after header.
SECONDARY_LIMIT_DEFAULT_WAIT = 60.0


# GitHub's naming rules: an owner is 1-39 letters, digits or single inner hyphens; a
# repository name is 1-100 letters, digits, '.', '-' or '_', and not '.' or '..'.
_OWNER = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9])*")
_REPO_NAME = re.compile(r"[A-Za-z0-9._-]+")


def full_name_problem(full_name: str) -> str | None:
    """Why `full_name` is not a GitHub `owner/name`, or None when it is one.

    Checked before any request: `json#frag` or `json?x=1` would otherwise become
    another URL (`/repos/boostorg/json`) and store rows under a name that is not there.
    """
    owner, slash, name = full_name.partition("/")
    if not slash or not owner or not name or "/" in name:
        return "is not owner/name"
    if len(owner) > 39 or not _OWNER.fullmatch(owner):
        return (
            "is not owner/name: an owner is at most 39 letters, digits or single hyphens "
            "between them"
        )
    if len(name) > 100 or not _REPO_NAME.fullmatch(name) or name in (".", ".."):
        return (
            "is not owner/name: a repository name is at most 100 letters, digits, "
            "'.', '-' or '_' (not '.' or '..')"
        )
    return None


def parse_json(response: httpx.Response) -> Any:
    """Return the JSON body, or raise MalformedResponse naming the (redacted) URL."""
    return decode_json(
        response.content, url=str(response.request.url), what=f"{response.request.method} body"
    )


def graphql_error(errors: Sequence[Any], *, url: str) -> GraphQLError:
    """One GraphQLError for a response's `errors`: their messages and types."""
    messages = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
    types = [str(e.get("type", "")) for e in errors if isinstance(e, dict)]
    return GraphQLError(
        f"GraphQL query to {url} failed: {'; '.join(messages)}",
        url=url,
        messages=messages,
        types=types,
    )


def _epoch(text: Any) -> float:
    """An ISO 8601 moment (GraphQL's `resetAt`) as epoch seconds; 0 when unreadable."""
    if not isinstance(text, str):
        return 0.0
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0


def _is_rate_limited(response: httpx.Response) -> bool:
    if response.status_code in (403, 429):
        return classify_http_status(response) is CollectorFailureCategory.RATE_LIMIT
    # GraphQL reports an exhausted budget as a 200 with a RATE_LIMITED error.
    return (
        response.headers.get("x-ratelimit-remaining") == "0" and b"RATE_LIMITED" in response.content
    )


class GitHubClient:
    """Talk to GitHub REST and GraphQL; build one per run and close it at the end."""

    def __init__(
        self,
        *,
        tokens: TokenPool | None = None,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        counters: RunCounters | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
        conditional: bool = True,
        policy: RetryPolicy | None = None,
        max_rate_limit_wait: float | None = None,
        accept: str = "application/vnd.github+json",
    ) -> None:
        """`accept` is the media type asked for (code search's text matches need
        `application/vnd.github.text-match+json`); the default is GitHub's JSON."""
        self.base_url = (base_url or settings.GITHUB_API_URL).rstrip("/")
        self.graphql_url = f"{self.base_url}/graphql"
        self.tokens = tokens if tokens is not None else TokenPool.from_settings()
        self.clock = clock or SystemClock()
        self.conditional = conditional
        self.cache = ETagCache()
        self.policy = policy or RetryPolicy.from_settings(retry_statuses=SERVER_ERROR_STATUSES)
        self.max_rate_limit_wait = float(
            settings.GITHUB_MAX_RATE_LIMIT_WAIT
            if max_rate_limit_wait is None
            else max_rate_limit_wait
        )
        self.meter = RequestMeter(counters=counters, on_response=on_response)
        self.http = build_http_client(
            base_url=self.base_url,
            headers={"Accept": accept, "X-GitHub-Api-Version": "2022-11-28"},
            transport=transport,
            event_hooks={"response": [self.meter]},
        )

    @property
    def rate_limit_remaining(self) -> int | None:
        """The budget GitHub reported on the last response (None before any)."""
        return self.meter.rate_limit_remaining

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- REST -------------------------------------------------------------------

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """GET one resource and return its parsed JSON (a 304 returns the stored body)."""
        return self._fetch("GET", path, params=params).body

    def url_of(self, path: str, *, params: Mapping[str, Any] | None = None) -> str:
        """The absolute URL `get(path, params=...)` asks, secrets removed: for error messages."""
        return redact(str(self.http.build_request("GET", path, params=params).url))

    def pages(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        start_url: str | None = None,
    ) -> Iterator[Page]:
        """Yield the pages of a REST list, following rel="next" on the same origin.

        Pass a stored `Page.next_url` as `start_url` to resume where a run stopped.
        """
        if start_url is not None:
            url: str | None = check_same_origin(start_url, base_url=self.base_url)
            query: Mapping[str, Any] | None = None
        else:
            url, query = path, {"per_page": DEFAULT_PER_PAGE, **(params or {})}
        read: set[tuple] = set()
        while url is not None:
            fetched = self._fetch("GET", url, params=query)
            read.add(page_key(fetched.url))
            following = next_link(fetched.link)
            if following is not None:
                check_same_origin(following, base_url=self.base_url)
                if page_key(following) in read:
                    raise PaginationLoopError(
                        f"{redact(fetched.url)}: its next link {redact(following)} is a page "
                        "this stream already read; stopping instead of looping",
                        url=redact(fetched.url),
                    )
            items = page_items(fetched.body, url=fetched.url)
            logger.debug("fetched %s items from %s", len(items), redact(fetched.url))
            yield Page(
                items=items,
                url=fetched.url,
                next_url=following,
                not_modified=fetched.not_modified,
            )
            url, query = following, None

    def items(self, path: str, *, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Yield every item of a REST list, page after page."""
        for page in self.pages(path, params=params):
            yield from page.items

    # --- GraphQL ----------------------------------------------------------------

    def graphql(
        self,
        query: str,
        *,
        variables: Mapping[str, Any] | None = None,
        tolerate: Collection[str] = (),
    ) -> dict:
        """POST a GraphQL query and return its `data`; `errors` raise GraphQLError.

        Errors whose `type` is in `tolerate` (e.g. NOT_FOUND for one aliased
        repository of a batch query) are logged and dropped: GitHub still answers
        the rest of the query, and one missing repository must not cost the batch.
        """
        data, listed = self.graphql_answer(query, variables=variables)
        url = redact(self.graphql_url)
        errors = []
        for error in listed:
            if isinstance(error, dict) and error.get("type") in tolerate:
                logger.warning("GraphQL query to %s: %s (tolerated)", url, error.get("message"))
            else:
                errors.append(error)
        if errors:
            raise graphql_error(errors, url=url)
        if data is None:
            raise MalformedResponse(f"{url} returned no GraphQL data", url=url)
        return data

    def graphql_answer(
        self, query: str, *, variables: Mapping[str, Any] | None = None
    ) -> tuple[dict | None, list[Any]]:
        """POST a GraphQL query; return its `data` (None when absent) and its `errors`.

        For callers that judge errors one by one (an error at one node of a page,
        the rest of the page answered). A `rateLimit { remaining resetAt }` in the
        data is recorded in the token pool as the token's `graphql` budget.
        """
        payload = {"query": query, "variables": dict(variables or {})}
        budget = self.tokens.best(now=self.clock.now())
        body = self._fetch("POST", self.graphql_url, json_body=payload).body
        url = redact(self.graphql_url)
        if not isinstance(body, dict):
            raise MalformedResponse(f"{url} returned JSON that is not an object", url=url)
        listed = body.get("errors") or []
        errors = listed if isinstance(listed, list) else [listed]
        data = body.get("data")
        if data is not None and not isinstance(data, dict):
            raise MalformedResponse(f"{url} returned GraphQL data that is not an object", url=url)
        limit = data.get("rateLimit") if data else None
        if isinstance(limit, dict) and isinstance(limit.get("remaining"), int):
            self.tokens.record_bucket(
                budget,
                "graphql",
                remaining=limit["remaining"],
                reset_at=_epoch(limit.get("resetAt")),
            )
        return data, errors

    def graphql_pages(
        self,
        query: str,
        *,
        connection_path: Sequence[str],
        variables: Mapping[str, Any] | None = None,
        after: str | None = None,
    ) -> Iterator[GraphQLPage]:
        """Yield pages of the connection at `connection_path`; the query takes `$after`.

        Pass a stored `GraphQLPage.end_cursor` as `after` to resume.
        """
        cursor = after
        read: set[str] = {after} if after else set()
        while True:
            data = self.graphql(query, variables={**(variables or {}), "after": cursor})
            page = connection_page(
                connection_at(data, connection_path, url=self.graphql_url), url=self.graphql_url
            )
            if page.has_next_page and page.end_cursor in read:
                raise PaginationLoopError(
                    f"{redact(self.graphql_url)}: the connection at {'.'.join(connection_path)} "
                    f"sent the cursor {page.end_cursor!r} again; stopping instead of looping",
                    url=redact(self.graphql_url),
                )
            yield page
            if not page.has_next_page or not page.end_cursor:
                return
            cursor = page.end_cursor
            read.add(cursor)

    # --- sending ----------------------------------------------------------------

    def _fetch(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> _Fetched:
        """Send with token choice and rate-limit handling; a 304 gives the stored body."""
        # Each round either succeeds, switches token or waits for a reset; the bound
        # stops a server that answers "rate limited" forever.
        for _round in range(len(self.tokens) + 3):
            budget = self.tokens.best(now=self.clock.now())
            request = self.http.build_request(method, url, params=params, json=json_body)
            if budget.token is not None:
                request.headers["Authorization"] = f"Bearer {budget.token}"
            use_cache = self.conditional and method == "GET"
            entry = self.cache.add_validators(request) if use_cache else None
            response = self._send(request)
            self.tokens.record(budget, response.headers)
            sent_url = str(request.url)
            if response.status_code == 304 and entry is not None:
                return _Fetched(entry.body, sent_url, entry.link, not_modified=True)
            if _is_rate_limited(response):
                self._wait_for_budget(budget, response)
                continue
            if response.status_code >= 300:
                raise status_error(response)
            body = parse_json(response)
            if use_cache:
                self.cache.store(response, body, request=request)
            return _Fetched(body, sent_url, response.headers.get("link", ""), not_modified=False)
        raise RateLimitExhausted(
            f"GitHub still answered rate-limited for {method} {redact(url)} after waiting"
        )

    def _send(self, request: httpx.Request) -> httpx.Response:
        """Send with retries; an unreachable host becomes one clear NoNetworkError."""
        return send_reaching(
            self.http, request, policy=self.policy, clock=self.clock, url_setting="GITHUB_API_URL"
        )

    def _wait_for_budget(self, budget: TokenBudget, response: httpx.Response) -> None:
        """Switch token, or wait, or raise RateLimitExhausted when the wait is too long."""
        now = self.clock.now()
        asked = retry_after_seconds(response, now=now)
        primary = response.headers.get("x-ratelimit-remaining") == "0"
        if primary:
            reset = response.headers.get("x-ratelimit-reset", "")
            self.tokens.exhaust(budget, reset_at=float(reset) if reset.isdigit() else None)
            best = self.tokens.best(now=now)
            if best.remaining > 0:
                logger.warning(
                    "GitHub primary rate limit reached for one token; switching to another "
                    "with %s requests left",
                    best.remaining,
                )
                return
            earliest = self.tokens.earliest_reset()
            wait = max(0.0, earliest - now) if earliest else (asked or SECONDARY_LIMIT_DEFAULT_WAIT)
            kind = "primary"
        else:
            wait = asked if asked is not None else SECONDARY_LIMIT_DEFAULT_WAIT
            kind = "secondary"
        if wait > self.max_rate_limit_wait:
            raise RateLimitExhausted(
                f"GitHub {kind} rate limit reached for every token; the wait of {wait:.0f}s "
                f"exceeds GITHUB_MAX_RATE_LIMIT_WAIT={self.max_rate_limit_wait:.0f}s",
                wait_seconds=wait,
            )
        logger.warning("GitHub %s rate limit reached; waiting %.0fs", kind, wait)
        self.clock.sleep(wait)
        if primary:
            self.tokens.refill_all()
