"""End to end through a collector command: ETags, ledger counters, archive and replay."""

from __future__ import annotations

import gzip
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.http import GitHubClient, HttpOptions, ReplayMissError, TokenPool, read_archive
from core.models import CollectorRun, HttpCacheEntry
from core.testing import fixture_server as faults
from core.testing.fixture_server import point_github_at
from core.tests.http.conftest import ISSUE_PAGES, TOKEN_A, TOKEN_B
from core.tests.http.demo_collector import DemoIssuesCommand

pytestmark = pytest.mark.django_db


@pytest.fixture
def github_settings(settings, octokit_server, tmp_path):
    point_github_at(settings, octokit_server, token=TOKEN_A, workspace=tmp_path / "workspace")
    return settings


def run_demo(*args: str) -> tuple[DemoIssuesCommand, CollectorRun, str]:
    command, out = DemoIssuesCommand(), StringIO()
    call_command(command, *args, stdout=out)
    return command, CollectorRun.objects.order_by("-id")[0], out.getvalue()


def test_second_identical_run_is_served_by_304s(github_settings, octokit_server) -> None:
    first, first_row, _ = run_demo()
    second, second_row, summary = run_demo()

    assert first.collector
    assert second.collector
    assert second.collector.items == first.collector.items
    assert len(first.collector.items) == 13
    assert first_row.counters == {"fetched": 13, "api_requests": 5}
    assert second_row.counters == {"fetched": 13, "api_requests": 5, "not_modified": 5}
    assert "5 API requests (5 not modified)" in summary
    assert HttpCacheEntry.objects.count() == 5
    second_run_requests = octokit_server.requests[5:]
    assert all(r.headers.get("if-none-match") for r in second_run_requests)


def test_archive_then_replay_gives_the_same_items_without_network(
    github_settings, octokit_server, caplog
) -> None:
    octokit_server.fail("GET", ISSUE_PAGES[2], faults.server_error(502))
    with caplog.at_level(logging.DEBUG):
        archived, _, _ = run_demo("--archive")
    [archive_file] = Path(github_settings.WORKSPACE_DIR).glob("raw/demo/*/responses.jsonl.gz")
    hits_before_replay = octokit_server.hits()
    HttpCacheEntry.objects.all().delete()

    replayed, row, _ = run_demo("--replay", str(archive_file.parent))

    assert octokit_server.hits() == hits_before_replay
    assert archived.collector
    assert replayed.collector
    assert replayed.collector.items == archived.collector.items
    assert row.status == "succeeded"
    records = read_archive(archive_file)
    assert [r["status"] for r in records] == [200, 200, 502, 200, 200, 200]
    assert {"link", "etag", "x-ratelimit-remaining"} <= set(records[0]["headers"])
    raw = archive_file.read_bytes()
    for blob in (raw, gzip.decompress(raw)):
        assert TOKEN_A.encode() not in blob
    assert TOKEN_A not in caplog.text
    assert "retrying GET" in caplog.text


def test_tokens_in_urls_and_bodies_never_reach_the_archive_or_logs(
    settings, fixture_server, fake_clock, tmp_path, caplog
) -> None:
    settings.WORKSPACE_DIR = str(tmp_path)
    target = f"/repos/a/b?access_token={TOKEN_B}"
    fixture_server.fail("GET", target, faults.server_error(500))
    fixture_server.add("GET", target, body={"echo": f"token {TOKEN_A}", "n": 1})

    options = HttpOptions.from_options({"archive": True}, source="leaky")
    with (
        caplog.at_level(logging.DEBUG),
        options.github_client(
            tokens=TokenPool([TOKEN_A, TOKEN_B]),
            base_url=fixture_server.base_url,
            clock=fake_clock,
            conditional=False,
        ) as client,
    ):
        assert client.get(target)["n"] == 1
        assert options.archive_dir is not None
    archive = options.archive_dir / "responses.jsonl.gz"
    text = gzip.decompress(archive.read_bytes()).decode()

    for token in (TOKEN_A, TOKEN_B):
        assert token not in text
        assert token not in caplog.text
    assert "access_token=[REDACTED]" in text

    with GitHubClient(
        tokens=TokenPool([]),
        base_url=fixture_server.base_url,
        transport=HttpOptions(replay_path=archive).transport(),
        clock=fake_clock,
        conditional=False,
    ) as replay:
        assert replay.get(target)["n"] == 1
        with pytest.raises(ReplayMissError, match="/repos/other"):
            replay.get("/repos/other")


def test_archive_and_replay_flags_are_checked(github_settings, tmp_path) -> None:
    with pytest.raises(CommandError, match="cannot be combined"):
        run_demo("--archive", "--replay", str(tmp_path))
    with pytest.raises(CommandError, match="no such file or folder"):
        run_demo("--replay", str(tmp_path / "missing"))
