"""`core.http.SlackClient` against the loopback fixture server: Slack's error envelope
mapped to failure categories, malformed answers, cursor loops, tier pacing, 429 budget."""

from __future__ import annotations

import pytest

from core.errors import RateLimitExhausted, classify_failure
from core.http import MalformedResponse, PaginationLoopError, SlackApiError, SlackClient
from core.testing.fixture_server import Reply

TOKEN = "xoxb-0000-CLIENTTEST-token"


@pytest.fixture
def client(fixture_server, fake_clock, settings):
    settings.HTTP_BACKOFF_BASE_SECONDS = 0
    settings.HTTP_BACKOFF_MAX_SECONDS = 0
    rates = {"tier2": 20, "tier3": 50, "tier4": 100, "history": 50}
    with SlackClient(
        token=TOKEN,
        base_url=fixture_server.base_url,
        clock=fake_clock,
        rates=rates,
        wait_budget_seconds=100,
    ) as slack:
        yield slack


@pytest.mark.parametrize(
    ("error", "category"),
    [
        ("invalid_auth", "auth"),
        ("token_revoked", "auth"),
        ("not_in_channel", "permission"),
        ("missing_scope", "permission"),
        ("channel_not_found", "not_found"),
        ("internal_error", "upstream"),
        ("invalid_cursor", "validation"),
        ("something_new", "unknown"),
    ],
)
def test_ok_false_errors_map_to_categories(client, fixture_server, error, category) -> None:
    fixture_server.add("POST", "/conversations.history", body={"ok": False, "error": error})
    with pytest.raises(SlackApiError) as caught:
        client.call("conversations.history", {"channel": "C1"})
    assert caught.value.error == error
    assert str(classify_failure(caught.value)) == category
    assert "conversations.history" in str(caught.value)


def test_the_recorded_error_envelope_without_a_code(client, fixture_server) -> None:
    fixture_server.add("POST", "/api.test", body=b'{\n  "ok": false\n}')
    with pytest.raises(SlackApiError) as caught:
        client.call("api.test")
    assert caught.value.error == "unknown_error"


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b'{"messages": []}'])
def test_a_malformed_answer_is_a_validation_failure(client, fixture_server, body) -> None:
    fixture_server.add("POST", "/conversations.history", body=body)
    with pytest.raises(MalformedResponse) as caught:
        client.call("conversations.history")
    assert str(classify_failure(caught.value)) == "validation"


def test_a_repeated_cursor_stops_instead_of_looping(client, fixture_server) -> None:
    page = {"ok": True, "channels": [], "response_metadata": {"next_cursor": "same"}}
    fixture_server.add("POST", "/conversations.list", body=page)
    with pytest.raises(PaginationLoopError):
        list(client.pages("conversations.list", key="channels"))


def test_calls_of_one_method_are_spaced_to_its_tier(client, fixture_server, fake_clock) -> None:
    fixture_server.add("POST", "/conversations.history", body={"ok": True, "messages": []})
    for _ in range(3):
        client.call("conversations.history", {"channel": "C1"})
    assert fake_clock.sleeps == [pytest.approx(1.2), pytest.approx(1.2)]


def test_429_waits_within_the_budget_then_stops(client, fixture_server, fake_clock) -> None:
    limited = Reply(429, {"Retry-After": "40"}, b'{"ok": false, "error": "ratelimited"}')
    fixture_server.fail("POST", "/users.list", limited, times=3)
    fixture_server.add("POST", "/users.list", body={"ok": True, "members": []})
    with pytest.raises(RateLimitExhausted) as caught:
        client.call("users.list")
    assert fake_clock.sleeps.count(40.0) == 2  # 80 of the 100 s budget, then 40 > 20 left
    assert "SLACK_RATE_LIMIT_BUDGET_SECONDS=100" in str(caught.value)
    assert str(classify_failure(caught.value)) == "rate_limit"


def test_the_token_goes_in_the_header_only(client, fixture_server) -> None:
    fixture_server.add("POST", "/auth.test", body={"ok": True, "team_id": "T1"})
    client.call("auth.test")
    [seen] = fixture_server.requests
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in seen.target
    assert TOKEN.encode() not in seen.body
