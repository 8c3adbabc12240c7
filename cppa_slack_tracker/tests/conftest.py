"""The `slack` fixture: the loopback Slack fake with the settings pointed at it, and
`run()`, the command as an operator runs it."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from cppa_slack_tracker.testing import SlackFake, point_slack_at

# A sentinel in the shape of a bot token: tests grep every output for it.
TOKEN = "xoxb-" + "5150" * 3 + "-SENTINEL" + "Qz7" * 6


@pytest.fixture
def slack(settings, tmp_path) -> Iterator[SlackFake]:
    server = SlackFake(token=TOKEN)
    server.start()
    point_slack_at(settings, server, token=TOKEN, workspace=tmp_path / "workspace")
    try:
        yield server
    finally:
        server.stop()


def run(*args: str) -> tuple[CollectorRun, str]:
    """Run the command; return its ledger row and its stdout."""
    out = StringIO()
    call_command("run_cppa_slack_tracker", *args, stdout=out)
    return CollectorRun.objects.order_by("-id")[0], out.getvalue()


@pytest.fixture
def child_env(slack, tmp_path) -> dict[str, str]:
    """The `slack` fixture's settings as a child process's environment (see
    core.testing.manage), with small history pages and only warnings logged."""
    return {
        "SLACK_API_URL": slack.base_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "WORKSPACE_DIR": str(tmp_path / "workspace"),
        "HTTP_BACKOFF_BASE_SECONDS": "0",
        "HTTP_BACKOFF_MAX_SECONDS": "0",
        "HTTP_MAX_ATTEMPTS": "2",
        "HTTP_TIMEOUT_SECONDS": "120",
        "SLACK_TIER2_PER_MINUTE": "600000",
        "SLACK_TIER3_PER_MINUTE": "600000",
        "SLACK_TIER4_PER_MINUTE": "600000",
        "SLACK_HISTORY_PER_MINUTE": "600000",
        "LOG_LEVEL": "warning",
    }
