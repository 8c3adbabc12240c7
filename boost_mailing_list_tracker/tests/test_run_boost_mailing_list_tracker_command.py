"""Smoke test: run_boost_mailing_list_tracker end to end through call_command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from boost_mailing_list_tracker.models import BoostMailingListTrackerRunState

pytestmark = pytest.mark.django_db

# The environment variables validate_config() requires, with test values: add each one
# you make required, so that this test keeps running the whole command.
TEST_ENVIRONMENT: dict[str, str] = {}


def test_run_boost_mailing_list_tracker_records_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in TEST_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    out = StringIO()
    call_command("run_boost_mailing_list_tracker", stdout=out, verbosity=0)
    assert "completed" in out.getvalue().lower()
    state = BoostMailingListTrackerRunState.objects.get(source_key="default")
    assert state.run_count == 1
