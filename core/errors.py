"""Failure categories for collector runs and the classifier that assigns them.

`classify_failure` decides by exception type and HTTP status, walking the explicit
`__cause__` chain (then the implicit `__context__`), so a low-level error wrapped by
`raise ... from exc` is still recognised. It never inspects class-name strings:
renaming a class must not change how failures are counted.
"""

from __future__ import annotations

import enum
import json
import socket
from collections.abc import Iterator

import httpx
import psycopg
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management.base import CommandError
from django.db import Error as DjangoDatabaseError
from django.db import connection

from core.text import strip_nul


class CollectorFailureCategory(enum.StrEnum):
    """Why a run failed, as used in logs, the run ledger and metrics."""

    UNKNOWN = "unknown"
    VALIDATION = "validation"
    AUTH = "auth"
    PERMISSION = "permission"
    RATE_LIMIT = "rate_limit"
    NETWORK = "network"
    TIMEOUT = "timeout"
    COMMAND = "command"
    DATABASE = "database"
    NOT_FOUND = "not_found"
    UPSTREAM = "upstream"
    # Not run: another run of the same command held its lock (a skipped batch task).
    LOCKED = "locked"

    def __str__(self) -> str:
        return self.value


class RateLimitExhausted(Exception):
    """Every token's budget is spent and waiting would exceed the allowed wait.

    Carries the wait the source asked for, so the operator knows when a rerun helps.
    """

    def __init__(self, message: str, *, wait_seconds: float | None = None) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class SourceError(Exception):
    """A source's failure that names its own category.

    For sources that report errors inside a successful HTTP answer, where no status
    tells them apart: Slack answers HTTP 200 with `{"ok": false, "error": "invalid_auth"}`.
    The source's client maps its error codes to a category once, on the exception.
    """

    def __init__(self, message: str, *, category: CollectorFailureCategory) -> None:
        super().__init__(message)
        self.category = category


_SECONDARY_LIMIT_PHRASES = ("secondary rate limit", "abuse detection", "rate limit exceeded")

# Client errors that mean "the request we built was wrong", i.e. bad input data.
_VALIDATION_STATUSES = frozenset({400, 409, 422})


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """Yield `exc` and the exceptions behind it, guarding against cycles."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if current.__cause__ is not None:
            current = current.__cause__
        elif not current.__suppress_context__:
            current = current.__context__
        else:
            current = None


def _response_of(exc: BaseException) -> httpx.Response | None:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response
    response = getattr(exc, "response", None)
    return response if isinstance(response, httpx.Response) else None


def _is_rate_limited_403(response: httpx.Response) -> bool:
    headers = response.headers
    if headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers:
        return True
    try:
        text = response.text.lower()
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return False
    return any(phrase in text for phrase in _SECONDARY_LIMIT_PHRASES)


def classify_http_status(response: httpx.Response) -> CollectorFailureCategory:
    """Map an HTTP error response to a category (401 auth, 429 rate limit, ...)."""
    status = response.status_code
    if status == 401:
        return CollectorFailureCategory.AUTH
    if status == 429:
        return CollectorFailureCategory.RATE_LIMIT
    if status == 403:
        if _is_rate_limited_403(response):
            return CollectorFailureCategory.RATE_LIMIT
        return CollectorFailureCategory.PERMISSION
    if status in (404, 410):
        return CollectorFailureCategory.NOT_FOUND
    if status in _VALIDATION_STATUSES:
        return CollectorFailureCategory.VALIDATION
    if status >= 500:
        return CollectorFailureCategory.UPSTREAM
    return CollectorFailureCategory.UNKNOWN


# GitHub GraphQL error `type`s that say more than "the query was wrong" (a 200 answer
# carries them, so no HTTP status tells).
_GRAPHQL_TYPES = {
    "RATE_LIMITED": CollectorFailureCategory.RATE_LIMIT,
    "FORBIDDEN": CollectorFailureCategory.PERMISSION,
    "INSUFFICIENT_SCOPES": CollectorFailureCategory.PERMISSION,
    "NOT_FOUND": CollectorFailureCategory.NOT_FOUND,
}


def _graphql_category(exc: BaseException) -> CollectorFailureCategory | None:
    """The category of a GraphQL error by its first telling `type` (duck-typed: `types`)."""
    types = getattr(exc, "types", None)
    if not isinstance(types, list):
        return None
    for kind in types:
        if kind in _GRAPHQL_TYPES:
            return _GRAPHQL_TYPES[kind]
    return None


def _classify_one(exc: BaseException) -> CollectorFailureCategory:
    # Order matters: several built-in types share base classes (TimeoutError and
    # ConnectionError are both OSError; JSONDecodeError is a ValueError).
    category = CollectorFailureCategory
    if isinstance(exc, CommandError):
        return category.COMMAND
    if isinstance(exc, RateLimitExhausted):
        return category.RATE_LIMIT
    if isinstance(exc, SourceError):
        return exc.category
    response = _response_of(exc)
    if response is not None:
        return classify_http_status(response)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return category.TIMEOUT
    if isinstance(exc, httpx.TransportError | ConnectionError | socket.gaierror):
        return category.NETWORK
    if isinstance(exc, DjangoDatabaseError | psycopg.Error):
        return category.DATABASE
    if isinstance(exc, PermissionError):
        return category.PERMISSION
    if isinstance(exc, ValueError) and (graphql := _graphql_category(exc)) is not None:
        return graphql
    if isinstance(exc, ValueError | json.JSONDecodeError | DjangoValidationError):
        return category.VALIDATION
    return category.UNKNOWN


def one_line(error: BaseException | str, *, limit: int | None = None) -> str:
    """Describe an error on one line ("Type: message"), cut to `limit` characters.

    Ledger rows, health reports and command errors show failures to people one per
    line; a driver's multi-line message would break tables and log lines.
    """
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    # NUL too: the line is stored in text columns, which refuse it.
    text = " ".join(strip_nul(text).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def database_unavailable(command: str, exc: BaseException) -> CommandError:
    """The one-line error a command raises when PostgreSQL cannot be reached at start."""
    return CommandError(f"{command}: the database is unavailable ({one_line(str(exc))})")


def require_database(command: str) -> None:
    """Fail in one line before any other work (a network call) when PostgreSQL is down."""
    try:
        connection.ensure_connection()
    except (DjangoDatabaseError, psycopg.Error) as exc:
        raise database_unavailable(command, exc) from exc


def classify_failure(exc: BaseException) -> CollectorFailureCategory:
    """Return the category of `exc`, looking through its cause chain.

    The first exception in the chain with a known category wins, so a `RuntimeError`
    raised `from` an `httpx.ConnectError` is a network failure.
    """
    for link in _chain(exc):
        found = _classify_one(link)
        if found is not CollectorFailureCategory.UNKNOWN:
            return found
    return CollectorFailureCategory.UNKNOWN
