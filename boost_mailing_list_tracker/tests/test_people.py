"""Senders are `cppa_user_tracker` profiles: an imported month's senders are read by
`run_cppa_user_tracker`, and a sender's plain address joins the person of a git
identity GitHub verified with the same address."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from boost_mailing_list_tracker.models import Message, Sender
from boost_mailing_list_tracker.people import MAILING_LIST_SENDER
from boost_mailing_list_tracker.tests.conftest import EMAIL, run
from cppa_user_tracker import selectors, services
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from cppa_user_tracker.models import GitHubAccount, GitIdentity, ProfileLink

pytestmark = pytest.mark.django_db


def test_senders_are_profiles_and_join_a_verified_git_identity_with_their_address() -> None:
    run("--mbox", str(EMAIL / "jwzthreading/2010-January.txt.gz"))
    sender = Sender.objects.exclude(address="").order_by("key")[0]
    services.upsert_github_accounts(items=[GitHubAccountItem(github_id=77, login="dev77")])
    services.upsert_git_identities(items=[GitIdentityItem(name="dev", email=sender.address)])
    git = GitIdentity.objects.get(email=sender.address.lower())
    account = GitHubAccount.objects.get(github_id=77)
    services.link_git_identities_to_accounts(pairs=[(git.pk, account.pk)])

    call_command("run_cppa_user_tracker", stdout=StringIO())

    linked = set(
        ProfileLink.objects.filter(kind=MAILING_LIST_SENDER).values_list("profile_id", flat=True)
    )
    assert linked == set(Sender.objects.values_list("pk", flat=True))
    person = selectors.person_for(kind=MAILING_LIST_SENDER, profile_id=sender.pk)
    assert person is not None
    assert selectors.person_for(kind="git_identity", profile_id=git.pk) == person
    # Posting is activity: the sender's month makes them a contributor in it.
    sent = Message.objects.filter(sender=sender).values_list("sent_at", flat=True)[0]
    assert sent is not None
    month = (datetime(sent.year, sent.month, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    assert person.pk in selectors.contributors(since=month[0], until=month[1])
