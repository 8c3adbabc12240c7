"""Authors are `cppa_user_tracker` profiles: `run_cppa_user_tracker` reads them; an
author's `mailto:` address joins the person of a git identity GitHub verified with
it, while an author who shares only a name with a verified identity stays apart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from cppa_user_tracker import selectors, services
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from cppa_user_tracker.models import GitHubAccount, GitIdentity, ProfileLink, Recommendation
from wg21_paper_tracker import services as wg21_services
from wg21_paper_tracker.items import AuthorName, MailingItem, RevisionItem
from wg21_paper_tracker.models import Author
from wg21_paper_tracker.parsers import parse_paper_id
from wg21_paper_tracker.people import WG21_AUTHOR

pytestmark = pytest.mark.django_db


def verified_identity(github_id: int, name: str, email: str) -> GitIdentity:
    services.upsert_github_accounts(items=[GitHubAccountItem(github_id=github_id, login=name)])
    services.upsert_git_identities(items=[GitIdentityItem(name=name, email=email)])
    git = GitIdentity.objects.get(email=email)
    account = GitHubAccount.objects.get(github_id=github_id)
    services.link_git_identities_to_accounts(pairs=[(git.pk, account.pk)])
    return git


def test_authors_are_profiles_joined_by_address_never_by_name_alone() -> None:
    wg21_services.upsert_mailings(items=[MailingItem("2023-01", "2023-01", 2023, date(2023, 1, 1))])
    paper = parse_paper_id("P2593R1")
    assert paper is not None
    authors = (AuthorName("Barry Revzin", "barry@example.org"), AuthorName("Eric Niebler"))
    wg21_services.store_revisions(
        items=[
            RevisionItem(
                paper=paper,
                title="Allowing static_assert(false)",
                authors=authors,
                document_date=date(2023, 1, 19),
                mailing_id="2023-01",
                url="https://wg21.link/p2593r1",
            )
        ],
        source=wg21_services.PAGE,
    )
    barry_git = verified_identity(1, "Barry Revzin", "barry@example.org")
    eric_git = verified_identity(2, "Eric Niebler", "eric@example.net")

    call_command("run_cppa_user_tracker", stdout=StringIO())

    barry = Author.objects.get(name_key="barry revzin")
    eric = Author.objects.get(name_key="eric niebler")
    linked = set(ProfileLink.objects.filter(kind=WG21_AUTHOR).values_list("profile_id", flat=True))
    assert linked == {barry.pk, eric.pk}
    barry_person = selectors.person_for(kind=WG21_AUTHOR, profile_id=barry.pk)
    assert barry_person is not None
    assert barry_person == selectors.person_for(kind="git_identity", profile_id=barry_git.pk)
    # The same name alone is no evidence: not merged (and nothing to recommend).
    eric_person = selectors.person_for(kind=WG21_AUTHOR, profile_id=eric.pk)
    assert eric_person is not None
    assert eric_person != selectors.person_for(kind="git_identity", profile_id=eric_git.pk)
    assert not Recommendation.objects.exists()
    # A paper dated in the range makes its authors contributors in it.
    january = (datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 2, 1, tzinfo=UTC))
    assert selectors.contributors(since=january[0], until=january[1]) == {
        barry_person.pk,
        eric_person.pk,
    }
