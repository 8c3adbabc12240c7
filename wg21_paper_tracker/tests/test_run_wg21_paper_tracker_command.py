"""Smoke test: run_wg21_paper_tracker end to end through call_command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from wg21_paper_tracker.models import Wg21PaperTrackerRunState

pytestmark = pytest.mark.django_db

# The environment variables validate_config() requires, with test values: add each one
# you make required, so that this test keeps running the whole command.
TEST_ENVIRONMENT: dict[str, str] = {}


def test_run_wg21_paper_tracker_records_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in TEST_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    out = StringIO()
    call_command("run_wg21_paper_tracker", stdout=out, verbosity=0)
    assert "completed" in out.getvalue().lower()
    state = Wg21PaperTrackerRunState.objects.get(source_key="default")
    assert state.run_count == 1
