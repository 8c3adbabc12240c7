"""classify_failure: every category, by type, HTTP status and cause chain."""

from __future__ import annotations

import json
import socket

import httpx
import pytest
from django.core.management.base import CommandError
from django.db import IntegrityError, InterfaceError, OperationalError

from core.errors import CollectorFailureCategory as C
from core.errors import RateLimitExhausted, classify_failure, classify_http_status, one_line

REQUEST = httpx.Request("GET", "https://api.github.com/repos/boostorg/boost")


def http_error(
    status: int, headers: dict[str, str] | None = None, body: str = ""
) -> httpx.HTTPStatusError:
    response = httpx.Response(status, headers=headers or {}, text=body, request=REQUEST)
    return httpx.HTTPStatusError(f"HTTP {status}", request=REQUEST, response=response)


def chained(outer: Exception, inner: BaseException) -> Exception:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer from exc
    except Exception as caught:
        return caught


def implicit_context(outer: Exception, inner: BaseException) -> Exception:
    try:
        try:
            raise inner
        except BaseException:
            raise outer  # noqa: B904 - the implicit context is what this case tests
    except Exception as caught:
        return caught


CASES = [
    ("unknown", RuntimeError("boom"), C.UNKNOWN),
    ("validation ValueError", ValueError("bad date"), C.VALIDATION),
    ("validation JSON", json.JSONDecodeError("Expecting value", "x", 0), C.VALIDATION),
    ("auth 401", http_error(401), C.AUTH),
    (
        "permission 403",
        http_error(403, body='{"message": "Resource not accessible"}'),
        C.PERMISSION,
    ),
    (
        "rate limit 403 remaining 0",
        http_error(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000"}),
        C.RATE_LIMIT,
    ),
    (
        "rate limit 403 secondary message",
        http_error(403, body='{"message": "You have exceeded a secondary rate limit."}'),
        C.RATE_LIMIT,
    ),
    ("rate limit 403 retry-after", http_error(403, {"retry-after": "60"}), C.RATE_LIMIT),
    ("rate limit 429", http_error(429, {"retry-after": "30"}), C.RATE_LIMIT),
    (
        "rate limit exhausted",
        RateLimitExhausted("all tokens spent", wait_seconds=900),
        C.RATE_LIMIT,
    ),
    ("not found 404", http_error(404), C.NOT_FOUND),
    ("gone 410", http_error(410), C.NOT_FOUND),
    ("unprocessable 422", http_error(422), C.VALIDATION),
    ("upstream 500", http_error(500), C.UPSTREAM),
    ("upstream 503", http_error(503), C.UPSTREAM),
    ("other 4xx", http_error(418), C.UNKNOWN),
    ("network httpx connect", httpx.ConnectError("refused", request=REQUEST), C.NETWORK),
    ("network reset", ConnectionResetError(104, "reset by peer"), C.NETWORK),
    ("network refused", ConnectionRefusedError(111, "refused"), C.NETWORK),
    ("network dns", socket.gaierror(-2, "Name or service not known"), C.NETWORK),
    ("network protocol", httpx.RemoteProtocolError("peer closed", request=REQUEST), C.NETWORK),
    ("timeout httpx read", httpx.ReadTimeout("read timed out", request=REQUEST), C.TIMEOUT),
    (
        "timeout httpx connect",
        httpx.ConnectTimeout("connect timed out", request=REQUEST),
        C.TIMEOUT,
    ),
    ("timeout builtin", TimeoutError("slow"), C.TIMEOUT),
    ("database operational", OperationalError("connection refused"), C.DATABASE),
    ("database interface", InterfaceError("connection already closed"), C.DATABASE),
    ("database integrity", IntegrityError("duplicate key"), C.DATABASE),
    ("permission os", PermissionError(13, "Permission denied"), C.PERMISSION),
    ("command", CommandError("GITHUB_TOKEN is not set"), C.COMMAND),
    (
        "cause chain",
        chained(RuntimeError("fetch failed"), httpx.ConnectError("x", request=REQUEST)),
        C.NETWORK,
    ),
    ("cause chain status", chained(RuntimeError("page 3"), http_error(502)), C.UPSTREAM),
    ("implicit context", implicit_context(KeyError("x"), TimeoutError()), C.TIMEOUT),
    ("outer wins", chained(ValueError("bad page"), TimeoutError()), C.VALIDATION),
]


@pytest.mark.parametrize(("exc", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classify_failure(exc: BaseException, expected: C) -> None:
    assert classify_failure(exc) is expected


def test_every_category_of_an_exception_is_reachable() -> None:
    reached = {expected for _, _, expected in CASES}
    # LOCKED is no exception's category: the runner gives it to a task that did not run.
    assert reached == set(C) - {C.LOCKED}


def test_suppressed_context_is_not_followed() -> None:
    exc = KeyError("x")
    exc.__context__ = TimeoutError()
    exc.__suppress_context__ = True  # what `raise ... from None` sets
    assert classify_failure(exc) is C.UNKNOWN


def test_cyclic_chain_terminates() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__cause__, second.__cause__ = second, first
    assert classify_failure(first) is C.UNKNOWN


def test_class_name_does_not_decide() -> None:
    class RateLimitTimeoutNetworkError(Exception):
        pass

    assert classify_failure(RateLimitTimeoutNetworkError()) is C.UNKNOWN


def test_unread_streaming_403_is_permission() -> None:
    response = httpx.Response(
        403, stream=httpx.ByteStream(b"secondary rate limit"), request=REQUEST
    )
    assert classify_http_status(response) is C.PERMISSION


def test_category_prints_as_its_value() -> None:
    assert str(C.RATE_LIMIT) == "rate_limit"
    assert f"{C.NOT_FOUND}" == "not_found"


def test_one_line_drops_nul_so_the_ledger_can_store_it() -> None:
    assert one_line(ValueError("bad\x00 body\nhere")) == "ValueError: bad body here"
