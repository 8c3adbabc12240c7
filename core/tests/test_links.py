"""sync_links on a real link table (labels of issues)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.links import sync_links
from github_activity_tracker.models import Issue, IssueLabel, Label, Repository

pytestmark = pytest.mark.django_db

WHEN = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def ids():
    repo = Repository.objects.create(github_id=1, owner="o", name="r", full_name="o/r")
    issues = [
        Issue.objects.create(
            repository=repo,
            github_id=n,
            number=n,
            title="t",
            state="open",
            created_at=WHEN,
            updated_at=WHEN,
        ).pk
        for n in (1, 2)
    ]
    labels = [
        Label.objects.create(repository=repo, github_id=n, name=f"l{n}").pk for n in (1, 2, 3)
    ]
    return issues, labels


def _links() -> set[tuple[int, int]]:
    return set(IssueLabel.objects.values_list("issue_id", "label_id"))


def test_adds_missing_removes_stale_and_leaves_other_owners(ids) -> None:
    (a, b), (x, y, z) = ids
    kwargs = {"model": IssueLabel, "owner_field": "issue", "target_field": "label"}
    assert sync_links(**kwargs, owners=[a, b], pairs={(a, x), (a, y), (b, z)}) == (3, 0)
    assert sync_links(**kwargs, owners=[a], pairs={(a, y)}) == (0, 1)
    assert _links() == {(a, y), (b, z)}
    assert sync_links(**kwargs, owners=[a], pairs={(a, y)}) == (0, 0)


def test_pairs_for_owners_outside_the_sync_are_refused(ids) -> None:
    (a, b), (x, _, _) = ids
    with pytest.raises(ValueError, match="owners not being synced"):
        sync_links(
            model=IssueLabel, owner_field="issue", target_field="label", owners=[a], pairs={(b, x)}
        )
    assert not _links()
