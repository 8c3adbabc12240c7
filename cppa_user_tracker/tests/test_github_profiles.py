"""GitHub profiles (name, company, web site): stored without being undone, and weighed.

`record_github_profiles` is what the GitHub collector's profile step calls; the
activity upserts (`upsert_github_accounts`) carry "simple user" objects without a
name, company or blog and must never blank what a profile read found.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cppa_user_tracker import services
from cppa_user_tracker.items import GitHubAccountItem, GitHubProfileItem, GitIdentityItem
from cppa_user_tracker.models import GitHubAccount, GitIdentity, Recommendation
from cppa_user_tracker.profile_kinds import GIT_IDENTITY, GITHUB_ACCOUNT
from cppa_user_tracker.tests.conftest import match, person_of

pytestmark = pytest.mark.django_db

JANE = GitHubAccountItem(github_id=4101, login="jdoe-dev", account_type="User")
READ_AT = timezone.now() - timedelta(hours=1)


def people(*args: str) -> str:
    out = StringIO()
    call_command("people", *args, stdout=out)
    return out.getvalue()


def stored(github_id: int) -> tuple:
    return GitHubAccount.objects.values_list(
        "login", "name", "company", "blog", "profile_read_at"
    ).get(github_id=github_id)


def read_profile(**fields: str) -> int:
    profile = GitHubProfileItem(github_id=JANE.github_id, login=JANE.login, **fields)
    return services.record_github_profiles(profiles=[profile], checked=[], read_at=READ_AT)


def test_a_simple_user_payload_does_not_undo_a_profile_read() -> None:
    services.upsert_github_accounts(items=[JANE])
    read_profile(name="Jane Doe", company="@widgetworks", blog="https://www.janedoe.net")

    renamed = GitHubAccountItem(github_id=JANE.github_id, login="jane-doe", account_type="User")
    counts = services.upsert_github_accounts(items=[renamed])

    assert counts.updated == 1
    assert stored(JANE.github_id) == (
        "jane-doe", "Jane Doe", "@widgetworks", "https://www.janedoe.net", READ_AT,
    )  # fmt: skip
    # The same simple user again: nothing to write.
    before = GitHubAccount.objects.get(github_id=JANE.github_id).updated_at
    again = services.upsert_github_accounts(items=[renamed])
    assert (again.updated, again.unchanged) == (0, 1)
    assert GitHubAccount.objects.get(github_id=JANE.github_id).updated_at == before


def test_an_item_that_carries_a_name_still_sets_it() -> None:
    services.upsert_github_accounts(items=[JANE])
    counts = services.upsert_github_accounts(
        items=[
            GitHubAccountItem(github_id=JANE.github_id, login=JANE.login, name="Jane Q. Doe"),
            GitHubAccountItem(github_id=4102, login="other"),
        ]
    )
    assert (counts.created, counts.updated) == (1, 1)
    assert stored(JANE.github_id)[1] == "Jane Q. Doe"
    assert stored(4102)[1:4] == ("", "", "")


def test_a_profile_read_moves_updated_at_only_when_the_profile_changed() -> None:
    services.upsert_github_accounts(items=[JANE])
    first = GitHubAccount.objects.get(github_id=JANE.github_id).updated_at

    assert read_profile(name="Jane Doe", company="Widget Works") == 1
    changed = GitHubAccount.objects.get(github_id=JANE.github_id).updated_at
    assert changed > first
    assert read_profile(name="Jane Doe", company="Widget Works") == 0
    assert GitHubAccount.objects.get(github_id=JANE.github_id).updated_at == changed
    # The owner cleared the company: cleared here too.
    assert read_profile(name="Jane Doe") == 1
    assert stored(JANE.github_id)[1:3] == ("Jane Doe", "")


def test_checked_accounts_are_stamped_and_unknown_ones_ignored() -> None:
    services.upsert_github_accounts(items=[JANE, GitHubAccountItem(github_id=4103, login="bot")])
    stray = GitHubProfileItem(github_id=999, login="nobody-here", name="No Body")

    changed = services.record_github_profiles(profiles=[stray], checked=[4103], read_at=READ_AT)

    assert changed == 0
    assert stored(4103)[1:] == ("", "", "", READ_AT)
    assert stored(JANE.github_id)[4] is None
    assert not GitHubAccount.objects.filter(github_id=999).exists()


def test_name_and_site_domain_or_company_are_a_recommendation_with_their_evidence() -> None:
    services.upsert_github_accounts(
        items=[JANE, GitHubAccountItem(github_id=4104, login="jdoe-widgets")]
    )
    read_profile(name="Jane Doe", company="@widgetworks", blog="https://www.janedoe.net/blog")
    services.record_github_profiles(
        profiles=[
            GitHubProfileItem(
                github_id=4104, login="jdoe-widgets", name="Doe, Jane", company="WidgetWorks"
            )
        ],
        checked=[],
        read_at=READ_AT,
    )
    # A commit author and a libraries.json maintainer with the same name, at the site's domain.
    services.upsert_git_identities(items=[GitIdentityItem("Jane Doe", "jane@janedoe.net")])
    maintainer = GitIdentity.objects.get(email="jane@janedoe.net")
    account = GitHubAccount.objects.get(github_id=JANE.github_id)
    other = GitHubAccount.objects.get(github_id=4104)

    match()

    # Weak evidence only: nobody is merged.
    persons = {
        person_of(GITHUB_ACCOUNT, account.pk),
        person_of(GITHUB_ACCOUNT, other.pk),
        person_of(GIT_IDENTITY, maintainer.pk),
    }
    assert len(persons) == 3
    recs = {
        frozenset((r.first.profile_id, r.second.profile_id)): r
        for r in Recommendation.objects.select_related("first", "second")
    }
    by_site = recs[frozenset((account.pk, maintainer.pk))]
    assert by_site.score == pytest.approx(0.58)
    assert by_site.evidence == [
        {"kind": "domain", "value": "janedoe.net"},
        {"kind": "name", "value": "jane doe"},
    ]
    by_company = recs[frozenset((account.pk, other.pk))]
    assert by_company.score == pytest.approx(0.52)
    assert by_company.evidence == [
        {"kind": "company", "value": "widgetworks"},
        {"kind": "name", "value": "jane doe"},
    ]
    table = people("recommendations")
    assert "domain=janedoe.net; name=jane doe" in table
    assert "company=widgetworks; name=jane doe" in table
    shown = people("show", f"{GITHUB_ACCOUNT}:{account.pk}")
    assert "jdoe-dev (Jane Doe)" in shown
    assert "company=widgetworks" in shown
    assert "site=janedoe.net" in shown


def test_a_changed_profile_is_read_again_by_the_incremental_matcher() -> None:
    services.upsert_github_accounts(items=[JANE])
    services.upsert_git_identities(items=[GitIdentityItem("Jane Doe", "jane@janedoe.net")])
    match()
    assert not Recommendation.objects.exists()  # the account has no name yet

    read_profile(name="Jane Doe", blog="janedoe.net")
    out = match()

    assert "1 new or changed" in out
    assert Recommendation.objects.get().evidence[0] == {"kind": "domain", "value": "janedoe.net"}


def test_a_shared_site_counts_once_and_a_profile_host_never() -> None:
    items = [GitHubAccountItem(github_id=n, login=f"jane-{n}") for n in (4201, 4202, 4203, 4204)]
    services.upsert_github_accounts(items=items)
    sites = {4201: "janedoe.net", 4202: "https://janedoe.net/", 4203: "https://linkedin.com/in/jd",
             4204: "https://www.linkedin.com/in/jane"}  # fmt: skip
    services.record_github_profiles(
        profiles=[
            GitHubProfileItem(github_id=n, login=f"jane-{n}", name="Jane Doe", blog=blog)
            for n, blog in sites.items()
        ],
        checked=[],
        read_at=READ_AT,
    )

    match()

    (rec,) = Recommendation.objects.select_related("first", "second")
    ids = dict(GitHubAccount.objects.values_list("id", "github_id"))
    assert {ids[rec.first.profile_id], ids[rec.second.profile_id]} == {4201, 4202}
    assert rec.score == pytest.approx(0.58)
    assert rec.evidence == [
        {"kind": "name", "value": "jane doe"},
        {"kind": "site", "value": "janedoe.net"},
    ]
