"""record_run on the real database: the app's one write."""

from __future__ import annotations

import pytest

from wg21_paper_tracker.models import Wg21PaperTrackerRunState
from wg21_paper_tracker.services import record_run

pytestmark = pytest.mark.django_db


def test_record_run_creates_and_increments() -> None:
    row1, created1 = record_run(source_key="alpha")
    assert created1 is True
    assert row1.run_count == 1
    row2, created2 = record_run(source_key="alpha")
    assert created2 is False
    assert row2.id == row1.id
    assert row2.run_count == 2
    assert Wg21PaperTrackerRunState.objects.count() == 1


def test_record_run_refuses_a_blank_source_key() -> None:
    with pytest.raises(ValueError, match="source_key must not be blank"):
        record_run(source_key=" ")
    assert not Wg21PaperTrackerRunState.objects.exists()
