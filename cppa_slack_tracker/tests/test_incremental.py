"""The incremental run against the loopback Slack fake: an edit, a deletion, a new reply
on an old thread, a join and a leave, each seen by the next run."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.models import Checkpoint
from cppa_slack_tracker.models import (
    SlackMembership,
    SlackMembershipEvent,
    SlackMessage,
)
from cppa_slack_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db

GENERAL = "C111"


def _ts(base: str, seconds: int) -> str:
    return f"{Decimal(base) + seconds:.6f}"


def _message(ts: str) -> SlackMessage:
    return SlackMessage.objects.get(channel__channel_id=GENERAL, ts=ts)


def test_incremental_run_sees_edits_deletions_late_replies_joins_and_leaves(slack) -> None:
    run()
    by_text = {m["text"]: ts for ts, m in slack.messages[GENERAL].items()}
    newest = slack.newest_ts(GENERAL)
    edited, deleted = by_text["Nice numbers!"], by_text["Boost 1.91.0 beta 1 is out."]
    old_root = by_text["Has anyone tried Boost.Asio with io_uring on a recent kernel?"]
    old_2015 = by_text["thread message"]  # outside the overlap window

    slack.edit(GENERAL, edited, "Nice numbers, thanks for sharing!", edited_ts=_ts(newest, 60))
    slack.delete(GENERAL, deleted)
    late = _ts(newest, 3600)
    slack.post(
        GENERAL,
        {
            "user": "U8W3QFGQ5",
            "ts": late,
            "thread_ts": old_root,
            "parent_user_id": "U8W3QFGQ5",
            "text": "Defining the macro fixed it, many thanks.",
        },
    )
    slack.join(GENERAL, "USLACKBOT", ts=_ts(newest, 7200))
    slack.leave(GENERAL, "U6006P1CN", ts=_ts(newest, 7300))

    row, out = run()

    assert row.status == "succeeded", row.error_summary
    assert _message(edited).text == "Nice numbers, thanks for sharing!"
    assert _message(edited).edited_at is not None
    assert _message(deleted).is_deleted
    assert not _message(old_2015).is_deleted
    reply = _message(late)
    assert (reply.thread_ts, reply.is_deleted) == (old_root, False)
    assert _message(old_root).reply_count == 2
    # The root is 20 days old: only the thread watch (not the history window) finds the reply.
    assert any(call.get("ts") == old_root for call in slack.calls("conversations.replies"))
    events = set(SlackMembershipEvent.objects.values_list("user_id", "action", "source_ref"))
    assert ("USLACKBOT", "join", _ts(newest, 7200)) in events
    assert ("U6006P1CN", "leave", _ts(newest, 7300)) in events
    diff = {(u, a) for u, a, ref in events if ref.startswith("members:")}
    assert diff == {("USLACKBOT", "join"), ("U6006P1CN", "leave")}
    left = SlackMembership.objects.get(channel__channel_id=GENERAL, user_id="U6006P1CN")
    assert not left.is_member
    assert "1 marked deleted" in out
    cursor = Checkpoint.objects.get(source_key=f"T5YFFM2QY:{GENERAL}").cursor
    assert cursor == {"newest_ts": _ts(newest, 7300), "complete": True}


def test_an_incremental_run_asks_only_the_overlap_window(slack, settings) -> None:
    run()
    before = len(slack.calls("conversations.history"))
    run()
    calls = slack.calls("conversations.history")[before:]
    general = [c for c in calls if c["channel"] == GENERAL]
    window = settings.SLACK_OVERLAP_DAYS * 86400
    assert len(general) == 1
    assert general[0]["oldest"] == _ts(slack.newest_ts(GENERAL), -window)
    assert general[0]["inclusive"] == "true"


def test_a_message_seen_again_is_no_longer_deleted(slack) -> None:
    run()
    ts, message = next(
        (t, m) for t, m in slack.messages[GENERAL].items() if m["text"] == "Nice numbers!"
    )
    slack.delete(GENERAL, ts)
    run()
    assert _message(ts).is_deleted
    slack.post(GENERAL, message)
    run()
    assert not _message(ts).is_deleted


def test_a_reply_deleted_from_a_thread_is_marked_deleted(slack) -> None:
    run()
    root = next(t for t, m in slack.messages[GENERAL].items() if m["text"].startswith("Has anyone"))
    reply = next(
        t for t, m in slack.messages[GENERAL].items() if m.get("thread_ts") == root and t != root
    )
    slack.delete(GENERAL, reply)
    run()
    assert _message(reply).is_deleted
    assert not _message(root).is_deleted
