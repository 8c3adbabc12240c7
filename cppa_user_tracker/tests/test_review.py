"""Merge, unmerge, split, accept, reject and undo: round trips with the audit log."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cppa_user_tracker import services
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from cppa_user_tracker.models import (
    GitHubAccount,
    GitIdentity,
    MergeLog,
    Person,
    ProfileLink,
    Recommendation,
)
from cppa_user_tracker.profile_kinds import GIT_IDENTITY, GITHUB_ACCOUNT
from cppa_user_tracker.tests.conftest import grouping, match, partition, person_of

pytestmark = pytest.mark.django_db


def people(*args: str) -> str:
    out = StringIO()
    call_command("people", *args, "--actor", "tester", stdout=out)
    return out.getvalue()


@pytest.fixture
def three() -> dict[str, int]:
    """Ann (account + linked identity), a look-alike Ann address, and Bob."""
    services.upsert_github_accounts(
        items=[GitHubAccountItem(1, "ann", "Ann Example"), GitHubAccountItem(2, "bob", "Bob")]
    )
    services.upsert_git_identities(
        items=[
            GitIdentityItem("Ann Example", "anne.example@work.example"),
            GitIdentityItem("Ann Example", "anne.example@home.example"),
        ]
    )
    ann = GitHubAccount.objects.get(github_id=1)
    work, home = GitIdentity.objects.order_by("email").values_list("pk", flat=True)[::-1]
    services.link_git_identities_to_accounts(pairs=[(work, ann.pk)])
    match()
    return {
        "ann": ann.pk,
        "bob": GitHubAccount.objects.get(github_id=2).pk,
        "work": work,
        "home": home,
    }


def collected_rows() -> list[tuple]:
    return [
        *GitHubAccount.objects.order_by("id").values_list("id", "login", "updated_at"),
        *GitIdentity.objects.order_by("id").values_list("id", "email", "account_id", "updated_at"),
    ]


def test_recommendation_accept_and_undo_round_trip(three) -> None:
    rec = Recommendation.objects.get()
    assert rec.score == pytest.approx(0.58)  # name + the local part "anne.example"
    out = people("recommendations")
    row = next(line for line in out.splitlines() if "0.58" in line)
    assert row.split()[1] == str(rec.pk)
    assert "email_local=anne.example; name=ann example" in row
    start, rows = partition(), collected_rows()
    out = people("accept", str(rec.pk), "--reason", "same person, says Ann")
    assert f"recommendation #{rec.pk} accepted" in out
    assert person_of(GIT_IDENTITY, three["home"]) == person_of(GITHUB_ACCOUNT, three["ann"])
    entry = MergeLog.objects.get(action="accept")
    assert (entry.actor, entry.reason) == ("tester", "same person, says Ann")
    assert entry.evidence == rec.evidence
    assert collected_rows() == rows  # a merge writes links only
    people("undo", str(entry.pk))
    assert partition() == start
    assert Recommendation.objects.get().status == "open"
    assert collected_rows() == rows


def test_reject_is_never_suggested_again(three) -> None:
    rec = Recommendation.objects.get()
    people("reject", str(rec.pk))
    assert "No open recommendations." in people("recommendations")
    match("--full")
    assert Recommendation.objects.get().status == "rejected"
    with pytest.raises(CommandError, match=f"recommendation #{rec.pk} is already rejected"):
        people("accept", str(rec.pk))


def test_merge_unmerge_split_each_undo_to_the_exact_earlier_grouping(three) -> None:
    start = grouping()
    ann = person_of(GITHUB_ACCOUNT, three["ann"])
    bob = person_of(GITHUB_ACCOUNT, three["bob"])
    merged = people("merge", str(ann), f"{GITHUB_ACCOUNT}:{three['bob']}")
    assert f"person #{GITHUB_ACCOUNT}:{three['bob']} merged into #{ann}" in merged
    assert person_of(GITHUB_ACCOUNT, three["bob"]) == ann
    assert not Person.objects.filter(pk=bob).exists()
    people("undo", str(MergeLog.objects.latest("id").pk))
    assert grouping() == start  # the deleted person is back under its own id

    people("unmerge", f"{GIT_IDENTITY}:{three['work']}")
    assert person_of(GIT_IDENTITY, three["work"]) != ann
    people("undo", str(MergeLog.objects.latest("id").pk))
    assert grouping() == start

    people("split", str(ann))
    assert person_of(GIT_IDENTITY, three["work"]) != person_of(GITHUB_ACCOUNT, three["ann"])
    split = MergeLog.objects.latest("id")
    people("undo", str(split.pk))
    assert grouping() == start
    assert Person.objects.count() == len(set(start.values()))
    assert list(MergeLog.objects.order_by("id").values_list("action", flat=True)) == [
        "merge",
        "undo",
        "unmerge",
        "undo",
        "split",
        "undo",
    ]
    # An undo of the undo redoes the split; undoing twice is refused.
    with pytest.raises(CommandError, match=f"action #{split.pk} was already undone by"):
        people("undo", str(split.pk))


def test_undo_is_refused_when_a_later_action_moved_the_profiles(three) -> None:
    ann = person_of(GITHUB_ACCOUNT, three["ann"])
    people("unmerge", f"{GIT_IDENTITY}:{three['work']}")
    first = MergeLog.objects.latest("id")
    people("merge", str(person_of(GITHUB_ACCOUNT, three["bob"])), f"{GIT_IDENTITY}:{three['work']}")
    with pytest.raises(CommandError, match=rf"action #{first.pk} cannot be undone: profile link"):
        people("undo", str(first.pk))
    assert person_of(GITHUB_ACCOUNT, three["ann"]) == ann


def test_the_matcher_never_redoes_what_a_reviewer_undid(three) -> None:
    people("unmerge", f"{GIT_IDENTITY}:{three['work']}")
    apart = grouping()
    match("--full")
    assert grouping() == apart
    # New strong evidence for both sides: kept apart, shown as a recommendation instead.
    services.upsert_git_identities(items=[GitIdentityItem("ann", "1+ann@users.noreply.github.com")])
    services.upsert_git_identities(items=[GitIdentityItem("Ann", "anne.example@work.example")])
    match()
    assert person_of(GIT_IDENTITY, three["work"]) != person_of(GITHUB_ACCOUNT, three["ann"])
    assert not MergeLog.objects.filter(action="auto_merge").exists()


def test_show_tells_why_each_profile_belongs(three) -> None:
    out = people("show", f"{GITHUB_ACCOUNT}:{three['ann']}")
    assert "ann (Ann Example)" in out
    assert "GitHub account" in out
    assert "git identity" in out
    assert f"github_id 1 with {GITHUB_ACCOUNT}:{three['ann']}" in out
    assert "email=anne.example@work.example (verified)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "999"], "no person #999"),
        (["show", "nonsense"], "'nonsense' is neither a person id nor a profile KIND:ID"),
        (["show", "github_account:x"], "'github_account:x' is not a profile KIND:ID"),
        (["unmerge", "github_account:999"], "no profile github_account:999; run"),
        (["accept", "999"], "no recommendation #999"),
        (["undo", "999"], "no audit log entry #999"),
    ],
)
def test_bad_arguments_are_one_clear_line(three, args, message) -> None:
    before = grouping()
    with pytest.raises(CommandError, match=message):
        people(*args)
    assert grouping() == before


def test_unmerge_of_a_lone_profile_and_merge_with_itself_are_refused(three) -> None:
    bob = f"{GITHUB_ACCOUNT}:{three['bob']}"
    with pytest.raises(CommandError, match=rf"profile {bob} is the only profile of person"):
        people("unmerge", bob)
    with pytest.raises(CommandError, match="cannot be merged with itself"):
        people("merge", bob, bob)
    assert not MergeLog.objects.exists()


def test_review_services_are_what_the_admin_actions_call(three, admin_client) -> None:
    person = Person.objects.get(pk=person_of(GITHUB_ACCOUNT, three["ann"]))
    response = admin_client.post(
        "/admin/cppa_user_tracker/person/",
        {"action": "split_selected", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    entry = MergeLog.objects.get()
    assert (entry.action, entry.actor) == ("split", "admin:admin")
    response = admin_client.post(
        "/admin/cppa_user_tracker/mergelog/",
        {"action": "undo_selected", "_selected_action": [entry.pk]},
    )
    assert response.status_code == 302
    assert MergeLog.objects.latest("id").action == "undo"
    assert ProfileLink.objects.filter(person=person).count() == 2
    review_page = admin_client.get(f"/admin/cppa_user_tracker/person/{person.pk}/change/")
    assert review_page.status_code == 200
    assert b"anne.example@work.example" in review_page.content
