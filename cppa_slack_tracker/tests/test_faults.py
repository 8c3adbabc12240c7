"""Faults from the Slack side: rate limits, a channel the bot may not read, a bad token,
and a backfill killed mid-channel."""

from __future__ import annotations

import json
import time

import pytest

from core.errors import RateLimitExhausted
from core.models import Checkpoint, CollectorRun
from core.testing.fixture_server import Reply, delay, reset
from core.testing.manage import kill_and_wait, run_on_test_db, start_on_test_db
from cppa_slack_tracker.models import SlackChannel, SlackMessage
from cppa_slack_tracker.testing import fixture
from cppa_slack_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db(transaction=True)

GENERAL = "C111"
LOCK = "command:run_cppa_slack_tracker"


def rate_limited(seconds: int) -> Reply:
    """A 429 as python-slack-sdk's tests serve it: its recorded body, Retry-After set."""
    body = json.dumps(fixture("python-slack-sdk/web_response_rate_limited_only_once.json"))
    return Reply(
        429, {"content-type": "application/json", "Retry-After": str(seconds)}, body.encode()
    )


def stored() -> set[tuple[str, str]]:
    return set(SlackMessage.objects.values_list("channel__channel_id", "ts"))


def every_message(slack) -> set[tuple[str, str]]:
    return {(c, ts) for c, messages in slack.messages.items() for ts in messages}


def test_a_429_waits_retry_after_then_goes_on(slack, caplog) -> None:
    slack.fail_on_call("conversations.history", 2, rate_limited(1))
    row, _out = run()
    assert row.status == "succeeded", row.error_summary
    assert stored() == every_message(slack)
    assert "Slack rate limit on conversations.history; waiting 1s (Retry-After)" in caplog.text


def test_a_429_beyond_the_wait_budget_stops_with_rate_limit_and_resumes(slack, settings) -> None:
    settings.SLACK_RATE_LIMIT_BUDGET_SECONDS = 30
    settings.SLACK_HISTORY_PAGE_SIZE = 2
    slack.fail_on_call("conversations.history", 3, rate_limited(3600))
    with pytest.raises(RateLimitExhausted) as caught:
        run()
    row = CollectorRun.objects.latest("id")
    assert (row.status, row.failure_category) == ("failed", "rate_limit")
    assert "Retry-After 3600s exceeds" in str(caught.value)
    cursor = Checkpoint.objects.get(source_key=f"T5YFFM2QY:{GENERAL}").cursor
    assert cursor["complete"] is False
    assert cursor["backfill_before"]
    kept = stored()
    assert kept  # the two pages before the limit are stored with their checkpoint

    row, _out = run()
    assert row.status == "succeeded", row.error_summary
    assert stored() == every_message(slack)
    resumed = [c for c in slack.calls("conversations.history") if c["channel"] == GENERAL][3]
    assert resumed.get("latest") == cursor["backfill_before"]


def test_not_in_channel_for_one_channel_does_not_stop_the_others(slack) -> None:
    slack.channel_errors["C222"] = "not_in_channel"
    row, out = run()
    assert row.status == "succeeded", row.error_summary
    assert "#random (C222) skipped: not_in_channel" in out
    assert row.counters["channels_skipped"] == 1
    channels = set(SlackMessage.objects.values_list("channel__channel_id", flat=True))
    assert channels == {"C111", "G333"}
    assert SlackChannel.objects.filter(channel_id="C222").exists()


def test_invalid_auth_stops_the_run_with_category_auth_in_one_line(slack, child_env) -> None:
    child_env["SLACK_BOT_TOKEN"] = "xoxb-" + "9" * 12 + "-WRONGTOKEN"
    result = run_on_test_db("run_cppa_slack_tracker", **child_env)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "phase=run category=auth]" in lines[0]
    assert "invalid_auth" in lines[0]
    assert "WRONGTOKEN" not in result.stderr + result.stdout
    row = CollectorRun.objects.latest("id")
    assert (row.status, row.failure_category) == ("failed", "auth")
    assert not SlackMessage.objects.exists()


def test_a_connection_reset_is_retried(slack) -> None:
    slack.fail("POST", "/conversations.history", reset())
    row, _out = run()
    assert row.status == "succeeded", row.error_summary
    assert stored() == every_message(slack)


def test_a_backfill_killed_mid_channel_resumes_without_gaps_or_duplicates(slack, child_env) -> None:
    child_env["SLACK_HISTORY_PAGE_SIZE"] = "2"
    # The third history page hangs: the child has stored two pages when it is killed.
    slack.fail_on_call("conversations.history", 3, delay(60))
    process = start_on_test_db("run_cppa_slack_tracker", **child_env)
    key = f"T5YFFM2QY:{GENERAL}"
    deadline = time.monotonic() + 120
    while True:
        cursor = (Checkpoint.objects.filter(source_key=key).first() or Checkpoint()).cursor
        if (
            cursor
            and cursor.get("backfill_before")
            and len(slack.calls("conversations.history")) >= 3
        ):
            break
        if time.monotonic() > deadline or process.poll() is not None:
            pytest.fail(f"the child never reached its third page: {process.communicate()}")
        time.sleep(0.05)
    kill_and_wait(process, lock_name=LOCK)
    cursor = Checkpoint.objects.get(source_key=key).cursor
    partial = stored()
    assert partial
    assert partial < every_message(slack)
    assert cursor["complete"] is False

    row, _out = run()

    assert row.status == "succeeded", row.error_summary
    assert stored() == every_message(slack)
    assert SlackMessage.objects.count() == len(every_message(slack))
    # The resumed walk starts below the oldest message stored before the kill.
    history = [c for c in slack.calls("conversations.history") if c["channel"] == GENERAL]
    assert history[3].get("latest") == cursor["backfill_before"]
    assert not history[3].get("cursor")
