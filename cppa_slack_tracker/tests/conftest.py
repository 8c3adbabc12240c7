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
    server = SlackFake(token=TOKEN).start()
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
