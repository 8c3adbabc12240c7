"""core.bulk.upsert: argument checks (row behaviour is covered through the services)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from core.bulk import UpsertCounts, upsert
from core.models import Checkpoint
from core.text import strip_nul
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


def _accounts(*logins: tuple[int, str]) -> list[dict]:
    return [
        {"github_id": gid, "login": login, "name": "", "account_type": "", "avatar_url": ""}
        for gid, login in logins
    ]


def _upsert_accounts(rows: list[dict]) -> UpsertCounts:
    return upsert(
        model=GitHubAccount,
        rows=rows,
        unique_fields=["github_id"],
        update_fields=["login", "name", "account_type", "avatar_url"],
    )


def test_counts_tell_new_changed_and_unchanged_rows_apart() -> None:
    assert _upsert_accounts(_accounts((1, "a"), (2, "b"))) == UpsertCounts(created=2)
    before = dict(GitHubAccount.objects.values_list("github_id", "updated_at"))

    counts = _upsert_accounts(_accounts((1, "a"), (2, "b-renamed"), (3, "c")))

    assert counts == UpsertCounts(created=1, updated=1, unchanged=1)
    after = dict(GitHubAccount.objects.values_list("github_id", "updated_at"))
    assert after[1] == before[1]  # unchanged rows are not written, so not touched
    assert after[2] > before[2]
    assert GitHubAccount.objects.get(github_id=2).login == "b-renamed"


def test_the_last_of_duplicate_keys_wins() -> None:
    counts = _upsert_accounts(_accounts((1, "old"), (1, "new")))
    assert counts == UpsertCounts(created=1)
    assert GitHubAccount.objects.get().login == "new"


def test_staging_is_empty_between_upserts_of_one_transaction() -> None:
    with transaction.atomic():
        first = _upsert_accounts(_accounts((1, "a"), (2, "b")))
        # Rows of the first upsert still staged would meet account 1 twice and fail.
        second = _upsert_accounts(_accounts((1, "a-renamed"), (3, "c")))
    assert (first, second) == (UpsertCounts(created=2), UpsertCounts(created=1, updated=1))
    assert GitHubAccount.objects.count() == 3


def test_a_refused_row_writes_nothing_and_leaves_no_staged_rows() -> None:
    _upsert_accounts(_accounts((1, "a")))
    with pytest.raises(IntegrityError, match="github_account_id_positive"):
        _upsert_accounts(_accounts((2, "b"), (-1, "ghost")))
    assert list(GitHubAccount.objects.values_list("github_id", flat=True)) == [1]
    # The rejected rows went with the rolled-back savepoint; the next upsert sees none.
    assert _upsert_accounts(_accounts((4, "d"))) == UpsertCounts(created=1)
    assert sorted(GitHubAccount.objects.values_list("github_id", flat=True)) == [1, 4]


def test_nul_is_dropped_from_text_and_json_values_and_keys() -> None:
    """PostgreSQL refuses NUL in text and JSONB; without this the COPY fails the page."""
    rows = [
        {"collector": "one\x00", "source_key": "k", "cursor": {"a": "x"}},
        {"collector": "one", "source_key": "k", "cursor": {"b\x00": ["y\x00", {"c": "z\x00"}]}},
    ]

    counts = upsert(
        model=Checkpoint,
        rows=rows,
        unique_fields=["collector", "source_key"],
        update_fields=["cursor"],
    )

    assert counts == UpsertCounts(created=1)  # the keys differ only by NUL: one row
    assert list(Checkpoint.objects.values_list("collector", "cursor")) == [
        ("one", {"b": ["y", {"c": "z"}]})
    ]


def test_strip_nul_keeps_other_values_and_unchanged_containers() -> None:
    clean = {"a": [1, "b", None]}
    assert strip_nul(clean) is clean
    assert strip_nul(("a\x00", 2)) == ("a", 2)
    assert strip_nul(3) == 3
