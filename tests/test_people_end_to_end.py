"""Issue 18's acceptance line: after the github group (catalogue + activity) ran against
the fixture server, `run_cppa_user_tracker` merges the people the evidence supports,
lists recommendations for the rest, and `people show` says why each profile belongs.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from boost_library_tracker.models import LibraryVersionPerson
from boost_library_tracker.testing import github_routes as catalogue_routes
from core.testing.fixture_server import point_github_at
from cppa_user_tracker import selectors
from cppa_user_tracker.models import GitHubAccount, GitIdentity, MergeLog
from cppa_user_tracker.profile_kinds import GIT_IDENTITY, GITHUB_ACCOUNT
from github_activity_tracker.models import Commit
from github_activity_tracker.testing import github_routes as activity_routes
from github_activity_tracker.testing.payloads import DAVE

pytestmark = pytest.mark.django_db

TOKEN = "ghp_" + "Feed5678" * 5


@pytest.fixture
def collected(settings, fixture_server, tmp_path) -> None:
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    settings.GITHUB_ACTIVITY_REPOS = [activity_routes.REPO]
    settings.HTTP_MAX_ATTEMPTS = 2
    catalogue_routes.add_gitmodules(fixture_server, "boost-1.86.0")
    catalogue_routes.add_release_list(fixture_server)
    catalogue_routes.queue_new_release_batch(fixture_server)
    activity_routes.add_repository(
        fixture_server, overlap_days=settings.GITHUB_ACTIVITY_OVERLAP_DAYS
    )
    out = StringIO()
    call_command("run_scheduled_collectors", "--schedule", "daily", "--group", "github", stdout=out)
    assert "2 tasks: 2 succeeded" in out.getvalue()


def collected_rows() -> list[tuple]:
    """Everything the collectors wrote that people touch, with its change times."""
    return [
        *Commit.objects.order_by("id").values_list(
            "id", "author_id", "committer_id", "author_account_id", "committed_at"
        ),
        *LibraryVersionPerson.objects.order_by("id").values_list("id", "identity_id"),
        *GitHubAccount.objects.order_by("id").values_list("id", "login", "updated_at"),
        *GitIdentity.objects.order_by("id").values_list("id", "email", "account_id", "updated_at"),
    ]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_people_from_the_github_group_are_merged_on_evidence_and_explained(collected) -> None:
    rows = collected_rows()
    summary = run("run_cppa_user_tracker")
    assert collected_rows() == rows
    assert "0 merged automatically" in summary  # every person was new: nothing to merge

    # The commit author GitHub tied to daveoconnor (the commit's `author.id`) and the
    # account that opened the recorded issues are one person.
    dave = GitHubAccount.objects.get(github_id=DAVE["id"])
    author = GitIdentity.objects.get(email="dave@example.org")
    assert author.account_id == dave.pk
    person = selectors.person_for(kind=GITHUB_ACCOUNT, profile_id=dave.pk)
    assert person is not None
    assert selectors.person_for(kind=GIT_IDENTITY, profile_id=author.pk) == person
    # GitHub's web-flow committer address belongs to no one: a person of its own.
    web_flow = GitIdentity.objects.get(email="noreply@github.com")
    assert selectors.person_for(kind=GIT_IDENTITY, profile_id=web_flow.pk) != person

    # The catalogue's name-only author entries never join a maintainer on the name.
    for named in GitIdentity.objects.filter(email="", boost_library_credits__isnull=False):
        mates = GitIdentity.objects.filter(name=named.name).exclude(email="")
        for mate in mates:
            assert selectors.person_for(
                kind=GIT_IDENTITY, profile_id=named.pk
            ) != selectors.person_for(kind=GIT_IDENTITY, profile_id=mate.pk)

    shown = run("people", "show", str(person.pk))
    assert f"github_id {DAVE['id']} with {GITHUB_ACCOUNT}:{dave.pk}" in shown
    assert "email=dave@example.org (verified)" in shown
    # The recorded people share no weaker evidence worth a reviewer's look.
    assert run("people", "recommendations") == "No open recommendations.\n"
    # Commit authors in January 2025, across git identities and accounts: Dave once.
    from datetime import UTC, datetime

    january = selectors.contributors(
        since=datetime(2025, 1, 1, tzinfo=UTC), until=datetime(2025, 2, 1, tzinfo=UTC)
    )
    assert person.pk in january
    assert len(january) == 1

    # A reviewer's merge and its undo touch no collected row either.
    other = selectors.person_for(kind=GIT_IDENTITY, profile_id=web_flow.pk)
    assert other is not None
    run("people", "merge", str(person.pk), str(other.pk), "--actor", "tester")
    run("people", "undo", str(MergeLog.objects.latest("id").pk), "--actor", "tester")
    assert collected_rows() == rows

    again = run("run_cppa_user_tracker")
    assert "0 new or changed, 0 people created, 0 merged automatically" in again
