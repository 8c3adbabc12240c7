"""Shared repositories as people's evidence: this app's commits, issues and pull requests.

Real PostgreSQL: activity is stored through this app's services, profiles are matched
by `run_cppa_user_tracker`, which asks the providers `AppConfig.ready` registered.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cppa_user_tracker import services as people
from cppa_user_tracker.items import GitHubAccountItem
from cppa_user_tracker.models import (
    GitHubAccount,
    GitIdentity,
    ProfileEvidence,
    ProfileLink,
    Recommendation,
)
from github_activity_tracker import parsers, services
from github_activity_tracker.models import Commit, Issue, Repository
from github_activity_tracker.testing import payloads
from github_activity_tracker.testing.recordings import octokit_responses

pytestmark = pytest.mark.django_db

JANE = {"login": "jdoe", "id": 4242, "type": "User", "avatar_url": ""}
# The account's own commits carry GitHub's noreply address (a strong link to it).
JANE_NOREPLY = ("J. Doe", "4242+jdoe@users.noreply.github.com")
# Commits from a laptop that GitHub tied to no account: the same full name.
JANE_AT_HOME = ("Jane Doe", "jane.doe.cpp@gmail.com")


def match(*args: str) -> str:
    out = StringIO()
    call_command("run_cppa_user_tracker", *args, stdout=out)
    return out.getvalue()


def repository(github_id: int, full_name: str) -> Repository:
    (obj,) = octokit_responses("get-repository", "get", "/repos/octokit-fixture-org/hello-world")
    value = {**obj, "id": github_id, "name": full_name.split("/")[1], "full_name": full_name}
    services.upsert_repositories(items=[parsers.parse_repository(value, url=payloads.REPO_API)])
    return Repository.objects.get(github_id=github_id)


def commit(repo: Repository, n: int, who: tuple[str, str], account: dict | None = None) -> None:
    name, email = who
    value = payloads.commit(f"{n:040x}", name=name, email=email, account=account)
    services.ingest_commits(
        repository=repo, items=[parsers.parse_commit(value, url=payloads.REPO_API)]
    )


def open_pull_request(repo: Repository, number: int, account: dict) -> None:
    value = {**payloads.pull_request_issue(number), "user": account}
    services.ingest_issues(
        repository=repo, items=[parsers.parse_issue(value, url=payloads.REPO_API)]
    )


def name_account(name: str) -> GitHubAccount:
    """The account's profile name (GitHub's user endpoint; commits do not carry it)."""
    people.upsert_github_accounts(
        items=[GitHubAccountItem(github_id=JANE["id"], login=JANE["login"], name=name)]
    )
    return GitHubAccount.objects.get(github_id=JANE["id"])


def age_everything() -> None:
    """Make every row a day old, so a run reads only what changes after it."""
    day_ago = timezone.now() - timedelta(days=1)
    GitHubAccount.objects.update(updated_at=day_ago)
    GitIdentity.objects.update(updated_at=day_ago)
    Commit.objects.update(row_changed_at=day_ago)
    Issue.objects.update(row_changed_at=day_ago)


def evidence(kind: str, pk: int) -> set[tuple[str, str]]:
    link = ProfileLink.objects.get(kind=kind, profile_id=pk)
    return set(ProfileEvidence.objects.filter(link=link).values_list("kind", "value"))


def home_identity() -> GitIdentity:
    return GitIdentity.objects.get(email=JANE_AT_HOME[1])


def test_same_name_committing_to_the_same_repository_is_a_recommendation() -> None:
    json = repository(1, "boostorg/json")
    commit(json, 1, JANE_NOREPLY, account=JANE)
    commit(json, 2, JANE_AT_HOME)
    jane = name_account("Jane Doe")
    match()
    rec = Recommendation.objects.get()
    assert {(rec.first.kind, rec.first.profile_id), (rec.second.kind, rec.second.profile_id)} == {
        ("github_account", jane.pk),
        ("git_identity", home_identity().pk),
    }
    assert rec.score == pytest.approx(0.52)
    assert rec.evidence == [
        {"kind": "name", "value": "jane doe"},
        {"kind": "repo", "value": "boostorg/json"},
    ]
    assert rec.first.person_id != rec.second.person_id  # a recommendation, not a merge
    # An unchanged re-run changes nothing.
    stamps = list(ProfileLink.objects.order_by("id").values_list("updated_at", flat=True))
    assert "0 new or changed, 0 people created, 0 merged automatically" in match()
    assert list(ProfileLink.objects.order_by("id").values_list("updated_at", flat=True)) == stamps
    assert Recommendation.objects.get().evidence == rec.evidence


def test_same_name_in_different_repositories_is_no_evidence() -> None:
    commit(repository(1, "boostorg/json"), 1, JANE_NOREPLY, account=JANE)
    commit(repository(2, "boostorg/math"), 2, JANE_AT_HOME)
    jane = name_account("Jane Doe")
    match()
    assert not Recommendation.objects.exists()
    assert ("repo", "boostorg/json") in evidence("github_account", jane.pk)
    assert ("repo", "boostorg/math") in evidence("git_identity", home_identity().pk)


def test_a_new_commit_reaches_the_evidence_of_an_unchanged_identity() -> None:
    json, math = repository(1, "boostorg/json"), repository(2, "boostorg/math")
    commit(json, 1, JANE_NOREPLY, account=JANE)
    commit(math, 2, JANE_AT_HOME)
    name_account("Jane Doe")
    age_everything()
    match()
    assert "0 profiles read, 0 new or changed" in match()
    assert not Recommendation.objects.exists()
    stamp = home_identity().updated_at

    commit(json, 3, JANE_AT_HOME)  # the identity's row is not written again
    assert home_identity().updated_at == stamp
    out = match()
    assert "1 profiles read, 1 new or changed" in out
    assert Recommendation.objects.get().evidence == [
        {"kind": "name", "value": "jane doe"},
        {"kind": "repo", "value": "boostorg/json"},
    ]


def test_a_new_pull_request_reaches_the_evidence_of_an_unchanged_account() -> None:
    json, math = repository(1, "boostorg/json"), repository(2, "boostorg/math")
    commit(json, 1, JANE_NOREPLY, account=JANE)
    jane = GitHubAccount.objects.get(github_id=JANE["id"])
    age_everything()
    match()
    assert evidence("github_account", jane.pk) >= {("repo", "boostorg/json")}
    stamp = GitHubAccount.objects.get(pk=jane.pk).updated_at

    open_pull_request(math, 7, JANE)  # the account row is stored again, unchanged
    assert GitHubAccount.objects.get(pk=jane.pk).updated_at == stamp
    assert "1 new or changed" in match()
    assert {("repo", "boostorg/json"), ("repo", "boostorg/math")} <= evidence(
        "github_account", jane.pk
    )
