"""The `hyperkitty` fixture: the loopback server serving the three lists' samples, with
the settings pointed at it; `child_env`, the same for a child process; and `run()`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from boost_mailing_list_tracker import testing
from core.models import CollectorRun

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EMAIL = FIXTURES / "email"
PAGE_SIZE = 2


@pytest.fixture
def hyperkitty(settings, fixture_server, tmp_path):
    settings.MAILING_LIST_ARCHIVE_URL = fixture_server.base_url + testing.API
    settings.MAILING_LIST_NAMES = [testing.address(n) for n in testing.LISTS]
    settings.MAILING_LIST_PAGE_SIZE = PAGE_SIZE
    settings.WORKSPACE_DIR = str(tmp_path / "workspace")
    settings.HTTP_BACKOFF_BASE_SECONDS = 0
    settings.HTTP_BACKOFF_MAX_SECONDS = 0
    settings.HTTP_MAX_ATTEMPTS = 2
    fixture_server.emails = testing.serve_all(fixture_server, page_size=PAGE_SIZE)
    return fixture_server


@pytest.fixture
def child_env(hyperkitty, tmp_path) -> dict[str, str]:
    """The `hyperkitty` fixture's settings as a child process's environment."""
    return {
        "MAILING_LIST_ARCHIVE_URL": hyperkitty.base_url + testing.API,
        "MAILING_LIST_NAMES": ",".join(testing.address(n) for n in testing.LISTS),
        "MAILING_LIST_PAGE_SIZE": str(PAGE_SIZE),
        "WORKSPACE_DIR": str(tmp_path / "workspace"),
        "HTTP_BACKOFF_BASE_SECONDS": "0",
        "HTTP_BACKOFF_MAX_SECONDS": "0",
        "HTTP_MAX_ATTEMPTS": "2",
        "HTTP_TIMEOUT_SECONDS": "1",
        "LOG_LEVEL": "warning",
    }


def run(*args: str) -> tuple[CollectorRun, str]:
    """Run the command as an operator would; return its ledger row and its stdout."""
    out = StringIO()
    call_command("run_boost_mailing_list_tracker", *args, stdout=out)
    return CollectorRun.objects.order_by("-id")[0], out.getvalue()
