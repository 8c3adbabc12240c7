"""run_cppa_slack_tracker against the loopback Slack fake: the first run, an unchanged
second run, and what the rows hold."""

from __future__ import annotations

import pytest

from cppa_slack_tracker.models import SlackChannel, SlackMessage, SlackTeam, SlackUser
from cppa_slack_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db


def test_first_run_stores_users_channels_messages_and_thread_replies(slack) -> None:
    row, out = run()
    assert row.status == "succeeded", row.error_summary
    team = SlackTeam.objects.get()
    assert (team.team_id, team.name, team.domain) == (
        "T5YFFM2QY",
        "C++ Community (test)",
        "cpplang-test",
    )
    assert SlackUser.objects.filter(team=team).count() == 5
    assert set(SlackChannel.objects.values_list("channel_id", flat=True)) == {
        "C111",
        "C222",
        "G333",
    }
    # Every message of the fake, thread replies included (history alone never lists them).
    expected = sum(len(m) for m in slack.messages.values())
    assert SlackMessage.objects.count() == expected
    reply = SlackMessage.objects.get(channel__channel_id="C222", ts="1439868294.000007")
    assert (reply.thread_ts, reply.text) == ("1434139102.000002", "random")
    assert slack.calls("conversations.replies")
    assert "C++ Community (test): 5 users, 3 channels" in out
    assert "succeeded" in out


def test_second_run_without_changes_writes_nothing(slack) -> None:
    run()
    row, out = run()
    assert row.status == "succeeded", row.error_summary
    assert row.counters.get("created", 0) == 0
    assert row.counters.get("updated", 0) == 0
    assert "0 rows written, 0 marked deleted" in out
