"""Primary and secondary rate limits: switch tokens, wait, or stop with rate_limit."""

from __future__ import annotations

import logging

import httpx
import pytest

from core.errors import CollectorFailureCategory, RateLimitExhausted, classify_failure
from core.http import TokenPool
from core.testing import fixture_server as faults
from core.tests.http.conftest import TOKEN_A, TOKEN_B

REPO = "/repos/octokit-fixture-org/hello-world"


def _auth(server, index: int) -> str:
    return server.requests[index].headers.get("authorization", "")


def test_primary_limit_switches_to_the_token_with_budget_left(
    octokit_server, make_client, fake_clock
) -> None:
    reset = fake_clock.now() + 3600
    octokit_server.fail("GET", REPO, faults.rate_limited(remaining=0, reset_at=reset))
    client = make_client(tokens=TokenPool([TOKEN_A, TOKEN_B]))

    assert client.get(REPO)["id"] == 1000

    assert _auth(octokit_server, 0) == f"Bearer {TOKEN_A}"
    assert _auth(octokit_server, 1) == f"Bearer {TOKEN_B}"
    assert fake_clock.sleeps == []
    # The recording reports 4999 left for token B; A stays out until its reset.
    assert client.rate_limit_remaining == 4999
    client.get(REPO)
    assert _auth(octokit_server, 2) == f"Bearer {TOKEN_B}"


def test_when_every_token_is_out_the_client_waits_for_the_earliest_reset(
    octokit_server, make_client, fake_clock
) -> None:
    now = fake_clock.now()
    octokit_server.fail("GET", REPO, faults.rate_limited(remaining=0, reset_at=now + 600))
    octokit_server.fail("GET", REPO, faults.rate_limited(remaining=0, reset_at=now + 300))
    client = make_client(tokens=TokenPool([TOKEN_A, TOKEN_B]), max_rate_limit_wait=900)

    assert client.get(REPO)["id"] == 1000

    assert fake_clock.sleeps == [300.0]
    assert octokit_server.hits("GET", REPO) == 3


def test_a_wait_beyond_the_limit_stops_with_rate_limit(
    octokit_server, make_client, fake_clock
) -> None:
    reset = fake_clock.now() + 3000
    octokit_server.fail("GET", REPO, faults.rate_limited(remaining=0, reset_at=reset), times=2)
    client = make_client(tokens=TokenPool([TOKEN_A, TOKEN_B]), max_rate_limit_wait=900)

    with pytest.raises(RateLimitExhausted) as caught:
        client.get(REPO)

    assert caught.value.wait_seconds == 3000.0
    assert classify_failure(caught.value) is CollectorFailureCategory.RATE_LIMIT
    assert "GITHUB_MAX_RATE_LIMIT_WAIT=900" in str(caught.value)
    assert fake_clock.sleeps == []


@pytest.mark.parametrize(
    ("reply", "expected_wait"),
    [
        (faults.rate_limited(status=429, remaining=None, retry_after=30), 30.0),
        (
            faults.rate_limited(
                remaining=None, message="You have exceeded a secondary rate limit."
            ),
            60.0,
        ),
    ],
    ids=["429-retry-after", "403-secondary-message"],
)
def test_secondary_limits_wait_as_asked(
    octokit_server, make_client, fake_clock, reply, expected_wait
) -> None:
    octokit_server.fail("GET", REPO, reply)

    assert make_client().get(REPO)["id"] == 1000
    assert fake_clock.sleeps == [expected_wait]


def test_a_server_that_stays_rate_limited_ends_the_run(
    octokit_server, make_client, fake_clock
) -> None:
    octokit_server.fail("GET", REPO, faults.rate_limited(status=429, retry_after=1), times=20)

    with pytest.raises(RateLimitExhausted):
        make_client().get(REPO)
    assert len(fake_clock.sleeps) == 4  # one token: len(pool) + 3 rounds


def test_a_plain_403_is_a_permission_error(fixture_server, make_client) -> None:
    fixture_server.add("GET", "/orgs/secret", status=403, body={"message": "Must have admin"})

    with pytest.raises(httpx.HTTPStatusError) as caught:
        make_client().get("/orgs/secret")
    assert classify_failure(caught.value) is CollectorFailureCategory.PERMISSION


def test_without_tokens_the_client_says_so_once_and_sends_no_authorization(
    octokit_server, make_client, caplog
) -> None:
    with caplog.at_level(logging.WARNING, logger="core.http.tokens"):
        client = make_client(tokens=TokenPool([]))
    client.get(REPO)
    client.get(REPO)

    warnings = [r for r in caplog.records if "unauthenticated" in r.getMessage()]
    assert len(warnings) == 1
    assert "60 requests per hour" in warnings[0].getMessage()
    assert "authorization" not in octokit_server.requests[0].headers
    assert not client.tokens.authenticated


def test_pool_comes_from_settings_without_duplicates(settings) -> None:
    settings.GITHUB_TOKENS = [TOKEN_A, TOKEN_B]
    settings.GITHUB_TOKEN = TOKEN_A
    pool = TokenPool.from_settings()
    assert len(pool) == 2
    assert pool.authenticated


def test_graphql_rate_limited_answer_waits_for_reset(
    fixture_server, make_client, fake_clock
) -> None:
    reset = str(int(fake_clock.now() + 120))
    limited = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    fixture_server.add("POST", "/graphql", headers=headers, body=limited)
    fixture_server.add("POST", "/graphql", body={"data": {"viewer": {"login": "octocat"}}})

    data = make_client().graphql("query { viewer { login } }")

    assert data == {"viewer": {"login": "octocat"}}
    assert fake_clock.sleeps == [120.0]
