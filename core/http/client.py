"""The one HTTP client every source uses: httpx with timeouts, a project User-Agent
and bounded retries.

Retries cover what is worth trying again: connection failures, resets, truncated
bodies, timeouts and 500/502/503/504 (plus 429 for generic sources). Waits grow
exponentially with jitter, so many workers hitting one failing server do not retry
in lockstep, and a `Retry-After` the server sends wins over the computed wait. Other
4xx answers are never retried: asking again would get the same answer.
"""

from __future__ import annotations

import email.utils
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import tenacity
from django.conf import settings

from core.http.clock import Clock, SystemClock
from core.http.errors import NoNetworkError
from core.http.redaction import install_log_redaction, redact

logger = logging.getLogger(__name__)

USER_AGENT = "boost-data-collector/0.1 (+https://github.com/boostorg; data collector)"

SERVER_ERROR_STATUSES = frozenset({500, 502, 503, 504})
GENERIC_RETRY_STATUSES = SERVER_ERROR_STATUSES | {429}

# Transport failures that may succeed on a second try (all of them are network or
# timeout failures for classify_failure).
RETRYABLE_TRANSPORT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry one request."""

    max_attempts: int = 5
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    retry_statuses: frozenset[int] = field(default=GENERIC_RETRY_STATUSES)
    # A Retry-After longer than this is not waited for: the request fails instead.
    max_retry_after_seconds: float = 900.0

    @classmethod
    def from_settings(cls, **overrides: object) -> RetryPolicy:
        """Build the policy from HTTP_* settings; read at call time, never at import."""
        values: dict[str, object] = {
            "max_attempts": settings.HTTP_MAX_ATTEMPTS,
            "backoff_base_seconds": float(settings.HTTP_BACKOFF_BASE_SECONDS),
            "backoff_max_seconds": float(settings.HTTP_BACKOFF_MAX_SECONDS),
            "max_retry_after_seconds": float(settings.GITHUB_MAX_RATE_LIMIT_WAIT),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def build_http_client(
    *,
    base_url: str = "",
    headers: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout_seconds: float | None = None,
    event_hooks: dict[str, list[Callable]] | None = None,
) -> httpx.Client:
    """Return an httpx client with the project's User-Agent and timeouts.

    `transport` is how tests, the raw archive and replay plug in; production leaves
    it unset and gets httpx's own connection pool.
    """
    install_log_redaction()
    timeout = float(settings.HTTP_TIMEOUT_SECONDS if timeout_seconds is None else timeout_seconds)
    all_headers = {"User-Agent": USER_AGENT}
    all_headers.update(headers or {})
    return httpx.Client(
        base_url=base_url,
        headers=all_headers,
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        event_hooks=event_hooks,
        follow_redirects=True,
    )


def retry_after_seconds(response: httpx.Response, *, now: float) -> float | None:
    """Parse `Retry-After` (seconds or an HTTP date) into seconds from `now`."""
    raw = response.headers.get("retry-after", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def status_error(response: httpx.Response) -> httpx.HTTPStatusError:
    """Build an HTTPStatusError whose message names the status and the redacted URL."""
    request = response.request
    message = f"{request.method} {redact(str(request.url))} returned HTTP {response.status_code}"
    return httpx.HTTPStatusError(message, request=request, response=response)


# What each timeout bounds, as the client's `timeout` extension names it, and the verb.
_TIMEOUTS: dict[type[httpx.TimeoutException], tuple[str, str]] = {
    httpx.ConnectTimeout: ("connect", "connecting to"),
    httpx.ReadTimeout: ("read", "reading"),
    httpx.WriteTimeout: ("write", "sending"),
    httpx.PoolTimeout: ("pool", "waiting for a connection to"),
}
_LOST: dict[type[httpx.TransportError], str] = {
    httpx.ConnectError: "cannot connect to",
    httpx.ReadError: "connection lost reading",
    httpx.WriteError: "connection lost sending",
    httpx.RemoteProtocolError: "broken HTTP answer from",
}


def _described(exc: httpx.TransportError, request: httpx.Request) -> httpx.TransportError:
    """The same kind of error (same failure category), its message naming the URL.

    httpx says only "timed out" or "[Errno 104] Connection reset by peer"; an operator
    needs to know which request, e.g. `timeout after 30s reading https://.../issues?...`.
    """
    url = redact(str(request.url))
    detail = redact(str(exc))
    if isinstance(exc, httpx.TimeoutException):
        phase, verb = _TIMEOUTS.get(type(exc), ("read", "waiting for"))
        seconds = (request.extensions.get("timeout") or {}).get(phase)
        after = f" after {seconds:g}s" if isinstance(seconds, int | float) else ""
        message = f"timeout{after} {verb} {url}"
    else:
        message = f"{_LOST.get(type(exc), 'network failure on')} {url}" + (
            f" ({detail})" if detail else ""
        )
    return type(exc)(message, request=request)


class _RetryableStatus(Exception):
    """Internal: a response whose status is worth retrying."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _host_does_not_exist(exc: BaseException) -> bool:
    """DNS answered that the name does not exist (EAI_NONAME): it will say so again.

    A resolver that could not answer (EAI_AGAIN, a flaky or absent DNS server) is
    still retried; only the definite "no such host" ends the attempts at once.
    """
    link: BaseException | None = exc
    while link is not None:
        if isinstance(link, socket.gaierror) and link.errno == socket.EAI_NONAME:
            return True
        link = link.__cause__ or link.__context__
    return False


def send_with_retries(
    client: httpx.Client,
    request: httpx.Request,
    *,
    policy: RetryPolicy,
    clock: Clock | None = None,
) -> httpx.Response:
    """Send `request`, retrying per `policy`; return the final response, body read.

    A response that is still a retryable status after the last attempt is returned
    as is: the caller decides whether that status is an error.
    """
    clock = clock or SystemClock()
    backoff = tenacity.wait_exponential_jitter(
        multiplier=policy.backoff_base_seconds,
        max=policy.backoff_max_seconds,
        jitter=policy.backoff_base_seconds,
    )

    def should_retry(state: tenacity.RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus):
            wait = retry_after_seconds(exc.response, now=clock.now())
            return wait is None or wait <= policy.max_retry_after_seconds
        return isinstance(exc, RETRYABLE_TRANSPORT_ERRORS) and not _host_does_not_exist(exc)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus):
            asked = retry_after_seconds(exc.response, now=clock.now())
            if asked is not None:
                return asked
        return backoff(state)

    def log_retry(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        reason = f"HTTP {exc.response.status_code}" if isinstance(exc, _RetryableStatus) else exc
        # INFO: a retry is not a failure; if the last attempt fails, that is logged once.
        logger.info(
            "retrying %s %s after %s (attempt %s of %s)",
            request.method,
            redact(str(request.url)),
            redact(str(reason)),
            state.attempt_number,
            policy.max_attempts,
        )

    def attempt() -> httpx.Response:
        response = client.send(request)
        if response.status_code in policy.retry_statuses:
            raise _RetryableStatus(response)
        return response

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.max_attempts),
        wait=wait,
        retry=should_retry,
        sleep=clock.sleep,
        before_sleep=log_retry,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except _RetryableStatus as exc:
        return exc.response
    except RETRYABLE_TRANSPORT_ERRORS as exc:
        raise _described(exc, request) from exc


def send_reaching(
    client: httpx.Client,
    request: httpx.Request,
    *,
    policy: RetryPolicy,
    clock: Clock | None = None,
    url_setting: str,
) -> httpx.Response:
    """`send_with_retries`, with an unreachable host as one clear `NoNetworkError`.

    `url_setting` names the setting that holds the source's URL, for the operator
    to check (`GITHUB_API_URL`, `WG21_PAPERS_URL`).
    """
    try:
        return send_with_retries(client, request, policy=policy, clock=clock)
    except httpx.ConnectError as exc:
        host = request.url.host
        raise NoNetworkError(
            f"no network access to {host} — {redact(str(exc))}; check the connection, "
            f"the proxy settings or {url_setting}",
            host=host,
        ) from exc
