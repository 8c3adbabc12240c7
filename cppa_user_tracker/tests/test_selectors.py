"""Bulk id lookups that other apps use right after upserting people."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cppa_user_tracker import selectors, services
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from cppa_user_tracker.models import GitHubAccount, GitIdentity

pytestmark = pytest.mark.django_db


def test_account_ids_by_github_id_in_one_query() -> None:
    services.upsert_github_accounts(
        items=[GitHubAccountItem(github_id=n, login=f"u{n}") for n in (5, 6, 7)]
    )
    with CaptureQueriesContext(connection) as queries:
        ids = selectors.github_account_ids(github_ids=[5, 7, 99])
    assert len(queries.captured_queries) == 1
    assert ids == {
        5: GitHubAccount.objects.get(github_id=5).pk,
        7: GitHubAccount.objects.get(github_id=7).pk,
    }
    assert selectors.github_account_ids(github_ids=[]) == {}


def test_identity_ids_use_the_stored_normalised_key() -> None:
    raw = [GitIdentityItem(" Peter Dimov ", "PDimov@Gmail.com"), GitIdentityItem("Emil", "")]
    services.upsert_git_identities(items=raw)
    with CaptureQueriesContext(connection) as queries:
        ids = selectors.git_identity_ids(items=[*raw, GitIdentityItem("Nobody", "n@x.org")])
    assert len(queries.captured_queries) == 1
    peter = GitIdentity.objects.get(email="pdimov@gmail.com")
    assert ids == {
        ("Peter Dimov", "pdimov@gmail.com"): peter.pk,
        ("Emil", ""): GitIdentity.objects.get(name="Emil").pk,
    }
    assert selectors.git_identity_ids(items=[]) == {}
