"""Retries: what is retried, how long the waits are, and when the client gives up."""

from __future__ import annotations

import socket

import httpx
import pytest

from core.errors import CollectorFailureCategory, classify_failure
from core.http import RetryPolicy, build_http_client, send_with_retries
from core.http.client import USER_AGENT, retry_after_seconds
from core.testing import fixture_server as faults

REPO = "/repos/octokit-fixture-org/hello-world"


def test_server_errors_are_retried_with_growing_jittered_waits(
    octokit_server, make_client, fake_clock
) -> None:
    octokit_server.fail("GET", REPO, faults.server_error(502), times=2)
    client = make_client(policy=RetryPolicy(max_attempts=5, backoff_base_seconds=1.0))

    repo = client.get(REPO)

    assert repo["full_name"] == "octokit-fixture-org/hello-world"
    assert octokit_server.hits("GET", REPO) == 3
    first, second = fake_clock.sleeps
    assert 1.0 <= first <= 2.0  # initial wait plus up to one second of jitter
    assert 2.0 <= second <= 3.0  # doubled


def test_retries_stop_at_the_attempt_limit(octokit_server, make_client, fake_clock) -> None:
    octokit_server.fail("GET", REPO, faults.server_error(503), times=10)
    client = make_client()

    with pytest.raises(httpx.HTTPStatusError) as caught:
        client.get(REPO)

    assert octokit_server.hits("GET", REPO) == 3
    assert len(fake_clock.sleeps) == 2
    assert caught.value.response.status_code == 503
    assert classify_failure(caught.value) is CollectorFailureCategory.UPSTREAM


@pytest.mark.parametrize(
    ("status", "category"),
    [(404, CollectorFailureCategory.NOT_FOUND), (422, CollectorFailureCategory.VALIDATION)],
)
def test_client_errors_are_not_retried(
    fixture_server, make_client, fake_clock, status, category
) -> None:
    fixture_server.add("GET", "/repos/x/y", status=status, body={"message": "no"})
    client = make_client()

    with pytest.raises(httpx.HTTPStatusError) as caught:
        client.get("/repos/x/y")

    assert fixture_server.hits() == 1
    assert fake_clock.sleeps == []
    assert classify_failure(caught.value) is category
    assert str(status) in str(caught.value)


def test_retry_after_is_obeyed(octokit_server, make_client, fake_clock) -> None:
    reply = faults.server_error(503)
    reply.headers["Retry-After"] = "7"
    octokit_server.fail("GET", REPO, reply)

    make_client().get(REPO)

    assert fake_clock.sleeps == [7.0]


def test_a_retry_after_beyond_the_limit_is_not_waited_for(fixture_server, fake_clock) -> None:
    reply = faults.server_error(503)
    reply.headers["Retry-After"] = "3600"
    fixture_server.fail("GET", "/slow", reply)
    policy = RetryPolicy(max_attempts=3, max_retry_after_seconds=60)

    with build_http_client(base_url=fixture_server.base_url) as client:
        response = send_with_retries(
            client, client.build_request("GET", "/slow"), policy=policy, clock=fake_clock
        )

    assert response.status_code == 503
    assert fake_clock.sleeps == []


def test_generic_sources_retry_429(fixture_server, fake_clock) -> None:
    fixture_server.fail("GET", "/feed", faults.rate_limited(status=429, retry_after=2))
    fixture_server.add("GET", "/feed", body={"ok": True})

    with build_http_client(base_url=fixture_server.base_url) as client:
        response = send_with_retries(
            client, client.build_request("GET", "/feed"), policy=RetryPolicy(), clock=fake_clock
        )

    assert response.json() == {"ok": True}
    assert fake_clock.sleeps == [2.0]
    assert fixture_server.requests[0].headers["user-agent"] == USER_AGENT


@pytest.mark.parametrize("fault", [faults.reset(), faults.truncated()], ids=["reset", "truncated"])
def test_resets_and_truncated_bodies_are_retried(octokit_server, make_client, fault) -> None:
    octokit_server.fail("GET", REPO, fault)

    assert make_client().get(REPO)["id"] == 1000
    assert octokit_server.hits("GET", REPO) == 2


def test_timeouts_are_retried_then_reported_as_timeout(octokit_server, make_client, settings):
    settings.HTTP_TIMEOUT_SECONDS = 0.2
    octokit_server.fail("GET", REPO, faults.delay(1.0), times=1)
    assert make_client().get(REPO)["id"] == 1000

    octokit_server.fail("GET", REPO, faults.delay(1.0), times=3)
    with pytest.raises(httpx.TimeoutException) as caught:
        make_client().get(REPO)
    assert classify_failure(caught.value) is CollectorFailureCategory.TIMEOUT
    assert str(caught.value) == f"timeout after 0.2s reading {octokit_server.base_url}{REPO}"


SIGNED = "/repos/a/b/issues?per_page=100&access_token=s3cr3t-value-1234"


@pytest.mark.parametrize(
    ("fault", "kind", "message"),
    [
        (faults.delay(1.0), httpx.ReadTimeout, "timeout after 0.2s reading {url}"),
        (faults.reset(), httpx.ReadError, "connection lost reading {url} ("),
        (faults.truncated(), httpx.RemoteProtocolError, "broken HTTP answer from {url} ("),
    ],
    ids=["timeout", "reset", "truncated"],
)
def test_transport_failures_name_the_url_without_secrets(
    fixture_server, make_client, settings, fault, kind, message
) -> None:
    settings.HTTP_TIMEOUT_SECONDS = 0.2
    fixture_server.add("GET", SIGNED, body=[])
    fixture_server.fail("GET", SIGNED, fault, times=3)

    with pytest.raises(kind) as caught:
        make_client().get(SIGNED)

    url = f"{fixture_server.base_url}/repos/a/b/issues?per_page=100&access_token=[REDACTED]"
    assert message.format(url=url) in str(caught.value)
    assert "s3cr3t" not in str(caught.value)
    assert classify_failure(caught.value) in (
        CollectorFailureCategory.TIMEOUT,
        CollectorFailureCategory.NETWORK,
    )


def test_retry_after_accepts_http_dates_and_ignores_garbage() -> None:
    request = httpx.Request("GET", "http://x")
    dated = httpx.Response(
        503, headers={"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, request=request
    )
    assert retry_after_seconds(dated, now=1445412480.0) == 10.0
    garbage = httpx.Response(503, headers={"retry-after": "soon"}, request=request)
    assert retry_after_seconds(garbage, now=0) is None


def test_policy_comes_from_settings(settings) -> None:
    settings.HTTP_MAX_ATTEMPTS = 7
    settings.HTTP_BACKOFF_BASE_SECONDS = 2
    policy = RetryPolicy.from_settings()
    assert (policy.max_attempts, policy.backoff_base_seconds) == (7, 2.0)


class _Resolver(httpx.BaseTransport):
    """A transport whose every connection fails in DNS with `errno`, as httpx reports it."""

    def __init__(self, errno: int) -> None:
        self.errno = errno
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        try:
            raise socket.gaierror(self.errno, "resolver answer")
        except socket.gaierror as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc


@pytest.mark.parametrize(
    ("errno", "attempts"),
    [(socket.EAI_NONAME, 1), (socket.EAI_AGAIN, 4)],
    ids=["no-such-host", "resolver-unavailable"],
)
def test_a_host_dns_says_does_not_exist_is_not_asked_again(fake_clock, errno, attempts) -> None:
    resolver = _Resolver(errno)
    request = httpx.Request("GET", "https://api.github.invalid/rate_limit")

    with httpx.Client(transport=resolver) as client, pytest.raises(httpx.ConnectError):
        send_with_retries(client, request, policy=RetryPolicy(max_attempts=4), clock=fake_clock)

    assert resolver.calls == attempts
    assert len(fake_clock.sleeps) == attempts - 1
