"""The Slack Web API client collectors use: one bot token, cursor pagination, method
tiers budgeted ahead of time, `Retry-After` waited within the run's budget, and Slack's
`{"ok": false, "error": ...}` answers mapped to failure categories.

Slack reports most failures inside an HTTP 200 (`ok: false`), so the status alone
says nothing: `SlackApiError` carries the error code and the category it maps to
(`invalid_auth` is `auth`, `not_in_channel` is `permission`, `channel_not_found` is
`not_found`, `ratelimited` is `rate_limit`, ...). A 429 with `Retry-After` is waited
out while the run's wait budget (SLACK_RATE_LIMIT_BUDGET_SECONDS) lasts; a wait that
would exceed it raises `RateLimitExhausted`, so the run stops at its last checkpoint.
Requests of one method are spaced to its tier's rate (SLACK_TIER*_PER_MINUTE,
SLACK_HISTORY_PER_MINUTE), so a normal run never meets a 429 at all.

Connection errors, timeouts and 5xx are retried by `send_with_retries`; every
response is counted for the run ledger by `RequestMeter`; the token travels only in
the `Authorization` header and is registered with `redact`, so no log line, error or
archive record holds it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings

from core.errors import CollectorFailureCategory, RateLimitExhausted, SourceError
from core.http.client import (
    SERVER_ERROR_STATUSES,
    RetryPolicy,
    build_http_client,
    retry_after_seconds,
    send_reaching,
    status_error,
)
from core.http.clock import Clock, SystemClock
from core.http.errors import MalformedResponse, PaginationLoopError
from core.http.metering import RequestMeter
from core.http.payload import decode_json
from core.http.redaction import redact, register_secret
from core.runs import RunCounters

logger = logging.getLogger(__name__)

# Slack asks clients to wait this long when a 429 comes without Retry-After.
DEFAULT_RETRY_AFTER = 60.0
# Rounds of 429 waits for one request before giving up (a server that never relents).
MAX_RATE_LIMIT_ROUNDS = 10

_Category = CollectorFailureCategory
ERROR_CATEGORIES: dict[str, CollectorFailureCategory] = {
    **dict.fromkeys(
        (
            "invalid_auth",
            "not_authed",
            "account_inactive",
            "token_revoked",
            "token_expired",
            "no_permission",
            "not_allowed_token_type",
            "two_factor_setup_required",
        ),
        _Category.AUTH,
    ),
    **dict.fromkeys(
        (
            "missing_scope",
            "not_in_channel",
            "access_denied",
            "team_access_not_granted",
            "ekm_access_denied",
            "org_login_required",
        ),
        _Category.PERMISSION,
    ),
    **dict.fromkeys(
        ("channel_not_found", "thread_not_found", "user_not_found", "team_not_found"),
        _Category.NOT_FOUND,
    ),
    **dict.fromkeys(
        ("internal_error", "fatal_error", "service_unavailable", "request_timeout"),
        _Category.UPSTREAM,
    ),
    "ratelimited": _Category.RATE_LIMIT,
    **dict.fromkeys(
        (
            "invalid_arguments",
            "invalid_cursor",
            "invalid_ts_latest",
            "invalid_ts_oldest",
            "invalid_limit",
            "invalid_types",
            "limit_required",
        ),
        _Category.VALIDATION,
    ),
}

# Which rate each method is budgeted against (https://api.slack.com/docs/rate-limits).
HISTORY = "history"
METHOD_TIERS: dict[str, str] = {
    "auth.test": "tier4",
    "team.info": "tier3",
    "users.list": "tier2",
    "conversations.list": "tier2",
    "conversations.info": "tier3",
    "conversations.members": "tier4",
    "conversations.history": HISTORY,
    "conversations.replies": HISTORY,
}


def tier_rates_from_settings() -> dict[str, int]:
    """Requests per minute per tier, read at call time."""
    return {
        "tier2": settings.SLACK_TIER2_PER_MINUTE,
        "tier3": settings.SLACK_TIER3_PER_MINUTE,
        "tier4": settings.SLACK_TIER4_PER_MINUTE,
        HISTORY: settings.SLACK_HISTORY_PER_MINUTE,
    }


class SlackApiError(SourceError):
    """Slack answered `{"ok": false, "error": code}`; `category` follows from the code."""

    def __init__(self, message: str, *, method: str, error: str) -> None:
        super().__init__(message, category=ERROR_CATEGORIES.get(error, _Category.UNKNOWN))
        self.method = method
        self.error = error


@dataclass(frozen=True)
class SlackPage:
    """One answer of a cursor-paginated method: its list, the whole body, the next cursor."""

    items: list[Any]
    body: dict[str, Any]
    url: str
    next_cursor: str


class SlackClient:
    """Call Slack Web API methods with one bot token; build one per team and run."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        counters: RunCounters | None = None,
        policy: RetryPolicy | None = None,
        wait_budget_seconds: float | None = None,
        rates: Mapping[str, int] | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Slack client needs a bot token")
        register_secret(token)
        self._token = token
        self.base_url = (base_url or settings.SLACK_API_URL).rstrip("/")
        self.clock = clock or SystemClock()
        self.policy = policy or RetryPolicy.from_settings(retry_statuses=SERVER_ERROR_STATUSES)
        budget = settings.SLACK_RATE_LIMIT_BUDGET_SECONDS
        self.wait_budget = float(budget if wait_budget_seconds is None else wait_budget_seconds)
        self.waited = 0.0
        self.rates = dict(rates if rates is not None else tier_rates_from_settings())
        self._last_sent: dict[str, float] = {}
        self.meter = RequestMeter(counters=counters)
        self.http = build_http_client(
            base_url=self.base_url,
            headers={"Accept": "application/json"},
            transport=transport,
            event_hooks={"response": [self.meter]},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SlackClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def url_of(self, method: str, params: Mapping[str, Any] | None = None) -> str:
        """The method's URL with its arguments, for naming a request in errors (no token)."""
        query = f"?{urlencode(dict(params))}" if params else ""
        return redact(f"{self.base_url}/{method}{query}")

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Call one method; return its body (`ok: true`), or raise SlackApiError."""
        args = {k: str(v) for k, v in (params or {}).items() if v is not None and v != ""}
        url = self.url_of(method, args)
        for _round in range(MAX_RATE_LIMIT_ROUNDS):
            self._pace(method)
            request = self.http.build_request("POST", f"/{method}", data=args)
            request.headers["Authorization"] = f"Bearer {self._token}"
            response = self._send(request)
            if response.status_code == 429:
                self._wait(method, url, retry_after_seconds(response, now=self.clock.now()))
                continue
            if response.status_code >= 300:
                raise status_error(response)
            body = decode_json(response.content, url=url, what=f"{method} answer")
            if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
                raise MalformedResponse(f"{url}: the answer has no 'ok' true or false", url=url)
            if body["ok"]:
                return body
            error = body.get("error")
            error = error if isinstance(error, str) and error else "unknown_error"
            if error == "ratelimited":
                self._wait(method, url, retry_after_seconds(response, now=self.clock.now()))
                continue
            raise SlackApiError(
                f"Slack {method} failed: {error} ({url})", method=method, error=error
            )
        raise RateLimitExhausted(f"Slack still answered rate-limited for {url} after waiting")

    def pages(
        self,
        method: str,
        *,
        key: str,
        params: Mapping[str, Any] | None = None,
        cursor: str = "",
    ) -> Iterator[SlackPage]:
        """Yield the pages of a cursor-paginated method (`response_metadata.next_cursor`).

        A cursor Slack sends twice stops the stream with PaginationLoopError rather than
        asking forever.
        """
        seen: set[str] = {cursor} if cursor else set()
        while True:
            args = {**(params or {}), "cursor": cursor}
            body = self.call(method, args)
            url = self.url_of(method, {k: v for k, v in args.items() if v})
            items = body.get(key)
            if not isinstance(items, list):
                raise MalformedResponse(
                    f"{url}: field {key!r} is {type(items).__name__}, expected a list",
                    url=url,
                    field=key,
                )
            following = _next_cursor(body, url=url)
            if following and following in seen:
                raise PaginationLoopError(
                    f"{url}: next_cursor {following!r} was already read; stopping instead of "
                    "looping",
                    url=url,
                )
            yield SlackPage(items=items, body=body, url=url, next_cursor=following)
            if not following:
                return
            seen.add(following)
            cursor = following

    # --- sending ----------------------------------------------------------------

    def _pace(self, method: str) -> None:
        """Space calls of one method to its tier's rate: budgeted ahead, not a blind sleep."""
        per_minute = self.rates.get(METHOD_TIERS.get(method, "tier3"), 20)
        interval = 60.0 / max(per_minute, 1)
        last = self._last_sent.get(method)
        now = self.clock.now()
        if last is not None and now - last < interval:
            self.clock.sleep(interval - (now - last))
        self._last_sent[method] = self.clock.now()

    def _wait(self, method: str, url: str, asked: float | None) -> None:
        """Wait out a rate limit if the run's budget allows it, else stop the run."""
        wait = DEFAULT_RETRY_AFTER if asked is None else asked
        left = self.wait_budget - self.waited
        if wait > left:
            raise RateLimitExhausted(
                f"Slack rate limit on {method}: Retry-After {wait:.0f}s exceeds what is left "
                f"of this run's wait budget ({max(left, 0):.0f}s of "
                f"SLACK_RATE_LIMIT_BUDGET_SECONDS={self.wait_budget:.0f}); rerun later to "
                f"resume ({url})",
                wait_seconds=wait,
            )
        logger.warning("Slack rate limit on %s; waiting %.0fs (Retry-After)", method, wait)
        self.clock.sleep(wait)
        self.waited += wait

    def _send(self, request: httpx.Request) -> httpx.Response:
        return send_reaching(
            self.http,
            request,
            policy=self.policy,
            clock=self.clock,
            url_setting="SLACK_API_URL",
        )


def _next_cursor(body: Mapping[str, Any], *, url: str) -> str:
    meta = body.get("response_metadata")
    if meta is None:
        return ""
    if not isinstance(meta, dict):
        raise MalformedResponse(f"{url}: response_metadata is not an object", url=url)
    cursor = meta.get("next_cursor")
    if cursor in (None, ""):
        return ""
    if isinstance(cursor, int) and not isinstance(cursor, bool):
        return str(cursor)
    if not isinstance(cursor, str):
        raise MalformedResponse(
            f"{url}: response_metadata.next_cursor is {cursor!r}, expected text",
            url=url,
            field="response_metadata.next_cursor",
        )
    return cursor
