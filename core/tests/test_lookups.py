"""`field__any_of`: membership as one array parameter, for strings and integers."""

from __future__ import annotations

import pytest

from cppa_user_tracker.models import GitHubAccount, GitIdentity

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts() -> None:
    GitHubAccount.objects.bulk_create(
        GitHubAccount(github_id=n, login=f"user'{n}") for n in (3, 5, 7)
    )


def test_matches_like_in_for_integers_and_strings(accounts) -> None:
    by_id = GitHubAccount.objects.filter(github_id__any_of=[5, 7, 99])
    assert sorted(by_id.values_list("github_id", flat=True)) == [5, 7]
    # Quotes and commas inside values survive the trip as array elements.
    by_login = GitHubAccount.objects.filter(login__any_of={"user'3", "nobody,x"})
    assert list(by_login.values_list("github_id", flat=True)) == [3]


def test_no_values_match_nothing(accounts) -> None:
    assert not GitHubAccount.objects.filter(github_id__any_of=[]).exists()
    assert not GitIdentity.objects.filter(email__any_of=iter(())).exists()


def test_one_placeholder_however_many_values() -> None:
    def compiled(values: range) -> tuple[str, tuple]:
        return GitHubAccount.objects.filter(github_id__any_of=values).query.sql_with_params()

    (few_sql, _), (many_sql, many_params) = compiled(range(2)), compiled(range(1000))
    assert few_sql == many_sql
    assert few_sql.count("%s") == 1
    assert "= ANY(%s::bigint[])" in few_sql
    assert many_params == (list(range(1000)),)
