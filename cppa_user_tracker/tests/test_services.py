"""People services on real PostgreSQL: create, re-run, change one field, bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cppa_user_tracker import services
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from cppa_user_tracker.models import GitHubAccount, GitIdentity, Person

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    GitHubAccountItem(github_id=1011, login="pdimov", name="Peter Dimov", account_type="User"),
    GitHubAccountItem(github_id=2022, login="grafikrobot", name="René Ferdinand Rivera Morell"),
    GitHubAccountItem(github_id=3033, login="dependabot[bot]", account_type="Bot"),
]


def test_upsert_creates_accounts() -> None:
    counts = services.upsert_github_accounts(items=ACCOUNTS)
    assert (counts.created, counts.updated, counts.unchanged) == (3, 0, 0)
    assert GitHubAccount.objects.get(github_id=2022).name == "René Ferdinand Rivera Morell"


def test_second_upsert_without_changes_writes_nothing() -> None:
    services.upsert_github_accounts(items=ACCOUNTS)
    before = {a.github_id: a.updated_at for a in GitHubAccount.objects.all()}
    counts = services.upsert_github_accounts(items=ACCOUNTS)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 3)
    assert {a.github_id: a.updated_at for a in GitHubAccount.objects.all()} == before
    assert GitHubAccount.objects.count() == 3


def test_renamed_login_updates_only_that_account() -> None:
    services.upsert_github_accounts(items=ACCOUNTS)
    before = {a.github_id: (a.login, a.updated_at) for a in GitHubAccount.objects.all()}
    renamed = [
        ACCOUNTS[0].__class__(
            github_id=1011, login="pdimov2", name="Peter Dimov", account_type="User"
        )
    ]
    counts = services.upsert_github_accounts(items=renamed + ACCOUNTS[1:])
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 2)
    after = {a.github_id: (a.login, a.updated_at) for a in GitHubAccount.objects.all()}
    assert after[1011][0] == "pdimov2"
    assert after[1011][1] > before[1011][1]
    assert after[2022] == before[2022]
    assert after[3033] == before[3033]


def test_duplicate_items_in_one_batch_are_one_row() -> None:
    twice = [ACCOUNTS[0], GitHubAccountItem(github_id=1011, login="pdimov", name="P. Dimov")]
    counts = services.upsert_github_accounts(items=twice)
    assert counts.created == 1
    assert GitHubAccount.objects.get().name == "P. Dimov"


def test_upsert_costs_the_same_statements_for_any_number_of_rows() -> None:
    def statements(count: int, first_id: int) -> list[str]:
        items = [
            GitHubAccountItem(github_id=i, login=f"u{i}") for i in range(first_id, first_id + count)
        ]
        with CaptureQueriesContext(connection) as queries:
            services.upsert_github_accounts(items=items)
        return [
            q["sql"].split(" ", 1)[0]
            for q in queries.captured_queries
            if "SAVEPOINT" not in q["sql"]
        ]

    assert statements(2, first_id=1) == statements(2500, first_id=10) == ["CREATE", "COPY", "WITH"]
    assert GitHubAccount.objects.count() == 2502


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (GitHubAccountItem(github_id=0, login="ghost"), "invalid id 0"),
        (GitHubAccountItem(github_id=-5, login="ghost"), "invalid id -5"),
        (GitHubAccountItem(github_id=7, login=""), "empty login"),
    ],
)
def test_bad_accounts_are_rejected_and_nothing_is_written(item, message) -> None:
    with pytest.raises(ValueError, match=message):
        services.upsert_github_accounts(items=[ACCOUNTS[0], item])
    assert GitHubAccount.objects.count() == 0


def test_git_identities_are_unique_by_name_and_email() -> None:
    items = [
        GitIdentityItem(name="Beman Dawes", email="Bdawes@Acm.org"),
        GitIdentityItem(name="Beman Dawes", email="bdawes@acm.org"),
        GitIdentityItem(name="Beman", email="bdawes@acm.org"),
    ]
    counts = services.upsert_git_identities(items=items)
    assert counts.created == 2
    again = services.upsert_git_identities(items=items)
    assert (again.created, again.unchanged) == (0, 2)
    assert GitIdentity.objects.count() == 2


def test_git_identity_needs_a_name_or_email() -> None:
    with pytest.raises(ValueError, match="needs a name or an email"):
        services.upsert_git_identities(items=[GitIdentityItem(name=" ", email="")])


def test_linking_identities_to_accounts_writes_only_real_changes() -> None:
    services.upsert_github_accounts(items=ACCOUNTS[:2])
    services.upsert_git_identities(items=[GitIdentityItem("Peter Dimov", "pdimov@gmail.com")])
    identity = GitIdentity.objects.get()
    pdimov, rene = (GitHubAccount.objects.get(github_id=n) for n in (1011, 2022))
    assert services.link_git_identities_to_accounts(pairs=[]) == 0
    assert services.link_git_identities_to_accounts(pairs=[(identity.pk, pdimov.pk)]) == 1
    stamp = GitIdentity.objects.get().updated_at
    assert stamp is not None
    assert services.link_git_identities_to_accounts(pairs=[(identity.pk, pdimov.pk)]) == 0
    assert GitIdentity.objects.get().updated_at == stamp
    assert services.link_git_identities_to_accounts(pairs=[(identity.pk, rene.pk)]) == 1
    assert GitIdentity.objects.get().account_id == rene.pk
    assert Person.objects.count() == 0
