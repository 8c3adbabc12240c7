"""The command's interface: flags, bad input in one line, dry run, archive and replay,
recorded cursor pages, a malformed message, and no token anywhere."""

from __future__ import annotations

import gzip
import logging
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.models import Checkpoint, CollectorRun, QuarantinedItem
from core.testing.fixture_server import server_error
from cppa_slack_tracker.models import SlackChannel, SlackMessage, SlackUser
from cppa_slack_tracker.testing import FIXTURES
from cppa_slack_tracker.tests.conftest import TOKEN, run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-13-01"], "--since '2026-13-01' is not a date; use YYYY-MM-DD (UTC)"),
        (
            ["--since", "2026-05-02", "--until", "2026-05-01"],
            "--since 2026-05-02 is after --until 2026-05-01",
        ),
        (
            ["--full", "--since", "2026-05-01"],
            "--full reads the whole history; drop --since/--until",
        ),
        (
            ["--team", "nosuch"],
            "--team 'nosuch' is neither a token label (default) nor a stored team id or domain "
            "with a token",
        ),
    ],
)
def test_bad_flags_are_one_line_errors(slack, args, message) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("run_cppa_slack_tracker", *args, stdout=StringIO())
    assert str(caught.value) == message
    assert not slack.requests


def test_no_token_is_a_configuration_error(slack, settings) -> None:
    settings.SLACK_BOT_TOKENS = {}
    with pytest.raises(CommandError) as caught:
        call_command("run_cppa_slack_tracker", stdout=StringIO())
    assert str(caught.value) == (
        "SLACK_BOT_TOKEN is not set (nor any SLACK_BOT_TOKEN_<TEAM>); add the bot token of "
        "each team to .env"
    )


def test_dry_run_prints_the_plan_and_changes_nothing(slack) -> None:
    run("--channels")
    before = SlackMessage.objects.count(), Checkpoint.objects.count(), len(slack.requests)
    _row, out = run("--dry-run")
    assert "would collect team default (C++ Community (test)): users, channels, messages" in out
    assert "#general: backfill of the whole history" in out
    assert (SlackMessage.objects.count(), Checkpoint.objects.count(), len(slack.requests)) == before


def test_stream_flags_and_channel_and_team_filters(slack) -> None:
    run("--users")
    assert SlackUser.objects.count() == 5
    assert not SlackChannel.objects.exists()
    run("--messages", "--channel", "random", "--team", "T5YFFM2QY")
    assert set(SlackMessage.objects.values_list("channel__channel_id", flat=True)) == {"C222"}
    assert not slack.calls("conversations.members")


def test_since_until_reads_a_window_and_leaves_checkpoints_alone(slack) -> None:
    run("--messages", "--since", "2015-06-12", "--until", "2015-06-12")
    assert set(SlackMessage.objects.values_list("ts", flat=True)) >= {"1434139102.000002"}
    assert not SlackMessage.objects.filter(posted_at__year=2026).exists()
    assert not Checkpoint.objects.filter(collector="cppa_slack_tracker").exists()


def test_recorded_users_list_cursor_pages_are_followed(slack) -> None:
    data = yaml.safe_load((FIXTURES / "slack-ruby-client/paginated_users_list.yml").read_text())
    slack.users_pages = {
        dict(parse_qsl(i["request"]["body"]["string"])).get("cursor", ""): i["response"]["body"][
            "string"
        ]
        for i in data["http_interactions"]
    }
    run("--users")
    assert len(slack.calls("users.list")) == 7
    assert SlackUser.objects.count() == 35
    assert SlackUser.objects.filter(user_id="USLACKBOT").exists()


def test_a_malformed_message_is_quarantined_and_the_page_is_stored(slack) -> None:
    broken = {"type": "message", "ts": "1776874317.999999", "user": ["U8W3QFGQ5"], "text": "x"}
    slack.post("C111", broken)
    row, out = run()
    assert row.status == "succeeded", row.error_summary
    kept = QuarantinedItem.objects.get()
    assert "'user'" in kept.reason
    assert "1776874317.999999" in kept.reason
    assert SlackMessage.objects.filter(channel__channel_id="C111").count() == (
        len(slack.messages["C111"]) - 1
    )
    assert "1 quarantined" in out
    # Not seen as deleted: it was read, just not stored.
    assert not SlackMessage.objects.filter(is_deleted=True).exists()

    slack.post("C111", {**broken, "user": "U8W3QFGQ5"})  # Slack answers it well again
    _row, out = run()
    assert "1 released" in out
    assert not QuarantinedItem.objects.exists()
    assert SlackMessage.objects.filter(ts="1776874317.999999").exists()


def test_archive_then_replay_stores_the_same_rows(slack, settings, tmp_path) -> None:
    run("--archive")
    rows = set(SlackMessage.objects.values_list("channel__channel_id", "ts", "text"))
    archives = list(Path(settings.WORKSPACE_DIR).rglob("responses.jsonl.gz"))
    assert len(archives) == 1
    SlackMessage.objects.all().delete()
    Checkpoint.objects.all().delete()
    served = len(slack.requests)
    row, _out = run("--replay", str(archives[0]))
    assert row.status == "succeeded", row.error_summary
    assert len(slack.requests) == served  # the replay opened no socket
    assert set(SlackMessage.objects.values_list("channel__channel_id", "ts", "text")) == rows


def test_no_token_in_any_log_error_archive_or_row(slack, settings, caplog, child_env) -> None:
    caplog.set_level(logging.DEBUG)
    _row, out = run("--archive", "-v", "2")
    slack.fail("POST", "/conversations.history", server_error(503), times=2)
    with pytest.raises(httpx.HTTPStatusError) as caught:
        run()
    texts = [out, caplog.text, str(caught.value)]
    for archive in Path(settings.WORKSPACE_DIR).rglob("responses.jsonl.gz"):
        texts.append(gzip.decompress(archive.read_bytes()).decode())
    texts += [str(r) for r in CollectorRun.objects.values()]
    texts += [str(r) for r in Checkpoint.objects.values()]
    texts += [str(r) for r in QuarantinedItem.objects.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT * FROM "{table}"')
            texts.append(repr(cursor.fetchall()))
    assert slack.requests[0].headers["authorization"] == f"Bearer {TOKEN}"  # it was sent
    secret = TOKEN.split("-", 1)[1]
    for text in texts:
        assert secret not in text
