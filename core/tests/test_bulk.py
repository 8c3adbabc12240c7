"""core.bulk.upsert: argument checks (row behaviour is covered through the services)."""

from __future__ import annotations

import pytest

from core.bulk import UpsertCounts, upsert
from cppa_user_tracker.models import GitHubAccount

pytestmark = pytest.mark.django_db


def test_needs_a_unique_field() -> None:
    with pytest.raises(ValueError, match="at least one unique field"):
        upsert(model=GitHubAccount, rows=[], unique_fields=[], update_fields=["login"])


def test_unknown_field_is_named() -> None:
    with pytest.raises(ValueError, match="GitHubAccount has no field"):
        upsert(model=GitHubAccount, rows=[], unique_fields=["github_id"], update_fields=["nick"])


def test_empty_rows_write_nothing() -> None:
    counts = upsert(
        model=GitHubAccount, rows=[], unique_fields=["github_id"], update_fields=["login"]
    )
    assert counts == UpsertCounts()


def test_counts_add_up() -> None:
    assert UpsertCounts(1, 2, 3) + UpsertCounts(10, 20, 30) == UpsertCounts(11, 22, 33)
